//! The review workflow (审核论证, ZB-5a): a submitted project goes to its department's first
//! review (rank, return or reject), then the finance bureau (财政审核数), then every joint-review
//! body it is routed to (ZB-5e, ZB-2e), then the panel (集中会审, ZB-5b), which admits it with
//! the reviewed amount or returns or rejects it. Each step records who, when and the opinion,
//! in the project's history and the audit log.

use lingji_domain::foundation::authz::{Access, Role};
use lingji_domain::library::ProjectState;
use lingji_domain::library::lifecycle::Mover;
use lingji_domain::review::decision::{Outcome, ReviewDecision, ReviewStage, check_outcome};
use lingji_domain::review::gates::{CapacityResult, GateRecord};
use lingji_domain::review::panel::{PanelOpinion, PointOpinion};
use lingji_domain::review::routing::{JointBody, routed_bodies};
use lingji_domain::{Money, Refusal};
use lingji_store::foundation::orgs;
use lingji_store::library::projects::{self, ProjectDetail};
use lingji_store::review::{self, ReviewState, ReviewStep};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::review::plan::ReviewPlan;

/// One point of the panel's opinion, as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PointInput {
    /// The point is satisfied.
    #[serde(default)]
    pub agreed: bool,
    /// What the panel found.
    #[serde(default)]
    pub comment: String,
}

/// The panel's opinion (ZB-5b), as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PanelInput {
    /// 项目安排的必要性.
    #[serde(default)]
    pub necessity: PointInput,
    /// 资金申报依据的合理性.
    #[serde(default)]
    pub basis: PointInput,
    /// 申报金额与实际工作进度的匹配性.
    #[serde(default)]
    pub progress_match: PointInput,
    /// 项目实施后的预期效益.
    #[serde(default)]
    pub benefit: PointInput,
    /// Recommended amount in yuan, e.g. "800000.00".
    #[serde(default)]
    pub recommended: String,
}

/// A reviewer's decision at the project's current stage.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// `pass`, `return` or `reject` at the department and finance stages; `agree` or
    /// `disagree` at joint review; `admit`, `return` or `reject` at the panel. Kept as text so
    /// that a decision the stage does not offer is refused with its field (REVIEW_DECISION_UNKNOWN).
    #[schema(value_type = crate::schema::ReviewDecision)]
    pub decision: String,
    /// Opinion (required to return, reject or disagree).
    #[serde(default)]
    pub opinion: String,
    /// Department rank, 1 = most needed (department stage).
    #[serde(default)]
    pub rank: Option<u32>,
    /// 财政审核数 in yuan (finance stage).
    #[serde(default)]
    pub reviewed: Option<String>,
    /// The panel's opinion (panel stage).
    #[serde(default)]
    pub panel: Option<PanelInput>,
    /// Finance's finding whether the project is 涉及人的民生 (finance stage, CS-2b); left out,
    /// the unit's statement is confirmed.
    #[serde(default)]
    pub livelihood: Option<bool>,
    /// The project version the reviewer saw.
    /// Sent as `version`, the name every endpoint uses; `expected_version` is still read.
    #[serde(rename = "version", alias = "expected_version")]
    pub expected_version: i64,
}

/// A project's review: where it stands, every step, the routed bodies and what the caller may
/// decide now.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRecord {
    pub state: ProjectState,
    pub version: i64,
    /// Stage, round, rank and reviewed amount.
    pub review: ReviewState,
    /// Every step, oldest first, across resubmissions.
    pub steps: Vec<ReviewStep>,
    /// Joint-review bodies of the current round and whether each answered.
    pub routes: Vec<(JointBody, bool)>,
    /// Mode and routing by rule.
    pub plan: ReviewPlan,
    /// The decisions open to the caller now.
    pub decisions: Vec<ReviewDecision>,
}

/// Chinese name of a stored decision; "办理" for one no stage offers.
pub fn decision_label(decision: &str) -> &'static str {
    ReviewDecision::parse(decision).map_or("办理", ReviewDecision::label)
}

fn not_yours(stage: ReviewStage) -> AppError {
    AppError::Forbidden(
        Refusal::new(
            "REVIEW_NOT_YOURS",
            format!("项目正处于“{}”，不由您办理", stage.label()),
        )
        .clause("ZB-5a"),
    )
}

