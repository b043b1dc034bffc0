//! What a run reads from the library: the admitted projects as candidates (or excluded, with
//! the clauses that block them) and the units' basic expenditure.

use std::collections::HashMap;

use lingji_domain::Money;
use lingji_domain::allocation::{Candidate, Grade, ResultCut, Signals};
use lingji_domain::execution::ProjectExecution;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::{PolicyProfile, Rate, Score};
use lingji_domain::library::ProjectKind;
use lingji_domain::library::cost::{
    Headcount, StandardCategory, basic_expenditure, funded_contract_staff,
};
use lingji_domain::library::tier::{Guarantee, SpendingTier};
use lingji_domain::review::eligibility::{Lists, eligibility};
use lingji_store::allocation::{self as store, Admitted};
use lingji_store::foundation::orgs::Organisation;
use sqlx::AnyConnection;

use crate::error::AppResult;

/// Id of a unit's basic expenditure item in a run: negative, so it never meets a project id.
fn basic_id(unit_id: i64, g: Guarantee) -> i64 {
    -(unit_id * 10
        + match g {
            Guarantee::Wages => 1,
            Guarantee::Livelihood => 2,
            Guarantee::Operations => 3,
        })
}

/// A candidate from an admitted project (ZB-3b, CS-2a, CS-5a, CS-2b read off the project).
fn project_candidate(a: &Admitted) -> Candidate {
    let h = &a.project.header;
    let must_fund = matches!(h.kind, ProjectKind::Personnel | ProjectKind::PublicExpense);
    let key_matter = h.features.key_matters_item;
    let tier = if key_matter {
        SpendingTier::KeyPriorities
    } else {
        h.tier.unwrap_or(SpendingTier::Other)
    };
    let guarantee = match h.kind {
        ProjectKind::Personnel => Some(Guarantee::Wages),
        ProjectKind::PublicExpense => Some(Guarantee::Operations),
        _ if tier == SpendingTier::ThreeGuarantees => Some(Guarantee::Livelihood),
        _ => None,
    };
    let previous = a.previous.as_ref();
    Candidate {
        id: a.project.id,
        code: h.code.clone(),
        name: h.name.clone(),
        department_id: h.department_id,
        unit_id: h.unit_id,
        fund_book: h.fund_book.unwrap_or(FundBook::GeneralPublic),
        tier,
        guarantee,
        must_fund,
        key_matter,
        requested: h.request,
        reviewed: a.reviewed.unwrap_or(h.request).min(h.request),
        minimum: (h.min_viable > Money::ZERO).then_some(h.min_viable),
        finance_rank: None,
        department_rank: a.department_rank.and_then(|r| u32::try_from(r).ok()),
        last_score: previous
            .and_then(|p| p.score)
            .and_then(|s| u32::try_from(s).ok())
            .map(Score),
        last_grade: previous
            .and_then(|p| p.grade.as_deref())
            .and_then(Grade::parse),
        result_cut: previous
            .and_then(|p| p.result_cut)
            .map(|(rate, retire)| ResultCut {
                rate: Rate(u32::try_from(rate).unwrap_or(0)),
                retire,
            }),
        last_year: previous.map(|p| p.approved).filter(|m| *m > Money::ZERO),
        key_special: h.features.special_fund,
        // CS-2b's exemption as finance found it at review (the unit states it, finance
        // checks it), not a guess from the project's class.
        livelihood: h.livelihood_checked.unwrap_or(false),
        signals: Signals {
            execution_rate: previous.and_then(|p| {
                ProjectExecution {
                    budget: p.approved,
                    spent: p.spent,
                    lines: 0,
                }
                .rate()
            }),
            detail_insufficient: a.cost_lines.iter().any(|(_, _, backed)| !backed),
            stock_funds: Money::ZERO,
            audit_findings: 0,
        },
    }
}

/// The run's inputs read from the library: candidates and excluded projects with their reasons.
pub(super) type Inputs = (Vec<Candidate>, Vec<(Candidate, String)>);

/// What a run reads from the library: every admitted project (eligible ones as candidates, the
/// rest excluded with the clauses that block them) and every unit's basic expenditure (wages
/// and operations, must-fund in the three guarantees, ZB-3b, ZB-14).
pub(super) async fn library_inputs(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    profile: &PolicyProfile,
) -> AppResult<Inputs> {
    let lists = crate::review::finance_lists::in_force(conn, jurisdiction_id, year).await?;
    let orgs = lingji_store::foundation::orgs::list(conn, jurisdiction_id, None).await?;
    let (mut candidates, excluded) =
        project_inputs(conn, jurisdiction_id, year, profile, &lists, &orgs).await?;
    candidates.extend(basic_candidates(conn, jurisdiction_id, year, profile, &orgs).await?);
    Ok((candidates, excluded))
}

