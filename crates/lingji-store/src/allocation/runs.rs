//! Saved allocation runs: the run under its number in the year, every item's result, the
//! process marks (chosen, published, approved) and the control figures read from the items.

use lingji_domain::Money;
use lingji_domain::allocation::{Candidate, ProjectResult, Reason, Status};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::tier::SpendingTier;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A saved run without its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RunHeader {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i64,
    /// Number within the year (1, 2, …).
    pub number: i64,
    /// Name given by finance.
    pub name: String,
    /// The run this scenario copies.
    pub base_run_id: Option<i64>,
    /// The scenario's changes (JSON).
    pub scenario: String,
    /// The profile parameters the run used (JSON).
    pub parameters: String,
    /// Per fund book totals (JSON).
    pub books: String,
    /// Per tier totals (JSON).
    pub tiers: String,
    /// Items in the run.
    pub items: i64,
    /// Allocated in all, fen.
    pub allocated: i64,
    /// Who ran it.
    pub created_by: String,
    pub created_at: String,
    /// Who chose it as the basis of the control figures.
    pub chosen_by: Option<String>,
    pub chosen_at: Option<String>,
    /// Who published its control figures.
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    /// 批复文号.
    pub approval_document: Option<String>,
}

macro_rules! run_columns {
    () => {
        "id, jurisdiction_id, fiscal_year, number, name, base_run_id, scenario, parameters, books, tiers, items, \
         allocated, created_by, created_at, chosen_by, chosen_at, published_by, published_at, approved_by, \
         approved_at, approval_document"
    };
}

/// A run to save.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub name: &'a str,
    /// The run a scenario copies.
    pub base_run_id: Option<i64>,
    /// The scenario's changes (JSON).
    pub scenario: String,
    /// The profile parameters used (JSON).
    pub parameters: String,
    /// Per fund book totals (JSON).
    pub books: String,
    /// Per tier totals (JSON).
    pub tiers: String,
    /// Allocated in all.
    pub allocated: Money,
    /// Who runs it.
    pub actor: &'a str,
}

/// One item of a saved run: the candidate as read and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredItem {
    /// The candidate as the run read it.
    #[schema(value_type = crate::schema::domain::Candidate)]
    pub candidate: Candidate,
    #[schema(value_type = crate::schema::domain::ProjectResult)]
    pub result: ProjectResult,
}

