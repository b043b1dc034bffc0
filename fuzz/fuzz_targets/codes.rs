//! Any text typed as a code or a year: the classification codes, region codes and fiscal years
//! answer without panicking, and what they accept reads back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingji_domain::foundation::codes::{EconomicCode, EconomicSet, FiscalYear, FunctionCode, RegionCode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = FunctionCode::parse(text) {
        assert_eq!(FunctionCode::parse(c.as_str()).ok(), Some(c));
    }
    let _ = FunctionCode::parse_item(text);
    if let Ok(c) = EconomicCode::parse(text) {
        assert_eq!(EconomicCode::parse(c.as_str()).ok(), Some(c.clone()));
        let _ = c.parent();
    }
    for set in [EconomicSet::Department, EconomicSet::Government] {
        let _ = EconomicCode::parse_section(text, set);
    }
    if let Ok(r) = RegionCode::parse(text) {
        assert_eq!(RegionCode::parse(r.as_str()).ok(), Some(r));
    }
    if let Ok(y) = FiscalYear::parse(text) {
        assert!(FiscalYear::RANGE.contains(&y.value()));
        assert_eq!(FiscalYear::parse(&y.value().to_string()).ok(), Some(y));
    }
});
