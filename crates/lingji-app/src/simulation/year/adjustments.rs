//! 调剂追加: units ask to move budget between their lines or for a supplement; finance
//! decides.

use std::collections::HashMap;

use lingji_domain::Money;
use lingji_domain::execution::AdjustmentKind;
use lingji_store::allocation::BudgetLine;

use super::{Counts, Sim};
use crate::Scope;
use crate::error::AppResult;
use crate::execution::adjustments::AdjustmentDraft;
use crate::simulation::jurisdiction::Unit;

/// The side of a line a transfer may not cross (ZB-7b): personnel (301, 303) or the rest.
fn personnel(code: &str) -> bool {
    code.starts_with("301") || code.starts_with("303")
}

/// 调剂追加: a few units move budget between two of their project lines (调剂, never across
/// personnel and public expense); a few funded projects get a small supplement onto one of
/// their lines (追加, QJ-2a); finance approves most and sends one back now and then.
pub(super) async fn adjustments(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let available = this_years_available(sim, year).await?;
    let lines = app
        .allocation()
        .budget_lines(&Scope::new(&finance, city), year, 0, 100_000)
        .await?;
    let mut requests = Vec::new();
    let (mut transfers, mut supplements) = (0, 0);
    for (_, unit) in sim.units() {
        let own: Vec<_> = lines
            .iter()
            .filter(|l| {
                l.unit_id == unit.id && l.project_id.is_some() && available.contains_key(&l.id)
            })
            .collect();
        if own.len() >= 2
            && sim.rng.chance(30)
            && let Some(id) = ask_transfer(sim, &unit, &own, &available).await?
        {
            requests.push(id);
            transfers += 1;
        }
        if let Some(line) = own.first()
            && sim.rng.chance(20)
        {
            let amount =
                Money::from_yuan(i64::try_from(sim.rng.between(1, 5)).unwrap_or(1) * 1_000);
            let draft = AdjustmentDraft {
                kind: AdjustmentKind::Supplement,
                from_line_id: None,
                to_line_id: Some(line.id),
                project_id: line.project_id,
                economic_code: None,
                amount,
                reason: "政策标准提高，追加项目经费".into(),
            };
            requests.push(request(sim, &unit, draft).await?);
            supplements += 1;
        }
    }
    let (approved, sent_back) = decide(sim, requests).await?;
    Ok(vec![
        ("transfers", transfers),
        ("supplements", supplements),
        ("approved", approved),
        ("sent_back", sent_back),
    ])
}

/// A transfer of a tenth of one line's money to another of the unit's lines on the same side
/// and in the same book, when there is one and the line has 1,000 元 or more; answers the
/// request.
async fn ask_transfer(
    sim: &mut Sim<'_>,
    unit: &Unit,
    own: &[&BudgetLine],
    available: &HashMap<i64, Money>,
) -> AppResult<Option<i64>> {
    let from = own[sim.rng.index(own.len())];
    let to = own.iter().find(|l| {
        l.id != from.id
            && personnel(&l.economic_code) == personnel(&from.economic_code)
            && l.fund_book == from.fund_book
    });
    let have = available.get(&from.id).copied().unwrap_or(Money::ZERO);
    let Some(to) = to.filter(|_| have >= Money::from_yuan(1_000)) else {
        return Ok(None);
    };
    // A tenth of what the line has left, in whole yuan.
    let amount = Money::from_fen(have.fen() / 1_000 * 100);
    let draft = AdjustmentDraft {
        kind: AdjustmentKind::Transfer,
        from_line_id: Some(from.id),
        to_line_id: Some(to.id),
        project_id: None,
        economic_code: None,
        amount,
        reason: "实施进度调整，结构内调剂".into(),
    };
    Ok(Some(request(sim, unit, draft).await?))
}

/// What each line approved this year has left, by line: carried-over money may not be
/// transferred (ZB-7b).
async fn this_years_available(sim: &Sim<'_>, year: i32) -> AppResult<HashMap<i64, Money>> {
    let mut conn = sim.app.store.read().acquire().await?;
    Ok(
        lingji_store::execution::reconcile::line_books(&mut conn, sim.j.id, year)
            .await?
            .into_iter()
            .filter(|l| l.source == "allocation")
            .map(|l| (l.id, Money::from_fen(l.available)))
            .collect(),
    )
}

/// The unit's operator files the request; answers its id.
async fn request(sim: &Sim<'_>, unit: &Unit, draft: AdjustmentDraft) -> AppResult<i64> {
    let v = sim
        .app
        .execution()
        .request_adjustment(&Scope::new(&unit.operator, sim.j.id), draft)
        .await?;
    Ok(v.id)
}

/// Finance approves about 85 in 100 requests and sends the rest back; answers (approved,
/// sent back).
async fn decide(sim: &mut Sim<'_>, requests: Vec<i64>) -> AppResult<(i64, i64)> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let (mut approved, mut sent_back) = (0, 0);
    for id in requests {
        if sim.rng.chance(85) {
            app.execution()
                .decide_adjustment(&Scope::new(&finance, city), id, true, "同意")
                .await?;
            approved += 1;
        } else {
            app.execution()
                .decide_adjustment(
                    &Scope::new(&finance, city),
                    id,
                    false,
                    "请先通过调整支出结构解决",
                )
                .await?;
            sent_back += 1;
        }
    }
    Ok((approved, sent_back))
}
