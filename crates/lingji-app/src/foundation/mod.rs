//! Foundation: organisations, users, sign-in, code tables, policy profiles and the audit chain
//! every other context writes to.

pub(crate) mod additions;
pub mod audit;
pub mod auth;
pub mod caller;
pub mod codes;
pub mod levels;
pub mod orgs;
pub mod profiles;
pub mod users;
