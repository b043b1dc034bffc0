//! Scoring a self-evaluation (PM-10, NAT-10) with the formulas deployed provincial systems use
//! (`POLICY.md`, w = weight, A = actual, T = target):
//!
//! - ≥ : A ≥ T → w, else A/T·w;
//! - ≤ : A ≤ T → w; T < A < 2T → (1 − (A−T)/T)·w; A ≥ 2T → 0;
//! - = : T = 0 → (A ≤ 0 ? w : 0), else as ≥;
//! - 定性: 达成 [0.8w, w], 部分达成 [0.6w, 0.8w), 未达成 [0, 0.6w) — the evaluator's score must
//!   lie in its band;
//! - 预算执行率: min(rate, 100%) × its weight.
//!
//! Scores are exact hundredths of a point ([`Score`]), rounded half up once per indicator; a
//! score is never below 0 nor above its weight, so a total is never above 100.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::foundation::policy::{Rate, Score};
use crate::library::targets::Comparator;

labelled! {
    /// The evaluator's finding on a qualitative indicator.
    Attainment {
        /// 达成: [0.8w, w].
        Achieved = "achieved" / "达成",
        /// 部分达成: [0.6w, 0.8w).
        Partly = "partly" / "部分达成",
        /// 未达成: [0, 0.6w).
        NotAchieved = "not_achieved" / "未达成",
    }
}

impl Attainment {
    /// The band of scores allowed for a weight, lower bound included; the upper bound is
    /// included only for 达成.
    fn band(self, w: Score) -> (u32, u32, bool) {
        let at = |tenths: u32| w.0 * tenths / 10;
        match self {
            Attainment::Achieved => (at(8), w.0, true),
            Attainment::Partly => (at(6), at(8), false),
            Attainment::NotAchieved => (0, at(6), false),
        }
    }
}

