//! Hostile workbooks (written by scripts/workbook_bombs.py) are refused before they are read,
//! under the bounds of every workbook lingji reads: code tables and standards, the monitoring
//! workbook, the project import.

use lingji_app::foundation::codes::TABLE_LIMITS;
use lingji_app::library::project_excel::IMPORT_LIMITS as PROJECTS;
use lingji_app::performance::monitoring::IMPORT_LIMITS as MONITORING;
use lingji_app::workbook::{Book, Limits};

const ALL: [(&str, Limits); 3] = [
    ("code tables", TABLE_LIMITS),
    ("monitoring", MONITORING),
    ("projects", PROJECTS),
];

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../lingji-workbook/tests/fixtures/", $name))
    };
}

/// The refusal of opening and reading every sheet of `bytes` under `limits`.
fn refusal(bytes: &[u8], limits: Limits) -> lingji_domain::Refusal {
    match Book::open(bytes, limits) {
        Err(r) => r,
        Ok(mut book) => book.first_sheet().expect_err("the workbook was read"),
    }
}

#[test]
fn a_cell_at_the_last_column_and_row_is_refused_naming_it() {
    for (what, limits) in ALL {
        let r = refusal(fixture!("far-cell.xlsx"), limits);
        assert_eq!(r.code, "WORKBOOK_RANGE_EXCEEDED", "{what}: {r:?}");
        assert_eq!(r.field.as_deref(), Some("项目!A1:XFD1048576"), "{what}");
        assert!(r.message.contains("声明的范围 A1:XFD1048576"), "{r:?}");
        // Without the declared range, the cell itself is found and named.
        let r = refusal(fixture!("far-cell-undeclared.xlsx"), limits);
        assert_eq!(r.code, "WORKBOOK_RANGE_EXCEEDED", "{what}: {r:?}");
        assert_eq!(r.field.as_deref(), Some("项目!XFD1048576"), "{what}");
    }
}

#[test]
fn a_shared_strings_bomb_is_refused_whether_or_not_it_states_its_size() {
    for (what, limits) in ALL {
        let r = refusal(fixture!("shared-strings-bomb.xlsx"), limits);
        assert_eq!(r.code, "WORKBOOK_TOO_LARGE", "{what}: {r:?}");
        assert_eq!(r.field.as_deref(), Some("file"));
        // Declaring 4 KB, it is stopped where it inflates past that.
        let r = refusal(fixture!("shared-strings-bomb-lying.xlsx"), limits);
        assert_eq!(r.code, "FILE_MALFORMED", "{what}: {r:?}");
        assert!(r.message.contains("与其声明的大小不符"), "{r:?}");
    }
}

#[test]
fn a_string_table_declaring_a_trillion_strings_is_refused() {
    for (what, limits) in ALL {
        let r = refusal(fixture!("unique-count.xlsx"), limits);
        assert_eq!(r.code, "WORKBOOK_TOO_MANY_CELLS", "{what}: {r:?}");
    }
}

/// Found by the fuzzer: the same table named `xl/sharedStringS.xml`, which the reader opens as
/// its shared strings (it ignores case) and would reserve room for 10¹² strings for — an
/// allocation that aborts the process.
#[test]
fn a_string_table_named_in_another_case_is_checked_all_the_same() {
    for (what, limits) in ALL {
        let r = refusal(fixture!("unique-count-renamed.xlsx"), limits);
        assert_eq!(r.code, "WORKBOOK_TOO_MANY_CELLS", "{what}: {r:?}");
    }
}

#[test]
fn thousands_of_parts_are_refused() {
    let r = refusal(fixture!("many-parts.xlsx"), PROJECTS);
    assert_eq!(r.code, "WORKBOOK_TOO_MANY_PARTS", "{r:?}");
    assert!(r.message.contains("2005"), "{}", r.message);
}

#[test]
fn a_zip_or_bytes_that_are_no_workbook_are_malformed() {
    for bytes in [
        &fixture!("not-a-workbook.xlsx")[..],
        b"PK\x03\x04 broken",
        b"",
    ] {
        assert_eq!(refusal(bytes, PROJECTS).code, "FILE_MALFORMED");
    }
}

