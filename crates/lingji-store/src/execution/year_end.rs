//! The year-end close on both backends: the lines to close with what the rules need, the
//! carried-over line each opens next year, and the record of the close (the close of a line's
//! balance is a ledger movement, [`crate::execution::ledger::close`]).

use lingji_domain::Money;
use lingji_domain::execution::Movement;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::execution::ledger::add_entry;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A line as the close sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenLine {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub unit_name: String,
    pub name: String,
    pub project_id: Option<i64>,
    pub economic_code: String,
    pub fund_book: String,
    pub source: String,
    /// For a carry-over, the source of the line its money first came from (else empty).
    pub origin: String,
    /// Available now, in fen.
    pub available: i64,
    /// Spent this year, in fen.
    pub spent: i64,
    /// Year-ends carried through.
    pub carryover_age: i64,
    /// Consecutive idle years before this one.
    pub idle_years: i64,
}

/// A year's lines with money left, by department and id.
pub async fn open_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<Vec<OpenLine>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT l.id, l.department_id, d.name AS department_name, u.name AS unit_name, l.name, l.project_id, \
         l.economic_code, l.fund_book, l.source, l.origin, \
         CAST(l.approved + l.adjusted - l.reserved - l.spent - l.closed AS BIGINT) AS available, l.spent, \
         l.carryover_age, l.idle_years \
         FROM budget_lines l JOIN organisations d ON d.id = l.department_id JOIN organisations u ON u.id = l.unit_id \
         WHERE l.jurisdiction_id = $1 AND l.fiscal_year = $2 \
         AND l.approved + l.adjusted - l.reserved - l.spent - l.closed > 0 ORDER BY d.code, l.id",
        jurisdiction_id,
        fiscal_year,
    )
    .await
}

/// Opens next year's line for money carried over from `from`: same unit, project, economic
/// code and fund book, `source = 'carryover'`, with its age and idle years and the origin of
/// its money (QJ-4b treats a carried upper transfer as a transfer); its first entry is the
/// carried amount. Returns its id.
pub async fn carry(conn: &mut AnyConnection, c: &Carry<'_>) -> Result<i64, StoreError> {
    let Carry {
        from,
        amount,
        age,
        idle,
        document,
        actor,
    } = *c;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO budget_lines (jurisdiction_id, fiscal_year, department_id, unit_id, project_id, item_id, name, \
         economic_code, fund_book, three_guarantees, approved, source_document, run_id, created_at, source, \
         carryover_age, idle_years, carried_from, origin) \
         SELECT jurisdiction_id, fiscal_year + 1, department_id, unit_id, project_id, item_id, name, economic_code, \
         fund_book, three_guarantees, $1, $2, NULL, $3, 'carryover', $4, $5, id, \
         CASE WHEN source = 'carryover' THEN origin ELSE source END FROM budget_lines WHERE id = $6 \
         RETURNING id",
    )
    .bind(amount.fen())
    .bind(document)
    .bind(now_text())
    .bind(i64::from(age))
    .bind(i64::from(idle))
    .bind(from)
    .fetch_one(&mut *conn)
    .await?;
    add_entry(conn, id, &Movement::Approve(amount), document, actor).await?;
    Ok(id)
}

/// A line's balance carried into the next year (see [`carry`]).
#[derive(Debug, Clone, Copy)]
pub struct Carry<'a> {
    /// The line carried from.
    pub from: i64,
    /// The amount carried.
    pub amount: Money,
    /// The new line's carry-over age (years).
    pub age: u32,
    /// Its idle years.
    pub idle: u32,
    /// The close's document.
    pub document: &'a str,
    pub actor: &'a str,
}

/// A year's close to record (see [`insert_close`]).
#[derive(Debug, Clone, Copy)]
pub struct NewClose<'a> {
    pub jurisdiction_id: i64,
    /// The year closed.
    pub fiscal_year: i32,
    /// Carried in all.
    pub carried: Money,
    /// Recovered in all.
    pub recovered: Money,
    pub lines: usize,
    pub by: &'a str,
}

/// A recorded close.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CloseRow {
    pub id: i64,
    /// Carried, in fen.
    pub carried: i64,
    /// Recovered, in fen.
    pub recovered: i64,
    pub lines: i64,
    pub closed_by: String,
    pub closed_at: String,
}

/// Records the close of a year; [`StoreError::Conflict`] when the year is closed already.
pub async fn insert_close(conn: &mut AnyConnection, c: &NewClose<'_>) -> Result<i64, StoreError> {
    let NewClose {
        jurisdiction_id,
        fiscal_year,
        carried,
        recovered,
        lines,
        by,
    } = *c;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO year_closes (jurisdiction_id, fiscal_year, carried, recovered, lines, closed_by, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .bind(carried.fen())
    .bind(recovered.fen())
    .bind(i64::try_from(lines).map_err(corrupt)?)
    .bind(by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// What the close did to one line.
#[derive(Debug, Clone)]
pub struct ClosedLine<'a> {
    pub line_id: i64,
    pub available: Money,
    pub carried: Money,
    pub recovered: Money,
    pub clause: &'a str,
    pub reason: &'a str,
    /// Next year's line.
    pub new_line_id: Option<i64>,
}

/// Records what the close did to one line.
pub async fn insert_line(
    conn: &mut AnyConnection,
    close_id: i64,
    l: &ClosedLine<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO year_close_lines (close_id, line_id, available, carried, recovered, clause, reason, new_line_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(close_id)
    .bind(l.line_id)
    .bind(l.available.fen())
    .bind(l.carried.fen())
    .bind(l.recovered.fen())
    .bind(l.clause)
    .bind(l.reason)
    .bind(l.new_line_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The recorded close of a year, if any.
pub async fn recorded(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<Option<CloseRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, carried, recovered, lines, closed_by, closed_at FROM year_closes \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .fetch_optional(&mut *conn)
    .await?)
}

/// A recorded line of a close, with its names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordedLine {
    pub line_id: i64,
    pub department_name: String,
    pub unit_name: String,
    pub name: String,
    pub economic_code: String,
    /// Available before, fen.
    pub available: i64,
    /// Carried, fen.
    pub carried: i64,
    /// Recovered, fen.
    pub recovered: i64,
    pub clause: String,
    pub reason: String,
    /// Next year's line.
    pub new_line_id: Option<i64>,
}

/// What a recorded close did, line by line, by department.
pub async fn recorded_lines(
    conn: &mut AnyConnection,
    close_id: i64,
) -> Result<Vec<RecordedLine>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.line_id, d.name AS department_name, u.name AS unit_name, l.name, l.economic_code, c.available, \
         c.carried, c.recovered, c.clause, c.reason, c.new_line_id FROM year_close_lines c \
         JOIN budget_lines l ON l.id = c.line_id JOIN organisations d ON d.id = l.department_id \
         JOIN organisations u ON u.id = l.unit_id WHERE c.close_id = $1 ORDER BY d.code, c.line_id",
    )
    .bind(close_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Adds a line's close after the year's close was recorded (money given back to the line since:
/// see `released_after_close`): its row, and the close's totals.
pub async fn add_late_line(
    conn: &mut AnyConnection,
    close_id: i64,
    l: &ClosedLine<'_>,
) -> Result<(), StoreError> {
    insert_line(conn, close_id, l).await?;
    sqlx::query(
        "UPDATE year_closes SET carried = carried + $1, recovered = recovered + $2 WHERE id = $3",
    )
    .bind(l.carried.fen())
    .bind(l.recovered.fen())
    .bind(close_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// True once the year's close has been recorded: its money movements are over.
pub async fn is_closed(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM year_closes WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}
