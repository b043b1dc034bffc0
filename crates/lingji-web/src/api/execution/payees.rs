//! `/api/v1/payees`: the payees the caller has paid before, for the payment form's picker.

use axum::Json;
use lingji_app::execution::payees::PayeeRow;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiQuery, Cx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_payees))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayeeQuery {
    /// Only payees whose name contains this text (at most 50 characters).
    pub q: Option<String>,
}

/// Known payees, most recently paid first, at most 50: distinct name, type and account of the
/// payments the caller may see (a unit its own, a department its units', finance and audit
/// the jurisdiction's).
#[utoipa::path(get, path = "/payees", tag = "payments", params(PayeeQuery),
    responses((status = 200, body = Vec<lingji_app::execution::payees::PayeeRow>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_payees(cx: Cx, ApiQuery(q): ApiQuery<PayeeQuery>) -> ApiResult<Json<Vec<PayeeRow>>> {
    let rows = cx
        .execution()
        .known_payees(&cx.scope, q.q.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(rows))
}
