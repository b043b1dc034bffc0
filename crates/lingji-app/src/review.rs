//! How a project will be reviewed (ZB-5a) and by whom besides the department and finance
//! (ZB-5e, ZB-2e), decided by rule from the project, last year's record and the profile, and
//! shown on the project before anyone reviews it.

use lingji_domain::authz::Access;
use lingji_domain::review::mode::{LastYear, ModeDecision, ModeFacts, review_mode};
use lingji_domain::review::routing::{JointBody, routed_bodies};
use lingji_store::projects::ProjectDetail;
use lingji_store::{profiles, projects};
use sqlx::AnyConnection;

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// The review a project faces.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReviewPlan {
    /// Simplified, standard or focused, with the reasons (ZB-5a).
    pub mode: ModeDecision,
    /// The joint-review bodies it is routed to, with why (ZB-5e, ZB-2e).
    pub joint: Vec<JointBody>,
}

impl App {
    /// The review plan of a project.
    pub async fn review_plan(&self, caller: &Caller, id: i64) -> AppResult<ReviewPlan> {
        let mut conn = self.store.read().acquire().await?;
        let detail = self.load_for(caller, &mut conn, id, Access::Read).await?;
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
        // Last year's execution from its lines' ledger (carry-overs counted once), read as the
        // system: the reviewer may not see it, the rule still applies. Adjustments and findings
        // are recorded by budget execution and performance evaluation; until a project has
        // them they count as none.
        let last_year = match h.previous_id {
            Some(prev) => match projects::get(conn, prev).await? {
                Some(p) => lingji_store::performance::project_execution(conn, prev)
                    .await?
                    .or_recorded(p.header.approved, p.header.spent)
                    .rate()
                    .map(|execution_rate| LastYear {
                        execution_rate,
                        adjustment_rate: lingji_domain::policy::Rate(0),
                        findings: 0,
                    }),
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
