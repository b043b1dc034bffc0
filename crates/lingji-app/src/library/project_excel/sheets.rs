//! Reading the project workbook: sheets found by name, columns by header, child rows tied to
//! their project by 序号, and every refusal mapped back to its cell (`测算明细!F2`).

use std::collections::HashMap;

use lingji_domain::Refusal;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::library::Features;

use super::IMPORT_LIMITS;
use super::{INDICATORS, LINES, Layout, PLAN, PROJECTS, leading_code, normalise_header};
use crate::error::AppError;
use crate::library::projects::{CostLineDraft, IndicatorDraft, ProjectDraft, YearNeedDraft};
use crate::workbook::{Book, Rows, column_letter};

/// At most this many errors are listed; the count covers all of them.
const MAX_LISTED_ERRORS: usize = 1_000;

/// A sheet as found in the file: which column holds which field. Its rows are read apart
/// ([`read_sheet`]) and consumed once; the sheet stays to say where a cell is.
pub(super) struct Sheet {
    layout: Layout,
    columns: HashMap<&'static str, usize>,
}

impl Sheet {
    fn get<'a>(&self, cells: &'a [String], key: &str) -> &'a str {
        self.columns
            .get(key)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// The cell of `key`, trimmed, moved out of the row: a 100,000-project file has millions
    /// of cells, each read once, and copying them would double the memory the import holds.
    fn take(&self, cells: &mut [String], key: &str) -> String {
        let Some(cell) = self.columns.get(key).and_then(|i| cells.get_mut(*i)) else {
            return String::new();
        };
        let text = std::mem::take(cell);
        if text.trim().len() == text.len() {
            text
        } else {
            text.trim().to_string()
        }
    }
}

/// Every sheet of the file.
pub(super) struct Sheets {
    pub(super) projects: Sheet,
    pub(super) lines: Sheet,
    pub(super) indicators: Sheet,
    pub(super) plan: Sheet,
}

impl Sheets {
    fn of(&self, layout: &Layout) -> &Sheet {
        match layout.name {
            n if n == LINES.name => &self.lines,
            n if n == INDICATORS.name => &self.indicators,
            n if n == PLAN.name => &self.plan,
            _ => &self.projects,
        }
    }
}

/// The errors found so far, each at its cell.
#[derive(Default)]
pub(super) struct Errors {
    pub(super) listed: Vec<Refusal>,
    pub(super) total: usize,
}

impl Errors {
    pub(super) fn at(&mut self, sheet: &Sheet, row: usize, key: &str, r: Refusal) {
        self.total += 1;
        if self.listed.len() >= MAX_LISTED_ERRORS {
            return;
        }
        let header = sheet.layout.column(key).map(|c| c.header).unwrap_or(key);
        let (field, place) = match sheet.columns.get(key) {
            Some(c) => {
                let cell = format!("{}{row}", column_letter(*c));
                (
                    format!("{}!{cell}", sheet.layout.name),
                    format!(
                        "“{}”表 {cell}（第 {row} 行「{header}」）",
                        sheet.layout.name
                    ),
                )
            }
            None => (
                format!("{}!第{row}行", sheet.layout.name),
                format!("“{}”表第 {row} 行「{header}」", sheet.layout.name),
            ),
        };
        self.listed.push(Refusal {
            message: format!("{place}：{}", r.message),
            field: Some(field),
            ..r
        });
    }

    /// Adds the errors found in other sheets after this one's, as if read in turn.
    fn extend(&mut self, other: Errors) {
        self.total += other.total;
        let room = MAX_LISTED_ERRORS.saturating_sub(self.listed.len());
        self.listed.extend(other.listed.into_iter().take(room));
    }

    pub(super) fn into_error(self) -> AppError {
        let more = self.total - self.listed.len();
        let message = if more > 0 {
            format!(
                "文件有 {} 处错误，未导入任何项目（以下列出前 {} 处）",
                self.total,
                self.listed.len()
            )
        } else {
            format!("文件有 {} 处错误，未导入任何项目", self.total)
        };
        AppError::Invalid {
            summary: Refusal::new("IMPORT_INVALID", message),
            errors: self.listed,
        }
    }
}

