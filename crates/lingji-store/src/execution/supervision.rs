//! What penetrating supervision (ZX-2) reads: the projects at or above the threshold, and one
//! project's trace through allocation, lines, rule hits, suspensions, adjustments and
//! evaluation, on both backends.

use lingji_domain::Money;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

/// A project under penetrating supervision.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Flagged {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit_name: String,
    #[schema(value_type = crate::schema::ProjectState)]
    pub state: String,
    /// Requested, fen.
    pub request: i64,
    /// Budget on its lines (approved plus adjustments), fen.
    pub budget: i64,
    /// Paid from its lines, fen.
    pub spent: i64,
}

/// Sums over a project's lines. The budget is `approved + adjusted` of its own lines and only
/// `adjusted` of the carry-over lines opened from them — what
/// [`lingji_domain::execution::ProjectExecution::of`] counts, written in SQL so the list is
/// filtered by the database; `zx_2_a_carried_over_project_is_counted_once` holds the two
/// together.
macro_rules! line_sums {
    ($col:literal) => {
        concat!(
            "CAST(COALESCE((SELECT SUM(",
            $col,
            ") FROM budget_lines l WHERE l.project_id = p.id), 0) AS BIGINT)"
        )
    };
}

/// The rows a query of one project (`$1`) finds: each part of the trace is one.
async fn of_project<R>(
    conn: &mut AnyConnection,
    sql: &'static str,
    project_id: i64,
) -> Result<Vec<R>, StoreError>
where
    R: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    Ok(sqlx::query_as(sql)
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?)
}

/// Projects whose request or budget reaches `threshold`, largest first.
pub async fn flagged(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    threshold: Money,
) -> Result<Vec<Flagged>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT p.id, p.code, p.name, u.name AS unit_name, p.state, p.request, ",
        line_sums!(
            "CASE WHEN l.source = 'carryover' THEN l.adjusted ELSE l.approved + l.adjusted END"
        ),
        " AS budget, ",
        line_sums!("l.spent"),
        " AS spent FROM projects p JOIN organisations u ON u.id = p.unit_id \
         WHERE p.jurisdiction_id = $1 AND (p.request >= $2 OR ",
        line_sums!(
            "CASE WHEN l.source = 'carryover' THEN l.adjusted ELSE l.approved + l.adjusted END"
        ),
        " >= $2) ORDER BY p.request DESC, p.id LIMIT 1000"
    ))
    .bind(jurisdiction_id)
    .bind(threshold.fen())
    .fetch_all(&mut *conn)
    .await?)
}

/// The head of a project's trace.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TraceHead {
    pub jurisdiction_id: i64,
    pub code: String,
    pub name: String,
    pub unit_name: String,
    #[schema(value_type = crate::schema::ProjectState)]
    pub state: String,
    /// Requested, fen.
    pub request: i64,
    pub function_code: String,
}

/// A project's head.
pub async fn head(conn: &mut AnyConnection, id: i64) -> Result<Option<TraceHead>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.jurisdiction_id, p.code, p.name, u.name AS unit_name, p.state, p.request, p.function_code \
         FROM projects p JOIN organisations u ON u.id = p.unit_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The project in an allocation run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TraceAllocation {
    pub run_id: i64,
    pub run_name: String,
    pub fiscal_year: i64,
    /// Reviewed, fen.
    pub reviewed: i64,
    /// Allocated, fen.
    pub allocated: i64,
    #[schema(value_type = crate::schema::AllocationStatus)]
    pub status: String,
    pub explanation: String,
}

/// The project's allocation results, newest run first.
pub async fn allocations(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<TraceAllocation>, StoreError> {
    of_project(
        conn,
        "SELECT r.run_id, a.name AS run_name, a.fiscal_year, r.reviewed, r.allocated, r.status, r.explanation \
         FROM allocation_results r JOIN allocation_runs a ON a.id = r.run_id WHERE r.project_id = $1 \
         ORDER BY r.run_id DESC LIMIT 50",
        project_id,
    )
    .await
}

/// A line of the project with its balance.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TraceLine {
    pub id: i64,
    pub fiscal_year: i64,
    pub name: String,
    pub economic_code: String,
    /// allocation, transfer, supplement, carryover.
    pub source: String,
    /// Approved, fen.
    pub approved: i64,
    /// Adjusted, fen.
    pub adjusted: i64,
    /// Reserved, fen.
    pub reserved: i64,
    /// Spent, fen.
    pub spent: i64,
    /// Closed, fen.
    pub closed: i64,
}

/// The project's lines.
pub async fn lines(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<TraceLine>, StoreError> {
    of_project(
        conn,
        "SELECT id, fiscal_year, name, economic_code, source, approved, adjusted, reserved, spent, closed \
         FROM budget_lines WHERE project_id = $1 ORDER BY fiscal_year, id",
        project_id,
    )
    .await
}

/// A rule hit on one of the project's payments.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TraceHit {
    pub payment_id: i64,
    pub rule_code: String,
    pub name: String,
    /// notice / warning / block.
    #[schema(value_type = crate::schema::RuleAction)]
    pub action: String,
    #[schema(value_type = crate::schema::Disposition)]
    pub disposition: String,
}

/// Rule hits on the project's payments.
pub async fn hits(conn: &mut AnyConnection, project_id: i64) -> Result<Vec<TraceHit>, StoreError> {
    of_project(
        conn,
        "SELECT h.payment_id, h.rule_code, h.name, h.action, h.disposition FROM payment_hits h \
         JOIN payments p ON p.id = h.payment_id WHERE p.project_id = $1 ORDER BY h.id LIMIT 1000",
        project_id,
    )
    .await
}

/// A suspension of the project's payments (PM-9).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TraceSuspension {
    pub reason: String,
    pub suspended_by: String,
    pub suspended_at: String,
    pub lifted_at: Option<String>,
}

/// The project's suspensions.
pub async fn suspensions(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<TraceSuspension>, StoreError> {
    of_project(
        conn,
        "SELECT reason, suspended_by, suspended_at, lifted_at FROM payment_suspensions \
         WHERE project_id = $1 ORDER BY id",
        project_id,
    )
    .await
}

/// A project's recorded evaluation result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EvaluationResult {
    /// Score in hundredths.
    pub score: i64,
    pub grade: String,
}

/// The project's evaluation (score in hundredths, grade), when recorded.
pub async fn evaluation(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Option<EvaluationResult>, StoreError> {
    Ok(
        sqlx::query_as("SELECT score, grade FROM evaluation_results WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Ids of the adjustments that touch the project or its lines.
pub async fn adjustment_ids(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM adjustments WHERE project_id = $1 \
         OR from_line_id IN (SELECT id FROM budget_lines WHERE project_id = $1) \
         OR to_line_id IN (SELECT id FROM budget_lines WHERE project_id = $1) ORDER BY id",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
