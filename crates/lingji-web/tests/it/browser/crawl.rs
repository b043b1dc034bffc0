//! The crawl: as every demo role, every navigation link two levels deep, nothing English, no ISO time, no overflow (issue 20, point 7).

#[allow(unused_imports)]
use super::*;
