//! Browser sessions, API tokens and login attempts, all in the database so that any app server
//! can serve any request.

use serde::Serialize;
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

/// What an attempt was for: throttling counts each apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Signing in with a username and password.
    Login,
    /// Changing one's own password (the current one is checked).
    PasswordChange,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::PasswordChange => "password",
        }
    }
}

/// Records an attempt of `username` from `ip`.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    purpose: Purpose,
    username: &str,
    ip: &str,
    success: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO login_attempts (username, ip, at, success, purpose) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(username)
    .bind(ip)
    .bind(now_text())
    .bind(i64::from(success))
    .bind(purpose.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Failed sign-in attempts counted, with when the last one was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Failures {
    pub count: i64,
    /// When the last one was (stored time text), if any.
    pub last: Option<String>,
}

/// Failed attempts of one username from one address since `since` and since its last success
/// from there: how many, and when the last one was.
pub async fn pair_failures(
    conn: &mut AnyConnection,
    purpose: Purpose,
    username: &str,
    ip: &str,
    since: &str,
) -> Result<Failures, StoreError> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*) AS count, MAX(at) AS last FROM login_attempts \
         WHERE username = $1 AND ip = $2 AND purpose = $3 AND success = 0 AND at > $4 \
           AND at > COALESCE((SELECT MAX(at) FROM login_attempts \
                              WHERE username = $5 AND ip = $6 AND purpose = $7 AND success = 1), '')",
    )
    .bind(username)
    .bind(ip)
    .bind(purpose.as_str())
    .bind(since)
    .bind(username)
    .bind(ip)
    .bind(purpose.as_str())
    .fetch_one(&mut *conn)
    .await?)
}

/// Failed attempts from one address since `since`, whatever the username.
pub async fn address_failures(
    conn: &mut AnyConnection,
    purpose: Purpose,
    ip: &str,
    since: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts \
         WHERE ip = $1 AND purpose = $2 AND success = 0 AND at > $3",
    )
    .bind(ip)
    .bind(purpose.as_str())
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

/// The time of the failure from `ip` that has `skip` older ones after `since`: once it leaves
/// the window, the address is below its limit again.
pub async fn address_failure_at(
    conn: &mut AnyConnection,
    purpose: Purpose,
    ip: &str,
    since: &str,
    skip: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT at FROM login_attempts \
         WHERE ip = $1 AND purpose = $2 AND success = 0 AND at > $3 \
         ORDER BY at LIMIT 1 OFFSET $4",
    )
    .bind(ip)
    .bind(purpose.as_str())
    .bind(since)
    .bind(skip)
    .fetch_optional(&mut *conn)
    .await?)
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    /// The owner's login name.
    pub username: String,
    /// What it is for.
    pub name: String,
    /// Issued, RFC 3339.
    pub created_at: String,
    /// Expiry, RFC 3339.
    pub expires_at: Option<String>,
    /// Revocation, RFC 3339.
    pub revoked_at: Option<String>,
}

/// Stores an API token by its hash.
pub async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    name: &str,
    expires_at: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(name)
    .bind(now_text())
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?)
}

/// The user of an unrevoked, unexpired API token.
pub async fn token_user(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM api_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_text())
    .fetch_optional(&mut *conn)
    .await?)
}

/// Every token of a user, newest first, revoked and expired ones included.
pub async fn tokens_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<Token>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.expires_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.user_id = $1 ORDER BY t.id DESC",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn token(conn: &mut AnyConnection, id: i64) -> Result<Option<Token>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.expires_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Revokes one token; false when it was revoked already.
pub async fn revoke_token(conn: &mut AnyConnection, id: i64) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_text())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every live token of a user (a password change); how many.
pub async fn revoke_tokens_of(conn: &mut AnyConnection, user_id: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_text())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
