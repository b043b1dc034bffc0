//! One fiscal year lived through the use cases, step by step in the order a bureau works:
//! clean-up and requests (new and continuing, linked to last year's) → review → resources,
//! allocation, approval and the targets published → payments → year-end close → self and key
//! evaluations, results application and their publication. Each step returns its counts; the
//! driver checks the invariants after it.

use std::collections::{BTreeMap, HashMap};

use lingji_domain::Money;

use super::jurisdiction::{self, Jurisdiction};
use super::rng::Rng;
use super::{Options, Step};
use crate::App;
use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::year_end::YearEndReport;
use crate::foundation::caller::Caller;

mod adjustments;
mod allocation;
mod close;
mod evaluation;
mod monitoring;
mod payments;
mod requests;
mod review;

/// Counts of one step, by name, in the order they are printed.
pub type Counts = Vec<(&'static str, i64)>;

/// A project the simulation made, with what it needs to carry it into next year.
#[derive(Debug, Clone)]
pub struct Made {
    /// Unit (index into [`Jurisdiction::units`]'s order).
    pub unit: usize,
    pub template: usize,
    pub year: i32,
    /// Last year of a multi-year project.
    pub end_year: i32,
    /// Per cent less quantity than the template: a multi-year plan's years keep it.
    pub shrink: u32,
}

/// What the simulation remembers between steps and years.
pub struct Sim<'a> {
    pub app: &'a App,
    /// The run's options.
    pub opts: &'a Options,
    pub rng: Rng,
    pub j: Jurisdiction,
    /// Standard ids by code.
    pub standards: HashMap<String, i64>,
    /// Every project made, by id.
    pub made: BTreeMap<i64, Made>,
    /// This year's submitted projects, in order.
    pub submitted: Vec<i64>,
    /// Each year's approved run.
    pub approved_runs: BTreeMap<i32, i64>,
    /// Each year's recorded close.
    pub closes: BTreeMap<i32, YearEndReport>,
    /// Last year's funded projects to continue (linked as `previous`).
    pub continuing: Vec<i64>,
    /// Idempotency keys used so far (for the next).
    pub keys: u64,
    /// Invariants a step saw broken while it ran (name, what was seen).
    pub findings: Vec<(&'static str, String)>,
    /// Projects whose payments monitoring suspended this year (暂缓拨款, liftable).
    pub suspended: Vec<i64>,
    /// Projects left stale on purpose, until clean-up retires them (ZB-15c, ZB-5d).
    pub stale: Vec<super::cleanup::Stale>,
    /// Everything finance published, as `publish` answered (PM-5).
    pub published: Vec<crate::disclosure::PublicItem>,
    /// What each carry-over line brings into its year's close, by line (QJ-4b, ZX-3c).
    pub carried: BTreeMap<i64, super::year_end_by_rule::Carried>,
}

impl Sim<'_> {
    /// The policy profile in force in the simulated jurisdiction in `year`.
    pub(crate) async fn profile(
        &self,
        year: i32,
    ) -> AppResult<lingji_domain::foundation::policy::PolicyProfile> {
        let mut conn = self.app.store.read().acquire().await?;
        crate::foundation::profiles::in_force(&mut conn, self.j.id, year).await
    }

    /// The units in a stable order.
    fn units(&self) -> Vec<(usize, super::jurisdiction::Unit)> {
        self.j.units().map(|(d, u)| (d, u.clone())).collect()
    }

    fn operator_of(&self, unit_id: i64) -> AppResult<Caller> {
        self.j
            .units()
            .find(|(_, u)| u.id == unit_id)
            .map(|(_, u)| u.operator.clone())
            .ok_or_else(|| AppError::Internal(format!("unit {unit_id} not simulated")))
    }

    fn reviewer_of(&self, unit_id: i64) -> AppResult<Caller> {
        self.j
            .departments
            .iter()
            .find(|d| d.units.iter().any(|u| u.id == unit_id))
            .map(|d| d.reviewer.clone())
            .ok_or_else(|| AppError::Internal(format!("unit {unit_id} not simulated")))
    }

    fn next_key(&mut self, year: i32) -> String {
        self.keys += 1;
        format!("sim-{}-{year}-{:06}", self.opts.seed, self.keys)
    }
}

/// Runs one step of `year`.
pub async fn run(sim: &mut Sim<'_>, step: Step, year: i32) -> AppResult<Counts> {
    match step {
        Step::Requests => requests::requests(sim, year).await,
        Step::Review => review::review(sim, year).await,
        Step::Allocation => allocation::allocation(sim, year).await,
        Step::Adjustments => adjustments::adjustments(sim, year).await,
        Step::Monitoring => monitoring::monitoring(sim, year).await,
        Step::Payments => payments::payments(sim, year).await,
        Step::Close => close::close(sim, year).await,
        Step::Evaluation => evaluation::evaluation(sim, year).await,
    }
}

/// The year's funded projects the simulation made, from the approved run.
async fn funded(sim: &Sim<'_>, year: i32) -> AppResult<Vec<i64>> {
    let run = *sim
        .approved_runs
        .get(&year)
        .ok_or_else(|| AppError::Internal(format!("no approved run in {year}")))?;
    let (_, items) = sim
        .app
        .allocation()
        .allocation_items(&Scope::new(&sim.j.finance, sim.j.id), run)
        .await?;
    Ok(items
        .iter()
        .filter(|i| i.result.allocated > Money::ZERO && sim.made.contains_key(&i.result.id))
        .map(|i| i.result.id)
        .collect())
}
