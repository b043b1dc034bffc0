//! Reading .xlsx workbooks written by Excel, WPS, LibreOffice or openpyxl: sheets by name,
//! every cell as the text the user sees, and cell references in A1 form.
//!
//! Every workbook comes from a user, so it is bounded before it is read. An .xlsx file is a zip
//! of XML parts; a few kilobytes can declare a cell at XFD1048576 (a dense range of 17 billion
//! cells) or inflate to gigabytes of shared strings, and an allocation that fails aborts the
//! whole server. [`Book::open`] therefore walks the zip first — how many parts, what they
//! declare and what they really inflate to, counted through a fixed buffer — and refuses a file
//! beyond its [`Limits`] before the spreadsheet reader allocates anything for it. Sheets are then
//! read cell by cell (never as a dense range), each cell checked against the layout's columns
//! and rows and the workbook's cell budget.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{Data, DataRef, DataType, Reader, Xlsx};
use lingji_domain::Refusal;

/// The rows of a sheet: each row's cells as text, with its 1-based row number as Excel shows it.
/// Rows without any value are left out.
pub type Rows = Vec<(usize, Vec<String>)>;

/// Parts a workbook may have. Excel writes about a dozen for a plain workbook, a few more per
/// sheet, chart or picture.
pub const MAX_PARTS: usize = 1_000;

/// Sheets a workbook may have.
pub const MAX_SHEETS: usize = 64;

/// How far one part may inflate beyond its compressed size once it is past
/// [`RATIO_FLOOR`]. Spreadsheet XML compresses about 10–15 times (a 100,000-project import
/// workbook: 11–12); bombs compress hundreds or thousands of times.
pub const MAX_RATIO: u64 = 100;

/// Parts smaller than this inflated are never refused for their ratio: a short, repetitive part
/// compresses well without being a bomb.
pub const RATIO_FLOOR: u64 = 1 << 20;

/// The longest run of XML between two angle brackets: Excel's longest cell text (32,767
/// characters, escaped) is well below it. It bounds the reader's buffers.
pub const MAX_XML_RUN: usize = 1 << 20;

/// What a workbook read for one purpose may hold, set by the layout it must follow.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Columns a sheet may use (A is 1).
    pub columns: u32,
    /// Rows a sheet may use, headers included.
    pub rows: u32,
    /// Cells with a value in all the sheets read, and strings in the shared-string table; also
    /// the cells held for the rows read, empty or not (a row is held from column A to its
    /// last value).
    pub cells: usize,
}

impl Limits {
    /// Bytes the parts of the workbook may inflate to in all: room for every allowed cell
    /// written generously (a cell of the 100,000-project workbook takes 35 bytes of XML) and for
    /// the parts every workbook has.
    pub const fn unpacked_bytes(&self) -> u64 {
        self.cells as u64 * 80 + (16 << 20)
    }
}

/// An open workbook, bounded by its [`Limits`].
pub struct Book<'a> {
    bytes: &'a [u8],
    xlsx: Xlsx<Cursor<&'a [u8]>>,
    limits: Limits,
    /// What the readers of the file have taken of its limits, shared with every
    /// [`Book::another`] reader of the same file: the budget is the file's, whichever thread
    /// reads its sheets.
    taken: Arc<Taken>,
}

/// What the readers of one file have taken of its [`Limits::cells`].
#[derive(Default)]
struct Taken {
    /// Cells with a value.
    values: AtomicUsize,
    /// Cells held for the rows, empty or not. A row's cells are held from column A on, so a
    /// sparse sheet holds far more than its values: a 5 MB file with one value in column AN
    /// of each of a million rows grew an import to 1.9 GB before this was counted
    /// (docs/BENCHMARKS.md, stop 38).
    held: AtomicUsize,
}

fn malformed(why: impl std::fmt::Display) -> Refusal {
    Refusal::new("FILE_MALFORMED", format!("无法读取 Excel 文件：{why}")).field("file")
}

/// A reader's own error, in English and about its internals: logged for the operator, while the
/// user reads in Chinese what to do.
fn unreadable(e: impl std::fmt::Display) -> Refusal {
    tracing::debug!(error = %e, "workbook not readable");
    malformed("文件已损坏或不是 Excel 工作簿，请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
}

fn too_large(code: &'static str, message: String) -> Refusal {
    Refusal::new(code, message).field("file")
}

/// Runs the spreadsheet reader on hostile bytes. The reader is third-party code; should it
/// panic on a malformed file (index arithmetic on attacker-chosen numbers), the user gets a
/// refusal instead of a dropped connection.
fn guarded<T>(f: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(malformed("文件结构损坏")))
}

