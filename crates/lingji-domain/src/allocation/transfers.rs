//! Transfers between levels (上级转移支付, PM-13b, ZB-10): an upper jurisdiction divides a
//! transfer fund among the jurisdictions below it by factors it sets (因素法) — population, the
//! fiscal gap, each lower government's comprehensive fiscal performance score (PM-10, PM-13b) —
//! and records each lower's cost share (市县分级共担, ZB-10).
//!
//! The division is exact to the fen: each factor takes `total × weight` of the fund (the fen
//! left over to the largest remainders), and each factor's part is divided among the lowers by
//! their share of the factor's values (again by largest remainders); a lower's amount is the sum
//! of its parts, and the amounts add up to the total exactly.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::foundation::policy::{Rate, Score};
use crate::money::Money;

labelled! {
    /// What a factor's values are: typed by the upper for each lower, or read from the recorded
    /// comprehensive performance scores (PM-10, PM-13b).
    FactorKind: refuse("FACTOR_KIND_UNKNOWN", "分配因素类型") {
        Entered = "entered" / "录入值",
        Performance = "performance" / "综合绩效得分",
    }
}

labelled! {
    /// Where a transfer fund stands: set up and previewed, or approved (its parts received
    /// below).
    TransferStatus {
        Draft = "draft" / "待批准",
        Approved = "approved" / "已批准下达",
    }
}

/// A factor of a transfer fund and its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// 常住人口, 财力缺口, 综合绩效得分 …
    pub name: String,
    pub kind: FactorKind,
    /// Its weight; the weights of a fund add up to 100%.
    pub weight: Rate,
}

/// One lower jurisdiction as the fund divides it: its factor values (in the factors' order,
/// hundredths of the factor's own unit; `None` where nothing is known) and its cost share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowerInput {
    pub lower_id: i64,
    /// Its name, for refusals that name it.
    pub name: String,
    pub values: Vec<Option<i64>>,
    /// The lower's matching share in percent of its allocation (ZB-10).
    pub cost_share: Rate,
}

/// One lower's part of the fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allotment {
    pub lower_id: i64,
    pub amount: Money,
    /// Its share of the total, to the basis point (display).
    pub share: Rate,
    /// The counterpart funds the lower must arrange itself (ZB-10): its amount × its cost share,
    /// rounded half up to the fen.
    pub counterpart: Money,
}

/// The most factors a fund sets.
pub const MAX_FACTORS: usize = 8;

/// Checks a fund's factors: one to eight, each named, each weighing more than nothing, their
/// weights adding up to 100%, at most one read from the performance scores (PM-13b).
pub fn check_factors(factors: &[Factor]) -> Vec<Refusal> {
    let mut out = Vec::new();
    if factors.is_empty() || factors.len() > MAX_FACTORS {
        out.push(
            Refusal::new(
                "TRANSFER_FACTORS_INVALID",
                format!("请设置 1 至 {MAX_FACTORS} 个分配因素"),
            )
            .field("factors")
            .clause("PM-13b"),
        );
        return out;
    }
    for (i, f) in factors.iter().enumerate() {
        let name = f.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            out.push(
                Refusal::new(
                    "FACTOR_NAME_INVALID",
                    format!("第 {} 个因素请填写名称（不超过 30 个字）", i + 1),
                )
                .field(format!("factor_name_{i}")),
            );
        }
        if f.weight == Rate(0) {
            out.push(
                Refusal::new(
                    "FACTOR_WEIGHT_INVALID",
                    format!("因素“{name}”的权重须大于零"),
                )
                .field(format!("factor_weight_{i}")),
            );
        }
    }
    let sum: u64 = factors.iter().map(|f| u64::from(f.weight.0)).sum();
    if sum != u64::from(Rate::FULL.0) {
        out.push(
            Refusal::new(
                "FACTOR_WEIGHTS_NOT_FULL",
                format!(
                    "各因素权重合计应为 100%，现为 {}",
                    Rate(u32::try_from(sum).unwrap_or(u32::MAX)).to_percent_display()
                ),
            )
            .field("factors")
            .clause("PM-13b"),
        );
    }
    if factors
        .iter()
        .filter(|f| f.kind == FactorKind::Performance)
        .count()
        > 1
    {
        out.push(
            Refusal::new(
                "PERFORMANCE_FACTOR_TWICE",
                "综合绩效得分只能作为一个分配因素",
            )
            .field("factors")
            .clause("PM-13b"),
        );
    }
    out
}

