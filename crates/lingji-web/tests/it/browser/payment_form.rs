//! A payment entered with pickers, previewed live and refused before it is submitted.

#[allow(unused_imports)]
use super::*;
