//! The invariant `year_end_by_rule`: every line of the recorded close is carried or recovered
//! as the profile's year-end parameters say for that line — its kind (project or basic), its
//! economic code, where its money came from (an upper transfer or the jurisdiction's own), how
//! many year-ends it has been carried through and for how many it lay idle. The facts are read
//! from each line's ledger (what was available and whether anything was paid before the close)
//! and from the simulation's own record of earlier closes (age, idle years and origin follow a
//! carried line into next year), never from the close's own inputs; the outcome is derived
//! here from the parameters (QJ-4b, CS-6, ZX-3c, ZB-6d), not by calling the close's rule.

use std::collections::BTreeMap;

use lingji_domain::Money;
use lingji_domain::execution::Movement;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::Execution;
use lingji_store::execution::ledger::EntryRow;

use super::invariants::Finding;
use super::year::Sim;
use crate::Scope;
use crate::error::AppResult;
use crate::execution::year_end::CloseLineView;

/// The invariant's name.
pub const NAME: &str = "year_end_by_rule";

/// 三公经费 (CS-6): 因公出国（境）费、公务接待费、公务用车运行维护费、公务用车购置费.
const THREE_PUBLIC: [&str; 4] = ["30212", "30217", "30231", "31013"];
/// Meeting and training fees: operating money (ZB-6d).
const MEETING_TRAINING: [&str; 2] = ["30215", "30216"];

/// What a carried line brings into next year's close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carried {
    /// Year-ends its money has been carried through.
    pub age: u32,
    /// Consecutive year-ends it was carried without being used.
    pub idle: u32,
    /// Its money first came from an upper transfer.
    pub upper_transfer: bool,
}

/// One line's facts at the close.
struct Facts {
    available: Money,
    project: bool,
    code: String,
    carried: Carried,
    used: bool,
}

