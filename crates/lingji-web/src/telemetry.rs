//! Request metrics for Prometheus: counts and latencies by route template and status.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // A second router in the same process (tests) keeps the first recorder.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// The label of a request's method: the standard methods by name, any other (HTTP allows
/// methods to be invented per request) as `other`, so a client cannot grow the label set.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Counts every request by method, route template (not raw path, so ids do not explode the
/// label set; every path no route matches is `unmatched`) and status, and records its
/// duration.
pub async fn track(request: Request, next: Next) -> Response {
    handle();
    let start = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status),
    ];
    metrics::counter!("lingji_http_requests_total", &labels).increment(1);
    metrics::histogram!("lingji_http_request_duration_seconds", &labels).record(start.elapsed());
    response
}

/// `GET /metrics` in the Prometheus text format.
pub async fn render() -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}
