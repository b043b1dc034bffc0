//! Zero-based allocation use cases: the year's available resources, runs over the admitted
//! projects and the units' basic expenditure, scenarios that rerun a saved run's very inputs
//! with changes, and two runs compared.

pub mod approval;
pub mod documents;
pub mod figures;
mod inputs;
pub mod pools;
pub mod ranks;
pub mod stats;
pub mod transfers;

use std::collections::{BTreeMap, HashMap};

use lingji_domain::allocation::{
    Candidate, Comparison, Outcome, ProjectResult, RunResult, Status, TierResult, compare, run,
    set_aside_reserve,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::foundation::policy::{PolicyProfile, Rate};
use lingji_domain::money::MAX_INPUT_YUAN;
use lingji_domain::{Money, Refusal};
use lingji_store::allocation::{
    self as store, ItemFilter, NewRun, ResourceEntry, ResourceParts, RunHeader, StoredItem,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use self::inputs::{Inputs, library_inputs};
use crate::Scope;
use crate::error::{AppError, AppResult};

/// What a scenario changes against its base run (or, for a first run, the library as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Available resources per fund book, replacing the entered totals.
    #[schema(value_type = BTreeMap<crate::schema::FundBook, String>)]
    pub resources: BTreeMap<FundBook, Money>,
    /// Finance's ranks by project id (1 first).
    pub finance_ranks: BTreeMap<i64, u32>,
    /// Policy parameters by key (e.g. `allocation.cut_fair` = `30`), replacing the profile's.
    pub parameters: BTreeMap<String, String>,
}

impl Scenario {
    /// The base's changes with this scenario's on top.
    fn over(&self, base: &Scenario) -> Scenario {
        let mut out = base.clone();
        out.resources.extend(self.resources.clone());
        out.finance_ranks.extend(self.finance_ranks.clone());
        out.parameters.extend(self.parameters.clone());
        out
    }
}

/// A year's resources, one entry per fund book (books never entered show zeros).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResourcesView {
    pub year: i32,
    /// Every fund book.
    pub books: Vec<ResourceEntry>,
    /// Sum of all books.
    #[schema(value_type = String)]
    pub total: Money,
}

/// A saved run with its totals decoded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunView {
    /// The stored run.
    #[serde(flatten)]
    pub header: RunHeader,
    /// The scenario's changes.
    pub scenario_changes: Scenario,
    /// Per fund book.
    #[schema(value_type = Vec<crate::schema::domain::Outcome>)]
    pub book_totals: Vec<Outcome>,
    #[schema(value_type = Vec<crate::schema::domain::TierResult>)]
    pub tier_totals: Vec<TierResult>,
    /// Why the run's stored figures could not be read, in a listing that shows it anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

/// The figures a run keeps as JSON: its scenario, its book and its tier totals.
type Figures = (Scenario, Vec<Outcome>, Vec<TierResult>);

/// Reads a run's stored figures. One the reader refuses (an amount beyond 1 万亿元 from before
/// the limit was enforced at input) names the run and the value instead of failing the page.
fn figures(header: &RunHeader) -> AppResult<Figures> {
    let bad = |e: serde_json::Error| {
        AppError::Refused(Refusal::new(
            "RUN_FIGURE_UNREADABLE",
            format!(
                "第 {} 次测算保存的数值无法读取：{}",
                header.number,
                readable(&e)
            ),
        ))
    };
    Ok((
        serde_json::from_str(&header.scenario).map_err(bad)?,
        serde_json::from_str(&header.books).map_err(bad)?,
        serde_json::from_str(&header.tiers).map_err(bad)?,
    ))
}

impl RunView {
    /// The run for a listing: one whose figures cannot be read is listed without them and says
    /// why, so one bad run never hides the others.
    fn listed(header: RunHeader) -> RunView {
        match figures(&header) {
            Ok((scenario_changes, book_totals, tier_totals)) => RunView {
                header,
                scenario_changes,
                book_totals,
                tier_totals,
                unreadable: None,
            },
            Err(e) => RunView {
                scenario_changes: serde_json::from_str(&header.scenario).unwrap_or_default(),
                header,
                book_totals: Vec::new(),
                tier_totals: Vec::new(),
                unreadable: Some(e.refusal().message),
            },
        }
    }
}

impl TryFrom<RunHeader> for RunView {
    type Error = AppError;
    fn try_from(header: RunHeader) -> AppResult<RunView> {
        let (scenario_changes, book_totals, tier_totals) = figures(&header)?;
        Ok(RunView {
            header,
            scenario_changes,
            book_totals,
            tier_totals,
            unreadable: None,
        })
    }
}

