//! `/projects/import`: download the Excel template, upload a filled workbook, and see either
//! what was imported or every wrong cell (sheet, row, column, message, clause).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::library::project_excel::ImportReport;
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Resource, may_create};
use lingji_domain::foundation::codes::FiscalYear;

use crate::AppState;
use crate::api::foundation::codes::read_import_form;
use crate::api::library::project_files::MAX_IMPORT_BYTES;
use crate::identity::Identity;
use crate::pages::{Layout, Page, error_page, render, year_or_current};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/import", get(show).post(import))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES))
}

/// One wrong cell.
struct CellError {
    place: String,
    message: String,
    code: String,
    clause: String,
}

#[derive(Template)]
#[template(path = "project_import.html")]
struct ImportPage<'a> {
    layout: &'a Layout,
    year: i32,
    summary: String,
    errors: Vec<CellError>,
    done: Option<ImportReport>,
}

async fn page(
    state: &AppState,
    id: &Identity,
    path: &str,
    year: Option<i32>,
    outcome: Result<Option<ImportReport>, AppError>,
) -> Response {
    let year = match year_or_current(state, id, year).await {
        Ok(y) => y,
        Err(e) => return error_page(id, path, &e),
    };
    let (status, done, summary, errors) = match outcome {
        Ok(done) => (StatusCode::OK, done, String::new(), Vec::new()),
        Err(e @ AppError::Forbidden(_)) => return error_page(id, path, &e),
        Err(e) => {
            let (summary, list) = match &e {
                AppError::Invalid { summary, errors } => (summary.clone(), errors.clone()),
                other => (other.refusal(), Vec::new()),
            };
            let errors = list
                .into_iter()
                .map(|r| CellError {
                    place: r.field.unwrap_or_default(),
                    message: r.message,
                    code: r.code.to_string(),
                    clause: r.clause.unwrap_or_default().to_string(),
                })
                .collect();
            (crate::problem::status_of(&e), None, summary.message, errors)
        }
    };
    let layout = Layout::new(id, "Excel 导入项目", path);
    render(
        status,
        &ImportPage {
            layout: &layout,
            year,
            summary,
            errors,
            done,
        },
    )
}

async fn show(Page { state, id, uri }: Page) -> Response {
    // What the page offers follows the role; the import itself authorises every row.
    if !may_create(id.actor.role, Resource::Project) {
        let refused = AppError::Forbidden(Refusal::new("FORBIDDEN", "您的角色不申报项目"));
        return error_page(&id, uri.path(), &refused);
    }
    page(&state, &id, uri.path(), None, Ok(None)).await
}

async fn import(Page { state, id, uri }: Page, multipart: Multipart) -> Response {
    let mut year = None;
    let result = async {
        let form = read_import_form(multipart).await.map_err(|e| e.0)?;
        let fy = FiscalYear::parse(&form.year).map_err(|r| r.field("year"))?;
        year = Some(fy.value());
        let report = state
            .app
            .library()
            .import_projects(&id.scope(), fy, &form.bytes, &|_, _| {})
            .await?;
        AppResult::Ok(Some(report))
    }
    .await;
    page(&state, &id, uri.path(), year, result).await
}