fn hundredths(points: Decimal) -> Score {
    let h = (points * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .max(Decimal::ZERO);
    Score(u32::try_from(h.mantissa()).unwrap_or(u32::MAX))
}

fn points(s: Score) -> Decimal {
    Decimal::new(i64::from(s.0), 2)
}

/// The score of a quantitative indicator (≥, ≤, =) with weight `w`.
pub fn quantitative(comparator: Comparator, target: Decimal, actual: Decimal, w: Score) -> Score {
    let full = w;
    let weight = points(w);
    let at_least = || {
        if actual >= target {
            full
        } else if target <= Decimal::ZERO {
            Score(0)
        } else {
            hundredths(actual / target * weight)
        }
    };
    let score = match comparator {
        Comparator::AtLeast => at_least(),
        Comparator::AtMost => {
            if actual <= target {
                full
            } else if target <= Decimal::ZERO || actual >= target * Decimal::TWO {
                Score(0)
            } else {
                hundredths((Decimal::ONE - (actual - target) / target) * weight)
            }
        }
        Comparator::Equal if target == Decimal::ZERO => {
            if actual <= Decimal::ZERO {
                full
            } else {
                Score(0)
            }
        }
        Comparator::Equal => at_least(),
        // A qualitative indicator is scored by [`qualitative`]; by the numbers it gets nothing.
        Comparator::Qualitative => Score(0),
    };
    score.min(full)
}

/// Checks the evaluator's score of a qualitative indicator against its band (NAT-10).
pub fn qualitative(attainment: Attainment, given: Score, w: Score) -> Result<Score, Refusal> {
    let (low, high, high_included) = attainment.band(w);
    let inside = given.0 >= low && (given.0 < high || (high_included && given.0 == high));
    if inside {
        return Ok(given);
    }
    let show = |h: u32| crate::review::gates::show(Score(h));
    Err(Refusal::new(
        "QUALITATIVE_SCORE_OUT_OF_BAND",
        format!(
            "“{}”的得分应在 {} 至 {}{}之间",
            attainment.label(),
            show(low),
            show(high),
            if high_included {
                "（含）"
            } else {
                "（不含）"
            }
        ),
    )
    .field("score")
    .clause("NAT-10"))
}

/// The budget execution rate's score: min(rate, 100%) × its weight (NAT-10).
pub fn execution(rate: Rate, w: Score) -> Score {
    let capped = rate.min(Rate::FULL);
    let h = (u64::from(capped.0) * u64::from(w.0) * 2 + 10_000) / 20_000;
    Score(u32::try_from(h).unwrap_or(u32::MAX)).min(w)
}

/// Splits a level's weight (e.g. 产出 50) over its `n` indicators in hundredths, so the parts
/// add up to the whole exactly; the first indicators take the remainder.
pub fn split_weight(w: Score, n: usize) -> Vec<Score> {
    let Ok(n32) = u32::try_from(n) else {
        return Vec::new();
    };
    if n32 == 0 {
        return Vec::new();
    }
    let (each, rest) = (w.0 / n32, w.0 % n32);
    (0..n32)
        .map(|i| Score(each + u32::from(i < rest)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Grade;
    use crate::foundation::policy::{Preset, preset};
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn pts(p: &str) -> Score {
        hundredths(d(p))
    }

    #[test]
    fn nat_10_quantitative_formulas_at_their_boundaries() {
        use Comparator::*;
        let w = Score::points(20);
        let cases = [
            // ≥: reached, short by a quarter, nothing, negative actual.
            (AtLeast, "3000", "3000", "20"),
            (AtLeast, "3000", "2250", "15"),
            (AtLeast, "3000", "0", "0"),
            (AtLeast, "3000", "-5", "0"),
            (AtLeast, "3", "2", "13.33"),
            // ≤: at target, halfway to twice, A = 2T → 0, beyond.
            (AtMost, "100", "100", "20"),
            (AtMost, "100", "150", "10"),
            (AtMost, "100", "199.99", "0"),
            (AtMost, "100", "200", "0"),
            (AtMost, "100", "500", "0"),
            // =: a zero target wants nothing above zero.
            (Equal, "0", "0", "20"),
            (Equal, "0", "0.01", "0"),
            (Equal, "50", "40", "16"),
            (Equal, "50", "60", "20"),
        ];
        for (c, t, a, want) in cases {
            assert_eq!(
                quantitative(c, d(t), d(a), w),
                pts(want),
                "{c:?} T={t} A={a}"
            );
        }
    }

    #[test]
    fn nat_10_qualitative_scores_stay_in_their_band() {
        let w = Score::points(10);
        use Attainment::*;
        assert_eq!(qualitative(Achieved, pts("10"), w), Ok(pts("10")));
        assert_eq!(qualitative(Achieved, pts("8"), w), Ok(pts("8")));
        assert!(qualitative(Achieved, pts("7.99"), w).is_err());
        assert_eq!(qualitative(Partly, pts("6"), w), Ok(pts("6")));
        let e = qualitative(Partly, pts("8"), w).unwrap_err();
        assert_eq!(
            (e.code, e.clause),
            ("QUALITATIVE_SCORE_OUT_OF_BAND", Some("NAT-10"))
        );
        assert!(
            e.message.contains("6分 至 8分（不含）之间"),
            "{}",
            e.message
        );
        assert_eq!(qualitative(NotAchieved, pts("0"), w), Ok(Score(0)));
        assert!(qualitative(NotAchieved, pts("6"), w).is_err());
    }

    #[test]
    fn nat_10_execution_rate_is_capped_at_full_weight() {
        let w = Score::points(10);
        assert_eq!(execution(Rate::percent(100), w), w);
        assert_eq!(execution(Rate(12_000), w), w);
        assert_eq!(execution(Rate(8_765), w), pts("8.77"));
        assert_eq!(execution(Rate(0), w), Score(0));
    }

    #[test]
    fn nat_10_grades_at_the_band_edges() {
        let bands = preset(Preset::LianyungangCity).performance;
        for (score, grade) in [
            ("100", Grade::Excellent),
            ("90", Grade::Excellent),
            ("89.99", Grade::Good),
            ("80", Grade::Good),
            ("79.99", Grade::Fair),
            ("60", Grade::Fair),
            ("59.99", Grade::Poor),
            ("0", Grade::Poor),
        ] {
            assert_eq!(Grade::of_score(pts(score), &bands), grade, "{score}");
        }
    }

    #[test]
    fn pm_10_a_levels_weight_splits_exactly() {
        assert_eq!(
            split_weight(Score::points(50), 3),
            vec![Score(1667), Score(1667), Score(1666)]
        );
        assert!(split_weight(Score::points(10), 0).is_empty());
    }

    proptest! {
        #[test]
        fn nat_10_a_score_lies_between_zero_and_its_weight(
            t in -1_000_000i64..1_000_000, a in -2_000_000i64..2_000_000, w in 0u32..=10_000, c in 0usize..3,
        ) {
            let comparator = [Comparator::AtLeast, Comparator::AtMost, Comparator::Equal][c];
            let s = quantitative(comparator, Decimal::new(t, 2), Decimal::new(a, 2), Score(w));
            prop_assert!(s.0 <= w);
        }

        #[test]
        fn nat_10_a_self_evaluation_totals_between_zero_and_one_hundred(
            n in proptest::collection::vec((1i64..100_000, 0i64..300_000, 0usize..3), 1..12),
            rate in 0u32..20_000,
        ) {
            let bands = preset(Preset::LianyungangCity).performance;
            let weights = split_weight(bands.weight_output, n.len());
            let mut total = execution(Rate(rate), bands.weight_execution).0;
            for ((t, a, c), w) in n.iter().zip(weights) {
                let comparator = [Comparator::AtLeast, Comparator::AtMost, Comparator::Equal][*c];
                total += quantitative(comparator, Decimal::new(*t, 0), Decimal::new(*a, 0), w).0;
            }
            total += bands.weight_benefit.0 + bands.weight_satisfaction.0;
            prop_assert!(total <= 10_000);
        }
    }
}
