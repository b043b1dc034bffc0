//! What a project's budget lines say about it: its budget, what was paid and its execution
//! rate — the one reading that the review (ZB-5a), the five-factor cut (CS-5a), the
//! self-evaluation (PM-10, NAT-10), the year-on-year statistics (ZX-3a) and the supervision
//! trace (ZX-2) all use.
//!
//! A year-end carry-over opens a new line next year for money that is already in the budget of
//! the line it came from (`close` took it off there). Counting its opening amount again would
//! double the budget: a 425,000 元 project carried whole would read 850,000 元 and half
//! executed. So a carried-over line adds what was paid from it and any adjustment made to it,
//! never its opening amount.

use serde::{Deserialize, Serialize};

use crate::foundation::policy::Rate;
use crate::money::Money;

/// One budget line of a project, as its ledger stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineFigures {
    /// The line was opened by a year-end carry-over (`source = 'carryover'`).
    pub carried_over: bool,
    /// Its opening amount (approval, transfer, supplement or carried amount).
    pub approved: Money,
    /// Adjustments since (supplements on it, transfers in and out).
    pub adjusted: Money,
    /// Paid from it.
    pub spent: Money,
}

/// A project's budget and payments from its lines, carry-over lines counted once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectExecution {
    /// Approved plus adjustments, without the carried amounts.
    pub budget: Money,
    /// Paid, from its own lines and the lines carried from them.
    pub spent: Money,
    /// Number of lines read (a project without any has no figures from the ledger).
    pub lines: usize,
}

impl ProjectExecution {
    /// Adds up a project's lines.
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a LineFigures>) -> ProjectExecution {
        let mut out = ProjectExecution::default();
        for l in lines {
            let opening = if l.carried_over {
                Money::ZERO
            } else {
                l.approved
            };
            out.budget = add(add(out.budget, opening), l.adjusted);
            out.spent = add(out.spent, l.spent);
            out.lines += 1;
        }
        out
    }

    /// These figures, or — for a project that never had a line (its outcome recorded outside
    /// the ledger: the seeded demo's last year, history entered before lingji) — the recorded
    /// budget and payments. A project funded through approval always has lines, so the ledger
    /// decides for it.
    pub fn or_recorded(self, budget: Money, spent: Money) -> ProjectExecution {
        if self.lines > 0 {
            self
        } else {
            ProjectExecution {
                budget,
                spent,
                lines: 0,
            }
        }
    }

    /// Paid over budget, rounded half up to the basis point; `None` without a budget.
    pub fn rate(&self) -> Option<Rate> {
        (self.budget > Money::ZERO).then(|| Rate::ratio(self.spent, self.budget))
    }
}

fn add(a: Money, b: Money) -> Money {
    // Budget lines hold at most a trillion 元 each; a project's sum stays inside i64 fen.
    a.checked_add(b).unwrap_or(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(carried_over: bool, approved: i64, adjusted: i64, spent: i64) -> LineFigures {
        LineFigures {
            carried_over,
            approved: Money::from_yuan(approved),
            adjusted: Money::from_yuan(adjusted),
            spent: Money::from_yuan(spent),
        }
    }

    #[test]
    fn zx_2_a_carried_over_line_adds_its_payments_not_its_opening_amount() {
        // 425,000 元 approved, nothing paid, carried whole; 100,000 paid next year.
        let e =
            ProjectExecution::of(&[line(false, 425_000, 0, 0), line(true, 425_000, 0, 100_000)]);
        assert_eq!(e.budget, Money::from_yuan(425_000));
        assert_eq!(e.spent, Money::from_yuan(100_000));
        assert_eq!(e.rate(), Some(Rate(2_353)));
    }

    #[test]
    fn cs_5a_a_fully_paid_line_is_100_percent_and_no_line_is_no_rate() {
        let e = ProjectExecution::of(&[line(false, 300, 0, 300), line(false, 100, 50, 150)]);
        assert_eq!(
            (e.budget, e.rate()),
            (Money::from_yuan(450), Some(Rate::FULL))
        );
        assert_eq!(ProjectExecution::of(&[]).rate(), None);
    }
}