/// Saves a run and its items under the year's next number. Call inside a transaction: a
/// concurrent save of the same year fails on the unique number and is retried by the caller.
pub async fn insert_run(
    conn: &mut AnyConnection,
    run: &NewRun<'_>,
    items: &[StoredItem],
) -> Result<RunHeader, StoreError> {
    let (next,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM allocation_runs WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(run.jurisdiction_id)
    .bind(i64::from(run.fiscal_year))
    .fetch_one(&mut *conn)
    .await?;
    let header: RunHeader = sqlx::query_as(concat!(
        "INSERT INTO allocation_runs (jurisdiction_id, fiscal_year, number, name, base_run_id, scenario, \
         parameters, books, tiers, items, allocated, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ",
        run_columns!()
    ))
    .bind(run.jurisdiction_id)
    .bind(i64::from(run.fiscal_year))
    .bind(next)
    .bind(run.name)
    .bind(run.base_run_id)
    .bind(&run.scenario)
    .bind(&run.parameters)
    .bind(&run.books)
    .bind(&run.tiers)
    .bind(i64::try_from(items.len()).map_err(corrupt)?)
    .bind(run.allocated.fen())
    .bind(run.actor)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    // A run of a jurisdiction holds ten thousand items: they go in multi-row statements
    // (issue 21), their texts made first.
    let rows = items
        .iter()
        .map(|item| {
            Ok((
                item,
                item.result.explanation(),
                serde_json::to_string(&item.result.adjustments).map_err(corrupt)?,
                serde_json::to_string(&item.candidate).map_err(corrupt)?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    crate::bulk::insert_rows(
        conn,
        "INSERT INTO allocation_results (run_id, item_id, project_id, department_id, unit_id, code, name, \
         fund_book, tier, requested, reviewed, adjusted, allocated, position, status, explanation, \
         adjustments, candidate)",
        18,
        &rows,
        |q, (item, explanation, adjustments, candidate)| {
            let (c, r) = (&item.candidate, &item.result);
            q.bind(header.id)
                .bind(r.id)
                .bind((r.id > 0).then_some(r.id))
                .bind(c.department_id)
                .bind(c.unit_id)
                .bind(&c.code)
                .bind(&c.name)
                .bind(r.fund_book.as_str())
                .bind(r.tier.as_str())
                .bind(r.requested.fen())
                .bind(r.reviewed.fen())
                .bind(r.adjusted.fen())
                .bind(r.allocated.fen())
                .bind(i64::from(r.position))
                .bind(r.status.as_str())
                .bind(explanation)
                .bind(adjustments)
                .bind(candidate)
        },
    )
    .await?;
    Ok(header)
}

/// The runs of a year, newest first.
pub async fn runs(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<RunHeader>, StoreError> {
    crate::year_rows(
        conn,
        concat!(
            "SELECT ",
            run_columns!(),
            " FROM allocation_runs WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY number DESC"
        ),
        jurisdiction_id,
        year,
    )
    .await
}

pub async fn run(conn: &mut AnyConnection, id: i64) -> Result<Option<RunHeader>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        run_columns!(),
        " FROM allocation_runs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Which items of a run to read; `None` is no filter.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<Status>,
    pub tier: Option<SpendingTier>,
    pub fund_book: Option<FundBook>,
    /// Text in the name or code.
    pub search: Option<String>,
    /// Rows to skip.
    pub offset: i64,
    /// Page size (at most 100,000; a whole run for exports).
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    adjustments: String,
    candidate: String,
    item_id: i64,
    fund_book: String,
    tier: String,
    requested: i64,
    reviewed: i64,
    adjusted: i64,
    allocated: i64,
    position: i64,
    status: String,
    explanation: String,
}

impl TryFrom<ItemRow> for StoredItem {
    type Error = StoreError;
    fn try_from(r: ItemRow) -> Result<Self, StoreError> {
        Ok(StoredItem {
            candidate: serde_json::from_str(&r.candidate).map_err(corrupt)?,
            result: ProjectResult {
                id: r.item_id,
                fund_book: FundBook::parse(&r.fund_book).map_err(corrupt)?,
                tier: SpendingTier::parse(&r.tier).map_err(corrupt)?,
                requested: Money::from_fen(r.requested),
                reviewed: Money::from_fen(r.reviewed),
                adjustments: serde_json::from_str(&r.adjustments).map_err(corrupt)?,
                adjusted: Money::from_fen(r.adjusted),
                allocated: Money::from_fen(r.allocated),
                position: u32::try_from(r.position).map_err(corrupt)?,
                status: Status::parse(&r.status).map_err(corrupt)?,
                reason: Reason::Text(r.explanation),
            },
        })
    }
}

/// Items of a run matching the filter, in run order (fund book, position; excluded last), and
/// how many match in all.
pub async fn items(
    conn: &mut AnyConnection,
    run_id: i64,
    f: &ItemFilter,
) -> Result<(Vec<StoredItem>, i64), StoreError> {
    let search = f
        .search
        .as_ref()
        .map(|s| format!("%{}%", s.replace(['%', '_'], "")));
    macro_rules! filtered {
        () => {
            " FROM allocation_results WHERE run_id = $1 AND ($2 IS NULL OR department_id = $2) \
             AND ($3 IS NULL OR unit_id = $3) AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR tier = $5) \
             AND ($6 IS NULL OR fund_book = $6) AND ($7 IS NULL OR name LIKE $7 OR code LIKE $7)"
        };
    }
    let rows: Vec<ItemRow> = sqlx::query_as(concat!(
        "SELECT adjustments, candidate, item_id, fund_book, tier, requested, reviewed, adjusted, allocated, \
         position, status, explanation",
        filtered!(),
        " ORDER BY position = 0, fund_book, position, item_id LIMIT $8 OFFSET $9"
    ))
    .bind(run_id)
    .bind(f.department_id)
    .bind(f.unit_id)
    .bind(f.status.map(|s| s.as_str()))
    .bind(f.tier.map(|t| t.as_str()))
    .bind(f.fund_book.map(|b| b.as_str()))
    .bind(search.clone())
    .bind(f.limit.clamp(1, 100_000))
    .bind(f.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as(concat!("SELECT COUNT(*)", filtered!()))
        .bind(run_id)
        .bind(f.department_id)
        .bind(f.unit_id)
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.tier.map(|t| t.as_str()))
        .bind(f.fund_book.map(|b| b.as_str()))
        .bind(search)
        .fetch_one(&mut *conn)
        .await?;
    let items = rows
        .into_iter()
        .map(StoredItem::try_from)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// How many items of a run end in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: Status,
    /// Items in it.
    pub items: i64,
}

/// How many items of a run end in each status.
pub async fn status_counts(
    conn: &mut AnyConnection,
    run_id: i64,
) -> Result<Vec<StatusCount>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM allocation_results WHERE run_id = $1 GROUP BY status",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(s, items)| {
            Ok(StatusCount {
                status: Status::parse(&s).map_err(corrupt)?,
                items,
            })
        })
        .collect()
}

/// Every item of a run, in run order.
pub async fn all_items(
    conn: &mut AnyConnection,
    run_id: i64,
) -> Result<Vec<StoredItem>, StoreError> {
    let f = ItemFilter {
        limit: 100_000,
        ..ItemFilter::default()
    };
    let mut out = Vec::new();
    loop {
        let (page, _) = items(
            conn,
            run_id,
            &ItemFilter {
                offset: i64::try_from(out.len()).map_err(corrupt)?,
                ..f.clone()
            },
        )
        .await?;
        let done = page.len() < 100_000;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// A process mark on a run of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Chosen as the basis of the control figures (clears the mark on the year's other runs).
    Chosen,
    /// Control figures published.
    Published,
    Approved,
}

/// Sets a mark on a run; `document` is the approval's document number.
pub async fn mark(
    conn: &mut AnyConnection,
    run: &RunHeader,
    mark: Mark,
    actor: &str,
    document: Option<&str>,
) -> Result<(), StoreError> {
    if mark == Mark::Chosen {
        sqlx::query(
            "UPDATE allocation_runs SET chosen_by = NULL, chosen_at = NULL \
             WHERE jurisdiction_id = $1 AND fiscal_year = $2",
        )
        .bind(run.jurisdiction_id)
        .bind(run.fiscal_year)
        .execute(&mut *conn)
        .await?;
    }
    // `$1` who, `$2` when, `$3` the run; the approval also records its document (`$4`).
    let sql = match mark {
        Mark::Chosen => "UPDATE allocation_runs SET chosen_by = $1, chosen_at = $2 WHERE id = $3",
        Mark::Published => {
            "UPDATE allocation_runs SET published_by = $1, published_at = $2 WHERE id = $3"
        }
        Mark::Approved => {
            "UPDATE allocation_runs SET approved_by = $1, approved_at = $2, approval_document = $4 WHERE id = $3"
        }
    };
    let mut query = sqlx::query(sql).bind(actor).bind(now_text()).bind(run.id);
    if mark == Mark::Approved {
        query = query.bind(document);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// A control figure: what a unit gets from a fund book in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Figure {
    pub department_id: i64,
    pub unit_id: i64,
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: FundBook,
    /// Basic expenditure allocated.
    #[schema(value_type = String)]
    pub basic: Money,
    #[schema(value_type = String)]
    pub projects: Money,
    /// Funded projects (in full or in part).
    pub funded_projects: i64,
}

/// Control figures of a run per unit and fund book, optionally within a department or unit.
/// (PostgreSQL sums BIGINT as NUMERIC; the casts keep both backends on i64.)
pub async fn figures(
    conn: &mut AnyConnection,
    run_id: i64,
    department_id: Option<i64>,
    unit_id: Option<i64>,
) -> Result<Vec<Figure>, StoreError> {
    let rows: Vec<(i64, i64, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT department_id, unit_id, fund_book, \
         CAST(COALESCE(SUM(CASE WHEN item_id < 0 THEN allocated ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN item_id > 0 THEN allocated ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN item_id > 0 AND allocated > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM allocation_results WHERE run_id = $1 AND ($2 IS NULL OR department_id = $2) \
         AND ($3 IS NULL OR unit_id = $3) \
         GROUP BY department_id, unit_id, fund_book ORDER BY department_id, unit_id, fund_book",
    )
    .bind(run_id)
    .bind(department_id)
    .bind(unit_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(d, u, b, basic, projects, n)| {
            Ok(Figure {
                department_id: d,
                unit_id: u,
                fund_book: FundBook::parse(&b).map_err(corrupt)?,
                basic: Money::from_fen(basic),
                projects: Money::from_fen(projects),
                funded_projects: n,
            })
        })
        .filter(|f: &Result<Figure, StoreError>| {
            f.as_ref()
                .map(|f| f.basic > Money::ZERO || f.projects > Money::ZERO)
                .unwrap_or(true)
        })
        .collect()
}

/// The stored adjustments (JSON) of every item of a year's chosen run that has any.
pub async fn chosen_adjustments(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT r.adjustments FROM allocation_results r JOIN allocation_runs a ON a.id = r.run_id \
         WHERE a.jurisdiction_id = $1 AND a.fiscal_year = $2 AND a.chosen_at IS NOT NULL AND r.adjustments <> '[]'",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?)
}
