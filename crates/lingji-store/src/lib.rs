//! Persistence for lingji on SQLite (embedded, one office or a demo) and PostgreSQL (production,
//! many app servers, read replicas). One code path for both through sqlx's `Any` driver with
//! runtime queries; one migrations folder per backend.
//!
//! Repositories are free functions over a connection so that a use case can put its state
//! change and its audit event in one transaction: `let mut tx = store.begin().await?;`.

pub mod allocation;
mod bulk;
pub mod disclosure;
pub mod error;
pub mod execution;
pub mod foundation;
pub mod library;
pub mod performance;
pub mod replica;
pub mod review;
pub mod schema;
pub(crate) mod search;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, AnyConnection, AnyPool, Executor, FromRow, Transaction};

pub use replica::Lsn;

pub use error::StoreError;

/// Which database is behind the pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file in WAL mode.
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, by its scheme.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "数据库地址须以 sqlite: 或 postgres:// 开头：{url}"
            )))
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Primary database URL (writes and, without a replica, reads).
    pub database_url: String,
    /// Optional replica for reads.
    pub read_database_url: Option<String>,
    /// Connections in the read pool.
    pub max_read_connections: u32,
    /// The audit key file (created when missing); by default next to a SQLite database file,
    /// else `lingji-audit.key` in the working directory ([`foundation::audit::default_key_path`]).
    pub audit_key_file: Option<std::path::PathBuf>,
}

impl StoreConfig {
    /// Settings for one database URL.
    pub fn new(database_url: impl Into<String>) -> Self {
        StoreConfig {
            database_url: database_url.into(),
            read_database_url: None,
            max_read_connections: 8,
            audit_key_file: None,
        }
    }

    /// The audit key file this configuration uses.
    pub fn audit_key_path(&self) -> std::path::PathBuf {
        self.audit_key_file
            .clone()
            .unwrap_or_else(|| foundation::audit::default_key_path(&self.database_url))
    }
}

/// The database: a write pool on the primary and a read pool on the replica (or the primary).
#[derive(Debug, Clone)]
pub struct Store {
    write: AnyPool,
    read: AnyPool,
    backend: Backend,
    /// True while a PostgreSQL server cannot be reached (see [`watch_reachability`]); always
    /// false on SQLite.
    down: tokio::sync::watch::Receiver<bool>,
    audit_key_path: std::path::PathBuf,
    /// Whether the read pool is on a replica (another server than the write pool).
    replica: bool,
    /// The furthest the replica was seen to have replayed ([`replica`]), shared by clones.
    replayed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A transaction on the write pool.
pub type Tx = Transaction<'static, sqlx::Any>;

impl Store {
    /// Connects both pools. SQLite files are created when missing and put in WAL mode; a single
    /// writer connection serialises writes so that no request fails with "database is locked".
    pub async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(&config.database_url)?;
        let write_url = normalise_url(&config.database_url);
        let (write_max, read_url) = match backend {
            Backend::Sqlite => (1, write_url.clone()),
            Backend::Postgres => (
                16,
                config
                    .read_database_url
                    .as_deref()
                    .map(normalise_url)
                    .unwrap_or_else(|| write_url.clone()),
            ),
        };
        let write = pool_options(backend, write_max)
            .connect_with(connect_options(&write_url)?)
            .await?;
        let read = pool_options(backend, config.max_read_connections.max(1))
            .connect_with(connect_options(&read_url)?)
            .await?;
        let (tx, down) = tokio::sync::watch::channel(false);
        if backend == Backend::Postgres {
            let mut urls = vec![connect_options(&write_url)?];
            if read_url != write_url {
                urls.push(connect_options(&read_url)?);
            }
            tokio::spawn(watch_reachability(urls, tx));
        }
        Ok(Store {
            write,
            read,
            backend,
            down,
            audit_key_path: config.audit_key_path(),
            replica: backend == Backend::Postgres && read_url != write_url,
            replayed: std::sync::Arc::default(),
        })
    }

    /// Whether the database is known to be out of reach right now.
    pub fn is_down(&self) -> bool {
        *self.down.borrow()
    }

    /// Follows reachability: a request can stop waiting the moment the database goes away.
    pub fn reachability(&self) -> tokio::sync::watch::Receiver<bool> {
        self.down.clone()
    }

