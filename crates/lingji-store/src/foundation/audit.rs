//! The audit log: appended in the same transaction as the change it records, hash-chained and
//! keyed with the audit key (HMAC-SHA256; the key lives in a file outside the database). Its
//! verification is in `verify`.

use std::path::Path;
use std::sync::OnceLock;

use lingji_domain::foundation::audit::{
    AuditKey, AuditRecord, GENESIS_HASH, KEY_START_ACTION, MAIN_CHAIN, SEAL_ACTION, Seal,
    record_hash,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// The key this process appends with: one lingji process works on one database, and every
/// append in it — from any use case, in any transaction — must be keyed, so the key is set
/// once when the store is migrated rather than passed through every call.
static KEY: OnceLock<AuditKey> = OnceLock::new();

/// Sets the process's audit key; a second, different key is refused (one process, one chain).
pub fn install_key(key: AuditKey) -> Result<(), StoreError> {
    if *KEY.get_or_init(|| key.clone()) == key {
        Ok(())
    } else {
        Err(StoreError::Config(
            "本进程已载入另一个审计密钥：一个进程只能使用一个审计密钥".into(),
        ))
    }
}

/// The process's audit key.
pub fn installed_key() -> Result<&'static AuditKey, StoreError> {
    KEY.get().ok_or_else(|| {
        StoreError::Config("审计密钥未载入：须先迁移数据库并载入审计密钥文件".into())
    })
}

/// Where the audit key lives unless configured: next to a SQLite database file
/// (`lingji.db` → `lingji.db.audit-key`), else `lingji-audit.key` in the working directory.
pub fn default_key_path(database_url: &str) -> std::path::PathBuf {
    let path = database_url
        .strip_prefix("sqlite:")
        .map(|rest| rest.trim_start_matches("//"))
        .map(|rest| rest.split('?').next().unwrap_or_default());
    match path {
        Some(p) if !p.is_empty() && !p.contains(":memory:") => format!("{p}.audit-key").into(),
        _ => "lingji-audit.key".into(),
    }
}

/// Reads the audit key file, or creates it (32 random bytes as hex, mode 0600) when it is
/// missing and the chain has no keyed events yet. A missing file for a keyed chain is refused:
/// a new key would make every keyed event unverifiable.
pub fn load_or_create_key(path: &Path, keyed_head: Option<i64>) -> Result<AuditKey, StoreError> {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(text) => AuditKey::from_hex(&text).ok_or_else(|| {
            StoreError::Config(format!(
                "审计密钥文件 {shown} 内容无效：应为 64 位十六进制数字"
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(seq) = keyed_head {
                return Err(StoreError::Config(format!(
                    "审计密钥文件 {shown} 不存在，而审计链（至第 {seq} 号事件）已用密钥签名：\
                     请用 --audit-key-file 指定原来的密钥文件（AUDIT_KEY_MISSING）"
                )));
            }
            create_key(path)
        }
        Err(e) => Err(StoreError::Config(format!(
            "无法读取审计密钥文件 {shown}：{e}"
        ))),
    }
}

/// Writes a new key to a private temporary file and links it into place, so two servers
/// starting at once never read a half-written key: the second link fails and it reads the
/// first one's.
fn create_key(path: &Path) -> Result<AuditKey, StoreError> {
    use std::io::Write;
    let fail = |e: std::io::Error| {
        StoreError::Config(format!("无法创建审计密钥文件 {}：{e}", path.display()))
    };
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Config(format!("随机数不可用：{e}")))?;
    let key = AuditKey::new(bytes);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".lingji-audit-key-{}-{}",
        std::process::id(),
        hex_suffix()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(fail)?;
    let written = file
        .write_all(format!("{}\n", key.to_hex()).as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_key(path, None),
        Err(e) => Err(fail(e)),
    }
}

fn hex_suffix() -> String {
    let mut b = [0_u8; 4];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The newest event's sequence number when it is keyed: then the chain has its keyed part
/// (every event after the key start is keyed), found without scanning the chain.
pub async fn keyed_head(conn: &mut AnyConnection) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_as::<_, (i64,)>(
        "SELECT e.seq FROM audit_events e JOIN audit_head h ON h.seq = e.link AND e.chain = 0 \
         WHERE h.id = 1 AND e.keyed = 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|(s,)| s))
}

/// What the key start event records: the unkeyed events before it and the last payment they
/// could have covered (payments up to it were recorded before requests were audited).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct KeyStart {
    /// Unkeyed events before the start.
    pub unkeyed_events: i64,
    /// The highest payment id when the chain was keyed.
    pub payments_before: i64,
}

/// Any keyed event's sequence number (a scan only on a chain whose head is unkeyed).
async fn any_keyed(conn: &mut AnyConnection) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_as::<_, (i64,)>("SELECT seq FROM audit_events WHERE keyed = 1 LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?
            .map(|(s,)| s),
    )
}

