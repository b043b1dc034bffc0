//! The one writer of the .xlsx workbooks the use cases hand out (projects, allocation runs,
//! year-on-year statistics, the amendment document, the annual report, the self-evaluation
//! table): every sheet a bold header row (titles and widths, frozen) and then rows of cells,
//! amounts as numbers in 元 to the fen (`#,##0.00`).

use std::borrow::Cow;

use lingji_domain::Money;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};

/// Excel keeps every number as a double. The cell value is read from the exact decimal text of
/// the amount in fen — a conversion for display, never arithmetic — so what the sheet shows is
/// what was stored, to the fen.
fn yuan_cell(m: Money) -> f64 {
    m.to_plain().parse().unwrap_or_default()
}

fn xlsx(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// One cell of a row.
pub(crate) enum Cell<'a> {
    /// Text as it is.
    Text(Cow<'a, str>),
    /// Text in the header's bold (a label beside a value).
    Bold(Cow<'a, str>),
    /// A count, a year, a position.
    Number(f64),
    /// An amount in 元 to the fen.
    Yuan(Money),
    /// Nothing written.
    Empty,
}

impl<'a> Cell<'a> {
    pub(crate) fn text(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(s.into())
    }

    pub(crate) fn bold(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Bold(s.into())
    }
}

/// A workbook being written.
pub(crate) struct Book {
    book: Workbook,
    bold: Format,
    money: Format,
    /// A document's heading.
    title: Format,
}

impl Book {
    pub(crate) fn new() -> Book {
        Book {
            book: Workbook::new(),
            bold: Format::new().set_bold().set_background_color("DDE7F2"),
            money: Format::new().set_num_format("#,##0.00"),
            title: Format::new().set_bold().set_font_size(14),
        }
    }

    /// Adds sheet `name` with its header row (`columns`: title and width), frozen below it;
    /// rows are then written one after another.
    pub(crate) fn sheet(&mut self, name: &str, columns: &[(&str, f64)]) -> AppResult<Sheet<'_>> {
        let sheet = self.book.add_worksheet();
        sheet.set_name(name).map_err(xlsx)?;
        for (col, (title, width)) in columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet
                .write_string_with_format(0, col, *title, &self.bold)
                .map_err(xlsx)?;
            sheet.set_column_width(col, *width).map_err(xlsx)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
        Ok(Sheet {
            sheet,
            bold: &self.bold,
            money: &self.money,
            next: 1,
        })
    }

    /// Adds sheet `name` for a document people sign: its heading lines (`titles`, bold) above
    /// the header row (`columns`), frozen below the header; rows are then written one after
    /// another, and [`Sheet::signatures`] closes it.
    pub(crate) fn titled_sheet(
        &mut self,
        name: &str,
        titles: &[String],
        columns: &[(&str, f64)],
    ) -> AppResult<Sheet<'_>> {
        let sheet = self.book.add_worksheet();
        sheet.set_name(name).map_err(xlsx)?;
        let head = u32::try_from(titles.len()).unwrap_or(u32::MAX);
        for (row, title) in titles.iter().enumerate() {
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            sheet
                .write_string_with_format(row, 0, title, &self.title)
                .map_err(xlsx)?;
        }
        for (col, (title, width)) in columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet
                .write_string_with_format(head, col, *title, &self.bold)
                .map_err(xlsx)?;
            sheet.set_column_width(col, *width).map_err(xlsx)?;
        }
        sheet.set_freeze_panes(head + 1, 0).map_err(xlsx)?;
        Ok(Sheet {
            sheet,
            bold: &self.bold,
            money: &self.money,
            next: head + 1,
        })
    }

    /// The workbook's bytes.
    pub(crate) fn save(mut self) -> AppResult<Vec<u8>> {
        self.book.save_to_buffer().map_err(xlsx)
    }
}

/// A sheet of a [`Book`], written row by row below its header.
pub(crate) struct Sheet<'b> {
    sheet: &'b mut Worksheet,
    bold: &'b Format,
    money: &'b Format,
    /// The row the next [`Sheet::row`] writes.
    next: u32,
}

impl Sheet<'_> {
    /// Writes the next row, its cells from the first column on.
    pub(crate) fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cell<'c>>) -> AppResult<()> {
        let row = self.next;
        for (col, cell) in cells.into_iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(text) => self.sheet.write_string(row, col, text),
                Cell::Bold(text) => self
                    .sheet
                    .write_string_with_format(row, col, text, self.bold),
                Cell::Number(n) => self.sheet.write_number(row, col, n),
                Cell::Yuan(m) => {
                    self.sheet
                        .write_number_with_format(row, col, yuan_cell(m), self.money)
                }
                Cell::Empty => continue,
            }
            .map_err(xlsx)?;
        }
        self.skip(1);
        Ok(())
    }

    /// After an empty row, the lines a signed document ends with: who prepared it, who checked
    /// it, and the seal.
    pub(crate) fn signatures(&mut self) -> AppResult<()> {
        self.skip(1);
        self.row([
            Cell::text("经办人："),
            Cell::Empty,
            Cell::text("审核人："),
            Cell::Empty,
            Cell::text("（盖章）"),
        ])
    }

    /// Leaves `rows` rows empty.
    pub(crate) fn skip(&mut self, rows: u32) {
        self.next = self.next.saturating_add(rows);
    }
}
