//! Disclosure: what finance has published, for anybody.

pub(crate) mod public;
