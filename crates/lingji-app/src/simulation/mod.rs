//! `lingji simulate`: a generated jurisdiction lives N consecutive fiscal years only through
//! the use cases the API and pages call, driven by a seeded generator (same seed, same
//! history), with the invariants of [`invariants`] checked after every step. The first broken
//! one stops the run, named with its step, year and seed (issue 18).

pub(crate) mod actuals;
pub(crate) mod catalogues;
pub mod cleanup;
pub mod cuts_by_profile;
pub(crate) mod demand_survey;
pub mod disclosure;
pub mod invariants;
pub mod jurisdiction;
pub mod key_evaluation;
pub mod province;
pub mod rng;
pub(crate) mod templates;
pub mod year;
pub mod year_end_by_rule;

use std::collections::BTreeMap;
use std::fmt;

use lingji_domain::foundation::policy::Preset;
use sha2::{Digest, Sha256};

use crate::App;
use crate::Scope;
use crate::error::{AppError, AppResult};
use rng::Rng;
use year::Sim;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The policy preset every year starts from.
    pub preset: Preset,
    /// Number of fiscal years lived.
    pub years: u32,
    /// The generator's seed.
    pub seed: u64,
    /// Multiplies departments, units and so projects.
    pub scale: u32,
    /// The first fiscal year.
    pub first_year: i32,
    /// Invariants whose breaks are reported and passed over instead of stopping the run: for
    /// a seam known and being fixed, so the years after it are still lived. Empty by default.
    pub tolerate: Vec<String>,
    /// Test-only: SQL run behind the use cases' back after a step, to prove that the
    /// invariants catch what it breaks. Never set by the command.
    pub tamper: Option<Tamper>,
    /// The step after which the last year stops (the demo lives its current year up to the
    /// approved budget, so payments and monitoring are left to the visitor). `None`: the
    /// whole year.
    pub last_step: Option<Step>,
    /// 0: one jurisdiction (模拟市). 1–6: a province (模拟省) with this many jurisdictions
    /// below it — 模拟市 and counties — living their years side by side, the province
    /// dividing a transfer fund among them every year ([`province`]).
    pub lowers: u32,
}

impl Options {
    /// Defaults for a preset and a seed: two years from 2026 at scale 1.
    pub fn new(preset: Preset, years: u32, seed: u64) -> Options {
        Options {
            preset,
            years,
            seed,
            scale: 1,
            first_year: 2026,
            tolerate: Vec::new(),
            tamper: None,
            last_step: None,
            lowers: 0,
        }
    }
}

/// Test-only tampering: after `step` of `year`, run `sql` on the write pool.
#[derive(Debug, Clone)]
pub struct Tamper {
    pub year: i32,
    pub step: Step,
    pub sql: String,
}

/// The steps of a fiscal year, declared in the year's order (which `Ord` follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// 申报: new and continuing requests, submitted.
    Requests,
    /// 审核: department, finance, joint bodies, panel; gates.
    Review,
    /// 测算批复: resources, runs, scenario, choose, publish, approve; an upper transfer.
    Allocation,
    /// 调剂追加: transfers between a unit's lines and supplements for library projects.
    Adjustments,
    /// 绩效监控: checkpoints recorded by units, finance's decisions, suspensions (PM-9).
    Monitoring,
    /// 支付: payments that pass, warn, block, retry, race.
    Payments,
    /// 年终结转: the close by the profile.
    Close,
    /// 绩效评价: self-evaluations and results application.
    Evaluation,
}

impl Step {
    /// Every step in a year's order.
    pub const ALL: [Step; 8] = [
        Step::Requests,
        Step::Review,
        Step::Allocation,
        Step::Adjustments,
        Step::Monitoring,
        Step::Payments,
        Step::Close,
        Step::Evaluation,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Step::Requests => "申报",
            Step::Review => "审核",
            Step::Allocation => "测算批复",
            Step::Adjustments => "调剂追加",
            Step::Monitoring => "绩效监控",
            Step::Payments => "支付",
            Step::Close => "年终结转",
            Step::Evaluation => "绩效评价",
        }
    }
}

/// One step's line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    pub year: i32,
    /// The jurisdiction that did it, in a province run.
    pub place: Option<&'static str>,
    pub step: Step,
    /// Counts by name.
    pub counts: year::Counts,
}

