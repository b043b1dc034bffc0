//! The year in figures as a workbook for finance and audit: every figure of
//! [`AnnualReport`] as a row, amounts in 元 to the fen.

use crate::Scope;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{
    AnnualReport, EvaluationCuts, Execution, KeyEvaluations, ProjectChanges, Recovered,
    StoppedPayments,
};
use crate::error::AppResult;
use crate::library::export::{header, xlsx, yuan_cell};
use lingji_domain::Money;

/// A row of the sheet 年度报告: group, figure, count, amount, note.
type SheetRow<'a> = (&'a str, &'a str, Option<u64>, Option<Money>, String);

impl crate::YearEndUseCases<'_> {
    /// The year in figures as .xlsx: sheet 年度报告 (one row per figure, amounts in 元 to the
    /// fen) and sheet 评价等级.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn export_annual_report(&self, scope: &Scope, year: i32) -> AppResult<Vec<u8>> {
        let r = self.annual_report(scope, year).await?;
        let mut book = Workbook::new();
        let formats = Formats {
            bold: Format::new().set_bold().set_background_color("DDE7F2"),
            money: Format::new().set_num_format("#,##0.00"),
        };
        write_figures(&mut book, &figure_rows(&r), &formats).map_err(xlsx)?;
        write_grades(&mut book, &r.key_evaluations, &formats).map_err(xlsx)?;
        write_pending(&mut book, &r.pending, &formats).map_err(xlsx)?;
        book.save_to_buffer().map_err(xlsx)
    }
}

/// The header and amount formats every sheet shares.
struct Formats {
    bold: Format,
    money: Format,
}

/// Every figure of the report, section by section, in the order of the page.
fn figure_rows(r: &AnnualReport) -> Vec<SheetRow<'_>> {
    let mut rows = project_rows(&r.projects);
    rows.extend(stopped_rows(&r.stopped));
    rows.extend(recovered_rows(&r.recovered));
    rows.extend(evaluation_cut_rows(&r.evaluation_cuts));
    rows.extend(key_evaluation_rows(&r.key_evaluations));
    rows.extend(execution_rows(&r.execution));
    rows
}

/// 1. 项目压减 (ZX-3a).
fn project_rows(p: &ProjectChanges) -> Vec<SheetRow<'_>> {
    vec![
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
    ]
}

/// 2. 止付 (ZX-4b).
fn stopped_rows(s: &StoppedPayments) -> Vec<SheetRow<'_>> {
    vec![
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
    ]
}

/// 3. 年终收回.
fn recovered_rows(v: &Recovered) -> Vec<SheetRow<'_>> {
    vec![
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
    ]
}

/// 4. 评价结果调减.
fn evaluation_cut_rows(e: &EvaluationCuts) -> Vec<SheetRow<'_>> {
    vec![
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
    ]
}

/// 5. 重点评价 (PM-10).
fn key_evaluation_rows(k: &KeyEvaluations) -> Vec<SheetRow<'_>> {
    vec![(
        "重点评价",
        "财政重点评价项目",
        Some(k.count),
        Some(k.budget),
        "PM-10".into(),
    )]
}

/// 6. 预算执行, held against the ledger.
fn execution_rows(x: &Execution) -> Vec<SheetRow<'_>> {
    vec![
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
    ]
}
/// Sheet 年度报告: one row per figure.
fn write_figures(book: &mut Workbook, rows: &[SheetRow], f: &Formats) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name("年度报告")?;
    header(
        sheet,
        &[
            ("类别", 14.0),
            ("指标", 40.0),
            ("数量", 10.0),
            ("金额（元）", 20.0),
            ("说明", 60.0),
        ],
        &f.bold,
    )?;
    for (i, (group, name, count, amount, note)) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_string(row, 0, *group)?;
        sheet.write_string(row, 1, *name)?;
        if let Some(n) = count {
            sheet.write_number(row, 2, *n as f64)?;
        }
        if let Some(m) = amount {
            sheet.write_number_with_format(row, 3, yuan_cell(*m), &f.money)?;
        }
        sheet.write_string(row, 4, note)?;
    }
    Ok(())
}

/// Sheet 评价等级: key evaluations by grade.
fn write_grades(book: &mut Workbook, k: &KeyEvaluations, f: &Formats) -> Result<(), XlsxError> {
    let grades = book.add_worksheet();
    grades.set_name("评价等级")?;
    header(
        grades,
        &[("等级", 10.0), ("项目（个）", 12.0), ("资金（元）", 20.0)],
        &f.bold,
    )?;
    for (i, g) in k.by_grade.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        grades.write_string(row, 0, g.grade_label)?;
        grades.write_number(row, 1, g.count as f64)?;
        grades.write_number_with_format(row, 2, yuan_cell(g.budget), &f.money)?;
    }
    Ok(())
}

/// Sheet 尚未办理: the steps of the year still to come.
fn write_pending(book: &mut Workbook, pending: &[String], f: &Formats) -> Result<(), XlsxError> {
    let notes = book.add_worksheet();
    notes.set_name("尚未办理")?;
    header(notes, &[("尚未办理的环节", 50.0)], &f.bold)?;
    for (i, p) in pending.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        notes.write_string(row, 0, p)?;
    }
    Ok(())
}
