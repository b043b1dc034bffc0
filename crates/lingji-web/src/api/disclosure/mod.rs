//! Disclosure: what finance has published, for anybody.

pub mod public;
