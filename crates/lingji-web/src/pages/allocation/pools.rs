//! `/pools`: fund pools 资金池 (ZX-3b, ZB-10, ZB-12). Finance lists the year's pools with their
//! members, sizes and totals, creates and edits a pool by picking special funds from the
//! registry with the amount each brings, and allocates a pool to its applications in one
//! decision; units apply with their projects before the deadline; the pool downloads as .xlsx.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::allocation::pools::{
    AllocationInput, ApplicationInput, MemberInput, PoolInput, PoolView, ShareInput,
};
use lingji_app::store::library::projects::Filter;
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Access, Resource, may, may_create};
use lingji_domain::review::lists::ListKind;
use lingji_domain::{Money, Refusal};

use crate::AppState;
use crate::identity::Identity;
use crate::pages::inputs;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, forbidden_or_missing,
    render, year_in, year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/pools", get(list).post(create))
        .route("/pools/{id}", get(show).post(update))
        .route("/pools/{id}/apply", post(apply))
        .route("/pools/{id}/allocate", post(allocate))
}

/// A special fund of the registry as the pool form offers it.
struct FundChoice {
    code: String,
    name: String,
    department: String,
}

/// The pool form as typed.
#[derive(Default, Clone)]
struct PoolForm {
    name: String,
    fiscal_year: String,
    lead_department_id: String,
    deadline: String,
    version: i64,
    /// Codes of the funds ticked, in the order of the form.
    picked: Vec<String>,
    /// Amount typed per fund code.
    amounts: BTreeMap<String, String>,
}

impl PoolForm {
    fn from_pairs(pairs: &[(String, String)]) -> PoolForm {
        let mut f = PoolForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v.clone(),
                "fiscal_year" => f.fiscal_year = v.clone(),
                "lead_department_id" => f.lead_department_id = v.clone(),
                "deadline" => f.deadline = v.clone(),
                "version" => f.version = v.trim().parse().unwrap_or_default(),
                "fund" => f.picked.push(v.clone()),
                _ => {
                    if let Some(code) = k.strip_prefix("amount.") {
                        f.amounts.insert(code.to_string(), v.clone());
                    }
                }
            }
        }
        f
    }

    fn from_view(v: &PoolView) -> PoolForm {
        PoolForm {
            name: v.pool.name.clone(),
            fiscal_year: v.pool.fiscal_year.to_string(),
            lead_department_id: v.pool.lead_department_id.to_string(),
            deadline: v.pool.deadline.clone(),
            version: v.pool.version,
            picked: v.members.iter().map(|m| m.fund_code.clone()).collect(),
            amounts: v
                .members
                .iter()
                .map(|m| (m.fund_code.clone(), m.amount.to_yuan_display()))
                .collect(),
        }
    }

    fn blank(year: i32) -> PoolForm {
        PoolForm {
            fiscal_year: year.to_string(),
            ..PoolForm::default()
        }
    }

    /// The input, or every amount and number that does not read, beside its field.
    fn parse(&self) -> AppResult<PoolInput> {
        let mut errors = Vec::new();
        let fiscal_year = match inputs::year(&self.fiscal_year, "fiscal_year", "预算年度") {
            Ok(Some(y)) => y,
            Ok(None) => 0,
            Err(r) => {
                errors.push(r);
                0
            }
        };
        let lead = self.lead_department_id.trim();
        let lead_department_id = if lead.is_empty() {
            None
        } else {
            lead.parse().ok()
        };
        let mut members = Vec::new();
        for (i, code) in self.picked.iter().enumerate() {
            let raw = self.amounts.get(code).map(String::as_str).unwrap_or("");
            match inputs::amount(raw, &format!("members[{i}].amount"), "纳入金额") {
                Ok(amount) => members.push(MemberInput {
                    fund_code: code.clone(),
                    amount,
                }),
                Err(r) => errors.push(r),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid("FORM_INVALID", "资金池设置有误", errors));
        }
        Ok(PoolInput {
            name: self.name.clone(),
            fiscal_year,
            lead_department_id,
            deadline: self.deadline.clone(),
            members,
        })
    }
}

