//! Performance management (issue 7; PM-2, PM-9, PM-10, NAT-10): scoring and grading of
//! evaluations, self and key scorecards, and dual monitoring's lights.

pub mod evaluation;
pub mod monitoring;
pub mod scoring;

pub use evaluation::{
    Actual, Dimension, DimensionScore, KeyItem, KeyScorecard, Scorecard, ScoredIndicator,
    SelfEvaluation, indicator_weights, score_key, score_self,
};
pub use monitoring::{Assessment, Decision, IndicatorProgress, Light, Likelihood, assess};
pub use scoring::{Attainment, execution, qualitative, quantitative, split_weight};
