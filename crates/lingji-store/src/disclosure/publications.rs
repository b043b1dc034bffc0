//! What finance has published (PM-5, QJ-5c), on both backends: a frozen copy of each published
//! item, so that the public reads only what was published and nothing edited later. The public
//! queries see only items not withdrawn.

use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// An item to publish.
#[derive(Debug, Clone)]
pub struct NewPublication<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// Kind's stable name.
    pub kind: &'a str,
    /// What it is a copy of, e.g. `project:12`; publishing it again replaces the copy.
    pub source_key: &'a str,
    pub title: &'a str,
    /// Department's name.
    pub department: &'a str,
    /// The copy, JSON.
    pub body: String,
    pub by: &'a str,
}

/// Publishes (or republishes) an item; its id.
pub async fn publish(conn: &mut AnyConnection, p: &NewPublication<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO publications (jurisdiction_id, fiscal_year, kind, source_key, title, department, body, \
         published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (jurisdiction_id, kind, source_key) DO UPDATE SET fiscal_year = excluded.fiscal_year, \
         title = excluded.title, department = excluded.department, body = excluded.body, \
         published_by = excluded.published_by, published_at = excluded.published_at, \
         withdrawn_by = NULL, withdrawn_at = NULL RETURNING id",
    )
    .bind(p.jurisdiction_id)
    .bind(i64::from(p.fiscal_year))
    .bind(p.kind)
    .bind(p.source_key)
    .bind(p.title)
    .bind(p.department)
    .bind(&p.body)
    .bind(p.by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// Withdraws a published item; false when it was not public.
pub async fn withdraw(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    id: i64,
    by: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE publications SET withdrawn_by = $1, withdrawn_at = $2 \
         WHERE id = $3 AND jurisdiction_id = $4 AND withdrawn_at IS NULL",
    )
    .bind(by)
    .bind(now_text())
    .bind(id)
    .bind(jurisdiction_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A published item.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Publication {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub jurisdiction_name: String,
    pub fiscal_year: i64,
    pub kind: String,
    pub source_key: String,
    pub title: String,
    pub department: String,
    /// The copy, JSON.
    pub body: String,
    pub published_by: String,
    pub published_at: String,
    pub withdrawn_at: Option<String>,
}

macro_rules! publication_select {
    ($where:literal) => {
        concat!(
            "SELECT p.id, p.jurisdiction_id, j.name AS jurisdiction_name, p.fiscal_year, p.kind, p.source_key, p.title, \
             p.department, p.body, p.published_by, p.published_at, p.withdrawn_at \
             FROM publications p JOIN organisations j ON j.id = p.jurisdiction_id WHERE ",
            $where
        )
    };
}

/// What the public may read: items not withdrawn, narrowed by year, kind and jurisdiction.
pub async fn public(
    conn: &mut AnyConnection,
    year: Option<i32>,
    kind: Option<&str>,
    jurisdiction_id: Option<i64>,
) -> Result<Vec<Publication>, StoreError> {
    Ok(sqlx::query_as(publication_select!(
        "p.withdrawn_at IS NULL AND ($1 IS NULL OR p.fiscal_year = $1) AND ($2 IS NULL OR p.kind = $2) \
         AND ($3 IS NULL OR p.jurisdiction_id = $3) ORDER BY p.fiscal_year DESC, p.kind, p.department, p.title LIMIT 10000"
    ))
    .bind(year.map(i64::from))
    .bind(kind)
    .bind(jurisdiction_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// One public item; None when withdrawn or never published.
pub async fn public_one(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Publication>, StoreError> {
    Ok(
        sqlx::query_as(publication_select!("p.id = $1 AND p.withdrawn_at IS NULL"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Everything a jurisdiction has published, withdrawn items included (finance's view).
pub async fn all(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<Publication>, StoreError> {
    Ok(sqlx::query_as(publication_select!(
        "p.jurisdiction_id = $1 AND p.fiscal_year = $2 ORDER BY p.kind, p.department, p.title"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?)
}
