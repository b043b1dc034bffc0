//! `/api/v1/pools…`: fund pools 资金池 (ZX-3b, ZB-10, ZB-12) — finance merges special funds of
//! several departments into a pool with a lead department and a deadline, units apply with
//! their projects, finance allocates the pool in one decision; the pool as .xlsx.

use axum::Json;
use axum::response::Response;
use lingji_app::allocation::pools::{
    AllocationInput, ApplicationInput, MemberInput, PoolInput, PoolView,
};
use lingji_app::store::allocation::pools::Application;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, Created, Cx, Year, YearQuery, created, xlsx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_pools, create_pool))
        .routes(routes!(get_pool, update_pool))
        .routes(routes!(apply))
        .routes(routes!(allocate))
        .routes(routes!(pool_xlsx))
}

/// The year's fund pools with their members, size, applications (those the caller may read)
/// and allocation.
#[utoipa::path(get, path = "/pools", tag = "allocation", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::allocation::pools::PoolView>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_pools(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<PoolView>>> {
    Ok(Json(cx.allocation().fund_pools(&cx.scope, year).await?))
}

/// Creates a pool of special funds from the registry (finance); a fund already in a pool of
/// the year, a single department or a lead outside the members is refused (ZX-3b).
#[utoipa::path(post, path = "/pools", tag = "allocation",
    request_body = lingji_app::allocation::pools::PoolInput,
    responses((status = 201, body = lingji_app::allocation::pools::PoolView), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create_pool(cx: Cx, ApiJson(body): ApiJson<PoolInput>) -> ApiResult<Created<PoolView>> {
    created(cx.allocation().create_fund_pool(&cx.scope, body).await?)
}

/// One pool.
#[utoipa::path(get, path = "/pools/{id}", tag = "allocation",
    params(("id" = i64, Path, description = "pool id")),
    responses((status = 200, body = lingji_app::allocation::pools::PoolView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_pool(cx: Cx, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<PoolView>> {
    Ok(Json(cx.allocation().fund_pool(&cx.scope, id).await?))
}

/// A pool's terms and members as changed, with the version read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolUpdate {
    pub name: String,
    pub fiscal_year: i32,
    pub lead_department_id: Option<i64>,
    /// 申报截止日期, YYYY-MM-DD.
    pub deadline: String,
    pub members: Vec<MemberInput>,
    pub version: i64,
}

/// Changes a pool while it is not allocated (finance).
#[utoipa::path(put, path = "/pools/{id}", tag = "allocation",
    params(("id" = i64, Path, description = "pool id")), request_body = PoolUpdate,
    responses((status = 200, body = lingji_app::allocation::pools::PoolView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn update_pool(
    cx: Cx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PoolUpdate>,
) -> ApiResult<Json<PoolView>> {
    let input = PoolInput {
        name: body.name,
        fiscal_year: body.fiscal_year,
        lead_department_id: body.lead_department_id,
        deadline: body.deadline,
        members: body.members,
    };
    let v = cx
        .allocation()
        .update_fund_pool(&cx.scope, id, input, body.version)
        .await?;
    Ok(Json(v))
}

/// Applies to the pool with a project of the caller's unit, before the deadline (one gate).
#[utoipa::path(post, path = "/pools/{id}/applications", tag = "allocation",
    params(("id" = i64, Path, description = "pool id")),
    request_body = lingji_app::allocation::pools::ApplicationInput,
    responses((status = 201, body = lingji_app::store::allocation::pools::Application), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn apply(
    cx: Cx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ApplicationInput>,
) -> ApiResult<Created<Application>> {
    created(
        cx.allocation()
            .apply_to_fund_pool(&cx.scope, id, body)
            .await?,
    )
}

/// Allocates the pool to its applications in one decision (finance): never more than the
/// pool's size (ZX-3b); the shares open budget lines for the (admitted) projects.
#[utoipa::path(post, path = "/pools/{id}/allocate", tag = "allocation",
    params(("id" = i64, Path, description = "pool id")),
    request_body = lingji_app::allocation::pools::AllocationInput,
    responses((status = 200, body = lingji_app::allocation::pools::PoolView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn allocate(
    cx: Cx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AllocationInput>,
) -> ApiResult<Json<PoolView>> {
    Ok(Json(
        cx.allocation()
            .allocate_fund_pool(&cx.scope, id, body)
            .await?,
    ))
}

/// The pool as .xlsx: terms and size, members, applications and the allocation.
#[utoipa::path(get, path = "/pools/{id}/xlsx", tag = "allocation",
    params(("id" = i64, Path, description = "pool id")),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn pool_xlsx(cx: Cx, ApiPath(id): ApiPath<i64>) -> ApiResult<Response> {
    let (v, bytes) = cx.allocation().export_fund_pool(&cx.scope, id).await?;
    let ascii = format!("fund-pool-{id}.xlsx");
    Ok(xlsx(
        bytes,
        &ascii,
        &format!("{}{}.xlsx", v.pool.fiscal_year, v.pool.name),
    ))
}