/// What the profile says of a line: (carried, recovered, clause), and what its carry-over
/// brings into next year.
fn expected(f: &Facts, p: &Execution) -> ((Money, Money, &'static str), Carried) {
    let carried_before = f.carried.age > 0;
    let idle = if carried_before && !f.used {
        f.carried.idle + 1
    } else {
        0
    };
    let next = Carried {
        age: f.carried.age + 1,
        idle,
        upper_transfer: f.carried.upper_transfer,
    };
    let all = f.available;
    let recovered = |clause| ((Money::ZERO, all, clause), next);
    let own = !f.carried.upper_transfer;
    let three_public = THREE_PUBLIC.iter().any(|c| f.code.starts_with(c));
    if three_public && p.recover_three_public_at_year_end {
        return recovered("CS-6");
    }
    if !f.project && own && !carried_before && p.recover_basic_at_year_end {
        return recovered("QJ-4b");
    }
    if f.project && own && p.recover_project_at_year_end {
        return recovered("QJ-4b");
    }
    if carried_before && idle >= p.idle_recovery_years.0 {
        return recovered("ZX-3c");
    }
    if !own && f.carried.age >= p.transfer_carryover_years.0 {
        return recovered("QJ-4b");
    }
    if own && f.project && f.carried.age >= p.project_carryover_years.0 {
        return recovered("CS-6");
    }
    let operating = MEETING_TRAINING.iter().any(|c| f.code.starts_with(c))
        || (f.project && f.code.starts_with("302"));
    if operating && p.operating_residual_contracts_only {
        // The simulation claims no contracts at the close: nothing backs a carry-over.
        return recovered("ZB-6d");
    }
    ((all, Money::ZERO, if own { "CS-6" } else { "QJ-4b" }), next)
}

fn shown(c: (Money, Money, &str)) -> String {
    format!(
        "结转 {} 元、收回 {} 元（{}）",
        c.0.to_yuan_display(),
        c.1.to_yuan_display(),
        c.2
    )
}

/// Checks the recorded close of `year` (after the close step) and remembers what its
/// carry-over lines bring into next year's close.
pub async fn check(sim: &mut Sim<'_>, year: i32) -> AppResult<Option<Finding>> {
    let (app, city) = (sim.app, sim.j.id);
    let finance = sim.j.finance.clone();
    let Ok(report) = app
        .year_end()
        .year_end_report(&Scope::new(&finance, city), year)
        .await
    else {
        return Ok(None);
    };
    let profile = {
        let mut conn = app.store.read().acquire().await?;
        crate::foundation::profiles::in_force(&mut conn, city, year)
            .await?
            .execution
    };
    let mut rows: BTreeMap<i64, Vec<&CloseLineView>> = BTreeMap::new();
    for l in &report.lines {
        rows.entry(l.line_id).or_default().push(l);
    }
    let mut found = None;
    let mut next_year = BTreeMap::new();
    for (&line, rows) in &rows {
        let ledger = app
            .execution()
            .line_ledger(&Scope::new(&finance, city), line)
            .await?;
        let walked = walk(&ledger.entries);
        let l = &ledger.line;
        let upper_transfer =
            l.source == "transfer" || l.fund_book == FundBook::UpperTransfer.as_str();
        let facts = Facts {
            available: Money::from_fen(walked.available),
            project: l.project_id.is_some(),
            code: l.economic_code.clone(),
            carried: sim.carried.get(&line).copied().unwrap_or(Carried {
                age: 0,
                idle: 0,
                upper_transfer,
            }),
            used: walked.used,
        };
        let (want, next) = expected(&facts, &profile);
        if found.is_none() && !agrees(rows, want, &walked) {
            found = Some((
                NAME,
                disagreement(year, line, &l.name, &facts, rows, want, walked.late),
            ));
        }
        if let Some(new_line) = rows.iter().find_map(|r| r.new_line_id) {
            next_year.insert(new_line, next);
        }
    }
    sim.carried.extend(next_year);
    Ok(found)
}

/// A line's ledger up to its close and after it.
struct Walked {
    /// Fen available when the close came.
    available: i64,
    /// Anything was paid before the close.
    used: bool,
    /// The close's amount.
    closed: Option<Money>,
    /// Fen given back after the close.
    late: i64,
}

/// The close is the line's first Close entry; money given back after it is recovered again,
/// once for each payment released (ZB-7a).
fn walk(entries: &[EntryRow]) -> Walked {
    let (mut available, mut used, mut closed, mut late) = (0i64, false, None, 0i64);
    for e in entries {
        match (e.movement, closed.is_some()) {
            (Movement::Approve(m) | Movement::Adjust(m), false) => available += m.fen(),
            (Movement::Reserve(m), false) => available -= m.fen(),
            (Movement::Release(m), false) => available += m.fen(),
            (Movement::Release(m), true) => late += m.fen(),
            (Movement::Settle(_), false) => used = true,
            (Movement::Close(m), false) => closed = Some(m),
            _ => {}
        }
    }
    Walked {
        available,
        used,
        closed,
        late,
    }
}

/// The close report's rows for a line agree with the profile: one row as `want`, every other
/// a recovery of what came back after the close (ZB-7a), and the close entry the sum of both.
fn agrees(rows: &[&CloseLineView], want: (Money, Money, &str), walked: &Walked) -> bool {
    let main = rows
        .iter()
        .position(|r| (r.carried, r.recovered, r.clause.as_str()) == want);
    let late_rows: Vec<_> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != main)
        .map(|(_, r)| r)
        .collect();
    let late_ok = late_rows
        .iter()
        .all(|r| r.carried == Money::ZERO && r.clause == "ZB-7a")
        && late_rows.iter().map(|r| r.recovered.fen()).sum::<i64>() == walked.late;
    let closed_ok = walked
        .closed
        .is_some_and(|m| m.fen() == want.0.fen() + want.1.fen());
    main.is_some() && late_ok && closed_ok
}

/// What the report recorded for the line against what the profile says.
fn disagreement(
    year: i32,
    line: i64,
    name: &str,
    facts: &Facts,
    rows: &[&CloseLineView],
    want: (Money, Money, &str),
    late: i64,
) -> String {
    let recorded = rows
        .iter()
        .map(|r| shown((r.carried, r.recovered, &r.clause)))
        .collect::<Vec<_>>()
        .join("；");
    format!(
        "{year} 年度指标 {line}（{name}，{}，{}，{}已结转 {} 年、闲置 {} 年，本年{}支付）年终可用 {} 元，结转报告记为 {recorded}；按政策参数应为 {}{}",
        facts.code,
        if facts.project {
            "项目支出"
        } else {
            "基本支出"
        },
        if facts.carried.upper_transfer {
            "上级转移支付，"
        } else {
            ""
        },
        facts.carried.age,
        facts.carried.idle,
        if facts.used { "有" } else { "无" },
        facts.available.to_yuan_display(),
        shown(want),
        if late > 0 {
            format!(
                "，另结转后退回 {} 元收回（ZB-7a）",
                Money::from_fen(late).to_yuan_display()
            )
        } else {
            String::new()
        }
    )
}