/// Largest-remainder division of `whole` fen by `weights` (non-negative, not all zero): each part
/// rounded down, the fen left over to the largest remainders, then the earlier position.
fn largest_remainder(whole: i128, weights: &[i128]) -> Vec<i128> {
    let sum: i128 = weights.iter().sum();
    if sum <= 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| (whole * w / sum, whole * w % sum))
        .collect();
    let mut left = whole - parts.iter().map(|p| p.0).sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(parts[*i].1), *i));
    for i in order.into_iter().cycle() {
        if left <= 0 {
            break;
        }
        parts[i].0 += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| p.0).collect()
}

/// Divides `total` among `lowers` by `factors` (see the module): every lower gets an allotment in
/// the order given. Refused when a lower has no value for a factor — naming it, and citing
/// PM-13b when the missing value is its performance score — or when a factor's values are all
/// zero (nothing to divide by).
pub fn allocate(
    total: Money,
    factors: &[Factor],
    lowers: &[LowerInput],
) -> Result<Vec<Allotment>, Refusal> {
    if total <= Money::ZERO {
        return Err(
            Refusal::new("TRANSFER_TOTAL_NOT_POSITIVE", "转移支付总额须大于零").field("total"),
        );
    }
    if lowers.is_empty() {
        return Err(Refusal::new(
            "TRANSFER_NO_LOWER",
            "没有可分配的下级区划：请先为下级区划录入因素值",
        )
        .field("lowers")
        .clause("PM-13b"));
    }
    if let Some(first) = check_factors(factors).into_iter().next() {
        return Err(first);
    }
    for lower in lowers {
        for (i, f) in factors.iter().enumerate() {
            let value = lower.values.get(i).copied().flatten();
            match value {
                None if f.kind == FactorKind::Performance => {
                    return Err(Refusal::new(
                        "LOWER_SCORE_MISSING",
                        format!(
                            "{} 尚无本年度下级政府财政运行综合绩效评价得分，不能按“{}”分配",
                            lower.name, f.name
                        ),
                    )
                    .field("lowers")
                    .clause("PM-13b"));
                }
                None => {
                    return Err(Refusal::new(
                        "FACTOR_VALUE_MISSING",
                        format!("请填写 {} 的“{}”", lower.name, f.name),
                    )
                    .field("lowers"));
                }
                Some(v) if v < 0 => {
                    return Err(Refusal::new(
                        "FACTOR_VALUE_NEGATIVE",
                        format!("{} 的“{}”不能为负数", lower.name, f.name),
                    )
                    .field("lowers"));
                }
                Some(_) => {}
            }
        }
    }
    let pots = largest_remainder(
        i128::from(total.fen()),
        &factors
            .iter()
            .map(|f| i128::from(f.weight.0))
            .collect::<Vec<_>>(),
    );
    let mut amounts = vec![0i128; lowers.len()];
    for (i, (f, pot)) in factors.iter().zip(pots).enumerate() {
        let values: Vec<i128> = lowers
            .iter()
            .map(|l| i128::from(l.values[i].unwrap_or(0)))
            .collect();
        if values.iter().all(|v| *v == 0) {
            return Err(Refusal::new(
                "FACTOR_ALL_ZERO",
                format!("各下级区划的“{}”均为零，无法按此因素分配", f.name),
            )
            .field("lowers")
            .clause("PM-13b"));
        }
        for (a, part) in amounts.iter_mut().zip(largest_remainder(pot, &values)) {
            *a += part;
        }
    }
    Ok(lowers
        .iter()
        .zip(amounts)
        .map(|(l, fen)| {
            // Every amount is at most the total, so it fits in i64.
            let amount = Money::from_fen(fen as i64);
            let counterpart = (fen * i128::from(l.cost_share.0) * 2 + 10_000) / 20_000;
            Allotment {
                lower_id: l.lower_id,
                amount,
                share: Rate::ratio(amount, total),
                counterpart: Money::from_fen(counterpart as i64),
            }
        })
        .collect())
}

