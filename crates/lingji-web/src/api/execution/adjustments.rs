//! `/api/v1/adjustments…`: budget adjustments in execution — transfers between lines (调剂)
//! and supplements for library projects (追加), ZB-7b, QJ-2a — finance's decision, and the
//! amendment document for the people's congress standing committee (QJ-4c), also as .xlsx.

use axum::Json;
use axum::response::Response;
use lingji_app::execution::adjustments::{AdjustmentDraft, AdjustmentView, Amendment};
use lingji_app::store::execution::adjustments::AdjustmentFilter;
use lingji_domain::Money;
use lingji_domain::execution::{AdjustmentKind, AdjustmentStatus};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, Year, YearQuery, created, xlsx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_adjustments, request_adjustment))
        .routes(routes!(decide_adjustment))
        .routes(routes!(amendment))
        .routes(routes!(amendment_xlsx))
}

/// An adjustment as asked for; the amount in 元 as a string.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// transfer (调剂) or supplement (追加).
    #[schema(value_type = lingji_app::schema::AdjustmentKind)]
    pub kind: AdjustmentKind,
    /// Transfer: the line taken from.
    #[serde(default)]
    pub from_line_id: Option<i64>,
    /// Transfer: the line added to; supplement: an existing line of the project (optional).
    #[serde(default)]
    pub to_line_id: Option<i64>,
    /// Supplement: the library project.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// Supplement without a line: economic code of the new line.
    #[serde(default)]
    pub economic_code: Option<String>,
    #[schema(value_type = String)]
    pub amount: Money,
    pub reason: String,
}

/// Asks for an adjustment (units for their own lines and projects, finance for any). A
/// transfer keeps personnel and public expense apart and never moves carried-over money; a
/// supplement needs a library project and, when major, its assessments (ZB-7b, QJ-2a).
#[utoipa::path(post, path = "/adjustments", tag = "payments", request_body = AdjustmentInput,
    responses((status = 201, body = lingji_app::execution::adjustments::AdjustmentView), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn request_adjustment(
    cx: Cx,
    ApiJson(b): ApiJson<AdjustmentInput>,
) -> ApiResult<Created<AdjustmentView>> {
    let draft = AdjustmentDraft {
        kind: b.kind,
        from_line_id: b.from_line_id,
        to_line_id: b.to_line_id,
        project_id: b.project_id,
        economic_code: b.economic_code,
        amount: b.amount,
        reason: b.reason,
    };
    created(cx.execution().request_adjustment(&cx.scope, draft).await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdjustmentQuery {
    /// Budget year; the current year when absent.
    pub year: Option<i32>,
    /// requested, approved or rejected.
    #[param(value_type = Option<lingji_app::schema::AdjustmentStatus>)]
    pub status: Option<String>,
}

/// A year's adjustments by department: a unit its own, a department its units', finance and
/// audit all.
#[utoipa::path(get, path = "/adjustments", tag = "payments", params(AdjustmentQuery),
    responses((status = 200, body = Vec<lingji_app::execution::adjustments::AdjustmentView>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_adjustments(
    cx: Cx,
    ApiQuery(q): ApiQuery<AdjustmentQuery>,
) -> ApiResult<Json<Vec<AdjustmentView>>> {
    let status = crate::api::state_param(
        q.status.as_deref(),
        AdjustmentStatus::parse,
        "ADJUSTMENT_STATUS_UNKNOWN",
        "调整",
    )?;
    let filter = AdjustmentFilter {
        fiscal_year: cx.year(q.year).await?,
        status,
        ..AdjustmentFilter::default()
    };
    Ok(Json(cx.execution().adjustments(&cx.scope, filter).await?))
}

/// Finance's decision.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentDecision {
    /// True to approve (the lines move), false to send back.
    pub approve: bool,
    /// Why (required to send back).
    #[serde(default)]
    pub note: String,
}

/// Approves a requested adjustment — the lines' ledgers move, a cut only if the line still has
/// it available — or sends it back with a note (finance). 409 when decided meanwhile.
#[utoipa::path(post, path = "/adjustments/{id}/decision", tag = "payments", params(("id" = i64, Path)),
    request_body = AdjustmentDecision,
    responses((status = 200, body = lingji_app::execution::adjustments::AdjustmentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn decide_adjustment(
    cx: Cx,
    ApiPath(adjustment): ApiPath<i64>,
    ApiJson(b): ApiJson<AdjustmentDecision>,
) -> ApiResult<Json<AdjustmentView>> {
    let v = cx
        .execution()
        .decide_adjustment(&cx.scope, adjustment, b.approve, &b.note)
        .await?;
    Ok(Json(v))
}

/// The year's amendment document (预算调整方案, QJ-4c): every approved change with totals by
/// department (finance, audit).
#[utoipa::path(get, path = "/adjustments/amendment", tag = "payments", params(YearQuery),
    responses((status = 200, body = lingji_app::execution::adjustments::Amendment), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn amendment(cx: Cx, Year(year): Year) -> ApiResult<Json<Amendment>> {
    Ok(Json(cx.execution().amendment(&cx.scope, year).await?))
}

/// The amendment document as .xlsx: 调整事项 and 部门汇总.
#[utoipa::path(get, path = "/adjustments/amendment.xlsx", tag = "payments", params(YearQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn amendment_xlsx(cx: Cx, Year(year): Year) -> ApiResult<Response> {
    let bytes = cx.execution().amendment_xlsx(&cx.scope, year).await?;
    let ascii = format!("budget-amendment-{year}.xlsx");
    Ok(xlsx(bytes, &ascii, &format!("{year}年预算调整方案.xlsx")))
}
