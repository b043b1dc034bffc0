//! Any bytes uploaded as a workbook: opening and reading every sheet must answer — a refusal or
//! rows within the limits — and never panic past the reader's guard, abort or blow the memory
//! limit (`-rss_limit_mb`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingji_workbook::{Book, Limits};

const LIMITS: Limits = Limits {
    columns: 40,
    rows: 1_048_576,
    cells: 200_000,
};

fuzz_target!(|data: &[u8]| {
    // The reader catches a third-party panic and refuses the file; the default hook of the
    // fuzzer would abort on the caught panic too, so only panics that escape are crashes here.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(mut book) = Book::open(data, LIMITS) else {
        return;
    };
    if let Ok(rows) = book.first_sheet() {
        let cells: usize = rows
            .iter()
            .map(|(_, r)| r.iter().filter(|c| !c.is_empty()).count())
            .sum();
        assert!(cells <= LIMITS.cells);
        for (row, r) in &rows {
            assert!(*row >= 1 && *row <= LIMITS.rows as usize);
            assert!(r.len() <= LIMITS.columns as usize);
        }
    }
    let _ = book.sheet("项目");
});
