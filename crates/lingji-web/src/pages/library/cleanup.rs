//! `/projects/cleanup`: the library's yearly clean-up (ZB-15c, ZB-5d) — the projects due to
//! leave, and finance retiring them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::{AppError, AppResult};

use crate::AppState;
use crate::pages::{
    Layout, Page, answer, current_fiscal_year, error_page, flash_from, forbidden, render,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/projects/cleanup", get(cleanup).post(cleanup_retire))
}

#[derive(Template)]
#[template(path = "cleanup.html")]
struct CleanupPage<'a> {
    layout: &'a Layout,
    candidates: Vec<lingji_app::library::projects::CleanupCandidate>,
    can_retire: bool,
}

async fn cleanup_page(
    state: &AppState,
    id: &crate::identity::Identity,
    path: &str,
    flash: Option<String>,
    error: Option<AppError>,
) -> Response {
    let loaded = async {
        let year = current_fiscal_year(state, id).await?;
        let list = state
            .app
            .library()
            .cleanup_candidates(&id.scope(), year)
            .await?;
        AppResult::Ok((year, list))
    };
    match loaded.await {
        Ok((year, candidates)) => {
            let status = error
                .as_ref()
                .map(crate::problem::status_of)
                .unwrap_or(StatusCode::OK);
            let flash = error
                .map(|e| format!("未能退出：{}", e.refusal().message))
                .or(flash);
            let layout = Layout::new(id, format!("{year} 年度项目库清理"), path).with_flash(flash);
            let can_retire =
                id.actor.role == lingji_domain::foundation::authz::Role::FinanceOfficer;
            render(
                status,
                &CleanupPage {
                    layout: &layout,
                    candidates,
                    can_retire,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn cleanup(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    cleanup_page(&state, &id, uri.path(), flash_from(&q), None).await
}

async fn cleanup_retire(
    Page { state, id, uri }: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let note = pairs
        .iter()
        .find(|(k, _)| k == "note")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let result = async {
        let year = current_fiscal_year(&state, &id).await?;
        state
            .app
            .library()
            .retire_candidates(&id.scope(), year, &ids, note)
            .await
    };
    let done = result
        .await
        .map(|_| "/projects/cleanup?msg=saved".to_string());
    answer(&id, uri.path(), forbidden, done, async |e| {
        cleanup_page(&state, &id, uri.path(), None, Some(e)).await
    })
    .await
}
