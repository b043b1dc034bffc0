//! `/performance/results` and `/publications`: finance applies evaluation results to next
//! year's budget (PM-13, CS-5b, QJ-5b) and decides what the public sees (PM-5, QJ-5c).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::AppError;
use lingji_app::disclosure::{PublicItem, PublicationKind, PublishDraft};
use lingji_app::performance::results::{ApplyDraft, Results, RetireDraft};
use lingji_domain::Refusal;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::performance::{may_decide, performance_year};
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, render, year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/performance/results", get(results).post(apply))
        .route("/performance/results/policies", post(retire))
        .route("/publications", get(publications).post(publish))
        .route("/publications/{id}/withdraw", post(withdraw))
}

#[derive(Template)]
#[template(path = "performance_results.html")]
struct ResultsPage<'a> {
    layout: &'a Layout,
    r: Results,
    may_apply: bool,
    errors: FieldErrors,
}

async fn show_results(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let path = "/performance/results";
    let built = async {
        let year = performance_year(state, id, q).await?;
        state.app.performance().results(&id.scope(), year).await
    }
    .await;
    match built {
        Ok(r) => {
            let layout = Layout::new(id, "绩效结果应用", path).with_flash(flash_from(q));
            render(
                status,
                &ResultsPage {
                    layout: &layout,
                    r,
                    may_apply: may_decide(id),
                    errors,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn results(
    Page { state, id, .. }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    show_results(&state, &id, &q, StatusCode::OK, FieldErrors::default()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ApplyForm {
    year: String,
    project_id: String,
    cut: String,
    retire: String,
    reason: String,
}

async fn apply(Page { state, id, uri }: Page, Form(form): Form<ApplyForm>) -> Response {
    let done = async {
        let project_id = form.project_id.trim().parse::<i64>().map_err(|_| {
            AppError::from(Refusal::new("RESULT_NOT_EVALUATED", "请选择项目").field("project_id"))
        })?;
        let year = year_or_current(&state, &id, form.year.trim().parse().ok()).await?;
        let draft = ApplyDraft {
            project_id,
            cut: form.cut.clone(),
            retire: form.retire == "on" || form.retire == "1",
            reason: form.reason.clone(),
        };
        state
            .app
            .performance()
            .apply_result(&id.scope(), year, &draft)
            .await
    }
    .await;
    let done = done.map(|_| results_saved(&form.year));
    answer(&id, uri.path(), forbidden, done, async |e| {
        results_again(&state, &id, &BTreeMap::new(), &e).await
    })
    .await
}

/// Where a saved results form leads: the results of its year.
fn results_saved(year: &str) -> String {
    format!("/performance/results?year={}&msg=saved", year.trim())
}

/// The results page again with a refusal of one of its forms.
async fn results_again(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
    e: &AppError,
) -> Response {
    let errors = FieldErrors::from_error(e, &[]);
    show_results(state, id, q, crate::problem::status_of(e), errors).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RetireForm {
    year: String,
    target_id: String,
    reason: String,
}

async fn retire(Page { state, id, uri }: Page, Form(form): Form<RetireForm>) -> Response {
    let q: BTreeMap<String, String> = [("year".to_string(), form.year.clone())].into();
    let done = async {
        let year = performance_year(&state, &id, &q).await?;
        let draft = RetireDraft {
            target_id: form.target_id.trim().parse().unwrap_or_default(),
            reason: form.reason.clone(),
        };
        state
            .app
            .performance()
            .retire_policy(&id.scope(), year, &draft)
            .await
    }
    .await;
    let done = done.map(|_| results_saved(&form.year));
    answer(&id, uri.path(), forbidden, done, async |e| {
        results_again(&state, &id, &q, &e).await
    })
    .await
}

#[derive(Template)]
#[template(path = "publications.html")]
struct PublicationsPage<'a> {
    layout: &'a Layout,
    year: i32,
    items: Vec<PublicItem>,
    kinds: &'static [PublicationKind],
    may_publish: bool,
    errors: FieldErrors,
}

async fn show_publications(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let path = "/publications";
    let built = async {
        let year = performance_year(state, id, q).await?;
        let items = state
            .app
            .disclosure()
            .publications(&id.scope(), year)
            .await?;
        Ok::<_, AppError>((year, items))
    }
    .await;
    match built {
        Ok((year, items)) => {
            let layout = Layout::new(id, "绩效信息公开", path).with_flash(flash_from(q));
            render(
                status,
                &PublicationsPage {
                    layout: &layout,
                    year,
                    items,
                    kinds: &PublicationKind::ALL,
                    may_publish: may_decide(id),
                    errors,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn publications(
    Page { state, id, .. }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    show_publications(&state, &id, &q, StatusCode::OK, FieldErrors::default()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PublishForm {
    kind: String,
    source: String,
}

async fn publish(Page { state, id, uri }: Page, Form(form): Form<PublishForm>) -> Response {
    let done = match PublicationKind::parse(&form.kind) {
        Some(kind) => {
            let draft = PublishDraft {
                kind,
                source: form.source,
            };
            state.app.disclosure().publish(&id.scope(), &draft).await
        }
        None => Err(Refusal::new("PUBLICATION_KIND_UNKNOWN", "请选择公开类别")
            .field("kind")
            .into()),
    };
    let done = done.map(|_| "/publications?msg=saved".to_string());
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldErrors::from_error(&e, &["kind", "source"]);
        let status = crate::problem::status_of(&e);
        show_publications(&state, &id, &BTreeMap::new(), status, errors).await
    })
    .await
}

async fn withdraw(Page { state, id, uri }: Page, Path(item): Path<i64>) -> Response {
    match state.app.disclosure().withdraw(&id.scope(), item).await {
        Ok(()) => Redirect::to("/publications?msg=saved").into_response(),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
