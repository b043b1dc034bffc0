//! Fresh databases for tests, on either backend.
//!
//! SQLite: a new file in a temporary directory. PostgreSQL: a new database on the server named
//! by `LINGJI_TEST_POSTGRES_URL`, dropped again when the test ends. When that variable is not
//! set, PostgreSQL tests are skipped, unless `LINGJI_REQUIRE_POSTGRES=1` (as CI sets), in which
//! case they fail: CI must never pass a PostgreSQL test that did not run.
//!
//! `LINGJI_TEST_POSTGRES_READ_URL` names a streaming replica of that server (`.ci/postgres.sh`
//! makes one): the test database's reads then go to it, as `--read-database-url` sends them in
//! production. The replica gets the database by replication; it names the same database.
//! CI sets it too, and with `LINGJI_REQUIRE_POSTGRES=1` a missing one fails the test.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::{Connection, Executor};

use crate::{Backend, Lsn, StoreConfig};

/// The audit key of every test database: one process keys every chain it appends to with one
/// key ([`crate::foundation::audit::install_key`]), and tests of one binary share a process.
pub const TEST_AUDIT_KEY: &str = "6c696e676a692d746573742d61756469742d6b65792d6e6f742d736563726574";

/// A database that lives as long as the test.
pub struct TestDb {
    /// Settings to connect to it.
    pub config: StoreConfig,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

/// True when PostgreSQL tests must run (CI).
pub fn postgres_required() -> bool {
    std::env::var("LINGJI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is not configured and not required.
    ///
    /// # Panics
    /// When PostgreSQL is required but not configured or not reachable.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        Some(TestDb::create(backend, None).await?.with_test_key())
    }

    /// This database with the test audit key in its key file.
    fn with_test_key(mut self) -> TestDb {
        let key = self.config.audit_key_path();
        std::fs::write(&key, TEST_AUDIT_KEY).expect("write the test audit key");
        self.config.audit_key_file = Some(key);
        self
    }

    /// A fresh database whose audit key file does not exist yet (lingji creates it).
    pub async fn without_key(backend: Backend) -> Option<TestDb> {
        TestDb::create(backend, None).await
    }

    /// A fresh database holding what `build` makes of an empty one: made once for this test
    /// binary's build under the name `name` (as `build` ran it, through the use cases) and
    /// copied for every test after — PostgreSQL's `CREATE DATABASE … TEMPLATE`, a file copy on
    /// SQLite. Each test runs in a process of its own, so the copy is kept outside the process:
    /// in the temporary directory, or as a database on the test server, named by the test
    /// binary (its path, size and time) and the day, so that a new build never reads an old
    /// one's. A process that finds none makes it while holding a lock (a file lock, an advisory
    /// lock); the others wait for it. `build` gets a database with the test audit key and must
    /// close every connection it opened.
    ///
    /// # Panics
    /// When the copy cannot be made or taken, or as [`TestDb::new`].
    pub async fn from_template(
        backend: Backend,
        name: &str,
        build: impl AsyncFnOnce(&StoreConfig),
    ) -> Option<TestDb> {
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "a template's name is lowercase letters and `_`: {name}"
        );
        let stamp = build_stamp();
        let template = match backend {
            Backend::Sqlite => Template::File(sqlite_template(name, stamp, build).await),
            Backend::Postgres => {
                let admin_url = admin_url()?;
                Template::Database(postgres_template(&admin_url, name, stamp, build).await)
            }
        };
        Some(
            TestDb::create(backend, Some(&template))
                .await?
                .with_test_key(),
        )
    }

    async fn create(backend: Backend, template: Option<&Template>) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = dir.path().join("audit.key");
        match backend {
            Backend::Sqlite => {
                let path = dir.path().join("test.db");
                if let Some(Template::File(from)) = template {
                    std::fs::copy(from, &path).expect("copy the template database");
                }
                let mut config = StoreConfig::new(format!("sqlite:{}", path.display()));
                config.audit_key_file = Some(key);
                Some(TestDb {
                    config,
                    backend,
                    _dir: Some(dir),
                    drop_pg: None,
                })
            }
            Backend::Postgres => {
                let admin_url = admin_url()?;
                static SERIAL: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "lingji_test_{}_{}_{}",
                    std::process::id(),
                    SERIAL.fetch_add(1, Ordering::Relaxed),
                    chrono::Utc::now().timestamp_micros()
                );
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at LINGJI_TEST_POSTGRES_URL unreachable: {e}")
                    });
                // The names are ours (letters, digits and underscores), not input: safe to splice.
                let create = match template {
                    Some(Template::Database(from)) => {
                        format!("CREATE DATABASE {name} TEMPLATE {from}")
                    }
                    _ => format!("CREATE DATABASE {name}"),
                };
                conn.execute(sqlx::AssertSqlSafe(create))
                    .await
                    .expect("create test database");
                let url = replace_db_name(&admin_url, &name);
                let mut config = StoreConfig::new(url);
                config.audit_key_file = Some(key);
                if let Some(read_admin_url) = read_url() {
                    let read_url = replace_db_name(&read_admin_url, &name);
                    // The new database reaches the replica when its log record is replayed.
                    let since = Instant::now();
                    while let Err(e) = sqlx::PgConnection::connect(&read_url).await {
                        assert!(
                            since.elapsed() < REPLICA_PATIENCE,
                            "test database {name} did not reach the replica at \
                             LINGJI_TEST_POSTGRES_READ_URL: {e}"
                        );
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    config.read_database_url = Some(read_url);
                }
                Some(TestDb {
                    config,
                    backend,
                    _dir: Some(dir),
                    drop_pg: Some((admin_url, name)),
                })
            }
        }
    }
}

