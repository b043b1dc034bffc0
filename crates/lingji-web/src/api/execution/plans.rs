//! `/api/v1/spending-plans…`: monthly spending plans (用款计划, ZX-4a) filed by units, and
//! finance's review of a month's plans in tier order within the treasury's cash limit.

use axum::Json;
use lingji_app::execution::plans::{PlanDraft, PlanReview, PlanRow, ReviewSummary};
use lingji_app::store::execution::plans::PlanFilter;
use lingji_domain::Money;
use lingji_domain::execution::PlanStatus;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiQuery, Created, Cx, Year, YearQuery, created};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, file_plan))
        .routes(routes!(review_month))
        .routes(routes!(list_reviews))
}

/// A plan as a unit files it; the amount in 元 as a string.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// The unit's budget line.
    pub line_id: i64,
    /// Month 1–12.
    pub month: u32,
    #[schema(value_type = String)]
    pub amount: Money,
    /// 用途.
    pub purpose: String,
}

/// Files a unit's monthly plan for one of its lines (ZX-4a). Refused when what the line has
/// planned and not paid, with this plan, exceeds its available balance.
#[utoipa::path(post, path = "/spending-plans", tag = "payments", request_body = PlanInput,
    responses((status = 201, body = lingji_app::execution::plans::PlanRow), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn file_plan(cx: Cx, ApiJson(body): ApiJson<PlanInput>) -> ApiResult<Created<PlanRow>> {
    let draft = PlanDraft {
        line_id: body.line_id,
        month: body.month,
        amount: body.amount,
        purpose: body.purpose,
    };
    created(cx.execution().file_plan(&cx.scope, draft).await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Budget year; the current year when absent.
    pub year: Option<i32>,
    /// Only this month.
    pub month: Option<u32>,
    /// filed, approved, partial or deferred.
    #[param(value_type = Option<lingji_app::schema::PlanStatus>)]
    pub status: Option<String>,
}

/// Plans by month then filing: a unit its own, a department its units', finance and audit all.
#[utoipa::path(get, path = "/spending-plans", tag = "payments", params(PlanQuery),
    responses((status = 200, body = Vec<lingji_app::execution::plans::PlanRow>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_plans(cx: Cx, ApiQuery(q): ApiQuery<PlanQuery>) -> ApiResult<Json<Vec<PlanRow>>> {
    let filter = PlanFilter {
        fiscal_year: cx.year(q.year).await?,
        month: q.month,
        status: crate::api::state_param(
            q.status.as_deref(),
            PlanStatus::parse,
            "PLAN_STATUS_UNKNOWN",
            "用款计划",
        )?,
        ..PlanFilter::default()
    };
    Ok(Json(cx.execution().plans(&cx.scope, filter).await?))
}

/// A month's review as finance asks for it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// Budget year; the current year when absent.
    #[serde(default)]
    pub year: Option<i32>,
    /// Month 1–12.
    pub month: u32,
    /// The treasury's cash limit for the month (国库库款限额).
    #[schema(value_type = String)]
    pub cash_limit: Money,
    /// False (the default) for a dry run that records nothing.
    #[serde(default)]
    pub record: bool,
}

/// Reviews a month's filed plans within the cash limit (ZX-4a): 三保 (disaster relief first),
/// debt, key priorities, general (personnel-related first), others; QJ-4a subjects first inside
/// a tier. `record: false` shows what each plan would get; `record: true` decides them, adds
/// the approved amounts to the plan balances and is audited (409 when someone reviewed first).
#[utoipa::path(post, path = "/spending-plans/review", tag = "payments", request_body = ReviewInput,
    responses((status = 200, body = lingji_app::execution::plans::PlanReview), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn review_month(cx: Cx, ApiJson(body): ApiJson<ReviewInput>) -> ApiResult<Json<PlanReview>> {
    let month = (cx.year(body.year).await?, body.month);
    let review = cx
        .execution()
        .review_month(&cx.scope, month, body.cash_limit, body.record)
        .await?;
    Ok(Json(review))
}

/// The year's recorded reviews, newest first (finance, audit).
#[utoipa::path(get, path = "/spending-plans/reviews", tag = "payments", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::execution::plans::ReviewSummary>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_reviews(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<ReviewSummary>>> {
    Ok(Json(cx.execution().plan_reviews(&cx.scope, year).await?))
}