fn parse_amount(raw: Option<&str>, field: &str) -> Result<Option<Money>, Refusal> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Money::parse_non_negative(s, field).map(Some),
    }
}

fn outcome(input: &ReviewInput, reviewed: Option<Money>) -> Result<Outcome, Refusal> {
    let opinion = input.opinion.trim().to_string();
    match input.decision.as_str() {
        "pass" => Ok(Outcome::Pass {
            rank: input.rank,
            reviewed,
            opinion,
        }),
        "return" => Ok(Outcome::Return { opinion }),
        "reject" => Ok(Outcome::Reject { opinion }),
        other => Err(Refusal::new(
            "REVIEW_DECISION_UNKNOWN",
            format!("审核结论“{other}”在此环节不适用"),
        )
        .field("decision")),
    }
}

fn point(p: &PointInput) -> PointOpinion {
    PointOpinion {
        agreed: p.agreed,
        comment: p.comment.trim().to_string(),
    }
}

impl crate::ReviewUseCases<'_> {
    /// The joint-review body a joint reviewer's department acts as.
    pub(crate) async fn joint_body_of(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> AppResult<Option<JointBody>> {
        let Some(actor) = caller.actor().filter(|a| a.role == Role::JointReviewer) else {
            return Ok(None);
        };
        let Some(dept) = actor.org.department else {
            return Ok(None);
        };
        Ok(orgs::get(conn, dept)
            .await?
            .and_then(|o| o.review_body)
            .and_then(|b| JointBody::parse(&b)))
    }

    /// True when `project_id` is routed to the caller's joint-review body (ZB-5e).
    pub(crate) async fn routed_to_caller(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        project_id: i64,
    ) -> AppResult<bool> {
        match self.joint_body_of(conn, caller).await? {
            Some(body) => Ok(review::is_routed(conn, project_id, body).await?),
            None => Ok(false),
        }
    }

    /// A project's review record.
    #[tracing::instrument(skip_all)]
    pub async fn review_record(&self, caller: &Caller, id: i64) -> AppResult<ReviewRecord> {
        let mut conn = self.store.read().acquire().await?;
        let detail = self
            .library()
            .load_for(caller, &mut conn, id, Access::Read)
            .await?;
        let plan = self.plan_of(&mut conn, &detail).await?;
        let p = detail.project;
        let review = review::state(&mut conn, id).await?;
        let routes = review::routes(&mut conn, id)
            .await?
            .into_iter()
            .map(|r| (r.body, r.answered))
            .collect();
        let mut decisions = Vec::new();
        if let (ProjectState::Submitted, Some(stage)) = (p.header.state, review.stage)
            && self.may_decide(&mut conn, caller, stage, id).await?
        {
            decisions = stage.decisions().to_vec();
        }
        Ok(ReviewRecord {
            state: p.header.state,
            version: p.version,
            steps: review::steps(&mut conn, id).await?,
            review,
            routes,
            plan,
            decisions,
        })
    }

    async fn may_decide(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        stage: ReviewStage,
        id: i64,
    ) -> AppResult<bool> {
        let Some(actor) = caller.actor() else {
            return Ok(true);
        };
        Ok(match stage {
            ReviewStage::Department => actor.role == Role::DepartmentReviewer,
            ReviewStage::Finance | ReviewStage::Panel => actor.role == Role::FinanceOfficer,
            ReviewStage::Joint => match self.joint_body_of(conn, caller).await? {
                Some(body) => review::routes(conn, id).await?.contains(&review::Route {
                    body,
                    answered: false,
                }),
                None => false,
            },
            ReviewStage::Decided => false,
        })
    }

    /// Takes one review step on a project (ZB-5a, ZB-5e, ZB-5b).
    #[tracing::instrument(skip_all)]
    pub async fn review_project(
        &self,
        caller: &Caller,
        id: i64,
        input: &ReviewInput,
    ) -> AppResult<ReviewRecord> {
        let mut tx = self.store.begin().await?;
        self.review_in(&mut tx, caller, id, input).await?;
        tx.commit().await?;
        self.review_record(caller, id).await
    }

    /// Takes the same kind of step on many projects at once, all or nothing: when any is
    /// refused, nothing is saved and every refusal names its project.
    #[tracing::instrument(skip_all)]
    pub async fn review_many(
        &self,
        caller: &Caller,
        items: &[(i64, ReviewInput)],
    ) -> AppResult<usize> {
        if items.is_empty() {
            return Err(Refusal::new("BULK_EMPTY", "请至少选择一个项目")
                .field("items")
                .into());
        }
        let mut tx = self.store.begin().await?;
        let mut errors = Vec::new();
        for (i, (id, input)) in items.iter().enumerate() {
            let (refusals, seen) = match self.review_in(&mut tx, caller, *id, input).await {
                Ok(()) => continue,
                Err(AppError::Invalid { errors, .. }) => (errors, true),
                Err(AppError::Refused(r) | AppError::Conflict(r)) => (vec![r], true),
                Err(AppError::Forbidden(r) | AppError::NotFound(r)) => (vec![r], false),
                Err(e) => return Err(e),
            };
            // Named by code and name where the caller may see the project; by its number
            // only where it may not (a number reveals nothing).
            let named = if seen {
                projects::get(&mut tx, *id).await?
            } else {
                None
            };
            let who = named.map_or_else(
                || format!("项目 {id}"),
                |p| format!("{} {}", p.header.code, p.header.name),
            );
            for r in refusals {
                errors.push(Refusal {
                    message: format!("{who}：{}", r.message),
                    field: Some(format!(
                        "items[{i}]{}",
                        r.field
                            .as_deref()
                            .map(|f| format!(".{f}"))
                            .unwrap_or_default()
                    )),
                    ..r
                });
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new(
                    "BULK_REVIEW_REFUSED",
                    format!("{} 处不能办理，所选项目均未办理", errors.len()),
                ),
                errors,
            });
        }
        tx.commit().await?;
        Ok(items.len())
    }

    async fn review_in(
        &self,
        tx: &mut AnyConnection,
        caller: &Caller,
        id: i64,
        input: &ReviewInput,
    ) -> AppResult<()> {
        let before = self
            .library()
            .load_for(caller, tx, id, Access::Write)
            .await?;
        let h = &before.project.header;
        let from = h.state;
        let mut rs = review::state(tx, id).await?;
        let stage = under_review(from, rs.stage)?;
        if !self.may_decide(tx, caller, stage, id).await? {
            return Err(not_yours(stage));
        }
        let mut step = ReviewStep {
            round: rs.round,
            stage,
            body: None,
            outcome: input.decision.clone(),
            department_rank: None,
            reviewed: None,
            opinion: input.opinion.trim().to_string(),
            panel: None,
            actor_id: caller.actor().map(|a| a.user_id),
            actor: caller.name().to_string(),
            at: lingji_store::time::now_text(),
        };
        let to = match stage {
            ReviewStage::Department | ReviewStage::Finance => {
                screen(tx, &before, stage, input, &mut rs, &mut step).await?
            }
            ReviewStage::Joint => {
                self.answer_joint(tx, caller, id, input, &mut rs, &mut step)
                    .await?
            }
            ReviewStage::Panel => {
                self.decide_panel(tx, &before, input, &mut rs, &mut step)
                    .await?
            }
            ReviewStage::Decided => return Err(not_yours(stage)),
        };
        if to != from {
            from.check_move(to, Mover::Review)?;
        }
        review::add_step(tx, id, &step).await?;
        review::advance(tx, id, input.expected_version, to, &rs).await?;
        projects::add_history(
            tx,
            id,
            caller.name(),
            "review",
            (to != from).then_some((from, to)),
            &history_note(stage, &step),
        )
        .await?;
        let event = caller
            .event(h.jurisdiction_id, "project.review", "project", id)
            .before_json(&serde_json::json!({ "state": from.as_str(), "stage": stage.as_str() }))
            .after_json(&serde_json::json!({
                "state": to.as_str(),
                "stage": rs.stage.map(ReviewStage::as_str),
                "step": step,
            }));
        lingji_store::foundation::audit::append(tx, event).await?;
        Ok(())
    }

    /// A joint reviewer's answer for its body (ZB-5e); the review moves on once every body the
    /// project is routed to has answered.
    async fn answer_joint(
        &self,
        tx: &mut AnyConnection,
        caller: &Caller,
        id: i64,
        input: &ReviewInput,
        rs: &mut ReviewState,
        step: &mut ReviewStep,
    ) -> AppResult<ProjectState> {
        let stage = ReviewStage::Joint;
        let body = self
            .joint_body_of(tx, caller)
            .await?
            .ok_or_else(|| not_yours(stage))?;
        check_joint_decision(&input.decision, &step.opinion)?;
        if !review::answer(tx, id, body).await? {
            return Err(not_yours(stage));
        }
        step.body = Some(body);
        let pending = review::routes(tx, id).await?.iter().any(|r| !r.answered);
        rs.stage = Some(stage.next(pending));
        Ok(ProjectState::Submitted)
    }

    /// The panel's decision; an admission is checked once more against ZB-15a.
    async fn decide_panel(
        &self,
        tx: &mut AnyConnection,
        before: &ProjectDetail,
        input: &ReviewInput,
        rs: &mut ReviewState,
        step: &mut ReviewStep,
    ) -> AppResult<ProjectState> {
        let to = panel(before, input, rs, step)?;
        if to != ProjectState::Admitted {
            return Ok(to);
        }
        crate::library::projects::admissible(self.library().admission(tx, before).await?, to)?;
        // A government investment the bureau cannot yet afford waits (ZB-2c).
        let postponed = review::gates(tx, before.project.id).await?.iter().any(|g| {
            matches!(
                g.record,
                GateRecord::FiscalCapacity {
                    result: CapacityResult::Postponed,
                    ..
                }
            )
        });
        Ok(if postponed {
            ProjectState::Postponed
        } else {
            to
        })
    }
}