/// The test server's administrator URL, or `None` when PostgreSQL tests are skipped here.
fn admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("LINGJI_TEST_POSTGRES_URL") {
        return Some(url);
    }
    assert!(
        !postgres_required(),
        "LINGJI_REQUIRE_POSTGRES=1 but LINGJI_TEST_POSTGRES_URL is not set"
    );
    eprintln!("skipped: LINGJI_TEST_POSTGRES_URL not set");
    None
}

/// Where a test database is copied from.
enum Template {
    File(std::path::PathBuf),
    Database(String),
}

/// Names the running test binary (its path: the crate's tests keep theirs from build to build)
/// and this build of it (its size and modification time) with the day in Beijing, in a dozen
/// hex digits each: a template is made anew every day, as tests read the demo's events as
/// written "today".
struct Stamp {
    binary: String,
    build: String,
}

fn build_stamp() -> Stamp {
    use std::hash::{Hash, Hasher};
    let exe = std::env::current_exe().expect("the test binary's path");
    let meta = std::fs::metadata(&exe).expect("the test binary's metadata");
    // `DefaultHasher::new` uses fixed keys: every process of one binary gets the same stamp.
    let hash = |parts: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        parts(&mut hasher);
        format!("{:012x}", hasher.finish() >> 16)
    };
    Stamp {
        binary: hash(&|h| exe.hash(h)),
        build: hash(&|h| {
            meta.len().hash(h);
            meta.modified().ok().hash(h);
            let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
            chrono::Utc::now()
                .with_timezone(&beijing)
                .date_naive()
                .hash(h);
        }),
    }
}

/// The SQLite template `name` of this build, made by `build` if no process made it yet.
async fn sqlite_template(
    name: &str,
    stamp: Stamp,
    build: impl AsyncFnOnce(&StoreConfig),
) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("lingji-test-templates");
    std::fs::create_dir_all(&dir).expect("the templates' directory");
    let prefix = format!("{name}-{}-", stamp.binary);
    let path = dir.join(format!("{prefix}{}.db", stamp.build));
    let lock_path = dir.join(format!("{prefix}lock"));
    let lock = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::create(lock_path).expect("the template's lock file");
        file.lock().expect("lock the template");
        file
    })
    .await
    .expect("lock the template");
    if !path.exists() {
        // Older builds' copies of this template are of no further use.
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(&prefix) && file.ends_with(".db") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let scratch = TestDb::new(Backend::Sqlite)
            .await
            .expect("SQLite is always here");
        build(&scratch.config).await;
        let built = scratch
            .config
            .database_url
            .strip_prefix("sqlite:")
            .expect("a SQLite URL")
            .to_string();
        // Everything written is in the main file once the log is checkpointed (`build` closed
        // its connections; this one is the last).
        let mut conn = sqlx::SqliteConnection::connect(&scratch.config.database_url)
            .await
            .expect("open the built template");
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint the built template");
        conn.close().await.expect("close the built template");
        // Written aside and renamed: a process that finds the name finds it whole.
        let partial = path.with_extension("partial");
        std::fs::copy(&built, &partial).expect("copy the built template");
        std::fs::rename(&partial, &path).expect("name the built template");
    }
    drop(lock);
    path
}

