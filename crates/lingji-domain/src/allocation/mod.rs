//! Zero-based allocation (ZB-3, ZB-4): every project starts from zero and is arranged in strict
//! priority order within what the jurisdiction can afford. [`run`] is the whole run — a pure,
//! deterministic function of the candidates, the resources and the profile — and every project
//! in its result carries the amounts, the adjustments with their clauses and a Chinese
//! explanation. Around it: the unassigned reserve (ZB-2b), the comparison of two runs, budget
//! lines from an allocation, year-on-year statistics (ZX-3a) and the overlap finder (ZB-10).

mod adjust;
mod compare;
mod input;
mod lines;
mod overlap;
pub mod pool;
pub mod transfers;
mod waterfall;
mod yoy;

#[cfg(test)]
mod tests;

pub use adjust::{Adjustment, Label, adjust, grade_cut, share};
pub use compare::{Comparison, ProjectDiff, TierDiff, compare};
pub use input::{Candidate, Grade, ResultCut, Signals};
pub use lines::spread;
pub use overlap::{OverlapItem, OverlapPair, find_overlaps};
pub use waterfall::{
    Outcome, ProjectResult, Reason, RunResult, Status, TierResult, run, set_aside_reserve,
};
pub use yoy::{Counted, Tally, YearOnYear, YearRow, year_on_year};
