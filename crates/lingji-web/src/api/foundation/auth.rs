//! `/api/v1/auth` and `/api/v1/me`: sign in, sign out, who am I, change my password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::ApiJson;
use crate::identity::{ApiUser, ClientIp, clear_cookie, client_ip, is_https, session_cookie};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = lingji_app::schema::Role)]
    pub role: String,
    /// Role in Chinese.
    pub role_label: String,
    pub org_id: i64,
    pub jurisdiction_id: i64,
}

impl From<&lingji_domain::foundation::authz::Actor> for Me {
    fn from(a: &lingji_domain::foundation::authz::Actor) -> Self {
        Me {
            id: a.user_id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.as_str().to_string(),
            role_label: a.role.label().to_string(),
            org_id: a.org.leaf(),
            jurisdiction_id: a.org.jurisdiction,
        }
    }
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: Me,
    /// Send it as `X-CSRF-Token` on every POST/PUT/DELETE made with the session cookie.
    pub csrf_token: String,
}

/// Sign in: sets the session cookie (HttpOnly, SameSite=Lax, Secure behind TLS).
#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "用户名或密码错误", body = Problem),
        (status = 429, description = "登录失败次数过多", body = Problem),
    ))]
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> ApiResult<Response> {
    let ip = client_ip(&state, &headers, request.extensions());
    let body =
        match <ApiJson<LoginRequest> as axum::extract::FromRequest<()>>::from_request(request, &())
            .await
        {
            Ok(ApiJson(body)) => body,
            Err(rejection) => return Ok(rejection),
        };
    let session = state
        .app
        .accounts()
        .login(&body.username, &body.password, &ip)
        .await?;
    let cookie = session_cookie(
        &session.cookie,
        is_https(&state, &headers),
        state.app.settings.session_ttl_minutes,
    );
    let body = LoginResponse {
        user: Me::from(&session.actor),
        csrf_token: session.csrf_token,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Sign out: ends the session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = Problem)))]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiUser(id): ApiUser,
) -> ApiResult<Response> {
    if let Some(cookie) = &id.session_cookie {
        state.app.accounts().logout(cookie).await?;
    }
    Ok((
        axum::http::StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie(is_https(&state, &headers)))],
    )
        .into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn me(ApiUser(id): ApiUser) -> Json<Me> {
    Json(Me::from(&id.actor))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    /// New password: at least 8 characters, not only digits, not the username.
    pub new_password: String,
}

/// Change my password; other sessions of mine end.
#[utoipa::path(post, path = "/me/password", tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204),
        (status = 422, body = Problem),
        (status = 429, description = "当前密码输错次数过多", body = Problem),
    ),
    security(("session" = []), ("bearer" = [])))]
async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiUser(id): ApiUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<axum::http::StatusCode> {
    state
        .app
        .accounts()
        .change_password(
            &id.actor,
            &body.current_password,
            &body.new_password,
            id.session_cookie.as_deref(),
            &ip,
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
