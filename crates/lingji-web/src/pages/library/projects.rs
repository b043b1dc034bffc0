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
use lingji_app::store::library::projects::Project;
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Resource, Role, may_create};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{MatterClass, ProjectKind, ProjectState};

use super::project_form::{FormInput, check_typed, draft_from, errors_for, form_page};
use crate::AppState;
use crate::api::library::projects::ProjectQuery;
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
    states: Options,
    classes: Options,
    tiers: Options,
    kinds: Options,
    next_page: Option<String>,
    can_create: bool,
    can_import: bool,
    can_clean: bool,
    export_link: String,
}

/// The filters as the form shows them.
#[derive(Default)]
struct ProjectQueryView {
    year: String,
    state: String,
    matter_class: String,
    tier: String,
    kind: String,
    q: String,
}

const PAGE: i64 = 50;

/// The query of what the list shows, for its next page and its export.
fn query_of(v: &ProjectQueryView) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "year={}&state={}&matter_class={}&tier={}&kind={}&q={}",
        enc(&v.year),
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

async fn list(Page { state, id, uri }: Page, Query(q): Query<ProjectQuery>) -> Response {
    let view = ProjectQueryView {
        year: q.year.map(|y| y.to_string()).unwrap_or_default(),
        state: q.state.clone().unwrap_or_default(),
        matter_class: q.matter_class.clone().unwrap_or_default(),
        tier: q.tier.clone().unwrap_or_default(),
        kind: q.kind.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
    };
    let loaded = async {
        let mut filter = q.filter(id.actor.org.jurisdiction).map_err(|e| e.0)?;
        filter.limit = PAGE;
        state
            .app
            .library()
            .list_projects(&id.caller(), filter)
            .await
    };
    match loaded.await {
        Ok(projects) => {
            let next_page = (projects.len() as i64 == PAGE).then(|| {
                let last = projects.last().map(|p| p.id).unwrap_or_default();
                format!("/projects?{}&after={last}", query_of(&view))
            });
            let export_link = export_link(&view);
            let layout = Layout::new(&id, "项目库", uri.path());
            render(
                StatusCode::OK,
                &ListPage {
                    layout: &layout,
                    projects,
                    q: view,
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
                    next_page,
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
    let (draft, _) = draft_from(&pairs);
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
        check_typed(&state, &id, &pairs, None).await?;
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
    let (draft, version) = draft_from(&pairs);
    let done = async {
        let library = state.app.library();
        let (stored, _) = library.project(&id.caller(), project_id).await?;
        check_typed(&state, &id, &pairs, Some(&stored.project)).await?;
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
