//! The invariant `cut_by_profile`: every results-linked cut (CS-5b, QJ-5b, or PM-13 when
//! finance overrode the proposal) and every five-factor cut (CS-5a) in the year's approved
//! allocation equals the profile in force applied to what was recorded — last year's confirmed
//! evaluation result as the results page shows it, last year's execution as the project shows
//! it, this year's cost lines and reviewed amount as the review shows them. The expected cuts
//! are recomputed here with the domain's rates and shares, not read off the run.

use std::collections::BTreeMap;

use lingji_domain::Money;
use lingji_domain::allocation::{ResultCut, Status, grade_cut, share};
use lingji_domain::foundation::policy::{Allocation, Rate};
use lingji_domain::library::ProjectKind;
use lingji_store::library::projects::ProjectDetail;

use super::invariants::Finding;
use super::year::Sim;
use crate::Scope;
use crate::error::AppResult;
use crate::performance::results::ResultRow;

/// The invariant's name.
pub const NAME: &str = "cut_by_profile";

/// Clauses of the cuts checked here; the CS-2b cap comes after them and is not.
const CHECKED: [&str; 4] = ["CS-5b", "QJ-5b", "PM-13", "CS-5a"];

fn listed(cuts: &[(String, Money)]) -> String {
    if cuts.is_empty() {
        return "无".into();
    }
    cuts.iter()
        .map(|(c, m)| format!("{c} {} 元", m.to_yuan_display()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The cuts a project should show, and why.
#[derive(Default)]
struct Expected {
    cuts: Vec<(String, Money)>,
    retire: bool,
    why: Vec<String>,
}

/// Checks the approved run of `year` (after the allocation step).
pub async fn check(sim: &Sim<'_>, year: i32) -> AppResult<Option<Finding>> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let Some(&run) = sim.approved_runs.get(&year) else {
        return Ok(None);
    };
    let profile = sim.profile(year).await?.allocation;
    let results = last_results(sim, year).await?;
    let (_, items) = app
        .allocation()
        .allocation_items(&Scope::new(finance, city), run)
        .await?;
    for i in items.iter().filter(|i| i.candidate.id > 0) {
        if i.result.status == Status::Excluded {
            continue;
        }
        let id = i.candidate.id;
        let (detail, _) = app.library().project(finance, id).await?;
        let h = &detail.project.header;
        let review = app.review().review_record(finance, id).await?;
        let base = review.review.reviewed.unwrap_or(h.request).min(h.request);
        let expected = expected(sim, &profile, &results, &detail, base).await?;
        let actual: Vec<(String, Money)> = i
            .result
            .adjustments
            .iter()
            .filter(|a| CHECKED.contains(&&*a.clause))
            .map(|a| (a.clause.to_string(), a.amount))
            .collect();
        let cancelled = i.result.status == Status::Cancelled;
        if actual != expected.cuts || cancelled != expected.retire {
            return Ok(Some((
                NAME,
                format!(
                    "{year} 年度批复的测算中项目 {id}（{}）财政审核数 {} 元，压减为 {}{}；按政策参数和记录应为 {}{}（{}）",
                    h.name,
                    base.to_yuan_display(),
                    listed(&actual),
                    if cancelled { "，取消安排" } else { "" },
                    listed(&expected.cuts),
                    if expected.retire {
                        "，取消安排"
                    } else {
                        ""
                    },
                    if expected.why.is_empty() {
                        "无上年评价结果和执行记录".to_string()
                    } else {
                        expected.why.join("；")
                    }
                ),
            )));
        }
    }
    Ok(None)
}

/// Last year's results as finance confirmed them on the results page (none in the first year
/// lived: nothing was evaluated before it).
async fn last_results(sim: &Sim<'_>, year: i32) -> AppResult<BTreeMap<i64, ResultRow>> {
    if !sim.approved_runs.contains_key(&(year - 1)) {
        return Ok(BTreeMap::new());
    }
    Ok(sim
        .app
        .performance()
        .results(&Scope::new(&sim.j.finance, sim.j.id), year - 1)
        .await?
        .rows
        .into_iter()
        .map(|r| (r.project_id, r))
        .collect())
}

/// The cuts the profile makes of `base` for the project: by last year's result and execution
/// for a continuing one, and for cost lines left unmeasured.
async fn expected(
    sim: &Sim<'_>,
    profile: &Allocation,
    results: &BTreeMap<i64, ResultRow>,
    detail: &ProjectDetail,
    base: Money,
) -> AppResult<Expected> {
    let h = &detail.project.header;
    let mut e = Expected::default();
    // Spending computed by headcount × standard or settled at cost is funded in full before
    // anything is ranked (ZB-3b): no result or factor cuts it.
    let must_fund = matches!(h.kind, ProjectKind::Personnel | ProjectKind::PublicExpense);
    if must_fund {
        e.why
            .push("按人数和标准计算或据实结算的必保支出（ZB-3b）".into());
    }
    if let Some(previous) = h.previous_id.filter(|_| !must_fund) {
        if let Some(row) = results.get(&previous) {
            result_cut(&mut e, profile, row, previous, base);
        }
        if !e.retire {
            execution_cut(sim, &mut e, profile, previous, base).await?;
        }
    }
    if !e.retire
        && !must_fund
        && detail
            .cost_lines
            .iter()
            .any(|l| l.input.standard_id.is_none() && l.input.basis.trim().is_empty())
    {
        e.why.push("有测算未细化的支出明细".into());
        e.cuts
            .push(("CS-5a".into(), share(base, profile.factor_detail_cut)));
    }
    e.cuts.retain(|(_, m)| *m > Money::ZERO);
    Ok(e)
}

/// The cut of last year's confirmed result, if it was confirmed.
fn result_cut(e: &mut Expected, profile: &Allocation, row: &ResultRow, previous: i64, base: Money) {
    let Some(confirmed) = &row.confirmed else {
        return;
    };
    // An override carries its reason (PM-13); a confirmed proposal is the profile's cut for
    // the grade under the clause the profile follows.
    let (clause, cut) = if confirmed.reason.is_empty() {
        (profile.grade_cut_clause.id(), grade_cut(row.grade, profile))
    } else {
        (
            "PM-13",
            ResultCut {
                rate: confirmed.rate,
                retire: confirmed.retire,
            },
        )
    };
    e.why.push(format!(
        "上年项目 {previous} 评价“{}”，确认{}",
        row.grade_label,
        if cut.retire {
            "取消".to_string()
        } else {
            format!("压减 {}", cut.rate.to_percent_display())
        }
    ));
    if cut.retire {
        e.retire = true;
        e.cuts.push((clause.into(), base));
    } else {
        e.cuts.push((clause.into(), share(base, cut.rate)));
    }
}

/// The five-factor cut of last year's execution rate below the profile's threshold (CS-5a).
async fn execution_cut(
    sim: &Sim<'_>,
    e: &mut Expected,
    profile: &Allocation,
    previous: i64,
    base: Money,
) -> AppResult<()> {
    let (last, _) = sim.app.library().project(&sim.j.finance, previous).await?;
    let (budget, spent) = (last.project.header.approved, last.project.header.spent);
    if budget > Money::ZERO {
        let rate = Rate::ratio(spent, budget);
        e.why.push(format!(
            "上年执行率 {}（支付 {} 元 / 预算 {} 元）",
            rate.to_percent_display(),
            spent.to_yuan_display(),
            budget.to_yuan_display()
        ));
        if rate < profile.factor_execution_below {
            e.cuts
                .push(("CS-5a".into(), share(base, profile.factor_execution_cut)));
        }
    }
    Ok(())
}
