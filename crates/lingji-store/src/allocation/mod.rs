//! Zero-based allocation: available resources per fund book and what the run reads of the
//! admitted projects in bulk; saved runs with every item's result and the control figures are in
//! [`runs`], budget lines and what approval reads of the funded projects in [`lines`].

use lingji_domain::Money;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::review::gates::GateRecord;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::{Project, Row as ProjectRow, corrupt, project_columns};
use crate::time::now_text;

pub mod lines;
pub mod pools;
pub mod runs;
pub mod transfers;

pub use lines::{
    BudgetLine, FundedProjects, NewLine, funded_projects, insert_line, insert_lines, lines,
    set_funded, set_run_funded,
};
pub use runs::{
    Figure, ItemFilter, Mark, NewRun, RunHeader, StatusCount, StoredItem, all_items,
    chosen_adjustments, figures, insert_run, items, mark, run, runs, status_counts,
};

/// The parts of a fund book's available resources (可用财力).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResourceParts {
    /// 收入预测.
    #[schema(value_type = String)]
    pub revenue: Money,
    /// 上级转移支付.
    #[schema(value_type = String)]
    pub transfers: Money,
    /// 收回存量资金.
    #[schema(value_type = String)]
    pub recovered: Money,
    /// 债务资金.
    #[schema(value_type = String)]
    pub debt: Money,
    /// 单位资金.
    #[schema(value_type = String)]
    pub unit_funds: Money,
}

impl ResourceParts {
    /// The sum of the parts; `None` past the range of money.
    pub fn total(&self) -> Option<Money> {
        Money::checked_sum([
            self.revenue,
            self.transfers,
            self.recovered,
            self.debt,
            self.unit_funds,
        ])
    }
}

/// A fund book's resources for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResourceEntry {
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: FundBook,
    pub parts: ResourceParts,
    /// Unassigned reserve asked for (待分资金, ZB-2b).
    #[schema(value_type = String)]
    pub reserve: Money,
    /// Basis of the forecast.
    pub note: String,
    /// Row version (optimistic concurrency).
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct ResourceRow {
    fund_book: String,
    revenue: i64,
    transfers: i64,
    recovered: i64,
    debt: i64,
    unit_funds: i64,
    reserve: i64,
    note: String,
    version: i64,
    updated_by: String,
    updated_at: String,
}

