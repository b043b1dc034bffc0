//! `/api/v1/province-dashboard` and `/api/v1/jurisdictions`: what an upper bureau gathers from
//! the jurisdictions below it (issue 21). Any other route reads one jurisdiction below when the
//! request names its 区划 code in `X-Lingji-Region` (`api::cx`).

use axum::Json;
use lingji_app::execution::province::ProvinceDashboard;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, Created, Cx, Year, YearQuery, created};
use crate::problem::{ApiResult, Problem};
use lingji_app::foundation::levels::NewLowerJurisdiction;
use lingji_domain::foundation::levels::JurisdictionNode;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(province_dashboard))
        .routes(routes!(jurisdictions, add_lower))
}

/// Each jurisdiction of the caller's tree — its own and every one below — in the figures of the
/// year: budget, paid and the execution rate against time, rule hits and stopped payments,
/// year-on-year project changes, key evaluations by grade, with the sums. Computed when asked
/// from each jurisdiction's ledger (finance and audit).
#[utoipa::path(get, path = "/province-dashboard", tag = "reports", params(YearQuery),
    responses((status = 200, body = ProvinceDashboard), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn province_dashboard(cx: Cx, Year(year): Year) -> ApiResult<Json<ProvinceDashboard>> {
    Ok(Json(
        cx.year_end().province_dashboard(&cx.scope, year).await?,
    ))
}

/// A jurisdiction of the deployment as its upper sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionDto {
    pub id: i64,
    /// 区划 code.
    pub region: String,
    pub name: String,
    #[schema(value_type = lingji_app::schema::JurisdictionLevel)]
    pub level: lingji_domain::foundation::levels::JurisdictionLevel,
    /// 省级 / 市级 / 县级.
    pub level_label: &'static str,
    /// The id of the jurisdiction directly above.
    pub upper: Option<i64>,
}

/// The caller's jurisdiction and every one below it, in 区划 code order.
#[utoipa::path(get, path = "/jurisdictions", tag = "organisations",
    responses((status = 200, body = Vec<JurisdictionDto>), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn jurisdictions(cx: Cx) -> ApiResult<Json<Vec<JurisdictionDto>>> {
    let tree = cx.foundation().jurisdiction_tree(&cx.scope).await?;
    Ok(Json(tree.into_iter().map(JurisdictionDto::from).collect()))
}

impl From<JurisdictionNode> for JurisdictionDto {
    fn from(j: JurisdictionNode) -> Self {
        JurisdictionDto {
            id: j.id,
            region: j.region,
            name: j.name,
            level: j.level,
            level_label: j.level.label(),
            upper: j.upper,
        }
    }
}

/// Adds a jurisdiction directly below the caller's, with its current year on the caller's
/// profile and its first administrator, all or nothing (administrators).
#[utoipa::path(post, path = "/jurisdictions", tag = "organisations",
    request_body = NewLowerJurisdiction,
    responses((status = 201, body = JurisdictionDto), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn add_lower(
    cx: Cx,
    ApiJson(new): ApiJson<NewLowerJurisdiction>,
) -> ApiResult<Created<JurisdictionDto>> {
    created(
        cx.foundation()
            .add_lower_jurisdiction(&cx.scope, &new)
            .await?
            .into(),
    )
}