/// Parses a factor value as typed (`1234567`, `1,234,567.5`, `92.5`): non-negative, at most two
/// decimals and twelve whole digits, into hundredths; `None` when it is not such a number.
pub fn parse_value(raw: &str) -> Option<i64> {
    let t: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 12 || frac.len() > 2 || !digits(int) || !digits(frac) {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Some(whole * 100 + frac)
}

/// Shows hundredths as people typed them: 123450 → "1234.5", 9000 → "90".
pub fn show_value(v: i64) -> String {
    let mut s = format!("{}", v / 100);
    if v % 100 != 0 {
        s.push_str(&format!(".{:02}", v % 100));
        while s.ends_with('0') {
            s.pop();
        }
    }
    s
}

/// The document number (文号) of a fund: `prefix〔year〕serial号`, e.g. 湘财预〔2026〕12号.
pub fn document_number(prefix: &str, year: i32, serial: i64) -> String {
    format!("{}〔{year}〕{serial}号", prefix.trim())
}

/// Checks the 文号字头 (e.g. 湘财预): one to twenty characters, no digits or brackets (the year
/// and the serial are added).
pub fn check_prefix(prefix: &str) -> Result<(), Refusal> {
    let p = prefix.trim();
    let n = p.chars().count();
    if n == 0
        || n > 20
        || p.chars()
            .any(|c| c.is_ascii_digit() || "〔〕[]()（）号".contains(c))
    {
        return Err(Refusal::new(
            "DOCUMENT_PREFIX_INVALID",
            "请填写文号字头（如 湘财预，不超过 20 个字，不含年份、序号和括号）",
        )
        .field("prefix"));
    }
    Ok(())
}

/// Checks a comprehensive performance score (PM-10): 0 to 100 points.
pub fn check_score(score: Score) -> Result<(), Refusal> {
    if score > Score::points(100) {
        return Err(Refusal::new(
            "LOWER_SCORE_OUT_OF_RANGE",
            "综合绩效评价得分应在 0 至 100 分之间（最多两位小数）",
        )
        .field("score")
        .clause("PM-10"));
    }
    Ok(())
}

/// A cost share is a percentage of the lower's allocation, at most 100% (ZB-10).
pub fn check_cost_share(share: Rate) -> Result<(), Refusal> {
    if share > Rate::FULL {
        return Err(
            Refusal::new("COST_SHARE_OUT_OF_RANGE", "分级共担比例应在 0 至 100% 之间")
                .field("lowers")
                .clause("ZB-10"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn factor(name: &str, kind: FactorKind, pct: u32) -> Factor {
        Factor {
            name: name.into(),
            kind,
            weight: Rate::percent(pct),
        }
    }

    fn lower(id: i64, values: &[Option<i64>]) -> LowerInput {
        LowerInput {
            lower_id: id,
            name: format!("县{id}"),
            values: values.to_vec(),
            cost_share: Rate::percent(20),
        }
    }

    #[test]
    fn pm_13b_the_better_scoring_county_gets_more_and_the_parts_add_up() {
        let factors = [
            factor("常住人口", FactorKind::Entered, 50),
            factor("综合绩效得分", FactorKind::Performance, 50),
        ];
        let lowers = [
            lower(1, &[Some(10_000), Some(9_250)]),
            lower(2, &[Some(10_000), Some(7_800)]),
        ];
        let total = Money::from_fen(100_000_001);
        let got = allocate(total, &factors, &lowers).unwrap();
        assert!(got[0].amount > got[1].amount);
        assert_eq!(
            Money::checked_sum(got.iter().map(|a| a.amount)).unwrap(),
            total
        );
        // Counterpart: 20% of its amount.
        assert_eq!(got[0].counterpart.fen(), (got[0].amount.fen() * 2 + 5) / 10);
    }

    #[test]
    fn pm_13b_a_lower_without_a_score_is_refused_by_name() {
        let factors = [factor("综合绩效得分", FactorKind::Performance, 100)];
        let r = allocate(
            Money::from_yuan(100),
            &factors,
            &[lower(1, &[Some(9_000)]), lower(7, &[None])],
        )
        .unwrap_err();
        assert_eq!(r.code, "LOWER_SCORE_MISSING");
        assert_eq!(r.clause, Some("PM-13b"));
        assert!(r.message.contains("县7"), "{}", r.message);
    }

    #[test]
    fn weights_must_add_up_to_the_whole() {
        let r = check_factors(&[
            factor("常住人口", FactorKind::Entered, 50),
            factor("财力缺口", FactorKind::Entered, 40),
        ]);
        assert_eq!(r[0].code, "FACTOR_WEIGHTS_NOT_FULL");
        assert!(r[0].message.contains("90%"));
    }

    #[test]
    fn one_fen_goes_to_the_largest_remainder() {
        let got = allocate(
            Money::from_fen(100),
            &[factor("常住人口", FactorKind::Entered, 100)],
            &[
                lower(1, &[Some(1)]),
                lower(2, &[Some(1)]),
                lower(3, &[Some(1)]),
            ],
        )
        .unwrap();
        let fen: Vec<i64> = got.iter().map(|a| a.amount.fen()).collect();
        assert_eq!(fen, vec![34, 33, 33]);
    }

    #[test]
    fn document_numbers_read_as_people_write_them() {
        assert_eq!(document_number("湘财预", 2026, 12), "湘财预〔2026〕12号");
        assert!(check_prefix("湘财预").is_ok());
        assert!(check_prefix("湘财预〔2026〕").is_err());
        assert!(check_prefix(" ").is_err());
    }

    #[test]
    fn factor_values_read_and_show_to_the_hundredth() {
        assert_eq!(parse_value("1,234,567.5"), Some(123_456_750));
        assert_eq!(parse_value("92.55"), Some(9255));
        assert_eq!(parse_value("-3"), None);
        assert_eq!(parse_value("1.234"), None);
        assert_eq!(show_value(123_456_750), "1234567.5");
        assert_eq!(show_value(9000), "90");
    }

    proptest! {
        #[test]
        fn the_parts_always_add_up_to_the_total(
            total in 1i64..1_000_000_000_000,
            weights in proptest::collection::vec(1u32..100, 1..4),
            values in proptest::collection::vec(proptest::collection::vec(0i64..10_000_000, 4), 1..12),
        ) {
            let sum: u32 = weights.iter().sum();
            // Scale the weights to 100% exactly, the rest on the first.
            let mut bp: Vec<u32> = weights.iter().map(|w| w * 10_000 / sum).collect();
            bp[0] += 10_000 - bp.iter().sum::<u32>();
            prop_assume!(bp.iter().all(|b| *b > 0));
            let factors: Vec<Factor> = bp
                .iter()
                .enumerate()
                .map(|(i, b)| Factor { name: format!("因素{i}"), kind: FactorKind::Entered, weight: Rate(*b) })
                .collect();
            let lowers: Vec<LowerInput> = values
                .iter()
                .enumerate()
                .map(|(i, v)| lower(i as i64, &v.iter().take(factors.len()).map(|x| Some(*x)).collect::<Vec<_>>()))
                .collect();
            let all_zero = (0..factors.len()).any(|f| lowers.iter().all(|l| l.values[f] == Some(0)));
            match allocate(Money::from_fen(total), &factors, &lowers) {
                Ok(got) => {
                    prop_assert!(!all_zero);
                    prop_assert_eq!(got.iter().map(|a| a.amount.fen()).sum::<i64>(), total);
                    prop_assert!(got.iter().all(|a| a.amount.fen() >= 0));
                }
                Err(r) => prop_assert!(all_zero && r.code == "FACTOR_ALL_ZERO"),
            }
        }

        #[test]
        fn a_higher_score_never_gets_less(a in 0i64..10_000, b in 0i64..10_000, pop in 1i64..1_000_000) {
            prop_assume!(a + b > 0);
            let factors = [
                factor("常住人口", FactorKind::Entered, 60),
                factor("综合绩效得分", FactorKind::Performance, 40),
            ];
            let got = allocate(
                Money::from_yuan(1_000_000),
                &factors,
                &[lower(1, &[Some(pop), Some(a)]), lower(2, &[Some(pop), Some(b)])],
            ).unwrap();
            if a > b {
                prop_assert!(got[0].amount >= got[1].amount);
            }
        }
    }
}
