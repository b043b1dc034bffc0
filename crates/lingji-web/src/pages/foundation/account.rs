//! `/account/password`: change one's own password.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use crate::AppState;
use crate::identity::{ClientIp, PageUser};
use crate::pages::{FieldErrors, Layout, flash_from, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/account/password", get(show).post(save))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    layout: &'a Layout,
    errors: FieldErrors,
}

async fn show(
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let layout = Layout::new(&id, "修改密码", uri.path()).with_flash(flash_from(&q));
    render(
        StatusCode::OK,
        &PasswordPage {
            layout: &layout,
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    password: String,
    confirm: String,
}

async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Form(form): Form<PasswordForm>,
) -> Response {
    let result = if form.password != form.confirm {
        Err(lingji_app::AppError::Refused(
            lingji_domain::Refusal::new("PASSWORD_MISMATCH", "两次输入的新密码不一致")
                .field("confirm"),
        ))
    } else {
        state
            .app
            .accounts()
            .change_password(
                &id.actor,
                &form.current_password,
                &form.password,
                id.session_cookie.as_deref(),
                &ip,
            )
            .await
    };
    match result {
        Ok(()) => Redirect::to("/account/password?msg=password").into_response(),
        Err(e) => {
            let errors = FieldErrors::from_error(&e, &["current_password", "password", "confirm"]);
            let layout = Layout::new(&id, "修改密码", uri.path());
            crate::problem::log_fault(&e);
            let mut res = render(
                crate::problem::status_of(&e),
                &PasswordPage {
                    layout: &layout,
                    errors,
                },
            );
            crate::problem::set_retry_after(&mut res, &e);
            res
        }
    }
}