/// The stage a project waits at; only a submitted project under review has one (ZB-5a).
fn under_review(from: ProjectState, stage: Option<ReviewStage>) -> AppResult<ReviewStage> {
    match (from, stage) {
        (ProjectState::Submitted, Some(stage)) if stage != ReviewStage::Decided => Ok(stage),
        _ => Err(Refusal::new(
            "PROJECT_NOT_UNDER_REVIEW",
            format!("项目处于“{}”，不在审核中", from.label()),
        )
        .field("state")
        .clause("ZB-5a")
        .into()),
    }
}

/// The department's or finance's step (ZB-5a): a pass moves the review on, a return or a
/// rejection closes it.
async fn screen(
    tx: &mut AnyConnection,
    before: &ProjectDetail,
    stage: ReviewStage,
    input: &ReviewInput,
    rs: &mut ReviewState,
    step: &mut ReviewStep,
) -> AppResult<ProjectState> {
    let h = &before.project.header;
    let reviewed = parse_amount(input.reviewed.as_deref(), "reviewed")?;
    let o = outcome(input, reviewed)?;
    check_outcome(stage, &o, h.request)?;
    match o {
        Outcome::Pass { rank, reviewed, .. } => {
            if stage == ReviewStage::Department {
                rs.department_rank = rank.map(i64::from);
                step.department_rank = rs.department_rank;
                rs.stage = Some(stage.next(false));
            } else {
                finance_pass(tx, before, input, reviewed, rs, step).await?;
            }
            Ok(ProjectState::Submitted)
        }
        closing => Ok(close(&closing, rs)),
    }
}

