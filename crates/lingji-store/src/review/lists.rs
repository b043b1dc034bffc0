//! The lists the finance bureau maintains (key matters, events, the purchase-of-services
//! negative list, the special-fund registry, assessment agencies), every change kept.

use lingji_domain::review::lists::{ListEntry, ListKind};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEntry {
    pub id: i64,
    pub list: ListKind,
    pub entry: ListEntry,
    /// In force (retired entries are kept for history).
    pub active: bool,
    /// Row version for optimistic concurrency.
    pub version: i64,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    list: String,
    entry: String,
    active: i64,
    version: i64,
    updated_at: String,
}

impl TryFrom<Row> for StoredEntry {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(StoredEntry {
            id: r.id,
            list: ListKind::parse(&r.list).map_err(corrupt)?,
            entry: serde_json::from_str(&r.entry).map_err(corrupt)?,
            active: r.active != 0,
            version: r.version,
            updated_at: r.updated_at,
        })
    }
}

/// Entries of a list, by code; with `year`, only that year's (yearly lists); with
/// `active_only`, only those in force.
pub async fn entries(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    list: ListKind,
    year: Option<i32>,
    active_only: bool,
) -> Result<Vec<StoredEntry>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(
        "SELECT id, list, entry, active, version, updated_at FROM finance_list_entries \
         WHERE jurisdiction_id = $1 AND list = $2 AND ($3 IS NULL OR year = $3) AND ($4 = 0 OR active = 1) \
         ORDER BY code",
    )
        .bind(jurisdiction_id)
        .bind(list.as_str())
        .bind(year.map(i64::from))
        .bind(i64::from(active_only))
        ,
        StoredEntry::try_from,
    )
    .await
}

/// The special fund in force on a jurisdiction's list with this code, if there is one.
pub async fn special_fund_in_force(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    code: &str,
) -> Result<Option<StoredEntry>, StoreError> {
    let funds = entries(conn, jurisdiction_id, ListKind::SpecialFunds, None, true).await?;
    Ok(funds.into_iter().find(|f| f.entry.code == code))
}

/// An entry with the jurisdiction whose list holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryOf {
    pub jurisdiction_id: i64,
    pub entry: StoredEntry,
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<EntryOf>, StoreError> {
    let row: Option<(i64, String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT jurisdiction_id, list, entry, active, version, updated_at FROM finance_list_entries WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(
        |(jurisdiction_id, list, entry, active, version, updated_at)| {
            Ok(EntryOf {
                jurisdiction_id,
                entry: StoredEntry::try_from(Row {
                    id,
                    list,
                    entry,
                    active,
                    version,
                    updated_at,
                })?,
            })
        },
    )
    .transpose()
}

/// Adds an entry; a code already on the list is a conflict.
pub async fn insert(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    list: ListKind,
    e: &ListEntry,
) -> Result<i64, StoreError> {
    let json = serde_json::to_string(e).map_err(corrupt)?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO finance_list_entries (jurisdiction_id, list, code, name, year, entry, active, version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(list.as_str())
    .bind(e.code.trim())
    .bind(e.name.trim())
    .bind(e.year.map(i64::from))
    .bind(json)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Changes an entry if it is still at `expected_version`.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    e: &ListEntry,
    active: bool,
    expected_version: i64,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(e).map_err(corrupt)?;
    let query = sqlx::query(
        "UPDATE finance_list_entries SET code = $1, name = $2, year = $3, entry = $4, active = $5, \
         version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
    )
    .bind(e.code.trim())
    .bind(e.name.trim())
    .bind(e.year.map(i64::from))
    .bind(json)
    .bind(i64::from(active));
    crate::update_versioned(conn, query, id, expected_version).await
}

/// A change of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EntryChange {
    pub at: String,
    pub actor: String,
    /// `create` or `update`.
    pub action: String,
    /// The entry after the change.
    #[schema(value_type = crate::schema::domain::ListEntry)]
    pub entry: ListEntry,
    /// In force after the change.
    pub active: bool,
}

/// Records a change.
pub async fn add_history(
    conn: &mut AnyConnection,
    entry_id: i64,
    actor: &str,
    action: &str,
    e: &ListEntry,
    active: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO finance_list_history (entry_id, at, actor, action, entry, active) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry_id)
    .bind(now_text())
    .bind(actor)
    .bind(action)
    .bind(serde_json::to_string(e).map_err(corrupt)?)
    .bind(i64::from(active))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An entry's changes, oldest first.
pub async fn history(
    conn: &mut AnyConnection,
    entry_id: i64,
) -> Result<Vec<EntryChange>, StoreError> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT at, actor, action, entry, active FROM finance_list_history WHERE entry_id = $1 ORDER BY id",
    )
    .bind(entry_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(at, actor, action, entry, active)| {
            Ok(EntryChange {
                at,
                actor,
                action,
                entry: serde_json::from_str(&entry).map_err(corrupt)?,
                active: active != 0,
            })
        })
        .collect()
}
