//! Review and argument: `/api/v1/projects/{id}/review-plan` (mode by rule, ZB-5a; routing,
//! ZB-5e, ZB-2e), `/review` (the steps and the next decision), `/gates` and `/eligibility`
//! (ZB-13a … CS-2a), and the reviewer's queue `/api/v1/reviews`.

pub mod lists;
use axum::Json;
use lingji_app::review::flow::{ReviewInput, ReviewRecord};
use lingji_app::review::gates::{GateInput, GateView};
use lingji_app::review::plan::ReviewPlan;
use lingji_app::review::queue::Queue;
use lingji_domain::review::eligibility::Eligibility;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::library::projects::ProjectSummary;
use crate::api::{ApiJson, ApiPath, ApiQuery, Cx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(plan))
        .routes(routes!(record, decide))
        .routes(routes!(bulk))
        .routes(routes!(queue))
        .routes(routes!(gates, record_gate))
        .routes(routes!(eligibility))
}

/// A joint-review body a project is routed to.
#[derive(Debug, Serialize, ToSchema)]
pub struct JointDto {
    /// `organisation_department`, `data_bureau` or `development_reform`.
    pub body: String,
    pub label: String,
    /// Why, with the clause.
    pub reason: String,
}

/// The review a project faces.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPlanDto {
    /// `simplified`, `standard` or `focused`.
    #[schema(value_type = lingji_app::schema::ReviewMode)]
    pub mode: String,
    /// Chinese name of the mode.
    pub mode_label: String,
    /// Why, each citing ZB-5a.
    pub reasons: Vec<String>,
    /// Joint reviews required before the panel.
    pub joint: Vec<JointDto>,
}

impl From<ReviewPlan> for ReviewPlanDto {
    fn from(p: ReviewPlan) -> Self {
        ReviewPlanDto {
            mode: serde_json::to_value(p.mode.mode)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            mode_label: p.mode.mode.label().into(),
            reasons: p.mode.reasons,
            joint: p
                .joint
                .into_iter()
                .map(|b| JointDto {
                    body: b.as_str().into(),
                    label: b.label().into(),
                    reason: b.reason().into(),
                })
                .collect(),
        }
    }
}

/// How a project will be reviewed: simplified, standard or focused by rule (ZB-5a, thresholds
/// from the year's policy profile), and the joint reviews it needs (ZB-5e, ZB-2e).
#[utoipa::path(get, path = "/projects/{id}/review-plan", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ReviewPlanDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn plan(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<ReviewPlanDto>> {
    let plan = cx.review().review_plan(cx.caller(), project).await?;
    Ok(Json(plan.into()))
}

/// A project's review: stage, every step, routed bodies, and what the caller may decide.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    /// Project state, e.g. `submitted`.
    #[schema(value_type = lingji_app::schema::ProjectState)]
    pub state: String,
    /// Project version, to send back as `version`.
    pub version: i64,
    /// `department`, `finance`, `joint`, `panel` or `decided`; none before submission.
    #[schema(value_type = Option<lingji_app::schema::ReviewStage>)]
    pub stage: Option<String>,
    /// Chinese name of the stage.
    pub stage_label: Option<String>,
    pub round: i64,
    pub department_rank: Option<i64>,
    /// 财政审核数, 元.
    pub reviewed: Option<String>,
    /// Every step, oldest first: round, stage, body, outcome, rank, reviewed, opinion, panel,
    /// actor, at.
    #[schema(value_type = Vec<lingji_app::store::review::ReviewStep>)]
    pub steps: Vec<serde_json::Value>,
    /// Joint-review bodies of this round and whether each answered.
    pub routes: Vec<RouteDto>,
    /// Mode and routing by rule.
    pub plan: ReviewPlanDto,
    /// Decisions open to the caller now.
    pub decisions: Vec<DecisionDto>,
}

/// A routed body.
#[derive(Debug, Serialize, ToSchema)]
pub struct RouteDto {
    pub body: String,
    pub label: String,
    /// Its opinion is recorded.
    pub answered: bool,
}

/// A decision the caller may take.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDto {
    /// Identifier to send as `decision`.
    #[schema(value_type = lingji_app::store::schema::ReviewDecision)]
    pub decision: &'static str,
    pub label: String,
}