/// Loads (or creates) the key at `path`, installs it for this process and, on a chain that
/// has no keyed part yet, appends the key start event — in one transaction that holds the
/// head, so servers starting together write one start.
///
/// The start is written only where it cannot hide a rewrite: when this call created the key
/// (the first start of this version on an old chain), or on a new, empty database. A chain
/// that has events but no keyed one while its key file already exists was rewritten unkeyed
/// (or its first keyed start was interrupted): nothing is written, and `verify` names it.
pub async fn start_keyed(conn: &mut AnyConnection, path: &Path) -> Result<AuditKey, StoreError> {
    use sqlx::Connection;
    let keyed = match keyed_head(conn).await? {
        Some(seq) => Some(seq),
        None => any_keyed(conn).await?,
    };
    let existed = path.exists();
    let key = load_or_create_key(path, keyed)?;
    install_key(key.clone())?;
    if keyed.is_some() {
        return Ok(key);
    }
    let mut tx = conn.begin().await?;
    let mut chain = Chain::take(&mut tx).await?;
    let (organisations,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM organisations")
        .fetch_one(&mut *tx)
        .await?;
    let new_database = chain.link == 0 && organisations == 0;
    if any_keyed(&mut tx).await?.is_some() || (existed && !new_database) {
        chain.finish(&mut tx).await?;
        tx.commit().await?;
        return Ok(key);
    }
    let (payments_before,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM payments")
        .fetch_one(&mut *tx)
        .await?;
    let start = KeyStart {
        unkeyed_events: chain.link,
        payments_before,
    };
    chain
        .append(
            &mut tx,
            NewEvent {
                actor: "system",
                action: KEY_START_ACTION,
                entity_type: "audit",
                entity_id: "key".into(),
                ..NewEvent::default()
            }
            .after_json(&start),
        )
        .await?;
    chain.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(key)
}

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
    Chain::take(conn).await?.append_last(conn, e).await
}

/// The head of the chain held by one transaction that appends many events (an import of
/// thousands of projects): the head row is locked and written once, not once per event —
/// PostgreSQL keeps every version of a row updated inside one transaction, so per-event
/// updates of the head would slow each append down in step with the count.
#[derive(Debug)]
#[must_use = "finish() writes the head; without it the transaction must not commit"]
pub struct Chain {
    link: i64,
    hash: String,
}

impl Chain {
    /// Takes the head, locking it until the transaction ends.
    pub async fn take(conn: &mut AnyConnection) -> Result<Chain, StoreError> {
        let (link, hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *conn)
                .await?;
        Ok(Chain { link, hash })
    }

    /// Appends an event after the last one; returns its sequence number.
    pub async fn append(
        &mut self,
        conn: &mut AnyConnection,
        e: NewEvent<'_>,
    ) -> Result<i64, StoreError> {
        self.insert(conn, e, false).await
    }

    /// Appends an event and writes the head: on PostgreSQL one statement, so that a change
    /// with one event (a payment) holds the head for one round trip fewer.
    pub async fn append_last(
        mut self,
        conn: &mut AnyConnection,
        e: NewEvent<'_>,
    ) -> Result<i64, StoreError> {
        self.insert(conn, e, true).await
    }

    async fn insert(
        &mut self,
        conn: &mut AnyConnection,
        e: NewEvent<'_>,
        with_head: bool,
    ) -> Result<i64, StoreError> {
        let link = self.link + 1;
        let head = with_head.then_some(HeadWrite::Main);
        let (seq, hash) = insert_event(conn, MAIN_CHAIN, link, &self.hash, &e, head).await?;
        self.link = link;
        self.hash = hash;
        Ok(seq)
    }

    /// Appends `events` after the last one, in their order, in multi-row statements (an
    /// import's event per project): each is chained and keyed exactly as [`Self::append`]
    /// would, and the log numbers follow the order of the rows.
    pub async fn append_many(
        &mut self,
        conn: &mut AnyConnection,
        events: Vec<NewEvent<'_>>,
    ) -> Result<(), StoreError> {
        self.seal(events)?.write(conn).await
    }

    /// Numbers and hashes `events` in order as the chain's next ones, without writing them:
    /// an import seals one chunk's events while the server writes the chunk's other rows.
    /// The chain counts them appended; the caller writes them ([`Sealed::write`]) in the same
    /// transaction before anything else is appended.
    pub fn seal<'e>(&mut self, events: Vec<NewEvent<'e>>) -> Result<Sealed<'e>, StoreError> {
        let key = installed_key()?;
        let mut rows = Vec::with_capacity(events.len());
        for e in events {
            self.link += 1;
            let at = now_text();
            let hash = event_hash(key, MAIN_CHAIN, self.link, &self.hash, &at, &e);
            let prev = std::mem::replace(&mut self.hash, hash.clone());
            rows.push(SealedEvent {
                link: self.link,
                hash,
                at,
                prev_hash: prev,
                event: e,
            });
        }
        Ok(Sealed(rows))
    }

    /// Writes the head: the last position and hash.
    pub async fn finish(self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.link)
            .bind(&self.hash)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// An event numbered and hashed on the main chain, to be written.
