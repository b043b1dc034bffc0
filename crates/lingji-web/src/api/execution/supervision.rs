//! `/api/v1/supervision…`: penetrating supervision (ZX-2) — the projects at or above the
//! profile's threshold, and one project's whole trace, for finance and audit.

use axum::Json;
use lingji_app::execution::supervision::{Supervised, Trace};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiPath, Cx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(flagged))
        .routes(routes!(trace))
}

/// Projects whose request or budget reaches the penetrating-supervision threshold (ZX-2),
/// largest first, with the threshold.
#[utoipa::path(get, path = "/supervision", tag = "payments",
    responses((status = 200, body = lingji_app::execution::supervision::Supervised), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn flagged(cx: Cx) -> ApiResult<Json<Supervised>> {
    Ok(Json(cx.supervision().supervised(&cx.scope).await?))
}

/// One project's whole trace: history, reviews, allocation, lines, payments, rule hits,
/// suspensions, adjustments, evaluation (ZX-2).
#[utoipa::path(get, path = "/supervision/{id}", tag = "payments", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = lingji_app::execution::supervision::Trace), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn trace(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<Trace>> {
    Ok(Json(cx.supervision().trace(&cx.scope, project).await?))
}