/// A fund's row in the pool form: ticked or not, the amount typed and its refusal.
struct FundRow {
    code: String,
    name: String,
    department: String,
    picked: bool,
    amount: String,
    error: String,
}

/// The pool form on a page.
struct PoolFormView {
    form: PoolForm,
    errors: FieldErrors,
    funds: Vec<FundRow>,
    departments: Vec<(i64, String)>,
}

impl PoolFormView {
    fn new(
        form: PoolForm,
        errors: FieldErrors,
        funds: &[FundChoice],
        departments: Vec<(i64, String)>,
    ) -> PoolFormView {
        let rows = funds
            .iter()
            .map(|f| {
                let at = form.picked.iter().position(|c| *c == f.code);
                let error = at
                    .map(|i| {
                        [
                            errors.get(&format!("members[{i}].amount")),
                            errors.get(&format!("members[{i}].fund_code")),
                        ]
                        .into_iter()
                        .filter(|e| !e.is_empty())
                        .collect::<Vec<_>>()
                        .join("；")
                    })
                    .unwrap_or_default();
                FundRow {
                    code: f.code.clone(),
                    name: f.name.clone(),
                    department: f.department.clone(),
                    picked: at.is_some(),
                    amount: form.amounts.get(&f.code).cloned().unwrap_or_default(),
                    error,
                }
            })
            .collect();
        PoolFormView {
            form,
            errors,
            funds: rows,
            departments,
        }
    }

    fn lead_is(&self, id: &i64) -> bool {
        self.form.lead_department_id.trim() == id.to_string()
    }
}

