//! Budget adjustments in execution (ZB-7b): a transfer between lines (调剂) moves budget
//! without new money — never between personnel and public expense, never out of carried-over
//! money; a supplement (追加) adds new money only for a library project (QJ-2a), and a major one
//! only after its ex-ante assessment supports it and its fiscal capacity assessment passed.
//! Approved adjustments make up the budget amendment document (预算调整方案, QJ-4c).

use serde::{Deserialize, Serialize};

use super::year_end::Movement;
use crate::error::Refusal;
use crate::money::Money;

labelled! {
    /// What an adjustment does.
    AdjustmentKind {
        /// 调剂: from one line to another, no new money.
        Transfer = "transfer" / "调剂",
        /// 追加: new money for a library project.
        Supplement = "supplement" / "追加",
    }
}

labelled! {
    /// Where an adjustment request stands.
    AdjustmentStatus {
        /// Waiting for finance.
        Requested = "requested" / "待审批",
        /// Approved and applied to the lines.
        Approved = "approved" / "已批准",
        Rejected = "rejected" / "已退回",
    }
}

impl AdjustmentKind {
    /// The money movement it is, as a closed year refuses it (ZB-7b).
    pub fn movement(self) -> Movement {
        match self {
            AdjustmentKind::Transfer => Movement::Transfer,
            AdjustmentKind::Supplement => Movement::Supplement,
        }
    }
}

/// The class of spending an economic code belongs to, as ZB-7b separates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpenseClass {
    /// 人员经费: 工资福利支出 (301), 对个人和家庭的补助 (303).
    Personnel,
    /// 公用经费: 商品和服务支出 (302).
    Public,
    /// Anything else (capital, transfers, …).
    Other,
}

impl ExpenseClass {
    /// The class of a government or departmental economic code.
    pub fn of(economic_code: &str) -> ExpenseClass {
        if economic_code.starts_with("301") || economic_code.starts_with("303") {
            ExpenseClass::Personnel
        } else if economic_code.starts_with("302") {
            ExpenseClass::Public
        } else {
            ExpenseClass::Other
        }
    }
}

/// What a transfer needs to know of one line.
#[derive(Debug, Clone)]
pub struct LineSide<'a> {
    pub id: i64,
    pub fiscal_year: i32,
    pub department_id: i64,
    pub economic_code: &'a str,
    /// Where the line came from: `allocation`, `transfer`, `supplement`, `carryover`.
    pub source: &'a str,
}

/// Checks a transfer (调剂) between two lines (ZB-7b). The available balance is checked again
/// when it is applied, atomically.
pub fn check_transfer(from: &LineSide, to: &LineSide, amount: Money) -> Result<(), Refusal> {
    if amount <= Money::ZERO {
        return Err(
            Refusal::new("ADJUSTMENT_AMOUNT_NOT_POSITIVE", "调整金额须大于零").field("amount"),
        );
    }
    if from.id == to.id {
        return Err(
            Refusal::new("ADJUSTMENT_SAME_LINE", "调出和调入不能是同一指标").field("to_line_id"),
        );
    }
    if from.fiscal_year != to.fiscal_year || from.department_id != to.department_id {
        return Err(Refusal::new(
            "ADJUSTMENT_OUTSIDE_DEPARTMENT",
            "调剂只能在本部门同一年度的指标之间进行；跨部门须走追加或调减程序",
        )
        .field("to_line_id")
        .clause("ZB-7b"));
    }
    if from.source == "carryover" {
        return Err(
            Refusal::new("ADJUSTMENT_CARRYOVER", "结转资金不得调剂用于其他支出")
                .field("from_line_id")
                .clause("ZB-7b"),
        );
    }
    let (a, b) = (
        ExpenseClass::of(from.economic_code),
        ExpenseClass::of(to.economic_code),
    );
    if matches!(
        (a, b),
        (ExpenseClass::Personnel, ExpenseClass::Public)
            | (ExpenseClass::Public, ExpenseClass::Personnel)
    ) {
        return Err(
            Refusal::new("ADJUSTMENT_CLASS_SWAP", "人员经费和公用经费不得相互调剂")
                .field("to_line_id")
                .clause("ZB-7b"),
        );
    }
    Ok(())
}