struct SealedEvent<'e> {
    link: i64,
    hash: String,
    at: String,
    prev_hash: String,
    event: NewEvent<'e>,
}

/// Events sealed on the main chain by [`Chain::seal`], not yet written.
#[must_use = "sealed events are counted on the chain; they must be written"]
pub struct Sealed<'e>(Vec<SealedEvent<'e>>);

impl Sealed<'_> {
    /// Writes the events in multi-row statements.
    pub async fn write(self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        crate::bulk::insert_rows(
            conn,
            "INSERT INTO audit_events (chain, link, hash, at, jurisdiction_id, actor_id, actor, \
             action, entity_type, entity_id, before, after, prev_hash, keyed)",
            14,
            &self.0,
            |q, s| {
                let e = &s.event;
                q.bind(MAIN_CHAIN)
                    .bind(s.link)
                    .bind(&s.hash)
                    .bind(&s.at)
                    .bind(e.jurisdiction_id)
                    .bind(e.actor_id)
                    .bind(e.actor)
                    .bind(e.action)
                    .bind(e.entity_type)
                    .bind(&e.entity_id)
                    .bind(&e.before)
                    .bind(&e.after)
                    .bind(&s.prev_hash)
                    .bind(1_i64)
            },
        )
        .await
    }
}

/// The head an event's insert writes with it.
#[derive(Debug, Clone, Copy)]
enum HeadWrite {
    /// The main chain's (`audit_head`).
    Main,
    /// Its budget line's (`audit_line_heads`).
    Line,
}

/// An event's insert: chain `$1`, position `$2`, hash `$3`, then its content.
macro_rules! insert_event {
    () => {
        "INSERT INTO audit_events (chain, link, hash, at, jurisdiction_id, actor_id, actor, \
         action, entity_type, entity_id, before, after, prev_hash, keyed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1) RETURNING seq"
    };
}

/// The heads' updates, over the event's chain (`$1`), position (`$2`) and hash (`$3`).
macro_rules! main_head {
    () => {
        "UPDATE audit_head SET seq = $2, hash = $3 WHERE id = 1"
    };
}
macro_rules! line_head {
    () => {
        "UPDATE audit_line_heads SET link = $2, hash = $3 WHERE line_id = $1"
    };
}

impl HeadWrite {
    /// The head's update alone.
    fn statement(self) -> &'static str {
        match self {
            HeadWrite::Main => main_head!(),
            HeadWrite::Line => line_head!(),
        }
    }

    /// The event's insert and the head's update as one statement (PostgreSQL).
    fn with_event(self) -> &'static str {
        match self {
            HeadWrite::Main => concat!(
                "WITH event AS (",
                insert_event!(),
                "), head AS (",
                main_head!(),
                ") SELECT seq FROM event"
            ),
            HeadWrite::Line => concat!(
                "WITH event AS (",
                insert_event!(),
                "), head AS (",
                line_head!(),
                ") SELECT seq FROM event"
            ),
        }
    }
}

