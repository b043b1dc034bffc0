//! Budget lines (指标) as approval opens them from a run, each with its first ledger entry, and
//! what approval reads and marks on the projects a run funds.

use lingji_domain::Money;
use lingji_domain::execution::{Balance, Movement};
use lingji_domain::foundation::fund::FundBook;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::bulk::AnyQuery;
use crate::error::StoreError;
use crate::execution::ledger::NewEntry;
use crate::library::projects::corrupt;
use crate::time::now_text;

pub mod search;

/// A budget line (指标).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    /// Id (0 before it is saved).
    pub id: i64,
    pub fiscal_year: i32,
    pub department_id: i64,
    pub unit_id: i64,
    /// Project (`None`: basic expenditure).
    pub project_id: Option<i64>,
    /// The run item it comes from.
    pub item_id: i64,
    /// Name of the project or of the basic expenditure.
    pub name: String,
    /// Government economic code.
    pub economic_code: String,
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: FundBook,
    /// Three-guarantees spending (ZB-3, QJ-2c).
    pub three_guarantees: bool,
    #[schema(value_type = String)]
    pub approved: Money,
    /// Source document (批复文号).
    pub source_document: String,
    /// The run it was approved from.
    pub run_id: Option<i64>,
}

/// A new budget line's columns, bound by [`bind_line`] in this order.
macro_rules! insert_columns {
    () => {
        "INSERT INTO budget_lines (jurisdiction_id, fiscal_year, department_id, unit_id, project_id, item_id, \
         name, economic_code, fund_book, three_guarantees, approved, source_document, run_id, created_at, source)"
    };
}

/// Binds a new line's row in [`insert_columns!`]'s order.
fn bind_line<'q>(
    q: AnyQuery<'q>,
    jurisdiction_id: i64,
    l: &'q BudgetLine,
    at: &str,
    source: &str,
) -> AnyQuery<'q> {
    q.bind(jurisdiction_id)
        .bind(i64::from(l.fiscal_year))
        .bind(l.department_id)
        .bind(l.unit_id)
        .bind(l.project_id)
        .bind(l.item_id)
        .bind(&l.name)
        .bind(&l.economic_code)
        .bind(l.fund_book.as_str())
        .bind(i64::from(l.three_guarantees))
        .bind(l.approved.fen())
        .bind(&l.source_document)
        .bind(l.run_id)
        .bind(at.to_owned())
        .bind(source.to_owned())
}