impl From<ReviewRecord> for ReviewDto {
    fn from(r: ReviewRecord) -> Self {
        ReviewDto {
            state: r.state.as_str().into(),
            version: r.version,
            stage: r.review.stage.map(|s| s.as_str().into()),
            stage_label: r.review.stage.map(|s| s.label().into()),
            round: r.review.round,
            department_rank: r.review.department_rank,
            reviewed: r.review.reviewed.map(|m| m.to_plain()),
            steps: r
                .steps
                .iter()
                .filter_map(|s| serde_json::to_value(s).ok())
                .collect(),
            routes: r
                .routes
                .into_iter()
                .map(|(b, answered)| RouteDto {
                    body: b.as_str().into(),
                    label: b.label().into(),
                    answered,
                })
                .collect(),
            plan: r.plan.into(),
            decisions: r
                .decisions
                .into_iter()
                .map(|d| DecisionDto {
                    decision: d.as_str(),
                    label: d.label().into(),
                })
                .collect(),
        }
    }
}

/// A project's review record.
#[utoipa::path(get, path = "/projects/{id}/review", tag = "review",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ReviewDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn record(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<ReviewDto>> {
    let record = cx.review().review_record(cx.caller(), project).await?;
    Ok(Json(record.into()))
}

/// Takes the next review step: the department's first review with its rank (ZB-5a), the
/// finance review with 财政审核数 (never above the request), a routed body's joint opinion
/// (ZB-5e), or the panel's four points and recommendation (ZB-5b). Returning and rejecting
/// need an opinion.
#[utoipa::path(post, path = "/projects/{id}/review", tag = "review",
    params(("id" = i64, Path, description = "project id")),
    request_body = ReviewInput,
    responses((status = 200, body = ReviewDto), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn decide(
    cx: Cx,
    ApiPath(project): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewInput>,
) -> ApiResult<Json<ReviewDto>> {
    let record = cx
        .review()
        .review_project(cx.caller(), project, &body)
        .await?;
    Ok(Json(record.into()))
}

/// One project of a bulk review.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkItem {
    pub project_id: i64,
    /// The decision for it.
    #[serde(flatten)]
    pub input: ReviewInput,
}

/// Many projects at once.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkReview {
    /// The projects with their decisions.
    pub items: Vec<BulkItem>,
}

/// How many were decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkDone {
    pub done: usize,
}

/// Decides many projects in one go, all or nothing: when any is refused nothing is saved and
/// every refusal names its item (`items[3].rank`).
#[utoipa::path(post, path = "/reviews/bulk", tag = "review",
    request_body = BulkReview,
    responses((status = 200, body = BulkDone), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn bulk(cx: Cx, ApiJson(body): ApiJson<BulkReview>) -> ApiResult<Json<BulkDone>> {
    let items: Vec<_> = body
        .items
        .into_iter()
        .map(|i| (i.project_id, i.input))
        .collect();
    let done = cx.review().review_many(cx.caller(), &items).await?;
    Ok(Json(BulkDone { done }))
}

/// Paging of the queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Items after this project id.
    pub after_id: Option<i64>,
    /// Page size (1–500, default 100).
    pub limit: Option<i64>,
}

/// A project waiting for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemDto {
    #[serde(flatten)]
    pub project: ProjectSummary,
    #[schema(value_type = Option<lingji_app::schema::ReviewStage>)]
    pub stage: Option<String>,
    /// Chinese name of the stage.
    pub stage_label: Option<String>,
    pub department_rank: Option<i64>,
    /// 财政审核数, 元.
    pub reviewed: Option<String>,
}

/// The caller's queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    /// How many wait in all.
    pub total: i64,
    pub items: Vec<QueueItemDto>,
}

impl From<Queue> for QueueDto {
    fn from(q: Queue) -> Self {
        QueueDto {
            total: q.total,
            items: q
                .items
                .into_iter()
                .map(|i| QueueItemDto {
                    project: ProjectSummary::from(&i.project),
                    stage: i.review.stage.map(|s| s.as_str().into()),
                    stage_label: i.review.stage.map(|s| s.label().into()),
                    department_rank: i.review.department_rank,
                    reviewed: i.review.reviewed.map(|m| m.to_plain()),
                })
                .collect(),
        }
    }
}

