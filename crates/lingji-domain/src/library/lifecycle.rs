//! The lifecycle of a library project (ZB-15c: 入库、排序、调整、退出全流程管理).
//!
//! reserve 储备 → submitted 已申报 → (review and argument, ZB-5a) → admitted 入库 → funded
//! 已安排 → executing 执行中 → completed 完结; retired 退出 from any state before completion;
//! postponed 暂缓 (ZB-2c), returned 退回修改 and rejected 不予入库 on the way. Only the review
//! workflow decides a submitted project.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

labelled! {
    /// Where a project stands.
    ProjectState: refuse("PROJECT_STATE_UNKNOWN", "项目状态") {
        /// 储备: being prepared by the unit.
        Reserve = "reserve" / "储备",
        /// 已申报: submitted for review.
        Submitted = "submitted" / "已申报",
        /// 退回修改: returned to the unit with comments.
        Returned = "returned" / "退回修改",
        /// 不予入库: rejected in review, with reasons (ZB-5a).
        Rejected = "rejected" / "不予入库",
        /// 入库: admitted to the budget library; only admitted projects can be funded (ZB-15a).
        Admitted = "admitted" / "入库",
        /// 暂缓: waits, e.g. for fiscal capacity (ZB-2c).
        Postponed = "postponed" / "暂缓",
        /// 已安排: money allocated.
        Funded = "funded" / "已安排",
        Executing = "executing" / "执行中",
        Completed = "completed" / "完结",
        /// 退出: retired from the library (ZB-15c, ZB-5d).
        Retired = "retired" / "退出",
    }
}

/// Who moves a project, as far as the lifecycle is concerned (the role check is the app's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mover {
    /// The unit that owns the project.
    Unit,
    /// Its department or the finance bureau (reviewers).
    Reviewer,
    /// The finance bureau.
    Finance,
    /// The system (allocation, year end).
    System,
    /// The review workflow, after the department, finance, joint reviewers and the panel.
    Review,
}

/// A move between states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ProjectState,
    pub to: ProjectState,
    /// Who may make it.
    pub by: &'static [Mover],
    /// The clause it implements.
    pub clause: &'static str,
}

use Mover::*;
use ProjectState::*;

