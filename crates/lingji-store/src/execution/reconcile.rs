//! Read-only sums that reconcile a year's money across read models: the budget lines' balances
//! by fund book and source, and the payments by fund book and state. Nothing here writes; the
//! simulation (`lingji simulate`) and the audit compare these figures with the year-end report
//! and the allocation run, so money that appears or disappears between them is found.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

/// A year's budget lines of one fund book and one source (`allocation`, `transfer`,
/// `supplement`, `carryover`), their balances summed, in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LineSums {
    pub fund_book: String,
    /// Where the lines came from.
    pub source: String,
    /// Number of lines.
    pub lines: i64,
    pub approved: i64,
    pub adjusted: i64,
    /// Held by payments.
    pub reserved: i64,
    pub spent: i64,
    /// Closed at year-end (carried or recovered).
    pub closed: i64,
}

/// The year's lines summed by fund book and source.
pub async fn line_sums(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<LineSums>, StoreError> {
    // SUM of BIGINT is NUMERIC on PostgreSQL; the cast keeps one integer type on both backends.
    crate::year_rows(
        conn,
        "SELECT fund_book, source, CAST(COUNT(*) AS BIGINT) AS lines, \
         CAST(COALESCE(SUM(approved), 0) AS BIGINT) AS approved, \
         CAST(COALESCE(SUM(adjusted), 0) AS BIGINT) AS adjusted, \
         CAST(COALESCE(SUM(reserved), 0) AS BIGINT) AS reserved, \
         CAST(COALESCE(SUM(spent), 0) AS BIGINT) AS spent, \
         CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed \
         FROM budget_lines WHERE jurisdiction_id = $1 AND fiscal_year = $2 \
         GROUP BY fund_book, source ORDER BY fund_book, source",
        jurisdiction_id,
        year,
    )
    .await
}

/// A year's payments of one fund book in one state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PaymentSums {
    /// Fund book of their lines.
    pub fund_book: String,
    pub status: String,
    pub payments: i64,
    /// Their amount, in fen.
    pub amount: i64,
}

/// The payments on a year's lines summed by fund book and state.
pub async fn payment_sums(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<PaymentSums>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT l.fund_book, p.status, CAST(COUNT(*) AS BIGINT) AS payments, \
         CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS amount \
         FROM payments p JOIN budget_lines l ON l.id = p.line_id \
         WHERE l.jurisdiction_id = $1 AND l.fiscal_year = $2 \
         GROUP BY l.fund_book, p.status ORDER BY l.fund_book, p.status",
        jurisdiction_id,
        year,
    )
    .await
}

/// A budget line's fund book, source and available balance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LineBook {
    pub id: i64,
    pub fund_book: String,
    /// Where the line came from.
    pub source: String,
    /// Available, in fen.
    pub available: i64,
}

/// Every line of a year with its fund book and available balance.
pub async fn line_books(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<LineBook>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT id, fund_book, source, approved + adjusted - reserved - spent - closed AS available \
         FROM budget_lines WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY id",
        jurisdiction_id,
        year,
    )
    .await
}

/// A project's lines of a year summed, in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProjectLines {
    pub project_id: i64,
    pub approved: i64,
    pub adjusted: i64,
    pub spent: i64,
}

/// What each project's lines of a year say, over every line of the project that year —
/// allocation, supplement and carry-over alike.
pub async fn project_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<ProjectLines>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT project_id, CAST(COALESCE(SUM(approved), 0) AS BIGINT) AS approved, \
         CAST(COALESCE(SUM(adjusted), 0) AS BIGINT) AS adjusted, \
         CAST(COALESCE(SUM(spent), 0) AS BIGINT) AS spent \
         FROM budget_lines WHERE jurisdiction_id = $1 AND fiscal_year = $2 \
         AND project_id IS NOT NULL GROUP BY project_id ORDER BY project_id",
        jurisdiction_id,
        year,
    )
    .await
}

/// A project's budget and payments across all its years, in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProjectBudget {
    pub project_id: i64,
    /// Budget, carried-over money counted once.
    pub budget: i64,
    pub spent: i64,
}

/// Each project's budget across all its years with carried-over money counted once — the
/// carry-over line holds money its first line already had — and everything paid from its
/// lines.
pub async fn project_budgets(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<Vec<ProjectBudget>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT project_id, \
         CAST(COALESCE(SUM(CASE WHEN source = 'carryover' THEN 0 ELSE approved + adjusted END), 0) AS BIGINT) \
         AS budget, CAST(COALESCE(SUM(spent), 0) AS BIGINT) AS spent \
         FROM budget_lines WHERE jurisdiction_id = $1 AND project_id IS NOT NULL \
         GROUP BY project_id ORDER BY project_id",
    )
    .bind(jurisdiction_id)
    .fetch_all(&mut *conn)
    .await?)
}