/// The fields a pool form shows for `form` (the members by their place among the ticked).
fn pool_fields(form: &PoolForm) -> Vec<String> {
    let mut out: Vec<String> = [
        "name",
        "fiscal_year",
        "lead_department_id",
        "deadline",
        "members",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in 0..form.picked.len() {
        out.push(format!("members[{i}].amount"));
        out.push(format!("members[{i}].fund_code"));
    }
    out
}

fn sort_errors(e: &AppError, fields: &[String]) -> FieldErrors {
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    FieldErrors::from_error(e, &fields)
}

fn yuan(m: &Money) -> String {
    m.to_yuan_display()
}

fn can_manage(id: &Identity) -> bool {
    may(id.actor.role, Resource::FinanceList, Access::Write)
}

fn can_allocate(id: &Identity) -> bool {
    may(id.actor.role, Resource::Allocation, Access::Write)
}

/// The registry's special funds in force, with their departments named.
async fn fund_choices(state: &AppState, id: &Identity) -> AppResult<Vec<FundChoice>> {
    let departments = state
        .app
        .review()
        .fund_lead_departments(&id.scope())
        .await?;
    let entries = state
        .app
        .review()
        .list_entries(&id.scope(), ListKind::SpecialFunds, None)
        .await?;
    Ok(entries
        .into_iter()
        .filter(|e| e.active)
        .map(|e| FundChoice {
            department: e
                .entry
                .fund
                .lead_department_id
                .and_then(|d| departments.iter().find(|(i, _)| *i == d))
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            code: e.entry.code,
            name: e.entry.name,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "pools.html")]
struct PoolsPage<'a> {
    layout: &'a Layout,
    year: i32,
    pools: Vec<PoolView>,
    size: Money,
    given: Money,
    left: Money,
    can_manage: bool,
    view: Option<PoolFormView>,
}

impl PoolsPage<'_> {
    fn yuan(&self, m: &Money) -> String {
        yuan(m)
    }

    fn fund_names(&self, p: &PoolView) -> String {
        p.members
            .iter()
            .map(|m| m.fund_name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// The form's state on a page: fresh or refused as typed.
struct Again<F> {
    form: F,
    errors: FieldErrors,
    status: StatusCode,
}

async fn list_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    year: Option<i32>,
    flash: Option<String>,
    again: Option<Again<PoolForm>>,
) -> Response {
    let loaded = async {
        let year = year_or_current(state, id, year).await?;
        let pools = state.app.allocation().fund_pools(&id.scope(), year).await?;
        let view = if can_manage(id) {
            let funds = fund_choices(state, id).await?;
            let departments = state
                .app
                .review()
                .fund_lead_departments(&id.scope())
                .await?;
            Some((funds, departments))
        } else {
            None
        };
        AppResult::Ok((year, pools, view))
    };
    let (year, pools, choices) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let sum =
        |f: fn(&PoolView) -> Money| Money::checked_sum(pools.iter().map(f)).unwrap_or(Money::ZERO);
    let (size, given, left) = (sum(|p| p.pool.size), sum(|p| p.given), sum(|p| p.left));
    let (status, view) = match (choices, again) {
        (Some((funds, departments)), Some(a)) => (
            a.status,
            Some(PoolFormView::new(a.form, a.errors, &funds, departments)),
        ),
        (Some((funds, departments)), None) => (
            StatusCode::OK,
            Some(PoolFormView::new(
                PoolForm::blank(year),
                FieldErrors::default(),
                &funds,
                departments,
            )),
        ),
        (None, _) => (StatusCode::OK, None),
    };
    let layout = Layout::new(id, format!("{year}年度资金池"), path).with_flash(flash);
    render(
        status,
        &PoolsPage {
            layout: &layout,
            year,
            pools,
            size,
            given,
            left,
            can_manage: can_manage(id),
            view,
        },
    )
}

async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list_page(&state, &id, uri.path(), year_in(&q), flash_from(&q), None).await
}

async fn create(
    Page { state, id, uri }: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = PoolForm::from_pairs(&pairs);
    let result = async {
        let input = form.parse()?;
        state
            .app
            .allocation()
            .create_fund_pool(&id.scope(), input)
            .await
    };
    let done = result
        .await
        .map(|v| format!("/pools/{}?msg=created", v.pool.id));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = sort_errors(&e, &pool_fields(&form));
        let year = inputs::year(&form.fiscal_year, "fiscal_year", "预算年度")
            .ok()
            .flatten();
        let again = Again {
            form,
            errors,
            status: crate::problem::status_of(&e),
        };
        list_page(&state, &id, uri.path(), year, None, Some(again)).await
    })
    .await
}

/// The application form as typed.
#[derive(Default, Clone)]
struct ApplyForm {
    project_id: String,
    amount: String,
    purpose: String,
}

/// The allocation form as typed: the document and an amount per application id.
#[derive(Default, Clone)]
struct AllocateForm {
    document: String,
    version: i64,
    shares: BTreeMap<i64, String>,
}

/// The application form: as typed, its refusals, the caller's projects to pick from.
type ApplyView = (ApplyForm, FieldErrors, Vec<(i64, String)>);

/// One application's row on the pool page, with the share typed and its refusal.
struct ApplicationRow {
    a: lingji_app::store::allocation::pools::Application,
    share: String,
    error: String,
}

#[derive(Template)]
#[template(path = "pool.html")]
struct PoolPage<'a> {
    layout: &'a Layout,
    v: PoolView,
    rows: Vec<ApplicationRow>,
    allocate: Option<(AllocateForm, FieldErrors)>,
    apply: Option<ApplyView>,
    edit: Option<PoolFormView>,
}

impl PoolPage<'_> {
    fn yuan(&self, m: &Money) -> String {
        yuan(m)
    }

    fn given(&self, m: &Option<Money>) -> String {
        m.as_ref().map(yuan).unwrap_or_default()
    }
}

/// What a refused form on the pool page brings back.
enum PoolAgain {
    None,
    Edit(Again<PoolForm>),
    Apply(Again<ApplyForm>),
    Allocate(Again<AllocateForm>),
}

