//! Fund pools 资金池 (ZX-3b, ZB-10, ZB-12): special funds of several departments merged into one
//! pool of a year, with one lead department (牵头部门), one application gate (a deadline: units
//! apply to the pool, not to each fund) and one allocation of the pool's money to the
//! applications. The pool's size is the sum of its members' amounts, exact to the fen; an
//! allocation never gives more than the size, and what it gives plus what is left is the size.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Money, Refusal};

/// The clause pools serve.
pub const CLAUSE: &str = "ZX-3b";

/// A special fund merged into a pool, with the amount it brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMember {
    /// Code of the fund in the special-fund registry (ZB-12).
    pub fund_code: String,
    /// The fund's name as the registry has it.
    pub fund_name: String,
    /// The fund's lead department in the registry.
    pub department_id: i64,
    /// What the fund brings into the pool.
    pub amount: Money,
}

/// A pool as finance sets it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolDraft {
    pub name: String,
    pub fiscal_year: i32,
    /// 牵头部门: one of the members' departments.
    pub lead_department_id: Option<i64>,
    /// The gate: applications are taken up to and including this day (Beijing time).
    pub deadline: Option<NaiveDate>,
    pub members: Vec<PoolMember>,
}

/// A fund already in another pool of the same year: its code and that pool's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub fund_code: String,
    pub pool_name: String,
}

impl PoolDraft {
    /// The pool's size: the members' amounts added up (None on overflow).
    pub fn size(&self) -> Option<Money> {
        Money::checked_sum(self.members.iter().map(|m| m.amount))
    }

    /// Every reason the pool cannot stand, each with its field and clause. `taken` lists the
    /// funds already in another pool of the year (a special fund is in at most one pool a
    /// year).
    pub fn check(&self, taken: &[Taken]) -> Vec<Refusal> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            out.push(
                Refusal::new("POOL_NAME_INVALID", "请填写资金池名称（不超过 60 个字）")
                    .field("name"),
            );
        }
        if !(2000..=2100).contains(&self.fiscal_year) {
            out.push(
                Refusal::new("YEAR_OUT_OF_RANGE", "预算年度应在 2000–2100 之间")
                    .field("fiscal_year"),
            );
        }
        if self.deadline.is_none() {
            out.push(
                Refusal::new(
                    "POOL_DEADLINE_MISSING",
                    "请填写申报截止日期（资金池统一一个口子申报）",
                )
                .field("deadline")
                .clause(CLAUSE),
            );
        }
        for (i, m) in self.members.iter().enumerate() {
            if m.amount <= Money::ZERO {
                out.push(
                    Refusal::new("POOL_MEMBER_AMOUNT", "纳入资金池的金额须大于零")
                        .field(format!("members[{i}].amount"))
                        .clause(CLAUSE),
                );
            }
            let code = m.fund_code.trim();
            if self.members[..i].iter().any(|o| o.fund_code.trim() == code) {
                out.push(
                    Refusal::new("POOL_FUND_TWICE", "同一专项资金只能纳入一次")
                        .field(format!("members[{i}].fund_code"))
                        .clause(CLAUSE),
                );
            }
            if let Some(t) = taken.iter().find(|t| t.fund_code == code) {
                out.push(
                    Refusal::new(
                        "POOL_FUND_TAKEN",
                        format!(
                            "专项资金“{}”已纳入本年度资金池“{}”，一项专项资金一年只能归并一个资金池",
                            m.fund_name, t.pool_name
                        ),
                    )
                    .field(format!("members[{i}].fund_code"))
                    .clause(CLAUSE),
                );
            }
        }
        let mut departments: Vec<i64> = self.members.iter().map(|m| m.department_id).collect();
        departments.sort_unstable();
        departments.dedup();
        if self.members.len() < 2 || departments.len() < 2 {
            out.push(
                Refusal::new(
                    "POOL_ONE_DEPARTMENT",
                    "资金池归并多个部门的专项资金：请至少选择两个部门的专项资金",
                )
                .field("members")
                .clause(CLAUSE),
            );
        }
        match self.lead_department_id {
            None => out.push(
                Refusal::new("POOL_LEAD_MISSING", "请选择牵头部门")
                    .field("lead_department_id")
                    .clause(CLAUSE),
            ),
            Some(lead) if !departments.is_empty() && !departments.contains(&lead) => out.push(
                Refusal::new(
                    "POOL_LEAD_NOT_MEMBER",
                    "牵头部门须是纳入资金池的专项资金的主管部门之一",
                )
                .field("lead_department_id")
                .clause(CLAUSE),
            ),
            Some(_) => {}
        }
        if self.size().is_none() {
            out.push(
                Refusal::new("POOL_SIZE_OVERFLOW", "资金池规模超出可记录的范围")
                    .field("members")
                    .clause(CLAUSE),
            );
        }
        out
    }

    /// Whether the gate takes an application on `today` (the deadline day included).
    pub fn gate_open(deadline: NaiveDate, today: NaiveDate) -> bool {
        today <= deadline
    }
}

/// What an application asks for, checked against the pool's size.
pub fn check_request(requested: Money, size: Money) -> Result<(), Refusal> {
    if requested <= Money::ZERO {
        return Err(
            Refusal::new("POOL_REQUEST_NOT_POSITIVE", "申请金额须大于零")
                .field("amount")
                .clause(CLAUSE),
        );
    }
    if requested > size {
        return Err(Refusal::new(
            "POOL_REQUEST_OVER_SIZE",
            format!(
                "申请金额 {} 元超过资金池规模 {} 元",
                requested.to_yuan_display(),
                size.to_yuan_display()
            ),
        )
        .field("amount")
        .clause(CLAUSE));
    }
    Ok(())
}

