//! The year-end close (ZB-6d, QJ-4b, ZX-3c, CS-6): what is left on every line becomes
//! carry-over (结转, opening a line next year with its age) or surplus (结余, recovered by
//! finance), by the profile. The first rule that applies decides, in this order:
//!
//! 1. 三公 balances are recovered (CS-6) when the profile says so;
//! 2. basic expenditure balances are recovered (QJ-4b, CS-6) when the profile says so;
//! 3. the jurisdiction's own project money is recovered (QJ-4b) when the profile says so —
//!    this year's and carried-over alike; upper transfers go on to rule 5;
//! 4. a carried-over balance unused this year and idle for the profile's number of years is
//!    recovered (ZX-3c);
//! 5. an upper transfer carried over for its years is recovered (QJ-4b); other project money
//!    carried over for its years is recovered (CS-6);
//! 6. operating leftovers (meeting, training, business and special work funds) are carried
//!    only as far as signed contracts back them, the rest recovered (ZB-6d);
//! 7. everything else is carried over one more year.
//!
//! Whether money came from an upper transfer is a property of the money, not of the line: a
//! carry-over line keeps the origin of the line it was carried from ([`CloseFacts::upper_transfer`]).

use serde::{Deserialize, Serialize};

use crate::foundation::fund::FundBook;
use crate::foundation::policy::Execution;
use crate::money::Money;

use super::rules::{SANGONG, in_codes};

/// Economic codes of meeting and training expenses (会议费, 培训费): operating money (ZB-6d).
const OPERATING_CODES: &[&str] = &["30215", "30216"];

/// What the close needs to know of one line.
#[derive(Debug, Clone)]
pub struct CloseFacts<'a> {
    /// Available at year-end (budget less held, paid, closed).
    pub available: Money,
    pub economic_code: &'a str,
    /// The line funds a project (else basic expenditure).
    pub project: bool,
    /// The money came from an upper transfer — entered as one, in the upper-transfer book, or
    /// carried over from such a line.
    pub upper_transfer: bool,
    /// Year-ends it has already been carried through (0 for this year's money).
    pub age: u32,
    /// Consecutive years it was carried without being used, before this one.
    pub idle_years: u32,
    /// Anything was paid from it this year.
    pub used_this_year: bool,
    /// Signed contracts not yet paid that it backs (ZB-6d), as the close was told.
    pub contracts: Money,
}

/// How the close treats one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineClose {
    /// Carried over to next year.
    pub carried: Money,
    /// Recovered as surplus.
    pub recovered: Money,
    /// The clause that decided.
    pub clause: &'static str,
    /// Why, in Chinese.
    pub reason: String,
    /// Age of the carried money next year.
    pub next_age: u32,
    /// Idle years of the carried money next year.
    pub next_idle: u32,
}

/// Decides the close of one line (see the module documentation for the order).
pub fn close_line(f: &CloseFacts, p: &Execution) -> LineClose {
    let next_idle = if f.used_this_year || f.age == 0 {
        0
    } else {
        f.idle_years + 1
    };
    let recover = |clause: &'static str, reason: String| LineClose {
        carried: Money::ZERO,
        recovered: f.available,
        clause,
        reason,
        next_age: 0,
        next_idle: 0,
    };
    let carry = |clause: &'static str, reason: String| LineClose {
        carried: f.available,
        recovered: Money::ZERO,
        clause,
        reason,
        next_age: f.age + 1,
        next_idle,
    };
    if p.recover_three_public_at_year_end && in_codes(SANGONG, f.economic_code) {
        return recover("CS-6", "“三公”经费结余年终收回".into());
    }
    if p.recover_basic_at_year_end && !f.project && f.age == 0 && !f.upper_transfer {
        return recover("QJ-4b", "基本支出结余年终全部收回".into());
    }
    if p.recover_project_at_year_end && f.project && !f.upper_transfer {
        return recover("QJ-4b", "本级项目支出结余年终全部收回".into());
    }
    let idle_limit = p.idle_recovery_years.0;
    if f.age > 0 && next_idle >= idle_limit {
        return recover("ZX-3c", format!("结转资金连续 {next_idle} 年未使用，收回"));
    }
    if f.upper_transfer && f.age >= p.transfer_carryover_years.0 {
        return recover(
            "QJ-4b",
            format!(
                "上级转移支付结转已满 {} 年，收回",
                p.transfer_carryover_years.0
            ),
        );
    }
    if !f.upper_transfer && f.project && f.age >= p.project_carryover_years.0 {
        return recover(
            "CS-6",
            format!("项目支出结转已满 {} 年，收回", p.project_carryover_years.0),
        );
    }
    let operating = in_codes(OPERATING_CODES, f.economic_code)
        || (f.project && f.economic_code.starts_with("302"));
    if p.operating_residual_contracts_only && operating {
        let carried = f.contracts.min(f.available).max(Money::ZERO);
        let recovered = f.available.checked_sub(carried).unwrap_or(Money::ZERO);
        return LineClose {
            carried,
            recovered,
            clause: "ZB-6d",
            reason: if carried > Money::ZERO {
                format!(
                    "运转类剩余资金：合同款 {} 元结转，其余收回",
                    carried.to_yuan_display()
                )
            } else {
                "运转类剩余资金无合同款，不再结转".into()
            },
            next_age: f.age + 1,
            next_idle,
        };
    }
    carry(
        if f.upper_transfer { "QJ-4b" } else { "CS-6" },
        "结转下年继续使用".into(),
    )
}

