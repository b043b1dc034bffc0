//! 申报: clean-up, then last year's continuing projects requested again and new ones made,
//! most submitted.

use lingji_domain::Money;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::library::ProjectState;

use super::{Counts, Made, Sim};
use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::library::projects::{ProjectDraft, YearNeedDraft};
use crate::simulation::cleanup::{self, Stale};
use crate::simulation::jurisdiction::{self, Unit};
use crate::simulation::templates::{TEMPLATES, Template, draft, set_standards};

/// A project made this year, to submit (or keep in reserve) by its unit's operator.
struct Created {
    id: i64,
    version: i64,
    operator: Caller,
}

/// 申报: last year's continuing projects requested again from zero (their structure copied,
/// every quantity measured anew, ZB-4), new projects of several kinds, classes and tiers (some
/// multi-year, some pilots), most submitted and some left in reserve.
pub(super) async fn requests(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    // Clean-up first: finance clears the library before the year's requests come in.
    let mut counts = cleanup::clean(sim, year).await?;
    jurisdiction::add_key_matter(sim.app, &sim.j, year).await?;
    let units = sim.units();
    // Continuing lines first: their unit and template are taken.
    let (mut created, mut taken) = continue_projects(sim, year, &units).await?;
    let continued = i64::try_from(created.len()).unwrap_or(0);
    let (new, multi) = new_projects(sim, year, &units, &mut taken, &mut created).await?;
    let (submitted, reserve) = submit(sim, year, created).await?;
    let expiring = cleanup::plant_expiring(sim, year).await?;
    counts.extend([
        ("new", new),
        ("continued", continued),
        ("multi_year", multi),
        ("submitted", submitted),
        ("reserve", reserve),
        ("expiring", expiring),
    ]);
    Ok(counts)
}

/// Last year's continuing projects, requested again on their structure with every quantity
/// measured anew; answers them and the (unit, template) pairs they take.
async fn continue_projects(
    sim: &mut Sim<'_>,
    year: i32,
    units: &[(usize, Unit)],
) -> AppResult<(Vec<Created>, Vec<(usize, usize)>)> {
    let mut created = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let continuing = std::mem::take(&mut sim.continuing);
    for prev in continuing {
        let Some(m) = sim.made.get(&prev).cloned() else {
            continue;
        };
        let unit = &units[m.unit].1;
        let mut d = sim
            .app
            .library()
            .copy_structure(&unit.operator, prev)
            .await?;
        let t = &TEMPLATES[m.template];
        // A running multi-year project keeps its plan, so its quantities stay; others are
        // measured again with a new shrink.
        let shrink = if m.end_year >= year {
            m.shrink
        } else {
            u32::try_from(sim.rng.below(25)).unwrap_or(0)
        };
        let fresh = draft(t, &unit.name, year, shrink);
        for (line, f) in d.cost_lines.iter_mut().zip(fresh.cost_lines) {
            line.quantity = f.quantity;
        }
        // A multi-year project running on keeps its period and plan as copied; a finished
        // line is asked for this year alone.
        if m.end_year < year {
            d.start_year = Some(year);
            d.end_year = Some(year);
        }
        let p = sim
            .app
            .library()
            .create_project(
                &unit.operator,
                unit.id,
                FiscalYear::new(year)?,
                &d,
                Some(prev),
            )
            .await?;
        sim.made.insert(
            p.project.id,
            Made {
                unit: m.unit,
                template: m.template,
                year,
                end_year: m.end_year.max(year),
                shrink,
            },
        );
        taken.push((m.unit, m.template));
        created.push(Created {
            id: p.project.id,
            version: p.project.version,
            operator: unit.operator.clone(),
        });
    }
    Ok((created, taken))
}

