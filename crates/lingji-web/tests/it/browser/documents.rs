//! Documents people sign: print layouts, workbooks, confirmations.

#[allow(unused_imports)]
use super::*;