/// Saves budget lines opened by an allocation, each with its approval as the first ledger
/// entry, in multi-row statements: approving a jurisdiction's budget opens ten thousand lines,
/// and a statement for each line and each entry was most of the approval's time (issue 21).
pub async fn insert_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    lines: &[BudgetLine],
    actor: &str,
) -> Result<(), StoreError> {
    let at = now_text();
    let saved = crate::bulk::insert_returning(
        conn,
        insert_columns!(),
        15,
        " RETURNING id, approved, source_document",
        lines,
        |q, l| bind_line(q, jurisdiction_id, l, &at, "allocation"),
    )
    .await?;
    // Each entry is made of its own line as saved (id, amount, document), so the order the
    // rows come back in does not matter; entries go in line order.
    let mut entries = saved
        .iter()
        .map(|row| {
            Ok(NewEntry {
                line_id: row.try_get(0)?,
                movement: Movement::Approve(Money::from_fen(row.try_get(1)?)),
                reference: row.try_get(2)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    entries.sort_by_key(|e| e.line_id);
    crate::execution::ledger::add_entries_many(conn, &entries, actor).await
}

/// A budget line to save, with where it comes from and who saves it.
#[derive(Debug, Clone, Copy)]
pub struct NewLine<'a> {
    pub jurisdiction_id: i64,
    pub line: &'a BudgetLine,
    /// `allocation` (approval of a run), `transfer` (an upper transfer entered by its
    /// document) or `supplement`.
    pub source: &'a str,
    /// Who saves it.
    pub actor: &'a str,
}

/// Saves one budget line from its source with its first ledger entry; returns its id.
pub async fn insert_line(conn: &mut AnyConnection, new: &NewLine<'_>) -> Result<i64, StoreError> {
    let NewLine {
        jurisdiction_id,
        line: l,
        source,
        actor,
    } = *new;
    let at = now_text();
    let q = sqlx::query(concat!(
        insert_columns!(),
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    ));
    let id: i64 = bind_line(q, jurisdiction_id, l, &at, source)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    crate::execution::ledger::add_entry(
        conn,
        id,
        &Movement::Approve(l.approved),
        &l.source_document,
        actor,
    )
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    fiscal_year: i64,
    department_id: i64,
    unit_id: i64,
    project_id: Option<i64>,
    item_id: i64,
    name: String,
    economic_code: String,
    fund_book: String,
    three_guarantees: i64,
    approved: i64,
    source_document: String,
    run_id: Option<i64>,
}

/// Budget lines of a year, optionally within a department or unit, by id; a page after
/// `after_id`.
pub async fn lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    department_id: Option<i64>,
    unit_id: Option<i64>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<BudgetLine>, StoreError> {
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT id, fiscal_year, department_id, unit_id, project_id, item_id, name, economic_code, fund_book, \
         three_guarantees, approved, source_document, run_id FROM budget_lines \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND ($3 IS NULL OR department_id = $3) \
         AND ($4 IS NULL OR unit_id = $4) AND id > $5 ORDER BY id LIMIT $6",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(department_id)
    .bind(unit_id)
    .bind(after_id)
    .bind(limit.clamp(1, 100_000))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(BudgetLine::try_from).collect()
}

impl TryFrom<LineRow> for BudgetLine {
    type Error = StoreError;
    fn try_from(r: LineRow) -> Result<BudgetLine, StoreError> {
        Ok(BudgetLine {
            id: r.id,
            fiscal_year: i32::try_from(r.fiscal_year).map_err(corrupt)?,
            department_id: r.department_id,
            unit_id: r.unit_id,
            project_id: r.project_id,
            item_id: r.item_id,
            name: r.name,
            economic_code: r.economic_code,
            fund_book: FundBook::parse(&r.fund_book).map_err(corrupt)?,
            three_guarantees: r.three_guarantees != 0,
            approved: Money::from_fen(r.approved),
            source_document: r.source_document,
            run_id: r.run_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct BalancedRow {
    #[sqlx(flatten)]
    line: LineRow,
    adjusted: i64,
    reserved: i64,
    spent: i64,
    closed: i64,
}

impl BalancedRow {
    fn read(self) -> Result<(BudgetLine, Balance), StoreError> {
        let balance = Balance {
            approved: Money::from_fen(self.line.approved),
            adjusted: Money::from_fen(self.adjusted),
            reserved: Money::from_fen(self.reserved),
            spent: Money::from_fen(self.spent),
            closed: Money::from_fen(self.closed),
        };
        Ok((BudgetLine::try_from(self.line)?, balance))
    }
}

/// What approval needs of the projects a run funds: state and government economic code by
/// project id, and each project's cost lines (economic code, amount) in order.
pub async fn funded_projects(
    conn: &mut AnyConnection,
    run_id: i64,
) -> Result<FundedProjects, StoreError> {
    let heads: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT p.id, p.state, p.government_economic_code FROM allocation_results r \
         JOIN projects p ON p.id = r.project_id WHERE r.run_id = $1 AND r.allocated > 0",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    let lines: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT l.project_id, l.economic_code, l.amount FROM allocation_results r \
         JOIN project_cost_lines l ON l.project_id = r.project_id \
         WHERE r.run_id = $1 AND r.allocated > 0 ORDER BY l.project_id, l.position",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = FundedProjects::default();
    for (id, state, code) in heads {
        let state = lingji_domain::library::ProjectState::parse(&state).map_err(corrupt)?;
        out.heads.insert(id, (state, code));
    }
    for (id, code, amount) in lines {
        out.lines
            .entry(id)
            .or_default()
            .push((code, Money::from_fen(amount)));
    }
    Ok(out)
}

/// See [`funded_projects`].
#[derive(Debug, Default)]
pub struct FundedProjects {
    /// State and government economic code by project id.
    pub heads: std::collections::HashMap<i64, (lingji_domain::library::ProjectState, String)>,
    /// Cost lines (economic code, amount) by project id.
    pub lines: std::collections::HashMap<i64, Vec<(String, Money)>>,
}

/// Marks an approved project funded with its approved amount.
pub async fn set_funded(
    conn: &mut AnyConnection,
    project_id: i64,
    approved: Money,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE projects SET state = 'funded', approved = $1, last_funded_year = fiscal_year, \
         version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(approved.fen())
    .bind(now_text())
    .bind(project_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks every project run `run_id` funds as funded with the amount allocated to it, in one
/// statement; returns how many it marked.
pub async fn set_run_funded(conn: &mut AnyConnection, run_id: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE projects SET state = 'funded', approved = r.allocated, \
         last_funded_year = projects.fiscal_year, version = projects.version + 1, updated_at = $1 \
         FROM allocation_results r WHERE r.run_id = $2 AND r.allocated > 0 AND projects.id = r.project_id",
    )
    .bind(now_text())
    .bind(run_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