/// Two to four new projects per unit on templates not yet taken; answers how many were made
/// and how many of them run two years.
async fn new_projects(
    sim: &mut Sim<'_>,
    year: i32,
    units: &[(usize, Unit)],
    taken: &mut Vec<(usize, usize)>,
    created: &mut Vec<Created>,
) -> AppResult<(i64, i64)> {
    let std = sim.standards.clone();
    let std_id = |code: &str| -> AppResult<i64> {
        std.get(code)
            .copied()
            .ok_or_else(|| AppError::Internal(format!("standard {code} missing")))
    };
    let (mut new, mut multi) = (0, 0);
    for (u, (_, unit)) in units.iter().enumerate() {
        let count = usize::try_from(sim.rng.between(2, 4)).unwrap_or(2);
        for _ in 0..count {
            let k = sim.rng.index(TEMPLATES.len());
            if taken.contains(&(u, k)) {
                continue;
            }
            taken.push((u, k));
            let t = &TEMPLATES[k];
            let shrink = u32::try_from(sim.rng.below(25)).unwrap_or(0);
            let mut d: ProjectDraft = draft(t, &unit.name, year, shrink);
            d.is_new = true;
            set_standards(&mut d, t, &std_id)?;
            let mut end_year = year;
            // About one in five runs two years with its total and yearly need (CS-4, QJ-2b).
            if sim.rng.chance(20) {
                end_year = plan_two_years(sim, &mut d, t, shrink, year)?;
                multi += 1;
            }
            let p = sim
                .app
                .library()
                .create_project(&unit.operator, unit.id, FiscalYear::new(year)?, &d, None)
                .await?;
            sim.made.insert(
                p.project.id,
                Made {
                    unit: u,
                    template: k,
                    year,
                    end_year,
                    shrink,
                },
            );
            created.push(Created {
                id: p.project.id,
                version: p.project.version,
                operator: unit.operator.clone(),
            });
            new += 1;
        }
    }
    Ok((new, multi))
}

/// Makes `d` run this year and the next, the same need each year; some such projects are
/// pilots. Answers the last year.
fn plan_two_years(
    sim: &mut Sim<'_>,
    d: &mut ProjectDraft,
    t: &Template,
    shrink: u32,
    year: i32,
) -> AppResult<i32> {
    let each = amount_of(t, shrink)?;
    let end_year = year + 1;
    d.end_year = Some(end_year);
    d.total_need = Some(
        each.checked_mul(2)
            .ok_or_else(|| AppError::Internal("need".into()))?
            .to_plain(),
    );
    d.year_plan = vec![
        YearNeedDraft {
            year,
            amount: each.to_plain(),
        },
        YearNeedDraft {
            year: year + 1,
            amount: each.to_plain(),
        },
    ];
    d.pilot = sim.rng.chance(30);
    Ok(end_year)
}

/// The amount a template's lines come to at `shrink` per cent less quantity (as `draft` makes
/// them), so a multi-year plan can state it before the project is saved.
fn amount_of(t: &Template, shrink: u32) -> AppResult<Money> {
    let mut sum = Money::ZERO;
    for (_, _, _, qty, unit) in t.lines {
        let q = (qty.parse::<u32>().unwrap_or(1) * (100 - shrink) / 100).max(1);
        let line = Money::parse(unit)?
            .checked_mul(i64::from(q))
            .ok_or_else(|| AppError::Internal("template amount".into()))?;
        sum = sum
            .checked_add(line)
            .ok_or_else(|| AppError::Internal("template amount".into()))?;
    }
    Ok(sum)
}

/// Submits the year's projects but about one in ten; answers (submitted, kept in reserve).
async fn submit(sim: &mut Sim<'_>, year: i32, created: Vec<Created>) -> AppResult<(i64, i64)> {
    let (mut submitted, mut reserve) = (0, 0);
    sim.submitted.clear();
    for c in created {
        // One in ten stays in reserve, unsubmitted: the stale projects clean-up will find.
        if sim.rng.chance(10) {
            reserve += 1;
            sim.stale.push(Stale {
                id: c.id,
                year,
                expiring: false,
            });
            continue;
        }
        sim.app
            .library()
            .move_project(&c.operator, c.id, ProjectState::Submitted, "", c.version)
            .await?;
        sim.submitted.push(c.id);
        submitted += 1;
    }
    Ok((submitted, reserve))
}
