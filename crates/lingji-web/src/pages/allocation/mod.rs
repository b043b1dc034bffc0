//! `/allocation`: finance's allocation workbench — the year's available resources per fund
//! book, runs and scenarios (ZB-3, ZB-2b, CS-5b), each run's result with filters, explanations
//! and the waterfall chart by tier, and the steps from choice to approval.

pub(crate) mod pools;
pub(crate) mod transfers;
pub(crate) mod views;
use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::allocation::ranks::RankCandidate;
use lingji_app::allocation::{ResourcesView, RunView, Scenario};
use lingji_app::store::allocation::{ItemFilter, ResourceParts, StoredItem};
use lingji_app::store::foundation::orgs::Organisation;
use lingji_app::{AppError, AppResult};
use lingji_domain::allocation::Status;
use lingji_domain::foundation::authz::{Access, Resource, may};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::ParamView;
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::{Money, Refusal};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::charts::{Chart, Series};
use crate::pages::documents;
use crate::pages::inputs;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, forbidden, forbidden_or_missing, options,
    render, year_in, year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/allocation", get(workbench))
        .route("/allocation/resources", post(save_resources))
        .route("/allocation/runs", post(create_run))
        .route("/allocation/runs/{id}", get(run_page))
        .route("/allocation/runs/{id}/{step}", post(step))
        .merge(pools::router())
}

/// Fields of the run form, for refusals beside them.
const RUN_FIELDS: [&str; 4] = ["name", "base_run_id", "resources", "finance_ranks"];

/// The rank input of a project in the run form.
fn rank_field(code: &str) -> String {
    format!("rank.{code}")
}

/// Messages after a redirect, by name; only these, so a link cannot put words on the page.
fn message(q: &BTreeMap<String, String>) -> Option<String> {
    let text = match q.get("msg")?.as_str() {
        "resources" => "可用财力已保存",
        "run" => "测算完成并已保存",
        "choose" => "已选定为预算控制数依据",
        "publish" => "预算控制数已下达各部门和单位",
        "approve" => "预算已批复，预算指标已生成",
        _ => return None,
    };
    Some(text.to_string())
}

/// The run form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RunForm {
    year: String,
    name: String,
    base_run_id: String,
    /// 一般公共预算 replaced, 元.
    resources: String,
    /// Finance ranks as typed, by project code (the rank table's `rank.<code>` inputs).
    #[serde(skip)]
    ranks: BTreeMap<String, String>,
    /// This scenario's policy parameters as typed, by key (the `param.<key>` inputs); a blank
    /// one keeps the profile's value.
    #[serde(skip)]
    parameters: BTreeMap<String, String>,
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct WorkbenchPage<'a> {
    layout: &'a Layout,
    year: i32,
    resources: ResourcesView,
    runs: Vec<RunView>,
    can_edit: bool,
    form: RunForm,
    errors: FieldErrors,
    resource_errors: FieldErrors,
    resource_book: String,
    /// The projects the run form can rank: those of the chosen base run, or the admitted.
    candidates: Vec<RankCandidate>,
    /// The policy parameters a scenario may set (ZB-3), with the values in force.
    scenario_params: Vec<ParamView>,
}

impl WorkbenchPage<'_> {
    /// A project's rank as typed, or the one the base run gave it.
    fn rank_of(&self, c: &RankCandidate) -> String {
        match self.form.ranks.get(&c.code) {
            Some(typed) => typed.clone(),
            None => c.rank.map(|r| r.to_string()).unwrap_or_default(),
        }
    }
    fn rank_error(&self, c: &RankCandidate) -> &str {
        self.errors.get(&rank_field(&c.code))
    }
    /// A scenario parameter as typed.
    fn param_typed(&self, p: &ParamView) -> &str {
        self.form.parameters.get(p.key).map_or("", String::as_str)
    }
    fn param_error(&self, p: &ParamView) -> &str {
        self.errors.get(&format!("parameters.{}", p.key))
    }

    fn total(&self, parts: &ResourceParts) -> String {
        parts
            .total()
            .map(|m| m.to_yuan_display())
            .unwrap_or_default()
    }

    fn yuan(&self, fen: &i64) -> String {
        Money::from_fen(*fen).to_yuan_display()
    }

    fn base_is(&self, id: &i64) -> bool {
        self.form.base_run_id == id.to_string()
    }

    fn errors_for(&self, book: &FundBook) -> bool {
        self.resource_book == book.as_str()
    }
}

