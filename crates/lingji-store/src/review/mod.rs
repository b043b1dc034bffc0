//! Review and argument: where a project stands in review, each step taken, the joint-review
//! bodies it is routed to, the gate records, and the reviewers' work queues.

pub mod lists;
pub mod queue_search;
use lingji_domain::Money;
use lingji_domain::review::decision::ReviewStage;
use lingji_domain::review::gates::{GateKind, GateRecord};
use lingji_domain::review::routing::JointBody;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::{Project, Row, corrupt, project_columns};
use crate::time::now_text;

/// A project's place in review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewState {
    /// Current stage; none before the first submission.
    pub stage: Option<ReviewStage>,
    /// Submission round, 1 for the first.
    pub round: i64,
    /// The department's rank (1 = most needed).
    pub department_rank: Option<i64>,
    /// 财政审核数.
    pub reviewed: Option<Money>,
}

#[derive(sqlx::FromRow)]
struct StateRow {
    review_stage: Option<String>,
    review_round: i64,
    department_rank: Option<i64>,
    reviewed_amount: Option<i64>,
}

fn stage(s: &str) -> Result<ReviewStage, StoreError> {
    ReviewStage::parse(s).ok_or_else(|| corrupt(format!("review stage {s}")))
}

/// A project's review state.
pub async fn state(conn: &mut AnyConnection, id: i64) -> Result<ReviewState, StoreError> {
    let r: StateRow = sqlx::query_as(
        "SELECT review_stage, review_round, department_rank, reviewed_amount FROM projects WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    ReviewState::try_from(r)
}

impl TryFrom<StateRow> for ReviewState {
    type Error = StoreError;
    fn try_from(r: StateRow) -> Result<Self, StoreError> {
        Ok(ReviewState {
            stage: r.review_stage.as_deref().map(stage).transpose()?,
            round: r.review_round,
            department_rank: r.department_rank,
            reviewed: r.reviewed_amount.map(Money::from_fen),
        })
    }
}

/// Writes the project's state and review state together if the project is still at
/// `expected_version`.
pub async fn advance(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    project_state: lingji_domain::library::ProjectState,
    s: &ReviewState,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE projects SET state = $1, review_stage = $2, review_round = $3, department_rank = $4, \
         reviewed_amount = $5, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
    )
    .bind(project_state.as_str())
    .bind(s.stage.map(ReviewStage::as_str))
    .bind(s.round)
    .bind(s.department_rank)
    .bind(s.reviewed.map(Money::fen))
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    crate::error::one_row(&done)
}

/// One step taken in review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewStep {
    pub round: i64,
    /// Stage the step was taken at.
    #[schema(value_type = crate::schema::ReviewStage)]
    pub stage: ReviewStage,
    /// The joint-review body, at the joint stage.
    #[schema(value_type = Option<crate::schema::JointBody>)]
    pub body: Option<JointBody>,
    /// The reviewer's decision.
    #[schema(value_type = crate::schema::ReviewDecision)]
    pub outcome: String,
    /// Department rank given.
    pub department_rank: Option<i64>,
    /// Amount reviewed or recommended.
    #[schema(value_type = Option<String>)]
    pub reviewed: Option<Money>,
    pub opinion: String,
    /// The panel's four points (ZB-5b), as JSON.
    #[schema(value_type = Option<Object>)]
    pub panel: Option<serde_json::Value>,
    /// User id of the reviewer.
    pub actor_id: Option<i64>,
    /// Reviewer's name.
    pub actor: String,
    pub at: String,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    round: i64,
    stage: String,
    body: Option<String>,
    outcome: String,
    department_rank: Option<i64>,
    reviewed: Option<i64>,
    opinion: String,
    panel: Option<String>,
    actor_id: Option<i64>,
    actor: String,
    at: String,
}

