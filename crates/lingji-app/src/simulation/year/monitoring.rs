//! 绩效监控: units record progress at the profile's first checkpoint; finance answers every
//! red or yellow light.

use super::{Counts, Sim, funded};
use crate::Scope;
use crate::error::AppResult;

/// 绩效监控 (PM-9, "双监控"): at the profile's first checkpoint units record each indicator's
/// progress for some funded projects (spending comes from the ledger); finance answers every
/// red or yellow light — mostly 督促整改, now and then 暂缓拨款 or 停止拨款, which the payment
/// check then honours.
pub(super) async fn monitoring(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let month = sim
        .profile(year)
        .await?
        .performance
        .monitoring_months
        .0
        .first()
        .copied()
        .unwrap_or(6);
    let (mut recorded, mut green, mut corrected, mut suspended, mut stopped) = (0, 0, 0, 0, 0);
    sim.suspended.clear();
    for id in funded(sim, year).await? {
        if !sim.rng.chance(40) {
            continue;
        }
        let (d, _) = app.library().project(&finance, id).await?;
        let operator = sim.operator_of(d.project.header.unit_id)?;
        let pct = [100u32, 60, 30][sim.rng.index(3)];
        let draft = crate::performance::monitoring::CheckpointDraft {
            project_id: id,
            month,
            indicators: d
                .indicators
                .iter()
                .map(|_| crate::performance::monitoring::ProgressDraft {
                    actual: String::new(),
                    progress: pct.to_string(),
                    likelihood: if pct >= 60 {
                        lingji_domain::performance::Likelihood::Certain
                    } else {
                        lingji_domain::performance::Likelihood::Possible
                    },
                    reason: if pct < 100 {
                        "前期手续办理滞后，已倒排工期".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            note: "年中监控".into(),
        };
        let c = app
            .performance()
            .record_checkpoint(&operator, &draft)
            .await?;
        recorded += 1;
        if c.light == lingji_domain::performance::Light::Green {
            green += 1;
            continue;
        }
        let dice = sim.rng.below(100);
        let decision = match dice {
            0..70 => lingji_domain::performance::Decision::Correct,
            70..92 => lingji_domain::performance::Decision::Suspend,
            _ => lingji_domain::performance::Decision::Stop,
        };
        app.performance()
            .decide_checkpoint(
                &Scope::new(&finance, city),
                c.id,
                &crate::performance::monitoring::DecisionDraft {
                    decision,
                    reason: "执行进度与绩效目标偏离".into(),
                },
            )
            .await?;
        match decision {
            lingji_domain::performance::Decision::Correct => corrected += 1,
            lingji_domain::performance::Decision::Suspend => {
                sim.suspended.push(id);
                suspended += 1;
            }
            lingji_domain::performance::Decision::Stop => stopped += 1,
        }
    }
    Ok(vec![
        ("checkpoints", recorded),
        ("green", green),
        ("corrected", corrected),
        ("suspended", suspended),
        ("stopped", stopped),
    ])
}
