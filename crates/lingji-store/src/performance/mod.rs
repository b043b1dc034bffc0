//! Performance management on both backends (issue 7): department and policy targets, the
//! ledger's execution figures monitoring and evaluation read, and dual-monitoring records with
//! finance's decision.

pub mod evaluations;
use lingji_domain::Money;
use lingji_domain::execution::{LineFigures, ProjectExecution};
use lingji_domain::library::targets::TargetTable;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A project's budget and payments from its lines — its own and the year-end carry-overs
/// opened from them — counted by [`ProjectExecution::of`] (a carry-over's opening amount is
/// already in the budget of the line it came from). Every reader of a project's execution
/// (review, allocation, evaluation, monitoring, supervision) comes here.
pub async fn project_execution(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<ProjectExecution, StoreError> {
    let rows: Vec<FigureRow> = sqlx::query_as(
        "SELECT l.project_id, l.source, l.approved, l.adjusted, l.spent FROM budget_lines l \
         WHERE l.project_id = $1 ORDER BY l.id",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ProjectExecution::of(
        &rows.iter().map(figures).collect::<Vec<_>>(),
    ))
}

/// What a project's own lines were first approved at — by a run's approval or an upper
/// transfer's document — leaving out supplement lines and carry-overs: the base against which
/// ZB-5a's adjustment rate (调整率) measures what supplements and transfers changed.
pub async fn project_initial_budget(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Money, StoreError> {
    let (fen,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(approved), 0) AS BIGINT) FROM budget_lines \
         WHERE project_id = $1 AND source IN ('allocation', 'transfer')",
    )
    .bind(project_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Money::from_fen(fen))
}

/// One line's figures with its project, in fen.
#[derive(sqlx::FromRow)]
struct FigureRow {
    project_id: i64,
    source: String,
    approved: i64,
    adjusted: i64,
    spent: i64,
}

fn figures(r: &FigureRow) -> LineFigures {
    LineFigures {
        carried_over: r.source == "carryover",
        approved: Money::from_fen(r.approved),
        adjusted: Money::from_fen(r.adjusted),
        spent: Money::from_fen(r.spent),
    }
}

/// A project's execution, by the project it is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExecutionOf {
    pub project_id: i64,
    pub execution: ProjectExecution,
}

/// Groups line rows ordered by project into each project's execution.
fn by_project(rows: &[FigureRow]) -> Vec<ExecutionOf> {
    rows.chunk_by(|a, b| a.project_id == b.project_id)
        .map(|group| ExecutionOf {
            project_id: group[0].project_id,
            execution: ProjectExecution::of(&group.iter().map(figures).collect::<Vec<_>>()),
        })
        .collect()
}

/// The execution of last year's project (`previous_id`) of every project of `year` in
/// `state`, by this year's project id — one statement for the whole year.
pub async fn previous_execution(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    state: &str,
) -> Result<Vec<ExecutionOf>, StoreError> {
    let rows: Vec<FigureRow> = sqlx::query_as(
        "SELECT p.id AS project_id, l.source, l.approved, l.adjusted, l.spent FROM projects p \
         JOIN budget_lines l ON l.project_id = p.previous_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = $3 ORDER BY p.id, l.id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(state)
    .fetch_all(&mut *conn)
    .await?;
    Ok(by_project(&rows))
}

/// The execution of every project of `year` that has a line, by project id.
pub async fn year_execution(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<ExecutionOf>, StoreError> {
    let rows: Vec<FigureRow> = crate::year_rows(
        conn,
        "SELECT p.id AS project_id, l.source, l.approved, l.adjusted, l.spent FROM projects p \
         JOIN budget_lines l ON l.project_id = p.id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 ORDER BY p.id, l.id",
        jurisdiction_id,
        year,
    )
    .await?;
    Ok(by_project(&rows))
}

/// A department's budget and spending of a year, from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DepartmentExecution {
    pub department_id: i64,
    pub department_name: String,
    /// Approved + adjusted, fen.
    pub budget: i64,
    /// Spent, fen.
    pub spent: i64,
}

/// Every department's budget and spending of a year (`department` narrows to one).
pub async fn department_execution(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    department: Option<i64>,
) -> Result<Vec<DepartmentExecution>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT l.department_id, o.name AS department_name, \
         CAST(SUM(l.approved + l.adjusted) AS BIGINT) AS budget, CAST(SUM(l.spent) AS BIGINT) AS spent \
         FROM budget_lines l JOIN organisations o ON o.id = l.department_id \
         WHERE l.jurisdiction_id = $1 AND l.fiscal_year = $2 AND ($3 IS NULL OR l.department_id = $3) \
         GROUP BY l.department_id, o.name, o.code ORDER BY o.code",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(department)
    .fetch_all(&mut *conn)
    .await?)
}