/// A project read from the file, with the rows each of its parts came from.
pub(super) struct Entry {
    pub(super) row: usize,
    pub(super) unit_code: String,
    pub(super) draft: ProjectDraft,
    pub(super) lines: Vec<usize>,
    pub(super) indicators: Vec<usize>,
    pub(super) plan: Vec<usize>,
    /// A cell of this project could not be read; it is not checked further.
    pub(super) broken: bool,
}

/// The sheet of `layout` with its rows below the header.
fn read_sheet(
    book: &mut Book,
    layout: Layout,
    errors: &mut Errors,
) -> Result<(Sheet, Rows), Refusal> {
    let rows = book.sheet(layout.name)?;
    let mut sheet = Sheet {
        layout,
        columns: HashMap::new(),
    };
    let Some(mut rows) = rows else {
        if layout.name == PROJECTS.name {
            return Err(Refusal::new(
                "IMPORT_SHEET_MISSING",
                "文件中没有“项目”工作表，请使用下载的导入模板",
            )
            .field("file"));
        }
        return Ok((sheet, Rows::new()));
    };
    rows.retain(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, headers)) = rows.first().cloned() else {
        return Ok((sheet, rows));
    };
    for (i, h) in headers.iter().enumerate() {
        let h = normalise_header(h);
        if let Some(c) = layout.columns.iter().find(|c| c.header == h) {
            sheet.columns.entry(c.key).or_insert(i);
        }
    }
    rows.remove(0);
    for c in layout.columns.iter().filter(|c| c.required) {
        if !sheet.columns.contains_key(c.key) && !rows.is_empty() {
            errors.at(
                &sheet,
                header_row,
                c.key,
                Refusal::new("IMPORT_COLUMN_MISSING", format!("缺少必填列“{}”", c.header)),
            );
        }
    }
    Ok((sheet, rows))
}

fn yes_no(v: &str) -> Result<Option<bool>, Refusal> {
    match v.trim() {
        "" => Ok(None),
        "是" | "Y" | "y" | "TRUE" | "true" | "1" | "√" => Ok(Some(true)),
        "否" | "N" | "n" | "FALSE" | "false" | "0" => Ok(Some(false)),
        other => Err(Refusal::new(
            "IMPORT_YES_NO",
            format!("“{other}”应为“是”或“否”"),
        )),
    }
}

fn parse_year(v: &str) -> Result<Option<i32>, Refusal> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    FiscalYear::parse(v)
        .map(|y| Some(y.value()))
        .map_err(|_| Refusal::new("IMPORT_YEAR", format!("年度“{v}”应为四位年份，如 2027")))
}

/// A cell's text, none when blank.
fn filled(text: String) -> Option<String> {
    Some(text).filter(|s| !s.is_empty())
}

/// Reads the rows of the project sheet into entries keyed by 序号.
fn read_projects(
    sheet: &Sheet,
    rows: Rows,
    errors: &mut Errors,
) -> (Vec<Entry>, HashMap<String, usize>) {
    let mut entries = Vec::with_capacity(rows.len());
    let mut by_seq = HashMap::with_capacity(rows.len());
    for (row, mut cells) in rows {
        let mut get = |k: &str| sheet.take(&mut cells, k);
        let seq = get("seq");
        let mut broken = false;
        let mut bad = |key: &str, r: Refusal| {
            broken = true;
            errors.at(sheet, row, key, r);
        };
        if seq.is_empty() {
            bad("seq", Refusal::new("IMPORT_SEQ_MISSING", "序号不能为空"));
        } else if by_seq.contains_key(&seq) {
            bad(
                "seq",
                Refusal::new("IMPORT_SEQ_DUPLICATE", format!("序号“{seq}”重复")),
            );
        }
        let mut flag = |key: &str| match yes_no(&get(key)) {
            Ok(v) => v,
            Err(r) => {
                bad(key, r);
                None
            }
        };
        let pilot = flag("pilot").unwrap_or(false);
        let is_new = flag("is_new").unwrap_or(true);
        let is_major = flag("is_major").unwrap_or(false);
        let livelihood = flag("livelihood").unwrap_or(false);
        let features = Features {
            training: flag("features.training").unwrap_or(false),
            it: flag("features.it").unwrap_or(false),
            government_investment: flag("features.government_investment").unwrap_or(false),
            purchase_of_services: flag("features.purchase_of_services").unwrap_or(false),
            event: flag("features.event").unwrap_or(false),
            industry_fund_eligible: flag("features.industry_fund_eligible").unwrap_or(false),
            key_matters_item: flag("features.key_matters_item").unwrap_or(false),
            special_fund: flag("features.special_fund").unwrap_or(false),
        };
        let mut year_of = |key: &str| match parse_year(&get(key)) {
            Ok(v) => v,
            Err(r) => {
                bad(key, r);
                None
            }
        };
        let start_year = year_of("start_year");
        let end_year = year_of("end_year");
        let draft = ProjectDraft {
            name: get("name"),
            kind: get("kind"),
            matter_class: filled(get("matter_class")),
            tier: filled(get("tier")),
            basis_title: get("basis_title"),
            basis_number: get("basis_number"),
            basis_expires_on: filled(get("basis_expires_on")),
            start_year,
            end_year,
            pilot,
            total_need: filled(get("total_need")),
            min_viable: filled(get("min_viable")),
            function_code: leading_code(&get("function_code")).to_string(),
            government_economic_code: leading_code(&get("government_economic_code")).to_string(),
            fund_book: filled(get("fund_book")),
            responsible_person: get("responsible_person"),
            responsible_phone: get("responsible_phone"),
            is_new,
            is_major,
            livelihood,
            features,
            overall_goal: get("overall_goal"),
            cost_lines: Vec::new(),
            indicators: Vec::new(),
            year_plan: Vec::new(),
        };
        if !seq.is_empty() {
            by_seq.entry(seq).or_insert(entries.len());
        }
        entries.push(Entry {
            row,
            unit_code: leading_code(&get("unit_code")).to_string(),
            draft,
            lines: Vec::new(),
            indicators: Vec::new(),
            plan: Vec::new(),
            broken,
        });
    }
    (entries, by_seq)
}

