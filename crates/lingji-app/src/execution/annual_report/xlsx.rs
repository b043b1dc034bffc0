//! The year in figures as a workbook for finance and audit: every figure of
//! [`AnnualReport`] as a row, amounts in 元 to the fen.

use crate::Scope;

use super::{
    AnnualReport, Counted, EvaluationCuts, Execution, KeyEvaluations, ProjectChanges, Recovered,
    StoppedPayments,
};
use crate::error::AppResult;
use crate::sheets::{Book, Cell};
use lingji_domain::Money;

impl crate::YearEndUseCases<'_> {
    /// The year in figures as .xlsx: sheet 年度报告 (one row per figure, amounts in 元 to the
    /// fen) and sheet 评价等级.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn export_annual_report(&self, scope: &Scope, year: i32) -> AppResult<Vec<u8>> {
        let r = self.annual_report(scope, year).await?;
        let mut book = Book::new();
        write_figures(&mut book, &sections(&r))?;
        write_grades(&mut book, &r.key_evaluations)?;
        write_pending(&mut book, &r.pending)?;
        book.save()
    }
}

/// A row of the sheet 年度报告 below its section's group: figure, count, amount, note.
struct Figure {
    name: &'static str,
    count: Option<u64>,
    amount: Option<Money>,
    note: String,
}

impl Figure {
    /// A figure with its count and amount.
    fn counted(name: &'static str, c: Counted, note: impl Into<String>) -> Figure {
        Figure {
            name,
            count: Some(c.count),
            amount: Some(c.amount),
            note: note.into(),
        }
    }

    /// A figure that is an amount alone.
    fn amount(name: &'static str, amount: Money, note: impl Into<String>) -> Figure {
        Figure {
            name,
            count: None,
            amount: Some(amount),
            note: note.into(),
        }
    }
}

/// Every figure of the report, section by section (the group column), in the order of the
/// page.
fn sections(r: &AnnualReport) -> [(&'static str, Vec<Figure>); 6] {
    [
        ("项目压减", project_rows(&r.projects)),
        ("止付", stopped_rows(&r.stopped)),
        ("年终收回", recovered_rows(&r.recovered)),
        ("评价结果应用", evaluation_cut_rows(&r.evaluation_cuts)),
        ("重点评价", key_evaluation_rows(&r.key_evaluations)),
        ("预算执行", execution_rows(&r.execution)),
    ]
}

/// 1. 项目压减 (ZX-3a).
fn project_rows(p: &ProjectChanges) -> Vec<Figure> {
    let base = Counted {
        count: p.base_count,
        amount: p.base_amount,
    };
    vec![
        Figure::counted("压缩项目", p.cut, "ZX-3a"),
        Figure::counted("取消项目", p.cancelled, "ZX-3a"),
        Figure::counted("新增项目", p.new, "ZX-3a"),
        Figure::counted("调增项目", p.increased, "ZX-3a"),
        Figure::amount("核减合计", p.reduction, format!("压减比例 {}", p.ratio)),
        Figure::counted("基数：上年安排项目", base, "压减比例 = 核减 ÷ 基数"),
    ]
}

/// 2. 止付 (ZX-4b).
fn stopped_rows(s: &StoppedPayments) -> Vec<Figure> {
    vec![
        Figure::counted("监控规则止付", s.by_rules, "ZX-4b"),
        Figure::counted("其中：规则拦截", s.rule_blocked, ""),
        Figure::counted("其中：预警后退回", s.released_after_hit, ""),
        Figure::counted("其他校验拦截", s.other_blocked, "暂缓拨款（PM-9）等"),
        Figure::counted("止付合计", s.all, "与预警处理与统计页一致"),
    ]
}

/// 3. 年终收回.
fn recovered_rows(v: &Recovered) -> Vec<Figure> {
    let open = if v.closed {
        ""
    } else {
        "年终结转尚未办理"
    };
    vec![
        Figure::amount("收回合计", v.recovered, open),
        Figure::amount("其中：连续闲置资金收回", v.idle, "ZX-3c"),
        Figure::amount("结转下年", v.carried, ""),
    ]
}

/// 4. 评价结果调减.
fn evaluation_cut_rows(e: &EvaluationCuts) -> Vec<Figure> {
    vec![
        Figure::counted("本年预算因上年评价调减", e.this_year, e.clause.clone()),
        Figure::counted("本年评价确认下年调减", e.next_year, "PM-13"),
    ]
}

/// 5. 重点评价 (PM-10).
fn key_evaluation_rows(k: &KeyEvaluations) -> Vec<Figure> {
    let evaluated = Counted {
        count: k.count,
        amount: k.budget,
    };
    vec![Figure::counted("财政重点评价项目", evaluated, "PM-10")]
}

/// 6. 预算执行, held against the ledger.
fn execution_rows(x: &Execution) -> Vec<Figure> {
    let approved = Counted {
        count: x.lines,
        amount: x.approved,
    };
    vec![
        Figure::counted("批复", approved, "指标条数"),
        Figure::amount("其中：上年结转", x.carried_in, ""),
        Figure::amount("调整", x.adjusted, ""),
        Figure::amount("预算合计", x.budget, ""),
        Figure::amount("已支付", x.paid, format!("执行率 {}", x.execution_rate)),
        Figure::amount("在途（冻结）", x.held, ""),
        Figure::amount("年终结转", x.carried_over, ""),
        Figure::amount("年终收回", x.recovered, ""),
        Figure::amount("可用余额", x.available, ""),
        Figure {
            name: "与指标账核对",
            count: None,
            amount: None,
            note: x.reconciliation.clone(),
        },
    ]
}

/// Sheet 年度报告: one row per figure.
fn write_figures(book: &mut Book, sections: &[(&str, Vec<Figure>)]) -> AppResult<()> {
    let mut sheet = book.sheet(
        "年度报告",
        &[
            ("类别", 14.0),
            ("指标", 40.0),
            ("数量", 10.0),
            ("金额（元）", 20.0),
            ("说明", 60.0),
        ],
    )?;
    for (group, figures) in sections {
        for f in figures {
            sheet.row([
                Cell::text(*group),
                Cell::text(f.name),
                f.count.map_or(Cell::Empty, |n| Cell::Number(n as f64)),
                f.amount.map_or(Cell::Empty, Cell::Yuan),
                Cell::text(f.note.as_str()),
            ])?;
        }
    }
    Ok(())
}

/// Sheet 评价等级: key evaluations by grade.
fn write_grades(book: &mut Book, k: &KeyEvaluations) -> AppResult<()> {
    let mut grades = book.sheet(
        "评价等级",
        &[("等级", 10.0), ("项目（个）", 12.0), ("资金（元）", 20.0)],
    )?;
    for g in &k.by_grade {
        grades.row([
            Cell::text(g.grade_label),
            Cell::Number(g.count as f64),
            Cell::Yuan(g.budget),
        ])?;
    }
    Ok(())
}

/// Sheet 尚未办理: the steps of the year still to come.
fn write_pending(book: &mut Book, pending: &[String]) -> AppResult<()> {
    let mut notes = book.sheet("尚未办理", &[("尚未办理的环节", 50.0)])?;
    for p in pending {
        notes.row([Cell::text(p.as_str())])?;
    }
    Ok(())
}
