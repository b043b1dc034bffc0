//! The lingji HTTP server: `/api/v1` JSON (OpenAPI from the routes), the Chinese web UI
//! (askama + htmx), sessions and CSRF, health and metrics, static assets in the binary.

pub mod api;
pub mod assets;
pub mod edge;
pub mod forwarded;
pub mod identity;
pub mod pages;
pub mod people;
pub mod problem;
mod telemetry;
pub mod text_guard;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use lingji_app::App;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark session cookies `Secure` (set when TLS terminates in front of lingji).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` / `-Proto` / `-Host` are believed; empty: none.
    pub trusted_proxies: forwarded::TrustedProxies,
    /// List the demo logins on the login page (`serve --demo`).
    pub show_demo_logins: bool,
    /// Serve `/metrics` on this address instead of the main listener (kept off the public
    /// port; the main router then has no `/metrics`).
    pub metrics_listen: Option<SocketAddr>,
}

/// Shared state of every handler: the application and the web settings.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    /// People's display names by jurisdiction, for pages.
    pub names: Arc<people::NameBook>,
}

/// Largest request body accepted by any route: the project import. Routes keep axum's 2 MB
/// default unless they raise it for uploads (attachments, imports).
pub const BODY_LIMIT: usize = api::library::project_files::MAX_IMPORT_BYTES;

/// The whole application as one router.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config),
        names: Arc::default(),
    };
    let (api_router, openapi) = api::split();
    let openapi_json = serde_json::to_string_pretty(&openapi).unwrap_or_default();
    let mut router = Router::new()
        .merge(api_router)
        .merge(pages::router())
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .route(
            "/api/openapi.pretty.json",
            get(move || async move { openapi_json }),
        )
        .route("/healthz", get(health))
        .route("/assets/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon));
    if state.config.metrics_listen.is_none() {
        router = router.route("/metrics", get(telemetry::render));
    }
    router
        // A path no route matches: the API's 404 the error layer below puts into shape, or a
        // Chinese page.
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            identity::identify,
        ))
        // Around the caller's identification, whose session read must see a login just made.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            edge::read_your_writes,
        ))
        .layer(middleware::from_fn(text_guard::refuse_control_characters))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            database_guard,
        ))
        .layer(middleware::from_fn(telemetry::track))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn(edge::error_shape))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            edge::security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The metrics listener's router: `/metrics` alone.
pub fn metrics_router() -> Router {
    Router::new().route("/metrics", get(telemetry::render))
}

/// The OpenAPI document, for the snapshot test and tooling.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::split().1
}

/// While the database is known to be out of reach, requests are answered 503 at once, and a
/// request still waiting for it when it goes away is answered 503 then rather than when the
/// pool's acquire timeout ends. (What the request had begun is dropped: an uncommitted
/// transaction rolls back; a payment retried with its idempotency key is answered once.)
async fn database_guard(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    if path.starts_with("/assets/") || path == "/healthz" || path == "/metrics" {
        return next.run(request).await;
    }
    let unavailable =
        || problem::ApiError(lingji_app::AppError::Unavailable("database down".into()));
    let mut down = state.app.store.reachability();
    if *down.borrow_and_update() {
        return unavailable().into_response();
    }
    tokio::select! {
        response = next.run(request) => response,
        Ok(_) = down.wait_for(|d| *d) => unavailable().into_response(),
    }
}

/// How long `/healthz` waits for the database: a probe must get its answer before the load
/// balancer's own timeout, even while connections to a dead server hang.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1500);

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // Known to be down (the store's watch says why, in the log): no need to wait.
    let answered = !state.app.store.is_down() && {
        let probe = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(state.app.store.read_pool());
        match tokio::time::timeout(HEALTH_TIMEOUT, probe).await {
            Ok(Ok(_)) => true,
            // The driver's words stay in the log: they name hosts, ports and users.
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "health check: database failed");
                false
            }
            Err(_) => {
                tracing::warn!("health check: database did not answer in time");
                false
            }
        }
    };
    if answered {
        return "ok".into_response();
    }
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(
            axum::http::header::RETRY_AFTER,
            lingji_app::UNAVAILABLE_RETRY_AFTER_SECS.to_string(),
        )],
        "database unavailable",
    )
        .into_response()
}

/// Serves until Ctrl-C or SIGTERM, then drains connections. With `metrics_listen` set,
/// `/metrics` is served there alone.
pub async fn serve(app: App, config: WebConfig, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    if let Some(addr) = config.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(addr).await?;
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, metrics_router())
                .with_graceful_shutdown(shutdown_signal())
                .await
            {
                tracing::error!(error = %e, "metrics listener failed");
            }
        });
    }
    let router = router(app, config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