/// Attaches the rows of a child sheet to their projects by 项目序号, each row's cells handed
/// to `add` to be moved into the project.
fn read_children(
    sheet: &Sheet,
    rows: Rows,
    entries: &mut [Entry],
    by_seq: &HashMap<String, usize>,
    errors: &mut Errors,
    mut add: impl FnMut(&mut Entry, usize, &mut [String], &mut Errors),
) {
    for (row, mut cells) in rows {
        let seq = sheet.get(&cells, "seq");
        match by_seq.get(seq) {
            Some(i) => add(&mut entries[*i], row, &mut cells, errors),
            None => errors.at(
                sheet,
                row,
                "seq",
                Refusal::new(
                    "IMPORT_SEQ_UNKNOWN",
                    format!("项目序号“{seq}”在“项目”表中不存在"),
                ),
            ),
        }
    }
}

/// Where a refusal about `field` of a project points: the sheet, row and column.
fn locate<'a>(field: &str, e: &Entry, sheets: &'a Sheets) -> (&'a Sheet, usize, String) {
    let child = |prefix: &str| -> Option<(usize, String)> {
        let rest = field.strip_prefix(prefix)?.strip_prefix('[')?;
        let (index, key) = rest.split_once(']')?;
        Some((index.parse().ok()?, key.trim_start_matches('.').to_string()))
    };
    if let Some((i, key)) = child("cost_lines")
        && let Some(row) = e.lines.get(i)
    {
        let key = if key == "standard_id" {
            "standard"
        } else {
            &key
        };
        return (&sheets.lines, *row, key.to_string());
    }
    if let Some((i, key)) = child("indicators")
        && let Some(row) = e.indicators.get(i)
    {
        return (&sheets.indicators, *row, key);
    }
    if let Some((i, _)) = child("year_plan")
        && let Some(row) = e.plan.get(i)
    {
        return (&sheets.plan, *row, "amount".into());
    }
    let key = match field {
        "period" => "start_year",
        "unit_id" => "unit_code",
        "responsible_person"
        | "responsible_phone"
        | "name"
        | "kind"
        | "matter_class"
        | "tier"
        | "basis_title"
        | "basis_number"
        | "basis_expires_on"
        | "total_need"
        | "min_viable"
        | "function_code"
        | "government_economic_code"
        | "fund_book"
        | "overall_goal" => field,
        _ => "seq",
    };
    (sheets.of(&PROJECTS), e.row, key.to_string())
}

pub(super) fn report(errors: &mut Errors, sheets: &Sheets, e: &Entry, r: Refusal) {
    let (sheet, row, key) = locate(r.field.as_deref().unwrap_or(""), e, sheets);
    // The form numbers cost lines within the project; here the cell says where the line is.
    let message = match r.message.split_once("行测算：") {
        Some((head, rest)) if head.starts_with("第 ") => rest.to_string(),
        _ => r.message.clone(),
    };
    errors.at(sheet, row, &key, Refusal { message, ..r });
}