#[test]
fn a_sheet_beyond_the_cell_budget_is_refused_and_one_within_is_read() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for row in 0..30u32 {
        for col in 0..5u16 {
            sheet.write_number(row, col, f64::from(row)).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let tight = Limits {
        columns: 5,
        rows: 100,
        cells: 100,
    };
    let r = refusal(&bytes, tight);
    assert_eq!(r.code, "WORKBOOK_TOO_MANY_CELLS", "{r:?}");
    let enough = Limits {
        cells: 150,
        ..tight
    };
    let rows = Book::open(&bytes, enough).unwrap().first_sheet().unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[29], (30, vec!["29".to_string(); 5]));
    // A control character in a cell is refused by its cell, as in a form field.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "项目名称").unwrap();
    sheet.write_string(1, 0, "校舍\u{1b}维修").unwrap();
    let controlled = book.save_to_buffer().unwrap();
    let r = refusal(&controlled, enough);
    assert_eq!(r.code, "TEXT_CONTROL_CHAR", "{r:?}");
    assert_eq!(r.field.as_deref(), Some("Sheet1!A2"));
    // One column more than the layout has is named by its cell.
    let narrow = Limits {
        columns: 4,
        ..enough
    };
    let r = refusal(&bytes, narrow);
    assert_eq!(r.code, "WORKBOOK_RANGE_EXCEEDED", "{r:?}");
    assert_eq!(r.field.as_deref(), Some("Sheet1!A1:E30"));
}

/// The project import reads its sheets on two threads, each through its own reader of the file
/// (`Book::another`): the cell budget is still the file's, not each reader's.
#[test]
fn two_readers_of_one_file_share_its_cell_budget() {
    let mut book = rust_xlsxwriter::Workbook::new();
    for name in ["项目", "测算明细"] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for row in 0..20u32 {
            for col in 0..4u16 {
                sheet.write_number(row, col, f64::from(row)).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    // 160 cells in all, 80 a sheet: each sheet alone is within 100, both are not.
    let limits = Limits {
        columns: 4,
        rows: 100,
        cells: 100,
    };
    let mut first = Book::open(&bytes, limits).unwrap();
    let mut second = first.another().open().unwrap();
    assert_eq!(first.sheet("项目").unwrap().unwrap().len(), 20);
    let r = second
        .sheet("测算明细")
        .expect_err("the budget was exceeded");
    assert_eq!(r.code, "WORKBOOK_TOO_MANY_CELLS", "{r:?}");
    // Each reader alone reads its sheet.
    let mut alone = Book::open(&bytes, limits).unwrap();
    assert_eq!(alone.sheet("测算明细").unwrap().unwrap().len(), 20);
}

/// A sheet's row is held from column A to its last value: a sparse sheet — one value far to the
/// right of each row — holds many empty cells for few values, and those count against the
/// file's budget too (a 5 MB file of a million such rows held 1.5 GB before they did).
#[test]
fn a_sparse_sheet_is_refused_for_the_empty_cells_it_holds() {
    let sheet_with_one_value_a_row_at = |column: u16| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("项目").unwrap();
        for row in 0..20u32 {
            sheet.write_number(row, column, f64::from(row)).unwrap();
        }
        book.save_to_buffer().unwrap()
    };
    // 20 values, well within 100; held from column A: 20 cells, or 20 × 40.
    let limits = Limits {
        columns: 40,
        rows: 100,
        cells: 100,
    };
    let near = sheet_with_one_value_a_row_at(0);
    let mut book = Book::open(&near, limits).unwrap();
    assert_eq!(book.first_sheet().unwrap().len(), 20);
    let far = sheet_with_one_value_a_row_at(39);
    let r = refusal(&far, limits);
    assert_eq!(r.code, "WORKBOOK_TOO_MANY_CELLS", "{r:?}");
    assert_eq!(r.field.as_deref(), Some("file"));
    assert!(r.message.contains("含空白"), "{r:?}");
}
