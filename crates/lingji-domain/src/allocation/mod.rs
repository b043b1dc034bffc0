//! Zero-based allocation (ZB-3, ZB-4): every project starts from zero and is arranged in strict
//! priority order within what the jurisdiction can afford. [`run`] is the whole run — a pure,
//! deterministic function of the candidates, the resources and the profile — and every project
//! in its result carries the amounts, the adjustments with their clauses and a Chinese
//! explanation.

mod adjust;
mod input;
mod waterfall;

#[cfg(test)]
mod tests;

pub use adjust::{Adjustment, adjust, share};
pub use input::{Candidate, Grade, Signals};
pub use waterfall::{Outcome, ProjectResult, RunResult, Status, TierResult, run};
