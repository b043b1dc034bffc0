//! Budget lines from an allocation (批复): a project's allocated amount spread over the economic
//! codes of its cost lines in proportion, to the fen, the parts adding up to the whole exactly.

use std::collections::BTreeMap;

use crate::money::Money;

/// Spreads `total` over `weights` (economic code, amount): codes merged, each share rounded
/// down, the fen left over given to the largest remainders (then the earlier code). When the
/// weights are all zero the whole goes to the first code; with no weights, to `fallback`.
pub fn spread(total: Money, weights: &[(String, Money)], fallback: &str) -> Vec<(String, Money)> {
    let mut merged: BTreeMap<&str, i128> = BTreeMap::new();
    for (code, amount) in weights {
        *merged.entry(code.as_str()).or_default() += i128::from(amount.fen().max(0));
    }
    let sum: i128 = merged.values().sum();
    if merged.is_empty() {
        return vec![(fallback.to_string(), total)];
    }
    if sum == 0 {
        let first = merged.keys().next().copied().unwrap_or(fallback);
        return vec![(first.to_string(), total)];
    }
    let whole = i128::from(total.fen());
    let mut parts: Vec<(&str, i128, i128)> = merged
        .iter()
        .map(|(code, w)| (*code, whole * w / sum, whole * w % sum))
        .collect();
    let mut left = whole - parts.iter().map(|p| p.1).sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(parts[*i].2), *i));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .filter(|p| p.1 != 0)
        // Every part is at most `total`, so it fits in i64.
        .map(|(code, fen, _)| (code.to_string(), Money::from_fen(fen as i64)))
        .collect()
}
