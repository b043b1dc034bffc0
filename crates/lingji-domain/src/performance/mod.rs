//! Performance management (issue 7; PM-2, PM-10, NAT-10): scoring and grading of evaluations.
//! Monitoring, key evaluation, results application and disclosure build on it.

pub mod scoring;

pub use scoring::{Attainment, execution, qualitative, quantitative, split_weight};