/// Records a step.
pub async fn add_step(
    conn: &mut AnyConnection,
    project_id: i64,
    s: &ReviewStep,
) -> Result<(), StoreError> {
    let panel = s
        .panel
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(corrupt)?;
    sqlx::query(
        "INSERT INTO project_reviews (project_id, round, stage, body, outcome, department_rank, reviewed, \
         opinion, panel, actor_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(project_id)
    .bind(s.round)
    .bind(s.stage.as_str())
    .bind(s.body.map(JointBody::as_str))
    .bind(&s.outcome)
    .bind(s.department_rank)
    .bind(s.reviewed.map(Money::fen))
    .bind(&s.opinion)
    .bind(panel)
    .bind(s.actor_id)
    .bind(&s.actor)
    .bind(&s.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every step of a project, oldest first, across resubmissions.
pub async fn steps(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<ReviewStep>, StoreError> {
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT round, stage, body, outcome, department_rank, reviewed, opinion, panel, actor_id, actor, at \
         FROM project_reviews WHERE project_id = $1 ORDER BY id",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ReviewStep {
                round: r.round,
                stage: stage(&r.stage)?,
                body: r.body.as_deref().and_then(JointBody::parse),
                outcome: r.outcome,
                department_rank: r.department_rank,
                reviewed: r.reviewed.map(Money::from_fen),
                opinion: r.opinion,
                panel: r
                    .panel
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(corrupt)?,
                actor_id: r.actor_id,
                actor: r.actor,
                at: r.at,
            })
        })
        .collect()
}

/// Routes a project to joint-review bodies for a round, replacing earlier routes.
pub async fn route(
    conn: &mut AnyConnection,
    project_id: i64,
    round: i64,
    bodies: &[JointBody],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM project_routes WHERE project_id = $1")
        .bind(project_id)
        .execute(&mut *conn)
        .await?;
    for b in bodies {
        sqlx::query(
            "INSERT INTO project_routes (project_id, body, round, answered) VALUES ($1, $2, $3, 0)",
        )
        .bind(project_id)
        .bind(b.as_str())
        .bind(round)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A routed body's answer; false when the project is not routed to it or it already answered.
pub async fn answer(
    conn: &mut AnyConnection,
    project_id: i64,
    body: JointBody,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE project_routes SET answered = 1 WHERE project_id = $1 AND body = $2 AND answered = 0",
    )
    .bind(project_id)
    .bind(body.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A joint-review body a project is routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Route {
    pub body: JointBody,
    /// Whether it has answered.
    pub answered: bool,
}

/// The bodies a project is routed to, with whether each has answered.
pub async fn routes(conn: &mut AnyConnection, project_id: i64) -> Result<Vec<Route>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT body, answered FROM project_routes WHERE project_id = $1 ORDER BY body",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(b, a)| {
            JointBody::parse(&b)
                .map(|body| Route {
                    body,
                    answered: a != 0,
                })
                .ok_or_else(|| corrupt(format!("joint body {b}")))
        })
        .collect()
}

/// A gate record with who entered it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredGate {
    pub record: GateRecord,
    /// Who entered it.
    pub actor: String,
    pub at: String,
}

/// The gate records of a project.
pub async fn gates(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<StoredGate>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT record, actor, at FROM project_gates WHERE project_id = $1 ORDER BY gate",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(record, actor, at)| {
            Ok(StoredGate {
                record: serde_json::from_str(&record).map_err(corrupt)?,
                actor,
                at,
            })
        })
        .collect()
}