/// The reader's message without its code and position: `MONEY_OUT_OF_RANGE: 金额…超出允许范围
/// at line 1 column 57` reads `金额…超出允许范围`.
fn readable(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let message = text.split_once(": ").map_or(text.as_str(), |(_, m)| m);
    message
        .rsplit_once(" at line ")
        .map_or(message, |(m, _)| m)
        .to_string()
}

/// Two runs compared, with the names of the projects that differ.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunComparison {
    pub a: RunView,
    pub b: RunView,
    #[schema(value_type = crate::schema::domain::Comparison)]
    pub diff: Comparison,
    /// Code and name of every differing item, by id.
    pub names: HashMap<i64, (String, String)>,
}

fn money_sum(items: impl IntoIterator<Item = Money>) -> AppResult<Money> {
    Money::checked_sum(items)
        .ok_or_else(|| Refusal::new("MONEY_OUT_OF_RANGE", "金额合计超出允许范围").into())
}

/// The year's resources in all books stay within what an amount may be (1 万亿元): runs and
/// their pages add them up, and a stored figure above it could not be read back.
fn within_input_limit(books: impl IntoIterator<Item = Money>, field: &str) -> AppResult<()> {
    match Money::checked_sum(books) {
        Some(all) if all.fen() <= MAX_INPUT_YUAN * 100 => Ok(()),
        _ => Err(Refusal::new(
            "MONEY_OUT_OF_RANGE",
            "本年度各资金来源的可用财力合计不能超过 1 万亿元",
        )
        .field(field)
        .into()),
    }
}

/// Resources per fund book as entered, and the reserve asked.
fn resources_for(entered: &[ResourceEntry]) -> AppResult<(Books, Books)> {
    let mut totals = BTreeMap::new();
    let mut reserve = BTreeMap::new();
    for e in entered {
        let total = e.parts.total().ok_or_else(|| {
            AppError::from(Refusal::new(
                "MONEY_OUT_OF_RANGE",
                "可用财力合计超出允许范围",
            ))
        })?;
        totals.insert(e.fund_book, total);
        reserve.insert(e.fund_book, e.reserve);
    }
    Ok((totals, reserve))
}

/// An amount per fund book.
type Books = BTreeMap<FundBook, Money>;

/// What a run used besides its candidates, saved with it so that a scenario of it starts from
/// the very same rules and money.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Basis {
    /// The allocation rules (profile and scenario parameters applied).
    allocation: lingji_domain::foundation::policy::Allocation,
    /// The unassigned reserve's cap (ZB-2b).
    unassigned_reserve_cap: Rate,
    /// Available resources per fund book.
    resources: Books,
    /// Unassigned reserve asked per fund book.
    reserve_asked: Books,
}

/// The profile with the scenario's parameters applied; a bad key or value names itself.
fn profile_for(mut profile: PolicyProfile, scenario: &Scenario) -> AppResult<PolicyProfile> {
    for (key, value) in &scenario.parameters {
        profile
            .set_parameter(key, value)
            .map_err(|r| r.field(format!("parameters.{key}")))?;
    }
    Ok(profile)
}

/// A scenario's inputs are its base run's items as they were: the excluded stay excluded.
fn base_inputs(items: Vec<StoredItem>) -> Inputs {
    let mut candidates = Vec::new();
    let mut excluded = Vec::new();
    for i in items {
        if i.result.status == Status::Excluded {
            excluded.push((i.candidate, i.result.explanation()));
        } else {
            candidates.push(i.candidate);
        }
    }
    (candidates, excluded)
}

/// Finance's ranks set on the candidates; a rank for a project outside the run is refused.
fn rank(candidates: &mut [Candidate], ranks: &BTreeMap<i64, u32>) -> AppResult<()> {
    for (id, rank) in ranks {
        let Some(c) = candidates.iter_mut().find(|c| c.id == *id) else {
            return Err(Refusal::new(
                "RANK_UNKNOWN_PROJECT",
                format!("项目 {id} 不在本次测算的安排范围内，不能排序"),
            )
            .field(format!("finance_ranks.{id}"))
            .into());
        };
        c.finance_rank = Some(*rank);
    }
    Ok(())
}

/// The scenario's resources in place of the books' totals; none may be negative.
fn replace_resources(resources: &mut Books, changes: &Books) -> AppResult<()> {
    for (book, m) in changes {
        if m.is_negative() {
            return Err(Refusal::new("RESOURCES_NEGATIVE", "可用财力不能为负数")
                .field(format!("resources.{}", book.as_str()))
                .into());
        }
        resources.insert(*book, *m);
    }
    Ok(())
}

