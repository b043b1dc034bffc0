//! One fiscal year lived through the use cases, step by step in the order a bureau works:
//! clean-up and requests (new and continuing, linked to last year's) → review → resources,
//! allocation, approval and the targets published → payments → year-end close → self and key
//! evaluations, results application and their publication. Each step returns its counts; the
//! driver checks the invariants after it.

use crate::Scope;
use std::collections::{BTreeMap, HashMap};

use lingji_domain::Money;
use lingji_domain::allocation::{Status, share};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::Rate;
use lingji_domain::library::ProjectState;
use lingji_domain::review::gates::{CapacityResult, GateRecord, ProviderKind};
use lingji_store::allocation::ResourceParts;

use super::jurisdiction::{self, Jurisdiction, SPECIAL_FUND};
use super::rng::Rng;
use super::{Options, Step};
use crate::App;
use crate::allocation::Scenario;
use crate::demo::projects::{TEMPLATES, Template, draft, set_standards};
use crate::error::{AppError, AppResult};
use crate::execution::transfer_lines::TransferLine;
use crate::execution::year_end::YearEndReport;
use crate::foundation::caller::Caller;
use crate::library::projects::{ProjectDraft, YearNeedDraft};
use crate::review::flow::{PanelInput, PointInput, ReviewInput};

mod close;
mod evaluation;
mod payments;

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
        Step::Requests => requests(sim, year).await,
        Step::Review => review(sim, year).await,
        Step::Allocation => allocation(sim, year).await,
        Step::Adjustments => adjustments(sim, year).await,
        Step::Monitoring => monitoring(sim, year).await,
        Step::Payments => payments::payments(sim, year).await,
        Step::Close => close::close(sim, year).await,
        Step::Evaluation => evaluation::evaluation(sim, year).await,
    }
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

/// 申报: last year's continuing projects requested again from zero (their structure copied,
/// every quantity measured anew, ZB-4), new projects of several kinds, classes and tiers (some
/// multi-year, some pilots), most submitted and some left in reserve.
async fn requests(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    // Clean-up first: finance clears the library before the year's requests come in.
    let mut counts = super::cleanup::clean(sim, year).await?;
    jurisdiction::add_key_matter(sim.app, &sim.j, year).await?;
    let units = sim.units();
    let std = sim.standards.clone();
    let std_id = |code: &str| -> AppResult<i64> {
        std.get(code)
            .copied()
            .ok_or_else(|| AppError::Internal(format!("standard {code} missing")))
    };
    let (mut new, mut continued, mut multi, mut submitted, mut reserve) = (0, 0, 0, 0, 0);
    let mut created: Vec<(i64, i64, Caller)> = Vec::new();
    // Continuing lines first: their unit and template are taken.
    let continuing = std::mem::take(&mut sim.continuing);
    let mut taken: Vec<(usize, usize)> = Vec::new();
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
                lingji_domain::foundation::codes::FiscalYear::new(year)?,
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
        created.push((p.project.id, p.project.version, unit.operator.clone()));
        continued += 1;
    }
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
                let each = amount_of(t, shrink)?;
                end_year = year + 1;
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
                multi += 1;
            }
            let p = sim
                .app
                .library()
                .create_project(
                    &unit.operator,
                    unit.id,
                    lingji_domain::foundation::codes::FiscalYear::new(year)?,
                    &d,
                    None,
                )
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
            created.push((p.project.id, p.project.version, unit.operator.clone()));
            new += 1;
        }
    }
    sim.submitted.clear();
    for (id, version, operator) in created {
        // One in ten stays in reserve, unsubmitted: the stale projects clean-up will find.
        if sim.rng.chance(10) {
            reserve += 1;
            sim.stale.push(super::cleanup::Stale {
                id,
                year,
                expiring: false,
            });
            continue;
        }
        sim.app
            .library()
            .move_project(&operator, id, ProjectState::Submitted, "", version)
            .await?;
        sim.submitted.push(id);
        submitted += 1;
    }
    let expiring = super::cleanup::plant_expiring(sim, year).await?;
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

fn input(decision: &str, opinion: &str, version: i64) -> ReviewInput {
    ReviewInput {
        decision: decision.into(),
        opinion: opinion.into(),
        expected_version: version,
        ..ReviewInput::default()
    }
}

fn agreed(comment: &str) -> PointInput {
    PointInput {
        agreed: true,
        comment: comment.into(),
    }
}

