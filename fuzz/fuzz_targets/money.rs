//! Any text typed as an amount: `Money::parse` answers without panicking; what it accepts is
//! within the input limit and reads back to itself from both of its printed forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingji_domain::Money;
use lingji_domain::money::MAX_INPUT_YUAN;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = Money::parse(text) {
        assert!(m.fen().unsigned_abs() <= MAX_INPUT_YUAN as u64 * 100);
        assert_eq!(Money::parse(&m.to_plain()).ok(), Some(m));
        assert_eq!(Money::parse(&m.to_yuan_display()).ok(), Some(m));
        let _ = m.to_wan_display();
    }
    let _ = Money::parse_non_negative(text, "amount");
});