/// A transfer takes no more than its line has available (ZB-7b): checked when it is asked for,
/// and again, atomically, when it is approved ([`above_available`]).
pub fn check_within_available(
    line_name: &str,
    available: Money,
    amount: Money,
) -> Result<(), Refusal> {
    if amount > available {
        return Err(above_available(line_name, available, amount));
    }
    Ok(())
}

/// The refusal of a transfer of `amount` from a line that has only `available` (ZB-7b).
pub fn above_available(line_name: &str, available: Money, amount: Money) -> Refusal {
    Refusal::new(
        "ADJUSTMENT_ABOVE_AVAILABLE",
        format!(
            "调出 {} 元超过指标“{line_name}”可用余额 {} 元",
            amount.to_yuan_display(),
            available.to_yuan_display()
        ),
    )
    .field("amount")
    .clause("ZB-7b")
}

/// What a supplement needs to know of its project.
#[derive(Debug, Clone)]
pub struct SupplementFacts {
    /// The project is in the library (admitted or funded).
    pub in_library: bool,
    /// The amount from which a project counts as major (profile).
    pub major_threshold: Money,
    /// The ex-ante assessment supports it, when recorded.
    pub ex_ante_supports: Option<bool>,
    /// The fiscal capacity assessment passed, when recorded.
    pub capacity_passed: Option<bool>,
}

