//! Reading .xlsx workbooks written by Excel, WPS, LibreOffice or openpyxl: sheets by name,
//! every cell as the text the user sees, and cell references in A1 form.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use lingji_domain::Refusal;

/// The rows of a sheet: each row's cells as text, with its 1-based row number as Excel shows it.
pub type Rows = Vec<(usize, Vec<String>)>;

/// An open workbook.
pub struct Book(Xlsx<Cursor<Vec<u8>>>);

fn malformed(e: impl std::fmt::Display) -> Refusal {
    Refusal::new("FILE_MALFORMED", format!("无法读取 Excel 文件：{e}")).field("file")
}

impl Book {
    /// Opens an .xlsx file; anything else is refused as malformed.
    pub fn open(bytes: &[u8]) -> Result<Book, Refusal> {
        Xlsx::new(Cursor::new(bytes.to_vec()))
            .map(Book)
            .map_err(malformed)
    }

    /// The rows of the first sheet.
    pub fn first_sheet(&mut self) -> Result<Rows, Refusal> {
        let range = self
            .0
            .worksheet_range_at(0)
            .ok_or_else(|| malformed("工作簿中没有工作表"))?
            .map_err(malformed)?;
        Ok(rows_of(&range))
    }

    /// The rows of the sheet called `name`, none when the workbook has no such sheet.
    pub fn sheet(&mut self, name: &str) -> Result<Option<Rows>, Refusal> {
        let Some(actual) = self.0.sheet_names().into_iter().find(|n| n.trim() == name) else {
            return Ok(None);
        };
        let range = self.0.worksheet_range(&actual).map_err(malformed)?;
        Ok(Some(rows_of(&range)))
    }
}

fn rows_of(range: &calamine::Range<Data>) -> Rows {
    let (start_row, start_col) = range
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap_or((0, 0));
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            // Keep columns where Excel has them, so a reported column letter is the real one.
            let mut cells = vec![String::new(); start_col];
            cells.extend(row.iter().map(cell_text));
            (start_row + i + 1, cells)
        })
        .collect()
}

/// A cell as the text the user sees. Excel stores codes typed as numbers as floats (2010101
/// comes back 2010101.0) and keeps binary noise from formulas (0.1 + 0.2); like Excel, show 15
/// significant digits. The text is then parsed exactly (money by `Money::parse`), so no float
/// reaches a money path. Dates come back as `YYYY-MM-DD`.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            let shown: f64 = format!("{f:.14e}").parse().unwrap_or(*f);
            if shown.fract() == 0.0 && shown.abs() < 1e15 {
                format!("{shown:.0}")
            } else {
                shown.to_string()
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(|d| d.to_string())
            .unwrap_or_else(|| cell.to_string()),
        other => other.to_string().trim().to_string(),
    }
}

/// The letter of a 0-based column: 0 → A, 26 → AA.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_like_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(cell_text(&Data::Float(2010101.0)), "2010101");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(cell_text(&Data::Float(1234.56)), "1234.56");
        assert_eq!(cell_text(&Data::Float(12.345)), "12.345");
        assert_eq!(cell_text(&Data::Bool(true)), "是");
    }
}
