//! The budget-line ledger (指标账, ZB-7a): every movement on a line is an immutable entry, and a
//! line's balance is nothing but the entries applied in order. A payment first reserves money
//! (only if the available balance covers it), then settles (spent) or is released; adjustments
//! (ZB-7b) change the budget, never below what is already used; the year-end close (ZB-6d,
//! CS-6) carries over or recovers only what is available.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::money::Money;

/// One movement on a budget line, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "amount", rename_all = "snake_case")]
pub enum Movement {
    /// Approved (批复) or an upper transfer entered with its document: the line's budget.
    Approve(Money),
    /// Adjustment (调剂 / 追加, ZB-7b): positive adds, negative takes away.
    Adjust(Money),
    /// A checked payment request holds money until it settles or is released (ZB-7a).
    Reserve(Money),
    /// A held payment refused or withdrawn.
    Release(Money),
    /// A held payment paid.
    Settle(Money),
    /// Year-end: what is left leaves the line, carried over or recovered (ZB-6d, CS-6).
    Close(Money),
}

/// A line's balance: the sums of its movements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub approved: Money,
    /// Net adjustments (may be negative).
    pub adjusted: Money,
    /// Held by payments not yet settled.
    pub reserved: Money,
    pub spent: Money,
    /// Carried over or recovered at year-end.
    pub closed: Money,
}

fn overflow() -> Refusal {
    Refusal::new("MONEY_OUT_OF_RANGE", "金额超出允许范围")
}

fn plus(a: Money, b: Money) -> Result<Money, Refusal> {
    a.checked_add(b).ok_or_else(overflow)
}

fn minus(a: Money, b: Money) -> Result<Money, Refusal> {
    a.checked_sub(b).ok_or_else(overflow)
}

impl Balance {
    /// The line's budget: approved plus adjustments.
    pub fn budget(&self) -> Money {
        self.approved
            .checked_add(self.adjusted)
            .unwrap_or(self.approved)
    }

    /// Used: held, paid and closed.
    pub fn used(&self) -> Money {
        Money::checked_sum([self.reserved, self.spent, self.closed]).unwrap_or(self.spent)
    }

    /// What a new payment may still draw: budget less everything used.
    pub fn available(&self) -> Money {
        self.budget()
            .checked_sub(self.used())
            .unwrap_or(Money::ZERO)
    }
}

/// The balance after `m`, or why the movement is refused; a refused movement changes nothing.
pub fn apply(b: &Balance, m: Movement) -> Result<Balance, Refusal> {
    let mut next = *b;
    let positive = |amount: Money| {
        if amount > Money::ZERO {
            Ok(amount)
        } else {
            Err(Refusal::new("LEDGER_AMOUNT_NOT_POSITIVE", "金额须大于零").field("amount"))
        }
    };
    match m {
        Movement::Approve(a) => next.approved = plus(b.approved, positive(a)?)?,
        Movement::Adjust(a) => {
            if a == Money::ZERO {
                return Err(positive(a).unwrap_err());
            }
            next.adjusted = plus(b.adjusted, a)?;
            if next.budget() < b.used() {
                return Err(Refusal::new(
                    "ADJUSTMENT_BELOW_USED",
                    format!(
                        "调减后预算 {} 元低于已使用 {} 元",
                        next.budget().to_yuan_display(),
                        b.used().to_yuan_display()
                    ),
                )
                .field("amount")
                .clause("ZB-7b"));
            }
        }
        Movement::Reserve(a) => {
            let a = positive(a)?;
            if a > b.available() {
                return Err(Refusal::new(
                    "BUDGET_LINE_INSUFFICIENT",
                    format!(
                        "支付金额 {} 元超过指标可用余额 {} 元，不得超预算列支",
                        a.to_yuan_display(),
                        b.available().to_yuan_display()
                    ),
                )
                .field("amount")
                .clause("ZB-7a"));
            }
            next.reserved = plus(b.reserved, a)?;
        }
        Movement::Release(a) | Movement::Settle(a) => {
            let a = positive(a)?;
            if a > b.reserved {
                return Err(Refusal::new(
                    "LEDGER_NOT_RESERVED",
                    format!(
                        "金额 {} 元超过该指标冻结的 {} 元",
                        a.to_yuan_display(),
                        b.reserved.to_yuan_display()
                    ),
                )
                .field("amount"));
            }
            next.reserved = minus(b.reserved, a)?;
            if matches!(m, Movement::Settle(_)) {
                next.spent = plus(b.spent, a)?;
            }
        }
        Movement::Close(a) => {
            let a = positive(a)?;
            if a > b.available() {
                return Err(Refusal::new(
                    "CLOSE_ABOVE_AVAILABLE",
                    format!(
                        "结转或收回 {} 元超过指标可用余额 {} 元",
                        a.to_yuan_display(),
                        b.available().to_yuan_display()
                    ),
                )
                .field("amount")
                .clause("ZB-6d"));
            }
            next.closed = plus(b.closed, a)?;
        }
    }
    Ok(next)
}

