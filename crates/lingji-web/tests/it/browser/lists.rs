//! Lists that add up: filters, sorting, totals, pages, select-all, input kept after a bulk error.

#[allow(unused_imports)]
use super::*;
