//! Browser sessions, API tokens and login attempts, all in the database so that any app server
//! can serve any request.

use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// A live session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    /// The signed-in user.
    pub user_id: i64,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// Expiry, RFC 3339.
    pub expires_at: String,
}

/// Stores a session under the hash of its cookie value.
pub async fn insert(
    conn: &mut AnyConnection,
    id_hash: &str,
    user_id: i64,
    csrf_token: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now_text())
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The unexpired session with this hash.
pub async fn get(conn: &mut AnyConnection, id_hash: &str) -> Result<Option<Session>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT user_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(id_hash)
    .bind(now_text())
    .fetch_optional(&mut *conn)
    .await?)
}

/// Moves a session's expiry forward (sliding expiry).
pub async fn touch(
    conn: &mut AnyConnection,
    id_hash: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id_hash = $2")
        .bind(expires_at)
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete(conn: &mut AnyConnection, id_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user except `keep` (after a password change).
pub async fn delete_for_user(
    conn: &mut AnyConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes expired sessions and login attempts older than `attempts_before`.
pub async fn purge(conn: &mut AnyConnection, attempts_before: &str) -> Result<u64, StoreError> {
    let s = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    let a = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(attempts_before)
        .execute(&mut *conn)
        .await?;
    Ok(s.rows_affected() + a.rows_affected())
}

/// Records a login attempt.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    success: bool,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO login_attempts (username, ip, at, success) VALUES ($1, $2, $3, $4)")
        .bind(username)
        .bind(ip)
        .bind(now_text())
        .bind(i64::from(success))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Failed attempts since `since` for this username and for this address.
pub async fn failures_since(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    since: &str,
) -> Result<(i64, i64), StoreError> {
    let by_user: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE username = $1 AND success = 0 AND at > $2",
    )
    .bind(username)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    let by_ip: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND success = 0 AND at > $2",
    )
    .bind(ip)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    Ok((by_user, by_ip))
}

/// Stores an API token by its hash.
pub async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    name: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(name)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// The user of an unrevoked API token.
pub async fn token_user(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}
