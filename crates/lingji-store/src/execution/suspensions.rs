//! Suspensions of a project's payments (PM-9): the one in force, suspending and lifting.

use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// A suspension of a project's payments (PM-9).
#[derive(Debug, Clone)]
pub struct Suspension {
    pub id: i64,
    pub project_id: i64,
    pub reason: String,
    pub suspended_by: String,
    pub suspended_at: String,
}

/// The project's suspension in force, if any.
pub async fn suspension(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Option<Suspension>, StoreError> {
    let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT id, project_id, reason, suspended_by, suspended_at FROM payment_suspensions \
         WHERE project_id = $1 AND lifted_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(project_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Suspension {
        id: r.0,
        project_id: r.1,
        reason: r.2,
        suspended_by: r.3,
        suspended_at: r.4,
    }))
}

/// Suspends a project's payments.
pub async fn suspend(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    project_id: i64,
    reason: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO payment_suspensions (jurisdiction_id, project_id, reason, suspended_by, suspended_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(project_id)
    .bind(reason)
    .bind(actor)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Lifts the project's suspension in force; false when there is none.
pub async fn lift(
    conn: &mut AnyConnection,
    project_id: i64,
    reason: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE payment_suspensions SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE project_id = $4 AND lifted_at IS NULL",
    )
    .bind(actor)
    .bind(now_text())
    .bind(reason)
    .bind(project_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