/// The close of money given back to a line after its year was closed: a payment held at the
/// close and rejected after it. Nothing can be paid, planned or carried on that line any more,
/// so the money is recovered at once (ZB-7a: no spending without the year's budget) and the
/// close's record grows by it; left on the line it would be counted nowhere.
pub fn released_after_close(amount: Money) -> LineClose {
    LineClose {
        carried: Money::ZERO,
        recovered: amount,
        clause: "ZB-7a",
        reason: "年终结转后退回的支付申请，资金收回".into(),
        next_age: 0,
        next_idle: 0,
    }
}

/// A movement of money that a closed year no longer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// A payment request on one of its lines.
    Payment,
    /// A new budget line (an upper transfer entered, a run's approval).
    NewLine,
    /// A supplement (追加).
    Supplement,
    /// A transfer between lines (调剂).
    Transfer,
    /// A monthly spending plan filed on one of its lines.
    Plan,
}

/// Whether a line's money came from an upper transfer (QJ-4b): entered as one (`source`
/// transfer), kept in the upper-transfer book, or carried over from such a line (its `origin`:
/// a carry-over line keeps the origin of the line it came from).
pub fn from_upper_transfer(source: &str, origin: &str, fund_book: &str) -> bool {
    source == "transfer" || origin == "transfer" || fund_book == FundBook::UpperTransfer.as_str()
}

/// A signed contract the close is told a line backs (ZB-6d) must have its number and an unpaid
/// amount above zero; `index` counts the claims from 0.
pub fn check_contract_claim(
    index: usize,
    contract_no: &str,
    amount: Money,
) -> Result<(), crate::error::Refusal> {
    if contract_no.trim().is_empty() || amount <= Money::ZERO {
        return Err(crate::error::Refusal::new(
            "CONTRACT_CLAIM_INVALID",
            format!("第 {} 条合同：须有合同编号和大于零的未付金额", index + 1),
        )
        .field(format!("contracts[{index}]"))
        .clause("ZB-6d"));
    }
    Ok(())
}

