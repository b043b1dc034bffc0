//! Who is calling, resolved once per request in one layer: a session cookie (browser) or a
//! bearer token (scripts). The same layer enforces CSRF on every unsafe request that rides on
//! a cookie. Handlers take [`PageUser`], [`ApiUser`] or the API's [`Cx`](crate::api::Cx) (the
//! caller's scope, read through `ApiUser`) and never look at cookies themselves.

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lingji_app::{AppError, Caller, Scope};
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::Actor;

use crate::AppState;
use crate::people::Names;
use crate::problem::ApiError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "lingji_session";

/// The resolved caller of a request.
#[derive(Debug, Clone)]
pub struct Identity {
    pub actor: Actor,
    /// CSRF token of the session (none for bearer tokens, which need none).
    pub csrf_token: Option<String>,
    /// The raw session cookie, to end or keep the session.
    pub session_cookie: Option<String>,
    /// Colleagues' display names, for pages (empty for bearer tokens: the API shows logins).
    pub names: Names,
}

impl Identity {
    /// As a use-case caller.
    pub fn caller(&self) -> Caller {
        Caller::User(self.actor.clone())
    }

    /// As a use case's scope: the user in their own jurisdiction.
    pub fn scope(&self) -> Scope {
        Scope::user(self.actor.clone())
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

/// The socket peer of a request (absent when a test drives the router directly).
fn peer(ext: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    ext.get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The client address: the socket peer or, when the peer is one of the configured trusted
/// proxies, the right-most `X-Forwarded-For` hop that is not (see [`crate::forwarded`]).
pub fn client_ip(
    state: &AppState,
    headers: &HeaderMap,
    parts_ext: &axum::http::Extensions,
) -> String {
    match peer(parts_ext) {
        Some(peer) => state.config.trusted_proxies.client(peer, headers),
        None => "local".to_string(),
    }
}

/// The client address of a request, as [`client_ip`] finds it.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            state,
            &parts.headers,
            &parts.extensions,
        )))
    }
}

const FORWARDED_HEADERS: [&str; 3] = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"];

/// Forwarded headers count only when a trusted proxy sent the request; from anybody else they
/// are the client's own words and are dropped here, before any handler can read them.
fn drop_untrusted_forwarding(state: &AppState, request: &mut Request) {
    let trusted =
        peer(request.extensions()).is_some_and(|p| state.config.trusted_proxies.contains(p));
    if !trusted {
        for h in FORWARDED_HEADERS {
            request.headers_mut().remove(h);
        }
    }
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
    let host = if !state.config.trusted_proxies.is_empty() {
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
/// without the session's CSRF token: header `X-CSRF-Token`, or field `_csrf` of a form (the
/// first field of an upload). A token in the query string is not accepted.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    drop_untrusted_forwarding(&state, &mut request);
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
        let multipart_boundary = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(multipart_boundary);
        // Never from the URL: a token in a link ends up in logs, histories and `Referer`.
        let presented = match header_token {
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
            // An upload form cannot set a header without script: its first field is `_csrf`,
            // read here without buffering the file behind it.
            None => match multipart_boundary {
                Some(boundary) => {
                    let (token, rest) = multipart_first_field(body, &boundary).await;
                    body = rest;
                    token
                }
                None => None,
            },
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

/// The boundary of a `multipart/form-data` body.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// How much of an upload is read to find its first field: headers and a token fit easily.
const FIRST_FIELD_LIMIT: usize = 8 * 1024;

/// The value of the first part of a multipart body if that part is the field `_csrf`, and the
/// body to hand on, whole: what was read is put back in front of the rest.
async fn multipart_first_field(body: Body, boundary: &str) -> (Option<String>, Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut failed = None;
    let token = loop {
        if let Some(t) = first_field_token(&buf, boundary) {
            break t;
        }
        if buf.len() >= FIRST_FIELD_LIMIT {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
            Some(Err(e)) => {
                failed = Some(e);
                break None;
            }
            None => break None,
        }
    };
    let head = futures_util::stream::iter(
        std::iter::once(Ok(axum::body::Bytes::from(buf))).chain(failed.map(Err)),
    );
    (token, Body::from_stream(head.chain(stream)))
}

/// `Some(answer)` once `buf` holds enough to tell: the token when the first part is `_csrf`,
/// `None` when it is another field; `None` (outer) while more bytes are needed.
fn first_field_token(buf: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if buf.len() < opening.len() {
        return None;
    }
    if !buf.starts_with(opening.as_bytes()) {
        return Some(None);
    }
    let rest = &buf[opening.len()..];
    let headers_end = find(rest, b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&rest[..headers_end]).to_ascii_lowercase();
    let is_csrf = headers.lines().any(|l| {
        l.starts_with("content-disposition:")
            && l.split(';').any(|p| p.trim() == "name=\"_csrf\"")
            && !l.contains("filename")
    });
    if !is_csrf {
        return Some(None);
    }
    let value = &rest[headers_end + 4..];
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    Some(String::from_utf8(value[..end].to_vec()).ok())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Identity>, AppError> {
    if let Some(token) = bearer(headers) {
        return match state.app.accounts().token_actor(&token).await? {
            Some(actor) => Ok(Some(Identity {
                actor,
                csrf_token: None,
                session_cookie: None,
                names: Names::default(),
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
    let Some(session) = state.app.accounts().session(&cookie).await? else {
        return Ok(None);
    };
    let scope = Scope::user(session.actor.clone());
    Ok(Some(Identity {
        names: state.names.of(&state.app, &scope).await?,
        actor: session.actor,
        csrf_token: Some(session.csrf_token),
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

/// True when the request came over TLS (directly or, behind a trusted proxy, as reported; the
/// header of anybody else was dropped by [`identify`]).
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || (!state.config.trusted_proxies.is_empty()
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}