/// 审核: the department ranks or returns (the unit resubmits), finance passes with 财政审核数
/// or rejects, every routed joint body answers, the panel admits on the four points; finance
/// records the gates the admitted projects need.
async fn review(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (mut returned, mut rejected, mut admitted, mut joint, mut gates) = (0, 0, 0, 0, 0);
    let mut postponed = 0;
    let submitted = sim.submitted.clone();
    for (rank, id) in submitted.iter().enumerate() {
        let id = *id;
        let (detail, _) = sim.app.library().project(&sim.j.finance, id).await?;
        let h = detail.project.header.clone();
        let reviewer = sim.reviewer_of(h.unit_id)?;
        let operator = sim.operator_of(h.unit_id)?;
        let mut rec = sim.app.review().review_record(&reviewer, id).await?;
        if sim.rng.chance(12) {
            rec = sim
                .app
                .review()
                .review_project(
                    &reviewer,
                    id,
                    &input(
                        "return",
                        "请细化测算依据，补充指标值的测算过程",
                        rec.version,
                    ),
                )
                .await?;
            let moved = sim
                .app
                .library()
                .move_project(
                    &operator,
                    id,
                    ProjectState::Submitted,
                    "已按意见补充测算依据",
                    rec.version,
                )
                .await?;
            rec.version = moved.project.version;
            returned += 1;
        }
        let mut pass = input("pass", "", rec.version);
        pass.rank = Some(u32::try_from(rank + 1).unwrap_or(1));
        rec = sim
            .app
            .review()
            .review_project(&reviewer, id, &pass)
            .await?;
        let finance = sim.j.finance.clone();
        if sim.rng.chance(8) {
            sim.app
                .review()
                .review_project(
                    &finance,
                    id,
                    &input("reject", "绩效目标不明确，不予入库", rec.version),
                )
                .await?;
            rejected += 1;
            continue;
        }
        // 财政审核数: the request, or up to a tenth less for single-year projects (a multi-year
        // plan must keep its year's need, QJ-2b).
        let multi = h.period.is_some_and(|p| p.end_year > p.start_year);
        let cut = if multi { 0 } else { sim.rng.below(11) };
        let reviewed =
            Money::from_fen(h.request.fen() / 100 * (100 - i64::try_from(cut).unwrap_or(0)));
        let mut pass = input("pass", "", rec.version);
        pass.reviewed = Some(reviewed.to_plain());
        rec = sim.app.review().review_project(&finance, id, &pass).await?;
        for (body, answered) in rec.routes.clone() {
            if answered {
                continue;
            }
            let caller = sim
                .j
                .joint
                .iter()
                .find(|(b, _)| *b == body.as_str())
                .map(|(_, c)| c.clone())
                .ok_or_else(|| {
                    AppError::Internal(format!("no joint reviewer {}", body.as_str()))
                })?;
            rec = sim
                .app
                .review()
                .review_project(&caller, id, &input("agree", "同意", rec.version))
                .await?;
            joint += 1;
        }
        let mut admit = input("admit", "", rec.version);
        admit.panel = Some(PanelInput {
            necessity: agreed("必要"),
            basis: agreed("依据充分"),
            progress_match: agreed("与进度匹配"),
            benefit: agreed("效益明确"),
            recommended: rec.review.reviewed.unwrap_or(reviewed).to_plain(),
        });
        rec = sim
            .app
            .review()
            .review_project(&finance, id, &admit)
            .await?;
        match rec.state {
            ProjectState::Admitted => admitted += 1,
            ProjectState::Postponed => postponed += 1,
            _ => {}
        }
        for record in gate_records(sim, &h.features, h.matter_class, year) {
            sim.app.review().record_gate(&finance, id, record).await?;
            gates += 1;
        }
    }
    Ok(vec![
        ("returned", returned),
        ("rejected", rejected),
        ("admitted", admitted),
        ("postponed", postponed),
        ("joint_answers", joint),
        ("gates", gates),
    ])
}

/// The findings finance records so an admitted project may be funded (CS-2a, ZB-2c, ZB-12,
/// ZB-2d); purchases of services are recorded for about half, the rest stay excluded (ZB-8).
fn gate_records(
    sim: &mut Sim<'_>,
    f: &lingji_domain::library::Features,
    class: Option<lingji_domain::library::MatterClass>,
    year: i32,
) -> Vec<GateRecord> {
    let mut out = Vec::new();
    if f.key_matters_item {
        out.push(GateRecord::KeyMatter {
            item_code: jurisdiction::key_matter(year),
        });
    }
    if f.government_investment {
        out.push(GateRecord::FiscalCapacity {
            result: CapacityResult::Passed,
            note: "未超过一般公共预算支出 10% 红线".into(),
        });
    }
    if f.special_fund {
        out.push(GateRecord::SpecialFund {
            fund_code: SPECIAL_FUND.into(),
        });
    }
    if f.industry_fund_eligible
        || class == Some(lingji_domain::library::MatterClass::IndustrySupport)
    {
        out.push(GateRecord::IndustryFund {
            fundable: false,
            note: "不符合产业基金投资条件，由预算安排".into(),
        });
    }
    if f.purchase_of_services && sim.rng.chance(50) {
        out.push(GateRecord::PurchaseOfServices {
            item: "技术性服务".into(),
            provider: format!("{}检测技术有限公司", sim.j.place),
            provider_kind: ProviderKind::Enterprise,
        });
    }
    out
}

