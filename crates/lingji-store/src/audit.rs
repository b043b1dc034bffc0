//! The audit log: appended in the same transaction as the change it records, hash-chained.

use lingji_domain::audit::{AuditRecord, ChainBreak, chain_hash, verify_chain};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// An event to append; the store assigns the sequence number, time and hashes.
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    /// Jurisdiction (0 for system-wide).
    pub jurisdiction_id: i64,
    /// Acting user id (0 for the system).
    pub actor_id: i64,
    /// Acting user's login name or `system`.
    pub actor: &'a str,
    /// What happened, e.g. `user.create`.
    pub action: &'a str,
    /// Kind of thing changed.
    pub entity_type: &'a str,
    /// Its id.
    pub entity_id: String,
    /// JSON before (empty when created).
    pub before: String,
    /// JSON after (empty when deleted).
    pub after: String,
}

impl NewEvent<'_> {
    /// The state before the change, as JSON.
    #[must_use]
    pub fn before_json<T: Serialize>(mut self, value: &T) -> Self {
        self.before = serde_json::to_string(value).unwrap_or_default();
        self
    }

    /// The state after the change, as JSON.
    #[must_use]
    pub fn after_json<T: Serialize>(mut self, value: &T) -> Self {
        self.after = serde_json::to_string(value).unwrap_or_default();
        self
    }
}

/// Appends an event to the chain inside the caller's transaction and returns its sequence
/// number. Taking the head row with an UPDATE locks it until the transaction ends, so
/// concurrent writers chain one after another and a rolled-back change leaves no event.
pub async fn append(conn: &mut AnyConnection, e: NewEvent<'_>) -> Result<i64, StoreError> {
    let mut chain = Chain::take(conn).await?;
    let seq = chain.append(conn, e).await?;
    chain.finish(conn).await?;
    Ok(seq)
}

/// The head of the chain held by one transaction that appends many events (an import of
/// thousands of projects): the head row is locked and written once, not once per event —
/// PostgreSQL keeps every version of a row updated inside one transaction, so per-event
/// updates of the head would slow each append down in step with the count.
#[derive(Debug)]
#[must_use = "finish() writes the head; without it the transaction must not commit"]
pub struct Chain {
    seq: i64,
    hash: String,
}

impl Chain {
    /// Takes the head, locking it until the transaction ends.
    pub async fn take(conn: &mut AnyConnection) -> Result<Chain, StoreError> {
        let (seq, hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *conn)
                .await?;
        Ok(Chain { seq, hash })
    }

    /// Appends an event after the last one; returns its sequence number.
    pub async fn append(
        &mut self,
        conn: &mut AnyConnection,
        e: NewEvent<'_>,
    ) -> Result<i64, StoreError> {
        let seq = self.seq + 1;
        let at = now_text();
        let hash = chain_hash(
            &self.hash,
            seq,
            &[
                &at,
                &e.jurisdiction_id.to_string(),
                &e.actor_id.to_string(),
                e.actor,
                e.action,
                e.entity_type,
                &e.entity_id,
                &e.before,
                &e.after,
            ],
        );
        sqlx::query(
            "INSERT INTO audit_events (seq, at, jurisdiction_id, actor_id, actor, action, entity_type, \
             entity_id, before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(seq)
        .bind(&at)
        .bind(e.jurisdiction_id)
        .bind(e.actor_id)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.entity_type)
        .bind(&e.entity_id)
        .bind(&e.before)
        .bind(&e.after)
        .bind(&self.hash)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
        self.seq = seq;
        self.hash = hash;
        Ok(seq)
    }

    /// Writes the head: the last sequence number and hash.
    pub async fn finish(self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.hash)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    at: String,
    jurisdiction_id: i64,
    actor_id: i64,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    before: String,
    after: String,
    prev_hash: String,
    hash: String,
}

impl From<Row> for AuditRecord {
    fn from(r: Row) -> Self {
        AuditRecord {
            seq: r.seq,
            at: r.at,
            jurisdiction_id: r.jurisdiction_id,
            actor_id: r.actor_id,
            actor: r.actor,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

macro_rules! audit_columns {
    () => {
        "seq, at, jurisdiction_id, actor_id, actor, action, entity_type, entity_id, \
     before, after, prev_hash, hash"
    };
}

/// Filters for browsing the log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    /// Jurisdiction whose events (and system-wide ones) are shown.
    pub jurisdiction_id: i64,
    /// Login name of the actor.
    pub actor: Option<String>,
    /// Action prefix, e.g. `user.`.
    pub action: Option<String>,
    /// Entity type.
    pub entity_type: Option<String>,
    /// Entity id.
    pub entity_id: Option<String>,
    /// Only events before this sequence number (paging backwards).
    pub before_seq: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// Events matching the filter, newest first. Every filter is a bound parameter; a missing one
/// is bound as NULL and ignored by `$n IS NULL OR …`.
pub async fn list(conn: &mut AnyConnection, f: &Filter) -> Result<Vec<AuditRecord>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_events \
         WHERE (jurisdiction_id = $1 OR jurisdiction_id = 0) \
         AND ($2 IS NULL OR actor = $2) \
         AND ($3 IS NULL OR action LIKE $4) \
         AND ($5 IS NULL OR entity_type = $5) \
         AND ($6 IS NULL OR entity_id = $6) \
         AND ($7 IS NULL OR seq < $7) \
         ORDER BY seq DESC LIMIT $8"
    ))
    .bind(f.jurisdiction_id)
    .bind(&f.actor)
    .bind(&f.action)
    .bind(
        f.action
            .as_ref()
            .map(|a| format!("{}%", a.replace(['%', '_'], ""))),
    )
    .bind(&f.entity_type)
    .bind(&f.entity_id)
    .bind(f.before_seq)
    .bind(f.limit.clamp(1, 500))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(AuditRecord::from).collect())
}

/// Verifies the whole chain against the head row, reading in pages so that memory stays flat.
/// Returns the number of events on an intact chain.
pub async fn verify(conn: &mut AnyConnection) -> Result<Result<i64, ChainBreak>, StoreError> {
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let mut all = Vec::new();
    let mut after = 0_i64;
    loop {
        let page: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 5000"
        ))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        all.extend(page.into_iter().map(AuditRecord::from));
    }
    Ok(verify_chain(all, Some((head_seq, &head_hash))))
}
