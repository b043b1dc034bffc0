//! `lingji bench workbook`: a large project workbook in the import template's layout, for the
//! import and list benchmarks in docs/BENCHMARKS.md. Projects are spread over every unit of the
//! jurisdiction, each with one cost line at its standard and one indicator.

use anyhow::{Context, Result};
use lingji_app::{App, Caller};
use lingji_domain::org::OrgKind;
use rust_xlsxwriter::Workbook;

/// Writes `projects` projects for `year` to `out`.
pub async fn workbook(
    app: &App,
    jurisdiction: i64,
    year: i32,
    projects: u32,
    out: &std::path::Path,
) -> Result<()> {
    let units: Vec<String> = app
        .list_organisations(&Caller::System, jurisdiction)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Unit)
        .map(|o| o.code)
        .collect();
    anyhow::ensure!(!units.is_empty(), "该区划没有预算单位");
    let mut book = Workbook::new();
    let headers = [
        "序号",
        "预算单位",
        "项目名称",
        "项目类别",
        "事项分类",
        "支出层级",
        "政策依据",
        "开始年度",
        "结束年度",
        "功能分类（项）",
        "政府经济分类（款）",
        "资金来源",
        "项目负责人",
        "联系电话",
        "绩效总体目标",
    ];
    let sheet = book.add_worksheet().set_name("项目")?;
    sheet.write_row(0, 0, headers)?;
    for i in 1..=projects {
        let unit = &units[(i as usize) % units.len()];
        let row = [
            i.to_string(),
            unit.clone(),
            format!("基准项目{i:06}"),
            "特定目标类".into(),
            "公共服务".into(),
            "“三保”支出".into(),
            "示范市基准测试政策".into(),
            year.to_string(),
            year.to_string(),
            "2050202".into(),
            "50202".into(),
            "一般公共预算".into(),
            "基准".into(),
            "0518-85550000".into(),
            "完成年度工作会议".into(),
        ];
        sheet.write_row(i, 0, row)?;
    }
    let lines = book.add_worksheet().set_name("测算明细")?;
    lines.write_row(
        0,
        0,
        [
            "项目序号",
            "支出事项",
            "部门经济分类（款）",
            "支出标准",
            "数量",
            "单价（元）",
        ],
    )?;
    for i in 1..=projects {
        lines.write_row(
            i,
            0,
            [
                i.to_string(),
                "年度工作会议（二类）".into(),
                "30215".into(),
                "P-MEET-2".into(),
                format!("{}", 10 + i % 90),
                "480".into(),
            ],
        )?;
    }
    let targets = book.add_worksheet().set_name("绩效指标")?;
    targets.write_row(
        0,
        0,
        [
            "项目序号",
            "指标类别",
            "指标名称",
            "比较符",
            "目标值",
            "计量单位",
        ],
    )?;
    for i in 1..=projects {
        targets.write_row(
            i,
            0,
            [
                i.to_string(),
                "数量指标".into(),
                "会议场次".into(),
                "≥".into(),
                "1".into(),
                "场".into(),
            ],
        )?;
    }
    book.save(out)
        .with_context(|| format!("写入 {}", out.display()))?;
    Ok(())
}
