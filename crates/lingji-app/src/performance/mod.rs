//! Performance: targets, monitoring checkpoints, self and key evaluations, results applied to next
//! year's budget, the dashboard.

pub mod dashboard;
pub mod evaluations;
pub mod monitoring;
pub mod results;
pub mod targets;
