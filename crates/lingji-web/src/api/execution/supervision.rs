//! `/api/v1/supervision…`: penetrating supervision (ZX-2) — the projects at or above the
//! profile's threshold, and one project's whole trace, for finance and audit.

use crate::api::ApiPath;
use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::identity::ApiUser;
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
async fn flagged(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
) -> ApiResult<Json<lingji_app::execution::supervision::Supervised>> {
    let v = state.app.supervision().supervised(&id.scope()).await?;
    Ok(Json(v))
}

/// One project's whole trace: history, reviews, allocation, lines, payments, rule hits,
/// suspensions, adjustments, evaluation (ZX-2).
#[utoipa::path(get, path = "/supervision/{id}", tag = "payments", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = lingji_app::execution::supervision::Trace), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn trace(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(project): ApiPath<i64>,
) -> ApiResult<Json<lingji_app::execution::supervision::Trace>> {
    let v = state.app.supervision().trace(&id.scope(), project).await?;
    Ok(Json(v))
}