    /// Runs the backend's migrations on the primary, then loads (or creates) the audit key and
    /// starts the keyed part of the chain if it has none ([`foundation::audit::start_keyed`]).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.write.acquire().await?;
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&mut *conn)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&mut *conn)
                    .await?
            }
        }
        foundation::audit::start_keyed(&mut conn, &self.audit_key_path).await?;
        Ok(())
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connections for queries that only read (`db_read()`): for a web request on the replica,
    /// which may lag the primary slightly, except when its caller wrote what the replica has
    /// not replayed yet; outside requests on the primary ([`replica`]: read-your-writes).
    pub fn read(&self) -> Reads<'_> {
        Reads { store: self }
    }

    /// The read pool itself, for a probe of the server behind it or where the backend decides
    /// (no read-your-writes).
    pub fn read_pool(&self) -> &AnyPool {
        &self.read
    }

    /// Pool on the primary (`db_write()`). Using it counts as a write of the current request.
    pub fn write(&self) -> &AnyPool {
        replica::note_write();
        &self.write
    }

    /// Begins a transaction on the primary.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        replica::note_write();
        Ok(self.write.begin().await?)
    }

    /// Whether reads go to a replica (a read database URL other than the primary's).
    pub fn has_replica(&self) -> bool {
        self.replica
    }

    /// Where the primary's write-ahead log ends now: after a commit, a position the replica
    /// must have replayed to show that commit. `None` on SQLite. The insert position, not the
    /// flushed one, so that it is never before a commit of this server, whatever
    /// `synchronous_commit` says.
    pub async fn primary_lsn(&self) -> Result<Option<Lsn>, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let text: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
            .fetch_one(&self.write)
            .await?;
        Ok(text.parse().ok())
    }

    /// The audit key file this store appends with.
    pub fn audit_key_path(&self) -> &std::path::Path {
        &self.audit_key_path
    }

    /// Writes a consistent copy of a SQLite database to `path` while it stays in use:
    /// `VACUUM INTO` on a reading connection reads one snapshot (WAL lets the writer go on)
    /// and writes a compact database file that opens as it is. The file must not exist. On
    /// PostgreSQL, refused: `pg_dump` or a base backup with WAL archiving do it there
    /// (docs/OPERATIONS.md).
    pub async fn backup_into(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Config(
                "PostgreSQL 数据库请用 pg_dump（逻辑备份）或基础备份加 WAL 归档（可按时间点恢复）备份，\
                 见 docs/OPERATIONS.md（BACKUP_POSTGRES_USE_PG_DUMP）"
                    .into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Config(format!(
                "备份文件 {} 已存在：请指定新文件（BACKUP_TARGET_EXISTS）",
                path.display()
            )));
        }
        let target = path.to_str().ok_or_else(|| {
            StoreError::Config(format!("备份文件名须为 UTF-8：{}", path.display()))
        })?;
        let mut conn = self.read.acquire().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// The read side of a [`Store`]: `store.read().acquire().await?` is a connection that sees
/// what the current request's caller wrote.
#[derive(Debug, Clone, Copy)]
pub struct Reads<'a> {
    store: &'a Store,
}

impl Reads<'_> {
    /// A connection for reading: on the replica when it has replayed the position the current
    /// request brought (or when the request brought none), else on the primary; outside any
    /// request (the CLI, jobs, tests of use cases) on the primary ([`replica`]).
    pub async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        let store = self.store;
        if !store.replica {
            return store.read.acquire().await;
        }
        let after = match replica::required() {
            replica::Need::Primary => return store.write.acquire().await,
            replica::Need::After(None) => return store.read.acquire().await,
            replica::Need::After(Some(after)) => after,
        };
        use std::sync::atomic::Ordering;
        if store.replayed.load(Ordering::Relaxed) >= after.0 {
            return store.read.acquire().await;
        }
        let mut conn = store.read.acquire().await?;
        // A server that is not (or no longer) a standby has everything it will ever have.
        let replayed: Option<String> = sqlx::query_scalar(
            "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() \
             ELSE pg_current_wal_lsn() END)::text",
        )
        .fetch_one(&mut *conn)
        .await?;
        if let Some(Ok(Lsn(replayed))) = replayed.as_deref().map(str::parse::<Lsn>) {
            store.replayed.fetch_max(replayed, Ordering::Relaxed);
            if replayed >= after.0 {
                return Ok(conn);
            }
        }
        drop(conn);
        tracing::debug!(%after, "replica behind the caller's last write: reading on the primary");
        store.write.acquire().await
    }
}

/// Whether a connection is to PostgreSQL: a few hot statements have a one-statement form
/// there (a data-modifying `WITH`) that SQLite does not have.
pub(crate) fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME
}