/// A department's or a policy's targets to record (PM-7).
#[derive(Debug, Clone)]
pub struct NewTarget<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// `department` or `policy`.
    pub subject: &'a str,
    /// The department (the policy's lead department).
    pub department_id: i64,
    /// The special fund's code for a policy; empty for a department.
    pub policy_code: &'a str,
    pub name: &'a str,
    /// Budget it covers.
    pub budget: Money,
    /// The target table.
    pub targets: &'a TargetTable,
    /// A policy's projects.
    pub projects: &'a [i64],
    pub by: &'a str,
}

/// Stored targets of a department or a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// `department` or `policy`.
    pub subject: String,
    pub department_id: i64,
    pub department_name: String,
    /// Special fund's code, for a policy.
    pub policy_code: String,
    pub name: String,
    pub budget: Money,
    /// The target table.
    pub targets: TargetTable,
    /// A policy's projects.
    pub projects: Vec<i64>,
    pub version: i64,
    /// Last changed by.
    pub updated_by: String,
    pub updated_at: String,
}

type TargetRow = (
    i64,
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    String,
    String,
);

fn target_of(r: TargetRow) -> Result<Target, StoreError> {
    Ok(Target {
        id: r.0,
        jurisdiction_id: r.1,
        fiscal_year: i32::try_from(r.2).map_err(corrupt)?,
        subject: r.3,
        department_id: r.4,
        department_name: r.5,
        policy_code: r.6,
        name: r.7,
        budget: Money::from_fen(r.8),
        targets: serde_json::from_str(&r.9).map_err(corrupt)?,
        projects: serde_json::from_str(&r.10).map_err(corrupt)?,
        version: r.11,
        updated_by: r.12,
        updated_at: r.13,
    })
}

macro_rules! target_select {
    ($where:literal) => {
        concat!(
            "SELECT t.id, t.jurisdiction_id, t.fiscal_year, t.subject, t.department_id, o.name, t.policy_code, t.name, \
             t.budget, t.targets, t.projects, t.version, t.updated_by, t.updated_at \
             FROM performance_targets t JOIN organisations o ON o.id = t.department_id WHERE ",
            $where
        )
    };
}

