//! Penetrating supervision (全流程穿透式监管, ZX-2): projects whose request or budget reaches the
//! profile's threshold are flagged, and finance and audit (财审联动) see each one's whole trace
//! on one page — the project and its history, reviews, allocation, lines, payments, rule hits,
//! suspensions, adjustments and evaluation.

use crate::Scope;
use lingji_domain::Money;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::policy::Score;
use lingji_store::execution::adjustments;
use lingji_store::execution::payments::{self as payment_store, PaymentFilter};
use lingji_store::execution::supervision::{
    self as store, Flagged, TraceAllocation, TraceHead, TraceHit, TraceLine, TraceSuspension,
};
use lingji_store::library::projects::{self, HistoryEntry};
use lingji_store::review::{self, ReviewStep};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::execution::adjustments::AdjustmentView;
use crate::execution::payments::PaymentRow;

/// The flagged projects with the threshold that flagged them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Supervised {
    /// The profile's threshold (ZX-2).
    #[schema(value_type = String)]
    pub threshold: Money,
    /// Projects at or above it.
    pub projects: Vec<Flagged>,
}

/// One project's whole trace.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trace {
    pub project_id: i64,
    pub head: TraceHead,
    /// At or above the threshold.
    pub flagged: bool,
    #[schema(value_type = String)]
    pub threshold: Money,
    /// Its history (states, edits).
    pub history: Vec<HistoryEntry>,
    pub reviews: Vec<ReviewStep>,
    pub allocations: Vec<TraceAllocation>,
    pub lines: Vec<TraceLine>,
    /// Budget, paid and execution rate from the lines, carry-overs counted once.
    #[schema(value_type = crate::schema::domain::ProjectExecution)]
    pub execution: lingji_domain::execution::ProjectExecution,
    pub payments: Vec<PaymentRow>,
    /// Rule hits on its payments.
    pub hits: Vec<TraceHit>,
    /// Suspensions (PM-9).
    pub suspensions: Vec<TraceSuspension>,
    pub adjustments: Vec<AdjustmentView>,
    /// Evaluation score (points, two decimals) and grade.
    pub evaluation: Option<(String, String)>,
    /// Dual-monitoring checkpoints (PM-9).
    pub checkpoints: Vec<crate::performance::monitoring::Checkpoint>,
    /// Self and key evaluations (PM-10).
    pub evaluations: Vec<crate::performance::evaluations::EvaluationView>,
}

impl crate::SupervisionUseCases<'_> {
    async fn threshold(&self, jurisdiction_id: i64) -> AppResult<Money> {
        let year = self.foundation().current_year(jurisdiction_id).await?;
        let mut conn = self.store.read().acquire().await?;
        Ok(
            lingji_store::foundation::profiles::current(&mut conn, jurisdiction_id, year)
                .await?
                .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))?
                .profile
                .execution
                .penetrating_supervision_threshold,
        )
    }

    /// The projects under penetrating supervision (finance, audit).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn supervised(&self, scope: &Scope) -> AppResult<Supervised> {
        scope.authorize_jurisdiction(Resource::Allocation, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let threshold = self.threshold(jurisdiction_id).await?;
        let mut conn = self.store.read().acquire().await?;
        Ok(Supervised {
            threshold,
            projects: store::flagged(&mut conn, jurisdiction_id, threshold).await?,
        })
    }

    /// One project's trace (finance, audit); any project of the jurisdiction can be traced,
    /// the flag says whether ZX-2 requires it.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn trace(&self, scope: &Scope, project_id: i64) -> AppResult<Trace> {
        scope.authorize_jurisdiction(Resource::Allocation, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let threshold = self.threshold(jurisdiction_id).await?;
        let mut conn = self.store.read().acquire().await?;
        let head = store::head(&mut conn, project_id)
            .await?
            .filter(|h| h.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("项目"))?;
        let lines = store::lines(&mut conn, project_id).await?;
        // Carry-over lines add what was paid from them, not the money they carried (ZX-2).
        let execution = lingji_store::performance::project_execution(&mut conn, project_id).await?;
        let budget = execution.budget;
        let filter = PaymentFilter {
            project_id: Some(project_id),
            limit: 1000,
            ..PaymentFilter::default()
        };
        let payments = payment_store::list(&mut conn, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .map(PaymentRow::from)
            .collect();
        let mut adjustment_views = Vec::new();
        for id in store::adjustment_ids(&mut conn, project_id).await? {
            if let Some(a) = adjustments::adjustment(&mut conn, id).await? {
                adjustment_views.push(AdjustmentView::from(a));
            }
        }
        let evaluation = store::evaluation(&mut conn, project_id).await?.map(|e| {
            let points = Score(u32::try_from(e.score).unwrap_or(0));
            (lingji_domain::review::gates::show(points), e.grade)
        });
        let checkpoints = lingji_store::performance::project_records(&mut conn, project_id)
            .await?
            .into_iter()
            .map(crate::performance::monitoring::Checkpoint::try_from)
            .collect::<AppResult<_>>()?;
        let subject = format!("project:{project_id}");
        let mut evaluations = Vec::new();
        for kind in ["self", "key"] {
            if let Some(e) =
                lingji_store::performance::evaluations::of_subject(&mut conn, kind, &subject)
                    .await?
            {
                evaluations.push(crate::performance::evaluations::EvaluationView::try_from(
                    e,
                )?);
            }
        }
        Ok(Trace {
            project_id,
            checkpoints,
            evaluations,
            flagged: Money::from_fen(head.request) >= threshold || budget >= threshold,
            execution,
            threshold,
            history: projects::history(&mut conn, project_id).await?,
            reviews: review::steps(&mut conn, project_id).await?,
            allocations: store::allocations(&mut conn, project_id).await?,
            hits: store::hits(&mut conn, project_id).await?,
            suspensions: store::suspensions(&mut conn, project_id).await?,
            adjustments: adjustment_views,
            head,
            lines,
            payments,
            evaluation,
        })
    }
}
