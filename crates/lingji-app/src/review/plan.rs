//! How a project will be reviewed (ZB-5a) and by whom besides the department and finance
//! (ZB-5e, ZB-2e), decided by rule from the project, last year's record and the profile, and
//! shown on the project before anyone reviews it.

use lingji_domain::Money;
use lingji_domain::foundation::authz::Access;
use lingji_domain::foundation::policy::Rate;
use lingji_domain::review::mode::{LastYear, ModeDecision, ModeFacts, rate_of, review_mode};
use lingji_domain::review::routing::{JointBody, routed_bodies};
use lingji_store::library::projects::ProjectDetail;
use lingji_store::{foundation::profiles, library::projects};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// The review a project faces.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReviewPlan {
    /// Simplified, standard or focused, with the reasons (ZB-5a).
    pub mode: ModeDecision,
    /// The joint-review bodies it is routed to, with why (ZB-5e, ZB-2e).
    pub joint: Vec<JointBody>,
}

/// 调整率 (ZB-5a): how far supplements and transfers moved a project's budget from what was
/// first approved, up or down, over that approval; none without an approval.
fn adjustment_rate(budget: Money, initial: Money) -> Rate {
    let moved = Money::from_fen((budget.fen() - initial.fen()).abs());
    rate_of(moved, initial).unwrap_or(Rate(0))
}

impl crate::ReviewUseCases<'_> {
    /// The review plan of a project.
    #[tracing::instrument(skip_all)]
    pub async fn review_plan(&self, caller: &Caller, id: i64) -> AppResult<ReviewPlan> {
        let mut conn = self.store.read().acquire().await?;
        let detail = self
            .library()
            .load_for(caller, &mut conn, id, Access::Read)
            .await?;
        self.plan_of(&mut conn, &detail).await
    }

    /// The review plan of a project the caller has loaded.
    pub(crate) async fn plan_of(
        &self,
        conn: &mut AnyConnection,
        detail: &ProjectDetail,
    ) -> AppResult<ReviewPlan> {
        let h = &detail.project.header;
        let profile = profiles::current(conn, h.jurisdiction_id, h.fiscal_year)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{} 年度政策参数", h.fiscal_year)))?;
        // Last year's execution and adjustments from its lines' ledger (carry-overs counted
        // once), read as the system: the reviewer may not see them, the rule still applies.
        // Findings of inspections and audits are not recorded as counts anywhere yet; until
        // they are they count as none.
        let last_year = match h.previous_id {
            Some(prev) => match projects::get(conn, prev).await? {
                Some(p) => {
                    let e = lingji_store::performance::project_execution(conn, prev)
                        .await?
                        .or_recorded(p.header.approved, p.header.spent);
                    let adjustment_rate = if e.lines > 0 {
                        let initial =
                            lingji_store::performance::project_initial_budget(conn, prev).await?;
                        adjustment_rate(e.budget, initial)
                    } else {
                        Rate(0)
                    };
                    e.rate().map(|execution_rate| LastYear {
                        execution_rate,
                        adjustment_rate,
                        findings: 0,
                    })
                }
                None => None,
            },
            None => None,
        };
        let facts = ModeFacts {
            tier: h.tier,
            matter_class: h.matter_class,
            government_investment: h.features.government_investment,
            computed_by_standards: !detail.cost_lines.is_empty()
                && detail
                    .cost_lines
                    .iter()
                    .all(|l| l.input.standard_id.is_some()),
            last_year,
        };
        Ok(ReviewPlan {
            mode: review_mode(&facts, &profile.profile.review),
            joint: routed_bodies(&h.features, h.matter_class),
        })
    }
}
