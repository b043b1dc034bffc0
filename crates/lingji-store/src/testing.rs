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
        let mut db = TestDb::without_key(backend).await?;
        let key = db.config.audit_key_path();
        std::fs::write(&key, TEST_AUDIT_KEY).expect("write the test audit key");
        db.config.audit_key_file = Some(key);
        Some(db)
    }

    /// A fresh database whose audit key file does not exist yet (lingji creates it).
    pub async fn without_key(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = dir.path().join("audit.key");
        match backend {
            Backend::Sqlite => {
                let path = dir.path().join("test.db");
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
                let Ok(admin_url) = std::env::var("LINGJI_TEST_POSTGRES_URL") else {
                    assert!(
                        !postgres_required(),
                        "LINGJI_REQUIRE_POSTGRES=1 but LINGJI_TEST_POSTGRES_URL is not set"
                    );
                    eprintln!("skipped: LINGJI_TEST_POSTGRES_URL not set");
                    return None;
                };
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
                // The name is ours (digits and underscores), not input: safe to splice.
                conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
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
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut admin)
        .await
        .expect("end the sessions");
    }
}

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