impl fmt::Display for StepLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.year)?;
        if let Some(place) = self.place {
            write!(f, " {place}")?;
        }
        write!(f, " {}", self.step.label())?;
        for (k, v) in &self.counts {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

/// A broken invariant (or a use case refusing what the simulation expected it to accept):
/// its name, where and with which seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The invariant's stable name ([`invariants::INVARIANTS`]), or `use_case` when a use case
    /// refused a step.
    pub invariant: String,
    pub step: Step,
    pub year: i32,
    /// The jurisdiction where it broke, in a province run.
    pub place: Option<&'static str>,
    pub seed: u64,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let says = invariants::INVARIANTS
            .iter()
            .find(|(n, _)| *n == self.invariant)
            .map_or("用例拒绝了模拟的操作", |(_, s)| s);
        write!(
            f,
            "不变量 {}（{says}）被打破：{} 年度，{}步骤“{}”，种子 {}：{}",
            self.invariant,
            self.year,
            self.place.map(|p| format!("{p}，")).unwrap_or_default(),
            self.step.label(),
            self.seed,
            self.detail
        )
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every step's line.
    pub steps: Vec<StepLine>,
    /// The break that stopped the run.
    pub broken: Option<Broken>,
    /// Breaks of tolerated invariants, passed over.
    pub tolerated: Vec<Broken>,
    /// SHA-256 of the step lines: the same seed gives the same digest.
    pub digest: String,
    /// Totals of every count over the run.
    pub totals: BTreeMap<&'static str, i64>,
}

impl Report {
    /// True when every invariant held (tolerated ones aside).
    pub fn passed(&self) -> bool {
        self.broken.is_none()
    }
}