/// 测算批复: an upper transfer entered, a demand survey with resources to spare, the general
/// budget entered at the basic expenditure plus a share of the projects' demand (so a lower
/// tier runs short, as budgets do), the run, a scenario on it, then choose → publish → approve.
async fn allocation(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let (basic, projects) = app
        .survey_general_demand(&Scope::new(&finance, city), year, "需求摸底")
        .await?;
    let pct = u32::try_from(sim.rng.between(55, 95)).unwrap_or(75);
    let revenue = basic
        .checked_add(share(projects, Rate::percent(pct)))
        .unwrap_or(basic);
    app.allocation()
        .set_resources(
            &Scope::new(&finance, city),
            year,
            FundBook::GeneralPublic,
            ResourceParts {
                revenue,
                transfers: share(projects, Rate::percent(5)),
                ..ResourceParts::default()
            },
            share(projects, Rate::percent(1)),
            "本级收入预测与上级转移支付",
            0,
        )
        .await?;
    let run = app
        .allocation()
        .run_allocation(
            &Scope::new(&finance, city),
            year,
            "一上测算",
            None,
            Scenario::default(),
        )
        .await?;
    // A scenario on the run's very inputs with less money: saved and compared, not chosen.
    let less = share(revenue, Rate::percent(90));
    let scenario = app
        .allocation()
        .run_allocation(
            &Scope::new(&finance, city),
            year,
            "压减一成情景",
            Some(run.header.id),
            Scenario {
                resources: [(FundBook::GeneralPublic, less)].into(),
                ..Scenario::default()
            },
        )
        .await?;
    app.allocation()
        .compare_runs(
            &Scope::new(&finance, city),
            run.header.id,
            scenario.header.id,
        )
        .await?;
    app.allocation()
        .choose_run(&Scope::new(&finance, city), run.header.id)
        .await?;
    app.allocation()
        .publish_control_figures(&Scope::new(&finance, city), run.header.id)
        .await?;
    app.allocation()
        .approve_budget(
            &Scope::new(&finance, city),
            run.header.id,
            // The document number opens with the place's first character (模财预, 示财预).
            &format!(
                "{}财预〔{year}〕1号",
                sim.j.place.chars().next().unwrap_or('市')
            ),
        )
        .await?;
    sim.approved_runs.insert(year, run.header.id);
    let (_, items) = app
        .allocation()
        .allocation_items(&Scope::new(&finance, city), run.header.id)
        .await?;
    let count = |s: Status| {
        i64::try_from(items.iter().filter(|i| i.result.status == s).count()).unwrap_or(0)
    };
    // An upper transfer for one unit, paid from like any line (QJ-4b decides it at year-end).
    let units = sim.units();
    let (_, unit) = &units[sim.rng.index(units.len())];
    app.execution()
        .add_transfer_line(
            &Scope::new(&finance, city),
            TransferLine {
                fiscal_year: year,
                unit_id: unit.id,
                project_id: None,
                name: "上级补助设备购置".into(),
                economic_code: "31002".into(),
                fund_book: FundBook::UpperTransfer,
                three_guarantees: false,
                amount: Money::from_yuan(i64::try_from(sim.rng.between(5, 50)).unwrap_or(5) * 1000),
                document: format!("财建〔{year}〕{}号", sim.rng.between(1, 99)),
            },
        )
        .await?;
    let lines = app
        .allocation()
        .budget_lines(&Scope::new(&finance, city), year, 0, 100_000)
        .await?;
    // The targets are public with the budget (PM-5).
    let funded: Vec<i64> = items
        .iter()
        .filter(|i| i.candidate.id > 0 && i.result.allocated > Money::ZERO)
        .map(|i| i.candidate.id)
        .collect();
    let published = super::disclosure::publish_targets(sim, &funded).await?;
    Ok(vec![
        ("runs", 3),
        ("funded", count(Status::Funded)),
        ("partial", count(Status::Partial)),
        ("unfunded", count(Status::Unfunded)),
        ("excluded", count(Status::Excluded)),
        ("cancelled", count(Status::Cancelled)),
        ("lines", i64::try_from(lines.len()).unwrap_or(0)),
        ("targets_published", published),
    ])
}