/// The refusal of a money movement in a year whose close has run: its balances have been
/// carried over or recovered once (ZB-6d, QJ-4b, CS-6), so money added, moved or paid there now
/// would never be carried or recovered. Payments and plans cite ZB-7a (no spending without a
/// budget: the year's budget is closed), lines, supplements and transfers ZB-7b (adjustments
/// are made within the year). A payment held before the close may still be paid: its money
/// stayed held on the line.
pub fn closed_year(year: i32, movement: Movement, field: &str) -> crate::error::Refusal {
    let (what, clause) = match movement {
        Movement::Payment => ("支付", "ZB-7a"),
        Movement::Plan => ("报送用款计划", "ZB-7a"),
        Movement::NewLine => ("新增预算指标", "ZB-7b"),
        Movement::Supplement => ("追加预算", "ZB-7b"),
        Movement::Transfer => ("调剂预算", "ZB-7b"),
    };
    crate::error::Refusal::new(
        "YEAR_CLOSED",
        format!(
            "{year} 年度已完成年终结转，余额已结转或收回，不能再{what}；结转资金请在 {} 年度的结转指标中办理",
            year + 1
        ),
    )
    .field(field)
    .clause(clause)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Count, Preset, preset};

    fn facts(code: &str) -> CloseFacts<'_> {
        CloseFacts {
            available: Money::from_yuan(1_000),
            economic_code: code,
            project: true,
            upper_transfer: false,
            age: 0,
            idle_years: 0,
            used_this_year: true,
            contracts: Money::ZERO,
        }
    }

    #[test]
    fn cs_6_qj_4b_sangong_and_basic_balances_are_recovered() {
        let p = preset(Preset::LianyungangCity).execution;
        let c = close_line(&facts("30217"), &p);
        assert_eq!((c.recovered, c.clause), (Money::from_yuan(1_000), "CS-6"));
        let basic = CloseFacts {
            project: false,
            ..facts("31002")
        };
        assert_eq!(close_line(&basic, &p).clause, "QJ-4b");
        // With the profile's recovery off, the basic balance carries over.
        let keep = Execution {
            recover_basic_at_year_end: false,
            ..p.clone()
        };
        assert_eq!(close_line(&basic, &keep).carried, Money::from_yuan(1_000));
    }

    #[test]
    fn zb_6d_operating_leftovers_carry_only_their_contracts() {
        let p = preset(Preset::LianyungangCity).execution;
        let meeting = CloseFacts {
            contracts: Money::from_yuan(300),
            ..facts("30215")
        };
        let c = close_line(&meeting, &p);
        assert_eq!(
            (c.carried, c.recovered, c.clause),
            (Money::from_yuan(300), Money::from_yuan(700), "ZB-6d")
        );
        // A contract larger than the balance carries the balance, never more.
        let big = CloseFacts {
            contracts: Money::from_yuan(5_000),
            ..facts("30216")
        };
        assert_eq!(close_line(&big, &p).carried, Money::from_yuan(1_000));
        // Capital spending of a project is not operating money: it carries.
        let c = close_line(&facts("31002"), &p);
        assert_eq!((c.carried, c.next_age), (Money::from_yuan(1_000), 1));
    }

    #[test]
    fn qj_4b_cs_6_carry_overs_are_recovered_after_their_years() {
        let zibo = preset(Preset::ZiboDistrict).execution;
        let transfer = CloseFacts {
            upper_transfer: true,
            ..facts("31002")
        };
        assert_eq!(
            close_line(&transfer, &zibo).carried,
            Money::from_yuan(1_000)
        );
        let carried_once = CloseFacts { age: 1, ..transfer };
        let c = close_line(&carried_once, &zibo);
        assert_eq!((c.recovered, c.clause), (Money::from_yuan(1_000), "QJ-4b"));
        let cs = preset(Preset::CsCity).execution;
        let project = CloseFacts {
            age: 1,
            ..facts("31002")
        };
        assert_eq!(close_line(&project, &cs).clause, "CS-6");
        assert_eq!(close_line(&project, &cs).recovered, Money::from_yuan(1_000));
    }

    #[test]
    fn qj_4b_own_project_money_is_recovered_and_transfers_carry_one_year() {
        let zibo = preset(Preset::ZiboDistrict).execution;
        for age in [0, 1] {
            let project = CloseFacts {
                age,
                ..facts("31002")
            };
            let c = close_line(&project, &zibo);
            assert_eq!((c.recovered, c.clause), (Money::from_yuan(1_000), "QJ-4b"));
        }
        // A transfer funding a project carries its first year, then is recovered.
        let transfer = CloseFacts {
            upper_transfer: true,
            ..facts("31002")
        };
        let c = close_line(&transfer, &zibo);
        assert_eq!((c.carried, c.next_age), (Money::from_yuan(1_000), 1));
        let c = close_line(&CloseFacts { age: 1, ..transfer }, &zibo);
        assert_eq!((c.recovered, c.clause), (Money::from_yuan(1_000), "QJ-4b"));
        // Other presets keep carrying project money.
        let lyg = preset(Preset::LianyungangCity).execution;
        assert_eq!(
            close_line(&facts("31002"), &lyg).carried,
            Money::from_yuan(1_000)
        );
    }

    #[test]
    fn zx_3c_money_idle_for_two_years_is_recovered() {
        let mut p = preset(Preset::Zixing).execution;
        p.project_carryover_years = Count(5);
        let idle_once = CloseFacts {
            age: 1,
            used_this_year: false,
            ..facts("31002")
        };
        // First idle year: carried, counting one idle year.
        let c = close_line(&idle_once, &p);
        assert_eq!((c.carried, c.next_idle), (Money::from_yuan(1_000), 1));
        let idle_twice = CloseFacts {
            age: 2,
            idle_years: 1,
            ..idle_once
        };
        let c = close_line(&idle_twice, &p);
        assert_eq!((c.recovered, c.clause), (Money::from_yuan(1_000), "ZX-3c"));
        // Used this year: the count starts again.
        let used = CloseFacts {
            used_this_year: true,
            ..idle_twice
        };
        assert_eq!(close_line(&used, &p).next_idle, 0);
    }

    #[test]
    fn qj_4b_upper_transfer_money_is_known_by_its_source_book_or_origin() {
        assert!(from_upper_transfer("transfer", "", "general_public"));
        assert!(from_upper_transfer("own", "transfer", "general_public"));
        assert!(from_upper_transfer("own", "own", "upper_transfer"));
        assert!(!from_upper_transfer("own", "own", "general_public"));
    }

    #[test]
    fn zb_6d_a_contract_claim_has_its_number_and_an_unpaid_amount() {
        assert!(check_contract_claim(0, "HT-1", Money::from_yuan(1)).is_ok());
        for (no, amount) in [(" ", Money::from_yuan(1)), ("HT-1", Money::ZERO)] {
            let r = check_contract_claim(1, no, amount).unwrap_err();
            assert_eq!(
                (r.code, r.clause, r.field.as_deref()),
                (
                    "CONTRACT_CLAIM_INVALID",
                    Some("ZB-6d"),
                    Some("contracts[1]")
                )
            );
            assert_eq!(r.message, "第 2 条合同：须有合同编号和大于零的未付金额");
        }
    }
}
