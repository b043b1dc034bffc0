//! The edge of every answer: errors that axum or a tower layer produced by themselves (a route
//! that does not exist, a method not allowed, a body over the limit, a query that does not
//! parse) become problem+json in Chinese under `/api/` and a Chinese message elsewhere; and the
//! security headers go on every answer.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use lingji_domain::Refusal;

use crate::AppState;
use crate::problem::problem_response;

/// The policy of every page and API answer: scripts and styles only from lingji itself, no
/// framing, no plugins, forms posting only back to lingji. Inline styles stay allowed because
/// the vendored chart library and Swagger UI (`/api/docs`, whose page loads its scripts from
/// files) set style attributes on what they draw; inline script does not.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// HSTS for a year, sent only when cookies are marked Secure (TLS in front of lingji): a
/// plain-HTTP deployment must not pin browsers to HTTPS it does not have.
pub const HSTS: &str = "max-age=31536000";

/// The largest error body rewritten here; axum's own are a line of text.
const MAX_REWRITTEN_BODY: usize = 64 * 1024;

/// Adds the security headers to every answer. A header a handler set itself wins (an
/// attachment download carries its own sandbox policy).
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    if state.config.secure_cookies {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(HSTS));
    }
    response
}

/// Turns any error answer that is not already problem+json under `/api/` into one, and axum's
/// English plain-text errors on pages into a Chinese message, so nothing can slip through in
/// another shape.
pub async fn error_shape(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if is_api(&path) {
        if content_type.starts_with("application/problem+json") {
            return response;
        }
        let (parts, _) = response.into_parts();
        let mut out = problem_response(status, &problem_for(status), Vec::new());
        // What axum said besides the status stays (a 405's Allow, a 429's Retry-After).
        for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
            if let Some(v) = parts.headers.get(&name) {
                out.headers_mut().insert(name, v.clone());
            }
        }
        return out;
    }
    if path == "/healthz" {
        return response;
    }
    // Pages: a handler's own Chinese message or HTML page stays; an empty body or axum's
    // English text (all ASCII) is replaced.
    if !(content_type.is_empty() || content_type.starts_with("text/plain")) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_REWRITTEN_BODY).await.unwrap_or_default();
    if !bytes.is_ascii() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut out = crate::pages::bare_error_page(status, page_message(status));
    // What axum said besides the status stays (a 405's Allow, a 429's Retry-After).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// `/api/…` (the JSON API and its documents).
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The problem for a status that reached the edge without one.
fn problem_for(status: StatusCode) -> Refusal {
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("REQUEST_MALFORMED", "请求格式不正确"),
        StatusCode::UNAUTHORIZED => ("UNAUTHENTICATED", "请先登录"),
        StatusCode::FORBIDDEN => ("FORBIDDEN", "无权执行此操作"),
        StatusCode::NOT_FOUND => ("ROUTE_NOT_FOUND", "接口不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "该接口不支持此请求方法"),
        StatusCode::PAYLOAD_TOO_LARGE => ("BODY_TOO_LARGE", "请求内容超过允许的大小"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("MEDIA_TYPE_UNSUPPORTED", "不支持该请求内容类型"),
        StatusCode::UNPROCESSABLE_ENTITY => ("REQUEST_INVALID", "请求内容无法处理"),
        StatusCode::TOO_MANY_REQUESTS => ("THROTTLED", "请求过于频繁，请稍后再试"),
        s if s.is_server_error() => ("INTERNAL", "服务器内部错误，请稍后再试"),
        _ => ("REQUEST_REFUSED", "请求未被接受"),
    };
    Refusal::new(code, message)
}

/// The Chinese text of a page error that had none.
fn page_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "请求参数格式不正确，请检查地址或表单后重试。",
        StatusCode::UNAUTHORIZED => "请先登录。",
        StatusCode::FORBIDDEN => "无权访问此页面。",
        StatusCode::NOT_FOUND => "页面不存在。",
        StatusCode::METHOD_NOT_ALLOWED => "此页面不支持该请求方法。",
        StatusCode::PAYLOAD_TOO_LARGE => "提交的内容超过允许的大小。",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "不支持该提交内容类型。",
        StatusCode::UNPROCESSABLE_ENTITY => "提交的内容无法处理。",
        StatusCode::TOO_MANY_REQUESTS => "请求过于频繁，请稍后再试。",
        s if s.is_server_error() => "服务器内部错误，请稍后再试。",
        _ => "请求未被接受。",
    }
}

/// The cookie that carries, for a browser, where the primary's log ended after its last write.
pub const LSN_COOKIE: &str = "lingji_lsn";

/// The header that carries the same for API clients: sent on every answer to a request that
/// wrote, and read back from a request that sends it (as the cookie is).
pub const LSN_HEADER: &str = "lingji-lsn";

/// Read-your-writes behind a load balancer, when reads go to a replica (docs/ARCHITECTURE.md,
/// "Storage on two backends"): a request that wrote is answered with the primary's log
/// position, in the `lingji_lsn` cookie and the `Lingji-Lsn` header; a request that brings one
/// back reads from the replica only once the replica has replayed that far, else from the
/// primary ([`lingji_app::store::replica`]). Without a replica nothing changes. A position that
/// does not parse is ignored: it only ever makes reads go to the primary.
pub async fn read_your_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    use lingji_app::store::Lsn;
    let store = state.app.store.clone();
    if !store.has_replica() {
        return next.run(request).await;
    }
    let headers = request.headers();
    let brought = headers
        .get(LSN_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Lsn>().ok())
        .max(crate::identity::cookie(headers, LSN_COOKIE).and_then(|v| v.parse::<Lsn>().ok()));
    let secure = crate::identity::is_https(&state, headers);
    // Whether it wrote: it began a transaction or took a connection of the primary's pool
    // (use cases write on the request's own task; a refused request usually wrote nothing).
    let (mut response, wrote) =
        lingji_app::store::replica::within_request(brought, next.run(request)).await;
    if !wrote {
        return response;
    }
    match store.primary_lsn().await {
        Ok(Some(lsn)) => {
            let value = lsn.to_string();
            let cookie = format!(
                "{LSN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{}",
                if secure { "; Secure" } else { "" }
            );
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(LSN_HEADER, v);
            }
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, v);
            }
        }
        Ok(None) => {}
        // The write is done (or refused) either way; the next read may then be a moment old.
        Err(e) => tracing::warn!(error = %e, "read-your-writes: the primary's log position"),
    }
    response
}
