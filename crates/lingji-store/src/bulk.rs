//! Multi-row inserts: many rows of one table in one statement, for writes by the thousand (a
//! project import). One statement per row costs a round trip each — on SQLite a hand-off to its
//! worker thread, on PostgreSQL a network exchange — which was most of an import's time.
//!
//! The statement is `INSERT INTO t (a, b, …) VALUES ($1, $2, …), ($k+1, …), …` (on SQLite
//! `(?, ?, …)`, see [`values_sql`]) with only bound parameters in it: its text is made from a fixed head (a `&'static str` of the caller's),
//! the row count and the row width, never from a value, so it is asserted safe below. sqlx's
//! `QueryBuilder::push_values` would make the same text, but its placeholders for the `Any`
//! driver are `?` on both backends, which PostgreSQL does not read.
//! Rows go in chunks under both backends' limits on bound parameters (SQLite 32,766,
//! PostgreSQL 65,535); every full chunk of a table has the same text, so each connection
//! prepares it once.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection};

use crate::error::StoreError;

/// A query of the `Any` driver, as rows are bound into it.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

/// At most this many parameters in one statement (below SQLite's 32,766).
const MAX_PARAMETERS: usize = 30_000;

/// At most this many rows in one statement: more saves little and makes long statements.
const MAX_ROWS: usize = 1_000;

/// Rows of `width` values per statement.
fn chunk_rows(width: usize) -> usize {
    (MAX_PARAMETERS / width.max(1)).clamp(1, MAX_ROWS)
}

/// `head` followed by `rows` tuples of `width` placeholders, then `tail`: numbered (`$n`) for
/// PostgreSQL, plain (`?`) for SQLite, which looks a numbered parameter's name up in a list
/// when it binds it — a cost in step with the count, so a statement of 30,000 numbered
/// parameters took a second to bind.
fn values_sql(
    head: &'static str,
    width: usize,
    rows: usize,
    tail: &'static str,
    numbered: bool,
) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * width * 7);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                let _ = write!(sql, "${}", r * width + c + 1);
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

/// A full chunk's statement text by head, tail, width and numbering.
type TextKey = (&'static str, &'static str, usize, bool);

/// The texts of full chunks, made once per process: an import sends thousands of statements
/// of the same few shapes, and numbering 30,000 placeholders for each took a measurable part of
/// the time the server waited for the next statement (docs/BENCHMARKS.md, stop 37). Only full
/// chunks are kept — one text per statement head of the code and backend — so this stays small
/// whatever the input.
static FULL_CHUNK_TEXTS: LazyLock<Mutex<HashMap<TextKey, Arc<str>>>> =
    LazyLock::new(Default::default);

/// The text of a statement of `rows` rows ([`values_sql`]), from the cache when the chunk is full.
fn chunk_text(
    (head, width, tail): (&'static str, usize, &'static str),
    rows: usize,
    numbered: bool,
) -> Arc<str> {
    if rows != chunk_rows(width) {
        return values_sql(head, width, rows, tail, numbered).into();
    }
    let mut texts = FULL_CHUNK_TEXTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    texts
        .entry((head, tail, width, numbered))
        .or_insert_with(|| values_sql(head, width, rows, tail, numbered).into())
        .clone()
}

/// The statement for one chunk, its rows bound by `bind`: its text holds only the caller's
/// static head and tail and numbered placeholders (see the module's note), so it is safe as SQL.
fn chunk_query<'q, T>(
    shape: (&'static str, usize, &'static str),
    numbered: bool,
    chunk: &'q [T],
    bind: impl Fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> AnyQuery<'q> {
    let sql = chunk_text(shape, chunk.len(), numbered);
    chunk
        .iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), bind)
}

/// Inserts `rows` with `head` (`INSERT INTO t (a, b, …)`, `width` columns), `bind` binding one
/// row's `width` values in column order.
pub(crate) async fn insert_rows<'q, T>(
    conn: &mut AnyConnection,
    head: &'static str,
    width: usize,
    rows: &'q [T],
    bind: impl Fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> Result<(), StoreError> {
    run_chunks(conn, (head, width, ""), rows, bind)
        .await
        .map(drop)
}

/// As [`insert_rows`], returning what `tail` (`RETURNING …`) names for every row, in no
/// promised order: the caller matches them to its rows by a unique column it returns.
pub(crate) async fn insert_returning<'q, T>(
    conn: &mut AnyConnection,
    head: &'static str,
    width: usize,
    tail: &'static str,
    rows: &'q [T],
    bind: impl Fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> Result<Vec<AnyRow>, StoreError> {
    run_chunks(conn, (head, width, tail), rows, bind).await
}

/// One statement per chunk of `rows`, in order; the rows they return.
async fn run_chunks<'q, T>(
    conn: &mut AnyConnection,
    shape: (&'static str, usize, &'static str),
    rows: &'q [T],
    bind: impl Fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> Result<Vec<AnyRow>, StoreError> {
    let numbered = crate::is_postgres(conn);
    let statement = |chunk| chunk_query(shape, numbered, chunk, &bind);
    let mut returned = Vec::new();
    let mut chunks = rows.chunks(chunk_rows(shape.1));
    let Some(first) = chunks.next() else {
        return Ok(returned);
    };
    let mut pending = statement(first);
    for chunk in chunks {
        // PostgreSQL's server runs the statement while the next chunk's text is made and its
        // values collected here. That is the smaller part: sqlx's `Any` driver encodes the
        // values for the server when a statement is sent, on this thread, before the server
        // starts. SQLite's worker thread was measured taking turns with this one all the same
        // (docs/BENCHMARKS.md, stops 32 and 33).
        let (done, next) = tokio::join!(pending.fetch_all(&mut *conn), async { statement(chunk) });
        returned.extend(done?);
        pending = next;
    }
    returned.extend(pending.fetch_all(&mut *conn).await?);
    Ok(returned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_row_after_row() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b)", 2, 2, " RETURNING a", true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING a"
        );
        assert_eq!(
            values_sql("INSERT INTO t (a, b)", 2, 2, "", false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }

    #[test]
    fn chunks_stay_under_both_backends_limits() {
        for width in [1, 7, 9, 13, 35, 100] {
            let rows = chunk_rows(width);
            assert!(rows >= 1 && rows * width <= 32_766, "{width}: {rows}");
        }
        assert_eq!(chunk_rows(35), 857);
    }

    #[test]
    fn a_full_chunk_text_is_made_once_and_others_each_time() {
        let shape = ("INSERT INTO t (a, b, c)", 3, "");
        let full = chunk_rows(3);
        let first = chunk_text(shape, full, true);
        assert!(Arc::ptr_eq(&first, &chunk_text(shape, full, true)));
        assert_eq!(&*first, values_sql(shape.0, 3, full, "", true));
        assert!(!Arc::ptr_eq(&first, &chunk_text(shape, full, false)));
        let short = chunk_text(shape, 2, true);
        assert_eq!(
            &*short,
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3), ($4, $5, $6)"
        );
        assert!(!Arc::ptr_eq(&short, &chunk_text(shape, 2, true)));
    }
}
