//! The budget-line ledger on both backends: balances beside each line, every movement an
//! entry, and the one conditional UPDATE that reserves money for a payment (ZB-7a).

use lingji_domain::Money;
use lingji_domain::execution::{Balance, Movement};
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

fn kind_of(m: &Movement) -> (&'static str, Money) {
    match *m {
        Movement::Approve(a) => ("approve", a),
        Movement::Adjust(a) => ("adjust", a),
        Movement::Reserve(a) => ("reserve", a),
        Movement::Release(a) => ("release", a),
        Movement::Settle(a) => ("settle", a),
        Movement::Close(a) => ("close", a),
    }
}

fn movement(kind: &str, fen: i64) -> Result<Movement, StoreError> {
    let a = Money::from_fen(fen);
    Ok(match kind {
        "approve" => Movement::Approve(a),
        "adjust" => Movement::Adjust(a),
        "reserve" => Movement::Reserve(a),
        "release" => Movement::Release(a),
        "settle" => Movement::Settle(a),
        "close" => Movement::Close(a),
        other => return Err(corrupt(format!("ledger entry kind {other}"))),
    })
}

/// Records an entry (the caller has changed the line's balance in the same transaction).
pub async fn add_entry(
    conn: &mut AnyConnection,
    line_id: i64,
    m: &Movement,
    reference: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let (kind, amount) = kind_of(m);
    sqlx::query(
        "INSERT INTO ledger_entries (line_id, kind, amount, reference, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(line_id)
    .bind(kind)
    .bind(amount.fen())
    .bind(reference)
    .bind(actor)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A conditional UPDATE of a line (binds: `$1` the amount, `$2` the line) and the same UPDATE
/// with its ledger entry as one statement for PostgreSQL (`$3`–`$7`: kind, amount, reference,
/// actor, time): a round trip fewer for every movement, and the same atomicity.
macro_rules! moved {
    ($update:literal) => {
        Conditional {
            update: $update,
            with_entry: concat!(
                "WITH moved AS (",
                $update,
                " RETURNING id) INSERT INTO ledger_entries (line_id, kind, amount, reference, actor, at) \
                 SELECT id, $3, $4, $5, $6, $7 FROM moved"
            ),
        }
    };
}

/// See [`moved`].
struct Conditional {
    update: &'static str,
    with_entry: &'static str,
}

/// Holds `amount` on a line for a payment if its available balance covers it — one
/// conditional UPDATE, so no two requests can both take the last of it — and records the
/// entry. False when the line does not cover it (or does not exist).
pub async fn reserve(
    conn: &mut AnyConnection,
    line_id: i64,
    amount: Money,
    reference: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    conditional(
        conn,
        moved!(
            "UPDATE budget_lines SET reserved = reserved + $1 \
         WHERE id = $2 AND $1 > 0 AND approved + adjusted - reserved - spent - closed >= $1"
        ),
        line_id,
        (&Movement::Reserve(amount), reference, actor),
    )
    .await
}

/// Adjusts a line's budget by `delta` (ZB-7b) and records the entry. A cut happens only if the
/// available balance covers it — one conditional UPDATE, so a payment held meanwhile is never
/// left uncovered; false when it does not.
pub async fn adjust(
    conn: &mut AnyConnection,
    line_id: i64,
    delta: Money,
    reference: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    conditional(
        conn,
        moved!(
            "UPDATE budget_lines SET adjusted = adjusted + $1 \
         WHERE id = $2 AND $1 <> 0 AND approved + adjusted - reserved - spent - closed + $1 >= 0"
        ),
        line_id,
        (&Movement::Adjust(delta), reference, actor),
    )
    .await
}

/// Closes `amount` of a line's balance (carried over or recovered) if it is still available —
/// one conditional UPDATE — and records the entry. False when a payment took it meanwhile.
pub async fn close(
    conn: &mut AnyConnection,
    line_id: i64,
    amount: Money,
    reference: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    conditional(
        conn,
        moved!(
            "UPDATE budget_lines SET closed = closed + $1 \
         WHERE id = $2 AND $1 > 0 AND approved + adjusted - reserved - spent - closed >= $1"
        ),
        line_id,
        (&Movement::Close(amount), reference, actor),
    )
    .await
}

/// Runs a conditional UPDATE of a line by the movement's amount and, when it moved the line,
/// records the movement's entry; whether it did.
async fn conditional(
    conn: &mut AnyConnection,
    sql: Conditional,
    line_id: i64,
    (movement, reference, actor): (&Movement, &str, &str),
) -> Result<bool, StoreError> {
    let (kind, amount) = kind_of(movement);
    if crate::is_postgres(conn) {
        let done = sqlx::query(sql.with_entry)
            .bind(amount.fen())
            .bind(line_id)
            .bind(kind)
            .bind(amount.fen())
            .bind(reference)
            .bind(actor)
            .bind(now_text())
            .execute(&mut *conn)
            .await?
            .rows_affected();
        return Ok(done == 1);
    }
    let done = sqlx::query(sql.update)
        .bind(amount.fen())
        .bind(line_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if done == 1 {
        add_entry(conn, line_id, movement, reference, actor).await?;
    }
    Ok(done == 1)
}

/// Pays (`settle`) or gives back (`release`) money held on a line; false when less is held.
pub async fn finish(
    conn: &mut AnyConnection,
    line_id: i64,
    amount: Money,
    settle: bool,
    reference: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let (sql, movement) = if settle {
        (
            moved!(
                "UPDATE budget_lines SET reserved = reserved - $1, spent = spent + $1 \
             WHERE id = $2 AND $1 > 0 AND reserved >= $1"
            ),
            Movement::Settle(amount),
        )
    } else {
        (
            moved!(
                "UPDATE budget_lines SET reserved = reserved - $1 WHERE id = $2 AND $1 > 0 AND reserved >= $1"
            ),
            Movement::Release(amount),
        )
    };
    conditional(conn, sql, line_id, (&movement, reference, actor)).await
}

/// A line's stored balance.
pub async fn balance(
    conn: &mut AnyConnection,
    line_id: i64,
) -> Result<Option<Balance>, StoreError> {
    let row: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT approved, adjusted, reserved, spent, closed FROM budget_lines WHERE id = $1",
    )
    .bind(line_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(
        row.map(|(approved, adjusted, reserved, spent, closed)| Balance {
            approved: Money::from_fen(approved),
            adjusted: Money::from_fen(adjusted),
            reserved: Money::from_fen(reserved),
            spent: Money::from_fen(spent),
            closed: Money::from_fen(closed),
        }),
    )
}

/// A line's entries in order.
pub async fn entries(conn: &mut AnyConnection, line_id: i64) -> Result<Vec<Movement>, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT kind, amount FROM ledger_entries WHERE line_id = $1 ORDER BY id")
            .bind(line_id)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(|(k, a)| movement(k, *a)).collect()
}

/// Every budget line's id, in order.
pub async fn line_ids(conn: &mut AnyConnection) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM budget_lines ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A ledger entry as shown on the line's page.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub movement: Movement,
    /// Document or payment it belongs to.
    pub reference: String,
    pub actor: String,
    pub at: String,
}

/// A line's entries in order, with reference, actor and time.
pub async fn entry_rows(
    conn: &mut AnyConnection,
    line_id: i64,
) -> Result<Vec<EntryRow>, StoreError> {
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "SELECT kind, amount, reference, actor, at FROM ledger_entries WHERE line_id = $1 ORDER BY id",
    )
    .bind(line_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(k, a, reference, actor, at)| {
            Ok(EntryRow {
                movement: movement(&k, a)?,
                reference,
                actor,
                at,
            })
        })
        .collect()
}