async fn workbench(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let form = RunForm {
        base_run_id: q.get("base").cloned().unwrap_or_default(),
        ..RunForm::default()
    };
    let shown = Workbench {
        year: year_in(&q),
        flash: message(&q),
        form,
        errors: FieldErrors::default(),
        resource_errors: FieldErrors::default(),
        resource_book: String::new(),
        status: StatusCode::OK,
    };
    workbench_page(&state, &id, uri.path(), shown).await
}

/// What the workbench shows besides the stored data.
struct Workbench {
    year: Option<i32>,
    flash: Option<String>,
    form: RunForm,
    errors: FieldErrors,
    resource_errors: FieldErrors,
    resource_book: String,
    status: StatusCode,
}

async fn workbench_page(state: &AppState, id: &Identity, path: &str, w: Workbench) -> Response {
    let loaded = async {
        let year = year_or_current(state, id, w.year).await?;
        let resources = state.app.allocation().resources(&id.scope(), year).await?;
        let runs = state
            .app
            .allocation()
            .allocation_runs(&id.scope(), year)
            .await?;
        let base = w.form.base_run_id.trim().parse::<i64>().ok();
        // The rank table is a help; a base run that cannot be read leaves it empty.
        let candidates = state
            .app
            .allocation()
            .rank_candidates(&id.scope(), year, base)
            .await
            .unwrap_or_default();
        // The parameters a scenario may set, with the values in force; without the profile the
        // table is left out.
        let in_force: Vec<ParamView> = match FiscalYear::new(year) {
            Ok(fy) => state
                .app
                .foundation()
                .policy_profile(&id.scope(), fy)
                .await
                .map(|v| v.profile.parameters())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let scenario_params = in_force
            .into_iter()
            .filter(|p| p.key.starts_with("allocation."))
            .collect();
        AppResult::Ok((year, resources, runs, candidates, scenario_params))
    };
    let (year, resources, runs, candidates, scenario_params) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let layout = Layout::new(id, format!("{year} 年度零基预算测算"), path).with_flash(w.flash);
    let mut form = w.form;
    form.year = year.to_string();
    // A rank refused for a project the table does not show is said above the form.
    let mut errors = w.errors;
    let stray: Vec<String> = errors
        .by_field
        .keys()
        .filter(|k| {
            k.starts_with("rank.") && !candidates.iter().any(|c| rank_field(&c.code) == **k)
        })
        .cloned()
        .collect();
    for k in stray {
        if let Some(m) = errors.by_field.remove(&k) {
            errors.general.push(m);
        }
    }
    render(
        w.status,
        &WorkbenchPage {
            layout: &layout,
            year,
            resources,
            runs,
            can_edit: may(id.actor.role, Resource::Allocation, Access::Write),
            form,
            errors,
            resource_errors: w.resource_errors,
            resource_book: w.resource_book,
            candidates,
            scenario_params,
        },
    )
}

/// One fund book's resources as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ResourcesForm {
    year: i32,
    fund_book: String,
    revenue: String,
    transfers: String,
    recovered: String,
    debt: String,
    unit_funds: String,
    reserve: String,
    note: String,
    version: i64,
}

/// The resource fields' labels, named in a refusal beside the field.
const RESOURCE_LABELS: [(&str, &str); 6] = [
    ("revenue", "收入预测"),
    ("transfers", "上级转移支付"),
    ("recovered", "收回存量资金"),
    ("debt", "债务资金"),
    ("unit_funds", "单位资金"),
    ("reserve", "待分资金"),
];

const RESOURCE_FIELDS: [&str; 6] = [
    "revenue",
    "transfers",
    "recovered",
    "debt",
    "unit_funds",
    "reserve",
];

impl ResourcesForm {
    /// Parts and reserve, or every malformed amount by its field.
    fn parse(&self) -> AppResult<(FundBook, ResourceParts, Money)> {
        let book = FundBook::parse(&self.fund_book).map_err(|r| r.field("fund_book"))?;
        let mut errors = Vec::new();
        let book_label = book.label();
        let mut amount = |field: &'static str, raw: &str| {
            let raw = if raw.trim().is_empty() { "0" } else { raw };
            let label = RESOURCE_LABELS
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(field, |(_, l)| *l);
            inputs::non_negative_amount(raw, field, &format!("{book_label}{label}")).unwrap_or_else(
                |r| {
                    errors.push(r.field(field));
                    Money::ZERO
                },
            )
        };
        let parts = ResourceParts {
            revenue: amount("revenue", &self.revenue),
            transfers: amount("transfers", &self.transfers),
            recovered: amount("recovered", &self.recovered),
            debt: amount("debt", &self.debt),
            unit_funds: amount("unit_funds", &self.unit_funds),
        };
        let reserve = amount("reserve", &self.reserve);
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            });
        }
        Ok((book, parts, reserve))
    }
}

