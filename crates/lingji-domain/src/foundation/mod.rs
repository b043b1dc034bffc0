//! Foundation rules: who may do what (the one authorisation table), organisations, classification
//! codes, fund classes, the policy profile and the audit chain.

pub mod audit;
pub mod authz;
pub mod codes;
pub mod fund;
pub mod levels;
pub mod org;
pub mod policy;
pub mod todo;
