//! Evaluations (PM-10) and results application (PM-13) on both backends: a self or key
//! evaluation per subject with its scorecard, and the confirmed result per project that the
//! next year's allocation run reads.

use lingji_domain::Money;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// An evaluation to record.
#[derive(Debug, Clone)]
pub struct NewEvaluation<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// `self` or `key`.
    pub kind: &'a str,
    /// `project:ID` or `target:ID`: one evaluation of each kind per subject.
    pub subject_key: &'a str,
    /// The project evaluated.
    pub project_id: Option<i64>,
    /// The department or policy targets evaluated.
    pub target_id: Option<i64>,
    pub department_id: i64,
    /// Unit, for a project.
    pub unit_id: Option<i64>,
    /// Name of what is evaluated.
    pub name: &'a str,
    /// The agency that evaluated (key evaluation), or empty.
    pub agency_code: &'a str,
    pub budget: Money,
    pub spent: Money,
    /// Total, hundredths.
    pub score: u32,
    /// Grade's stable name.
    pub grade: &'a str,
    /// Scorecard as JSON.
    pub scorecard: String,
    /// Findings (key evaluation) or summary.
    pub findings: &'a str,
    /// The key evaluation's report, an attachment of the project.
    pub report_attachment_id: Option<i64>,
    pub by: &'a str,
}

