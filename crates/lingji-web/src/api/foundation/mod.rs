//! Foundation api: sign-in, accounts and tokens, organisations and users, code tables, the policy
//! profile and its calendar, the audit trail.

pub mod audit;
pub(crate) mod auth;
pub mod codes;
pub(crate) mod orgs;
pub mod policy;
pub(crate) mod users;
