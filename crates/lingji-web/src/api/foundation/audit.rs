//! `/api/v1/audit`: the audit log (auditors).

use axum::Json;
use lingji_app::store::foundation::audit::Filter;
use lingji_domain::foundation::audit::AuditRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiQuery, Cx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// An audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Position in the chain.
    pub seq: i64,
    /// When (UTC).
    pub at: String,
    pub actor: String,
    pub action: String,
    /// Kind of thing changed.
    pub entity_type: String,
    pub entity_id: String,
    pub before: String,
    pub after: String,
    pub hash: String,
}

impl From<AuditRecord> for AuditEventDto {
    fn from(r: AuditRecord) -> Self {
        AuditEventDto {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Login name of the actor.
    pub actor: Option<String>,
    /// Action prefix, e.g. `user.`.
    pub action: Option<String>,
    /// Entity type, e.g. `organisation`.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Only events before this sequence number (next page).
    pub before: Option<i64>,
    /// Page size (1–500, default 100).
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// As a store filter for a jurisdiction; blank fields are no filter.
    pub fn filter(self, jurisdiction_id: i64) -> Filter {
        let blank_none =
            |s: Option<String>| s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Filter {
            jurisdiction_id,
            actor: blank_none(self.actor),
            action: blank_none(self.action),
            entity_type: blank_none(self.entity_type),
            entity_id: blank_none(self.entity_id),
            before_seq: self.before,
            limit: self.limit.unwrap_or(100),
            ..Filter::default()
        }
    }
}

/// Events of the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEventDto>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list(cx: Cx, ApiQuery(q): ApiQuery<AuditQuery>) -> ApiResult<Json<Vec<AuditEventDto>>> {
    let filter = q.filter(cx.scope.jurisdiction);
    let events = cx.foundation().audit_log(cx.caller(), filter).await?;
    Ok(Json(events.into_iter().map(Into::into).collect()))
}
