//! `/jurisdictions`: 区划 — the caller's jurisdiction and every one below it (issue 21), and for
//! its administrator a form that adds one directly below, with its current year on this
//! jurisdiction's profile and its first administrator, all or nothing.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::foundation::levels::NewLowerJurisdiction;
use lingji_domain::foundation::authz::Role;
use lingji_domain::foundation::levels::JurisdictionNode;
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::{FieldErrors, Layout, Page, answer, error_page, forbidden, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/jurisdictions", get(list).post(add))
}

/// A row of the tree as shown.
struct Row {
    region: String,
    name: String,
    level: &'static str,
    /// The name of the jurisdiction directly above, when it is in the caller's tree.
    upper: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "jurisdictions.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    rows: Vec<Row>,
    can_add: bool,
    form: AddForm,
    errors: FieldErrors,
}

/// The form as typed, so that a refused one comes back as the administrator left it (the
/// password excepted).
#[derive(Deserialize, Default, Clone)]
struct AddForm {
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    admin_username: String,
    #[serde(default)]
    admin_display_name: String,
    #[serde(default)]
    admin_password: String,
}

const FIELDS: [&str; 5] = [
    "region_code",
    "name",
    "admin_username",
    "admin_display_name",
    "admin_password",
];

fn rows(tree: Vec<JurisdictionNode>, own: i64) -> Vec<Row> {
    let names: BTreeMap<i64, String> = tree.iter().map(|j| (j.id, j.name.clone())).collect();
    tree.into_iter()
        .map(|j| Row {
            upper: j
                .upper
                .and_then(|u| names.get(&u).cloned())
                .unwrap_or_default(),
            own: j.id == own,
            level: j.level.label(),
            region: j.region,
            name: j.name,
        })
        .collect()
}

/// The page; `added` is the 区划 code just added, said in the flash from the tree as read.
async fn page(
    state: &AppState,
    id: &Identity,
    path: &str,
    added: Option<&str>,
    form: AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tree = match state.app.foundation().jurisdiction_tree(&id.scope()).await {
        Ok(t) => t,
        Err(e) => return error_page(id, path, &e),
    };
    let flash = added
        .and_then(|region| tree.iter().find(|j| j.region == region))
        .map(|j| {
            format!(
                "已新增下级区划 {}（{}，区划代码 {}），已开启本年度并沿用本级政策参数；请将首任管理员的账号和初始密码交给该区划",
                j.name,
                j.level.label(),
                j.region
            )
        });
    let layout = Layout::new(id, "区划", path).with_flash(flash);
    render(
        status,
        &ListPage {
            layout: &layout,
            rows: rows(tree, id.actor.org.jurisdiction),
            can_add: id.actor.role == Role::Administrator,
            form,
            errors,
        },
    )
}

async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    // After adding: say what was added, from the tree as it now is.
    page(
        &state,
        &id,
        uri.path(),
        q.get("added").map(String::as_str),
        AddForm::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn add(Page { state, id, uri }: Page, Form(form): Form<AddForm>) -> Response {
    let new = NewLowerJurisdiction {
        region_code: form.region_code.clone(),
        name: form.name.clone(),
        admin_username: form.admin_username.clone(),
        admin_display_name: Some(form.admin_display_name.clone()).filter(|d| !d.trim().is_empty()),
        admin_password: form.admin_password.clone(),
    };
    let done = state
        .app
        .foundation()
        .add_lower_jurisdiction(&id.scope(), &new)
        .await
        .map(|j| format!("/jurisdictions?added={}", j.region));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldErrors::from_error(&e, &FIELDS);
        let status = crate::problem::status_of(&e);
        let kept = AddForm {
            admin_password: String::new(),
            ..form
        };
        page(&state, &id, uri.path(), None, kept, errors, status).await
    })
    .await
}
