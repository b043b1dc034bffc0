//! The payment check's decision (issue 6): given what was read about a request — the rules it
//! hit (ZX-4b), its project's suspension (PM-9), whether plans control payments (ZX-4a) and
//! whether the month's plan and the line's available balance cover it (ZB-7a) — the state it
//! lands in, why when it is stopped, and whether its money is held and its plan drawn.
//!
//! The plan and the line are drawn by conditional UPDATEs, so that requests on several servers
//! can never overdraw them; the use case judges before drawing (is there anything to draw?),
//! again with what the plan answered, and hands the store the verdict for a line that does not
//! cover the payment, so that the row recorded is always one this function gave.

use super::rules::{Action, Hit, outcome};
use super::status::PaymentStatus;
use crate::error::{Refusal, interned};
use crate::money::Money;

/// Whether a drawn balance (the month's plan, the line) covers the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cover {
    /// Not drawn yet: judged as if it covered, to know whether to draw.
    #[default]
    Untried,
    /// Drawn: it covered the payment.
    Covered,
    /// It did not cover the payment.
    Short,
}

/// What the payment check decides on.
#[derive(Debug, Clone, Copy)]
pub struct PaymentFacts<'a> {
    /// The rules the payment hit (ZX-4b).
    pub hits: &'a [Hit],
    /// Why the project's payments are suspended (PM-9), when they are.
    pub suspended: Option<&'a str>,
    /// The profile holds payments to the approved plan of their line and month (ZX-4a): the
    /// typed profile's `execution.payments_within_plan`.
    pub within_plan: bool,
    /// The payment's month (its plan's month).
    pub month: u32,
    /// Whether the month's plan covers it (ZX-4a), when plans control payments.
    pub plan: Cover,
    /// Whether the line's available balance covers it (ZB-7a).
    pub line: Cover,
}

/// The state a checked payment lands in, and why when it is stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// State after the checks.
    pub status: PaymentStatus,
    /// The strictest action of the rules hit.
    pub outcome: Option<Action>,
    /// Why refused or blocked.
    pub refusal: Option<Refusal>,
    /// Whether its money is held on the line (nothing stopped it).
    pub hold: bool,
    /// The plan month it draws on (ZX-4a), when plans control payments and nothing stopped it.
    pub plan_draw: Option<u32>,
}

const SUSPENDED: &str = "PAYMENT_SUSPENDED";
const RULE_BLOCKED: &str = "PAYMENT_RULE_BLOCKED";
const PLAN_BALANCE_INSUFFICIENT: &str = "PLAN_BALANCE_INSUFFICIENT";
const BUDGET_LINE_INSUFFICIENT: &str = "BUDGET_LINE_INSUFFICIENT";

/// Judges a payment request: a suspended project blocks it (PM-9), then a blocking rule
/// (ZX-4b, citing the rule's clause); a warning holds it for a reviewer; then the month's plan
/// (ZX-4a, when the profile holds payments to it) and the line (ZB-7a) must cover it, or it is
/// refused with the rules' outcome kept.
pub fn judge(f: &PaymentFacts<'_>) -> Verdict {
    let outcome = outcome(f.hits);
    let stopped = |status, refusal| Verdict {
        status,
        outcome,
        refusal: Some(refusal),
        hold: false,
        plan_draw: None,
    };
    if let Some(reason) = f.suspended {
        return stopped(
            PaymentStatus::Blocked,
            Refusal::new(
                SUSPENDED,
                format!("该项目绩效监控发现严重问题，已暂缓拨款：{reason}（PM-9）"),
            )
            .clause("PM-9"),
        );
    }
    if let Some(h) = f.hits.iter().find(|h| h.action == Action::Block) {
        let cited = h
            .clause
            .as_deref()
            .map(|c| format!("（{c}）"))
            .unwrap_or_default();
        let mut refusal = Refusal::new(
            RULE_BLOCKED,
            format!("监控规则 {} {}拦截：{}{cited}", h.code, h.name, h.message),
        );
        refusal.clause = h.clause.as_deref().map(interned);
        return stopped(PaymentStatus::Blocked, refusal);
    }
    if f.within_plan && f.plan == Cover::Short {
        let month = f.month;
        return stopped(
            PaymentStatus::Refused,
            Refusal::new(
                PLAN_BALANCE_INSUFFICIENT,
                format!("超出该指标 {month} 月已批准用款计划的余额，请先申报用款计划（ZX-4a）"),
            )
            .clause("ZX-4a"),
        );
    }
    if f.line == Cover::Short {
        return stopped(
            PaymentStatus::Refused,
            Refusal::new(
                BUDGET_LINE_INSUFFICIENT,
                "指标可用余额不足，不得超预算支付（ZB-7a）",
            )
            .clause("ZB-7a"),
        );
    }
    Verdict {
        status: if outcome == Some(Action::Warning) {
            PaymentStatus::Held
        } else {
            PaymentStatus::Pending
        },
        outcome,
        refusal: None,
        hold: true,
        plan_draw: f.within_plan.then_some(f.month),
    }
}

