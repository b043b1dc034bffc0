//! Two runs side by side (scenarios, what-if): the projects whose allocation or status differ,
//! and every tier's allocation and shortfall in both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::waterfall::{ProjectResult, Status, TierResult};
use crate::foundation::fund::FundBook;
use crate::library::tier::SpendingTier;
use crate::money::Money;

/// A project that ends differently in the two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDiff {
    pub id: i64,
    /// Allocated in the first run (zero when absent).
    pub allocated_a: Money,
    /// Allocated in the second run.
    pub allocated_b: Money,
    /// Status in the first run (`None`: not in it).
    pub status_a: Option<Status>,
    /// Status in the second run.
    pub status_b: Option<Status>,
    /// b − a.
    pub change: Money,
}

/// A tier of a fund book in both runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierDiff {
    pub fund_book: FundBook,
    pub tier: SpendingTier,
    /// Allocated in the first run.
    pub allocated_a: Money,
    /// Allocated in the second run.
    pub allocated_b: Money,
    /// Shortfall in the first run.
    pub shortfall_a: Money,
    /// Shortfall in the second run.
    pub shortfall_b: Money,
}

/// The differences between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Projects whose allocation or status differ, largest change first.
    pub projects: Vec<ProjectDiff>,
    /// Every tier of either run, in fund-book and tier order.
    pub tiers: Vec<TierDiff>,
}

/// Compares run `a` with run `b`.
pub fn compare(
    a: (&[ProjectResult], &[TierResult]),
    b: (&[ProjectResult], &[TierResult]),
) -> Comparison {
    let mut rows: BTreeMap<i64, ProjectDiff> = BTreeMap::new();
    let blank = |id| ProjectDiff {
        id,
        allocated_a: Money::ZERO,
        allocated_b: Money::ZERO,
        status_a: None,
        status_b: None,
        change: Money::ZERO,
    };
    for p in a.0 {
        let row = rows.entry(p.id).or_insert_with(|| blank(p.id));
        row.allocated_a = p.allocated;
        row.status_a = Some(p.status);
    }
    for p in b.0 {
        let row = rows.entry(p.id).or_insert_with(|| blank(p.id));
        row.allocated_b = p.allocated;
        row.status_b = Some(p.status);
    }
    let mut projects: Vec<ProjectDiff> = rows
        .into_values()
        .filter(|r| r.allocated_a != r.allocated_b || r.status_a != r.status_b)
        .map(|mut r| {
            // Both sides are sums of real allocations, far inside i64.
            r.change = Money::from_fen(r.allocated_b.fen() - r.allocated_a.fen());
            r
        })
        .collect();
    projects.sort_by_key(|r| (std::cmp::Reverse(r.change.fen().unsigned_abs()), r.id));

    let mut tiers: BTreeMap<(FundBook, SpendingTier), TierDiff> = BTreeMap::new();
    let blank_tier = |fund_book, tier| TierDiff {
        fund_book,
        tier,
        allocated_a: Money::ZERO,
        allocated_b: Money::ZERO,
        shortfall_a: Money::ZERO,
        shortfall_b: Money::ZERO,
    };
    for t in a.1 {
        let row = tiers
            .entry((t.fund_book, t.tier))
            .or_insert_with(|| blank_tier(t.fund_book, t.tier));
        row.allocated_a = t.allocated;
        row.shortfall_a = t.shortfall;
    }
    for t in b.1 {
        let row = tiers
            .entry((t.fund_book, t.tier))
            .or_insert_with(|| blank_tier(t.fund_book, t.tier));
        row.allocated_b = t.allocated;
        row.shortfall_b = t.shortfall;
    }
    Comparison {
        projects,
        tiers: tiers.into_values().collect(),
    }
}
