//! Results application before ranking: grade-linked cuts (CS-5b, QJ-5b), the across-the-board
//! cut with its exemption (CS-2b) and the five-factor adjustments (CS-5a). Each adjustment is
//! a share of the finance-reviewed amount, recorded with its clause; together they never take
//! more than that amount.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::input::{Candidate, Grade, ResultCut};
use crate::foundation::policy::{Allocation, Rate};
use crate::money::Money;

/// `rate` of `amount`, rounded half up to the fen; never more than `amount` for rates up to
/// 100 %.
pub fn share(amount: Money, rate: Rate) -> Money {
    let fen = i128::from(amount.fen());
    let bp = i128::from(rate.basis_points().min(Rate::FULL.basis_points()));
    let part = (fen * bp + 5_000).div_euclid(10_000);
    // |part| ≤ |amount|, so it fits in i64.
    Money::from_fen(i64::try_from(part).unwrap_or(amount.fen()))
}

/// What an adjustment is; renders as its Chinese label. Kept structured so that a run over a
/// million projects does not format a million labels nobody reads; stored adjustments come
/// back as their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// 上年绩效评价“中”，压减 20%.
    Grade(Grade, Rate),
    /// 上年绩效评价“差”，取消安排.
    CancelOnPoor,
    /// 上年绩效评价“中”，结果应用确认压减 25% (finance overrode the profile, PM-13).
    Confirmed(Grade, Rate),
    /// 上年绩效评价“差”，结果应用确认取消 (PM-13).
    Retired(Grade),
    /// 上年执行率 60%，低于 80%，压减 10%.
    Execution {
        /// Last year's rate.
        rate: Rate,
        /// The profile's threshold.
        below: Rate,
        cut: Rate,
    },
    /// 测算细化程度不足，压减 10%.
    Detail(Rate),
    /// 审计发现问题 2 个未整改，压减 10%.
    Audit(u32, Rate),
    /// 单位存量资金 30.00 万元，按 100% 抵顶.
    StockFunds(Money, Rate),
    /// 重点专项在上年 300.00 万元基础上压减 20%.
    AcrossTheBoard(Money, Rate),
    /// A stored label.
    Text(String),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Grade(g, r) => write!(
                f,
                "上年绩效评价“{}”，压减 {}",
                g.label(),
                r.to_percent_display()
            ),
            Label::CancelOnPoor => f.write_str("上年绩效评价“差”，取消安排"),
            Label::Confirmed(g, r) => write!(
                f,
                "上年绩效评价“{}”，结果应用确认压减 {}",
                g.label(),
                r.to_percent_display()
            ),
            Label::Retired(g) => write!(f, "上年绩效评价“{}”，结果应用确认取消", g.label()),
            Label::Execution { rate, below, cut } => write!(
                f,
                "上年执行率 {}，低于 {}，压减 {}",
                rate.to_percent_display(),
                below.to_percent_display(),
                cut.to_percent_display()
            ),
            Label::Detail(r) => write!(f, "测算细化程度不足，压减 {}", r.to_percent_display()),
            Label::Audit(n, r) => write!(
                f,
                "审计发现问题 {n} 个未整改，压减 {}",
                r.to_percent_display()
            ),
            Label::StockFunds(m, r) => write!(
                f,
                "单位存量资金 {} 万元，按 {} 抵顶",
                m.to_wan_display(),
                r.to_percent_display()
            ),
            Label::AcrossTheBoard(m, r) => write!(
                f,
                "重点专项在上年 {} 万元基础上压减 {}",
                m.to_wan_display(),
                r.to_percent_display()
            ),
            Label::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Label::Text)
    }
}

/// One reduction of a candidate's amount, with the clause that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub clause: Cow<'static, str>,
    /// What it is, in Chinese (e.g. "上年绩效评价“中”，压减 20%").
    pub label: Label,
    /// Amount taken off (positive).
    pub amount: Money,
}

/// The cut the profile makes for a grade (CS-5b, QJ-5b): none for 优, the profile's rate
/// otherwise, and retirement for 差 when the profile cancels rather than cuts.
pub fn grade_cut(g: Grade, p: &Allocation) -> ResultCut {
    let rate = match g {
        Grade::Excellent => Rate(0),
        Grade::Good => p.cut_good,
        Grade::Fair => p.cut_fair,
        Grade::Poor => p.cut_poor,
    };
    ResultCut {
        rate,
        retire: g == Grade::Poor && p.cancel_on_poor,
    }
}

