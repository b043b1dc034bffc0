//! `/api/v1/codes`: the classification code tables and their import.

use axum::Json;
use axum::extract::Multipart;
use lingji_app::foundation::codes::CodeKind;
use lingji_app::store::foundation::codes::{CodeTableInfo, EconomicCodeRow, FunctionCodeRow};
use lingji_domain::foundation::codes::FiscalYear;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiQuery, Cx};
use crate::problem::{ApiResult, Problem, bad_request};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tables))
        .routes(routes!(function_codes))
        .routes(routes!(economic_codes))
        .routes(routes!(import))
}

/// A loaded table.
#[derive(Debug, Serialize, ToSchema)]
pub struct TableDto {
    pub fiscal_year: i64,
    /// `function` or `economic`.
    #[schema(value_type = lingji_app::store::schema::CodeKind)]
    pub kind: String,
    pub source: String,
    pub row_count: i64,
    pub imported_at: String,
    pub imported_by: String,
}

impl From<CodeTableInfo> for TableDto {
    fn from(t: CodeTableInfo) -> Self {
        TableDto {
            fiscal_year: t.fiscal_year,
            kind: t.kind,
            source: t.source,
            row_count: t.row_count,
            imported_at: t.imported_at,
            imported_by: t.imported_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeDto {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    /// Function codes: class / section / item. Economic codes: department / government.
    pub level_or_set: String,
    /// Economic 部门 款 only: the 政府 款 it maps to.
    pub government_code: Option<String>,
}

impl From<FunctionCodeRow> for CodeDto {
    fn from(r: FunctionCodeRow) -> Self {
        CodeDto {
            code: r.code,
            name: r.name,
            parent_code: r.parent_code,
            level_or_set: r.level,
            government_code: None,
        }
    }
}

impl From<EconomicCodeRow> for CodeDto {
    fn from(r: EconomicCodeRow) -> Self {
        CodeDto {
            code: r.code,
            name: r.name,
            parent_code: r.parent_code,
            level_or_set: r.code_set,
            government_code: r.government_code,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    pub year: i32,
    /// Only codes starting with this.
    #[serde(default)]
    pub prefix: String,
}

impl CodeQuery {
    /// The year asked for; one out of range names `year`.
    fn fiscal_year(&self) -> ApiResult<FiscalYear> {
        Ok(FiscalYear::new(self.year).map_err(|r| r.field("year"))?)
    }
}

/// The loaded tables with their sources.
#[utoipa::path(get, path = "/codes/tables", tag = "codes",
    responses((status = 200, body = Vec<TableDto>), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn tables(cx: Cx) -> ApiResult<Json<Vec<TableDto>>> {
    let tables = cx.foundation().code_tables(cx.caller()).await?;
    Ok(Json(tables.into_iter().map(Into::into).collect()))
}

/// 支出功能分类科目 of a year.
#[utoipa::path(get, path = "/codes/function", tag = "codes", params(CodeQuery),
    responses((status = 200, body = Vec<CodeDto>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn function_codes(cx: Cx, ApiQuery(q): ApiQuery<CodeQuery>) -> ApiResult<Json<Vec<CodeDto>>> {
    let codes = cx
        .foundation()
        .function_codes(cx.caller(), q.fiscal_year()?, &q.prefix)
        .await?;
    Ok(Json(codes.into_iter().map(Into::into).collect()))
}

/// 支出经济分类科目 of a year, with the crosswalk.
#[utoipa::path(get, path = "/codes/economic", tag = "codes", params(CodeQuery),
    responses((status = 200, body = Vec<CodeDto>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn economic_codes(cx: Cx, ApiQuery(q): ApiQuery<CodeQuery>) -> ApiResult<Json<Vec<CodeDto>>> {
    let codes = cx
        .foundation()
        .economic_codes(cx.caller(), q.fiscal_year()?, &q.prefix)
        .await?;
    Ok(Json(codes.into_iter().map(Into::into).collect()))
}

/// Result of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub rows: usize,
}

/// The parts of an import upload.
pub struct ImportForm {
    /// `function` or `economic`.
    pub kind: String,
    pub year: String,
    pub source: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An upload that cannot be read, in Chinese (multer's own text is English): over the size
/// limit, or not multipart as sent.
fn multipart_refusal(e: axum::extract::multipart::MultipartError) -> crate::problem::ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        bad_request("FILE_TOO_LARGE", "上传的文件超过允许的大小")
    } else {
        bad_request(
            "MULTIPART_MALFORMED",
            "上传内容无法解析，请重新选择文件上传",
        )
    }
}

/// Reads the multipart fields `kind`, `year`, `source` and `file`.
pub async fn read_import_form(mut multipart: Multipart) -> ApiResult<ImportForm> {
    let mut form = ImportForm {
        kind: String::new(),
        year: String::new(),
        source: String::new(),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(multipart_refusal)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or("upload").to_string();
            form.bytes = field.bytes().await.map_err(multipart_refusal)?.to_vec();
        } else {
            let text = field.text().await.unwrap_or_default();
            match name.as_str() {
                "kind" => form.kind = text,
                "year" => form.year = text,
                "source" => form.source = text,
                _ => {}
            }
        }
    }
    if form.bytes.is_empty() {
        return Err(
            lingji_domain::Refusal::new("FILE_MISSING", "请选择要导入的文件")
                .field("file")
                .into(),
        );
    }
    Ok(form)
}

/// Replace a year's code table from a .csv or .xlsx file (administrators). Every wrong cell is
/// reported with its line and column, and nothing is imported if any row is wrong.
#[utoipa::path(post, path = "/codes/import", tag = "codes",
    request_body(content_type = "multipart/form-data", description = "fields: kind (function|economic), year, source, file"),
    responses((status = 200, body = ImportResult), (status = 403, body = Problem), (status = 422, description = "errors[] 逐行列出", body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn import(cx: Cx, multipart: Multipart) -> ApiResult<Json<ImportResult>> {
    let form = read_import_form(multipart).await?;
    let kind = CodeKind::parse(&form.kind)?;
    let year = FiscalYear::parse(&form.year).map_err(|r| r.field("year"))?;
    let rows = cx
        .foundation()
        .import_codes(
            cx.caller(),
            kind,
            year,
            &form.file_name,
            &form.bytes,
            &form.source,
        )
        .await?;
    Ok(Json(ImportResult { rows }))
}
