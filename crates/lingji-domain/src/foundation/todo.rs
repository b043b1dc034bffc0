//! The work waiting for a person (待办): the kinds, in the order a home page lists them, and
//! which roles do each — read from the one authorisation table, so a role is shown a kind of
//! work only where it may do it.

use serde::{Deserialize, Serialize};

use crate::foundation::authz::{Access, Reach, Resource, Role, reach};

labelled! {
    /// A kind of work waiting for someone.
    TodoKind {
        /// Payments a warning rule holds, money reserved, until finance confirms or rejects
        /// them (ZX-4b).
        HeldPayments = "held_payments" / "预警待核的支付",
        /// Rule hits nobody has verified yet (ZX-4b).
        OpenHits = "open_hits" / "待核实的疑点",
        /// Passed or confirmed payments waiting to be paid.
        PaymentsToPay = "payments_to_pay" / "待支付的申请",
        /// Monthly spending plans filed for review within the cash limit (ZX-4a).
        PlansToReview = "plans_to_review" / "待审核的用款计划",
        /// Transfers and supplements waiting for finance (ZB-7b).
        AdjustmentsToReview = "adjustments_to_review" / "待审批的预算调整",
        /// Projects at the caller's review step (ZB-5a).
        ProjectsToReview = "projects_to_review" / "待我审核的项目",
        /// The unit's projects sent back for revision, with the reviewer's reason (ZB-5a).
        ProjectsReturned = "projects_returned" / "退回修改的项目",
        /// Red-light monitoring checkpoints finance has not decided on (PM-9).
        CheckpointsToDecide = "checkpoints_to_decide" / "待处理的监控预警",
        /// Funded projects of last year still without the unit's self-evaluation (PM-10).
        EvaluationsDue = "evaluations_due" / "待填报的单位自评",
        /// Evaluated projects whose result finance has not confirmed (PM-13).
        ResultsToConfirm = "results_to_confirm" / "待确认的评价结果",
    }
}

impl TodoKind {
    /// What doing this work writes, and how far the doer's right must reach: finance's work
    /// spans the jurisdiction, a unit's its own organisation.
    fn work(self) -> (Resource, Reach) {
        use Reach::{Jurisdiction, Subtree};
        use TodoKind::*;
        match self {
            HeldPayments | OpenHits | PaymentsToPay => (Resource::Payment, Jurisdiction),
            PlansToReview => (Resource::SpendingPlan, Jurisdiction),
            AdjustmentsToReview => (Resource::Adjustment, Jurisdiction),
            ProjectsToReview => (Resource::Project, Subtree),
            ProjectsReturned => (Resource::Project, Subtree),
            CheckpointsToDecide | ResultsToConfirm => (Resource::PerformanceDecision, Jurisdiction),
            EvaluationsDue => (Resource::Performance, Subtree),
        }
    }

    /// Whether `role` does this kind of work.
    pub fn for_role(self, role: Role) -> bool {
        let (resource, needed) = self.work();
        let has = reach(role, resource, Access::Write);
        match self {
            // Reviewing is the reviewers' work at every step: the department's, finance's and
            // the joint bodies' (routed to them).
            TodoKind::ProjectsToReview => matches!(
                role,
                Role::DepartmentReviewer | Role::FinanceOfficer | Role::JointReviewer
            ),
            // A returned project and a self-evaluation are the unit's to do.
            TodoKind::ProjectsReturned | TodoKind::EvaluationsDue => {
                role == Role::UnitOperator && has >= needed
            }
            _ => has == needed,
        }
    }

    /// The kinds of work `role` does, in the order a home page lists them.
    pub fn of_role(role: Role) -> Vec<TodoKind> {
        TodoKind::ALL
            .into_iter()
            .filter(|k| k.for_role(role))
            .collect()
    }

    /// How the things are counted in Chinese: "3 笔", "2 个项目".
    pub fn measure(self) -> &'static str {
        use TodoKind::*;
        match self {
            HeldPayments | PaymentsToPay => "笔",
            OpenHits => "条",
            PlansToReview => "份",
            AdjustmentsToReview => "项",
            ProjectsToReview | ProjectsReturned | EvaluationsDue | ResultsToConfirm => "个项目",
            CheckpointsToDecide => "个监控点",
        }
    }

    /// The page where the work is done.
    pub fn href(self) -> &'static str {
        use TodoKind::*;
        match self {
            HeldPayments => "/payments?status=held",
            OpenHits => "/monitoring/hits?disposition=open",
            PaymentsToPay => "/payments?status=pending",
            PlansToReview => "/spending-plans?status=filed",
            AdjustmentsToReview => "/adjustments?status=requested",
            ProjectsToReview => "/reviews",
            ProjectsReturned => "/projects?state=returned",
            CheckpointsToDecide => "/performance/monitoring?light=red",
            EvaluationsDue => "/evaluations",
            ResultsToConfirm => "/performance/results",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_shown_the_work_it_may_do() {
        use TodoKind::*;
        assert_eq!(
            TodoKind::of_role(Role::FinanceOfficer),
            vec![
                HeldPayments,
                OpenHits,
                PaymentsToPay,
                PlansToReview,
                AdjustmentsToReview,
                ProjectsToReview,
                CheckpointsToDecide,
                ResultsToConfirm
            ]
        );
        assert_eq!(
            TodoKind::of_role(Role::UnitOperator),
            vec![ProjectsReturned, EvaluationsDue]
        );
        assert_eq!(
            TodoKind::of_role(Role::DepartmentReviewer),
            vec![ProjectsToReview]
        );
        assert_eq!(
            TodoKind::of_role(Role::JointReviewer),
            vec![ProjectsToReview]
        );
        // Audit reads everything and changes nothing; the administrator keeps users and codes.
        assert!(TodoKind::of_role(Role::Auditor).is_empty());
        assert!(TodoKind::of_role(Role::Administrator).is_empty());
    }
}