impl<'a> Book<'a> {
    /// Opens an .xlsx file within `limits`; anything else is refused as malformed, anything
    /// larger as too large, before it is read.
    pub fn open(bytes: &'a [u8], limits: Limits) -> Result<Book<'a>, Refusal> {
        inspect(bytes, &limits)?;
        let xlsx = guarded(|| Xlsx::new(Cursor::new(bytes)).map_err(unreadable))?;
        let sheets = xlsx.sheet_names().len();
        if sheets > MAX_SHEETS {
            return Err(too_large(
                "WORKBOOK_TOO_MANY_SHEETS",
                format!("工作簿有 {sheets} 个工作表，最多 {MAX_SHEETS} 个"),
            ));
        }
        Ok(Book {
            bytes,
            xlsx,
            limits,
            taken: Arc::default(),
        })
    }

    /// A second reader of the same file, already inspected, so that its sheets can be read on
    /// two threads at once (a 100,000-project workbook takes seconds to parse). It shares this
    /// reader's cell budget; it parses the shared strings again and holds its own copy of them,
    /// which the limits bound like the first. It is opened by [`Another::open`], on the thread
    /// that reads with it, so that the two parse their shared strings at the same time.
    pub fn another(&self) -> Another<'a> {
        Another {
            bytes: self.bytes,
            limits: self.limits,
            taken: Arc::clone(&self.taken),
        }
    }

    /// The rows of the first sheet.
    pub fn first_sheet(&mut self) -> Result<Rows, Refusal> {
        let name = self
            .xlsx
            .sheet_names()
            .into_iter()
            .next()
            .ok_or_else(|| malformed("工作簿中没有工作表"))?;
        self.read(&name)
    }

    /// The rows of the sheet called `name`, none when the workbook has no such sheet.
    pub fn sheet(&mut self, name: &str) -> Result<Option<Rows>, Refusal> {
        let Some(actual) = self
            .xlsx
            .sheet_names()
            .into_iter()
            .find(|n| n.trim() == name)
        else {
            return Ok(None);
        };
        self.read(&actual).map(Some)
    }

    fn read(&mut self, name: &str) -> Result<Rows, Refusal> {
        let Book {
            xlsx,
            limits,
            taken,
            ..
        } = self;
        guarded(|| {
            let mut reader = xlsx.worksheet_cells_reader(name).map_err(unreadable)?;
            // The range the sheet declares: refused when beyond the layout, even before a
            // cell out there is met, so the user learns which sheet is wrong and why.
            let declared = reader.dimensions();
            if declared.end.0 >= limits.rows || declared.end.1 >= limits.columns {
                return Err(out_of_layout(
                    name,
                    &format!(
                        "声明的范围 {}:{}",
                        reference(declared.start),
                        reference(declared.end)
                    ),
                    limits,
                ));
            }
            // Room for the columns the sheet declares, within the layout's: a row's cells then
            // grow without moving.
            let width = declared.end.1.saturating_add(1).min(limits.columns) as usize;
            let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
            while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                let (row, column) = cell.get_position();
                let text = match cell.get_value() {
                    // Most cells are text: trimmed straight from the reader's string, which
                    // `Data` would first copy.
                    DataRef::SharedString(s) => s.trim().to_string(),
                    DataRef::String(s) => s.trim().to_string(),
                    other => cell_text(&Data::from(other.clone())),
                };
                if text.is_empty() {
                    continue;
                }
                if row >= limits.rows || column >= limits.columns {
                    return Err(out_of_layout(
                        name,
                        &format!("单元格 {}", reference((row, column))),
                        limits,
                    ));
                }
                // A workbook is text people typed, like a form: a control character is refused
                // by its cell here, as the web's guard refuses it in a form field, so SQLite
                // (which would store it) and PostgreSQL (which refuses NUL) answer alike.
                if let Some(c) = lingji_domain::text::first_control(&text) {
                    let cell = format!("{name}!{}", reference((row, column)));
                    return Err(lingji_domain::text::control_refusal(c, &cell));
                }
                if taken.values.fetch_add(1, Ordering::Relaxed) >= limits.cells {
                    return Err(too_large(
                        "WORKBOOK_TOO_MANY_CELLS",
                        format!("工作簿中有值的单元格超过 {} 个", limits.cells),
                    ));
                }
                let (cells, held) = match rows.entry(row) {
                    Entry::Vacant(new) => (new.insert(Vec::with_capacity(width)), 0),
                    Entry::Occupied(row) => {
                        let cells = row.into_mut();
                        let held = cells.capacity();
                        (cells, held)
                    }
                };
                let column = column as usize;
                if cells.len() <= column {
                    cells.resize(column + 1, String::new());
                }
                // What the row now holds beyond what it held, counted before the next cell
                // is read: the memory stays within the limits whatever the layout of the
                // values.
                let grown = cells.capacity() - held;
                if grown > 0
                    && taken.held.fetch_add(grown, Ordering::Relaxed) + grown > limits.cells
                {
                    return Err(too_large(
                        "WORKBOOK_TOO_MANY_CELLS",
                        format!(
                            "工作簿的行占用的单元格（从 A 列到每行最后一个有值的单元格，含空白）超过 {} 个，请删除多余的行和列后再上传",
                            limits.cells
                        ),
                    ));
                }
                cells[column] = text;
            }
            Ok(rows
                .into_iter()
                .map(|(row, cells)| (row as usize + 1, cells))
                .collect())
        })
    }
}

