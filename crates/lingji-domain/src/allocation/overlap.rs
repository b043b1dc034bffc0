//! The overlap finder (ZB-10, ZB-12, ZX-3b): projects and special funds of different departments
//! with the same function code and similar names or indicators, listed so that finance can
//! integrate them into fund pools.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::foundation::policy::Rate;

/// What the finder reads of a project or special fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlapItem {
    pub id: i64,
    pub department_id: i64,
    pub name: String,
    /// Function code (功能分类).
    pub function_code: String,
    /// Names of its performance indicators.
    pub indicators: Vec<String>,
}

/// Two items that look like the same money in two departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlapPair {
    /// The item with the smaller id.
    pub a: i64,
    pub b: i64,
    /// Shared function code.
    pub function_code: String,
    /// Similarity of the names (Dice over character pairs).
    pub name_similarity: Rate,
    /// Share of indicator names in common (Jaccard).
    pub indicator_similarity: Rate,
    /// Why they are listed, citing the clauses.
    pub reason: String,
}

/// Words every project name carries; they say nothing about what the money does.
const FILLER: [&str; 6] = ["专项资金", "项目", "专项", "资金", "经费", "补助"];

fn bigrams(name: &str) -> BTreeSet<(char, char)> {
    let mut text = name.to_string();
    for f in FILLER {
        text = text.replace(f, " ");
    }
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// `shared / total` as a rate, rounded half up.
fn fraction(shared: usize, total: usize) -> Rate {
    if total == 0 {
        return Rate(0);
    }
    let bp = (shared * 20_000 + total) / (total * 2);
    Rate(u32::try_from(bp).unwrap_or(u32::MAX))
}

/// An item with its name's character pairs and its indicator names.
type Prepared<'a> = (&'a OverlapItem, BTreeSet<(char, char)>, BTreeSet<&'a str>);

/// A character pair or indicator shared by more items than this says little about any two of
/// them; it does not propose pairs (it still counts in their similarity).
const COMMON: usize = 200;

/// Pairs of items of different departments with the same function code whose names or
/// indicators are at least `threshold` alike, most alike first. Inside a function code, pairs
/// are proposed by a shared character pair or indicator that is not common to more than 200
/// items, so a large group costs its postings, not the square of its size.
pub fn find_overlaps(items: &[OverlapItem], threshold: Rate) -> Vec<OverlapPair> {
    let mut groups: BTreeMap<&str, Vec<Prepared>> = BTreeMap::new();
    for i in items.iter().filter(|i| !i.function_code.trim().is_empty()) {
        let indicators = i.indicators.iter().map(|s| s.trim()).collect();
        groups
            .entry(i.function_code.trim())
            .or_default()
            .push((i, bigrams(&i.name), indicators));
    }
    let mut out = Vec::new();
    for (code, group) in groups {
        let mut by_pair: HashMap<(char, char), Vec<usize>> = HashMap::new();
        let mut by_indicator: HashMap<&str, Vec<usize>> = HashMap::new();
        for (n, (_, names, indicators)) in group.iter().enumerate() {
            for b in names {
                by_pair.entry(*b).or_default().push(n);
            }
            for i in indicators {
                by_indicator.entry(i).or_default().push(n);
            }
        }
        let mut proposed: BTreeSet<(usize, usize)> = BTreeSet::new();
        let lists = by_pair.values().chain(by_indicator.values());
        for list in lists.filter(|l| l.len() <= COMMON) {
            for (k, x) in list.iter().enumerate() {
                for y in &list[k + 1..] {
                    if group[*x].0.department_id != group[*y].0.department_id {
                        proposed.insert((*x, *y));
                    }
                }
            }
        }
        for (x, y) in proposed {
            let ((x, xb, xi), (y, yb, yi)) = (&group[x], &group[y]);
            let names = fraction(2 * xb.intersection(yb).count(), xb.len() + yb.len());
            let indicators = fraction(xi.intersection(yi).count(), xi.union(yi).count());
            if names < threshold && indicators < threshold {
                continue;
            }
            let (a, b) = if x.id < y.id { (x, y) } else { (y, x) };
            out.push(OverlapPair {
                a: a.id,
                b: b.id,
                function_code: code.to_string(),
                name_similarity: names,
                indicator_similarity: indicators,
                reason: format!(
                    "不同部门、功能分类相同（{code}），名称相似度 {}，绩效指标重合 {}，建议整合归并为资金池（ZB-10、ZB-12、ZX-3b）",
                    names.to_percent_display(),
                    indicators.to_percent_display()
                ),
            });
        }
    }
    out.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.name_similarity.max(p.indicator_similarity)),
            p.a,
            p.b,
        )
    });
    out
}
