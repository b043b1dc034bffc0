//! 信息公开 (PM-5, QJ-5c): with the budget finance publishes the performance targets of some
//! funded projects; after the evaluations, some self-evaluations and every key evaluation. The
//! invariant [`check`] reads the public pages (no sign-in) and wants exactly what was
//! published, as it was published: a frozen copy that no later step changes.

use std::collections::BTreeMap;

use lingji_domain::disclosure::PublicationKind;

use super::invariants::Finding;
use super::year::Sim;
use crate::Scope;
use crate::disclosure::{PublicItem, PublishDraft};
use crate::error::AppResult;

/// The invariant's name.
pub const NAME: &str = "disclosure";

async fn publish(sim: &mut Sim<'_>, kind: PublicationKind, source: i64) -> AppResult<()> {
    let item = sim
        .app
        .disclosure()
        .publish(
            &Scope::new(&sim.j.finance, sim.j.id),
            &PublishDraft {
                kind,
                source: source.to_string(),
            },
        )
        .await?;
    sim.published.push(item);
    Ok(())
}

/// With the approved budget, the targets of about one funded project in four (PM-5).
pub async fn publish_targets(sim: &mut Sim<'_>, funded: &[i64]) -> AppResult<i64> {
    let mut n = 0;
    for &id in funded {
        if sim.rng.chance(25) {
            publish(sim, PublicationKind::ProjectTargets, id).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// After results application: about one self-evaluation in three and every key evaluation
/// (PM-5: 重点评价结果 and 自评结果 are public). Returns (self, key) counts.
pub async fn publish_evaluations(
    sim: &mut Sim<'_>,
    selves: &[i64],
    keys: &[i64],
) -> AppResult<(i64, i64)> {
    let mut own = 0;
    for &id in selves {
        if sim.rng.chance(33) {
            publish(sim, PublicationKind::SelfEvaluation, id).await?;
            own += 1;
        }
    }
    for &id in keys {
        publish(sim, PublicationKind::KeyEvaluation, id).await?;
    }
    Ok((own, i64::try_from(keys.len()).unwrap_or(0)))
}

fn describe(p: &PublicItem) -> String {
    format!(
        "{} 年度{}“{}”（公开编号 {}）",
        p.fiscal_year, p.kind_label, p.title, p.id
    )
}

/// The public pages show every item published, as it was when published, and nothing else.
pub async fn check(sim: &Sim<'_>) -> AppResult<Option<Finding>> {
    let public: BTreeMap<i64, PublicItem> = sim
        .app
        .disclosure()
        .public_items(None, None, Some(sim.j.region))
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    // Publishing a source again replaces its copy: the latest answer is what must show.
    let mut published: BTreeMap<i64, &PublicItem> = BTreeMap::new();
    for p in &sim.published {
        published.insert(p.id, p);
    }
    for (id, p) in &published {
        let Some(shown) = public.get(id) else {
            return Ok(Some((
                NAME,
                format!("已公开的{}在公开页面上查不到", describe(p)),
            )));
        };
        let same = (&shown.kind, &shown.title, shown.fiscal_year, &shown.body)
            == (&p.kind, &p.title, p.fiscal_year, &p.body);
        if !same {
            return Ok(Some((
                NAME,
                format!(
                    "公开页面显示的{}与公开时冻结的内容不一致：公开时为 {}，现显示 {}",
                    describe(p),
                    p.body,
                    shown.body
                ),
            )));
        }
    }
    if let Some(extra) = public.values().find(|p| !published.contains_key(&p.id)) {
        return Ok(Some((
            NAME,
            format!("公开页面上有财政未公开的{}", describe(extra)),
        )));
    }
    Ok(None)
}
