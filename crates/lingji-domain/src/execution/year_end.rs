//! The year-end close (ZB-6d, QJ-4b, ZX-3c, CS-6): what is left on every line becomes
//! carry-over (结转, opening a line next year with its age) or surplus (结余, recovered by
//! finance), by the profile. The first rule that applies decides, in this order:
//!
//! 1. 三公 balances are recovered (CS-6) when the profile says so;
//! 2. basic expenditure balances are recovered (QJ-4b, CS-6) when the profile says so;
//! 3. a carried-over balance unused this year and idle for the profile's number of years is
//!    recovered (ZX-3c);
//! 4. an upper transfer carried over for its years is recovered (QJ-4b); other project money
//!    carried over for its years is recovered (CS-6);
//! 5. operating leftovers (meeting, training, business and special work funds) are carried
//!    only as far as signed contracts back them, the rest recovered (ZB-6d);
//! 6. everything else is carried over one more year.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::policy::Execution;

use super::rules::{SANGONG, in_codes};

/// Economic codes of meeting and training expenses (会议费, 培训费): operating money (ZB-6d).
const OPERATING_CODES: &[&str] = &["30215", "30216"];

/// What the close needs to know of one line.
#[derive(Debug, Clone)]
pub struct CloseFacts<'a> {
    /// Available at year-end (budget less held, paid, closed).
    pub available: Money,
    /// Economic code.
    pub economic_code: &'a str,
    /// The line funds a project (else basic expenditure).
    pub project: bool,
    /// The money came from an upper transfer.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Count, Preset, preset};

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
}
