//! `/api/v1/projects/template` and `/api/v1/projects/import`: the Excel template and the
//! all-or-nothing import of projects with cost lines, targets and year plans.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::response::Response;
use lingji_app::library::project_excel::ImportReport;
use lingji_domain::foundation::codes::FiscalYear;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::foundation::codes::read_import_form;
use crate::api::{ApiQuery, Cx, xlsx};
use crate::problem::{ApiResult, Problem};

/// Largest workbook accepted for import (about 150,000 project rows).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(template))
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES))
}

/// The budget year of a template.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Budget year; the current year when absent.
    pub year: Option<i32>,
}

/// The .xlsx template for importing projects: sheets 项目, 测算明细, 绩效指标, 分年度计划 with
/// Chinese headers and drop-down lists of the caller's units, the year's codes, the standards
/// and every class.
#[utoipa::path(get, path = "/projects/template", tag = "projects", params(YearQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn template(cx: Cx, ApiQuery(q): ApiQuery<YearQuery>) -> ApiResult<Response> {
    let year = cx.fiscal_year(q.year).await?;
    let bytes = cx.library().project_template(&cx.scope, year).await?;
    let ascii = format!("project-template-{year}.xlsx");
    Ok(xlsx(bytes, &ascii, &format!("{year}年度项目导入模板.xlsx")))
}

/// Import projects into the reserve (储备) from an .xlsx workbook in the template's layout.
/// Every wrong cell is listed with its sheet, row and column (`field` = `测算明细!F2`) and the
/// clause that refused; nothing is imported if any cell is wrong.
#[utoipa::path(post, path = "/projects/import", tag = "projects",
    request_body(content_type = "multipart/form-data", description = "fields: year, file (.xlsx)"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 422, description = "errors[] 逐格列出", body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn import(cx: Cx, multipart: Multipart) -> ApiResult<Json<ImportReport>> {
    let form = read_import_form(multipart).await?;
    let year = FiscalYear::parse(&form.year).map_err(|r| r.field("year"))?;
    let report = cx
        .library()
        .import_projects(&cx.scope, year, &form.bytes, &|_, _| {})
        .await?;
    Ok(Json(report))
}