async fn save_resources(
    Page { state, id, uri }: Page,
    Form(form): Form<ResourcesForm>,
) -> Response {
    let result = async {
        let (book, parts, reserve) = form.parse()?;
        state
            .app
            .allocation()
            .set_resources(
                &id.scope(),
                form.year,
                book,
                parts,
                reserve,
                &form.note,
                form.version,
            )
            .await
    };
    let done = result
        .await
        .map(|_| format!("/allocation?year={}&msg=resources", form.year));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let shown = Workbench {
            year: Some(form.year),
            flash: None,
            form: RunForm::default(),
            errors: FieldErrors::default(),
            resource_errors: FieldErrors::from_error(&e, &RESOURCE_FIELDS),
            resource_book: form.fund_book.clone(),
            status: crate::problem::status_of(&e),
        };
        workbench_page(&state, &id, "/allocation", shown).await
    })
    .await
}

impl RunForm {
    /// The scenario typed: ranks by project code (resolved to ids among `codes`), the
    /// parameters given a value of their own, the general budget's resources replaced.
    fn scenario(&self, codes: &HashMap<String, i64>) -> AppResult<Scenario> {
        let mut s = Scenario::default();
        let mut errors = Vec::new();
        if !self.resources.trim().is_empty() {
            match inputs::non_negative_amount(&self.resources, "resources", "一般公共预算可用财力")
            {
                Ok(m) => {
                    s.resources.insert(FundBook::GeneralPublic, m);
                }
                Err(r) => errors.push(r.field("resources")),
            }
        }
        for (code, typed) in &self.ranks {
            let typed = typed.trim();
            if typed.is_empty() {
                continue;
            }
            match (codes.get(code.as_str()), typed.parse::<u32>()) {
                (Some(id), Ok(r)) if r > 0 => {
                    s.finance_ranks.insert(*id, r);
                }
                (None, _) => errors.push(
                    Refusal::new(
                        "RANK_UNKNOWN_PROJECT",
                        format!("项目“{code}”不在本次测算范围内，请先选择其所在的依据方案"),
                    )
                    .field(rank_field(code))
                    .clause("ZB-3"),
                ),
                _ => errors.push(
                    Refusal::new(
                        "RANK_MALFORMED",
                        format!("名次“{typed}”应为 1 起的整数（1 最优先）"),
                    )
                    .field(rank_field(code))
                    .clause("ZB-3"),
                ),
            }
        }
        for (key, typed) in &self.parameters {
            if !typed.trim().is_empty() {
                s.parameters.insert(key.clone(), typed.trim().to_string());
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            })
        }
    }
}

async fn create_run(
    Page { state, id, uri }: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut form = RunForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "year" => form.year = v,
            "name" => form.name = v,
            "base_run_id" => form.base_run_id = v,
            "resources" => form.resources = v,
            other => {
                if let Some(code) = other.strip_prefix("rank.") {
                    form.ranks.insert(code.to_string(), v);
                } else if let Some(key) = other.strip_prefix("param.") {
                    form.parameters.insert(key.to_string(), v);
                }
            }
        }
    }
    let year: Option<i32> = form.year.trim().parse().ok();
    let result = async {
        let year = year_or_current(&state, &id, year).await?;
        let base = match form.base_run_id.trim() {
            "" => None,
            b => Some(b.parse::<i64>().map_err(|_| {
                Refusal::new("BASE_RUN_MALFORMED", "请选择依据的测算方案").field("base_run_id")
            })?),
        };
        let codes = if form.ranks.values().all(|v| v.trim().is_empty()) {
            HashMap::new()
        } else {
            state
                .app
                .allocation()
                .allocation_codes(&id.scope(), year, base)
                .await?
        };
        let scenario = form.scenario(&codes)?;
        state
            .app
            .allocation()
            .run_allocation(&id.scope(), year, &form.name, base, scenario)
            .await
    };
    let done = result
        .await
        .map(|run| format!("/allocation/runs/{}?msg=run", run.header.id));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let rank_fields: Vec<String> = form.ranks.keys().map(|c| rank_field(c)).collect();
        let param_fields: Vec<String> = form
            .parameters
            .keys()
            .map(|k| format!("parameters.{k}"))
            .collect();
        let mut fields = RUN_FIELDS.to_vec();
        fields.extend(rank_fields.iter().map(String::as_str));
        fields.extend(param_fields.iter().map(String::as_str));
        let errors = FieldErrors::from_error(&e, &fields);
        let shown = Workbench {
            year,
            flash: None,
            form,
            errors,
            resource_errors: FieldErrors::default(),
            resource_book: String::new(),
            status: crate::problem::status_of(&e),
        };
        workbench_page(&state, &id, "/allocation", shown).await
    })
    .await
}