/// The row a read finds, if any, converted into what the store returns. Most reads are one
/// query per need — the entity's columns, a `WHERE`, its binds — and this is their common end.
pub(crate) async fn read_optional<R, T>(
    conn: &mut AnyConnection,
    query: QueryAs<'_, Any, R, AnyArguments>,
    convert: impl FnOnce(R) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError>
where
    R: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
{
    query
        .fetch_optional(&mut *conn)
        .await?
        .map(convert)
        .transpose()
}

/// The rows a read finds, each converted into what the store returns (see [`read_optional`]).
pub(crate) async fn read_all<R, T>(
    conn: &mut AnyConnection,
    query: QueryAs<'_, Any, R, AnyArguments>,
    convert: impl FnMut(R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError>
where
    R: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
{
    query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(convert)
        .collect()
}

/// The rows a read of one jurisdiction's fiscal year finds (`$1` the jurisdiction, `$2` the
/// year): most of a year's lists and sums are one such query.
pub(crate) async fn year_rows<R>(
    conn: &mut AnyConnection,
    sql: &'static str,
    jurisdiction_id: i64,
    year: impl Into<i64>,
) -> Result<Vec<R>, StoreError>
where
    R: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
{
    Ok(sqlx::query_as(sql)
        .bind(jurisdiction_id)
        .bind(year.into())
        .fetch_all(&mut *conn)
        .await?)
}

/// Runs an optimistic UPDATE of the row `id`: `query` binds the new values, then the time of the
/// change, `id` and the version the row must still be at are bound after them (the statement's
/// last three placeholders). [`StoreError::Stale`] when somebody changed the row first.
pub(crate) async fn update_versioned(
    conn: &mut AnyConnection,
    query: Query<'_, Any, AnyArguments>,
    id: i64,
    expected_version: i64,
) -> Result<(), StoreError> {
    let done = query
        .bind(time::now_text())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *conn)
        .await?;
    error::one_row(&done)
}

/// Accepts `sqlite:path.db` and `sqlite://path.db`, creating the file when missing.
fn normalise_url(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_string()
    }
}

fn connect_options(url: &str) -> Result<AnyConnectOptions, StoreError> {
    AnyConnectOptions::from_str(url).map_err(|e| StoreError::Config(format!("数据库地址无效：{e}")))
}

/// How often the PostgreSQL servers are probed.
const PROBE_EVERY: Duration = Duration::from_millis(500);
/// How long a probe may take before it counts as a failure.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// Watches whether the PostgreSQL servers (primary, and replica if any) can be reached, over
/// connections of its own: a pool waiting for a connection cannot tell a server that is down
/// (sqlx retries a refused connection until the acquire timeout) from one that is slow to
/// hand out connections under load. A refused or broken connection marks the database down at
/// once; probes that merely time out must do so twice running, so a busy moment is not taken
/// for an outage. Ends when every [`Store`] clone is gone.
async fn watch_reachability(
    servers: Vec<AnyConnectOptions>,
    down: tokio::sync::watch::Sender<bool>,
) {
    use sqlx::Connection;
    let mut conns: Vec<Option<AnyConnection>> = servers.iter().map(|_| None).collect();
    let mut slow = vec![0u32; servers.len()];
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if down.is_closed() {
            return;
        }
        let mut all_up = true;
        let mut reason = String::new();
        for (i, options) in servers.iter().enumerate() {
            let probe = async {
                match conns[i].as_mut() {
                    Some(c) => c.ping().await.map(|()| None),
                    None => AnyConnection::connect_with(options).await.map(Some),
                }
            };
            let up = match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
                Ok(Ok(fresh)) => {
                    if let Some(c) = fresh {
                        conns[i] = Some(c);
                    }
                    slow[i] = 0;
                    true
                }
                Ok(Err(e)) => {
                    reason = e.to_string();
                    conns[i] = None;
                    slow[i] = 0;
                    false
                }
                Err(_) => {
                    reason = "no answer within the probe timeout".to_string();
                    conns[i] = None;
                    slow[i] += 1;
                    slow[i] < 2
                }
            };
            all_up &= up;
        }
        down.send_if_modified(|d| {
            let changed = *d == all_up;
            if changed {
                *d = !all_up;
                if all_up {
                    tracing::info!("database reachable again");
                } else {
                    tracing::warn!(%reason, "database unreachable");
                }
            }
            changed
        });
    }
}

/// How long a PostgreSQL connection may sit idle in the pool and still be used without a ping.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(5);

/// How long a request waits for a connection, including opening one. Under load (and while
/// many connections are opened at once) this can take seconds, which is no outage; an
/// unreachable PostgreSQL server is noticed by [`watch_reachability`] instead, within about a
/// second, and requests are answered 503 then (`lingji-web`). On SQLite the one writer
/// connection may be held by a long import, which other writes wait for.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

fn pool_options(backend: Backend, max: u32) -> AnyPoolOptions {
    let options = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    match backend {
        // A connection that sat idle may have been dropped by the server or the network: it is
        // pinged before use. One in steady use is not — under load a ping is a round trip
        // added to every request (a payment is two otherwise).
        Backend::Postgres => options
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > IDLE_BEFORE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            }),
        // synchronous = FULL: in WAL mode SQLite then syncs the WAL at every commit, so a
        // payment acknowledged after its commit survives power loss; NORMAL syncs only at
        // checkpoints and may lose the last commits (never corrupt the file) when power fails.
        Backend::Sqlite => options.after_connect(|conn: &mut AnyConnection, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536;",
                )
                .await?;
                Ok(())
            })
        }),
    }
}