/// A year's budget lines summed (the columns of their running balances), how many there are and
/// how much of the approved money was carried in from last year's close.
#[derive(Debug, Clone, Copy, Default)]
pub struct YearLines {
    /// Lines of the year.
    pub count: i64,
    /// Their balance columns summed.
    pub balance: Balance,
    /// Approved on carry-over lines (opened by last year's close).
    pub carried_in: Money,
}

/// The balances of a jurisdiction's lines of `year`, summed.
pub async fn year_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<YearLines, StoreError> {
    type Row = (
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let r: Row = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(approved) AS BIGINT), CAST(SUM(adjusted) AS BIGINT), \
         CAST(SUM(reserved) AS BIGINT), CAST(SUM(spent) AS BIGINT), CAST(SUM(closed) AS BIGINT), \
         CAST(SUM(CASE WHEN source = 'carryover' THEN approved ELSE 0 END) AS BIGINT) \
         FROM budget_lines WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_one(&mut *conn)
    .await?;
    let m = |v: Option<i64>| Money::from_fen(v.unwrap_or(0));
    Ok(YearLines {
        count: r.0,
        balance: Balance {
            approved: m(r.1),
            adjusted: m(r.2),
            reserved: m(r.3),
            spent: m(r.4),
            closed: m(r.5),
        },
        carried_in: m(r.6),
    })
}

/// The ledger entries of a jurisdiction's lines of `year`, summed by kind — read from the
/// entries themselves, not the lines, so the two can be held against each other.
pub async fn year_entries(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<lingji_domain::execution::EntrySums, StoreError> {
    let rows: Vec<(String, Option<i64>)> = crate::year_rows(
        conn,
        "SELECT e.kind, CAST(SUM(e.amount) AS BIGINT) FROM ledger_entries e \
         JOIN budget_lines l ON l.id = e.line_id \
         WHERE l.jurisdiction_id = $1 AND l.fiscal_year = $2 GROUP BY e.kind",
        jurisdiction_id,
        year,
    )
    .await?;
    let mut s = lingji_domain::execution::EntrySums::default();
    for (kind, sum) in rows {
        let a = Money::from_fen(sum.unwrap_or(0));
        match kind.as_str() {
            "approve" => s.approve = a,
            "adjust" => s.adjust = a,
            "reserve" => s.reserve = a,
            "release" => s.release = a,
            "settle" => s.settle = a,
            "close" => s.close = a,
            other => return Err(corrupt(format!("ledger entry kind {other}"))),
        }
    }
    Ok(s)
}

/// A ledger entry to write with [`add_entries_many`]: its line, movement and reference.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub line_id: i64,
    pub movement: Movement,
    pub reference: String,
}

/// Records many entries in multi-row statements (a generated province's millions of
/// movements, `lingji bench province`); the caller has changed the lines' balances to match
/// in the same transaction (or wrote movements that net to nothing).
pub async fn add_entries_many(
    conn: &mut AnyConnection,
    entries: &[NewEntry],
    actor: &str,
) -> Result<(), StoreError> {
    let at = now_text();
    crate::bulk::insert_rows(
        conn,
        "INSERT INTO ledger_entries (line_id, kind, amount, reference, actor, at)",
        6,
        entries,
        |q, e| {
            let (kind, amount) = kind_of(&e.movement);
            q.bind(e.line_id)
                .bind(kind)
                .bind(amount.fen())
                .bind(&e.reference)
                .bind(actor)
                .bind(at.clone())
        },
    )
    .await
}

/// The ids of a jurisdiction's budget lines of `year`, in order.
pub async fn jurisdiction_line_ids(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM budget_lines WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
