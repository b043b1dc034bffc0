//! Monthly spending plans (用款计划, ZX-4a): units file what each line will need in a month;
//! finance reviews all of a month's plans at once, in the order ZX-4a gives — 三保 (disaster
//! relief first), debt, key priorities, general (personnel-related first), others — within the
//! treasury's cash limit. Inside a tier, poverty relief, education and social security go first
//! (QJ-4a). The first plan the remaining cash cannot cover gets what is left; the rest wait.

use serde::{Deserialize, Serialize};

use crate::library::tier::SpendingTier;
use crate::money::Money;

labelled! {
    /// Where a plan stands in the month's review order (ZX-4a), first to last.
    PlanTier {
        /// 三保 — disaster relief first.
        DisasterRelief = "disaster_relief" / "三保·救灾",
        /// 三保: wages, basic livelihood, operations.
        ThreeGuarantees = "three_guarantees" / "三保",
        /// 政府债务还本付息
        Debt = "debt" / "债务",
        /// 重点保障事项
        KeyPriorities = "key_priorities" / "重点",
        /// General spending that is personnel-related.
        GeneralPersonnel = "general_personnel" / "一般·人员相关",
        /// Other general spending.
        General = "general" / "一般",
        Other = "other" / "其他",
    }
}

impl PlanTier {
    /// Position in the review order: 0 goes first.
    pub fn rank(self) -> usize {
        PlanTier::ALL
            .iter()
            .position(|t| *t == self)
            .unwrap_or(usize::MAX)
    }
}

labelled! {
    /// A spending plan's state.
    PlanStatus {
        /// Filed, waiting for the month's review.
        Filed = "filed" / "待审核",
        /// Approved in full.
        Approved = "approved" / "已批准",
        /// The marginal plan: approved in part, up to the cash limit.
        Partial = "partial" / "部分批准",
        /// The cash limit ran out before it (缓拨): nothing approved.
        Deferred = "deferred" / "缓拨",
    }
}

/// Function codes of disaster prevention and emergency management (灾害防治及应急管理支出).
const DISASTER_FUNCTION: &str = "224";
/// Function codes of debt service (债务还本、付息、发行费用).
const DEBT_FUNCTIONS: [&str; 3] = ["231", "232", "233"];
/// Economic classes of personnel-related spending: 工资福利支出, 对个人和家庭的补助.
const PERSONNEL_ECONOMIC: [&str; 2] = ["301", "303"];

/// The review tier of a line's plan, from what the line and its project say (ZX-4a).
pub fn plan_tier(
    three_guarantees: bool,
    project_tier: Option<SpendingTier>,
    function_code: Option<&str>,
    economic_code: &str,
) -> PlanTier {
    let function = function_code.unwrap_or("");
    let guaranteed = three_guarantees || project_tier == Some(SpendingTier::ThreeGuarantees);
    if guaranteed && function.starts_with(DISASTER_FUNCTION) {
        PlanTier::DisasterRelief
    } else if guaranteed {
        PlanTier::ThreeGuarantees
    } else if project_tier == Some(SpendingTier::DebtService)
        || DEBT_FUNCTIONS.iter().any(|c| function.starts_with(c))
    {
        PlanTier::Debt
    } else if project_tier == Some(SpendingTier::KeyPriorities) {
        PlanTier::KeyPriorities
    } else if project_tier == Some(SpendingTier::Other) {
        PlanTier::Other
    } else if PERSONNEL_ECONOMIC
        .iter()
        .any(|c| economic_code.starts_with(c))
    {
        PlanTier::GeneralPersonnel
    } else {
        PlanTier::General
    }
}

/// The priority subject of a function code whose payments go first (QJ-4a), if any:
/// 教育 (205), 社会保障和就业 (208), 巩固脱贫攻坚成果衔接乡村振兴 (21305).
pub fn priority_subject(function_code: Option<&str>) -> Option<&'static str> {
    let f = function_code?;
    [("21305", "扶贫"), ("205", "教育"), ("208", "社会保障")]
        .into_iter()
        .find(|(prefix, _)| f.starts_with(prefix))
        .map(|(_, name)| name)
}

/// A filed plan as the review sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanClaim {
    /// Plan id; among equals the earlier filing goes first.
    pub id: i64,
    pub tier: PlanTier,
    /// A QJ-4a priority subject.
    pub priority: bool,
    pub amount: Money,
}

/// What the review gives one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanGrant {
    pub id: i64,
    pub approved: Money,
    pub status: PlanStatus,
    /// Cash limit left after this plan.
    pub remaining: Money,
}

