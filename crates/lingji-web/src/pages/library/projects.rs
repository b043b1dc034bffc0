//! `/projects`: the project library — the list with filters and paging, creating, showing,
//! checking, saving and moving a project. The form itself is in [`super::project_form`].

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::library::projects::ProjectDraft;
use lingji_app::store::library::projects::search::{ProjectSearch, ProjectSort};
use lingji_app::store::library::projects::{Filter, Project};
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Resource, Role, may_create};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{MatterClass, ProjectKind, ProjectState};

use super::project_form::{FormInput, check_typed, draft_from, errors_for, form_page};
use crate::AppState;
use crate::api::library::projects::ProjectQuery;
use crate::pages::listing::{Listing, Orgs};
use crate::pages::{
    FieldErrors, Layout, Page, PageCtx, answer, current_fiscal_year, error_page, flash_from,
    forbidden_or_missing, render, said,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list))
        .route("/projects/new", get(new_form).post(create))
        .route("/projects/{id}", get(show).post(save))
        .route("/projects/{id}/move", post(move_to))
}

pub(super) type Options = Vec<(&'static str, &'static str)>;

pub(super) fn options<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Options {
    all.iter().map(|v| (id(*v), label(*v))).collect()
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    projects: Vec<Project>,
    q: ProjectQueryView,
    listing: Listing,
    orgs: Orgs,
    /// 本年申请 of every project the filters find, not only this page's.
    total: String,
    /// A filter that could not be read, beside its field.
    errors: FieldErrors,
    states: Options,
    classes: Options,
    tiers: Options,
    kinds: Options,
    can_create: bool,
    can_import: bool,
    can_clean: bool,
    export_link: String,
}

/// The filters as the form shows them.
#[derive(Default)]
struct ProjectQueryView {
    year: String,
    unit_id: String,
    state: String,
    matter_class: String,
    tier: String,
    kind: String,
    q: String,
}

/// The filters of the list; the columns it sorts by.
const FILTERS: [&str; 7] = [
    "year",
    "unit_id",
    "state",
    "matter_class",
    "tier",
    "kind",
    "q",
];
const SORTS: [&str; 9] = [
    "code", "name", "unit", "year", "kind", "matter", "tier", "amount", "state",
];

/// The query of what the list shows, for its export.
fn query_of(v: &ProjectQueryView) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "year={}&unit_id={}&state={}&matter_class={}&tier={}&kind={}&q={}",
        enc(&v.year),
        enc(&v.unit_id),
        enc(&v.state),
        enc(&v.matter_class),
        enc(&v.tier),
        enc(&v.kind),
        enc(&v.q)
    )
}

/// The export of what the list shows.
fn export_link(v: &ProjectQueryView) -> String {
    format!("/api/v1/projects/export?{}", query_of(v))
}

/// The search the list's query asks for: its filters, sort and page, all answered by the store.
fn search_of(listing: &Listing, filter: Filter) -> ProjectSearch {
    ProjectSearch {
        filter,
        routed_to: None,
        sort: ProjectSort::parse(&listing.sort).unwrap_or_default(),
        desc: listing.desc,
        offset: i64::try_from(listing.offset()).unwrap_or(i64::MAX),
        limit: i64::try_from(listing.per_page()).unwrap_or(50),
    }
}

