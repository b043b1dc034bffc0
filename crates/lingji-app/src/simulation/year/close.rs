//! 年终结转: the close by the profile, and the payments still waiting after it.

use crate::Scope;
use lingji_domain::Money;
use lingji_domain::execution::{Decision, PaymentStatus};

use super::{Counts, Sim, jurisdiction};
use crate::error::AppResult;

/// 年终结转: next year opened (its profile, so carried money has a year to go to), the close
/// tried and then run by the profile.
pub(super) async fn close(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    jurisdiction::start_year(app, city, sim.j.preset, year + 1, true).await?;
    let trial = app
        .year_end()
        .close_year(&Scope::new(&finance, city), year, &[], false)
        .await?;
    let done = app
        .year_end()
        .close_year(&Scope::new(&finance, city), year, &[], true)
        .await?;
    if (trial.carried, trial.recovered) != (done.carried, done.recovered) {
        sim.findings.push((
            "year_end_outcome",
            format!(
                "试算结转 {} 元、收回 {} 元，与实际结转 {} 元、收回 {} 元不一致",
                trial.carried, trial.recovered, done.carried, done.recovered
            ),
        ));
    }
    // Payments still waiting at the close stay held and may still be decided (the close only
    // moves what is available): finance pays some after the close and rejects the others.
    let waiting = app
        .execution()
        .payments(
            &Scope::new(&finance, city),
            lingji_store::execution::payments::PaymentFilter {
                status: Some(PaymentStatus::Pending),
                fiscal_year: Some(year),
                limit: 10_000,
                ..Default::default()
            },
        )
        .await?;
    let (mut paid_after, mut rejected_after) = (0, 0);
    for p in waiting
        .iter()
        .filter(|p| !p.draft.idempotency_key.ends_with("-probe"))
    {
        if sim.rng.chance(50) {
            app.execution()
                .decide_payment(&Scope::new(&finance, city), p.id, Decision::Pay, "")
                .await?;
            paid_after += 1;
        } else {
            app.execution()
                .decide_payment(
                    &Scope::new(&finance, city),
                    p.id,
                    Decision::Reject,
                    "合同终止，撤回支付",
                )
                .await?;
            rejected_after += 1;
        }
    }
    let carried = i64::try_from(
        done.lines
            .iter()
            .filter(|l| l.carried > Money::ZERO)
            .count(),
    )
    .unwrap_or(0);
    let counts = vec![
        ("lines", i64::try_from(done.lines.len()).unwrap_or(0)),
        ("carried_lines", carried),
        ("carried_fen", done.carried.fen()),
        ("recovered_fen", done.recovered.fen()),
        ("paid_after_close", paid_after),
        ("rejected_after_close", rejected_after),
    ];
    sim.closes.insert(year, done);
    Ok(counts)
}