/// Records new targets; a second of the same subject, department and policy is a conflict.
pub async fn insert_target(conn: &mut AnyConnection, t: &NewTarget<'_>) -> Result<i64, StoreError> {
    let json = serde_json::to_string(t.targets).map_err(corrupt)?;
    let projects = serde_json::to_string(t.projects).map_err(corrupt)?;
    Ok(sqlx::query_scalar(
        "INSERT INTO performance_targets (jurisdiction_id, fiscal_year, subject, department_id, policy_code, name, \
         budget, targets, projects, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(t.jurisdiction_id)
    .bind(i64::from(t.fiscal_year))
    .bind(t.subject)
    .bind(t.department_id)
    .bind(t.policy_code)
    .bind(t.name)
    .bind(t.budget.fen())
    .bind(json)
    .bind(projects)
    .bind(t.by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// Changes targets' name, budget and table if still at `version`.
pub async fn update_target(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    t: &NewTarget<'_>,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(t.targets).map_err(corrupt)?;
    let projects = serde_json::to_string(t.projects).map_err(corrupt)?;
    let query = sqlx::query(
        "UPDATE performance_targets SET name = $1, budget = $2, targets = $3, projects = $4, updated_by = $5, \
         updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
    )
    .bind(t.name)
    .bind(t.budget.fen())
    .bind(json)
    .bind(projects)
    .bind(t.by);
    crate::update_versioned(conn, query, id, version).await
}

/// Targets of a year, departments first (`department` narrows to one).
pub async fn targets(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    department: Option<i64>,
) -> Result<Vec<Target>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, TargetRow>(target_select!(
            "t.jurisdiction_id = $1 AND t.fiscal_year = $2 AND ($3 IS NULL OR t.department_id = $3) \
             ORDER BY t.subject, o.code, t.policy_code"
        ))
        .bind(jurisdiction_id)
        .bind(i64::from(year))
        .bind(department)
        ,
        target_of,
    )
    .await
}

/// One target record.
pub async fn target(conn: &mut AnyConnection, id: i64) -> Result<Option<Target>, StoreError> {
    let row: Option<TargetRow> = sqlx::query_as(target_select!("t.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(target_of).transpose()
}

/// A monitoring checkpoint to record (PM-9).
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub jurisdiction_id: i64,
    pub project_id: i64,
    pub fiscal_year: i32,
    pub month: u32,
    /// Budget from the ledger.
    pub budget: Money,
    /// Spent from the ledger.
    pub spent: Money,
    /// Spending rate, basis points.
    pub spending_rate: u32,
    /// Indicator progress, basis points.
    pub indicator_rate: u32,
    /// Light's stable name.
    pub light: &'a str,
    /// Indicator progress rows as JSON.
    pub indicators: String,
    /// The unit's note.
    pub note: &'a str,
    pub by: &'a str,
}

/// Records a checkpoint; a second of the same project and month is a conflict.
pub async fn insert_record(conn: &mut AnyConnection, r: &NewRecord<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO monitoring_records (jurisdiction_id, project_id, fiscal_year, month, budget, spent, spending_rate, \
         indicator_rate, light, indicators, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(r.jurisdiction_id)
    .bind(r.project_id)
    .bind(i64::from(r.fiscal_year))
    .bind(i64::from(r.month))
    .bind(r.budget.fen())
    .bind(r.spent.fen())
    .bind(i64::from(r.spending_rate))
    .bind(i64::from(r.indicator_rate))
    .bind(r.light)
    .bind(&r.indicators)
    .bind(r.note)
    .bind(r.by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// A stored checkpoint with its project, unit and whether the project's payments are
/// suspended now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Record {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub project_id: i64,
    pub project_code: String,
    pub project_name: String,
    pub department_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub fiscal_year: i64,
    pub month: i64,
    /// Budget, fen.
    pub budget: i64,
    /// Spent, fen.
    pub spent: i64,
    /// Spending rate, basis points.
    pub spending_rate: i64,
    /// Indicator progress, basis points.
    pub indicator_rate: i64,
    pub light: String,
    /// Indicator rows, JSON.
    pub indicators: String,
    /// The unit's note.
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Finance's decision.
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// 1 when the project's payments are suspended now.
    pub suspended: i64,
}

macro_rules! record_select {
    ($where:literal) => {
        concat!(
            "SELECT m.id, m.jurisdiction_id, m.project_id, p.code AS project_code, p.name AS project_name, \
             p.department_id, p.unit_id, o.name AS unit_name, m.fiscal_year, m.month, m.budget, m.spent, \
             m.spending_rate, m.indicator_rate, m.light, m.indicators, m.note, m.recorded_by, m.recorded_at, \
             m.decision, m.decision_reason, m.decided_by, m.decided_at, \
             CASE WHEN EXISTS (SELECT 1 FROM payment_suspensions s WHERE s.project_id = m.project_id \
             AND s.lifted_at IS NULL) THEN 1 ELSE 0 END AS suspended \
             FROM monitoring_records m JOIN projects p ON p.id = m.project_id \
             JOIN organisations o ON o.id = p.unit_id WHERE ",
            $where
        )
    };
}

/// Which checkpoints to list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter<'a> {
    pub fiscal_year: i32,
    /// Only this month.
    pub month: Option<u32>,
    /// Only this light.
    pub light: Option<&'a str>,
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only this unit's.
    pub unit_id: Option<i64>,
}

/// Checkpoints of a year, red first.
pub async fn records(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    f: &RecordFilter<'_>,
) -> Result<Vec<Record>, StoreError> {
    Ok(sqlx::query_as(record_select!(
        "m.jurisdiction_id = $1 AND m.fiscal_year = $2 AND ($3 IS NULL OR m.month = $3) \
         AND ($4 IS NULL OR m.light = $4) AND ($5 IS NULL OR p.department_id = $5) \
         AND ($6 IS NULL OR p.unit_id = $6) \
         ORDER BY CASE m.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, m.month DESC, p.code LIMIT 5000"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(f.fiscal_year))
    .bind(f.month.map(i64::from))
    .bind(f.light)
    .bind(f.department_id)
    .bind(f.unit_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn record(conn: &mut AnyConnection, id: i64) -> Result<Option<Record>, StoreError> {
    Ok(sqlx::query_as(record_select!("m.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// A project's checkpoints, by month.
pub async fn project_records(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<Record>, StoreError> {
    Ok(
        sqlx::query_as(record_select!("m.project_id = $1 ORDER BY m.month"))
            .bind(project_id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Records finance's decision on a checkpoint not yet decided; false when one was.
pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    decision: &str,
    reason: &str,
    by: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE monitoring_records SET decision = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND decision IS NULL",
    )
    .bind(decision)
    .bind(reason)
    .bind(by)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