/// The admitted projects, each a candidate when eligible (ZB-15a gates) or excluded with why.
async fn project_inputs(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    profile: &PolicyProfile,
    lists: &Lists,
    orgs: &[Organisation],
) -> AppResult<Inputs> {
    let units: HashMap<i64, &Organisation> = orgs.iter().map(|o| (o.id, o)).collect();
    let mut candidates = Vec::new();
    let mut excluded = Vec::new();
    // Last year's figures come from its lines' ledger, as the review and the evaluation read
    // them (CS-5a, CS-2b, ZB-5a, PM-10 agree on one execution rate).
    let ledger: HashMap<i64, ProjectExecution> =
        lingji_store::performance::previous_execution(conn, jurisdiction_id, year, "admitted")
            .await?
            .into_iter()
            .map(|e| (e.project_id, e.execution))
            .collect();
    for mut a in store::admitted(conn, jurisdiction_id, year).await? {
        if let Some(p) = a.previous.as_mut() {
            let e = ledger
                .get(&a.project.id)
                .copied()
                .unwrap_or_default()
                .or_recorded(p.approved, p.spent);
            (p.approved, p.spent) = (e.budget, e.spent);
        }
        let h = &a.project.header;
        let unit = units.get(&h.unit_id).copied();
        let facts = crate::review::gates::facts_of(h, unit, &a.gates, lists);
        let verdict = eligibility(&facts, profile);
        let c = project_candidate(&a);
        if verdict.eligible() {
            candidates.push(c);
        } else {
            let why: Vec<String> = verdict
                .blocks
                .iter()
                .map(|b| format!("{}（{}）", b.message.trim_end_matches('。'), b.clause))
                .collect();
            excluded.push((c, format!("不具备安排资格：{}", why.join("；"))));
        }
    }
    Ok((candidates, excluded))
}

/// Every unit's wages and operations computed from the catalogue and its staffing; a part that
/// comes to nothing is left out.
async fn basic_candidates(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    profile: &PolicyProfile,
    orgs: &[Organisation],
) -> AppResult<Vec<Candidate>> {
    let catalogue = lingji_store::library::standards::list(conn, jurisdiction_id).await?;
    let reduction = profile
        .library
        .contract_staff_yearly_reduction
        .basis_points();
    let mut candidates = Vec::new();
    for unit in orgs.iter() {
        let (Some(kind), Some(department_id)) = (unit.unit_kind, unit.path.department) else {
            continue;
        };
        let s = unit.staffing;
        let headcount = Headcount {
            in_service: s.actual_staff,
            retired: s.retired_staff,
            contract: funded_contract_staff(s.contract_staff, s.contract_quota, reduction),
        };
        for (guarantee, category, part) in [
            (Guarantee::Wages, StandardCategory::Wage, "人员经费"),
            (
                Guarantee::Operations,
                StandardCategory::PublicExpense,
                "公用经费",
            ),
        ] {
            let standards: Vec<_> = catalogue
                .iter()
                .filter(|x| x.category == category)
                .cloned()
                .collect();
            let (_, total) = basic_expenditure(&standards, headcount, year, kind)?;
            if total == Money::ZERO {
                continue;
            }
            candidates.push(basic_candidate(unit, department_id, guarantee, part, total));
        }
    }
    Ok(candidates)
}

/// A unit's basic expenditure part as a must-fund candidate in the three guarantees.
fn basic_candidate(
    unit: &Organisation,
    department_id: i64,
    guarantee: Guarantee,
    part: &str,
    total: Money,
) -> Candidate {
    Candidate {
        id: basic_id(unit.id, guarantee),
        code: format!(
            "JB-{}-{}",
            unit.code,
            &guarantee.as_str()[..2].to_uppercase()
        ),
        name: format!("{} 基本支出（{part}）", unit.name),
        department_id,
        unit_id: unit.id,
        fund_book: FundBook::GeneralPublic,
        tier: SpendingTier::ThreeGuarantees,
        guarantee: Some(guarantee),
        must_fund: true,
        key_matter: false,
        requested: total,
        reviewed: total,
        minimum: None,
        finance_rank: None,
        department_rank: None,
        last_score: None,
        last_grade: None,
        result_cut: None,
        last_year: None,
        key_special: false,
        livelihood: true,
        signals: Signals::default(),
    }
}