impl crate::AllocationUseCases<'_> {
    pub(crate) fn authorize_allocation(&self, scope: &Scope, access: Access) -> AppResult<()> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        caller.authorize(
            Resource::Allocation,
            access,
            &OrgPath::of_jurisdiction(jurisdiction_id),
        )
    }

    /// The year's available resources per fund book.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn resources(&self, scope: &Scope, year: i32) -> AppResult<ResourcesView> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let stored = store::resources(&mut conn, jurisdiction_id, year).await?;
        let books: Vec<ResourceEntry> = FundBook::ALL
            .into_iter()
            .map(|b| {
                stored
                    .iter()
                    .find(|e| e.fund_book == b)
                    .cloned()
                    .unwrap_or(ResourceEntry {
                        fund_book: b,
                        parts: ResourceParts::default(),
                        reserve: Money::ZERO,
                        note: String::new(),
                        version: 0,
                        updated_by: String::new(),
                        updated_at: String::new(),
                    })
            })
            .collect();
        let total = money_sum(books.iter().map(|b| b.parts.total().unwrap_or(Money::ZERO)))?;
        Ok(ResourcesView { year, books, total })
    }

    /// Enters a fund book's resources for the year (finance). `expected_version` is the
    /// version read (0: not entered yet); a stale one is refused.
    #[expect(clippy::too_many_arguments)]
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn set_resources(
        &self,
        scope: &Scope,
        year: i32,
        fund_book: FundBook,
        parts: ResourceParts,
        reserve: Money,
        note: &str,
        expected_version: i64,
    ) -> AppResult<ResourceEntry> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        self.authorize_allocation(scope, Access::Write)?;
        let named = [
            ("revenue", parts.revenue),
            ("transfers", parts.transfers),
            ("recovered", parts.recovered),
            ("debt", parts.debt),
            ("unit_funds", parts.unit_funds),
            ("reserve", reserve),
        ];
        if let Some((field, _)) = named.iter().find(|(_, m)| m.is_negative()) {
            return Err(Refusal::new("RESOURCES_NEGATIVE", "可用财力各项不能为负数")
                .field(*field)
                .into());
        }
        let total = parts.total().ok_or_else(|| {
            AppError::from(
                Refusal::new("MONEY_OUT_OF_RANGE", "可用财力合计超出允许范围").field("revenue"),
            )
        })?;
        if reserve > total {
            return Err(Refusal::new(
                "RESERVE_ABOVE_RESOURCES",
                format!(
                    "待分资金 {} 元超过该资金来源可用财力 {} 元（ZB-2b）",
                    reserve.to_yuan_display(),
                    total.to_yuan_display()
                ),
            )
            .field("reserve")
            .clause("ZB-2b")
            .into());
        }
        let mut tx = self.store.begin().await?;
        let entered = store::resources(&mut tx, jurisdiction_id, year).await?;
        let others = entered
            .iter()
            .filter(|e| e.fund_book != fund_book)
            .map(|e| e.parts.total().unwrap_or(Money::ZERO));
        within_input_limit(others.chain([total]), "revenue")?;
        let before = entered.into_iter().find(|e| e.fund_book == fund_book);
        let expected = (expected_version > 0).then_some(expected_version);
        let written = store::put_resources(
            &mut tx,
            &store::NewResources {
                jurisdiction_id,
                year,
                fund_book,
                parts: &parts,
                reserve,
                note: note.trim(),
                expected_version: expected,
                actor: caller.name(),
            },
        )
        .await?;
        if !written {
            return Err(AppError::stale());
        }
        let after = store::resources(&mut tx, jurisdiction_id, year)
            .await?
            .into_iter()
            .find(|e| e.fund_book == fund_book)
            .ok_or_else(|| AppError::Internal("resources vanished".into()))?;
        let key = format!("{year}/{}", fund_book.as_str());
        let mut event = caller
            .event(
                jurisdiction_id,
                "allocation.resources",
                "available_resources",
                &key,
            )
            .after_json(&after);
        if let Some(b) = &before {
            event = event.before_json(b);
        }
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Runs the allocation and saves it under the year's next number. With `base_run_id`, a
    /// scenario: the base run's very candidates with the base's changes and `scenario`'s on
    /// top; without, the library as it is now with `scenario`.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn run_allocation(
        &self,
        scope: &Scope,
        year: i32,
        name: &str,
        base_run_id: Option<i64>,
        scenario: Scenario,
    ) -> AppResult<RunView> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Write)?;
        let name = name.trim();
        if name.chars().count() > 100 {
            return Err(
                Refusal::new("RUN_NAME_TOO_LONG", "测算名称不能超过 100 个字")
                    .field("name")
                    .into(),
            );
        }
        let mut conn = self.store.read().acquire().await?;
        let (base, changes) = match base_run_id {
            Some(id) => {
                let base = self
                    .scenario_base(&mut conn, jurisdiction_id, year, id)
                    .await?;
                let merged = scenario.over(&base.scenario_changes);
                (Some(base), merged)
            }
            None => (None, scenario.clone()),
        };
        // A scenario starts from what its base used — rules, resources, reserve — not from
        // what has been entered since; a first run from the profile and resources in force.
        let mut profile =
            crate::foundation::profiles::in_force(&mut conn, jurisdiction_id, year).await?;
        let (mut resources, reserve) = match &base {
            Some(b) => {
                let basis: Basis = serde_json::from_str(&b.header.parameters)
                    .map_err(|e| AppError::Internal(format!("run {}: {e}", b.header.id)))?;
                profile.allocation = basis.allocation;
                profile.library.unassigned_reserve_cap = basis.unassigned_reserve_cap;
                (basis.resources, basis.reserve_asked)
            }
            None => {
                let entered = store::resources(&mut conn, jurisdiction_id, year).await?;
                resources_for(&entered)?
            }
        };
        let profile = profile_for(profile, &changes)?;
        let (mut candidates, excluded) = match &base {
            Some(b) => base_inputs(store::all_items(&mut conn, b.header.id).await?),
            None => library_inputs(&mut conn, jurisdiction_id, year, &profile).await?,
        };
        rank(&mut candidates, &changes.finance_ranks)?;
        replace_resources(&mut resources, &changes.resources)?;
        within_input_limit(resources.values().copied(), "resources")?;
        drop(conn);
        let basis = Basis {
            allocation: profile.allocation.clone(),
            unassigned_reserve_cap: profile.library.unassigned_reserve_cap,
            resources: resources.clone(),
            reserve_asked: reserve.clone(),
        };

        let mut result: RunResult = run(&candidates, &excluded, &resources, &profile.allocation);
        set_aside_reserve(
            &mut result,
            &reserve,
            profile.library.unassigned_reserve_cap,
        );
        self.save_run(
            scope,
            year,
            name,
            base_run_id,
            &changes,
            &basis,
            candidates
                .into_iter()
                .chain(excluded.into_iter().map(|e| e.0)),
            result,
        )
        .await
    }

    #[expect(clippy::too_many_arguments)]
    async fn save_run(
        &self,
        scope: &Scope,
        year: i32,
        name: &str,
        base_run_id: Option<i64>,
        changes: &Scenario,
        basis: &Basis,
        candidates: impl Iterator<Item = Candidate>,
        result: RunResult,
    ) -> AppResult<RunView> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut by_id: HashMap<i64, Candidate> = candidates.map(|c| (c.id, c)).collect();
        let items: Vec<StoredItem> = result
            .projects
            .into_iter()
            .map(|r| {
                let candidate = by_id.remove(&r.id).ok_or_else(|| {
                    AppError::Internal(format!("run item {} without input", r.id))
                })?;
                Ok(StoredItem {
                    candidate,
                    result: r,
                })
            })
            .collect::<AppResult<_>>()?;
        let allocated = money_sum(result.books.iter().map(|b| b.allocated))?;
        let default_name = match base_run_id {
            Some(_) => "情景测算",
            None => "测算",
        };
        let new = NewRun {
            jurisdiction_id,
            fiscal_year: year,
            name: if name.is_empty() { default_name } else { name },
            base_run_id,
            scenario: to_json(changes)?,
            parameters: to_json(basis)?,
            books: to_json(&result.books)?,
            tiers: to_json(&result.tiers)?,
            allocated,
            actor: caller.name(),
        };
        let mut tx = self.store.begin().await?;
        let header = store::insert_run(&mut tx, &new, &items)
            .await
            .map_err(|e| match e {
                lingji_store::StoreError::Conflict(_) => AppError::Conflict(Refusal::new(
                    "RUN_NUMBER_TAKEN",
                    "同时有另一测算正在保存，请重新测算",
                )),
                e => e.into(),
            })?;
        let event = caller
            .event(
                jurisdiction_id,
                "allocation.run",
                "allocation_run",
                header.id,
            )
            .after_json(&serde_json::json!({
                "number": header.number,
                "name": header.name,
                "base_run_id": base_run_id,
                "scenario": changes,
                "items": header.items,
                "allocated": allocated,
            }));
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        RunView::try_from(header)
    }

    /// The run a scenario is based on, of the same budget year.
    async fn scenario_base(
        &self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        year: i32,
        id: i64,
    ) -> AppResult<RunView> {
        let base = self.run_in(conn, jurisdiction_id, id).await?;
        if base.header.fiscal_year != i64::from(year) {
            return Err(Refusal::new(
                "SCENARIO_YEAR_MISMATCH",
                "情景测算须与所依据的测算方案属同一预算年度",
            )
            .field("base_run_id")
            .into());
        }
        Ok(base)
    }

    /// A run of the caller's jurisdiction.
    pub(crate) async fn run_in(
        &self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        id: i64,
    ) -> AppResult<RunView> {
        let header = store::run(conn, id)
            .await?
            .filter(|r| r.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("测算方案"))?;
        RunView::try_from(header)
    }

    /// Project ids by code: the items of `base_run_id`, or the year's admitted projects.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_codes(
        &self,
        scope: &Scope,
        year: i32,
        base_run_id: Option<i64>,
    ) -> AppResult<HashMap<String, i64>> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(match base_run_id {
            Some(id) => {
                self.run_in(&mut conn, jurisdiction_id, id).await?;
                store::all_items(&mut conn, id)
                    .await?
                    .into_iter()
                    .filter(|i| i.candidate.id > 0)
                    .map(|i| (i.candidate.code, i.candidate.id))
                    .collect()
            }
            None => store::admitted_codes(&mut conn, jurisdiction_id, year)
                .await?
                .into_iter()
                .map(|a| (a.code, a.id))
                .collect(),
        })
    }

    /// The year's saved runs, newest first.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_runs(&self, scope: &Scope, year: i32) -> AppResult<Vec<RunView>> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(store::runs(&mut conn, jurisdiction_id, year)
            .await?
            .into_iter()
            .map(RunView::listed)
            .collect())
    }

    /// A run with a page of its items matching `filter`, and how many match.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_run(
        &self,
        scope: &Scope,
        id: i64,
        filter: &ItemFilter,
    ) -> AppResult<(RunView, Vec<StoredItem>, i64)> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let run = self.run_in(&mut conn, jurisdiction_id, id).await?;
        let (items, total) = store::items(&mut conn, id, filter).await?;
        Ok((run, items, total))
    }

    /// How many items of a run end in each status, every status listed.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_status_counts(
        &self,
        scope: &Scope,
        id: i64,
    ) -> AppResult<BTreeMap<Status, i64>> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        self.run_in(&mut conn, jurisdiction_id, id).await?;
        let mut out: BTreeMap<Status, i64> = Status::ALL.into_iter().map(|s| (s, 0)).collect();
        out.extend(
            store::status_counts(&mut conn, id)
                .await?
                .into_iter()
                .map(|c| (c.status, c.items)),
        );
        Ok(out)
    }

    /// Every item of a run, in run order (exports, the CLI).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_items(
        &self,
        scope: &Scope,
        id: i64,
    ) -> AppResult<(RunView, Vec<StoredItem>)> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let run = self.run_in(&mut conn, jurisdiction_id, id).await?;
        let items = store::all_items(&mut conn, id).await?;
        Ok((run, items))
    }

    /// Two runs side by side: the items that end differently and every tier in both.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn compare_runs(&self, scope: &Scope, a: i64, b: i64) -> AppResult<RunComparison> {
        let (ra, ia) = self.allocation_items(scope, a).await?;
        let (rb, ib) = self.allocation_items(scope, b).await?;
        let pa: Vec<ProjectResult> = ia.iter().map(|i| i.result.clone()).collect();
        let pb: Vec<ProjectResult> = ib.iter().map(|i| i.result.clone()).collect();
        let diff = compare((&pa, &ra.tier_totals), (&pb, &rb.tier_totals));
        let wanted: std::collections::HashSet<i64> = diff.projects.iter().map(|d| d.id).collect();
        let names = ia
            .iter()
            .chain(ib.iter())
            .filter(|i| wanted.contains(&i.candidate.id))
            .map(|i| {
                (
                    i.candidate.id,
                    (i.candidate.code.clone(), i.candidate.name.clone()),
                )
            })
            .collect();
        Ok(RunComparison {
            a: ra,
            b: rb,
            diff,
            names,
        })
    }
}

/// JSON of a stored run part; a failure is ours.
fn to_json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("json: {e}")))
}