/// The adjustments of a candidate and whether it is cancelled (差 with `cancel_on_poor`).
pub fn adjust(c: &Candidate, p: &Allocation) -> (Vec<Adjustment>, bool) {
    let base = c.reviewed;
    let mut out = Vec::new();
    let mut cut = |clause: &'static str, label: Label, rate: Rate| {
        let amount = share(base, rate);
        if amount > Money::ZERO {
            out.push(Adjustment {
                clause: Cow::Borrowed(clause),
                label,
                amount,
            });
        }
    };
    if let Some(g) = c.last_grade {
        let decided = c.result_cut.unwrap_or_else(|| grade_cut(g, p));
        let (clause, cancel, label) = match c.result_cut {
            Some(_) => (
                "PM-13",
                Label::Retired(g),
                Label::Confirmed(g, decided.rate),
            ),
            // The profile's cut, under the clause the profile follows (CS-5b, QJ-5b, PM-13).
            None => (
                p.grade_cut_clause.id(),
                Label::CancelOnPoor,
                Label::Grade(g, decided.rate),
            ),
        };
        if decided.retire {
            return (
                vec![Adjustment {
                    clause: Cow::Borrowed(clause),
                    label: cancel,
                    amount: base,
                }],
                true,
            );
        }
        cut(clause, label, decided.rate);
    }
    let s = &c.signals;
    if let Some(rate) = s.execution_rate.filter(|r| *r < p.factor_execution_below) {
        cut(
            "CS-5a",
            Label::Execution {
                rate,
                below: p.factor_execution_below,
                cut: p.factor_execution_cut,
            },
            p.factor_execution_cut,
        );
    }
    if s.detail_insufficient {
        cut(
            "CS-5a",
            Label::Detail(p.factor_detail_cut),
            p.factor_detail_cut,
        );
    }
    if s.audit_findings > 0 {
        cut(
            "CS-5a",
            Label::Audit(s.audit_findings, p.factor_audit_cut),
            p.factor_audit_cut,
        );
    }
    let offset = share(s.stock_funds, p.factor_stock_funds_offset);
    if offset > Money::ZERO {
        out.push(Adjustment {
            clause: Cow::Borrowed("CS-5a"),
            label: Label::StockFunds(s.stock_funds, p.factor_stock_funds_offset),
            amount: offset,
        });
    }
    // CS-2b: a key special project gets at most last year's amount less the cut.
    let exempt = c.livelihood && p.across_the_board_exempt_livelihood;
    if let Some(last) = c.last_year.filter(|_| c.key_special && !exempt) {
        let cap = last.checked_sub(share(last, p.across_the_board_cut));
        let taken = out
            .iter()
            .fold(Money::ZERO, |s, a| s.checked_add(a.amount).unwrap_or(s));
        let after = base.checked_sub(taken).unwrap_or(Money::ZERO);
        if let Some(cap) = cap.filter(|cap| after > *cap) {
            out.push(Adjustment {
                clause: Cow::Borrowed("CS-2b"),
                label: Label::AcrossTheBoard(last, p.across_the_board_cut),
                amount: after.checked_sub(cap).unwrap_or(Money::ZERO),
            });
        }
    }
    // Together the adjustments take at most the reviewed amount: the last ones shrink.
    let mut left = base;
    for a in &mut out {
        a.amount = a.amount.min(left);
        left = left.checked_sub(a.amount).unwrap_or(Money::ZERO);
    }
    out.retain(|a| a.amount > Money::ZERO);
    (out, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::input::Signals;
    use crate::foundation::policy::{Preset, preset};
    use crate::library::tier::SpendingTier;

    /// A general-development candidate of `yuan` (the run's tests build them).
    fn candidate(id: i64, yuan: i64) -> Candidate {
        let mut c = crate::allocation::tests::candidate(id, SpendingTier::GeneralDevelopment, 0);
        c.requested = Money::from_yuan(yuan);
        c.reviewed = c.requested;
        c
    }

    fn profile() -> Allocation {
        let mut a = preset(Preset::LianyungangCity).allocation;
        a.cut_good = Rate(0);
        a.cut_fair = Rate::percent(20);
        a.cut_poor = Rate::percent(50);
        a.cancel_on_poor = false;
        a
    }

    #[test]
    fn share_rounds_half_up_to_the_fen() {
        assert_eq!(
            share(Money::from_fen(5), Rate::percent(50)),
            Money::from_fen(3)
        );
        assert_eq!(
            share(Money::from_fen(4), Rate::percent(50)),
            Money::from_fen(2)
        );
        assert_eq!(
            share(Money::from_yuan(100), Rate(1_174)),
            Money::from_fen(1_174)
        );
        assert_eq!(
            share(Money::from_yuan(100), Rate(20_000)),
            Money::from_yuan(100)
        );
    }

    #[test]
    fn cs_5b_a_fair_grade_cuts_by_the_profiles_rate_and_a_poor_one_may_cancel() {
        let mut c = candidate(1, 1_000_000);
        c.last_grade = Some(Grade::Fair);
        let (adj, cancelled) = adjust(&c, &profile());
        assert!(!cancelled);
        assert_eq!(adj.len(), 1);
        assert_eq!(
            (&*adj[0].clause, adj[0].amount),
            ("CS-5b", Money::from_yuan(200_000))
        );
        assert_eq!(adj[0].label.to_string(), "上年绩效评价“中”，压减 20%");
        c.last_grade = Some(Grade::Poor);
        let mut p = profile();
        p.cancel_on_poor = true;
        let (adj, cancelled) = adjust(&c, &p);
        assert!(cancelled);
        assert_eq!(adj[0].amount, c.reviewed);
    }

    #[test]
    fn pm_13_a_confirmed_result_replaces_the_profiles_cut_and_may_retire() {
        let mut c = candidate(1, 1_000_000);
        c.last_grade = Some(Grade::Fair);
        c.result_cut = Some(ResultCut {
            rate: Rate::percent(35),
            retire: false,
        });
        let (adj, cancelled) = adjust(&c, &profile());
        assert!(!cancelled);
        assert_eq!(
            (&*adj[0].clause, adj[0].amount),
            ("PM-13", Money::from_yuan(350_000))
        );
        assert_eq!(
            adj[0].label.to_string(),
            "上年绩效评价“中”，结果应用确认压减 35%"
        );
        c.result_cut = Some(ResultCut {
            rate: Rate::FULL,
            retire: true,
        });
        let (adj, cancelled) = adjust(&c, &profile());
        assert!(cancelled);
        assert_eq!(adj[0].amount, c.reviewed);
        assert_eq!(
            adj[0].label.to_string(),
            "上年绩效评价“中”，结果应用确认取消"
        );
    }

    #[test]
    fn qj_5b_below_good_is_cut_by_the_profiles_rate_and_excellent_is_not() {
        let mut p = profile();
        p.cut_good = Rate::percent(10);
        let mut c = candidate(1, 1_000_000);
        c.last_grade = Some(Grade::Good);
        let (adj, _) = adjust(&c, &p);
        assert_eq!(adj[0].amount, Money::from_yuan(100_000));
        assert_eq!(adj[0].label.to_string(), "上年绩效评价“良”，压减 10%");
        c.last_grade = Some(Grade::Excellent);
        assert!(adjust(&c, &p).0.is_empty(), "优 keeps its amount (PM-13)");
    }

    #[test]
    fn cs_5a_factors_each_cut_the_reviewed_amount_and_never_more_than_it() {
        let mut p = profile();
        p.factor_execution_below = Rate::percent(80);
        p.factor_execution_cut = Rate::percent(10);
        p.factor_detail_cut = Rate::percent(10);
        p.factor_audit_cut = Rate::percent(10);
        p.factor_stock_funds_offset = Rate::FULL;
        let mut c = candidate(1, 100_000);
        c.signals = Signals {
            execution_rate: Some(Rate::percent(60)),
            detail_insufficient: true,
            stock_funds: Money::from_yuan(500_000),
            audit_findings: 2,
        };
        let (adj, _) = adjust(&c, &p);
        let clauses: Vec<_> = adj.iter().map(|a| &*a.clause).collect();
        assert_eq!(clauses, ["CS-5a"; 4]);
        let total = adj
            .iter()
            .fold(Money::ZERO, |s, a| s.checked_add(a.amount).unwrap());
        assert_eq!(
            total, c.reviewed,
            "stock funds cover the rest, nothing beyond"
        );
        assert_eq!(
            adj[0].label.to_string(),
            "上年执行率 60%，低于 80%，压减 10%"
        );
    }

    #[test]
    fn cs_2b_caps_a_key_special_project_at_last_year_less_the_cut_unless_livelihood() {
        let mut p = profile();
        p.across_the_board_cut = Rate::percent(20);
        p.across_the_board_exempt_livelihood = true;
        let mut c = candidate(1, 1_000_000);
        c.key_special = true;
        c.last_year = Some(Money::from_yuan(1_000_000));
        let (adj, _) = adjust(&c, &p);
        assert_eq!(
            (&*adj[0].clause, adj[0].amount),
            ("CS-2b", Money::from_yuan(200_000))
        );
        c.livelihood = true;
        assert!(adjust(&c, &p).0.is_empty());
    }
}
