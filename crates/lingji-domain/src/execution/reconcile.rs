//! A year's budget lines held against their ledger entries (ZB-7a): every balance column of the
//! lines, summed over the year, must equal what the entries of those lines add up to, kind by
//! kind, and the money closed at year-end must equal what the close recorded as carried over
//! plus recovered. The annual report states the totals and says whether they agree; when they
//! do not, it shows each disagreement rather than one of the two figures.

use serde::Serialize;

use crate::money::Money;

/// Ledger entries of a year's lines, summed by kind (adjustments signed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EntrySums {
    /// `approve`.
    pub approve: Money,
    /// `adjust`, signed.
    pub adjust: Money,
    /// `reserve`.
    pub reserve: Money,
    /// `release`.
    pub release: Money,
    /// `settle`.
    pub settle: Money,
    /// `close`.
    pub close: Money,
}

/// One figure on which the lines and their entries (or the close) do not agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// What is compared, in Chinese.
    pub figure: &'static str,
    /// The sum of the lines' balance column.
    pub lines: Money,
    /// What the entries (or the recorded close) say.
    pub entries: Money,
}

fn overflow() -> Money {
    // Sums of one year's lines stay far inside i64 fen; an overflow is reported as a
    // disagreement of its own (a figure no ledger could produce) rather than a panic.
    Money::from_fen(i64::MIN)
}

/// Compares a year's line balances (`lines`: the summed columns) with their entries and, when
/// the year is closed, with the close's carried + recovered. Empty when everything agrees.
pub fn reconcile(
    lines: &super::Balance,
    entries: &EntrySums,
    close: Option<(Money, Money)>,
) -> Vec<Disagreement> {
    // What is held now: every hold less what was released or paid from holds.
    let held = entries
        .reserve
        .checked_sub(entries.release)
        .and_then(|m| m.checked_sub(entries.settle))
        .unwrap_or_else(overflow);
    let mut out: Vec<Disagreement> = [
        ("批复", lines.approved, entries.approve),
        ("调整", lines.adjusted, entries.adjust),
        ("在途（冻结）", lines.reserved, held),
        ("已支付", lines.spent, entries.settle),
        ("年终结转与收回", lines.closed, entries.close),
    ]
    .into_iter()
    .filter(|(_, l, e)| l != e)
    .map(|(figure, lines, entries)| Disagreement {
        figure,
        lines,
        entries,
    })
    .collect();
    if let Some((carried, recovered)) = close {
        let recorded = carried.checked_add(recovered).unwrap_or_else(overflow);
        if recorded != lines.closed {
            out.push(Disagreement {
                figure: "年终结转记录（结转 + 收回）",
                lines: lines.closed,
                entries: recorded,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::{Balance, Movement, apply};

    fn yuan(y: i64) -> Money {
        Money::from_yuan(y)
    }

    #[test]
    fn zb_7a_a_ledger_replayed_agrees_with_its_balance() {
        let moves = [
            Movement::Approve(yuan(1_000)),
            Movement::Adjust(yuan(-100)),
            Movement::Reserve(yuan(300)),
            Movement::Settle(yuan(200)),
            Movement::Release(yuan(50)),
            Movement::Close(yuan(400)),
        ];
        let mut b = Balance::default();
        let mut e = EntrySums::default();
        for m in moves {
            b = apply(&b, m).unwrap();
            let add = |s: &mut Money, a: Money| *s = s.checked_add(a).unwrap();
            match m {
                Movement::Approve(a) => add(&mut e.approve, a),
                Movement::Adjust(a) => add(&mut e.adjust, a),
                Movement::Reserve(a) => add(&mut e.reserve, a),
                Movement::Release(a) => add(&mut e.release, a),
                Movement::Settle(a) => add(&mut e.settle, a),
                Movement::Close(a) => add(&mut e.close, a),
            }
        }
        assert_eq!(reconcile(&b, &e, Some((yuan(150), yuan(250)))), vec![]);
    }

    #[test]
    fn zb_7a_each_disagreement_is_named_with_both_figures() {
        let b = Balance {
            approved: yuan(1_000),
            spent: yuan(200),
            closed: yuan(100),
            ..Balance::default()
        };
        let e = EntrySums {
            approve: yuan(1_000),
            reserve: yuan(200),
            settle: yuan(199),
            close: yuan(100),
            ..EntrySums::default()
        };
        let d = reconcile(&b, &e, Some((yuan(60), yuan(30))));
        let figures: Vec<&str> = d.iter().map(|d| d.figure).collect();
        assert_eq!(
            figures,
            ["在途（冻结）", "已支付", "年终结转记录（结转 + 收回）"]
        );
        assert_eq!((d[1].lines, d[1].entries), (yuan(200), yuan(199)));
    }
}
