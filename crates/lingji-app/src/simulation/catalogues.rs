//! The catalogues a generated or demo jurisdiction loads: the national classification codes, the
//! demo's spending standards and indicator library (the files under `data/`).

pub(crate) const INDICATORS: &str = include_str!("../../../../data/indicators/demo_indicators.csv");
pub(crate) const STANDARDS: &str = include_str!("../../../../data/standards/demo_standards.csv");
pub(crate) const FUNCTION_CODES: &str = include_str!("../../../../data/codes/function_codes.csv");
pub(crate) const ECONOMIC_CODES: &str = include_str!("../../../../data/codes/economic_codes.csv");
