//! Foundation pages: sign-in, accounts and tokens, organisations and users, code tables, the policy
//! profile and its calendar, the audit trail.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod audit;
mod audit_changes;
pub mod calendar;
pub(crate) mod codes;
pub(crate) mod jurisdictions;
pub(crate) mod login;
pub(crate) mod orgs;
pub(crate) mod policy;
pub(crate) mod tokens;