/// Records (or replaces) a gate record; returns the one it replaced.
pub async fn put_gate(
    conn: &mut AnyConnection,
    project_id: i64,
    record: &GateRecord,
    actor: &str,
) -> Result<Option<GateRecord>, StoreError> {
    let kind: GateKind = record.kind();
    let old: Option<(String,)> =
        sqlx::query_as("SELECT record FROM project_gates WHERE project_id = $1 AND gate = $2")
            .bind(project_id)
            .bind(kind.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let json = serde_json::to_string(record).map_err(corrupt)?;
    if old.is_some() {
        sqlx::query("UPDATE project_gates SET record = $1, actor = $2, at = $3 WHERE project_id = $4 AND gate = $5")
            .bind(&json)
            .bind(actor)
            .bind(now_text())
            .bind(project_id)
            .bind(kind.as_str())
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query("INSERT INTO project_gates (project_id, gate, record, actor, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(project_id)
            .bind(kind.as_str())
            .bind(&json)
            .bind(actor)
            .bind(now_text())
            .execute(&mut *conn)
            .await?;
    }
    old.map(|(r,)| serde_json::from_str(&r).map_err(corrupt))
        .transpose()
}

/// Whose work a queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOf {
    /// A department's first review.
    Department(i64),
    /// The finance bureau: its review and the panel.
    Finance,
    /// A joint-review body: routed and not answered.
    Joint(JointBody),
}

// What each queue holds, shared by the page and the count so that they cannot drift apart.
// `$1` is the jurisdiction, `$2` the department or body where the queue has one.
macro_rules! department_queue {
    () => {
        "jurisdiction_id = $1 AND review_stage = 'department' AND department_id = $2 AND state = 'submitted'"
    };
}
macro_rules! finance_queue {
    () => {
        "jurisdiction_id = $1 AND review_stage IN ('finance', 'panel') AND state = 'submitted'"
    };
}
/// One stage of the finance bureau's queue: read stage by stage so that each page comes in id
/// order from the index, not from sorting the whole queue. `$2` is the stage.
macro_rules! finance_stage_queue {
    () => {
        "jurisdiction_id = $1 AND review_stage = $2 AND state = 'submitted'"
    };
}
macro_rules! joint_queue {
    () => {
        "jurisdiction_id = $1 AND review_stage = 'joint' AND state = 'submitted' \
         AND id IN (SELECT project_id FROM project_routes WHERE body = $2 AND answered = 0)"
    };
}
pub(crate) use {department_queue, finance_queue, joint_queue};
macro_rules! queue_page {
    ($where:expr, $after:literal, $limit:literal) => {
        concat!(
            "SELECT ",
            project_columns!(),
            ", review_stage, review_round, department_rank, reviewed_amount FROM projects WHERE ",
            $where,
            " AND id > ",
            $after,
            " ORDER BY id LIMIT ",
            $limit
        )
    };
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    #[sqlx(flatten)]
    project: Row,
    #[sqlx(flatten)]
    review: StateRow,
}

/// A page of a work queue, by id, each project with its review state.
pub async fn queue(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    of: QueueOf,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(Project, ReviewState)>, StoreError> {
    let limit = limit.clamp(1, 500);
    let rows: Vec<QueueRow> = match of {
        QueueOf::Department(dept) => {
            sqlx::query_as(queue_page!(department_queue!(), "$3", "$4"))
                .bind(jurisdiction_id)
                .bind(dept)
                .bind(after_id)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
        QueueOf::Finance => {
            let mut rows: Vec<QueueRow> = Vec::new();
            for stage in [ReviewStage::Finance, ReviewStage::Panel] {
                let more: Vec<QueueRow> =
                    sqlx::query_as(queue_page!(finance_stage_queue!(), "$3", "$4"))
                        .bind(jurisdiction_id)
                        .bind(stage.as_str())
                        .bind(after_id)
                        .bind(limit)
                        .fetch_all(&mut *conn)
                        .await?;
                rows.extend(more);
            }
            rows.sort_by_key(|r| r.project.id);
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            rows
        }
        QueueOf::Joint(body) => {
            sqlx::query_as(queue_page!(joint_queue!(), "$3", "$4"))
                .bind(jurisdiction_id)
                .bind(body.as_str())
                .bind(after_id)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.into_iter()
        .map(|r| {
            Ok((
                Project::try_from(r.project)?,
                ReviewState::try_from(r.review)?,
            ))
        })
        .collect()
}

/// How many projects a queue holds.
pub async fn queue_count(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    of: QueueOf,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = match of {
        QueueOf::Department(dept) => {
            sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM projects WHERE ",
                department_queue!()
            ))
            .bind(jurisdiction_id)
            .bind(dept)
            .fetch_one(&mut *conn)
            .await?
        }
        QueueOf::Finance => {
            sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM projects WHERE ",
                finance_queue!()
            ))
            .bind(jurisdiction_id)
            .fetch_one(&mut *conn)
            .await?
        }
        QueueOf::Joint(body) => {
            sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM projects WHERE ",
                joint_queue!()
            ))
            .bind(jurisdiction_id)
            .bind(body.as_str())
            .fetch_one(&mut *conn)
            .await?
        }
    };
    Ok(n)
}

/// The projects of a jurisdiction ever routed to `body` (what a joint reviewer may open), by id.
pub async fn routed_to(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    body: JointBody,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Project>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects WHERE jurisdiction_id = $1 \
         AND id IN (SELECT project_id FROM project_routes WHERE body = $2) AND id > $3 ORDER BY id LIMIT $4"
    ))
        .bind(jurisdiction_id)
        .bind(body.as_str())
        .bind(after_id)
        .bind(limit.clamp(1, 500))
        ,
        Project::try_from,
    )
    .await
}

/// True when the project is routed to `body` (in any round still on record).
pub async fn is_routed(
    conn: &mut AnyConnection,
    project_id: i64,
    body: JointBody,
) -> Result<bool, StoreError> {
    let n: Option<(i64,)> =
        sqlx::query_as("SELECT project_id FROM project_routes WHERE project_id = $1 AND body = $2")
            .bind(project_id)
            .bind(body.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(n.is_some())
}
