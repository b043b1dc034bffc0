//! Request metrics for Prometheus: counts and latencies by route template and status.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
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

/// Counts every request by method, route template (not raw path, so ids do not explode the
/// label set) and status, and records its duration.
pub async fn track(request: Request, next: Next) -> Response {
    handle();
    let start = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
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
