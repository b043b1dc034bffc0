//! `/province`: 下级汇总 — an upper bureau's dashboard over its own jurisdiction and every one
//! below (budget and execution against time, rule hits and stopped payments, project changes,
//! evaluation grades), and `/province/{region}`: one jurisdiction's year in figures.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::AppResult;
use lingji_app::execution::annual_report::AnnualReport;
use lingji_app::execution::province::ProvinceDashboard;
use lingji_domain::foundation::levels::JurisdictionNode;

use crate::AppState;
use crate::pages::{Layout, Page, beijing, error_page, render, year_of};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/province", get(dashboard))
        .route("/province/{region}", get(one))
}

#[derive(Template)]
#[template(path = "province.html")]
struct DashboardPage<'a> {
    layout: &'a Layout,
    d: ProvinceDashboard,
    /// When it was computed, in Beijing time.
    computed_at: String,
}

async fn dashboard(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let built: AppResult<ProvinceDashboard> = async {
        let year = year_of(&state, &id, &q).await?;
        state
            .app
            .year_end()
            .province_dashboard(&id.scope(), year)
            .await
    }
    .await;
    match built {
        Ok(d) => {
            let layout = Layout::new(&id, format!("{} 年度下级汇总", d.fiscal_year), uri.path());
            let computed_at = beijing(&d.computed_at);
            render(
                StatusCode::OK,
                &DashboardPage {
                    layout: &layout,
                    d,
                    computed_at,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

#[derive(Template)]
#[template(path = "province_one.html")]
struct OnePage<'a> {
    layout: &'a Layout,
    j: JurisdictionNode,
    r: AnnualReport,
}

async fn one(
    Page { state, id, uri }: Page,
    Path(region): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let built = async {
        let year = year_of(&state, &id, &q).await?;
        state
            .app
            .year_end()
            .jurisdiction_report(&id.scope(), &region, year)
            .await
    }
    .await;
    match built {
        Ok((j, r)) => {
            let layout = Layout::new(
                &id,
                format!("{} {} 年度情况", j.name, r.fiscal_year),
                "/province",
            );
            render(
                StatusCode::OK,
                &OnePage {
                    layout: &layout,
                    j,
                    r,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
