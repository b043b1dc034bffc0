//! `/api/v1/transfers…`, `/api/v1/lower-performance…` and `/api/v1/transfer-receipts`: transfers
//! between levels (issue 21; PM-10, PM-13b, ZB-10). An upper's finance records each lower
//! government's comprehensive performance score, sets up a transfer fund by factors and cost
//! shares and approves it; each lower's finance reads what it received and breaks it down into
//! upper-transfer lines (`POST /api/v1/budget-lines` with the receipt's document, ZB-7a).

use axum::Json;
use lingji_app::allocation::transfers::{
    Approved, LowerScore, ReceiptView, TransferInput, TransferView,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, Year, YearQuery, created};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_transfers, create_transfer))
        .routes(routes!(get_transfer))
        .routes(routes!(approve_transfer))
        .routes(routes!(lower_performance))
        .routes(routes!(record_score))
        .routes(routes!(receipts))
}

/// The year's transfer funds of the caller's jurisdiction, newest first, each with its factors
/// and its division among the jurisdictions below (finance; audit reads).
#[utoipa::path(get, path = "/transfers", tag = "allocation", params(YearQuery),
    responses((status = 200, body = Vec<TransferView>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_transfers(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<TransferView>>> {
    Ok(Json(cx.allocation().transfers(&cx.scope, year).await?))
}

/// Sets up a transfer fund (finance): its document number is generated from the prefix, the
/// year and the jurisdiction's next serial (e.g. 湘财预〔2026〕12号). Refused unless it divides
/// now: weights adding up to 100%, every lower's values, and every lower scored when the
/// performance factor weighs (PM-13b).
#[utoipa::path(post, path = "/transfers", tag = "allocation", request_body = TransferInput,
    responses((status = 201, body = TransferView), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create_transfer(
    cx: Cx,
    ApiJson(body): ApiJson<TransferInput>,
) -> ApiResult<Created<TransferView>> {
    created(cx.allocation().create_transfer(&cx.scope, &body).await?)
}

/// One transfer fund with its division (a draft: as it would divide now; approved: what each
/// lower received and has broken down into lines so far).
#[utoipa::path(get, path = "/transfers/{id}", tag = "allocation",
    params(("id" = i64, Path, description = "transfer fund id")),
    responses((status = 200, body = TransferView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_transfer(cx: Cx, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<TransferView>> {
    Ok(Json(cx.allocation().transfer(&cx.scope, id).await?))
}

/// Approves a draft fund (finance): in one transaction each lower jurisdiction receives its part
/// under the fund's document number, audited there and here.
#[utoipa::path(post, path = "/transfers/{id}/approve", tag = "allocation",
    params(("id" = i64, Path, description = "transfer fund id")),
    responses((status = 200, body = Approved), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn approve_transfer(cx: Cx, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Approved>> {
    Ok(Json(cx.allocation().approve_transfer(&cx.scope, id).await?))
}

/// The jurisdictions below the caller's with their comprehensive fiscal performance score and
/// grade of the year (PM-10; finance and audit of the upper).
#[utoipa::path(get, path = "/lower-performance", tag = "performance", params(YearQuery),
    responses((status = 200, body = Vec<LowerScore>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn lower_performance(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<LowerScore>>> {
    Ok(Json(cx.allocation().lower_scores(&cx.scope, year).await?))
}

/// A lower government's score of a year.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub year: i32,
    /// 0–100 with at most two decimals ("92.5").
    pub score: String,
}

/// Records or corrects the comprehensive fiscal performance score of the jurisdiction `id`
/// below the caller's (finance), graded by the profile's bands (PM-10, NAT-10); audited.
#[utoipa::path(put, path = "/lower-performance/{id}", tag = "performance",
    params(("id" = i64, Path, description = "lower jurisdiction id")), request_body = ScoreInput,
    responses((status = 200, body = LowerScore), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn record_score(
    cx: Cx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ScoreInput>,
) -> ApiResult<Json<LowerScore>> {
    Ok(Json(
        cx.allocation()
            .record_lower_score(&cx.scope, body.year, id, &body.score)
            .await?,
    ))
}

/// Which year, and which jurisdiction below the caller's (an upper's finance reading a lower's).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// Budget year; the jurisdiction's current year when absent.
    pub year: Option<i32>,
    /// 区划 code of a jurisdiction below the caller's; the caller's own when absent.
    pub region: Option<String>,
}

/// What the jurisdiction received from the ones above it in the year, each with what is broken
/// down into upper-transfer lines so far and what is left (待分解).
#[utoipa::path(get, path = "/transfer-receipts", tag = "allocation", params(ReceiptQuery),
    responses((status = 200, body = Vec<ReceiptView>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn receipts(
    cx: Cx,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> ApiResult<Json<Vec<ReceiptView>>> {
    let scope = match q.region.as_deref() {
        Some(region) => cx.foundation().scope_below(&cx.scope, region).await?,
        None => cx.scope.clone(),
    };
    let year = cx
        .foundation()
        .year_or_current(scope.jurisdiction, q.year)
        .await?;
    Ok(Json(cx.allocation().transfer_receipts(&scope, year).await?))
}