fn digest(lines: &[StepLine]) -> String {
    let mut h = Sha256::new();
    for l in lines {
        h.update(l.to_string().as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

impl App {
    /// Lives `opts.years` fiscal years of a generated jurisdiction in this (empty) database,
    /// calling `each` with every step's line as it finishes. A broken invariant ends the run
    /// and is in the report; an error is returned only when the simulation itself cannot go
    /// on (the database, a bad option).
    pub async fn simulate(
        &self,
        opts: &Options,
        each: &mut (dyn FnMut(&StepLine) + Send),
    ) -> AppResult<Report> {
        if opts.years == 0 || opts.years > 20 {
            return Err(
                lingji_domain::Refusal::new("SIMULATE_YEARS", "模拟年数应为 1–20")
                    .field("years")
                    .into(),
            );
        }
        // Department codes are three digits from 101: four departments a group and the three
        // joint-review bodies once reach 903 at ×200 (about 2,000 units).
        if !(1..=200).contains(&opts.scale) {
            return Err(
                lingji_domain::Refusal::new("SIMULATE_SCALE", "规模倍数应为 1–200")
                    .field("scale")
                    .into(),
            );
        }
        if opts.lowers > 6 {
            return Err(lingji_domain::Refusal::new(
                "SIMULATE_LOWERS",
                "模拟省下辖的区划数应为 1–6（0：只模拟一个市）",
            )
            .field("province")
            .into());
        }
        if opts.lowers == 0 {
            let mut rng = Rng::new(opts.seed);
            let j = jurisdiction::build(self, opts, &mut rng).await?;
            return self.live(opts, vec![(j, rng)], None, each).await;
        }
        jurisdiction::refuse_if_not_empty(self).await?;
        jurisdiction::import_code_tables(self, opts).await?;
        let mut p = province::build(self, opts).await?;
        let mut lowers = Vec::new();
        for (k, (place, preset)) in (0u64..).zip(province::places(opts, opts.lowers)) {
            // The city draws as a plain run does; each county from its own stream.
            let mut rng = Rng::new(opts.seed.wrapping_add(k.wrapping_mul(0x9E37_79B9)));
            let j = jurisdiction::build_place(
                self,
                opts,
                &mut rng,
                place,
                preset,
                Some(province::PROVINCE.region),
            )
            .await?;
            lowers.push((j, rng));
        }
        p.sign_in_again(self).await?;
        province::add_rule(self, &p).await?;
        let prng = Rng::new(opts.seed ^ 0x5052_4F56);
        self.live(opts, lowers, Some((p, prng)), each).await
    }

    /// Lives `opts.years` fiscal years of the jurisdictions `lowers` (already built, their
    /// first year started) from `opts.first_year`, side by side step by step, checking the
    /// invariants after every step; with a province above them, it divides its transfer fund
    /// among them after their allocations.
    pub(crate) async fn live(
        &self,
        opts: &Options,
        lowers: Vec<(jurisdiction::Jurisdiction, Rng)>,
        mut province: Option<(province::Province, Rng)>,
        each: &mut (dyn FnMut(&StepLine) + Send),
    ) -> AppResult<Report> {
        let several = province.is_some();
        let mut sims = Vec::new();
        for (j, rng) in lowers {
            let standards = self
                .library()
                .standards(&Scope::system(j.id))
                .await?
                .into_iter()
                .map(|s| (s.code, s.id))
                .collect();
            sims.push(Sim {
                app: self,
                opts,
                rng,
                j,
                standards,
                made: BTreeMap::new(),
                submitted: Vec::new(),
                approved_runs: BTreeMap::new(),
                closes: BTreeMap::new(),
                continuing: Vec::new(),
                keys: 0,
                findings: Vec::new(),
                suspended: Vec::new(),
                stale: Vec::new(),
                published: Vec::new(),
                carried: BTreeMap::new(),
            });
        }
        let mut report = Report::default();
        let last = opts.first_year + i32::try_from(opts.years).unwrap_or(1);
        'years: for year in opts.first_year..last {
            for step in Step::ALL {
                if year + 1 == last && opts.last_step.is_some_and(|l| step > l) {
                    break;
                }
                for (k, sim) in sims.iter_mut().enumerate() {
                    let place = several.then_some(sim.j.place);
                    let counts = match year::run(sim, step, year).await {
                        Ok(c) => c,
                        Err(e @ AppError::Unavailable(_)) => return Err(e),
                        Err(e) => {
                            let found = vec![("use_case", describe(&e))];
                            report.judge(opts, year, step, place, found);
                            break 'years;
                        }
                    };
                    report.add(
                        StepLine {
                            year,
                            place,
                            step,
                            counts,
                        },
                        each,
                    );
                    if k == 0 {
                        self.tamper(opts, year, step).await?;
                    }
                    let found = invariants::after_step(sim, year, step).await?;
                    if report.judge(opts, year, step, place, found) {
                        break 'years;
                    }
                }
                if let Some((p, prng)) = province.as_mut()
                    && matches!(step, Step::Allocation | Step::Payments)
                {
                    let js: Vec<_> = sims.iter().map(|s| &s.j).collect();
                    let place = Some(province::PROVINCE.name);
                    let done = if step == Step::Allocation {
                        province::transfer(self, p, &js, prng, year).await
                    } else {
                        province::rule_hits(self, p, &js, year).await
                    };
                    let (counts, found) = match done {
                        Ok(done) => done,
                        Err(e @ AppError::Unavailable(_)) => return Err(e),
                        Err(e) => (Vec::new(), vec![("use_case", describe(&e))]),
                    };
                    if !counts.is_empty() {
                        report.add(
                            StepLine {
                                year,
                                place,
                                step,
                                counts,
                            },
                            each,
                        );
                    }
                    if report.judge(opts, year, step, place, found) {
                        break 'years;
                    }
                }
            }
        }
        report.digest = digest(&report.steps);
        Ok(report)
    }

    /// Test-only: runs `opts.tamper`'s SQL behind the use cases' back after its step.
    async fn tamper(&self, opts: &Options, year: i32, step: Step) -> AppResult<()> {
        if let Some(t) = opts
            .tamper
            .as_ref()
            .filter(|t| t.year == year && t.step == step)
        {
            let mut conn = self.store.write().acquire().await?;
            sqlx::query(sqlx::AssertSqlSafe(t.sql.clone()))
                .execute(&mut *conn)
                .await
                .map_err(|e| AppError::Internal(format!("tamper: {e}")))?;
        }
        Ok(())
    }
}

impl Report {
    /// Records a step's line and tells the caller.
    fn add(&mut self, line: StepLine, each: &mut (dyn FnMut(&StepLine) + Send)) {
        for (k, v) in &line.counts {
            *self.totals.entry(k).or_default() += v;
        }
        each(&line);
        self.steps.push(line);
    }

    /// Records what a step broke: tolerated breaks are kept once each, the first other one
    /// stops the run (answers true).
    fn judge(
        &mut self,
        opts: &Options,
        year: i32,
        step: Step,
        place: Option<&'static str>,
        found: Vec<invariants::Finding>,
    ) -> bool {
        for (name, detail) in found {
            let b = Broken {
                invariant: name.into(),
                step,
                year,
                place,
                seed: opts.seed,
                detail,
            };
            if name != "use_case" && opts.tolerate.iter().any(|t| t == name) {
                // A tolerated break seen again at a later step is reported once.
                if !self.tolerated.iter().any(|t| t.detail == b.detail) {
                    self.tolerated.push(b);
                }
            } else {
                self.broken = Some(b);
                return true;
            }
        }
        false
    }
}

/// A use case's refusal in words, with its code, clause and fields.
fn describe(e: &AppError) -> String {
    match e {
        AppError::Invalid { summary, errors } => format!(
            "{}（{}）：{}",
            summary.message,
            summary.code,
            errors
                .iter()
                .map(|r| format!(
                    "{} {} {}",
                    r.field.as_deref().unwrap_or(""),
                    r.code,
                    r.message
                ))
                .collect::<Vec<_>>()
                .join("；")
        ),
        AppError::Refused(r)
        | AppError::Forbidden(r)
        | AppError::NotFound(r)
        | AppError::Conflict(r) => format!(
            "{}（{}{}{}）",
            r.message,
            r.code,
            r.clause.map(|c| format!("，{c}")).unwrap_or_default(),
            r.field
                .as_deref()
                .map(|f| format!("，{f}"))
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}