async fn pool_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    pool_id: i64,
    flash: Option<String>,
    again: PoolAgain,
) -> Response {
    let loaded = async {
        let v = state
            .app
            .allocation()
            .fund_pool(&id.scope(), pool_id)
            .await?;
        let editing = if can_manage(id) && v.pool.allocated_at.is_none() {
            let funds = fund_choices(state, id).await?;
            let departments = state
                .app
                .review()
                .fund_lead_departments(&id.scope())
                .await?;
            Some((funds, departments))
        } else {
            None
        };
        // Units and departments apply with their own projects of the pool's year.
        let projects = if v.open && may_create(id.actor.role, Resource::Project) && !can_manage(id)
        {
            let filter = Filter {
                jurisdiction_id: id.actor.org.jurisdiction,
                fiscal_year: Some(v.pool.fiscal_year),
                limit: 200,
                ..Filter::default()
            };
            let list = state
                .app
                .library()
                .list_projects(&id.caller(), filter)
                .await?;
            Some(
                list.into_iter()
                    .map(|p| (p.id, format!("{} {}", p.header.code, p.header.name)))
                    .collect::<Vec<_>>(),
            )
        } else {
            None
        };
        AppResult::Ok((v, editing, projects))
    };
    let (v, editing, projects) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let mut status = StatusCode::OK;
    let mut edit_again = None;
    let mut apply_again = None;
    let mut allocate_again = None;
    match again {
        PoolAgain::None => {}
        PoolAgain::Edit(a) => {
            status = a.status;
            edit_again = Some(a);
        }
        PoolAgain::Apply(a) => {
            status = a.status;
            apply_again = Some(a);
        }
        PoolAgain::Allocate(a) => {
            status = a.status;
            allocate_again = Some(a);
        }
    }
    let edit = editing.map(|(funds, departments)| match edit_again {
        Some(a) => PoolFormView::new(a.form, a.errors, &funds, departments),
        None => PoolFormView::new(
            PoolForm::from_view(&v),
            FieldErrors::default(),
            &funds,
            departments,
        ),
    });
    let allocate = (can_allocate(id)
        && v.pool.allocated_at.is_none()
        && !v.applications.is_empty())
    .then(|| match allocate_again {
        Some(a) => (a.form, a.errors),
        None => (
            AllocateForm {
                version: v.pool.version,
                ..AllocateForm::default()
            },
            FieldErrors::default(),
        ),
    });
    let rows = v
        .applications
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (share, error) = match &allocate {
                Some((f, errors)) => (
                    f.shares
                        .get(&a.id)
                        .cloned()
                        .unwrap_or_else(|| a.requested.to_yuan_display()),
                    errors.get(&format!("shares[{i}].amount")).to_string(),
                ),
                None => (String::new(), String::new()),
            };
            ApplicationRow {
                a: a.clone(),
                share,
                error,
            }
        })
        .collect();
    let apply = projects.map(|list| match apply_again {
        Some(a) => (a.form, a.errors, list),
        None => (ApplyForm::default(), FieldErrors::default(), list),
    });
    let layout = Layout::new(id, format!("资金池 · {}", v.pool.name), path).with_flash(flash);
    render(
        status,
        &PoolPage {
            layout: &layout,
            v,
            rows,
            allocate,
            apply,
            edit,
        },
    )
}

