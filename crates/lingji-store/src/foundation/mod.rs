//! Foundation storage: organisations, users and sessions, code tables, policy profiles and the
//! audit chain with its verification.

pub mod audit;
pub mod codes;
pub mod levels;
pub mod orgs;
pub mod profiles;
pub mod sessions;
pub mod users;
