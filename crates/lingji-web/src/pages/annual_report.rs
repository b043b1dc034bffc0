//! `/annual-report`: 年度报告 — the year in figures for finance and audit, each figure linking to
//! the list it counts, the execution held against the ledger, the steps not yet taken named.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::FixedOffset;
use lingji_app::AppResult;
use lingji_app::annual_report::AnnualReport;

use super::{Layout, error_page, render};
use crate::AppState;
use crate::identity::PageUser;

pub(super) fn router() -> Router<AppState> {
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

/// A stored time (RFC 3339, UTC) as Beijing time, `2026-12-31 18:05`; the stored text when it
/// does not parse.
fn beijing(t: &str) -> String {
    let east8 = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&east8).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| t.to_string())
}

async fn page(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let jurisdiction = id.actor.org.jurisdiction;
    let built: AppResult<AnnualReport> = async {
        let year = match q.get("year").and_then(|y| y.trim().parse().ok()) {
            Some(y) => y,
            None => state.app.current_year(jurisdiction).await?,
        };
        state
            .app
            .annual_report(&id.caller(), jurisdiction, year)
            .await
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

#[cfg(test)]
mod tests {
    use super::beijing;

    #[test]
    fn stored_utc_times_show_in_beijing_time() {
        assert_eq!(beijing("2026-12-31T16:05:00.000Z"), "2027-01-01 00:05");
        assert_eq!(beijing("not a time"), "not a time");
    }
}
