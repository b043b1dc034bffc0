//! The province dashboard's stored figures: one row per jurisdiction and year, its annual
//! report in the dashboard's figures as JSON, and when they were computed (issue 21).

use sqlx::AnyConnection;

use crate::error::StoreError;

/// A jurisdiction's stored figures of a year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFigures {
    pub jurisdiction_id: i64,
    pub fiscal_year: i64,
    /// RFC 3339, UTC.
    pub computed_at: String,
    /// JSON, as the use case wrote it.
    pub figures: String,
}

/// Writes (or replaces) a jurisdiction's figures of a year.
pub async fn put(conn: &mut AnyConnection, row: &StoredFigures) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO jurisdiction_figures (jurisdiction_id, fiscal_year, computed_at, figures) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (jurisdiction_id, fiscal_year) \
         DO UPDATE SET computed_at = excluded.computed_at, figures = excluded.figures",
    )
    .bind(row.jurisdiction_id)
    .bind(row.fiscal_year)
    .bind(&row.computed_at)
    .bind(&row.figures)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every jurisdiction's figures of a year.
pub async fn of_year(
    conn: &mut AnyConnection,
    year: i64,
) -> Result<Vec<StoredFigures>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT jurisdiction_id, fiscal_year, computed_at, figures FROM jurisdiction_figures \
         WHERE fiscal_year = $1",
    )
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// The jurisdictions and years with figures of `from_year` or later, and when each was
/// computed: what to refresh.
pub async fn kept_since(
    conn: &mut AnyConnection,
    from_year: i64,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT jurisdiction_id, fiscal_year, computed_at FROM jurisdiction_figures \
         WHERE fiscal_year >= $1 ORDER BY jurisdiction_id, fiscal_year",
    )
    .bind(from_year)
    .fetch_all(conn)
    .await?)
}
