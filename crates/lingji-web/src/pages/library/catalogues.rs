//! The catalogues a project is written against: `/standards`, the expenditure standards, and
//! `/indicators`, the performance indicator library.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_domain::library::cost::Standard;
use lingji_domain::library::targets::{Comparator, IndicatorCategory};

use crate::AppState;
use crate::pages::{Layout, Page, error_page, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/standards", get(standards))
        .route("/indicators", get(indicator_library))
}

#[derive(Template)]
#[template(path = "standards.html")]
struct StandardsPage<'a> {
    layout: &'a Layout,
    groups: Vec<(&'static str, Vec<Standard>)>,
}

async fn standards(Page { state, id, uri }: Page) -> Response {
    match state.app.library().standards(&id.scope()).await {
        Ok(all) => {
            let mut groups: Vec<(&'static str, Vec<Standard>)> = Vec::new();
            for s in all {
                match groups.last_mut() {
                    Some((label, list)) if *label == s.category.label() => list.push(s),
                    _ => groups.push((s.category.label(), vec![s])),
                }
            }
            let layout = Layout::new(&id, "支出标准目录", uri.path());
            render(
                StatusCode::OK,
                &StandardsPage {
                    layout: &layout,
                    groups,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage<'a> {
    layout: &'a Layout,
    library: Vec<lingji_app::store::library::standards::LibraryIndicator>,
}

impl IndicatorsPage<'_> {
    fn category(&self, id: &str) -> &'static str {
        IndicatorCategory::parse(id)
            .map(|c| c.label())
            .unwrap_or("")
    }

    fn comparator(&self, id: &str) -> &'static str {
        Comparator::parse(id).map(|c| c.label()).unwrap_or("")
    }
}

async fn indicator_library(Page { state, id, uri }: Page) -> Response {
    match state.app.catalogues().indicator_library(&id.scope()).await {
        Ok(library) => {
            let layout = Layout::new(&id, "绩效指标库", uri.path());
            render(
                StatusCode::OK,
                &IndicatorsPage {
                    layout: &layout,
                    library,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
