//! 项目清理 (ZB-15c, ZB-5d): some projects are left stale on purpose — kept in reserve and
//! never funded, or resting on a policy basis that expires with its year — and at the start of
//! every year finance lists the clean-up candidates and retires them, through the same use
//! cases as the clean-up page. The step checks that every stale project is listed once it is
//! due, that nothing ever funded is listed, and that what was retired reads back as retired.

use std::collections::BTreeSet;

use lingji_domain::Money;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::library::ProjectState;

use super::year::{Counts, Sim};
use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::simulation::templates::{TEMPLATES, draft, set_standards};

/// The invariant this step checks.
pub const NAME: &str = "cleanup";

/// A project the simulation leaves stale on purpose, and why clean-up must find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    pub id: i64,
    /// Its budget year.
    pub year: i32,
    /// Its policy basis expires on 31 December of that year (ZB-5d); otherwise it was left in
    /// reserve, never submitted, so never funded (ZB-15c).
    pub expiring: bool,
}

impl Stale {
    /// Clean-up of budget year `year` must list it: an expired basis from the year after its
    /// expiry (ZB-5d), an unfunded project once `unfunded_years` years have passed (ZB-15c).
    fn due(self, year: i32, unfunded_years: i32) -> bool {
        if self.expiring {
            year > self.year
        } else {
            self.year <= year - unfunded_years
        }
    }
}

/// One unit asks, in reserve, for a project whose policy basis expires at the end of `year`:
/// next year that policy is cleared (政策动态清零, ZB-5d). Returns how many were made.
pub async fn plant_expiring(sim: &mut Sim<'_>, year: i32) -> AppResult<i64> {
    let units: Vec<_> = sim.j.units().map(|(_, u)| u.clone()).collect();
    let unit = &units[sim.rng.index(units.len())];
    let t = &TEMPLATES[sim.rng.index(TEMPLATES.len())];
    let std = sim.standards.clone();
    let std_id = |code: &str| -> AppResult<i64> {
        std.get(code)
            .copied()
            .ok_or_else(|| AppError::Internal(format!("standard {code} missing")))
    };
    let mut d = draft(t, &unit.name, year, 0);
    d.name = format!("{}（政策 {year} 年底到期）", d.name);
    d.basis_title = format!("{}{year}年度专项行动方案", sim.j.place);
    d.basis_expires_on = Some(format!("{year}-12-31"));
    d.is_new = true;
    set_standards(&mut d, t, &std_id)?;
    let p = sim
        .app
        .library()
        .create_project(&unit.operator, unit.id, FiscalYear::new(year)?, &d, None)
        .await?;
    sim.stale.push(Stale {
        id: p.project.id,
        year,
        expiring: true,
    });
    Ok(1)
}

/// Every project funded in any approved run so far.
async fn ever_funded(sim: &Sim<'_>) -> AppResult<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    for &run in sim.approved_runs.values() {
        let (_, items) = sim
            .app
            .allocation()
            .allocation_items(&Scope::new(&sim.j.finance, sim.j.id), run)
            .await?;
        out.extend(
            items
                .iter()
                .filter(|i| i.candidate.id > 0 && i.result.allocated > Money::ZERO)
                .map(|i| i.candidate.id),
        );
    }
    Ok(out)
}

/// Finance's clean-up at the start of `year`: the candidates listed, checked against what the
/// simulation left stale and what it funded, then all retired.
pub async fn clean(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let fiscal_year = FiscalYear::new(year)?;
    let unfunded_years = sim.profile(year).await?.library.cleanup_unfunded_years.0;
    let unfunded_years = i32::try_from(unfunded_years).unwrap_or(i32::MAX);
    let listed = app
        .library()
        .cleanup_candidates(&Scope::new(&finance, city), fiscal_year)
        .await?;
    let ids: Vec<i64> = listed.iter().map(|c| c.project.id).collect();
    if let Some(s) = sim
        .stale
        .iter()
        .find(|s| s.due(year, unfunded_years) && !ids.contains(&s.id))
    {
        sim.findings.push((
            NAME,
            if s.expiring {
                format!(
                    "{year} 年度清理名单中没有项目 {}：其政策依据已于 {} 年底到期（ZB-5d）",
                    s.id, s.year
                )
            } else {
                format!(
                    "{year} 年度清理名单中没有项目 {}：{} 年入库后从未申报、从未安排预算，已满 {unfunded_years} 年（ZB-15c）",
                    s.id, s.year
                )
            },
        ));
    }
    let funded = ever_funded(sim).await?;
    if let Some(c) = listed.iter().find(|c| funded.contains(&c.project.id)) {
        sim.findings.push((
            NAME,
            format!(
                "{year} 年度清理名单列入了安排过预算的项目 {}（{}）：{}",
                c.project.id,
                c.project.header.name,
                c.reasons.join("；")
            ),
        ));
    }
    let retired = if ids.is_empty() {
        0
    } else {
        app.library()
            .retire_candidates(
                &Scope::new(&finance, city),
                fiscal_year,
                &ids,
                "定期清理出库",
            )
            .await?
    };
    for &id in &ids {
        let (d, _) = app.library().project(&finance, id).await?;
        if d.project.header.state != ProjectState::Retired {
            sim.findings.push((
                NAME,
                format!(
                    "{year} 年度清理退出的项目 {id} 读回的状态为“{}”，不是“{}”",
                    d.project.header.state.label(),
                    ProjectState::Retired.label()
                ),
            ));
        }
    }
    sim.stale.retain(|s| !ids.contains(&s.id));
    Ok(vec![
        ("cleanup_listed", i64::try_from(ids.len()).unwrap_or(0)),
        ("retired", i64::try_from(retired).unwrap_or(0)),
    ])
}