/// Finance's pass: its reviewed amount, its finding on the unit's livelihood statement, and the
/// joint bodies the project goes to next.
async fn finance_pass(
    tx: &mut AnyConnection,
    before: &ProjectDetail,
    input: &ReviewInput,
    reviewed: Option<Money>,
    rs: &mut ReviewState,
    step: &mut ReviewStep,
) -> AppResult<()> {
    let (id, h) = (before.project.id, &before.project.header);
    rs.reviewed = reviewed;
    step.reviewed = reviewed;
    // CS-2b: finance checks the unit's statement here; the run reads finance's finding.
    let livelihood = input.livelihood.unwrap_or(h.livelihood);
    projects::set_livelihood_checked(tx, id, livelihood).await?;
    let said = if livelihood { "是" } else { "否" };
    step.opinion = [
        step.opinion.as_str(),
        &format!("涉及人的民生：{said}（CS-2b）"),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join("；");
    let bodies = routed_bodies(&h.features, h.matter_class);
    review::route(tx, id, rs.round, &bodies).await?;
    rs.stage = Some(ReviewStage::Finance.next(!bodies.is_empty()));
    Ok(())
}

/// A joint body agrees, or disagrees with its reasons written (ZB-5e).
fn check_joint_decision(decision: &str, opinion: &str) -> Result<(), Refusal> {
    match decision {
        "agree" => Ok(()),
        "disagree" if !opinion.is_empty() => Ok(()),
        "disagree" => Err(Refusal::new("REVIEW_OPINION_MISSING", "不同意须写明意见")
            .field("opinion")
            .clause("ZB-5e")),
        other => Err(Refusal::new(
            "REVIEW_DECISION_UNKNOWN",
            format!("联审意见应为同意或不同意，不是“{other}”"),
        )
        .field("decision")),
    }
}

/// The history line of a review step: stage, body, decision and opinion.
fn history_note(stage: ReviewStage, step: &ReviewStep) -> String {
    format!(
        "{}：{}{}",
        stage.label(),
        step.body
            .map(|b| format!("{}，", b.label()))
            .unwrap_or_default(),
        [decision_label(&step.outcome), step.opinion.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("，")
    )
}

/// The panel's step (ZB-5b): four points answered, a recommendation within the reviewed
/// amount; admitting sets 财政审核数 to the recommendation.
fn panel(
    before: &ProjectDetail,
    input: &ReviewInput,
    rs: &mut ReviewState,
    step: &mut ReviewStep,
) -> AppResult<ProjectState> {
    let request = before.project.header.request;
    match input.decision.as_str() {
        "return" | "reject" => {
            let o = outcome(input, None)?;
            check_outcome(ReviewStage::Panel, &o, request)?;
            return Ok(close(&o, rs));
        }
        "admit" => {}
        other => {
            return Err(Refusal::new(
                "REVIEW_DECISION_UNKNOWN",
                format!("集中会审结论应为审定入库、退回修改或不予入库，不是“{other}”"),
            )
            .field("decision")
            .into());
        }
    }
    let p = input.panel.as_ref().ok_or_else(|| {
        Refusal::new("PANEL_OPINION_MISSING", "集中会审须对四个方面逐项提出意见")
            .field("panel")
            .clause("ZB-5b")
    })?;
    let recommended = Money::parse_non_negative(p.recommended.trim(), "panel.recommended")?;
    let opinion = PanelOpinion {
        necessity: point(&p.necessity),
        basis: point(&p.basis),
        progress_match: point(&p.progress_match),
        benefit: point(&p.benefit),
        recommended,
    };
    let mut problems = opinion.check(rs.reviewed.unwrap_or(request));
    if problems.is_empty() && recommended == Money::ZERO {
        problems.push(
            Refusal::new("PANEL_ADMITS_NOTHING", "建议金额为零时应选择“不予入库”")
                .field("recommended")
                .clause("ZB-5b"),
        );
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid {
            summary: Refusal::new(
                "PANEL_OPINION_INCOMPLETE",
                format!("集中会审意见有 {} 处需补正", problems.len()),
            )
            .clause("ZB-5b"),
            errors: problems
                .into_iter()
                .map(|r| Refusal {
                    field: r.field.map(|f| format!("panel.{f}")),
                    ..r
                })
                .collect(),
        });
    }
    rs.reviewed = Some(recommended);
    rs.stage = Some(ReviewStage::Decided);
    step.reviewed = Some(recommended);
    step.panel =
        Some(serde_json::to_value(&opinion).map_err(|e| AppError::Internal(e.to_string()))?);
    Ok(ProjectState::Admitted)
}

/// A return or rejection: back to the unit with the opinion, or decided for good (ZB-5a).
fn close(o: &Outcome, rs: &mut ReviewState) -> ProjectState {
    if matches!(o, Outcome::Reject { .. }) {
        rs.stage = Some(ReviewStage::Decided);
        ProjectState::Rejected
    } else {
        rs.stage = None;
        ProjectState::Returned
    }
}
