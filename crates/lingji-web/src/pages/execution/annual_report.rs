//! `/annual-report`: 年度报告 — the year in figures for finance and audit, each figure linking to
//! the list it counts, the execution held against the ledger, the steps not yet taken named.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::AppResult;
use lingji_app::execution::annual_report::AnnualReport;

use crate::AppState;
use crate::pages::{Layout, Page, beijing, error_page, render, year_of};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/annual-report", get(page))
}

#[derive(Template)]
#[template(path = "annual_report.html")]
struct AnnualReportPage<'a> {
    layout: &'a Layout,
    r: AnnualReport,
    /// When the year was closed, in Beijing time.
    closed_at: String,
}

async fn page(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let built: AppResult<AnnualReport> = async {
        let year = year_of(&state, &id, &q).await?;
        state.app.year_end().annual_report(&id.scope(), year).await
    }
    .await;
    match built {
        Ok(r) => {
            let layout = Layout::new(&id, format!("{} 年度报告", r.fiscal_year), uri.path());
            let closed_at = r
                .recovered
                .closed_at
                .as_deref()
                .map(beijing)
                .unwrap_or_default();
            render(
                StatusCode::OK,
                &AnnualReportPage {
                    layout: &layout,
                    r,
                    closed_at,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
