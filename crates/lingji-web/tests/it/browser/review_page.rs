//! The review page a reviewer decides on, and the rule builder.

#[allow(unused_imports)]
use super::*;