/// Records an evaluation, replacing the subject's earlier one of the same kind; its id.
pub async fn put(conn: &mut AnyConnection, e: &NewEvaluation<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO evaluations (jurisdiction_id, fiscal_year, kind, subject_key, project_id, target_id, department_id, \
         unit_id, name, agency_code, budget, spent, score, grade, scorecard, findings, report_attachment_id, recorded_by, \
         recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (kind, subject_key) DO UPDATE SET name = excluded.name, agency_code = excluded.agency_code, \
         budget = excluded.budget, spent = excluded.spent, score = excluded.score, grade = excluded.grade, \
         scorecard = excluded.scorecard, findings = excluded.findings, \
         report_attachment_id = excluded.report_attachment_id, recorded_by = excluded.recorded_by, \
         recorded_at = excluded.recorded_at RETURNING id",
    )
    .bind(e.jurisdiction_id)
    .bind(i64::from(e.fiscal_year))
    .bind(e.kind)
    .bind(e.subject_key)
    .bind(e.project_id)
    .bind(e.target_id)
    .bind(e.department_id)
    .bind(e.unit_id)
    .bind(e.name)
    .bind(e.agency_code)
    .bind(e.budget.fen())
    .bind(e.spent.fen())
    .bind(i64::from(e.score))
    .bind(e.grade)
    .bind(&e.scorecard)
    .bind(e.findings)
    .bind(e.report_attachment_id)
    .bind(e.by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// A stored evaluation with its department's and unit's names and, for a project, its
/// confirmed result.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Evaluation {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i64,
    /// `self` or `key`.
    pub kind: String,
    pub subject_key: String,
    pub project_id: Option<i64>,
    /// Project code, for a project.
    pub project_code: Option<String>,
    pub target_id: Option<i64>,
    pub department_id: i64,
    pub department_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub name: String,
    pub agency_code: String,
    /// Budget, fen.
    pub budget: i64,
    /// Spent, fen.
    pub spent: i64,
    /// Total, hundredths.
    pub score: i64,
    pub grade: String,
    pub scorecard: String,
    pub findings: String,
    /// The report's attachment.
    pub report_attachment_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// 1 when results application has confirmed this evaluation's result.
    pub applied: i64,
}

macro_rules! evaluation_select {
    ($where:literal) => {
        concat!(
            "SELECT e.id, e.jurisdiction_id, e.fiscal_year, e.kind, e.subject_key, e.project_id, p.code AS project_code, \
             e.target_id, e.department_id, d.name AS department_name, e.unit_id, u.name AS unit_name, e.name, \
             e.agency_code, e.budget, e.spent, e.score, e.grade, e.scorecard, e.findings, e.report_attachment_id, \
             e.recorded_by, e.recorded_at, \
             CASE WHEN EXISTS (SELECT 1 FROM evaluation_results r WHERE r.evaluation_id = e.id) THEN 1 ELSE 0 END AS applied \
             FROM evaluations e JOIN organisations d ON d.id = e.department_id \
             LEFT JOIN organisations u ON u.id = e.unit_id LEFT JOIN projects p ON p.id = e.project_id WHERE ",
            $where
        )
    };
}

/// Evaluations of a year (`kind`, department and unit narrow), by department and name.
pub async fn list(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    kind: Option<&str>,
    department: Option<i64>,
    unit: Option<i64>,
) -> Result<Vec<Evaluation>, StoreError> {
    Ok(sqlx::query_as(evaluation_select!(
        "e.jurisdiction_id = $1 AND e.fiscal_year = $2 AND ($3 IS NULL OR e.kind = $3) \
         AND ($4 IS NULL OR e.department_id = $4) AND ($5 IS NULL OR e.unit_id = $5) \
         ORDER BY d.code, e.kind, e.subject_key LIMIT 5000"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(kind)
    .bind(department)
    .bind(unit)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Evaluation>, StoreError> {
    Ok(sqlx::query_as(evaluation_select!("e.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The evaluation of a kind of a subject, if any.
pub async fn of_subject(
    conn: &mut AnyConnection,
    kind: &str,
    subject_key: &str,
) -> Result<Option<Evaluation>, StoreError> {
    Ok(
        sqlx::query_as(evaluation_select!("e.kind = $1 AND e.subject_key = $2"))
            .bind(kind)
            .bind(subject_key)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// A project's confirmed result (PM-13).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Applied {
    pub project_id: i64,
    /// The evaluation it came from.
    pub evaluation_id: Option<i64>,
    /// Score, hundredths.
    pub score: i64,
    pub grade: String,
    /// The profile's proposed cut, basis points.
    pub proposed_rate: Option<i64>,
    /// The confirmed cut, basis points.
    pub cut_rate: Option<i64>,
    /// 1 when the project is retired.
    pub retire: i64,
    /// Finance's reason when it overrode the proposal.
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// What finance confirms for a project.
#[derive(Debug, Clone)]
pub struct NewApplied<'a> {
    pub project_id: i64,
    pub evaluation_id: i64,
    /// Score, hundredths.
    pub score: u32,
    pub grade: &'a str,
    /// Proposed cut, basis points.
    pub proposed_rate: u32,
    /// Confirmed cut, basis points.
    pub cut_rate: u32,
    /// Retire the project.
    pub retire: bool,
    /// Reason of an override.
    pub reason: &'a str,
    pub by: &'a str,
}

/// Confirms a project's result; false when one is already confirmed (the allocation may have
/// read it, so it is not silently replaced).
pub async fn apply(conn: &mut AnyConnection, a: &NewApplied<'_>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO evaluation_results (project_id, score, grade, recorded_by, recorded_at, evaluation_id, \
         proposed_rate, cut_rate, retire, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (project_id) DO NOTHING",
    )
    .bind(a.project_id)
    .bind(i64::from(a.score))
    .bind(a.grade)
    .bind(a.by)
    .bind(now_text())
    .bind(a.evaluation_id)
    .bind(i64::from(a.proposed_rate))
    .bind(i64::from(a.cut_rate))
    .bind(i64::from(a.retire))
    .bind(a.reason)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a project's result is confirmed.
pub async fn applied_one(conn: &mut AnyConnection, project_id: i64) -> Result<bool, StoreError> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM evaluation_results WHERE project_id = $1")
            .bind(project_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// Confirmed results of the projects of a year.
pub async fn applied(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<Applied>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT r.project_id, r.evaluation_id, r.score, r.grade, r.proposed_rate, r.cut_rate, r.retire, r.reason, \
         r.recorded_by, r.recorded_at FROM evaluation_results r JOIN projects p ON p.id = r.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 ORDER BY r.project_id",
        jurisdiction_id,
        year,
    )
    .await
}