/// A row of the result table.
struct ItemRow {
    item: StoredItem,
    unit: String,
}

#[derive(Template)]
#[template(path = "allocation_run.html")]
struct RunPage<'a> {
    layout: &'a Layout,
    run: RunView,
    base_number: Option<i64>,
    rows: Vec<ItemRow>,
    total: i64,
    counts: Vec<(&'static str, &'static str, i64)>,
    filter: BTreeMap<String, String>,
    statuses: Vec<(&'static str, &'static str)>,
    tiers: Vec<(&'static str, &'static str)>,
    departments: Vec<(i64, String)>,
    chart: Chart,
    prev: Option<String>,
    next: Option<String>,
    can_edit: bool,
    errors: FieldErrors,
    /// The units and the total (万元, exact) this run's control figures hold, when it is the
    /// chosen run: what the confirmation before 下达 and 批复 says.
    summary: Option<(usize, String)>,
}

impl RunPage<'_> {
    fn picked(&self, key: &str, value: &str) -> bool {
        self.filter.get(key).map(String::as_str) == Some(value)
    }

    fn picked_id(&self, key: &str, value: &i64) -> bool {
        self.picked(key, &value.to_string())
    }

    fn value(&self, key: &str) -> &str {
        self.filter.get(key).map(String::as_str).unwrap_or("")
    }
}

const PAGE: i64 = 200;

/// The run page's message, refusal and status.
struct Shown {
    flash: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
}

/// The waterfall by tier: what each tier needed and got, in the profile's order, per fund book.
fn tier_chart(run: &RunView) -> Chart {
    let label = |t: &lingji_domain::allocation::TierResult| {
        if run.book_totals.len() > 1 {
            format!("{} {}", t.fund_book.label(), t.tier.label())
        } else {
            format!("{}. {}", t.number, t.tier.label())
        }
    };
    Chart::bars(
        run.tier_totals.iter().map(label).collect(),
        vec![
            Series::stacked(
                "已安排（万元）",
                run.tier_totals.iter().map(|t| t.allocated).collect(),
            ),
            Series::stacked(
                "缺口（万元）",
                run.tier_totals.iter().map(|t| t.shortfall).collect(),
            ),
        ],
    )
}

