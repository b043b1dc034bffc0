//! `/codes`: the loaded classification tables, browsing by year and prefix, and import for
//! administrators.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use lingji_app::AppResult;
use lingji_app::foundation::codes::CodeKind;
use lingji_app::store::foundation::codes::CodeTableInfo;
use lingji_domain::foundation::authz::{Access, Resource, may};
use lingji_domain::foundation::codes::FiscalYear;

use crate::AppState;
use crate::api::foundation::codes::read_import_form;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, render, year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/codes", get(show))
        .route("/codes/import", post(import))
}

struct CodeRow {
    code: String,
    name: String,
    extra: String,
    depth: usize,
}

#[derive(Template)]
#[template(path = "codes.html")]
struct CodesPage<'a> {
    layout: &'a Layout,
    tables: Vec<CodeTableInfo>,
    year: i32,
    kind: &'static str,
    prefix: String,
    rows: Vec<CodeRow>,
    can_import: bool,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    id: &Identity,
    path: &str,
    q: &BTreeMap<String, String>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let year = year_or_current(state, id, q.get("year").and_then(|y| y.parse().ok())).await?;
        let fy = FiscalYear::new(year)?;
        let prefix = q.get("prefix").cloned().unwrap_or_default();
        let kind = if q.get("kind").map(String::as_str) == Some("economic") {
            "economic"
        } else {
            "function"
        };
        let rows = if kind == "economic" {
            state
                .app
                .foundation()
                .economic_codes(&id.caller(), fy, prefix.trim())
                .await?
                .into_iter()
                .map(|c| CodeRow {
                    depth: usize::from(c.code.len() > 3),
                    extra: match (&c.code_set[..], c.government_code) {
                        ("department", Some(g)) => format!("部门 → 政府 {g}"),
                        ("department", None) => "部门".into(),
                        _ => "政府".into(),
                    },
                    code: c.code,
                    name: c.name,
                })
                .collect()
        } else {
            state
                .app
                .foundation()
                .function_codes(&id.caller(), fy, prefix.trim())
                .await?
                .into_iter()
                .map(|c| CodeRow {
                    depth: (c.code.len() - 3) / 2,
                    extra: match c.level.as_str() {
                        "class" => "类",
                        "section" => "款",
                        _ => "项",
                    }
                    .into(),
                    code: c.code,
                    name: c.name,
                })
                .collect()
        };
        AppResult::Ok((
            state.app.foundation().code_tables(&id.caller()).await?,
            year,
            kind,
            prefix,
            rows,
        ))
    };
    match loaded.await {
        Ok((tables, year, kind, prefix, rows)) => {
            let layout = Layout::new(id, "政府收支分类科目", path).with_flash(flash_from(q));
            render(
                status,
                &CodesPage {
                    layout: &layout,
                    tables,
                    year,
                    kind,
                    prefix,
                    rows,
                    can_import: may(id.actor.role, Resource::CodeTable, Access::Write),
                    errors,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn show(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    page(
        &state,
        &id,
        uri.path(),
        &q,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn import(Page { state, id, uri }: Page, multipart: Multipart) -> Response {
    let result = async {
        let form = read_import_form(multipart).await.map_err(|e| e.0)?;
        let kind = CodeKind::parse(&form.kind)?;
        let year = FiscalYear::parse(&form.year).map_err(|r| r.field("year"))?;
        state
            .app
            .foundation()
            .import_codes(
                &id.caller(),
                kind,
                year,
                &form.file_name,
                &form.bytes,
                &form.source,
            )
            .await?;
        AppResult::Ok((kind, year))
    };
    let done = result
        .await
        .map(|(kind, year)| format!("/codes?year={year}&kind={}&msg=imported", kind.as_str()));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldErrors::from_error(&e, &["kind", "year", "file"]);
        let status = crate::problem::status_of(&e);
        page(&state, &id, "/codes", &BTreeMap::new(), errors, status).await
    })
    .await
}
