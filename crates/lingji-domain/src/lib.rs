//! Pure decisions of lingji: money, codes, organisations, roles and authorisation, policy
//! profiles, the audit chain. No I/O, no async, no SQL.
#![deny(clippy::float_arithmetic)]

pub mod allocation;
pub mod audit;
pub mod authz;
pub mod codes;
pub mod error;
pub mod execution;
pub mod fund;
pub mod money;
pub mod org;
pub mod performance;
pub mod policy;
pub mod project;
pub mod review;
pub mod tier;

pub use error::Refusal;
pub use money::Money;