/// 待我审核: the projects waiting for the caller — a department reviewer's first reviews, the
/// finance bureau's reviews and panels, a joint reviewer's routed projects (ZB-5e).
#[utoipa::path(get, path = "/reviews/queue", tag = "review",
    params(QueueQuery),
    responses((status = 200, body = QueueDto), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn queue(cx: Cx, ApiQuery(q): ApiQuery<QueueQuery>) -> ApiResult<Json<QueueDto>> {
    let queue = cx
        .review()
        .review_queue(cx.caller(), q.after_id.unwrap_or(0), q.limit.unwrap_or(100))
        .await?;
    Ok(Json(queue.into()))
}

/// A project's gates and funding eligibility.
#[derive(Debug, Serialize, ToSchema)]
pub struct GatesDto {
    /// Gate records (`gate` names the kind) with who entered them and when.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<serde_json::Value>,
    pub eligibility: EligibilityDto,
    /// Gate kinds the caller may record now.
    #[schema(value_type = Vec<lingji_app::schema::GateKind>)]
    pub recordable: Vec<String>,
}

/// Whether a project may be funded: each applicable gate, what blocks (with its clause) and
/// what finance should know.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityDto {
    /// Nothing blocks funding.
    pub eligible: bool,
    /// Applicable gates: gate, label, clause, open, recorded.
    #[schema(value_type = Vec<lingji_app::schema::domain::GateStatus>)]
    pub gates: Vec<serde_json::Value>,
    /// Blocks: code, message, clause.
    #[schema(value_type = Vec<lingji_app::schema::domain::Finding>)]
    pub blocks: Vec<serde_json::Value>,
    /// Warnings: code, message, clause.
    #[schema(value_type = Vec<lingji_app::schema::domain::Finding>)]
    pub warnings: Vec<serde_json::Value>,
}

fn values<T: Serialize>(v: &[T]) -> Vec<serde_json::Value> {
    v.iter()
        .filter_map(|x| serde_json::to_value(x).ok())
        .collect()
}

impl From<Eligibility> for EligibilityDto {
    fn from(e: Eligibility) -> Self {
        EligibilityDto {
            eligible: e.eligible(),
            gates: values(&e.gates),
            blocks: values(&e.blocks),
            warnings: values(&e.warnings),
        }
    }
}

impl From<GateView> for GatesDto {
    fn from(g: GateView) -> Self {
        GatesDto {
            records: values(&g.records),
            eligibility: g.eligibility.into(),
            recordable: g.recordable.iter().map(|k| k.as_str().into()).collect(),
        }
    }
}

/// A project's gate records and funding eligibility.
#[utoipa::path(get, path = "/projects/{id}/gates", tag = "review",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = GatesDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn gates(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<GatesDto>> {
    let gates = cx.review().project_gates(cx.caller(), project).await?;
    Ok(Json(gates.into()))
}

/// Records or replaces one gate record: ex-ante assessment (ZB-13a, PM-6), fiscal capacity
/// (ZB-2c; postponed moves an admitted project to 暂缓), industry fund (ZB-2d), purchase of
/// services (ZB-8), listed event (ZB-6a), not ready (ZB-5f), special fund (ZB-12), key matter
/// (CS-2a).
#[utoipa::path(put, path = "/projects/{id}/gates", tag = "review",
    params(("id" = i64, Path, description = "project id")),
    request_body = GateInput,
    responses((status = 200, body = GatesDto), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn record_gate(
    cx: Cx,
    ApiPath(project): ApiPath<i64>,
    ApiJson(body): ApiJson<GateInput>,
) -> ApiResult<Json<GatesDto>> {
    let record = body
        .into_record()
        .map_err(|errors| lingji_app::AppError::Invalid {
            summary: lingji_domain::Refusal::new("GATE_RECORD_INVALID", "审核事项填写有误"),
            errors,
        })?;
    let gates = cx
        .review()
        .record_gate(cx.caller(), project, record)
        .await?;
    Ok(Json(gates.into()))
}

/// Whether a project may be funded: every unmet gate with its clause (the same answer the
/// allocation uses).
#[utoipa::path(get, path = "/projects/{id}/eligibility", tag = "review",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = EligibilityDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn eligibility(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<EligibilityDto>> {
    let gates = cx.review().project_gates(cx.caller(), project).await?;
    Ok(Json(gates.eligibility.into()))
}