async fn show(
    Page { state, id, uri }: Page,
    Path(pool_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    pool_page(
        &state,
        &id,
        uri.path(),
        pool_id,
        flash_from(&q),
        PoolAgain::None,
    )
    .await
}

async fn update(
    Page { state, id, uri }: Page,
    Path(pool_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = PoolForm::from_pairs(&pairs);
    let result = async {
        let input = form.parse()?;
        state
            .app
            .allocation()
            .update_fund_pool(&id.scope(), pool_id, input, form.version)
            .await
    };
    let done = result.await.map(|_| format!("/pools/{pool_id}?msg=saved"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let again = Again {
            errors: sort_errors(&e, &pool_fields(&form)),
            form,
            status: crate::problem::status_of(&e),
        };
        let path = format!("/pools/{pool_id}");
        pool_page(&state, &id, &path, pool_id, None, PoolAgain::Edit(again)).await
    })
    .await
}

async fn apply(
    Page { state, id, uri }: Page,
    Path(pool_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut form = ApplyForm::default();
    for (k, v) in &pairs {
        match k.as_str() {
            "project_id" => form.project_id = v.clone(),
            "amount" => form.amount = v.clone(),
            "purpose" => form.purpose = v.clone(),
            _ => {}
        }
    }
    let result = async {
        let mut errors = Vec::new();
        let project_id = form.project_id.trim().parse::<i64>().ok();
        if project_id.is_none() {
            errors.push(Refusal::new("PROJECT_MISSING", "请选择申报的项目").field("project_id"));
        }
        let amount = inputs::amount(&form.amount, "amount", "申请金额")
            .map_err(|r| errors.push(r))
            .ok();
        let (Some(project_id), Some(amount), true) = (project_id, amount, errors.is_empty()) else {
            return Err(AppError::invalid("FORM_INVALID", "申报有误", errors));
        };
        let input = ApplicationInput {
            project_id,
            amount,
            purpose: form.purpose.clone(),
        };
        state
            .app
            .allocation()
            .apply_to_fund_pool(&id.scope(), pool_id, input)
            .await
    };
    let done = result.await.map(|_| format!("/pools/{pool_id}?msg=saved"));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let again = Again {
            errors: FieldErrors::from_error(&e, &["project_id", "amount", "purpose"]),
            form,
            status: crate::problem::status_of(&e),
        };
        let path = format!("/pools/{pool_id}");
        pool_page(&state, &id, &path, pool_id, None, PoolAgain::Apply(again)).await
    })
    .await
}

async fn allocate(
    Page { state, id, uri }: Page,
    Path(pool_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut form = AllocateForm::default();
    let mut order = Vec::new();
    for (k, v) in &pairs {
        match k.as_str() {
            "document" => form.document = v.clone(),
            "version" => form.version = v.trim().parse().unwrap_or_default(),
            _ => {
                if let Some(app) = k.strip_prefix("share.").and_then(|s| s.parse::<i64>().ok()) {
                    form.shares.insert(app, v.clone());
                    order.push(app);
                }
            }
        }
    }
    let result = async {
        let mut errors = Vec::new();
        let mut shares = Vec::new();
        for (i, app) in order.iter().enumerate() {
            let raw = form.shares.get(app).map(String::as_str).unwrap_or("");
            let amount = if raw.trim().is_empty() {
                Ok(Money::ZERO)
            } else {
                inputs::amount(raw, &format!("shares[{i}].amount"), "分配金额")
            };
            match amount {
                Ok(amount) => shares.push(ShareInput {
                    application_id: *app,
                    amount,
                }),
                Err(r) => errors.push(r),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid("FORM_INVALID", "分配有误", errors));
        }
        let input = AllocationInput {
            document: form.document.clone(),
            shares,
            version: form.version,
        };
        state
            .app
            .allocation()
            .allocate_fund_pool(&id.scope(), pool_id, input)
            .await
    };
    let done = result.await.map(|_| format!("/pools/{pool_id}?msg=saved"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let mut fields = vec!["document".to_string(), "shares".to_string()];
        fields.extend((0..order.len()).map(|i| format!("shares[{i}].amount")));
        let again = Again {
            errors: sort_errors(&e, &fields),
            form,
            status: crate::problem::status_of(&e),
        };
        let path = format!("/pools/{pool_id}");
        pool_page(
            &state,
            &id,
            &path,
            pool_id,
            None,
            PoolAgain::Allocate(again),
        )
        .await
    })
    .await
}