/// The keyed hash of an event at `link` of `chain` after `prev_hash`, stamped `at`.
fn event_hash(
    key: &AuditKey,
    chain: i64,
    link: i64,
    prev_hash: &str,
    at: &str,
    e: &NewEvent<'_>,
) -> String {
    let (jurisdiction, actor_id) = (e.jurisdiction_id.to_string(), e.actor_id.to_string());
    record_hash(
        Some(key),
        prev_hash,
        chain,
        link,
        [
            at,
            &jurisdiction,
            &actor_id,
            e.actor,
            e.action,
            e.entity_type,
            &e.entity_id,
            &e.before,
            &e.after,
        ],
    )
}

/// Inserts an event at `link` of `chain` after `prev_hash`; its log number and hash. With
/// `head`, the chain's head is written too: on PostgreSQL in the same statement, a round trip
/// fewer while the head is held.
async fn insert_event(
    conn: &mut AnyConnection,
    chain: i64,
    link: i64,
    prev_hash: &str,
    e: &NewEvent<'_>,
    head: Option<HeadWrite>,
) -> Result<(i64, String), StoreError> {
    let at = now_text();
    let hash = event_hash(installed_key()?, chain, link, prev_hash, &at, e);
    let postgres = crate::is_postgres(conn);
    let statement = match head {
        Some(head) if postgres => head.with_event(),
        _ => insert_event!(),
    };
    let (seq,): (i64,) = sqlx::query_as(statement)
        .bind(chain)
        .bind(link)
        .bind(&hash)
        .bind(&at)
        .bind(e.jurisdiction_id)
        .bind(e.actor_id)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.entity_type)
        .bind(&e.entity_id)
        .bind(&e.before)
        .bind(&e.after)
        .bind(prev_hash)
        .fetch_one(&mut *conn)
        .await?;
    if let Some(head) = head
        && !postgres
    {
        sqlx::query(head.statement())
            .bind(chain)
            .bind(link)
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok((seq, hash))
}

/// Appends an event to the chain of budget line `line` (a payment request's) inside the
/// caller's transaction; its log number. The line's head row is locked from here to the end
/// of the transaction — as the line's own row already is when the request holds money — so
/// requests on one line chain one after another and requests on different lines never wait
/// for each other. The head is marked unsealed for the next seal.
pub async fn append_to_line(
    conn: &mut AnyConnection,
    line: i64,
    e: NewEvent<'_>,
) -> Result<i64, StoreError> {
    let (link, hash): (i64, String) = sqlx::query_as(
        "INSERT INTO audit_line_heads (line_id, link, hash, sealed) VALUES ($1, 0, $2, 0) \
         ON CONFLICT (line_id) DO UPDATE SET sealed = 0 RETURNING link, hash",
    )
    .bind(line)
    .bind(GENESIS_HASH)
    .fetch_one(&mut *conn)
    .await?;
    let (seq, _) = insert_event(conn, line, link + 1, &hash, &e, Some(HeadWrite::Line)).await?;
    Ok(seq)
}

/// How many line heads one seal event records (about 90 bytes each).
const SEAL_BATCH: usize = 5_000;

/// Seals the heads of every line chain that moved since the last seal into the main chain
/// (`audit.seal` events, by line, [`SEAL_BATCH`] lines each) inside the caller's transaction;
/// the number of lines sealed. Taking the unsealed heads locks them, so a request writing to
/// one of those lines waits until the seal commits and its event comes after the seal in the
/// log — the seal records exactly where each line stood.
pub async fn seal_lines(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    // The main head first: two seals at once then queue on it instead of each locking some
    // line heads and waiting for the other's.
    let mut chain = Chain::take(conn).await?;
    let mut heads: Vec<(i64, i64, String)> = sqlx::query_as(
        "UPDATE audit_line_heads SET sealed = 1 WHERE sealed = 0 RETURNING line_id, link, hash",
    )
    .fetch_all(&mut *conn)
    .await?;
    heads.sort_unstable();
    for part in heads.chunks(SEAL_BATCH) {
        let seal = Seal {
            lines: part.to_vec(),
        };
        chain
            .append(
                conn,
                NewEvent {
                    actor: "system",
                    action: SEAL_ACTION,
                    entity_type: "audit",
                    entity_id: "lines".into(),
                    ..NewEvent::default()
                }
                .after_json(&seal),
            )
            .await?;
    }
    chain.finish(conn).await?;
    Ok(heads.len())
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    chain: i64,
    link: i64,
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
    keyed: i64,
}

