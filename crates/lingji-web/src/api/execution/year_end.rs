//! `/api/v1/year-end`: the year-end close (ZB-6d, QJ-4b, ZX-3c, CS-6) — a trial, the close
//! itself (once per year; a second run changes nothing), and the report by department.

use axum::Json;
use lingji_app::execution::year_end::{ContractClaim, YearEndReport};
use lingji_domain::Money;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, Cx, Year, YearQuery};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_close, close_year))
}

/// A signed contract backing operating money (ZB-6d).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    pub line_id: i64,
    /// 合同编号.
    pub contract_no: String,
    #[schema(value_type = String)]
    pub amount: Money,
}

/// The close as finance asks for it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// Year to close; the current year when absent.
    #[serde(default)]
    pub year: Option<i32>,
    /// Contracts that back operating money.
    #[serde(default)]
    pub contracts: Vec<ContractInput>,
    /// False (the default) for a trial that writes nothing.
    #[serde(default)]
    pub record: bool,
}

/// Tries or runs the year-end close (finance): every line's available balance is carried over
/// (a line next year with its age) or recovered, by the profile. A closed year answers with
/// its report and `already_closed`, changing nothing.
#[utoipa::path(post, path = "/year-end", tag = "payments", request_body = CloseInput,
    responses((status = 200, body = lingji_app::execution::year_end::YearEndReport), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn close_year(cx: Cx, ApiJson(b): ApiJson<CloseInput>) -> ApiResult<Json<YearEndReport>> {
    let year = cx.year(b.year).await?;
    let claims: Vec<ContractClaim> = b
        .contracts
        .into_iter()
        .map(|c| ContractClaim {
            line_id: c.line_id,
            contract_no: c.contract_no,
            amount: c.amount,
        })
        .collect();
    let r = cx
        .year_end()
        .close_year(&cx.scope, year, &claims, b.record)
        .await?;
    Ok(Json(r))
}

/// The recorded close of a year by department and line (finance, audit); 404 before it.
#[utoipa::path(get, path = "/year-end", tag = "payments", params(YearQuery),
    responses((status = 200, body = lingji_app::execution::year_end::YearEndReport), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_close(cx: Cx, Year(year): Year) -> ApiResult<Json<YearEndReport>> {
    Ok(Json(cx.year_end().year_end_report(&cx.scope, year).await?))
}
