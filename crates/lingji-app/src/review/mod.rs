//! Review: how a project is reviewed and by whom, the review flow, joint bodies and panels, gates,
//! queues and the lists finance keeps for review.

pub mod bodies;
pub mod finance_lists;
pub mod flow;
pub mod gates;
pub mod plan;
pub mod queue;
pub mod sheet;
