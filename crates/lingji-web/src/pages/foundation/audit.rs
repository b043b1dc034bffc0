//! `/audit`: the audit log with filters (auditors).

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_domain::foundation::audit::AuditRecord;
use lingji_domain::foundation::audit::words;

use crate::AppState;
use crate::api::foundation::audit::AuditQuery;
use crate::pages::{Layout, Page, error_page, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/audit", get(show))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    layout: &'a Layout,
    events: Vec<AuditRecord>,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    next_page: Option<String>,
}

const PAGE: i64 = 50;

/// An action as people call it (the code itself only for one no use case records, which a test
/// of the lived demo would catch).
fn action(code: &str) -> &str {
    words::action_label(code).unwrap_or(code)
}

/// A kind of object as people call it.
fn object(code: &str) -> &str {
    words::object_label(code).unwrap_or(code)
}

async fn show(Page { state, id, uri }: Page, Query(q): Query<AuditQuery>) -> Response {
    let keep = |v: &Option<String>| v.clone().unwrap_or_default();
    let (actor, action, entity_type, entity_id) = (
        keep(&q.actor),
        keep(&q.action),
        keep(&q.entity_type),
        keep(&q.entity_id),
    );
    let filter = AuditQuery {
        limit: Some(PAGE),
        ..q
    }
    .filter(id.actor.org.jurisdiction);
    match state.app.foundation().audit_log(&id.caller(), filter).await {
        Ok(events) => {
            let next_page = (events.len() as i64 == PAGE).then(|| {
                let last = events.last().map(|e| e.seq).unwrap_or_default();
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                format!(
                    "/audit?actor={}&action={}&entity_type={}&entity_id={}&before={last}",
                    enc(&actor),
                    enc(&action),
                    enc(&entity_type),
                    enc(&entity_id)
                )
            });
            let layout = Layout::new(&id, "审计日志", uri.path());
            render(
                StatusCode::OK,
                &AuditPage {
                    layout: &layout,
                    events,
                    actor,
                    action,
                    entity_type,
                    entity_id,
                    next_page,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