/// Every allowed move. Anything else is refused (ZB-15c).
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: Reserve,
        to: Submitted,
        by: &[Unit],
        clause: "ZB-15a",
    },
    Transition {
        from: Returned,
        to: Submitted,
        by: &[Unit],
        clause: "ZB-15a",
    },
    Transition {
        from: Submitted,
        to: Returned,
        by: &[Review],
        clause: "ZB-5a",
    },
    Transition {
        from: Submitted,
        to: Rejected,
        by: &[Review],
        clause: "ZB-5a",
    },
    Transition {
        from: Submitted,
        to: Admitted,
        by: &[Review],
        clause: "ZB-5a",
    },
    Transition {
        from: Submitted,
        to: Postponed,
        by: &[Review],
        clause: "ZB-2c",
    },
    Transition {
        from: Admitted,
        to: Postponed,
        by: &[Finance],
        clause: "ZB-2c",
    },
    Transition {
        from: Postponed,
        to: Admitted,
        by: &[Finance],
        clause: "ZB-2c",
    },
    Transition {
        from: Admitted,
        to: Funded,
        by: &[Finance, System],
        clause: "ZB-3",
    },
    Transition {
        from: Funded,
        to: Executing,
        by: &[Finance, System],
        clause: "ZB-7a",
    },
    Transition {
        from: Executing,
        to: Completed,
        by: &[Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Reserve,
        to: Retired,
        by: &[Unit, Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Returned,
        to: Retired,
        by: &[Unit, Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Submitted,
        to: Retired,
        by: &[Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Admitted,
        to: Retired,
        by: &[Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Rejected,
        to: Retired,
        by: &[Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Postponed,
        to: Retired,
        by: &[Finance, System],
        clause: "ZB-15c",
    },
    Transition {
        from: Funded,
        to: Retired,
        by: &[Finance],
        clause: "ZB-15c",
    },
    Transition {
        from: Executing,
        to: Retired,
        by: &[Finance],
        clause: "ZB-15c",
    },
];

impl ProjectState {
    /// The unit may still edit the project's content in this state.
    pub fn editable_by_unit(self) -> bool {
        matches!(self, Reserve | Returned)
    }

    /// Checks a move, naming the clause when refused.
    pub fn check_move(self, to: ProjectState, by: Mover) -> Result<&'static Transition, Refusal> {
        let Some(t) = TRANSITIONS.iter().find(|t| t.from == self && t.to == to) else {
            if to == Funded {
                return Err(Refusal::new(
                    "PROJECT_NOT_IN_LIBRARY",
                    format!("“{}”的项目尚未入库，未入库项目不得安排预算", self.label()),
                )
                .field("state")
                .clause("QJ-2a"));
            }
            return Err(Refusal::new(
                "PROJECT_TRANSITION_NOT_ALLOWED",
                format!("项目不能从“{}”变为“{}”", self.label(), to.label()),
            )
            .field("state")
            .clause("ZB-15c"));
        };
        if t.by == [Review] && by != Review {
            return Err(Refusal::new(
                "REVIEW_REQUIRED",
                format!(
                    "“{}”→“{}”须经审核论证（主管部门初审、财政审核论证、联审、集中会审）办理",
                    self.label(),
                    to.label()
                ),
            )
            .field("state")
            .clause(t.clause));
        }
        if !t.by.contains(&by) {
            return Err(Refusal::new(
                "PROJECT_TRANSITION_NOT_YOURS",
                format!("“{}”→“{}”不由您办理", self.label(), to.label()),
            )
            .field("state")
            .clause(t.clause));
        }
        Ok(t)
    }

    /// The states this one can move to.
    pub fn next_states(self) -> Vec<ProjectState> {
        TRANSITIONS
            .iter()
            .filter(|t| t.from == self)
            .map(|t| t.to)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qj_2a_only_admitted_projects_are_funded() {
        for from in [Reserve, Submitted, Returned, Postponed] {
            let err = from.check_move(Funded, System).unwrap_err();
            assert_eq!(
                (err.code, err.clause),
                ("PROJECT_NOT_IN_LIBRARY", Some("QJ-2a"))
            );
        }
        assert!(Admitted.check_move(Funded, System).is_ok());
    }

    #[test]
    fn zb_15c_illegal_transitions_are_refused_with_the_clause() {
        let err = Reserve.check_move(Executing, Finance).unwrap_err();
        assert_eq!(
            (err.code, err.clause),
            ("PROJECT_TRANSITION_NOT_ALLOWED", Some("ZB-15c"))
        );
        let err = Completed.check_move(Retired, Finance).unwrap_err();
        assert_eq!(err.code, "PROJECT_TRANSITION_NOT_ALLOWED");
        let err = Reserve.check_move(Submitted, Finance).unwrap_err();
        assert_eq!(
            (err.code, err.clause),
            ("PROJECT_TRANSITION_NOT_YOURS", Some("ZB-15a"))
        );
    }

    #[test]
    fn zb_5a_only_the_review_decides_a_submitted_project() {
        for to in [Admitted, Returned, Rejected] {
            for by in [Unit, Reviewer, Finance, System] {
                let err = Submitted.check_move(to, by).unwrap_err();
                assert_eq!((err.code, err.clause), ("REVIEW_REQUIRED", Some("ZB-5a")));
            }
            assert!(Submitted.check_move(to, Review).is_ok());
        }
    }

    #[test]
    fn the_way_through_the_year_is_open() {
        let path = [
            (Reserve, Submitted, Unit),
            (Submitted, Returned, Review),
            (Returned, Submitted, Unit),
            (Submitted, Admitted, Review),
            (Admitted, Funded, System),
            (Funded, Executing, System),
            (Executing, Completed, System),
        ];
        for (from, to, by) in path {
            assert!(from.check_move(to, by).is_ok(), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn only_reserve_and_returned_projects_are_editable() {
        let editable: Vec<_> = ProjectState::ALL
            .iter()
            .filter(|s| s.editable_by_unit())
            .collect();
        assert_eq!(editable, [&Reserve, &Returned]);
    }
}