impl From<Row> for AuditRecord {
    fn from(r: Row) -> Self {
        AuditRecord {
            seq: r.seq,
            chain: r.chain,
            link: r.link,
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
            keyed: r.keyed != 0,
        }
    }
}

macro_rules! audit_columns {
    () => {
        "seq, chain, link, at, jurisdiction_id, actor_id, actor, action, entity_type, \
     entity_id, before, after, prev_hash, hash, keyed"
    };
}

// Declared after `audit_columns!`, which the walk reads the log with.
mod verify;

pub use verify::{AuditedPayment, PAYMENT_REQUEST_ACTION, VerifyReport, verify, verify_all};

/// Filters for browsing the log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    /// Jurisdiction whose events (and system-wide ones) are shown.
    pub jurisdiction_id: i64,
    /// Login name of the actor.
    pub actor: Option<String>,
    /// Action prefix, e.g. `user.`.
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Only events before this sequence number (paging backwards).
    pub before_seq: Option<i64>,
    /// Only events at or after this stored time (RFC 3339 UTC text, as stored).
    pub since: Option<String>,
    /// Only events before this stored time.
    pub until: Option<String>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    /// Events skipped before the first returned (page numbers).
    pub offset: i64,
    pub limit: i64,
}

/// The conditions of [`Filter`] (without paging), its parameters bound by [`bind_filter`] as
/// `$1`–`$8`. Every filter is a bound parameter; a missing one is bound as NULL and ignored by
/// `$n IS NULL OR …`. Times are stored as sortable RFC 3339 UTC text on both backends.
macro_rules! audit_where {
    () => {
        " FROM audit_events \
         WHERE (jurisdiction_id = $1 OR jurisdiction_id = 0) \
         AND ($2 IS NULL OR actor = $2) \
         AND ($3 IS NULL OR action LIKE $4) \
         AND ($5 IS NULL OR entity_type = $5) \
         AND ($6 IS NULL OR entity_id = $6) \
         AND ($7 IS NULL OR at >= $7) \
         AND ($8 IS NULL OR at < $8)"
    };
}

fn bind_filter<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    f: &'q Filter,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    q.bind(f.jurisdiction_id)
        .bind(&f.actor)
        .bind(&f.action)
        .bind(
            f.action
                .as_ref()
                .map(|a| format!("{}%", a.replace(['%', '_'], ""))),
        )
        .bind(&f.entity_type)
        .bind(&f.entity_id)
        .bind(&f.since)
        .bind(&f.until)
}

/// Events matching the filter, newest first (oldest first when asked), at most `limit` (1–500)
/// after skipping `offset`.
pub async fn list(conn: &mut AnyConnection, f: &Filter) -> Result<Vec<AuditRecord>, StoreError> {
    let sql = if f.oldest_first {
        concat!(
            "SELECT ",
            audit_columns!(),
            audit_where!(),
            " AND ($9 IS NULL OR seq < $9) ORDER BY seq ASC LIMIT $10 OFFSET $11"
        )
    } else {
        concat!(
            "SELECT ",
            audit_columns!(),
            audit_where!(),
            " AND ($9 IS NULL OR seq < $9) ORDER BY seq DESC LIMIT $10 OFFSET $11"
        )
    };
    let rows: Vec<Row> = bind_filter(sqlx::query_as(sql), f)
        .bind(f.before_seq)
        .bind(f.limit.clamp(1, 500))
        .bind(f.offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(AuditRecord::from).collect())
}

/// How many events match the filter (its paging fields aside): the page numbers of the log.
pub async fn count(conn: &mut AnyConnection, f: &Filter) -> Result<i64, StoreError> {
    let (n,): (i64,) = bind_filter(
        sqlx::query_as(concat!("SELECT COUNT(*)", audit_where!())),
        f,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// The main chain's head as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ChainHead {
    /// Position of the last event.
    pub seq: i64,
    pub hash: String,
}

/// The main chain's head as the store keeps it (position and hash).
pub async fn head(conn: &mut AnyConnection) -> Result<ChainHead, StoreError> {
    Ok(
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}
