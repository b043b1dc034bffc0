//! The year in figures as a workbook for finance and audit: every figure of
//! [`AnnualReport`] as a row, amounts in 元 to the fen.

use crate::Scope;
use rust_xlsxwriter::{Format, Workbook};

use crate::error::AppResult;
use crate::library::export::{header, xlsx, yuan_cell};
use lingji_domain::Money;

/// A row of the sheet 年度报告: group, figure, count, amount, note.
type SheetRow<'a> = (&'a str, &'a str, Option<u64>, Option<Money>, String);

impl crate::ExecutionUseCases<'_> {
    /// The year in figures as .xlsx: sheet 年度报告 (one row per figure, amounts in 元 to the
    /// fen) and sheet 评价等级.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn export_annual_report(&self, scope: &Scope, year: i32) -> AppResult<Vec<u8>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let r = self
            .annual_report(&Scope::new(caller, jurisdiction_id), year)
            .await?;
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_background_color("DDE7F2");
        let money = Format::new().set_num_format("#,##0.00");
        let sheet = book.add_worksheet();
        sheet.set_name("年度报告").map_err(xlsx)?;
        header(
            sheet,
            &[
                ("类别", 14.0),
                ("指标", 40.0),
                ("数量", 10.0),
                ("金额（元）", 20.0),
                ("说明", 60.0),
            ],
            &bold,
        )
        .map_err(xlsx)?;
        let p = &r.projects;
        let s = &r.stopped;
        let v = &r.recovered;
        let e = &r.evaluation_cuts;
        let k = &r.key_evaluations;
        let x = &r.execution;
        let rows: Vec<SheetRow> = vec![
            (
                "项目压减",
                "压缩项目",
                Some(p.cut.count),
                Some(p.cut.amount),
                "ZX-3a".into(),
            ),
            (
                "项目压减",
                "取消项目",
                Some(p.cancelled.count),
                Some(p.cancelled.amount),
                "ZX-3a".into(),
            ),
            (
                "项目压减",
                "新增项目",
                Some(p.new.count),
                Some(p.new.amount),
                "ZX-3a".into(),
            ),
            (
                "项目压减",
                "调增项目",
                Some(p.increased.count),
                Some(p.increased.amount),
                "ZX-3a".into(),
            ),
            (
                "项目压减",
                "核减合计",
                None,
                Some(p.reduction),
                format!("压减比例 {}", p.ratio),
            ),
            (
                "项目压减",
                "基数：上年安排项目",
                Some(p.base_count),
                Some(p.base_amount),
                "压减比例 = 核减 ÷ 基数".into(),
            ),
            (
                "止付",
                "监控规则止付",
                Some(s.by_rules.count),
                Some(s.by_rules.amount),
                "ZX-4b".into(),
            ),
            (
                "止付",
                "其中：规则拦截",
                Some(s.rule_blocked.count),
                Some(s.rule_blocked.amount),
                String::new(),
            ),
            (
                "止付",
                "其中：预警后退回",
                Some(s.released_after_hit.count),
                Some(s.released_after_hit.amount),
                String::new(),
            ),
            (
                "止付",
                "其他校验拦截",
                Some(s.other_blocked.count),
                Some(s.other_blocked.amount),
                "暂缓拨款（PM-9）等".into(),
            ),
            (
                "止付",
                "止付合计",
                Some(s.all.count),
                Some(s.all.amount),
                "与预警处理与统计页一致".into(),
            ),
            (
                "年终收回",
                "收回合计",
                None,
                Some(v.recovered),
                if v.closed {
                    String::new()
                } else {
                    "年终结转尚未办理".into()
                },
            ),
            (
                "年终收回",
                "其中：连续闲置资金收回",
                None,
                Some(v.idle),
                "ZX-3c".into(),
            ),
            ("年终收回", "结转下年", None, Some(v.carried), String::new()),
            (
                "评价结果应用",
                "本年预算因上年评价调减",
                Some(e.this_year.count),
                Some(e.this_year.amount),
                e.clause.clone(),
            ),
            (
                "评价结果应用",
                "本年评价确认下年调减",
                Some(e.next_year.count),
                Some(e.next_year.amount),
                "PM-13".into(),
            ),
            (
                "重点评价",
                "财政重点评价项目",
                Some(k.count),
                Some(k.budget),
                "PM-10".into(),
            ),
            (
                "预算执行",
                "批复",
                Some(x.lines),
                Some(x.approved),
                "指标条数".into(),
            ),
            (
                "预算执行",
                "其中：上年结转",
                None,
                Some(x.carried_in),
                String::new(),
            ),
            ("预算执行", "调整", None, Some(x.adjusted), String::new()),
            ("预算执行", "预算合计", None, Some(x.budget), String::new()),
            (
                "预算执行",
                "已支付",
                None,
                Some(x.paid),
                format!("执行率 {}", x.execution_rate),
            ),
            (
                "预算执行",
                "在途（冻结）",
                None,
                Some(x.held),
                String::new(),
            ),
            (
                "预算执行",
                "年终结转",
                None,
                Some(x.carried_over),
                String::new(),
            ),
            (
                "预算执行",
                "年终收回",
                None,
                Some(x.recovered),
                String::new(),
            ),
            (
                "预算执行",
                "可用余额",
                None,
                Some(x.available),
                String::new(),
            ),
            (
                "预算执行",
                "与指标账核对",
                None,
                None,
                x.reconciliation.clone(),
            ),
        ];
        for (i, (group, name, count, amount, note)) in rows.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            sheet.write_string(row, 0, *group).map_err(xlsx)?;
            sheet.write_string(row, 1, *name).map_err(xlsx)?;
            if let Some(n) = count {
                sheet.write_number(row, 2, *n as f64).map_err(xlsx)?;
            }
            if let Some(m) = amount {
                sheet
                    .write_number_with_format(row, 3, yuan_cell(*m), &money)
                    .map_err(xlsx)?;
            }
            sheet.write_string(row, 4, note).map_err(xlsx)?;
        }
        let grades = book.add_worksheet();
        grades.set_name("评价等级").map_err(xlsx)?;
        header(
            grades,
            &[("等级", 10.0), ("项目（个）", 12.0), ("资金（元）", 20.0)],
            &bold,
        )
        .map_err(xlsx)?;
        for (i, g) in k.by_grade.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            grades.write_string(row, 0, &g.grade).map_err(xlsx)?;
            grades.write_number(row, 1, g.count as f64).map_err(xlsx)?;
            grades
                .write_number_with_format(row, 2, yuan_cell(g.budget), &money)
                .map_err(xlsx)?;
        }
        let notes = book.add_worksheet();
        notes.set_name("尚未办理").map_err(xlsx)?;
        header(notes, &[("尚未办理的环节", 50.0)], &bold).map_err(xlsx)?;
        for (i, p) in r.pending.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            notes.write_string(row, 0, p).map_err(xlsx)?;
        }
        book.save_to_buffer().map_err(xlsx)
    }
}