/// The PostgreSQL template `name` of this build on the test server, made by `build` if no
/// process made it yet.
async fn postgres_template(
    admin_url: &str,
    name: &str,
    stamp: Stamp,
    build: impl AsyncFnOnce(&StoreConfig),
) -> String {
    let prefix = format!("lingji_tpl_{name}_{}_", stamp.binary);
    let template = format!("{prefix}{}", stamp.build);
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at LINGJI_TEST_POSTGRES_URL unreachable: {e}"));
    // One process makes it while the others wait; the lock ends with the session.
    sqlx::query("SELECT pg_advisory_lock(hashtext($1))")
        .bind(&prefix)
        .execute(&mut admin)
        .await
        .expect("lock the template");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&template)
            .fetch_one(&mut admin)
            .await
            .expect("look the template up");
    if !exists {
        // Older builds' copies (and one a failed build left half made) are of no use now.
        let stale: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
                .bind(&prefix)
                .fetch_all(&mut admin)
                .await
                .expect("list the old templates");
        for old in stale {
            // Names read from the catalogue, made by this function: letters, digits, `_`.
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {old} WITH (FORCE)"
                )))
                .await;
        }
        let building = format!("{template}_part");
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
            .await
            .expect("create the template");
        let dir = tempfile::tempdir().expect("temp dir");
        let key = dir.path().join("audit.key");
        std::fs::write(&key, TEST_AUDIT_KEY).expect("write the test audit key");
        let mut config = StoreConfig::new(replace_db_name(admin_url, &building));
        config.audit_key_file = Some(key);
        build(&config).await;
        // A template takes no sessions: end any the pools left behind, then name it (a
        // session ended is gone from the server a moment later).
        end_sessions(&mut admin, &building).await;
        let since = Instant::now();
        while let Err(e) = admin
            .execute(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {building} RENAME TO {template}"
            )))
            .await
        {
            assert!(
                since.elapsed() < NAMING_PATIENCE,
                "could not name the template {template}: {e}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    admin.close().await.expect("release the template's lock");
    template
}

impl TestDb {
    /// PostgreSQL only: makes the database take no writes (`default_transaction_read_only`),
    /// or writes again, as a primary does for a while after a failover, and ends every
    /// session on it so that the pools reconnect under the new setting.
    ///
    /// # Panics
    /// On SQLite, or when the server refuses.
    pub async fn set_read_only(&self, on: bool) {
        let (admin_url, name) = self.drop_pg.as_ref().expect("PostgreSQL only");
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect as administrator");
        // The name is the test's own, made by `without_key` of letters, digits and `_`.
        let setting = if on { "on" } else { "off" };
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {name} SET default_transaction_read_only = {setting}"
            )))
            .await
            .expect("alter the database");
        end_sessions(&mut admin, name).await;
    }
}

/// Ends every session on the database `name` but the administrator's own.
async fn end_sessions(admin: &mut sqlx::PgConnection, name: &str) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .execute(admin)
    .await
    .expect("end the sessions");
}

/// How long the renaming of a new template may wait for the sessions ended before it to go.
const NAMING_PATIENCE: Duration = Duration::from_secs(10);

/// How long a test waits for the replica to replay what the primary wrote.
const REPLICA_PATIENCE: Duration = Duration::from_secs(30);

/// The replica's URL, when tests read from one; panics when CI requires one and it is missing.
fn read_url() -> Option<String> {
    match std::env::var("LINGJI_TEST_POSTGRES_READ_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !postgres_required(),
                "LINGJI_REQUIRE_POSTGRES=1 but LINGJI_TEST_POSTGRES_READ_URL (the replica) is not \
                 set: .ci/postgres.sh --read-url prints it"
            );
            None
        }
    }
}

impl TestDb {
    /// Waits until the replica (if reads go to one) has replayed everything written so far:
    /// for a test that wrote outside any request (straight through the store or a use case, or
    /// another process) and then reads as a client who knows nothing of that write would.
    ///
    /// # Panics
    /// When the replica does not catch up within 30 s.
    pub async fn replica_caught_up(&self) {
        let Some(read_url) = &self.config.read_database_url else {
            return;
        };
        let mut primary = sqlx::PgConnection::connect(&self.config.database_url)
            .await
            .expect("connect to the primary");
        let mut replica = sqlx::PgConnection::connect(read_url)
            .await
            .expect("connect to the replica");
        let written: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
            .fetch_one(&mut primary)
            .await
            .expect("the primary's position");
        let written: Lsn = written.parse().expect("a log position");
        let since = Instant::now();
        loop {
            let replayed: Option<String> =
                sqlx::query_scalar("SELECT pg_last_wal_replay_lsn()::text")
                    .fetch_one(&mut replica)
                    .await
                    .expect("the replica's position");
            if replayed.and_then(|r| r.parse::<Lsn>().ok()) >= Some(written) {
                return;
            }
            assert!(
                since.elapsed() < REPLICA_PATIENCE,
                "the replica did not replay {written} in time"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.drop_pg.take() {
            // Drop runs outside async; a short-lived runtime on its own thread does the work.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = conn
                                .execute(sqlx::AssertSqlSafe(format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                )))
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Declares one test per backend from an `async fn(Backend)`: `sqlite::name` always runs,
/// `postgres::name` runs when PostgreSQL is configured (and must, in CI).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn test_database_urls_keep_credentials_and_options() {
        assert_eq!(
            replace_db_name("postgres://u:p@localhost:5432/postgres", "t1"),
            "postgres://u:p@localhost:5432/t1"
        );
        assert_eq!(
            replace_db_name("postgres://u@h/postgres?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
    }
}
