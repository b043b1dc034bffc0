//! Any text typed as a date: accepted only within 1900–2199, and printed back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingji_domain::dates;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = dates::parse(text, "date") {
        assert!((dates::EARLIEST..=dates::LATEST).contains(&d));
        assert_eq!(dates::parse(&d.to_string(), "date").ok(), Some(d));
    }
});