/// Reads every sheet of the workbook into projects with their child rows; cells that cannot
/// be read are already in the errors. `catalogue` maps standard codes to ids.
pub(super) fn read_file(
    bytes: &[u8],
    catalogue: &HashMap<String, i64>,
) -> Result<(Sheets, Vec<Entry>, Errors), Refusal> {
    let mut errors = Errors::default();
    let mut book = Book::open(bytes, IMPORT_LIMITS)?;
    let second = book.another();
    // The project sheet (the widest) on this thread, the child sheets on a second one at the
    // same time: the parse is most of an import's own work before anything is written.
    let (projects, children) = std::thread::scope(|s| {
        let children = s.spawn(move || {
            let mut second = second.open()?;
            let mut errors = Errors::default();
            let lines = read_sheet(&mut second, LINES, &mut errors)?;
            let indicators = read_sheet(&mut second, INDICATORS, &mut errors)?;
            let plan = read_sheet(&mut second, PLAN, &mut errors)?;
            Ok::<_, Refusal>((lines, indicators, plan, errors))
        });
        let projects = read_sheet(&mut book, PROJECTS, &mut errors);
        let children = children
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (projects, children)
    });
    // A refusal of the file as a whole is the project sheet's first, as when read in order.
    let (projects, project_rows) = projects?;
    let ((lines, line_rows), (indicators, indicator_rows), (plan, plan_rows), child_errors) =
        children?;
    errors.extend(child_errors);
    let sheets = Sheets {
        projects,
        lines,
        indicators,
        plan,
    };
    if project_rows.is_empty() {
        return Err(Refusal::new("FILE_EMPTY", "“项目”表中没有项目").field("file"));
    }
    let (mut entries, by_seq) = read_projects(&sheets.projects, project_rows, &mut errors);
    read_children(
        &sheets.lines,
        line_rows,
        &mut entries,
        &by_seq,
        &mut errors,
        |e, row, cells, errors| {
            let mut get = |k: &str| sheets.lines.take(cells, k);
            let standard = leading_code(&get("standard")).to_string();
            let standard_id = if standard.is_empty() {
                None
            } else if let Some(id) = catalogue.get(&standard) {
                Some(*id)
            } else {
                e.broken = true;
                errors.at(
                    &sheets.lines,
                    row,
                    "standard",
                    Refusal::new(
                        "STANDARD_UNKNOWN",
                        format!("支出标准“{standard}”不在本区划的支出标准目录中"),
                    )
                    .clause("ZB-14"),
                );
                None
            };
            e.lines.push(row);
            e.draft.cost_lines.push(CostLineDraft {
                item: get("item"),
                economic_code: leading_code(&get("economic_code")).to_string(),
                standard_id,
                quantity: get("quantity"),
                unit_amount: get("unit_amount"),
                basis: get("basis"),
            });
        },
    );
    read_children(
        &sheets.indicators,
        indicator_rows,
        &mut entries,
        &by_seq,
        &mut errors,
        |e, row, cells, _| {
            let mut get = |k: &str| sheets.indicators.take(cells, k);
            e.indicators.push(row);
            e.draft.indicators.push(IndicatorDraft {
                category: get("category"),
                name: get("name"),
                comparator: get("comparator"),
                target_value: get("target_value"),
                unit: get("unit"),
            });
        },
    );
    read_children(
        &sheets.plan,
        plan_rows,
        &mut entries,
        &by_seq,
        &mut errors,
        |e, row, cells, errors| match parse_year(sheets.plan.get(cells, "year")) {
            Ok(Some(y)) => {
                e.plan.push(row);
                e.draft.year_plan.push(YearNeedDraft {
                    year: y,
                    amount: sheets.plan.take(cells, "amount"),
                });
            }
            Ok(None) => {
                e.broken = true;
                errors.at(
                    &sheets.plan,
                    row,
                    "year",
                    Refusal::new("IMPORT_YEAR", "年度不能为空"),
                );
            }
            Err(r) => {
                e.broken = true;
                errors.at(&sheets.plan, row, "year", r);
            }
        },
    );
    Ok((sheets, entries, errors))
}
