//! Who is calling, resolved once per request in one layer: a session cookie (browser) or a
//! bearer token (scripts). The same layer enforces CSRF on every unsafe request that rides on
//! a cookie. Handlers take [`ApiUser`] or [`PageUser`] and never look at cookies themselves.

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lingji_app::{AppError, Caller};
use lingji_domain::Refusal;
use lingji_domain::authz::Actor;

use crate::AppState;
use crate::problem::ApiError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "lingji_session";

/// The resolved caller of a request.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The user.
    pub actor: Actor,
    /// CSRF token of the session (none for bearer tokens, which need none).
    pub csrf_token: Option<String>,
    /// The raw session cookie, to end or keep the session.
    pub session_cookie: Option<String>,
}

impl Identity {
    /// As a use-case caller.
    pub fn caller(&self) -> Caller {
        Caller::User(self.actor.clone())
    }
}

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// The client address: the socket peer, or the first `X-Forwarded-For` hop when the server is
/// configured to sit behind a trusted proxy.
pub fn client_ip(
    state: &AppState,
    headers: &HeaderMap,
    parts_ext: &axum::http::Extensions,
) -> String {
    if state.config.trust_proxy
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_string();
    }
    parts_ext
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Paths that open a session and so cannot carry its token yet.
fn csrf_exempt(path: &str) -> bool {
    matches!(path, "/login" | "/api/v1/auth/login")
}

const FORM_LIMIT: usize = 1024 * 1024;

/// A browser names the page that sent an unsafe request in `Origin`; it must be this site. This
/// also guards the sign-in form, which has no session token yet (login CSRF). Requests without
/// `Origin` (scripts, old browsers) fall to the token check.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = if state.config.trust_proxy {
        headers
            .get("x-forwarded-host")
            .or_else(|| headers.get(header::HOST))
    } else {
        headers.get(header::HOST)
    }
    .and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Resolves the caller into the request's extensions and refuses unsafe cookie requests
/// without the session's CSRF token (header `X-CSRF-Token`, or field `_csrf` of a form).
pub async fn identify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // Static files and probes need nobody's identity: spare them the database.
    if path.starts_with("/assets/") || path == "/healthz" || path == "/metrics" {
        return next.run(request).await;
    }
    if is_unsafe(request.method()) && !same_origin(&state, request.headers()) {
        return ApiError(AppError::Forbidden(Refusal::new(
            "CSRF_ORIGIN_MISMATCH",
            "请求来自其他网站，已拒绝",
        )))
        .into_response();
    }
    let (mut parts, body) = request.into_parts();
    let identity = match resolve(&state, &parts.headers).await {
        Ok(i) => i,
        Err(e) => return ApiError(e).into_response(),
    };
    let mut body = body;
    if let Some(id) = &identity
        && let Some(expected) = &id.csrf_token
        && is_unsafe(&parts.method)
        && !csrf_exempt(parts.uri.path())
    {
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        // Multipart uploads cannot carry a header without script; they put it in the query.
        let query_token = parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.into_owned())
        });
        let presented = match header_token.or(query_token) {
            Some(t) => Some(t),
            None if is_form => {
                let bytes = match to_bytes(body, FORM_LIMIT).await {
                    Ok(b) => b,
                    Err(_) => {
                        return ApiError(AppError::Refused(Refusal::new(
                            "REQUEST_TOO_LARGE",
                            "表单内容过大",
                        )))
                        .into_response();
                    }
                };
                let token = url::form_urlencoded::parse(&bytes)
                    .find(|(k, _)| k == "_csrf")
                    .map(|(_, v)| v.into_owned());
                body = Body::from(bytes);
                token
            }
            None => None,
        };
        if presented.as_deref() != Some(expected.as_str()) {
            return ApiError(AppError::Forbidden(Refusal::new(
                "CSRF_TOKEN_INVALID",
                "页面已过期或请求来源不明，请刷新页面后重试",
            )))
            .into_response();
        }
    }
    if let Some(id) = identity {
        parts.extensions.insert(id);
    }
    next.run(Request::from_parts(parts, body)).await
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Identity>, AppError> {
    if let Some(token) = bearer(headers) {
        return match state.app.token_actor(&token).await? {
            Some(actor) => Ok(Some(Identity {
                actor,
                csrf_token: None,
                session_cookie: None,
            })),
            None => Err(AppError::Unauthenticated(Refusal::new(
                "TOKEN_INVALID",
                "访问令牌无效或已撤销",
            ))),
        };
    }
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.app.session(&cookie).await?.map(|s| Identity {
        actor: s.actor,
        csrf_token: Some(s.csrf_token),
        session_cookie: Some(cookie),
    }))
}

/// The signed-in caller of an API route; 401 problem+json otherwise.
#[derive(Debug, Clone)]
pub struct ApiUser(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .map(ApiUser)
            .ok_or_else(|| {
                ApiError(AppError::Unauthenticated(Refusal::new(
                    "LOGIN_REQUIRED",
                    "请先登录",
                )))
            })
    }
}

/// The signed-in caller of a page; a redirect to the login page otherwise.
#[derive(Debug, Clone)]
pub struct PageUser(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Identity>() {
            Some(id) => Ok(PageUser(id.clone())),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// The `Set-Cookie` value of a new session.
pub fn session_cookie(value: &str, secure: bool, max_age_minutes: i64) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        max_age_minutes * 60,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// True when the request came over TLS (directly or, behind a trusted proxy, as reported).
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || (state.config.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}