/// The side of a line a transfer may not cross (ZB-7b): personnel (301, 303) or the rest.
fn personnel(code: &str) -> bool {
    code.starts_with("301") || code.starts_with("303")
}

/// 调剂追加: a few units move budget between two of their project lines (调剂, never across
/// personnel and public expense); a few funded projects get a small supplement onto one of
/// their lines (追加, QJ-2a); finance approves most and sends one back now and then.
async fn adjustments(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    // Lines approved this year only: carried-over money may not be transferred (ZB-7b).
    let available: HashMap<i64, Money> = {
        let mut conn = app.store.read().acquire().await?;
        lingji_store::execution::reconcile::line_books(&mut conn, city, year)
            .await?
            .into_iter()
            .filter(|l| l.source == "allocation")
            .map(|l| (l.id, Money::from_fen(l.available)))
            .collect()
    };
    let lines = app
        .allocation()
        .budget_lines(&Scope::new(&finance, city), year, 0, 100_000)
        .await?;
    let mut requests = Vec::new();
    let (mut transfers, mut supplements) = (0, 0);
    for (_, unit) in sim.units() {
        let own: Vec<_> = lines
            .iter()
            .filter(|l| {
                l.unit_id == unit.id && l.project_id.is_some() && available.contains_key(&l.id)
            })
            .collect();
        if own.len() >= 2 && sim.rng.chance(30) {
            let from = own[sim.rng.index(own.len())];
            let to = own.iter().find(|l| {
                l.id != from.id
                    && personnel(&l.economic_code) == personnel(&from.economic_code)
                    && l.fund_book == from.fund_book
            });
            let have = available.get(&from.id).copied().unwrap_or(Money::ZERO);
            if let Some(to) = to
                && have >= Money::from_yuan(1_000)
            {
                let amount = Money::from_fen(have.fen() / 1_000 * 100);
                let v = app
                    .execution()
                    .request_adjustment(
                        &Scope::new(&unit.operator, city),
                        crate::execution::adjustments::AdjustmentDraft {
                            kind: lingji_domain::execution::AdjustmentKind::Transfer,
                            from_line_id: Some(from.id),
                            to_line_id: Some(to.id),
                            project_id: None,
                            economic_code: None,
                            amount,
                            reason: "实施进度调整，结构内调剂".into(),
                        },
                    )
                    .await?;
                requests.push(v.id);
                transfers += 1;
            }
        }
        if let Some(line) = own.first()
            && sim.rng.chance(20)
        {
            let amount =
                Money::from_yuan(i64::try_from(sim.rng.between(1, 5)).unwrap_or(1) * 1_000);
            let v = app
                .execution()
                .request_adjustment(
                    &Scope::new(&unit.operator, city),
                    crate::execution::adjustments::AdjustmentDraft {
                        kind: lingji_domain::execution::AdjustmentKind::Supplement,
                        from_line_id: None,
                        to_line_id: Some(line.id),
                        project_id: line.project_id,
                        economic_code: None,
                        amount,
                        reason: "政策标准提高，追加项目经费".into(),
                    },
                )
                .await?;
            requests.push(v.id);
            supplements += 1;
        }
    }
    let (mut approved, mut sent_back) = (0, 0);
    for id in requests {
        if sim.rng.chance(85) {
            app.execution()
                .decide_adjustment(&Scope::new(&finance, city), id, true, "同意")
                .await?;
            approved += 1;
        } else {
            app.execution()
                .decide_adjustment(
                    &Scope::new(&finance, city),
                    id,
                    false,
                    "请先通过调整支出结构解决",
                )
                .await?;
            sent_back += 1;
        }
    }
    Ok(vec![
        ("transfers", transfers),
        ("supplements", supplements),
        ("approved", approved),
        ("sent_back", sent_back),
    ])
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

/// 绩效监控 (PM-9, "双监控"): at the profile's first checkpoint units record each indicator's
/// progress for some funded projects (spending comes from the ledger); finance answers every
/// red or yellow light — mostly 督促整改, now and then 暂缓拨款 or 停止拨款, which the payment
/// check then honours.
async fn monitoring(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let month = {
        let mut conn = app.store.read().acquire().await?;
        crate::foundation::profiles::in_force(&mut conn, city, year)
            .await?
            .performance
            .monitoring_months
            .0
            .first()
            .copied()
            .unwrap_or(6)
    };
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