/// A second reader of an open [`Book`], not yet opened: see [`Book::another`].
pub struct Another<'a> {
    bytes: &'a [u8],
    limits: Limits,
    taken: Arc<Taken>,
}

impl<'a> Another<'a> {
    /// Opens the second reader, parsing the file's shared strings for it.
    pub fn open(self) -> Result<Book<'a>, Refusal> {
        let xlsx = guarded(|| Xlsx::new(Cursor::new(self.bytes)).map_err(unreadable))?;
        Ok(Book {
            bytes: self.bytes,
            xlsx,
            limits: self.limits,
            taken: self.taken,
        })
    }
}

fn out_of_layout(sheet: &str, what: &str, limits: &Limits) -> Refusal {
    Refusal::new(
        "WORKBOOK_RANGE_EXCEEDED",
        format!(
            "工作表“{sheet}”{what}超出模板所需的范围（最多 {} 列、{} 行），请删去多余的单元格后重新上传",
            column_letter(limits.columns.saturating_sub(1) as usize),
            limits.rows
        ),
    )
    .field(format!("{sheet}!{}", what.rsplit(' ').next().unwrap_or("")))
}

/// A 0-based (row, column) as Excel names it: (0, 0) → A1.
fn reference((row, column): (u32, u32)) -> String {
    format!("{}{}", column_letter(column as usize), u64::from(row) + 1)
}

/// Walks the zip before anything is parsed: the number of parts, the sizes they declare, then
/// what each really inflates to, counted through a fixed buffer, so a lying header cannot
/// smuggle a bomb past the declared sizes. XML parts are scanned on the way for runs that would
/// grow the reader's buffers and for the size of the shared-string table.
fn inspect(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        Refusal::new(
            "FILE_MALFORMED",
            "无法读取 Excel 文件：不是 .xlsx 格式（请用 Excel 或 WPS 另存为 .xlsx）",
        )
        .field("file")
    })?;
    if zip.len() > MAX_PARTS {
        return Err(too_large(
            "WORKBOOK_TOO_MANY_PARTS",
            format!(
                "工作簿由 {} 个部件组成，超过上限 {MAX_PARTS} 个，不像是正常的 Excel 文件",
                zip.len()
            ),
        ));
    }
    let budget = limits.unpacked_bytes();
    let bomb = || {
        too_large(
            "WORKBOOK_TOO_LARGE",
            format!(
                "工作簿解压后超过 {} MB 或压缩比异常，不予读取",
                budget >> 20
            ),
        )
    };
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(unreadable)?;
        declared = declared.saturating_add(part.size());
        if part.size() > RATIO_FLOOR && part.size() / MAX_RATIO > part.compressed_size() {
            return Err(bomb());
        }
    }
    if declared > budget {
        return Err(bomb());
    }
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(unreadable)?;
        let name = part.name().map_err(unreadable)?.into_owned();
        let compressed = part.compressed_size();
        // The reader finds parts by name without regard to case (`xl/sharedStringS.xml` is its
        // shared-string table), so the scan must too.
        let lower = name.to_ascii_lowercase();
        let mut scan = (lower.ends_with(".xml") || lower.ends_with(".rels"))
            .then(|| XmlScan::new(lower.ends_with("sharedstrings.xml"), limits.cells as u64));
        let mut inflated = 0u64;
        loop {
            // The zip reader stops a part that inflates beyond the size it declares.
            let n = part
                .read(&mut buffer)
                .map_err(|_| malformed("压缩内容损坏或与其声明的大小不符"))?;
            if n == 0 {
                break;
            }
            inflated += n as u64;
            total += n as u64;
            if total > budget || (inflated > RATIO_FLOOR && inflated / MAX_RATIO > compressed) {
                return Err(bomb());
            }
            if let Some(scan) = scan.as_mut() {
                scan.feed(&buffer[..n], &name)?;
            }
        }
        if let Some(scan) = scan {
            scan.finish()?;
        }
    }
    Ok(())
}

