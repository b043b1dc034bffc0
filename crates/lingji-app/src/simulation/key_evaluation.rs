//! 财政重点评价 (PM-10): each year finance key-evaluates a few funded projects on the
//! framework's four dimensions, some of them poorly, before results application confirms them
//! — a key evaluation comes before the self-evaluation there, so its grade is the one next
//! year's allocation cuts by (CS-5b, QJ-5b, PM-13).

use crate::Scope;
use lingji_domain::allocation::Grade;
use lingji_domain::foundation::policy::Score;
use lingji_domain::performance::Dimension;

use super::year::{Counts, Sim};
use crate::error::AppResult;
use crate::performance::evaluations::{KeyDraft, KeyItemDraft};

/// A score as the form takes it, e.g. "12.50".
fn shown(s: Score) -> String {
    format!("{}.{:02}", s.0 / 100, s.0 % 100)
}

/// What finance's key evaluations did: the projects evaluated with their evaluation ids.
pub struct Keyed {
    /// (project, evaluation) of each key evaluation.
    pub evaluations: Vec<(i64, i64)>,
    /// The step's counts.
    pub counts: Counts,
}

impl Keyed {
    /// Whether finance key-evaluated the project.
    pub fn covers(&self, project: i64) -> bool {
        self.evaluations.iter().any(|(p, _)| *p == project)
    }
}

/// Finance key-evaluates about one funded project in eight of `year`, scoring every
/// dimension at one share of its weight — from nearly full marks to a poor 40 %.
pub async fn evaluate(sim: &mut Sim<'_>, year: i32, funded: &[i64]) -> AppResult<Keyed> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let perf = sim.profile(year).await?.performance;
    let (mut evaluations, mut poor) = (Vec::new(), 0);
    for &id in funded {
        if !sim.rng.chance(12) {
            continue;
        }
        let pct = [96u32, 82, 66, 40][sim.rng.index(4)];
        let items = Dimension::ALL
            .iter()
            .map(|&d| {
                let weight = d.weight(&perf);
                KeyItemDraft {
                    dimension: d,
                    name: format!("{}情况", d.label()),
                    weight: shown(weight),
                    score: shown(Score(weight.0 * pct / 100)),
                }
            })
            .collect();
        let view = app
            .performance()
            .key_evaluate(
                &Scope::new(&finance, city),
                &KeyDraft {
                    project_id: Some(id),
                    target_id: None,
                    agency_code: String::new(),
                    items,
                    findings: if pct < 60 {
                        "产出数量未达目标，资金使用效益不明显，建议压减".into()
                    } else {
                        "项目总体按计划实施，部分指标有待细化".into()
                    },
                    report_attachment_id: None,
                },
            )
            .await?;
        if view.grade == Grade::Poor {
            poor += 1;
        }
        evaluations.push((id, view.id));
    }
    Ok(Keyed {
        counts: vec![
            (
                "key_evaluated",
                i64::try_from(evaluations.len()).unwrap_or(0),
            ),
            ("key_poor", poor),
        ],
        evaluations,
    })
}
