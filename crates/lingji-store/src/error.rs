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
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Text the database cannot store (PostgreSQL refuses NUL, SQLSTATE 22021). The edges refuse
    /// control characters first; this keeps a missed one a refusal rather than a server error.
    #[error("text with a character the database cannot store")]
    Unstorable,
    /// Migration failed.
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
        StoreError::Database(e)
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
