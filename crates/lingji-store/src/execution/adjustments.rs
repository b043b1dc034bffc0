//! Budget adjustment requests (调剂, 追加; ZB-7b) and what the amendment document lists, on both
//! backends.

use lingji_domain::Money;
use lingji_domain::execution::{AdjustmentKind, AdjustmentStatus};
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A request to record.
#[derive(Debug, Clone)]
pub struct NewAdjustment<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub department_id: i64,
    /// Unit asking (of the line taken from, or of the project).
    pub unit_id: i64,
    pub kind: AdjustmentKind,
    /// Line taken from (transfer).
    pub from_line_id: Option<i64>,
    /// Line added to (transfer; supplement onto an existing line).
    pub to_line_id: Option<i64>,
    /// Project (supplement).
    pub project_id: Option<i64>,
    /// Economic code of a new line (supplement without a line).
    pub economic_code: Option<&'a str>,
    pub amount: Money,
    /// A major supplement (ZB-7b).
    pub major: bool,
    pub reason: &'a str,
    pub requested_by: &'a str,
}

/// Records a request; its id.
pub async fn insert(conn: &mut AnyConnection, a: &NewAdjustment<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO adjustments (jurisdiction_id, fiscal_year, department_id, unit_id, kind, from_line_id, \
         to_line_id, project_id, economic_code, amount, major, reason, status, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'requested', $13, $14) RETURNING id",
    )
    .bind(a.jurisdiction_id)
    .bind(i64::from(a.fiscal_year))
    .bind(a.department_id)
    .bind(a.unit_id)
    .bind(a.kind.as_str())
    .bind(a.from_line_id)
    .bind(a.to_line_id)
    .bind(a.project_id)
    .bind(a.economic_code)
    .bind(a.amount.fen())
    .bind(i64::from(a.major))
    .bind(a.reason)
    .bind(a.requested_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// An adjustment as listed, with the names the amendment document shows.
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub department_id: i64,
    pub department_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: AdjustmentKind,
    /// From line and its name.
    pub from_line: Option<(i64, String)>,
    /// To line and its name.
    pub to_line: Option<(i64, String)>,
    /// Project and its name.
    pub project: Option<(i64, String)>,
    /// Economic code of a new line.
    pub economic_code: Option<String>,
    pub amount: Money,
    pub major: bool,
    pub reason: String,
    pub status: AdjustmentStatus,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    jurisdiction_id: i64,
    fiscal_year: i64,
    department_id: i64,
    department_name: String,
    unit_id: i64,
    unit_name: String,
    kind: String,
    from_line_id: Option<i64>,
    from_name: Option<String>,
    to_line_id: Option<i64>,
    to_name: Option<String>,
    project_id: Option<i64>,
    project_name: Option<String>,
    economic_code: Option<String>,
    amount: i64,
    major: i64,
    reason: String,
    status: String,
    requested_by: String,
    requested_at: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    decision_note: Option<String>,
}

impl TryFrom<Row> for Adjustment {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let pair =
            |id: Option<i64>, name: Option<String>| id.map(|i| (i, name.unwrap_or_default()));
        Ok(Adjustment {
            id: r.id,
            jurisdiction_id: r.jurisdiction_id,
            fiscal_year: i32::try_from(r.fiscal_year).map_err(corrupt)?,
            department_id: r.department_id,
            department_name: r.department_name,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            kind: AdjustmentKind::parse(&r.kind)
                .ok_or_else(|| corrupt(format!("adjustment kind {}", r.kind)))?,
            from_line: pair(r.from_line_id, r.from_name),
            to_line: pair(r.to_line_id, r.to_name),
            project: pair(r.project_id, r.project_name),
            economic_code: r.economic_code,
            amount: Money::from_fen(r.amount),
            major: r.major != 0,
            reason: r.reason,
            status: AdjustmentStatus::parse(&r.status)
                .ok_or_else(|| corrupt(format!("adjustment status {}", r.status)))?,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_note: r.decision_note,
        })
    }
}

macro_rules! adjustment_select {
    () => {
        "SELECT a.id, a.jurisdiction_id, a.fiscal_year, a.department_id, d.name AS department_name, a.unit_id, \
         u.name AS unit_name, a.kind, a.from_line_id, f.name AS from_name, a.to_line_id, t.name AS to_name, \
         a.project_id, p.name AS project_name, a.economic_code, a.amount, a.major, a.reason, a.status, \
         a.requested_by, a.requested_at, a.decided_by, a.decided_at, a.decision_note \
         FROM adjustments a JOIN organisations d ON d.id = a.department_id JOIN organisations u ON u.id = a.unit_id \
         LEFT JOIN budget_lines f ON f.id = a.from_line_id LEFT JOIN budget_lines t ON t.id = a.to_line_id \
         LEFT JOIN projects p ON p.id = a.project_id "
    };
}

pub async fn adjustment(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Adjustment>, StoreError> {
    let row: Option<Row> = sqlx::query_as(concat!(adjustment_select!(), "WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(Adjustment::try_from).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct AdjustmentFilter {
    pub fiscal_year: i32,
    /// Only this unit's.
    pub unit_id: Option<i64>,
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only in this state.
    pub status: Option<AdjustmentStatus>,
}

/// A year's adjustments by department, then id.
pub async fn list(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    f: &AdjustmentFilter,
) -> Result<Vec<Adjustment>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        adjustment_select!(),
        "WHERE a.jurisdiction_id = $1 AND a.fiscal_year = $2 AND ($3 IS NULL OR a.unit_id = $3) \
         AND ($4 IS NULL OR a.department_id = $4) AND ($5 IS NULL OR a.status = $5) \
         ORDER BY d.code, a.id LIMIT 5000"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(f.fiscal_year))
    .bind(f.unit_id)
    .bind(f.department_id)
    .bind(f.status.map(AdjustmentStatus::as_str))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(Adjustment::try_from).collect()
}

/// Decides a requested adjustment (and names the line a supplement created); false when it is
/// no longer requested.
pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    to: AdjustmentStatus,
    to_line_id: Option<i64>,
    by: &str,
    note: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE adjustments SET status = $1, to_line_id = COALESCE($2, to_line_id), decided_by = $3, \
         decided_at = $4, decision_note = $5 WHERE id = $6 AND status = 'requested'",
    )
    .bind(to.as_str())
    .bind(to_line_id)
    .bind(by)
    .bind(now_text())
    .bind(note)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// What a supplement needs of its project: where it sits, its name, state and fund book.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupplementProject {
    pub jurisdiction_id: i64,
    pub department_id: i64,
    pub unit_id: i64,
    pub name: String,
    pub state: String,
    /// Fund book asked from.
    pub fund_book: Option<String>,
}

/// The project a supplement is for.
pub async fn supplement_project(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<SupplementProject>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT jurisdiction_id, department_id, unit_id, name, state, fund_book FROM projects WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}