/// The balance of a line from its entries in order; the first refused one is named by its
/// index (a stored ledger that does not replay is corrupt).
pub fn replay(entries: &[Movement]) -> Result<Balance, (usize, Refusal)> {
    entries
        .iter()
        .enumerate()
        .try_fold(Balance::default(), |b, (i, m)| {
            apply(&b, *m).map_err(|r| (i, r))
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn yuan(y: i64) -> Money {
        Money::from_yuan(y)
    }

    #[test]
    fn zb_7a_a_payment_never_draws_more_than_the_line_has() {
        let b = replay(&[Movement::Approve(yuan(1_000)), Movement::Reserve(yuan(600))]).unwrap();
        assert_eq!(b.available(), yuan(400));
        let r = apply(&b, Movement::Reserve(yuan(401))).unwrap_err();
        assert_eq!(
            (r.code, r.clause),
            ("BUDGET_LINE_INSUFFICIENT", Some("ZB-7a"))
        );
        assert_eq!(
            r.message,
            "支付金额 401.00 元超过指标可用余额 400.00 元，不得超预算列支"
        );
        let b = apply(&b, Movement::Reserve(yuan(400))).unwrap();
        assert_eq!(b.available(), Money::ZERO);
    }

    #[test]
    fn settle_spends_what_was_held_and_release_gives_it_back() {
        let b = replay(&[
            Movement::Approve(yuan(1_000)),
            Movement::Reserve(yuan(300)),
            Movement::Reserve(yuan(200)),
            Movement::Settle(yuan(300)),
            Movement::Release(yuan(200)),
        ])
        .unwrap();
        assert_eq!(
            (b.reserved, b.spent, b.available()),
            (Money::ZERO, yuan(300), yuan(700))
        );
        let r = apply(&b, Movement::Settle(yuan(1))).unwrap_err();
        assert_eq!(r.code, "LEDGER_NOT_RESERVED");
    }

    #[test]
    fn zb_7b_an_adjustment_never_takes_the_budget_below_what_is_used() {
        let b = replay(&[Movement::Approve(yuan(1_000)), Movement::Reserve(yuan(700))]).unwrap();
        let r = apply(&b, Movement::Adjust(yuan(-301))).unwrap_err();
        assert_eq!((r.code, r.clause), ("ADJUSTMENT_BELOW_USED", Some("ZB-7b")));
        let b = apply(&b, Movement::Adjust(yuan(-300))).unwrap();
        assert_eq!((b.budget(), b.available()), (yuan(700), Money::ZERO));
        let b = apply(&b, Movement::Adjust(yuan(50))).unwrap();
        assert_eq!(b.available(), yuan(50));
    }

    #[test]
    fn zb_6d_the_year_end_closes_only_what_is_available() {
        let b = replay(&[Movement::Approve(yuan(1_000)), Movement::Settle(yuan(1))]);
        assert_eq!(
            b.unwrap_err().0,
            1,
            "a settle without a hold does not replay"
        );
        let b = replay(&[Movement::Approve(yuan(1_000)), Movement::Reserve(yuan(100))]).unwrap();
        let r = apply(&b, Movement::Close(yuan(901))).unwrap_err();
        assert_eq!((r.code, r.clause), ("CLOSE_ABOVE_AVAILABLE", Some("ZB-6d")));
        let b = apply(&b, Movement::Close(yuan(900))).unwrap();
        assert_eq!(b.available(), Money::ZERO);
    }

    #[test]
    fn amounts_must_be_positive() {
        let b = Balance::default();
        for m in [
            Movement::Approve(Money::ZERO),
            Movement::Reserve(yuan(-1)),
            Movement::Adjust(Money::ZERO),
            Movement::Close(Money::ZERO),
        ] {
            assert_eq!(apply(&b, m).unwrap_err().code, "LEDGER_AMOUNT_NOT_POSITIVE");
        }
    }

    fn arb_movement() -> impl Strategy<Value = Movement> {
        (0usize..6, -5_000_000i64..20_000_000).prop_map(|(k, fen)| {
            let m = Money::from_fen(fen);
            let pos = Money::from_fen(fen.abs() + 1);
            match k {
                0 => Movement::Approve(pos),
                1 => Movement::Adjust(m),
                2 => Movement::Reserve(pos),
                3 => Movement::Release(pos),
                4 => Movement::Settle(pos),
                _ => Movement::Close(pos),
            }
        })
    }

    proptest! {
        #[test]
        fn the_balance_is_its_accepted_entries_and_never_overdrawn(
            moves in proptest::collection::vec(arb_movement(), 0..60),
        ) {
            let mut b = Balance::default();
            let mut accepted = Vec::new();
            for m in moves {
                // A refused movement leaves the balance as it was.
                if let Ok(next) = apply(&b, m) {
                    b = next;
                    accepted.push(m);
                }
                // ZB-7a: never overdrawn, and the parts add up to the budget to the fen.
                prop_assert!(b.used() <= b.budget());
                prop_assert_eq!(
                    b.available().checked_add(b.used()).unwrap(),
                    b.budget()
                );
                prop_assert!(b.reserved >= Money::ZERO && b.spent >= Money::ZERO);
            }
            prop_assert_eq!(replay(&accepted).unwrap(), b);
        }
    }
}
