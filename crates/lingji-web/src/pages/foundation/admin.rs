//! `/admin/users`: accounts (administrators change, auditors read).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::AppError;
use lingji_app::foundation::users::{NewUser, UserUpdate};
use lingji_app::store::foundation::orgs::Organisation;
use lingji_app::store::foundation::users::User;
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, PageCtx, answer, error_page, flash_from, forbidden,
    forbidden_or_missing, options, render,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{id}", get(edit).post(update))
        .route("/admin/users/{id}/password", post(reset))
}

#[derive(Deserialize, Default, Clone)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: i64,
}

const USER_FIELDS: [&str; 6] = [
    "username",
    "display_name",
    "role",
    "org",
    "password",
    "active",
];

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    users: Vec<User>,
    orgs: Vec<Organisation>,
    roles: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    form: UserForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "user.html")]
struct EditPage<'a> {
    layout: &'a Layout,
    user: &'a User,
    orgs: Vec<Organisation>,
    roles: Vec<(&'static str, &'static str)>,
    form: UserForm,
    errors: FieldErrors,
    password_errors: FieldErrors,
}

fn can_edit(id: &Identity) -> bool {
    may(id.actor.role, Resource::User, Access::Write)
}

async fn list_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    flash: Option<String>,
    form: UserForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let users = state.app.accounts().list_users(&id.scope()).await?;
        let orgs = state
            .app
            .foundation()
            .list_organisations(&id.scope())
            .await?;
        Ok::<_, AppError>((users, orgs))
    };
    match loaded.await {
        Ok((users, orgs)) => {
            let layout = Layout::new(id, "用户管理", path).with_flash(flash);
            render(
                status,
                &ListPage {
                    layout: &layout,
                    users,
                    orgs,
                    roles: options::<Role>(),
                    can_edit: can_edit(id),
                    form,
                    errors,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list_page(
        &state,
        &id,
        uri.path(),
        flash_from(&q),
        UserForm::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create(Page { state, id, uri }: Page, Form(form): Form<UserForm>) -> Response {
    let new = NewUser {
        username: form.username.clone(),
        display_name: Some(form.display_name.clone()),
        role: form.role.clone(),
        org: form.org.clone(),
        password: form.password.clone(),
    };
    let done = state
        .app
        .accounts()
        .add_user(&id.caller(), new)
        .await
        .map(|_| "/admin/users?msg=created".to_string());
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldErrors::from_error(&e, &USER_FIELDS);
        let form = UserForm {
            password: String::new(),
            ..form
        };
        let status = crate::problem::status_of(&e);
        list_page(&state, &id, uri.path(), None, form, errors, status).await
    })
    .await
}

async fn edit_page(
    ctx: &PageCtx<'_>,
    user_id: i64,
    flash: Option<String>,
    form: Option<UserForm>,
    errors: FieldErrors,
    password_errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let PageCtx { state, id, path } = *ctx;
    let caller = id.caller();
    let loaded = async {
        let user = state.app.accounts().user(&caller, user_id).await?;
        let orgs = state
            .app
            .foundation()
            .list_organisations(&id.scope())
            .await?;
        Ok::<_, AppError>((user, orgs))
    };
    match loaded.await {
        Ok((user, orgs)) => {
            let form = form.unwrap_or_else(|| UserForm {
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                role: user.role.as_str().to_string(),
                org: user.org_id.to_string(),
                password: String::new(),
                active: user.active.then(|| "on".to_string()),
                version: user.version,
            });
            let layout =
                Layout::new(id, format!("用户：{}", user.display_name), path).with_flash(flash);
            render(
                status,
                &EditPage {
                    layout: &layout,
                    user: &user,
                    orgs,
                    roles: options::<Role>(),
                    form,
                    errors,
                    password_errors,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn edit(
    Page { state, id, uri }: Page,
    Path(user_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    edit_page(
        &PageCtx::new(&state, &id, uri.path()),
        user_id,
        flash_from(&q),
        None,
        FieldErrors::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    Page { state, id, uri }: Page,
    Path(user_id): Path<i64>,
    Form(form): Form<UserForm>,
) -> Response {
    let upd = UserUpdate {
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        org: form.org.clone(),
        active: form.active.is_some(),
        version: form.version,
    };
    let done = state
        .app
        .accounts()
        .update_user(&id.caller(), user_id, upd)
        .await
        .map(|_| format!("/admin/users/{user_id}?msg=saved"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let errors = FieldErrors::from_error(&e, &USER_FIELDS);
        edit_page(
            &PageCtx::new(&state, &id, uri.path()),
            user_id,
            None,
            Some(form),
            errors,
            FieldErrors::default(),
            crate::problem::status_of(&e),
        )
        .await
    })
    .await
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn reset(
    Page { state, id, uri }: Page,
    Path(user_id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> Response {
    let done = state
        .app
        .accounts()
        .reset_password(&id.caller(), user_id, &form.password)
        .await
        .map(|()| format!("/admin/users/{user_id}?msg=password"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let errors = FieldErrors::from_error(&e, &["password"]);
        edit_page(
            &PageCtx::new(&state, &id, uri.path()),
            user_id,
            None,
            None,
            FieldErrors::default(),
            errors,
            crate::problem::status_of(&e),
        )
        .await
    })
    .await
}