/// A byte-level look at one XML part: the longest run between angle brackets, and in the
/// shared-string table the strings it holds and the count it declares (the reader reserves room
/// for that many up front).
struct XmlScan {
    shared_strings: bool,
    /// Strings the table may hold: the workbook's cell budget.
    most: u64,
    run: usize,
    /// The name of the tag being read, up to its first space, `/` or `>`; `None` outside tags.
    tag: Option<Vec<u8>>,
    /// The start tag of `<sst …>` while it is read, for its `uniqueCount`.
    sst: Option<Vec<u8>>,
    declared: Option<u64>,
    strings: u64,
}

impl XmlScan {
    fn new(shared_strings: bool, most: u64) -> XmlScan {
        XmlScan {
            shared_strings,
            most,
            run: 0,
            tag: None,
            sst: None,
            declared: None,
            strings: 0,
        }
    }

    fn feed(&mut self, bytes: &[u8], part: &str) -> Result<(), Refusal> {
        for &b in bytes {
            if b == b'<' || b == b'>' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_XML_RUN {
                    return Err(malformed(format!(
                        "部件 {part} 中有超过 {} KB 的连续内容",
                        MAX_XML_RUN >> 10
                    )));
                }
            }
            if !self.shared_strings {
                continue;
            }
            if let Some(sst) = self.sst.as_mut() {
                if b == b'>' {
                    self.declared = Some(unique_count(sst));
                    self.sst = None;
                } else if sst.len() < 4096 {
                    sst.push(b);
                }
                continue;
            }
            match (self.tag.as_mut(), b) {
                (None, b'<') => self.tag = Some(Vec::new()),
                (None, _) => {}
                (Some(tag), b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>') => {
                    // The local name, whatever namespace prefix the writer used.
                    let local = tag.rsplit(|&c| c == b':').next().unwrap_or(&[]);
                    if local == b"si" {
                        self.strings += 1;
                        if self.strings > self.most {
                            return Err(self.too_many());
                        }
                    } else if local == b"sst" && b != b'>' {
                        self.sst = Some(Vec::new());
                    }
                    self.tag = None;
                }
                (Some(tag), _) if tag.len() < 16 => tag.push(b),
                (Some(_), _) => self.tag = None,
            }
        }
        Ok(())
    }

    fn too_many(&self) -> Refusal {
        too_large(
            "WORKBOOK_TOO_MANY_CELLS",
            format!("工作簿的共享字符串超过 {} 个", self.most),
        )
    }

    fn finish(self) -> Result<(), Refusal> {
        if self.declared.is_some_and(|d| d > self.most) {
            return Err(self.too_many());
        }
        Ok(())
    }
}

/// The `uniqueCount` attribute of an `<sst …>` start tag; a value that is not a number the
/// reader could use counts as unbounded.
fn unique_count(tag: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(tag);
    let Some(at) = text.find("uniqueCount") else {
        return 0;
    };
    let value = text[at + "uniqueCount".len()..]
        .trim_start_matches([' ', '='])
        .trim_start_matches(['"', '\'']);
    let digits: String = value
        .chars()
        .take_while(|c| !matches!(c, '"' | '\''))
        .collect();
    digits.trim().parse().unwrap_or(u64::MAX)
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
        assert_eq!(reference((1_048_575, 16_383)), "XFD1048576");
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(cell_text(&Data::Float(2010101.0)), "2010101");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(cell_text(&Data::Float(1234.56)), "1234.56");
        assert_eq!(cell_text(&Data::Float(12.345)), "12.345");
        assert_eq!(cell_text(&Data::Bool(true)), "是");
    }

    #[test]
    fn the_declared_string_count_is_read_whatever_its_quotes() {
        assert_eq!(
            unique_count(b"sst xmlns=\"x\" count=\"5\" uniqueCount=\"3\""),
            3
        );
        assert_eq!(unique_count(b"x:sst uniqueCount = '7'"), 7);
        assert_eq!(
            unique_count(b"sst uniqueCount=\"99999999999999999999999\""),
            u64::MAX
        );
        assert_eq!(unique_count(b"sst count=\"2\""), 0);
    }
}
