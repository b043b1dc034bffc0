//! Where a payment request stands, and the disposition of a rule hit (ZX-4b: 核实 → 正常 /
//! 违规 → 整改), with the moves each allows.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

labelled! {
    /// A payment request's state.
    PaymentStatus {
        /// No line, or the line could not cover it (ZB-7a); nothing held.
        Refused = "refused" / "未通过",
        /// A rule blocked it, or its project's payments are suspended (PM-9); nothing held.
        Blocked = "blocked" / "已拦截",
        /// A warning holds it, money reserved, until a reviewer confirms or rejects it.
        Held = "held" / "预警待核",
        /// Passed (or confirmed), money reserved, waiting for finance to pay.
        Pending = "pending" / "待支付",
        /// Paid: the reserved money is spent.
        Paid = "paid" / "已支付",
        /// Rejected or withdrawn: the reserved money went back to the line.
        Released = "released" / "已退回",
    }
}

labelled! {
    /// The disposition of a rule hit.
    Disposition {
        /// Not looked at yet.
        Open = "open" / "待核实",
        /// Being verified (核实).
        Verifying = "verifying" / "核实中",
        /// Verified as normal (正常).
        Normal = "normal" / "正常",
        /// Verified as a violation (违规).
        Violation = "violation" / "违规",
        /// The violation was put right (整改).
        Rectified = "rectified" / "已整改",
    }
}

labelled! {
    /// What a reviewer or finance does with a payment.
    Decision {
        /// Confirm a held payment (with a reason): it waits for payment.
        Confirm = "confirm" / "核实无误，确认",
        /// Reject a held payment or withdraw a pending one: the money goes back.
        Reject = "reject" / "退回",
        /// Pay a pending payment.
        Pay = "pay" / "确认支付",
    }
}

impl PaymentStatus {
    /// The state a decision leads to from this one, or the refusal.
    pub fn after(self, d: Decision) -> Result<PaymentStatus, Refusal> {
        use PaymentStatus::*;
        match (self, d) {
            (Held, Decision::Confirm) => Ok(Pending),
            (Held | Pending, Decision::Reject) => Ok(Released),
            (Pending, Decision::Pay) => Ok(Paid),
            _ => Err(Refusal::new(
                "PAYMENT_STATE",
                format!("支付申请当前为“{}”，不能这样处理", self.label()),
            )),
        }
    }
}

impl Decision {
    /// Whether `decider` may take this decision on a payment `requested_by` asked for.
    /// Confirming and paying move the money on towards the payee; neither is for the person
    /// who asked for it, so that no one moves money alone (不相容岗位相互分离: the request and
    /// its approval are two people's). Withdrawing one's own request (退回) is allowed.
    pub fn check_decider(self, requested_by: &str, decider: &str) -> Result<(), Refusal> {
        if self != Decision::Reject && requested_by == decider {
            return Err(Refusal::new(
                "PAYMENT_OWN_REQUEST",
                format!(
                    "这笔支付申请是您本人提出的，不能由您“{}”：请由另一位财政人员办理",
                    self.label()
                ),
            )
            .field("decision"));
        }
        Ok(())
    }
}

impl Disposition {
    /// Whether the disposition may move to `next` (核实 → 正常 / 违规 → 整改).
    pub fn may_become(self, next: Disposition) -> bool {
        use Disposition::*;
        matches!(
            (self, next),
            (Open, Verifying | Normal | Violation)
                | (Verifying, Normal | Violation)
                | (Violation, Rectified)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zx_4b_a_hit_is_verified_then_normal_or_a_violation_that_is_rectified() {
        use Disposition::*;
        assert!(Open.may_become(Verifying) && Verifying.may_become(Violation));
        assert!(Violation.may_become(Rectified));
        assert!(!Normal.may_become(Rectified) && !Rectified.may_become(Open));
    }

    #[test]
    fn no_one_confirms_or_pays_a_payment_they_asked_for() {
        let own = Decision::Pay
            .check_decider("caizheng", "caizheng")
            .unwrap_err();
        assert_eq!(
            (own.code, own.field.as_deref()),
            ("PAYMENT_OWN_REQUEST", Some("decision"))
        );
        assert!(
            own.message.contains("不能由您“确认支付”"),
            "{}",
            own.message
        );
        assert!(
            Decision::Confirm
                .check_decider("caizheng", "caizheng")
                .is_err()
        );
        assert!(
            Decision::Reject
                .check_decider("caizheng", "caizheng")
                .is_ok()
        );
        assert!(Decision::Pay.check_decider("danwei", "caizheng").is_ok());
    }

    #[test]
    fn only_a_held_payment_is_confirmed_and_only_a_pending_one_paid() {
        use PaymentStatus::*;
        assert_eq!(Held.after(Decision::Confirm).unwrap(), Pending);
        assert_eq!(Pending.after(Decision::Pay).unwrap(), Paid);
        assert_eq!(Held.after(Decision::Pay).unwrap_err().code, "PAYMENT_STATE");
        assert!(Paid.after(Decision::Reject).is_err() && Blocked.after(Decision::Confirm).is_err());
        assert_eq!(PaymentStatus::parse("held"), Some(Held));
    }
}
