//! User accounts.

use lingji_domain::foundation::authz::Role;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// A user as stored, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    pub role: Role,
    /// Organisation the user is bound to.
    pub org_id: i64,
    /// Name of that organisation.
    pub org_name: String,
    /// Jurisdiction of that organisation.
    pub jurisdiction_id: i64,
    /// False when disabled.
    pub active: bool,
    pub version: i64,
    /// Last change of the password.
    pub password_changed_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    org_id: i64,
    org_name: String,
    jurisdiction_id: i64,
    active: i64,
    version: i64,
    password_changed_at: String,
}

macro_rules! select_users {
    () => {
        "SELECT u.id, u.username, u.display_name, u.role, u.org_id, o.name AS org_name, \
     o.jurisdiction_id, u.active, u.version, u.password_changed_at \
     FROM users u JOIN organisations o ON o.id = u.org_id"
    };
}

impl TryFrom<Row> for User {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: Role::parse(&r.role).map_err(|e| StoreError::Corrupt(e.message))?,
            org_id: r.org_id,
            org_name: r.org_name,
            jurisdiction_id: r.jurisdiction_id,
            active: r.active != 0,
            version: r.version,
            password_changed_at: r.password_changed_at,
        })
    }
}

/// Inserts a user; a taken username is a [`StoreError::Conflict`].
pub async fn insert(
    conn: &mut AnyConnection,
    username: &str,
    display_name: &str,
    role: Role,
    org_id: i64,
    password_hash: &str,
) -> Result<i64, StoreError> {
    let now = now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO users (username, display_name, role, org_id, password_hash, created_at, \
         updated_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(role.as_str())
    .bind(org_id)
    .bind(password_hash)
    .bind(&now)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?)
}

/// One user by id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<User>, StoreError> {
    let row: Option<Row> = sqlx::query_as(concat!(select_users!(), " WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(User::try_from).transpose()
}

/// A user with the password hash (not serialisable: the hash never leaves the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWithHash {
    pub user: User,
    /// The password hash.
    pub password_hash: String,
}

/// One user by login name, with the password hash.
pub async fn get_with_hash(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<UserWithHash>, StoreError> {
    let Some(user) = find(conn, username).await? else {
        return Ok(None);
    };
    let password_hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Some(UserWithHash {
        user,
        password_hash,
    }))
}

/// One user by login name.
pub async fn find(conn: &mut AnyConnection, username: &str) -> Result<Option<User>, StoreError> {
    let row: Option<Row> = sqlx::query_as(concat!(select_users!(), " WHERE u.username = $1"))
        .bind(username)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(User::try_from).transpose()
}

/// Users of a jurisdiction, by organisation and name.
pub async fn list(conn: &mut AnyConnection, jurisdiction_id: i64) -> Result<Vec<User>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        select_users!(),
        " WHERE o.jurisdiction_id = $1 ORDER BY o.code, u.username"
    ))
    .bind(jurisdiction_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(User::try_from).collect()
}

/// Replaces the password hash.
pub async fn set_password(conn: &mut AnyConnection, id: i64, hash: &str) -> Result<(), StoreError> {
    let now = now_text();
    sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $3, \
         version = version + 1 WHERE id = $4",
    )
    .bind(hash)
    .bind(&now)
    .bind(&now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A user's role, organisation, display name and active flag to write (see [`update`]).
#[derive(Debug, Clone, Copy)]
pub struct UserChange<'a> {
    pub id: i64,
    pub display_name: &'a str,
    pub role: Role,
    pub org_id: i64,
    pub active: bool,
    /// The version the row must still be at.
    pub expected_version: i64,
}

/// Changes role, organisation, display name and active flag if the row is still at
/// `expected_version`.
pub async fn update(conn: &mut AnyConnection, change: &UserChange<'_>) -> Result<(), StoreError> {
    let UserChange {
        id,
        display_name,
        role,
        org_id,
        active,
        expected_version,
    } = *change;
    let query = sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, org_id = $3, active = $4, updated_at = $5, \
         version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(display_name)
    .bind(role.as_str())
    .bind(org_id)
    .bind(i64::from(active));
    crate::update_versioned(conn, query, id, expected_version).await
}
