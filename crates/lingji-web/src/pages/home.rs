//! `/`: what waits for the user (待办), their organisation, fiscal year and the year's calendar.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::AppResult;
use lingji_domain::foundation::codes::FiscalYear;

use super::foundation::calendar::{CalendarItem, calendar};
use super::{Layout, error_page, render};
use crate::AppState;
use crate::pages::Page;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    layout: &'a Layout,
    org_name: String,
    org_kind: &'static str,
    jurisdiction_name: String,
    year: i32,
    profile_label: String,
    calendar: Vec<CalendarItem>,
    /// 待办: what waits for the user, by kind.
    todo: lingji_app::todo::Todo,
}

async fn home(Page { state, id, uri }: Page) -> Response {
    let caller = id.caller();
    let load = async {
        let org = state
            .app
            .foundation()
            .organisation(&caller, id.actor.org.leaf())
            .await?;
        let jurisdiction = state.app.foundation().jurisdiction_of(&id.scope()).await?;
        // The to-do is of the current year; the page shows that year's calendar.
        let todo = state.app.todo().todo(&id.scope()).await?;
        let year = todo.fiscal_year;
        let profile = state
            .app
            .foundation()
            .policy_profile(&id.scope(), FiscalYear::new(year)?)
            .await?;
        AppResult::Ok((org, jurisdiction, year, profile, todo))
    };
    match load.await {
        Ok((org, jurisdiction, year, profile, todo)) => {
            let layout = Layout::new(&id, "首页", uri.path());
            render(
                StatusCode::OK,
                &HomePage {
                    layout: &layout,
                    org_name: org.name,
                    org_kind: org.kind.label(),
                    todo,
                    jurisdiction_name: jurisdiction.name,
                    year,
                    profile_label: format!(
                        "{}（第 {} 版）",
                        lingji_domain::foundation::policy::Preset::parse(&profile.preset)
                            .map(|p| p.label())
                            .unwrap_or("自定义"),
                        profile.version
                    ),
                    calendar: calendar(year, &profile.profile),
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
