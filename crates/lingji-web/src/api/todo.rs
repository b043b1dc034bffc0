//! `/todo`: the caller's 待办, the same list as the home page.

use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::Cx;
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(todo))
}

/// What waits for the caller, by kind (held payments, rule hits to verify, plans and
/// adjustments to review, projects to review or returned with the reason, monitoring
/// warnings, self-evaluations due, results to confirm): only the kinds the caller's role
/// does, each counted, linked and with its first few named.
#[utoipa::path(get, path = "/todo", tag = "auth",
    responses((status = 200, body = lingji_app::todo::Todo), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn todo(cx: Cx) -> ApiResult<Json<lingji_app::todo::Todo>> {
    Ok(Json(cx.todo().todo(&cx.scope).await?))
}
