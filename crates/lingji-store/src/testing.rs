//! Fresh databases for tests, on either backend.
//!
//! SQLite: a new file in a temporary directory. PostgreSQL: a new database on the server named
//! by `LINGJI_TEST_POSTGRES_URL`, dropped again when the test ends. When that variable is not
//! set, PostgreSQL tests are skipped, unless `LINGJI_REQUIRE_POSTGRES=1` (as CI sets), in which
//! case they fail: CI must never pass a PostgreSQL test that did not run.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor};

use crate::{Backend, StoreConfig};

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