/// Reviews a month's plans within `cash_limit` (ZX-4a): in tier order, QJ-4a subjects first
/// inside a tier, then by filing; each plan is approved while the cash covers it, the first it
/// does not cover gets what is left, and every later one waits. Grants come back in review order
/// and never add up to more than the cash limit.
pub fn review_plans(claims: &[PlanClaim], cash_limit: Money) -> Vec<PlanGrant> {
    let mut order: Vec<&PlanClaim> = claims.iter().collect();
    order.sort_by_key(|c| (c.tier.rank(), !c.priority, c.id));
    let mut remaining = cash_limit.max(Money::ZERO);
    let mut exhausted = false;
    order
        .into_iter()
        .map(|c| {
            let (approved, status) = if exhausted {
                (Money::ZERO, PlanStatus::Deferred)
            } else if c.amount <= remaining {
                (c.amount, PlanStatus::Approved)
            } else {
                // Strict order: the marginal plan takes what is left and nothing after it is
                // paid ahead of it.
                exhausted = true;
                if remaining > Money::ZERO {
                    (remaining, PlanStatus::Partial)
                } else {
                    (Money::ZERO, PlanStatus::Deferred)
                }
            };
            remaining = remaining.checked_sub(approved).unwrap_or(Money::ZERO);
            PlanGrant {
                id: c.id,
                approved,
                status,
                remaining,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: i64, tier: PlanTier, priority: bool, yuan: i64) -> PlanClaim {
        PlanClaim {
            id,
            tier,
            priority,
            amount: Money::from_yuan(yuan),
        }
    }

    #[test]
    fn zx_4a_tiers_follow_the_line_and_its_project() {
        use SpendingTier as S;
        let t = |g, p, f, e| plan_tier(g, p, f, e);
        assert_eq!(
            t(true, None, Some("2240101"), "30201"),
            PlanTier::DisasterRelief
        );
        assert_eq!(
            t(false, Some(S::ThreeGuarantees), Some("2080501"), "30301"),
            PlanTier::ThreeGuarantees
        );
        assert_eq!(
            t(false, Some(S::DebtService), Some("2130101"), "39999"),
            PlanTier::Debt
        );
        assert_eq!(t(false, None, Some("2310101"), "39999"), PlanTier::Debt);
        assert_eq!(
            t(false, Some(S::KeyPriorities), Some("2130101"), "30101"),
            PlanTier::KeyPriorities
        );
        assert_eq!(
            t(false, Some(S::Mandatory), Some("2010101"), "30101"),
            PlanTier::GeneralPersonnel
        );
        assert_eq!(
            t(false, Some(S::GeneralDevelopment), None, "30201"),
            PlanTier::General
        );
        assert_eq!(t(false, Some(S::Other), None, "30101"), PlanTier::Other);
        // A disaster-relief function code outside the three guarantees is not moved ahead.
        assert_eq!(t(false, None, Some("2240101"), "30201"), PlanTier::General);
    }

    #[test]
    fn qj_4a_names_the_priority_subjects() {
        assert_eq!(priority_subject(Some("2050201")), Some("教育"));
        assert_eq!(priority_subject(Some("2080501")), Some("社会保障"));
        assert_eq!(priority_subject(Some("2130504")), Some("扶贫"));
        assert_eq!(priority_subject(Some("2130101")), None);
        assert_eq!(priority_subject(None), None);
    }

    #[test]
    fn zx_4a_review_fills_tiers_in_order_within_the_cash_limit() {
        // Filed in the opposite order of the tiers: the review reorders them.
        let claims = [
            claim(1, PlanTier::Other, false, 50),
            claim(2, PlanTier::General, false, 300),
            claim(3, PlanTier::General, true, 200),
            claim(4, PlanTier::Debt, false, 400),
            claim(5, PlanTier::DisasterRelief, false, 100),
        ];
        let grants = review_plans(&claims, Money::from_yuan(900));
        let got: Vec<(i64, i64, PlanStatus)> = grants
            .iter()
            .map(|g| (g.id, g.approved.fen() / 100, g.status))
            .collect();
        assert_eq!(
            got,
            vec![
                (5, 100, PlanStatus::Approved),
                (4, 400, PlanStatus::Approved),
                // QJ-4a: the education plan before the earlier general one.
                (3, 200, PlanStatus::Approved),
                (2, 200, PlanStatus::Partial),
                // Strict order: nothing is paid ahead of the marginal plan.
                (1, 0, PlanStatus::Deferred),
            ]
        );
        let total = Money::checked_sum(grants.iter().map(|g| g.approved)).unwrap();
        assert_eq!(total, Money::from_yuan(900));
    }

    #[test]
    fn zx_4a_the_marginal_plan_takes_what_is_left_and_a_limit_that_covers_all_approves_all() {
        let claims = [
            claim(1, PlanTier::ThreeGuarantees, false, 500),
            claim(2, PlanTier::Other, false, 10),
        ];
        let grants = review_plans(&claims, Money::from_yuan(300));
        assert_eq!(grants[0].status, PlanStatus::Partial);
        assert_eq!(grants[0].approved, Money::from_yuan(300));
        assert_eq!(
            (grants[1].status, grants[1].approved),
            (PlanStatus::Deferred, Money::ZERO)
        );
        // A limit that covers everything approves everything.
        let all = review_plans(&claims, Money::from_yuan(510));
        assert!(all.iter().all(|g| g.status == PlanStatus::Approved));
        assert_eq!(all[1].remaining, Money::ZERO);
    }
}
