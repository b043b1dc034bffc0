//! Storage errors, with the cases callers act on (conflicts, missing rows) kept apart.

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the row; the string names the constraint or index.
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    /// An optimistic-concurrency check failed: somebody changed the row first.
    #[error("row was changed concurrently")]
    Stale,
    /// Misconfiguration, in Chinese for the operator.
    #[error("{0}")]
    Config(String),
    /// Stored data that does not parse, e.g. an unknown role string.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The database cannot be reached now (refused or dropped connections, no connection
    /// within the acquire timeout, a server shutting down): worth retrying shortly.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Text the database cannot store (PostgreSQL refuses NUL, SQLSTATE 22021). The edges refuse
    /// control characters first; this keeps a missed one a refusal rather than a server error.
    #[error("text with a character the database cannot store")]
    Unstorable,
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error()
            && db.is_unique_violation()
        {
            return StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_string());
        }
        if e.as_database_error()
            .and_then(|db| db.code())
            .is_some_and(|code| code == "22021" || code == "22P05")
        {
            return StoreError::Unstorable;
        }
        if unreachable(&e) {
            return StoreError::Unavailable(e);
        }
        StoreError::Database(e)
    }
}

/// Whether an error means the database is out of reach rather than that the statement was wrong.
fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception), the server shutting down or starting
        // (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), and a
        // server that takes no writes (25006 read_only_sql_transaction): a standby reached by
        // mistake, or a new primary that pg_auto_failover keeps read-only until the old one is
        // surely demoted (docs/OPERATIONS.md) — retry later, like an outage.
        sqlx::Error::Database(db) => db.code().is_some_and(|c| {
            c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03" | "25006")
        }),
        _ => false,
    }
}

/// The outcome of an update guarded by `version = $expected`: exactly one row, or somebody
/// changed it first.
pub(crate) fn one_row(done: &sqlx::any::AnyQueryResult) -> Result<(), StoreError> {
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}