/// Checks a supplement (追加): only for a library project (QJ-2a); a major one only after its
/// assessments (ZB-7b). Returns whether it is major.
pub fn check_supplement(f: &SupplementFacts, amount: Money) -> Result<bool, Refusal> {
    if amount <= Money::ZERO {
        return Err(
            Refusal::new("ADJUSTMENT_AMOUNT_NOT_POSITIVE", "调整金额须大于零").field("amount"),
        );
    }
    if !f.in_library {
        return Err(Refusal::new(
            "SUPPLEMENT_NOT_IN_LIBRARY",
            "执行中追加也须先纳入项目库：该项目尚未入库",
        )
        .field("project_id")
        .clause("QJ-2a"));
    }
    let major = amount >= f.major_threshold;
    if major {
        let missing: Vec<&str> = [
            (f.ex_ante_supports, "事前绩效评估予以支持"),
            (f.capacity_passed, "财政承受能力评估通过"),
        ]
        .into_iter()
        .filter(|(ok, _)| *ok != Some(true))
        .map(|(_, what)| what)
        .collect();
        if !missing.is_empty() {
            return Err(Refusal::new(
                "SUPPLEMENT_ASSESSMENT_MISSING",
                format!(
                    "重大追加（{} 元及以上）须事先评审论证：尚缺{}",
                    f.major_threshold.to_yuan_display(),
                    missing.join("、")
                ),
            )
            .field("project_id")
            .clause("ZB-7b"));
        }
    }
    Ok(major)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(id: i64, code: &'a str, source: &'a str) -> LineSide<'a> {
        LineSide {
            id,
            fiscal_year: 2026,
            department_id: 7,
            economic_code: code,
            source,
        }
    }

    #[test]
    fn zb_7b_a_transfer_keeps_personnel_and_public_apart_and_leaves_carry_over_alone() {
        let yuan = Money::from_yuan(100);
        assert!(
            check_transfer(
                &side(1, "30201", "allocation"),
                &side(2, "31002", "transfer"),
                yuan
            )
            .is_ok()
        );
        assert!(
            check_transfer(
                &side(1, "30101", "allocation"),
                &side(2, "30301", "allocation"),
                yuan
            )
            .is_ok()
        );
        let code =
            |from: LineSide, to: LineSide| check_transfer(&from, &to, yuan).unwrap_err().code;
        assert_eq!(
            code(
                side(1, "30101", "allocation"),
                side(2, "30201", "allocation")
            ),
            "ADJUSTMENT_CLASS_SWAP"
        );
        assert_eq!(
            code(
                side(1, "30201", "allocation"),
                side(2, "30302", "allocation")
            ),
            "ADJUSTMENT_CLASS_SWAP"
        );
        assert_eq!(
            code(
                side(1, "30201", "carryover"),
                side(2, "30202", "allocation")
            ),
            "ADJUSTMENT_CARRYOVER"
        );
        assert_eq!(
            code(
                side(1, "30201", "allocation"),
                side(1, "30201", "allocation")
            ),
            "ADJUSTMENT_SAME_LINE"
        );
        let mut other = side(2, "30201", "allocation");
        other.department_id = 8;
        assert_eq!(
            code(side(1, "30201", "allocation"), other),
            "ADJUSTMENT_OUTSIDE_DEPARTMENT"
        );
        assert_eq!(
            check_transfer(
                &side(1, "30201", "allocation"),
                &side(2, "30202", "allocation"),
                Money::ZERO
            )
            .unwrap_err()
            .code,
            "ADJUSTMENT_AMOUNT_NOT_POSITIVE"
        );
    }

    #[test]
    fn qj_2a_zb_7b_a_supplement_needs_the_library_and_a_major_one_its_assessments() {
        let facts = SupplementFacts {
            in_library: true,
            major_threshold: Money::from_yuan(5_000_000),
            ex_ante_supports: None,
            capacity_passed: None,
        };
        assert_eq!(
            check_supplement(&facts, Money::from_yuan(4_999_999)),
            Ok(false)
        );
        let major = check_supplement(&facts, Money::from_yuan(5_000_000)).unwrap_err();
        assert_eq!(
            (major.code, major.clause),
            ("SUPPLEMENT_ASSESSMENT_MISSING", Some("ZB-7b"))
        );
        assert!(
            major
                .message
                .contains("事前绩效评估予以支持、财政承受能力评估通过"),
            "{}",
            major.message
        );
        let assessed = SupplementFacts {
            ex_ante_supports: Some(true),
            capacity_passed: Some(true),
            ..facts.clone()
        };
        assert_eq!(
            check_supplement(&assessed, Money::from_yuan(6_000_000)),
            Ok(true)
        );
        let failed = SupplementFacts {
            capacity_passed: Some(false),
            ..assessed.clone()
        };
        assert!(
            check_supplement(&failed, Money::from_yuan(6_000_000))
                .unwrap_err()
                .message
                .contains("财政承受能力评估通过")
        );
        let outside = SupplementFacts {
            in_library: false,
            ..assessed
        };
        assert_eq!(
            check_supplement(&outside, Money::from_yuan(1))
                .unwrap_err()
                .clause,
            Some("QJ-2a")
        );
    }

    #[test]
    fn zb_7b_a_transfer_takes_no_more_than_its_line_has_available() {
        let lines = Money::from_yuan(100);
        assert!(check_within_available("会议费", lines, Money::from_yuan(100)).is_ok());
        let r = check_within_available("会议费", lines, Money::from_yuan(101)).unwrap_err();
        assert_eq!(
            (r.code, r.clause, r.field.as_deref()),
            ("ADJUSTMENT_ABOVE_AVAILABLE", Some("ZB-7b"), Some("amount"))
        );
        assert_eq!(
            r.message,
            "调出 101.00 元超过指标“会议费”可用余额 100.00 元"
        );
        assert_eq!(
            (
                AdjustmentKind::Transfer.movement(),
                AdjustmentKind::Supplement.movement()
            ),
            (Movement::Transfer, Movement::Supplement)
        );
    }
}
