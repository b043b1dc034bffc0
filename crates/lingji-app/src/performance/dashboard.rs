//! The performance dashboard (PM-2): grade distribution, execution rate by department against
//! the time elapsed, the lights of the latest checkpoints, the indicators off track and how
//! many results are applied — each narrowed to what the caller may see.

use std::collections::BTreeMap;

use chrono::Datelike;
use lingji_domain::Money;
use lingji_domain::allocation::Grade;
use lingji_domain::foundation::authz::Resource;
use lingji_domain::foundation::policy::Rate;
use lingji_domain::performance::monitoring::light;
use lingji_domain::performance::{Light, Likelihood};
use serde::Serialize;

use crate::Scope;
use crate::error::AppResult;

/// A department's execution.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentRate {
    pub name: String,
    pub budget: Money,
    pub spent: Money,
    /// Spent / budget.
    pub rate: Rate,
}

/// An indicator behind at its latest checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct OffTrack {
    pub checkpoint_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub unit_name: String,
    pub month: i64,
    pub indicator: String,
    pub progress: Rate,
    /// The unit's reason.
    pub reason: String,
}

/// The dashboard of a year.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub fiscal_year: i32,
    /// Share of the year gone today.
    pub elapsed: Rate,
    /// Projects per grade (key evaluation before self), best first.
    pub grades: Vec<(&'static str, usize)>,
    /// Execution by department.
    pub departments: Vec<DepartmentRate>,
    /// Projects per light at their latest checkpoint: green, yellow, red.
    pub lights: [usize; 3],
    pub off_track: Vec<OffTrack>,
    pub evaluated: usize,
    /// Of them, results confirmed.
    pub applied: usize,
}

/// Share of `year` gone on `today`.
pub fn elapsed_on(year: i32, today: chrono::NaiveDate) -> Rate {
    match today.year().cmp(&year) {
        std::cmp::Ordering::Greater => Rate::FULL,
        std::cmp::Ordering::Less => Rate(0),
        std::cmp::Ordering::Equal => lingji_domain::performance::monitoring::elapsed(today.month()),
    }
}

impl crate::PerformanceUseCases<'_> {
    /// The dashboard of a year for the caller.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn performance_dashboard(
        &self,
        scope: &Scope,
        fiscal_year: i32,
    ) -> AppResult<Dashboard> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, _) = caller.read_scope(Resource::Performance, jurisdiction_id)?;
        let evaluations = self.evaluations(scope, fiscal_year, None).await?;
        let applied: std::collections::BTreeSet<i64> = evaluations
            .iter()
            .filter(|e| e.applied)
            .filter_map(|e| e.project_id)
            .collect();
        let best = crate::performance::evaluations::key_before_self(
            &evaluations,
            |e| e.project_id,
            |e| e.kind == "key",
        );
        let grades = Grade::ALL
            .iter()
            .map(|g| (g.label(), best.values().filter(|e| e.grade == *g).count()))
            .collect();
        let mut conn = self.store.read().acquire().await?;
        let departments = lingji_store::performance::department_execution(
            &mut conn,
            jurisdiction_id,
            fiscal_year,
            department,
        )
        .await?
        .into_iter()
        .map(|d| {
            let (budget, spent) = (Money::from_fen(d.budget), Money::from_fen(d.spent));
            DepartmentRate {
                name: d.department_name,
                budget,
                spent,
                rate: Rate::ratio(spent, budget),
            }
        })
        .collect();
        let profile =
            crate::foundation::profiles::in_force(&mut conn, jurisdiction_id, fiscal_year).await?;
        drop(conn);
        let checkpoints = self.checkpoints(scope, fiscal_year, None, None).await?;
        // The latest checkpoint of each project.
        let mut latest: BTreeMap<i64, &crate::performance::monitoring::Checkpoint> =
            BTreeMap::new();
        for c in &checkpoints {
            if latest.get(&c.project_id).is_none_or(|l| l.month < c.month) {
                latest.insert(c.project_id, c);
            }
        }
        let mut lights = [0; 3];
        let mut off_track = Vec::new();
        for c in latest.values() {
            lights[match c.light {
                Light::Green => 0,
                Light::Yellow => 1,
                Light::Red => 2,
            }] += 1;
            for i in &c.indicators {
                // As the checkpoint judged it (PM-9): behind by the yellow gap, or unlikely.
                let behind = light(i.progress, c.elapsed, &profile.performance) != Light::Green
                    || i.likelihood != Likelihood::Certain;
                if behind {
                    off_track.push(OffTrack {
                        checkpoint_id: c.id,
                        project_id: c.project_id,
                        project_name: c.project_name.clone(),
                        unit_name: c.unit_name.clone(),
                        month: c.month,
                        indicator: i.name.clone(),
                        progress: i.progress,
                        reason: i.reason.clone(),
                    });
                }
            }
        }
        Ok(Dashboard {
            fiscal_year,
            elapsed: elapsed_on(fiscal_year, chrono::Local::now().date_naive()),
            grades,
            departments,
            lights,
            off_track,
            evaluated: best.len(),
            applied: applied.len(),
        })
    }
}