/// One application's share in an allocation: what it asked and what it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub requested: Money,
    pub given: Money,
}

/// An allocation that stands: given in total and left in the pool; `given + left == size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocated {
    pub given: Money,
    pub left: Money,
}

/// Checks an allocation of a pool of `size` over the applications' shares (in the order the
/// form lists them, so each refusal names `shares[i].amount`): no share negative or above
/// what was asked, the total never above the size (ZX-3b).
pub fn allocate(size: Money, shares: &[Share]) -> Result<Allocated, Vec<Refusal>> {
    let mut out = Vec::new();
    for (i, s) in shares.iter().enumerate() {
        if s.given.is_negative() {
            out.push(
                Refusal::new("POOL_SHARE_NEGATIVE", "分配金额不能为负数")
                    .field(format!("shares[{i}].amount"))
                    .clause(CLAUSE),
            );
        } else if s.given > s.requested {
            out.push(
                Refusal::new(
                    "POOL_SHARE_OVER_REQUEST",
                    format!(
                        "分配金额不能超过申请金额 {} 元",
                        s.requested.to_yuan_display()
                    ),
                )
                .field(format!("shares[{i}].amount"))
                .clause(CLAUSE),
            );
        }
    }
    let given = Money::checked_sum(shares.iter().map(|s| s.given.max(Money::ZERO)));
    match given {
        Some(given) if given <= size => {
            if out.is_empty() {
                let left = size.checked_sub(given).unwrap_or(Money::ZERO);
                return Ok(Allocated { given, left });
            }
        }
        _ => out.push(
            Refusal::new(
                "POOL_OVER_SIZE",
                format!(
                    "分配合计 {} 元超过资金池规模 {} 元",
                    given.map_or_else(|| "—".to_string(), Money::to_yuan_display),
                    size.to_yuan_display()
                ),
            )
            .field("shares")
            .clause(CLAUSE),
        ),
    }
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(code: &str, department: i64, yuan: i64) -> PoolMember {
        PoolMember {
            fund_code: code.into(),
            fund_name: format!("{code}专项"),
            department_id: department,
            amount: Money::from_yuan(yuan),
        }
    }

    fn draft(members: Vec<PoolMember>, lead: i64) -> PoolDraft {
        PoolDraft {
            name: "产业发展资金池".into(),
            fiscal_year: 2026,
            lead_department_id: Some(lead),
            deadline: NaiveDate::from_ymd_opt(2026, 3, 31),
            members,
        }
    }

    fn codes(r: &[Refusal]) -> Vec<&str> {
        r.iter().map(|r| r.code).collect()
    }

    #[test]
    fn zx_3b_a_pool_is_the_sum_of_its_members_of_several_departments() {
        let d = draft(
            vec![member("A", 1, 100), member("B", 2, 250), member("C", 2, 1)],
            2,
        );
        assert!(d.check(&[]).is_empty(), "{:?}", d.check(&[]));
        assert_eq!(d.size(), Some(Money::from_yuan(351)));
        let one = draft(vec![member("A", 1, 100), member("B", 1, 100)], 1);
        assert_eq!(codes(&one.check(&[])), ["POOL_ONE_DEPARTMENT"]);
        let lead = draft(vec![member("A", 1, 100), member("B", 2, 100)], 3);
        assert_eq!(codes(&lead.check(&[])), ["POOL_LEAD_NOT_MEMBER"]);
    }

    #[test]
    fn zx_3b_a_fund_is_in_one_pool_a_year() {
        let d = draft(vec![member("A", 1, 100), member("B", 2, 100)], 1);
        let taken = [Taken {
            fund_code: "B".into(),
            pool_name: "会议培训资金池".into(),
        }];
        let r = d.check(&taken);
        assert_eq!(
            (r[0].code, r[0].field.as_deref(), r[0].clause),
            (
                "POOL_FUND_TAKEN",
                Some("members[1].fund_code"),
                Some("ZX-3b")
            )
        );
        let twice = draft(vec![member("A", 1, 100), member("A", 2, 100)], 1);
        assert!(codes(&twice.check(&[])).contains(&"POOL_FUND_TWICE"));
    }

    #[test]
    fn zx_3b_an_allocation_never_exceeds_the_pool_and_adds_up() {
        let s = |r: i64, g: i64| Share {
            requested: Money::from_fen(r),
            given: Money::from_fen(g),
        };
        let size = Money::from_fen(1_000);
        assert_eq!(
            allocate(size, &[s(600, 600), s(500, 399)]),
            Ok(Allocated {
                given: Money::from_fen(999),
                left: Money::from_fen(1)
            })
        );
        let over = allocate(size, &[s(600, 600), s(500, 401)]).unwrap_err();
        assert_eq!(
            (over[0].code, over[0].clause),
            ("POOL_OVER_SIZE", Some("ZX-3b"))
        );
        let asked = allocate(size, &[s(100, 101)]).unwrap_err();
        assert_eq!(asked[0].field.as_deref(), Some("shares[0].amount"));
        assert_eq!(
            allocate(size, &[s(100, -1)]).unwrap_err()[0].code,
            "POOL_SHARE_NEGATIVE"
        );
    }

    #[test]
    fn zx_3b_the_gate_takes_the_deadline_day() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert!(PoolDraft::gate_open(d, d));
        assert!(!PoolDraft::gate_open(d, d.succ_opt().unwrap()));
        assert!(check_request(Money::from_yuan(2), Money::from_yuan(1)).is_err());
    }
}
