//! What reviewers decide at each step (ZB-5a): the department's first review with its rank,
//! the finance bureau's reviewed amount (财政审核数, never above the request), returns and
//! rejections with reasons; and the order of the steps.

use serde::{Deserialize, Serialize};

use crate::{Money, Refusal};

labelled! {
    /// The steps of review, in order. Joint review is skipped when nothing is routed (ZB-5e).
    #[derive(PartialOrd, Ord)]
    ReviewStage: custom {
        Department = "department" / "主管部门初审",
        Finance = "finance" / "财政审核论证",
        Joint = "joint" / "跨部门联审",
        Panel = "panel" / "集中会审",
        /// Decided: admitted, rejected or returned.
        Decided = "decided" / "审核完成",
    }
}

impl ReviewStage {
    /// Parses the identifier.
    pub fn parse(s: &str) -> Option<ReviewStage> {
        ReviewStage::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The step after this one; joint review only while some routed body has not answered.
    pub fn next(self, joint_pending: bool) -> ReviewStage {
        match self {
            ReviewStage::Department => ReviewStage::Finance,
            ReviewStage::Finance | ReviewStage::Joint if joint_pending => ReviewStage::Joint,
            ReviewStage::Finance | ReviewStage::Joint => ReviewStage::Panel,
            ReviewStage::Panel | ReviewStage::Decided => ReviewStage::Decided,
        }
    }
}

labelled! {
    /// What a reviewer decides at one step, as sent in `decision` and stored as the step's
    /// outcome (ZB-5a): pass, return or reject at the department and finance stages; agree or
    /// disagree at joint review; admit, return or reject at the panel.
    ReviewDecision {
        Pass = "pass" / "通过",
        Return = "return" / "退回修改",
        Reject = "reject" / "不予入库",
        Agree = "agree" / "同意",
        Disagree = "disagree" / "不同意",
        Admit = "admit" / "审定入库",
    }
}

impl ReviewStage {
    /// The decisions a reviewer may take at this stage, in form order.
    pub fn decisions(self) -> &'static [ReviewDecision] {
        use ReviewDecision::*;
        match self {
            ReviewStage::Department | ReviewStage::Finance => &[Pass, Return, Reject],
            ReviewStage::Joint => &[Agree, Disagree],
            ReviewStage::Panel => &[Admit, Return, Reject],
            ReviewStage::Decided => &[],
        }
    }
}

/// A reviewer's outcome at one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Passed on; the department gives its rank, finance its reviewed amount.
    Pass {
        /// Department rank (1 = most needed), at the department's first review.
        rank: Option<u32>,
        /// 财政审核数, at the finance review.
        reviewed: Option<Money>,
        opinion: String,
    },
    /// Back to the unit for revision, with every comment.
    Return {
        /// What to change.
        opinion: String,
    },
    /// Not to be funded.
    Reject { opinion: String },
}

fn opinion_required(opinion: &str, what: &str) -> Result<(), Refusal> {
    if opinion.trim().is_empty() {
        return Err(
            Refusal::new("REVIEW_OPINION_MISSING", format!("{what}须写明意见"))
                .field("opinion")
                .clause("ZB-5a"),
        );
    }
    Ok(())
}

/// Checks an outcome at `stage` for a project requesting `request`.
pub fn check_outcome(stage: ReviewStage, outcome: &Outcome, request: Money) -> Result<(), Refusal> {
    match outcome {
        Outcome::Return { opinion } => opinion_required(opinion, "退回修改"),
        Outcome::Reject { opinion } => opinion_required(opinion, "不予安排"),
        Outcome::Pass { rank, reviewed, .. } => match stage {
            ReviewStage::Department => match rank {
                Some(r) if *r >= 1 => Ok(()),
                _ => Err(Refusal::new(
                    "DEPARTMENT_RANK_MISSING",
                    "主管部门初审通过须给出部门排序（1 为最优先）",
                )
                .field("rank")
                .clause("ZB-5a")),
            },
            ReviewStage::Finance => match reviewed {
                None => Err(Refusal::new("REVIEWED_AMOUNT_MISSING", "请填写财政审核数")
                    .field("reviewed")
                    .clause("ZB-5a")),
                Some(m) if *m > request => Err(Refusal::new(
                    "REVIEWED_ABOVE_REQUEST",
                    format!(
                        "财政审核数 {} 元不得高于申报数 {} 元",
                        m.to_yuan_display(),
                        request.to_yuan_display()
                    ),
                )
                .field("reviewed")
                .clause("ZB-5a")),
                Some(m) if m.is_negative() => {
                    Err(Refusal::new("REVIEWED_NEGATIVE", "财政审核数不能为负数").field("reviewed"))
                }
                Some(_) => Ok(()),
            },
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(rank: Option<u32>, reviewed: Option<Money>) -> Outcome {
        Outcome::Pass {
            rank,
            reviewed,
            opinion: String::new(),
        }
    }

    #[test]
    fn zb_5a_department_review_ranks_and_finance_never_raises_the_request() {
        let request = Money::from_yuan(500_000);
        assert!(check_outcome(ReviewStage::Department, &pass(Some(3), None), request).is_ok());
        assert_eq!(
            check_outcome(ReviewStage::Department, &pass(None, None), request)
                .unwrap_err()
                .code,
            "DEPARTMENT_RANK_MISSING"
        );
        let above = check_outcome(
            ReviewStage::Finance,
            &pass(None, Some(Money::from_yuan(500_001))),
            request,
        )
        .unwrap_err();
        assert_eq!(
            (above.code, above.clause),
            ("REVIEWED_ABOVE_REQUEST", Some("ZB-5a"))
        );
        assert!(check_outcome(ReviewStage::Finance, &pass(None, Some(request)), request).is_ok());
        let r = check_outcome(
            ReviewStage::Finance,
            &Outcome::Return {
                opinion: " ".into(),
            },
            request,
        );
        assert_eq!(r.unwrap_err().code, "REVIEW_OPINION_MISSING");
    }

    #[test]
    fn zb_5e_joint_review_comes_between_finance_and_the_panel_only_when_routed() {
        use ReviewStage::*;
        assert_eq!(Department.next(true), Finance);
        assert_eq!(Finance.next(false), Panel);
        assert_eq!(Finance.next(true), Joint);
        assert_eq!(Joint.next(true), Joint);
        assert_eq!(Joint.next(false), Panel);
        assert_eq!(Panel.next(false), Decided);
    }
}
