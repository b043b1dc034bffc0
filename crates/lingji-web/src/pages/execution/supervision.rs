//! `/supervision`: penetrating supervision (ZX-2) — the flagged projects, and
//! `/supervision/{id}`, one project's whole trace on one page for finance and audit.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::execution::supervision::{Supervised, Trace};
use lingji_domain::Money;

use crate::AppState;
use crate::pages::{Layout, Page, error_page, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(list))
        .route("/supervision/{id}", get(show))
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    s: Supervised,
}

impl ListPage<'_> {
    fn yuan(&self, fen: &i64) -> String {
        Money::from_fen(*fen).to_yuan_display()
    }
}

async fn list(Page { state, id, uri }: Page) -> Response {
    match state.app.supervision().supervised(&id.scope()).await {
        Ok(s) => {
            let layout = Layout::new(&id, "穿透式监管", uri.path());
            render(StatusCode::OK, &ListPage { layout: &layout, s })
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

#[derive(Template)]
#[template(path = "supervision_trace.html")]
struct TracePage<'a> {
    layout: &'a Layout,
    t: Trace,
}

impl TracePage<'_> {
    fn yuan(&self, fen: &i64) -> String {
        Money::from_fen(*fen).to_yuan_display()
    }
}

async fn show(Page { state, id, uri }: Page, Path(project): Path<i64>) -> Response {
    match state.app.supervision().trace(&id.scope(), project).await {
        Ok(t) => {
            let layout = Layout::new(&id, format!("全流程追溯：{}", t.head.name), uri.path());
            render(StatusCode::OK, &TracePage { layout: &layout, t })
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
