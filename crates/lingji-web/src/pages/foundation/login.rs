//! `/login` and `/logout`.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::AppState;
use crate::identity::{Identity, clear_cookie, client_ip, is_https, session_cookie};
use crate::pages::render;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    username: String,
    next: String,
    demo: bool,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths may follow a login: no open redirect to another site.
fn safe_next(next: &str) -> String {
    // Browsers drop tabs and line breaks from a URL, so `/\t/evil.example` would become
    // `//evil.example`; a line break in a Location header is refused by the server. Neither
    // belongs in a local path, nor does any other control or space.
    let plain = !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if plain && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn show(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    render(
        StatusCode::OK,
        &LoginPage {
            error: None,
            username: String::new(),
            next: safe_next(&q.next),
            demo: is_demo(&state).await,
        },
    )
}

async fn is_demo(state: &AppState) -> bool {
    state.config.show_demo_logins
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn submit(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Response {
    let ip = client_ip(&state, &headers, request.extensions());
    let Ok(Form(form)) =
        <Form<LoginForm> as axum::extract::FromRequest<()>>::from_request(request, &()).await
    else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                error: Some("请输入用户名和密码".into()),
                username: String::new(),
                next: "/".into(),
                demo: is_demo(&state).await,
            },
        );
    };
    match state
        .app
        .accounts()
        .login(&form.username, &form.password, &ip)
        .await
    {
        Ok(session) => {
            let cookie = session_cookie(
                &session.cookie,
                is_https(&state, &headers),
                state.app.settings.session_ttl_minutes,
            );
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(&safe_next(&form.next)),
            )
                .into_response()
        }
        Err(e) => {
            let status = crate::problem::status_of(&e);
            crate::problem::log_fault(&e);
            let mut res = render(
                status,
                &LoginPage {
                    error: Some(e.refusal().message),
                    username: form.username,
                    next: safe_next(&form.next),
                    demo: is_demo(&state).await,
                },
            );
            crate::problem::set_retry_after(&mut res, &e);
            res
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    identity: Option<axum::Extension<Identity>>,
) -> Response {
    if let Some(cookie) = identity.and_then(|axum::Extension(i)| i.session_cookie) {
        let _ = state.app.accounts().logout(&cookie).await;
    }
    (
        [(header::SET_COOKIE, clear_cookie(is_https(&state, &headers)))],
        Redirect::to("/login"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn login_never_redirects_off_site() {
        assert_eq!(safe_next("/orgs?x=1"), "/orgs?x=1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\r\n/x"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
    }
}
