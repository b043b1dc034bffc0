//! `/api/v1/public…`: what finance has published (PM-5, QJ-5c), for anybody, without signing
//! in — read from the frozen copies only, so nothing unpublished is reachable — and the same
//! as open data in CSV and JSON.

use crate::api::ApiPath;
use crate::api::ApiQuery;
use axum::Json;
use axum::extract::State;
use lingji_domain::disclosure::PublicationKind;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(open_data_csv))
        .routes(routes!(open_data_json))
}

/// Which public items.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// Only this year.
    pub year: Option<i32>,
    /// project_targets, self_evaluation, key_evaluation or special_fund.
    #[param(value_type = Option<lingji_app::schema::PublicationKind>)]
    pub kind: Option<String>,
    /// Only this jurisdiction (its 区划 code), in a deployment of several.
    pub region: Option<String>,
}

pub(crate) fn kind_param(raw: Option<&str>) -> ApiResult<Option<PublicationKind>> {
    crate::api::state_param(
        raw,
        PublicationKind::parse,
        "PUBLICATION_KIND_UNKNOWN",
        "公开类别",
    )
}

/// Published items, newest year first (no sign-in).
#[utoipa::path(get, path = "/public/publications", tag = "public", params(PublicQuery),
    responses((status = 200, body = Vec<lingji_app::disclosure::PublicItem>), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> ApiResult<Json<Vec<lingji_app::disclosure::PublicItem>>> {
    let kind = kind_param(q.kind.as_deref())?;
    Ok(Json(
        state
            .app
            .disclosure()
            .public_items(q.year, kind, q.region.as_deref())
            .await?,
    ))
}

/// One published item (no sign-in); 404 when withdrawn or never published.
#[utoipa::path(get, path = "/public/publications/{id}", tag = "public", params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::disclosure::PublicItem), (status = 404, body = Problem)))]
async fn one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<lingji_app::disclosure::PublicItem>> {
    Ok(Json(state.app.disclosure().public_item(id).await?))
}

/// Which year of open data.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenDataQuery {
    /// Only this year.
    pub year: Option<i32>,
    /// Only this jurisdiction (its 区划 code), in a deployment of several.
    pub region: Option<String>,
}

/// Open data as CSV (UTF-8 with BOM): 编号, 地区, 年度, 公开类别, 部门, 标题, 预算（元）, 得分, 等级, 发布时间.
#[utoipa::path(get, path = "/public/open-data.csv", tag = "public", params(OpenDataQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 400, body = Problem)))]
async fn open_data_csv(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OpenDataQuery>,
) -> ApiResult<axum::response::Response> {
    let csv = state
        .app
        .disclosure()
        .open_data_csv(q.year, q.region.as_deref())
        .await?;
    Ok(crate::api::download(
        csv.into_bytes(),
        "text/csv; charset=utf-8",
        "lingji-open-data.csv",
        "绩效信息公开数据.csv",
    ))
}

/// Open data as JSON: every published item with its copy.
#[utoipa::path(get, path = "/public/open-data.json", tag = "public", params(OpenDataQuery),
    responses((status = 200, body = Vec<lingji_app::disclosure::PublicItem>), (status = 400, body = Problem)))]
async fn open_data_json(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OpenDataQuery>,
) -> ApiResult<Json<Vec<lingji_app::disclosure::PublicItem>>> {
    Ok(Json(
        state
            .app
            .disclosure()
            .public_items(q.year, None, q.region.as_deref())
            .await?,
    ))
}
