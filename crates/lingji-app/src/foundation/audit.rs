//! Reading and verifying the audit log.

use lingji_domain::foundation::audit::AuditRecord;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::OrgPath;
use lingji_store::foundation::audit::{self, Filter, VerifyReport};

use crate::error::AppResult;
use crate::foundation::caller::Caller;

impl crate::FoundationUseCases<'_> {
    /// Events of the caller's jurisdiction matching the filter, newest first (auditors).
    #[tracing::instrument(skip_all)]
    pub async fn audit_log(&self, caller: &Caller, filter: Filter) -> AppResult<Vec<AuditRecord>> {
        let target = OrgPath::of_jurisdiction(filter.jurisdiction_id);
        caller.authorize(Resource::AuditLog, Access::Read, &target)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(audit::list(&mut conn, &filter).await?)
    }

    /// One page of the jurisdiction's log as `filter` finds it, and how many events it finds in
    /// all (for page numbers): two bounded reads, never the whole log (auditors).
    #[tracing::instrument(skip_all)]
    pub async fn audit_page(
        &self,
        caller: &Caller,
        filter: Filter,
    ) -> AppResult<(Vec<AuditRecord>, i64)> {
        let target = OrgPath::of_jurisdiction(filter.jurisdiction_id);
        caller.authorize(Resource::AuditLog, Access::Read, &target)?;
        let mut conn = self.store.read().acquire().await?;
        let count = audit::count(&mut conn, &filter).await?;
        Ok((audit::list(&mut conn, &filter).await?, count))
    }

    /// Verifies the whole chain on the primary with the audit key, that it still reaches
    /// `anchor`, and every payment against its audit events and ledger entries.
    #[tracing::instrument(skip_all)]
    pub async fn verify_audit(&self, anchor: Option<(i64, &str)>) -> AppResult<VerifyReport> {
        let mut conn = self.store.write().acquire().await?;
        Ok(audit::verify_all(&mut conn, anchor).await?)
    }

    /// Seals the budget lines' chains that moved since the last seal into the main chain, then
    /// returns the main chain's head (position and hash), to keep outside the database as an
    /// anchor: it covers every line chain up to the seal.
    #[tracing::instrument(skip_all)]
    pub async fn audit_anchor(&self) -> AppResult<(i64, String)> {
        let mut tx = self.store.begin().await?;
        audit::seal_lines(&mut tx).await?;
        let head = audit::head(&mut tx).await?;
        tx.commit().await?;
        Ok((head.seq, head.hash))
    }

    /// Checks every budget line's balance against its ledger entries replayed (ZB-7a): the
    /// number of lines checked, or the first line that does not agree and why.
    #[tracing::instrument(skip_all)]
    pub async fn verify_ledger(&self) -> AppResult<Result<usize, (i64, String)>> {
        use lingji_domain::execution::replay;
        use lingji_store::execution::ledger;
        let mut conn = self.store.write().acquire().await?;
        let ids = ledger::line_ids(&mut conn).await?;
        for id in &ids {
            let stored = ledger::balance(&mut conn, *id).await?.unwrap_or_default();
            let entries = ledger::entries(&mut conn, *id).await?;
            match replay(&entries) {
                Err((i, r)) => {
                    return Ok(Err((
                        *id,
                        format!("第 {} 条分录不成立：{}", i + 1, r.message),
                    )));
                }
                Ok(b) if b != stored => {
                    return Ok(Err((
                        *id,
                        format!(
                            "账面余额与分录不符：账面 批复 {} 调整 {} 冻结 {} 支出 {} 结转 {}，分录合计 批复 {} 调整 {} 冻结 {} 支出 {} 结转 {}",
                            stored.approved.to_yuan_display(),
                            stored.adjusted.to_yuan_display(),
                            stored.reserved.to_yuan_display(),
                            stored.spent.to_yuan_display(),
                            stored.closed.to_yuan_display(),
                            b.approved.to_yuan_display(),
                            b.adjusted.to_yuan_display(),
                            b.reserved.to_yuan_display(),
                            b.spent.to_yuan_display(),
                            b.closed.to_yuan_display()
                        ),
                    )));
                }
                Ok(_) => {}
            }
        }
        Ok(Ok(ids.len()))
    }
}