/// What the month's approved plan still allows a line (ZX-4a) as the payment is typed, and the
/// refusal of the amount when it exceeds that.
pub fn plan_left(
    month: u32,
    amount: Money,
    approved: Money,
    used: Money,
) -> (Money, Option<Refusal>) {
    let left = approved.checked_sub(used).unwrap_or(Money::ZERO);
    let refusal = (amount > left).then(|| {
        Refusal::new(
            PLAN_BALANCE_INSUFFICIENT,
            format!(
                "超出该指标 {month} 月用款计划余额 {} 元（ZX-4a）",
                left.to_yuan_display()
            ),
        )
        .field("amount")
        .clause("ZX-4a")
    });
    (left, refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(code: &str, action: Action, clause: Option<&str>) -> Hit {
        Hit {
            code: code.into(),
            class: "对个人转账".into(),
            name: "向个人大额转账".into(),
            action,
            clause: clause.map(Into::into),
            message: "请核实".into(),
        }
    }

    fn facts(hits: &[Hit]) -> PaymentFacts<'_> {
        PaymentFacts {
            hits,
            suspended: None,
            within_plan: false,
            month: 3,
            plan: Cover::Untried,
            line: Cover::Untried,
        }
    }

    fn refusal(v: &Verdict) -> (&'static str, Option<&'static str>, &str) {
        let r = v.refusal.as_ref().expect("a refusal");
        (r.code, r.clause, r.message.as_str())
    }

    #[test]
    fn a_payment_nothing_stops_is_pending_its_money_held() {
        let notice = [hit("N1", Action::Notice, None)];
        let v = judge(&facts(&notice));
        assert_eq!(
            v,
            Verdict {
                status: PaymentStatus::Pending,
                outcome: Some(Action::Notice),
                refusal: None,
                hold: true,
                plan_draw: None,
            }
        );
        let v = judge(&PaymentFacts {
            line: Cover::Covered,
            ..facts(&[])
        });
        assert_eq!(
            (v.status, v.outcome, v.hold),
            (PaymentStatus::Pending, None, true)
        );
    }

    #[test]
    fn zx_4b_a_warning_holds_the_payment_for_a_reviewer() {
        let hits = [
            hit("N1", Action::Notice, None),
            hit("W1", Action::Warning, Some("ZX-4b")),
        ];
        let v = judge(&facts(&hits));
        assert_eq!(
            (v.status, v.outcome, v.refusal, v.hold),
            (PaymentStatus::Held, Some(Action::Warning), None, true)
        );
    }

    #[test]
    fn zx_4b_a_blocking_rule_blocks_citing_its_clause() {
        let hits = [
            hit("W1", Action::Warning, None),
            hit("B05-01", Action::Block, Some("ZB-6a")),
        ];
        let v = judge(&PaymentFacts {
            within_plan: true,
            ..facts(&hits)
        });
        assert_eq!(
            (v.status, v.outcome),
            (PaymentStatus::Blocked, Some(Action::Block))
        );
        assert_eq!(
            refusal(&v),
            (
                "PAYMENT_RULE_BLOCKED",
                Some("ZB-6a"),
                "监控规则 B05-01 向个人大额转账拦截：请核实（ZB-6a）"
            )
        );
        assert!(!v.hold && v.plan_draw.is_none(), "nothing is held or drawn");
        let v = judge(&facts(&[hit("B1", Action::Block, None)]));
        assert_eq!(
            refusal(&v),
            (
                "PAYMENT_RULE_BLOCKED",
                None,
                "监控规则 B1 向个人大额转账拦截：请核实"
            )
        );
    }

    #[test]
    fn pm_9_a_suspended_project_blocks_before_the_rules() {
        let hits = [hit("B1", Action::Block, Some("ZB-6a"))];
        let v = judge(&PaymentFacts {
            suspended: Some("进度严重滞后"),
            ..facts(&hits)
        });
        assert_eq!(
            (v.status, v.outcome),
            (PaymentStatus::Blocked, Some(Action::Block))
        );
        assert_eq!(
            refusal(&v),
            (
                "PAYMENT_SUSPENDED",
                Some("PM-9"),
                "该项目绩效监控发现严重问题，已暂缓拨款：进度严重滞后（PM-9）"
            )
        );
        assert!(!v.hold);
    }

    #[test]
    fn zx_4a_within_plan_the_months_plan_is_drawn_and_must_cover() {
        let warning = [hit("W1", Action::Warning, None)];
        let within = PaymentFacts {
            within_plan: true,
            ..facts(&warning)
        };
        let v = judge(&within);
        assert_eq!(
            (v.status, v.plan_draw, v.hold),
            (PaymentStatus::Held, Some(3), true)
        );
        let v = judge(&PaymentFacts {
            plan: Cover::Short,
            ..within
        });
        assert_eq!(
            (v.status, v.outcome, v.hold, v.plan_draw),
            (PaymentStatus::Refused, Some(Action::Warning), false, None)
        );
        assert_eq!(
            refusal(&v),
            (
                "PLAN_BALANCE_INSUFFICIENT",
                Some("ZX-4a"),
                "超出该指标 3 月已批准用款计划的余额，请先申报用款计划（ZX-4a）"
            )
        );
        // Without plan control the plan is neither drawn nor asked.
        let v = judge(&PaymentFacts {
            plan: Cover::Short,
            ..facts(&[])
        });
        assert_eq!((v.status, v.plan_draw), (PaymentStatus::Pending, None));
    }

    #[test]
    fn zb_7a_a_line_that_does_not_cover_refuses_keeping_the_rules_outcome() {
        let warning = [hit("W1", Action::Warning, None)];
        let v = judge(&PaymentFacts {
            within_plan: true,
            plan: Cover::Covered,
            line: Cover::Short,
            ..facts(&warning)
        });
        assert_eq!(
            (v.status, v.outcome, v.hold, v.plan_draw),
            (PaymentStatus::Refused, Some(Action::Warning), false, None)
        );
        assert_eq!(
            refusal(&v),
            (
                "BUDGET_LINE_INSUFFICIENT",
                Some("ZB-7a"),
                "指标可用余额不足，不得超预算支付（ZB-7a）"
            )
        );
        // An earlier stop is the answer: the line is not what refused it.
        let v = judge(&PaymentFacts {
            within_plan: true,
            plan: Cover::Short,
            line: Cover::Short,
            ..facts(&warning)
        });
        assert_eq!(refusal(&v).0, "PLAN_BALANCE_INSUFFICIENT");
    }

    #[test]
    fn zx_4a_the_check_as_you_type_names_what_the_plan_still_allows() {
        let (left, r) = plan_left(
            3,
            Money::from_yuan(600),
            Money::from_yuan(1000),
            Money::from_yuan(500),
        );
        assert_eq!(left, Money::from_yuan(500));
        let r = r.expect("over the plan");
        assert_eq!(
            (r.code, r.clause, r.field.as_deref()),
            ("PLAN_BALANCE_INSUFFICIENT", Some("ZX-4a"), Some("amount"))
        );
        assert_eq!(r.message, "超出该指标 3 月用款计划余额 500.00 元（ZX-4a）");
        let (left, r) = plan_left(3, Money::from_yuan(500), Money::ZERO, Money::from_yuan(1));
        assert_eq!(
            (left, r.map(|r| r.code)),
            (Money::from_yuan(-1), Some("PLAN_BALANCE_INSUFFICIENT"))
        );
        assert!(
            plan_left(3, Money::from_yuan(500), Money::from_yuan(500), Money::ZERO)
                .1
                .is_none()
        );
    }
}
