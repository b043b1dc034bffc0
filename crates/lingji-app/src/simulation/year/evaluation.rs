//! 绩效评价: self and key evaluations, results application, disclosure, next year's lines.

use super::{Counts, Sim, funded};
use crate::Scope;
use crate::error::AppResult;
use crate::performance::evaluations::{ActualDraft, SelfDraft};
use crate::performance::results::ApplyDraft;
use crate::simulation::key_evaluation::Keyed;

/// 绩效评价: every funded project of the year self-evaluated by its unit (targets reached from
/// all to half), a few key-evaluated by finance, each result confirmed by finance at the
/// profile's proposal or overridden with a reason; then the lines that run on next year are
/// chosen (multi-year and key-evaluated ones always) and some evaluations published (PM-5).
pub(super) async fn evaluation(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let funded = funded(sim, year).await?;
    let selves = self_evaluate(sim, year, &funded).await?;
    // Finance's key evaluations come before the results are confirmed: once confirmed, a
    // project's result may not change (PM-13), and a key evaluation outranks the self one.
    let keyed = crate::simulation::key_evaluation::evaluate(sim, year, &funded).await?;
    let (confirmed, overridden) = apply_results(sim, year, &funded, &keyed).await?;
    choose_continuing(sim, year, &funded, &keyed);
    let keys: Vec<i64> = keyed.evaluations.iter().map(|(_, e)| *e).collect();
    let (self_published, key_published) =
        crate::simulation::disclosure::publish_evaluations(sim, &selves, &keys).await?;
    let mut counts = vec![("evaluated", i64::try_from(selves.len()).unwrap_or(0))];
    counts.extend(keyed.counts);
    counts.extend([
        ("confirmed", confirmed),
        ("overridden", overridden),
        (
            "continuing",
            i64::try_from(sim.continuing.len()).unwrap_or(0),
        ),
        ("self_published", self_published),
        ("key_published", key_published),
    ]);
    Ok(counts)
}

/// Every funded project self-evaluated by its unit, its targets reached from all to half;
/// answers the evaluations.
async fn self_evaluate(sim: &mut Sim<'_>, year: i32, funded: &[i64]) -> AppResult<Vec<i64>> {
    let (app, finance) = (sim.app, sim.j.finance.clone());
    let perf = sim.profile(year).await?.performance;
    let mut selves = Vec::new();
    for &id in funded {
        let operator = {
            let (d, _) = app.library().project(&finance, id).await?;
            sim.operator_of(d.project.header.unit_id)?
        };
        let (detail, _) = app.library().project(&operator, id).await?;
        let reached = &crate::simulation::actuals::REACHED;
        let pct = reached[sim.rng.index(reached.len())];
        let card = crate::simulation::actuals::actuals(&detail, pct, &perf);
        let draft = SelfDraft {
            project_id: Some(id),
            target_id: None,
            actuals: card
                .actuals
                .into_iter()
                .map(|a| ActualDraft {
                    actual: a.actual,
                    attainment: a.attainment,
                    score: a
                        .score
                        .map(|s| format!("{}.{:02}", s.0 / 100, s.0 % 100))
                        .unwrap_or_default(),
                    reason: a.reason,
                    remedy: a.remedy,
                })
                .collect(),
            execution_reason: card.execution_reason,
            execution_remedy: card.execution_remedy,
            summary: "年度任务完成情况".into(),
        };
        selves.push(app.performance().self_evaluate(&operator, &draft).await?.id);
    }
    Ok(selves)
}

/// Finance confirms each result at the profile's proposal or, now and then, overrides it;
/// answers (confirmed, overridden).
async fn apply_results(
    sim: &mut Sim<'_>,
    year: i32,
    funded: &[i64],
    keyed: &Keyed,
) -> AppResult<(i64, i64)> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let (mut confirmed, mut overridden) = (0, 0);
    for &id in funded {
        // A key-evaluated project takes the profile's proposal, so next year's cut is the
        // profile's for its grade (CS-5b, QJ-5b).
        let override_it = !keyed.covers(id) && sim.rng.chance(10);
        app.performance()
            .apply_result(
                &Scope::new(&finance, city),
                year,
                &ApplyDraft {
                    project_id: id,
                    cut: if override_it {
                        "30".into()
                    } else {
                        String::new()
                    },
                    retire: false,
                    // Finance sets 30 % whatever the proposal was, so the reason names no direction.
                    reason: if override_it {
                        "结合部门整改情况和年度重点任务，按 30% 压减".into()
                    } else {
                        String::new()
                    },
                },
            )
            .await?;
        if override_it {
            overridden += 1;
        } else {
            confirmed += 1;
        }
    }
    Ok((confirmed, overridden))
}

/// Next year's requests: every multi-year line runs on; six in ten of the others are asked
/// again, linked to this year's project (ZB-4: shown beside, never copied).
fn choose_continuing(sim: &mut Sim<'_>, year: i32, funded: &[i64], keyed: &Keyed) {
    let mut continuing = Vec::new();
    for &id in funded {
        let Some(m) = sim.made.get(&id) else { continue };
        // Key-evaluated lines are asked for again, so their results show in next year's cut.
        if m.end_year > year || keyed.covers(id) || sim.rng.chance(60) {
            continuing.push(id);
        }
    }
    sim.continuing = continuing;
}
