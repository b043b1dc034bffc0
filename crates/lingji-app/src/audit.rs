//! Reading and verifying the audit log.

use lingji_domain::audit::{AuditRecord, ChainBreak};
use lingji_domain::authz::{Access, Resource};
use lingji_domain::org::OrgPath;
use lingji_store::audit::{self, Filter};

use crate::App;
use crate::caller::Caller;
use crate::error::AppResult;

impl App {
    /// Events of the caller's jurisdiction matching the filter, newest first (auditors).
    pub async fn audit_log(&self, caller: &Caller, filter: Filter) -> AppResult<Vec<AuditRecord>> {
        let target = OrgPath::of_jurisdiction(filter.jurisdiction_id);
        caller.authorize(Resource::AuditLog, Access::Read, &target)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(audit::list(&mut conn, &filter).await?)
    }

    /// Verifies the whole chain on the primary: the event count, or the first broken event.
    pub async fn verify_audit(&self) -> AppResult<Result<i64, ChainBreak>> {
        let mut conn = self.store.write().acquire().await?;
        Ok(audit::verify(&mut conn).await?)
    }
}
