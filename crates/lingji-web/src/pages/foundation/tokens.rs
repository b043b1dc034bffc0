//! API tokens on pages: `/account/tokens` (one's own), `/users/{id}/tokens` (a user's, for the
//! user and administrators) and revocation. Tokens are issued by `lingji user token`; a page
//! never shows a token's secret, which is kept only as a hash.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{OriginalUri, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::pages::{Layout, Page, error_page, flash_from, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(own))
        .route("/users/{id}/tokens", get(of_user))
        .route("/tokens/{id}/revoke", post(revoke))
}

/// A token as a row of the page.
struct Row {
    id: i64,
    name: String,
    created_at: String,
    expires_at: String,
    state: &'static str,
    live: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage<'a> {
    layout: &'a Layout,
    username: String,
    own: bool,
    rows: Vec<Row>,
}

/// `2026-03-01T08:00:00.000Z` as `2026-03-01 08:00` (UTC, as stored).
fn short(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

async fn own(Page { state, id, uri }: Page, Query(q): Query<BTreeMap<String, String>>) -> Response {
    page(&state, &id, id.actor.user_id, uri.path(), &q).await
}

async fn of_user(
    Page { state, id, .. }: Page,
    Path(user_id): Path<i64>,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    page(&state, &id, user_id, uri.path(), &q).await
}

async fn page(
    state: &AppState,
    id: &crate::identity::Identity,
    user_id: i64,
    path: &str,
    q: &BTreeMap<String, String>,
) -> Response {
    let (username, tokens) = match state.app.accounts().tokens(&id.caller(), user_id).await {
        Ok(t) => t,
        Err(e) => return error_page(id, path, &e),
    };
    let now = lingji_app::store::time::now_text();
    let own = user_id == id.actor.user_id;
    let rows = tokens
        .into_iter()
        .map(|t| {
            let expires = t.expires_at.clone().unwrap_or_default();
            let (state, live) = match (&t.revoked_at, expires.as_str() > now.as_str()) {
                (Some(_), _) => ("已撤销", false),
                (None, false) => ("已过期", false),
                (None, true) => ("有效", true),
            };
            Row {
                id: t.id,
                name: t.name,
                created_at: short(&t.created_at),
                expires_at: short(&expires),
                state,
                live,
            }
        })
        .collect();
    let title = if own {
        "我的访问令牌"
    } else {
        "访问令牌"
    };
    let flash = match q.get("msg").map(String::as_str) {
        Some("revoked") => Some("令牌已撤销".to_string()),
        _ => flash_from(q),
    };
    let layout = Layout::new(id, title, path).with_flash(flash);
    render(
        StatusCode::OK,
        &TokensPage {
            layout: &layout,
            username: if own { String::new() } else { username },
            own,
            rows,
        },
    )
}

async fn revoke(
    Page { state, id, .. }: Page,
    Path(token_id): Path<i64>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    match state
        .app
        .accounts()
        .revoke_token(&id.caller(), token_id)
        .await
    {
        Ok(t) if t.user_id == id.actor.user_id => {
            Redirect::to("/account/tokens?msg=revoked").into_response()
        }
        Ok(t) => Redirect::to(&format!("/users/{}/tokens?msg=revoked", t.user_id)).into_response(),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