/// The project library: filtered by the library's own filters (year, unit, state, class, tier,
/// kind, code or name), counted, totalled, sorted and paged by the store — the count and the
/// total are of every project found, however many (issue 21).
async fn list(
    Page { state, id, uri }: Page,
    Query(raw): Query<BTreeMap<String, String>>,
) -> Response {
    let mut listing = Listing::new(uri.path(), &raw, &SORTS, &FILTERS);
    let view = ProjectQueryView {
        year: listing.filter("year").to_string(),
        unit_id: listing.filter("unit_id").to_string(),
        state: listing.filter("state").to_string(),
        matter_class: listing.filter("matter_class").to_string(),
        tier: listing.filter("tier").to_string(),
        kind: listing.filter("kind").to_string(),
        q: listing.filter("q").to_string(),
    };
    let mut errors = FieldErrors::default();
    let year = match view.year.parse::<i32>() {
        Ok(y) => Some(y),
        Err(_) if view.year.is_empty() => None,
        Err(_) => {
            errors.by_field.insert(
                "year".into(),
                format!("“{}”不是年度，请填写四位数字，如 2026", view.year),
            );
            None
        }
    };
    let query = ProjectQuery {
        year,
        department_id: None,
        unit_id: listing.id_filter("unit_id"),
        state: Some(view.state.clone()),
        matter_class: Some(view.matter_class.clone()),
        tier: Some(view.tier.clone()),
        kind: Some(view.kind.clone()),
        q: Some(view.q.clone()),
        after: None,
        limit: None,
    };
    let library = state.app.library();
    let loaded = async {
        let orgs = Orgs::of(&state, &id).await?;
        let filter = query.filter(id.actor.org.jurisdiction).map_err(|e| e.0)?;
        let mut page = library
            .projects_page(&id.caller(), search_of(&listing, filter.clone()))
            .await?;
        // A page past the last shows the last.
        if listing.counted(usize::try_from(page.count).unwrap_or(usize::MAX)) && page.count > 0 {
            page = library
                .projects_page(&id.caller(), search_of(&listing, filter))
                .await?;
        }
        AppResult::Ok((orgs, page))
    };
    match loaded.await {
        Ok((orgs, page)) => {
            let total = listing.shown(Some(page.total));
            let projects = page.rows;
            let export_link = export_link(&view);
            let layout = Layout::new(&id, "项目库", uri.path());
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(
                status,
                &ListPage {
                    layout: &layout,
                    projects,
                    q: view,
                    listing,
                    orgs,
                    total,
                    errors,
                    states: options(
                        &ProjectState::ALL,
                        ProjectState::as_str,
                        ProjectState::label,
                    ),
                    classes: options(&MatterClass::ALL, MatterClass::as_str, MatterClass::label),
                    tiers: options(
                        &SpendingTier::ALL,
                        SpendingTier::as_str,
                        SpendingTier::label,
                    ),
                    kinds: options(&ProjectKind::ALL, ProjectKind::as_str, ProjectKind::label),
                    can_create: id.actor.org.unit.is_some(),
                    can_import: may_create(id.actor.role, Resource::Project),
                    can_clean: id.actor.role == Role::FinanceOfficer,
                    export_link,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

async fn new_form(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = PageCtx::new(&state, &id, uri.path());
    // "Copy last year's structure" (ZB-4): lines without quantities, to be justified again.
    let previous = q.get("from").and_then(|v| v.parse::<i64>().ok());
    let draft = match previous {
        Some(prev) => match state.app.library().copy_structure(&id.caller(), prev).await {
            Ok(d) => d,
            Err(e) => return error_page(&id, uri.path(), &e),
        },
        None => ProjectDraft {
            kind: "specific_purpose".into(),
            is_new: true,
            ..ProjectDraft::default()
        },
    };
    let input = FormInput::new_project(previous, draft, FieldErrors::default());
    form_page(&ctx, input, None, StatusCode::OK).await
}

async fn create(
    Page { state, id, uri }: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let standards = form_standards(&state, &id).await;
    let (draft, _) = draft_from(&pairs, &standards);
    let previous = pairs
        .iter()
        .find(|(k, _)| k == "previous_id")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let result = async {
        let unit = id.actor.org.unit.ok_or_else(|| {
            AppError::Refused(lingji_domain::Refusal::new(
                "UNIT_REQUIRED",
                "只有预算单位可新建项目",
            ))
        })?;
        let year = current_fiscal_year(&state, &id).await?;
        check_typed(&state, &id, &pairs, None, &standards).await?;
        state
            .app
            .library()
            .create_project(&id.caller(), unit, year, &draft, previous)
            .await
    };
    let done = result
        .await
        .map(|p| format!("/projects/{}?msg=created", p.project.id));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let ctx = PageCtx::new(&state, &id, uri.path());
        let errors = errors_for(&e, &draft);
        let input = FormInput {
            typed: pairs.clone(),
            ..FormInput::new_project(previous, draft, errors)
        };
        form_page(&ctx, input, None, crate::problem::status_of(&e)).await
    })
    .await
}

pub(crate) async fn stored(
    state: &AppState,
    id: &crate::identity::Identity,
    project_id: i64,
    check: bool,
) -> AppResult<FormInput> {
    let (detail, history) = state
        .app
        .library()
        .project(&id.caller(), project_id)
        .await?;
    let problems = if check {
        Some(
            state
                .app
                .library()
                .check_project(&id.caller(), project_id)
                .await?
                .into_iter()
                .map(|r| said(&r))
                .collect(),
        )
    } else {
        None
    };
    Ok(FormInput {
        draft: ProjectDraft::of(&detail),
        amounts: detail
            .cost_lines
            .iter()
            .map(|l| l.amount.to_yuan_display())
            .collect(),
        version: detail.project.version,
        previous: detail.project.header.previous_id,
        project: Some(detail.project),
        history,
        problems,
        errors: FieldErrors::default(),
        attachment_error: String::new(),
        typed: Vec::new(),
    })
}

async fn show(
    Page { state, id, uri }: Page,
    Path(project_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = PageCtx::new(&state, &id, uri.path());
    match stored(&state, &id, project_id, q.contains_key("check")).await {
        Ok(input) => form_page(&ctx, input, flash_from(&q), StatusCode::OK).await,
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

async fn save(
    Page { state, id, uri }: Page,
    Path(project_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let standards = form_standards(&state, &id).await;
    let (draft, version) = draft_from(&pairs, &standards);
    let done = async {
        let library = state.app.library();
        let (stored, _) = library.project(&id.caller(), project_id).await?;
        check_typed(&state, &id, &pairs, Some(&stored.project), &standards).await?;
        library
            .update_project(&id.caller(), project_id, &draft, version)
            .await
    }
    .await
    .map(|_| format!("/projects/{project_id}?msg=saved"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let errors = errors_for(&e, &draft);
        let ctx = PageCtx::new(&state, &id, uri.path());
        stored_again(&ctx, project_id, &e, |input| FormInput {
            draft,
            amounts: Vec::new(),
            errors,
            version,
            typed: pairs.clone(),
            ..input
        })
        .await
    })
    .await
}

/// The catalogue the form's 支出标准 codes are read against; when it cannot be read every typed
/// code is refused beside its cell, never dropped.
async fn form_standards(
    state: &AppState,
    id: &crate::identity::Identity,
) -> Vec<lingji_domain::library::cost::Standard> {
    state
        .app
        .library()
        .standards(&id.scope())
        .await
        .unwrap_or_default()
}

/// The stored project's page again with a refusal, its content as `shown` changes it.
pub(crate) async fn stored_again(
    ctx: &PageCtx<'_>,
    project_id: i64,
    e: &AppError,
    shown: impl FnOnce(FormInput) -> FormInput,
) -> Response {
    match stored(ctx.state, ctx.id, project_id, false).await {
        Ok(input) => form_page(ctx, shown(input), None, crate::problem::status_of(e)).await,
        Err(e2) => error_page(ctx.id, ctx.path, &e2),
    }
}

async fn move_to(
    Page { state, id, uri }: Page,
    Path(project_id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let to = form.get("to").map(String::as_str).unwrap_or("");
    let note = form.get("note").map(String::as_str).unwrap_or("");
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    let result = async {
        let to = ProjectState::parse(to)?;
        state
            .app
            .library()
            .move_project(&id.caller(), project_id, to, note, version)
            .await
    };
    let done = result.await.map(|p| {
        let state = p.project.header.state.as_str();
        format!("/projects/{project_id}?msg=saved#state-{state}")
    });
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let problems = match &e {
            AppError::Invalid { errors, .. } => errors.iter().map(said).collect(),
            other => vec![FieldErrors::from_error(other, &[]).general.join("；")],
        };
        let ctx = PageCtx::new(&state, &id, uri.path());
        stored_again(&ctx, project_id, &e, |input| FormInput {
            problems: Some(problems),
            ..input
        })
        .await
    })
    .await
}
