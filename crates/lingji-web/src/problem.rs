//! Errors as RFC 9457 problem+json for the API, each with a stable `code`, the `field` that is
//! wrong and the policy `clause` that refused.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lingji_app::AppError;
use lingji_domain::Refusal;
use serde::Serialize;
use utoipa::ToSchema;

/// One refusal inside a problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemItem {
    pub code: String,
    pub message: String,
    /// Field, or row and column, that is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Policy clause that refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
}

impl From<&Refusal> for ProblemItem {
    fn from(r: &Refusal) -> Self {
        ProblemItem {
            code: r.code.to_string(),
            message: r.message.clone(),
            field: r.field.clone(),
            clause: r.clause.map(str::to_string),
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:lingji:problem:<CODE>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message in Chinese.
    pub title: String,
    pub status: u16,
    /// Stable code, e.g. `MONEY_MALFORMED`.
    pub code: String,
    /// Field that is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Policy clause that refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// Every refusal, when there are several (e.g. rows of an import).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// An API error: an [`AppError`] that renders as problem+json.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// HTTP status of an application error.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Refused(_) | AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        log_fault(&self.0);
        let errors = match &self.0 {
            AppError::Invalid { errors, .. } => errors.iter().map(ProblemItem::from).collect(),
            _ => Vec::new(),
        };
        let mut res = problem_response(status, &self.0.refusal(), errors);
        set_retry_after(&mut res, &self.0);
        res
    }
}

/// A problem+json answer with its status.
pub fn problem_response(status: StatusCode, r: &Refusal, errors: Vec<ProblemItem>) -> Response {
    let body = Problem {
        kind: format!("urn:lingji:problem:{}", r.code),
        title: r.message.clone(),
        status: status.as_u16(),
        code: r.code.to_string(),
        field: r.field.clone(),
        clause: r.clause.map(str::to_string),
        errors,
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

/// A request the server cannot read at all (a query, path or body of the wrong shape, a body
/// over the limit): problem+json with the HTTP status that says so, usually 400.
#[derive(Debug)]
pub struct RequestProblem {
    pub status: StatusCode,
    /// Code, Chinese message and the field.
    pub refusal: Refusal,
}

impl RequestProblem {
    /// A 400 naming the field.
    pub fn bad(code: &'static str, message: impl Into<String>, field: Option<String>) -> Self {
        let mut refusal = Refusal::new(code, message);
        if let Some(f) = field {
            refusal = refusal.field(f);
        }
        RequestProblem {
            status: StatusCode::BAD_REQUEST,
            refusal,
        }
    }
}

impl IntoResponse for RequestProblem {
    fn into_response(self) -> Response {
        problem_response(self.status, &self.refusal, Vec::new())
    }
}

/// Logs what the user is not shown: our faults and the database's absence.
pub fn log_fault(e: &AppError) {
    match e {
        AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
        AppError::Unavailable(detail) => tracing::warn!(%detail, "database unavailable"),
        _ => {}
    }
}

/// `Retry-After` on a 429 or 503, so clients and proxies know when to come back.
pub fn set_retry_after(res: &mut Response, e: &AppError) {
    if let Some(secs) = e.retry_after() {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// A refusal of the request shape itself (bad JSON, bad query), as a problem.
pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError(AppError::Refused(Refusal::new(code, message)))
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;
