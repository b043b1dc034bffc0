//! What an API handler works with, read from the request once: the application with the
//! signed-in caller's [`Scope`] ([`Cx`]) and the budget year the request names ([`Year`]).
//! Without a signed-in caller both answer 401 problem+json, as [`ApiUser`] does.

use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use lingji_app::{App, Caller, Scope};
use lingji_domain::foundation::codes::FiscalYear;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::ApiQuery;
use crate::identity::ApiUser;
use crate::problem::{ApiError, ApiResult};

/// The header naming the 区划 code of a jurisdiction below the caller's, to read it (an upper
/// bureau's drill-down); without it a call works in the caller's own jurisdiction.
pub const REGION_HEADER: &str = "x-lingji-region";

/// The application and the signed-in caller in their own jurisdiction. It derefs to the
/// [`App`], so a handler reads `cx.review().review_plan(cx.caller(), id)`.
pub struct Cx {
    pub app: App,
    pub scope: Scope,
}

impl Cx {
    /// The caller, for use cases that take no jurisdiction.
    pub fn caller(&self) -> &Caller {
        &self.scope.caller
    }

    /// `year`, or the jurisdiction's current year when absent.
    pub async fn year(&self, year: Option<i32>) -> ApiResult<i32> {
        Ok(self
            .app
            .foundation()
            .year_or_current(self.scope.jurisdiction, year)
            .await?)
    }

    /// As [`Cx::year`], as a fiscal year; a `year` out of range is refused naming `year`.
    pub async fn fiscal_year(&self, year: Option<i32>) -> ApiResult<FiscalYear> {
        Ok(match year {
            Some(y) => FiscalYear::new(y).map_err(|r| r.field("year"))?,
            None => FiscalYear::new(self.year(None).await?)?,
        })
    }
}

impl Deref for Cx {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl FromRequestParts<AppState> for Cx {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ApiUser(id) = ApiUser::from_request_parts(parts, state).await?;
        let mut scope = id.scope();
        // An upper bureau reads a jurisdiction below it by naming its 区划 code; what it may do
        // there is decided where everything is, in `Actor::authorize` (read, never write).
        if let Some(region) = parts.headers.get(REGION_HEADER) {
            let region = region.to_str().unwrap_or_default();
            scope = state.app.foundation().scope_below(&scope, region).await?;
        }
        Ok(Cx {
            app: state.app.clone(),
            scope,
        })
    }
}

/// Which budget year.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Budget year; the jurisdiction's current year when absent.
    pub year: Option<i32>,
}

/// The budget year of `?year=` ([`YearQuery`]), or the caller's jurisdiction's current year
/// when absent. A year that is not a number is a 400 naming `year`, as [`ApiQuery`] refuses.
pub struct Year(pub i32);

impl FromRequestParts<AppState> for Year {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let cx = Cx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let ApiQuery(q) = ApiQuery::<YearQuery>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        cx.year(q.year)
            .await
            .map(Year)
            .map_err(IntoResponse::into_response)
    }
}