/// The resources of a year, in fund-book order.
pub async fn resources(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<ResourceEntry>, StoreError> {
    let rows: Vec<ResourceRow> = crate::year_rows(
        conn,
        "SELECT fund_book, revenue, transfers, recovered, debt, unit_funds, reserve, note, version, \
         updated_by, updated_at FROM available_resources WHERE jurisdiction_id = $1 AND fiscal_year = $2",
        jurisdiction_id,
        year,
    )
    .await?;
    let mut out: Vec<ResourceEntry> = rows
        .into_iter()
        .map(|r| {
            Ok(ResourceEntry {
                fund_book: FundBook::parse(&r.fund_book).map_err(corrupt)?,
                parts: ResourceParts {
                    revenue: Money::from_fen(r.revenue),
                    transfers: Money::from_fen(r.transfers),
                    recovered: Money::from_fen(r.recovered),
                    debt: Money::from_fen(r.debt),
                    unit_funds: Money::from_fen(r.unit_funds),
                },
                reserve: Money::from_fen(r.reserve),
                note: r.note,
                version: r.version,
                updated_by: r.updated_by,
                updated_at: r.updated_at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    out.sort_by_key(|e| e.fund_book);
    Ok(out)
}

/// A fund book's resources to write (see [`put_resources`]).
#[derive(Debug, Clone)]
pub struct NewResources<'a> {
    pub jurisdiction_id: i64,
    pub year: i32,
    pub fund_book: FundBook,
    /// The parts of the resources.
    pub parts: &'a ResourceParts,
    /// Reserve (预备费).
    pub reserve: Money,
    pub note: &'a str,
    /// `None` for a new row, else the version it must still be at.
    pub expected_version: Option<i64>,
    /// Who writes it.
    pub actor: &'a str,
}

/// Writes a fund book's resources: a new row when `expected_version` is `None`, else only if
/// nobody changed it since that version. Returns false when the row was not written (it exists
/// already, or changed meanwhile).
pub async fn put_resources(
    conn: &mut AnyConnection,
    r: &NewResources<'_>,
) -> Result<bool, StoreError> {
    let NewResources {
        jurisdiction_id,
        year,
        fund_book,
        parts,
        reserve,
        note,
        expected_version,
        actor,
    } = *r;
    let done = match expected_version {
        None => sqlx::query(
            "INSERT INTO available_resources (jurisdiction_id, fiscal_year, fund_book, revenue, transfers, \
             recovered, debt, unit_funds, reserve, note, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        ),
        Some(_) => sqlx::query(
            "UPDATE available_resources SET revenue = $4, transfers = $5, recovered = $6, debt = $7, \
             unit_funds = $8, reserve = $9, note = $10, updated_by = $11, updated_at = $12, version = version + 1 \
             WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND fund_book = $3 AND version = $13",
        ),
    }
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(fund_book.as_str())
    .bind(parts.revenue.fen())
    .bind(parts.transfers.fen())
    .bind(parts.recovered.fen())
    .bind(parts.debt.fen())
    .bind(parts.unit_funds.fen())
    .bind(reserve.fen())
    .bind(note)
    .bind(actor)
    .bind(now_text())
    .bind(expected_version.unwrap_or(0))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// An admitted project with what review and last year left on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub project: Project,
    /// The department's rank.
    pub department_rank: Option<i64>,
    /// 财政审核数.
    pub reviewed: Option<Money>,
    /// Its gate records.
    pub gates: Vec<GateRecord>,
    /// Its cost lines: economic code, amount, whether a standard or a basis backs it.
    pub cost_lines: Vec<(String, Money, bool)>,
    /// Names of its indicators.
    pub indicators: Vec<String>,
    /// Last year's project of the same line, if any.
    pub previous: Option<Previous>,
}

/// Last year's project of the same line: budget, spending and evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// Approved last year.
    pub approved: Money,
    /// Spent of it.
    pub spent: Money,
    /// Evaluation score, hundredths of a point.
    pub score: Option<i64>,
    /// Evaluation grade identifier.
    pub grade: Option<String>,
    /// Finance's override of the grade's cut in results application (PM-13): the rate in
    /// basis points and whether the project is retired; None when the profile's cut stands.
    pub result_cut: Option<(i64, bool)>,
}

/// Project id, last year's approved and spent, evaluation score and grade, confirmed cut,
/// retirement and override reason.
type PreviousRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Every admitted project of a year with its review fields, gates, cost lines, indicators and
/// last year's line, by id — one statement per kind of row, not one per project.
pub async fn admitted(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<Admitted>, StoreError> {
    let y = i64::from(year);
    let rows: Vec<ProjectRow> = crate::year_rows(
        conn,
        concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'admitted' ORDER BY id"
        ),
        jurisdiction_id,
        y,
    )
    .await?;
    let mut out: Vec<Admitted> = rows
        .into_iter()
        .map(|r| {
            Ok(Admitted {
                project: Project::try_from(r)?,
                department_rank: None,
                reviewed: None,
                gates: Vec::new(),
                cost_lines: Vec::new(),
                indicators: Vec::new(),
                previous: None,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    add_review(conn, jurisdiction_id, y, &mut out).await?;
    add_gates(conn, jurisdiction_id, y, &mut out).await?;
    add_cost_lines(conn, jurisdiction_id, y, &mut out).await?;
    add_indicators(conn, jurisdiction_id, y, &mut out).await?;
    add_previous(conn, jurisdiction_id, y, &mut out).await?;
    Ok(out)
}

/// The admitted project with this id; `out` is in id order.
fn of_id(out: &mut [Admitted], id: i64) -> Option<&mut Admitted> {
    let i = out.binary_search_by_key(&id, |a| a.project.id).ok()?;
    out.get_mut(i)
}

/// The department's rank and finance's reviewed amount.
async fn add_review(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    y: i64,
    out: &mut [Admitted],
) -> Result<(), StoreError> {
    let review: Vec<(i64, Option<i64>, Option<i64>)> = crate::year_rows(
        conn,
        "SELECT id, department_rank, reviewed_amount FROM projects \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'admitted'",
        jurisdiction_id,
        y,
    )
    .await?;
    for (id, rank, reviewed) in review {
        if let Some(a) = of_id(out, id) {
            a.department_rank = rank;
            a.reviewed = reviewed.map(Money::from_fen);
        }
    }
    Ok(())
}

async fn add_gates(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    y: i64,
    out: &mut [Admitted],
) -> Result<(), StoreError> {
    let gates: Vec<(i64, String)> = crate::year_rows(
        conn,
        "SELECT g.project_id, g.record FROM project_gates g JOIN projects p ON p.id = g.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted' ORDER BY g.project_id, g.gate",
        jurisdiction_id,
        y,
    )
    .await?;
    for (id, record) in gates {
        if let Some(a) = of_id(out, id) {
            a.gates
                .push(serde_json::from_str(&record).map_err(corrupt)?);
        }
    }
    Ok(())
}

/// Cost lines in order, each marked backed when a standard or a basis supports it.
async fn add_cost_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    y: i64,
    out: &mut [Admitted],
) -> Result<(), StoreError> {
    let lines: Vec<(i64, String, i64, Option<i64>, String)> = crate::year_rows(
        conn,
        "SELECT l.project_id, l.economic_code, l.amount, l.standard_id, l.basis FROM project_cost_lines l \
         JOIN projects p ON p.id = l.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted' ORDER BY l.project_id, l.position",
        jurisdiction_id,
        y,
    )
    .await?;
    for (id, code, amount, standard, basis) in lines {
        if let Some(a) = of_id(out, id) {
            let backed = standard.is_some() || !basis.trim().is_empty();
            a.cost_lines.push((code, Money::from_fen(amount), backed));
        }
    }
    Ok(())
}

async fn add_indicators(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    y: i64,
    out: &mut [Admitted],
) -> Result<(), StoreError> {
    let indicators: Vec<(i64, String)> = crate::year_rows(
        conn,
        "SELECT i.project_id, i.name FROM project_indicators i JOIN projects p ON p.id = i.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted' ORDER BY i.project_id, i.position",
        jurisdiction_id,
        y,
    )
    .await?;
    for (id, name) in indicators {
        if let Some(a) = of_id(out, id) {
            a.indicators.push(name);
        }
    }
    Ok(())
}

/// Last year's project of the same line: its budget, spending and evaluation result.
async fn add_previous(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    y: i64,
    out: &mut [Admitted],
) -> Result<(), StoreError> {
    let previous: Vec<PreviousRow> = crate::year_rows(
        conn,
        "SELECT p.id, q.approved, q.spent, e.score, e.grade, e.cut_rate, e.retire, e.reason FROM projects p \
         JOIN projects q ON q.id = p.previous_id \
         LEFT JOIN evaluation_results e ON e.project_id = q.id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted'",
        jurisdiction_id,
        y,
    )
    .await?;
    for (id, approved, spent, score, grade, cut, retire, reason) in previous {
        if let Some(a) = of_id(out, id) {
            // Only an override carries a reason; a confirmed proposal is the profile's cut.
            let overridden = reason.is_some_and(|r| !r.is_empty());
            a.previous = Some(Previous {
                approved: Money::from_fen(approved),
                spent: Money::from_fen(spent),
                score,
                grade,
                result_cut: cut
                    .filter(|_| overridden)
                    .map(|c| (c, retire.unwrap_or(0) != 0)),
            });
        }
    }
    Ok(())
}

/// An admitted project's code and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AdmittedCode {
    pub code: String,
    pub id: i64,
}

/// Code and id of every admitted project of a year.
pub async fn admitted_codes(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<AdmittedCode>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT code, id FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'admitted'",
        jurisdiction_id,
        year,
    )
    .await
}

/// Records a project's evaluation result (score in hundredths, grade identifier), replacing
/// an earlier one.
pub async fn put_evaluation(
    conn: &mut AnyConnection,
    project_id: i64,
    score: i64,
    grade: &str,
    actor: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM evaluation_results WHERE project_id = $1")
        .bind(project_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO evaluation_results (project_id, score, grade, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(project_id)
    .bind(score)
    .bind(grade)
    .bind(actor)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A project of a year as the year-on-year statistics (ZX-3a) see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct YearProject {
    pub id: i64,
    pub department_id: i64,
    /// Last year's project of the same line.
    pub previous_id: Option<i64>,
    /// Approved as recorded on the project, fen (the ledger decides when it has lines).
    pub approved: i64,
    /// Spent as recorded on the project, fen.
    pub spent: i64,
}

/// Every project of a year, by id.
pub async fn year_projects(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<YearProject>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT id, department_id, previous_id, approved, spent FROM projects \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY id",
        jurisdiction_id,
        year,
    )
    .await
}