async fn run_page(
    Page { state, id, uri }: Page,
    Path(run_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let flash = message(&q);
    let shown = Shown {
        flash,
        errors: FieldErrors::default(),
        status: StatusCode::OK,
    };
    show_run(&state, &id, uri.path(), run_id, q, shown).await
}

fn filter_of(q: &BTreeMap<String, String>) -> AppResult<ItemFilter> {
    let pick = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    Ok(ItemFilter {
        department_id: pick("department_id").and_then(|s| s.parse().ok()),
        unit_id: None,
        status: pick("status").map(Status::parse).transpose()?,
        tier: pick("tier").map(SpendingTier::parse).transpose()?,
        fund_book: pick("fund_book").map(FundBook::parse).transpose()?,
        search: pick("q").map(str::to_owned),
        offset: pick("offset").and_then(|s| s.parse().ok()).unwrap_or(0),
        limit: PAGE,
    })
}

async fn show_run(
    state: &AppState,
    id: &Identity,
    path: &str,
    run_id: i64,
    q: BTreeMap<String, String>,
    shown: Shown,
) -> Response {
    let Shown {
        flash,
        errors,
        status,
    } = shown;
    let RunData {
        filter,
        run,
        items,
        total,
        counts,
        orgs,
    } = match RunData::load(state, id, run_id, &q).await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let names: HashMap<i64, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let departments = orgs
        .iter()
        .filter(|o| o.kind == lingji_domain::foundation::org::OrgKind::Department)
        .map(|o| (o.id, o.name.clone()))
        .collect();
    let base_number = base_number(state, id, &run).await;
    let summary = documents::figures_summary(state, id, &run).await;
    // After 下达 or 批复 the message says what happened, its numbers read from the stored run
    // (the link names only the step).
    let flash = match (q.get("msg").map(String::as_str), &summary) {
        (Some("approve"), Some((units, total))) if run.header.approved_at.is_some() => {
            Some(format!(
                "已批复 {units} 个单位 {} 万元（{}），预算指标已生成",
                documents::wan(*total),
                run.header.approval_document.clone().unwrap_or_default()
            ))
        }
        (Some("publish"), Some((units, total))) if run.header.published_at.is_some() => {
            Some(format!(
                "已向 {units} 个单位下达预算控制数 {} 万元",
                documents::wan(*total)
            ))
        }
        _ => flash,
    };
    let prev = (filter.offset > 0).then(|| page_link(path, &q, (filter.offset - PAGE).max(0)));
    let next = (filter.offset + PAGE < total).then(|| page_link(path, &q, filter.offset + PAGE));
    let rows = items
        .into_iter()
        .map(|item| ItemRow {
            unit: names
                .get(&item.candidate.unit_id)
                .cloned()
                .unwrap_or_default(),
            item,
        })
        .collect();
    let title = format!(
        "{} 年度测算方案第 {} 号 · {}",
        run.header.fiscal_year, run.header.number, run.header.name
    );
    let layout = Layout::new(id, title, path).with_flash(flash);
    render(
        status,
        &RunPage {
            layout: &layout,
            chart: tier_chart(&run),
            base_number,
            rows,
            total,
            counts: Status::ALL
                .into_iter()
                .map(|s| (s.as_str(), s.label(), counts.get(&s).copied().unwrap_or(0)))
                .collect(),
            statuses: options::<Status>(),
            tiers: options::<SpendingTier>(),
            departments,
            filter: q,
            prev,
            next,
            can_edit: may(id.actor.role, Resource::Allocation, Access::Write),
            errors,
            summary: summary.map(|(units, total)| (units, documents::wan(total))),
            run,
        },
    )
}

/// A run's page of items by the filter, with its status counts and the organisations that
/// name its units and departments.
struct RunData {
    filter: ItemFilter,
    run: RunView,
    items: Vec<StoredItem>,
    total: i64,
    counts: BTreeMap<Status, i64>,
    orgs: Vec<Organisation>,
}

impl RunData {
    async fn load(
        state: &AppState,
        id: &Identity,
        run_id: i64,
        q: &BTreeMap<String, String>,
    ) -> AppResult<RunData> {
        let filter = filter_of(q)?;
        let (run, items, total) = state
            .app
            .allocation()
            .allocation_run(&id.scope(), run_id, &filter)
            .await?;
        let counts = state
            .app
            .allocation()
            .allocation_status_counts(&id.scope(), run_id)
            .await?;
        let orgs = state
            .app
            .foundation()
            .list_organisations(&id.scope())
            .await?;
        Ok(RunData {
            filter,
            run,
            items,
            total,
            counts,
            orgs,
        })
    }
}

/// The number of the run a scenario copies, shown when it can be read.
async fn base_number(state: &AppState, id: &Identity, run: &RunView) -> Option<i64> {
    let b = run.header.base_run_id?;
    state
        .app
        .allocation()
        .allocation_runs(&id.scope(), run.header.fiscal_year as i32)
        .await
        .ok()
        .and_then(|rs| rs.into_iter().find(|r| r.header.id == b))
        .map(|r| r.header.number)
}

/// The same page of the run at another offset, the filter kept and the flash message dropped.
fn page_link(path: &str, q: &BTreeMap<String, String>, offset: i64) -> String {
    let mut q = q.clone();
    q.insert("offset".into(), offset.to_string());
    q.remove("msg");
    let query: Vec<String> = q
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// The approval's document number.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    document: String,
}

/// Choose, publish or approve.
async fn step(
    Page { state, id, uri }: Page,
    Path((run_id, step)): Path<(i64, String)>,
    Form(form): Form<StepForm>,
) -> Response {
    let (scope, allocation) = (id.scope(), state.app.allocation());
    let result = match step.as_str() {
        "choose" => allocation.choose_run(&scope, run_id).await,
        "publish" => allocation.publish_control_figures(&scope, run_id).await,
        "approve" => {
            allocation
                .approve_budget(&scope, run_id, &form.document)
                .await
        }
        _ => Err(AppError::not_found("操作")),
    };
    let done = result.map(|_| format!("/allocation/runs/{run_id}?msg={step}"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let shown = Shown {
            flash: None,
            errors: FieldErrors::from_error(&e, &["document"]),
            status: crate::problem::status_of(&e),
        };
        let path = format!("/allocation/runs/{run_id}");
        show_run(&state, &id, &path, run_id, BTreeMap::new(), shown).await
    })
    .await
}
