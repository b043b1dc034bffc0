//! Importing projects from the workbook: every cell is read and checked like the project form
//! (ZB-14 cost lines, ZB-15d codes, PM-7 targets), every wrong cell is reported with its sheet,
//! row and column, and the whole file is one transaction: nothing is imported if any cell is
//! wrong.

use std::collections::{HashMap, HashSet};

use lingji_domain::Refusal;
use lingji_domain::authz::{Access, Resource};
use lingji_domain::codes::FiscalYear;
use lingji_domain::org::OrgPath;
use lingji_domain::project::admission::check_codes;
use lingji_domain::project::targets::{Comparator, Indicator, IndicatorCategory, TargetTable};
use lingji_domain::{Money, project::Features};
use lingji_store::{orgs, projects as store_projects, standards};
use sqlx::AnyConnection;

use super::{INDICATORS, LINES, Layout, PLAN, PROJECTS, leading_code, normalise_header};
use crate::App;
use crate::additions::Additions;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::projects::{
    CostLineDraft, IndicatorDraft, Owner, ProjectDraft, YearNeedDraft, year_codes,
};
use crate::workbook::{Book, Rows, column_letter};

/// At most this many errors are listed; the count covers all of them.
const MAX_LISTED_ERRORS: usize = 1_000;

/// What an import loaded.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Projects created in the reserve (储备).
    pub projects: usize,
    /// Cost lines.
    pub cost_lines: usize,
    /// Performance indicators.
    pub indicators: usize,
    /// Years of multi-year plans.
    pub year_plans: usize,
    /// Sum of the new requests in 元, e.g. `1234567.89`.
    pub request_total: String,
}

/// A sheet as found in the file: which column holds which field.
struct Sheet {
    layout: Layout,
    columns: HashMap<&'static str, usize>,
    rows: Rows,
}

impl Sheet {
    fn get<'a>(&self, cells: &'a [String], key: &str) -> &'a str {
        self.columns
            .get(key)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// Every sheet of the file.
struct Sheets {
    projects: Sheet,
    lines: Sheet,
    indicators: Sheet,
    plan: Sheet,
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
struct Errors {
    listed: Vec<Refusal>,
    total: usize,
}

impl Errors {
    fn at(&mut self, sheet: &Sheet, row: usize, key: &str, r: Refusal) {
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

    fn into_error(self) -> AppError {
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
struct Entry {
    row: usize,
    unit_code: String,
    draft: ProjectDraft,
    lines: Vec<usize>,
    indicators: Vec<usize>,
    plan: Vec<usize>,
    /// A cell of this project could not be read; it is not checked further.
    broken: bool,
}

fn read_sheet(book: &mut Book, layout: Layout, errors: &mut Errors) -> Result<Sheet, Refusal> {
    let rows = book.sheet(layout.name)?;
    let mut sheet = Sheet {
        layout,
        columns: HashMap::new(),
        rows: Vec::new(),
    };
    let Some(mut rows) = rows else {
        if layout.name == PROJECTS.name {
            return Err(Refusal::new(
                "IMPORT_SHEET_MISSING",
                "文件中没有“项目”工作表，请使用下载的导入模板",
            )
            .field("file"));
        }
        return Ok(sheet);
    };
    rows.retain(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, headers)) = rows.first().cloned() else {
        return Ok(sheet);
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
    sheet.rows = rows;
    Ok(sheet)
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

/// Reads the project sheet into entries keyed by 序号.
fn read_projects(sheets: &Sheets, errors: &mut Errors) -> (Vec<Entry>, HashMap<String, usize>) {
    let sheet = &sheets.projects;
    let mut entries = Vec::new();
    let mut by_seq = HashMap::new();
    for (row, cells) in &sheet.rows {
        let get = |k: &str| sheet.get(cells, k).to_string();
        let mut broken = false;
        let mut bad = |key: &str, r: Refusal| {
            broken = true;
            errors.at(sheet, *row, key, r);
        };
        let seq = get("seq");
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
        let text = |k: &str| Some(get(k)).filter(|s| !s.is_empty());
        let draft = ProjectDraft {
            name: get("name"),
            kind: get("kind"),
            matter_class: text("matter_class"),
            tier: text("tier"),
            basis_title: get("basis_title"),
            basis_number: get("basis_number"),
            basis_expires_on: text("basis_expires_on"),
            start_year,
            end_year,
            pilot,
            total_need: text("total_need"),
            min_viable: text("min_viable"),
            function_code: leading_code(&get("function_code")).to_string(),
            government_economic_code: leading_code(&get("government_economic_code")).to_string(),
            fund_book: text("fund_book"),
            responsible_person: get("responsible_person"),
            responsible_phone: get("responsible_phone"),
            is_new,
            is_major,
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
            row: *row,
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

/// Attaches the rows of a child sheet to their projects by 项目序号.
fn read_children(
    sheet: &Sheet,
    entries: &mut [Entry],
    by_seq: &HashMap<String, usize>,
    errors: &mut Errors,
    mut add: impl FnMut(&mut Entry, usize, &[String], &mut Errors),
) {
    for (row, cells) in &sheet.rows {
        let seq = sheet.get(cells, "seq");
        match by_seq.get(seq) {
            Some(i) => add(&mut entries[*i], *row, cells, errors),
            None => errors.at(
                sheet,
                *row,
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

fn report(errors: &mut Errors, sheets: &Sheets, e: &Entry, r: Refusal) {
    let (sheet, row, key) = locate(r.field.as_deref().unwrap_or(""), e, sheets);
    // The form numbers cost lines within the project; here the cell says where the line is.
    let message = match r.message.split_once("行测算：") {
        Some((head, rest)) if head.starts_with("第 ") => rest.to_string(),
        _ => r.message.clone(),
    };
    errors.at(sheet, row, &key, Refusal { message, ..r });
}

/// Cells that hold a code nobody typed are left for the form; a code that is there must be
/// in the year's tables (ZB-15d).
fn code_errors(draft: &ProjectDraft, codes: &crate::projects::YearCodes) -> Vec<Refusal> {
    let lines: Vec<&str> = draft
        .cost_lines
        .iter()
        .map(|l| l.economic_code.as_str())
        .collect();
    check_codes(
        &draft.function_code,
        &draft.government_economic_code,
        &lines,
        codes,
    )
    .into_iter()
    .filter(|r| {
        let field = r.field.as_deref().unwrap_or("");
        let value = match field {
            "function_code" => draft.function_code.as_str(),
            "government_economic_code" => draft.government_economic_code.as_str(),
            f => f
                .strip_prefix("cost_lines[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(i, _)| i.parse::<usize>().ok())
                .and_then(|i| lines.get(i).copied())
                .unwrap_or(""),
        };
        !value.trim().is_empty()
    })
    .collect()
}

/// The indicator rows' own checks (PM-7) when every category and comparator reads.
fn target_errors(draft: &ProjectDraft) -> Vec<Refusal> {
    let indicators: Option<Vec<Indicator>> = draft
        .indicators
        .iter()
        .map(|i| {
            Some(Indicator {
                category: IndicatorCategory::parse(&i.category).ok()?,
                name: i.name.clone(),
                comparator: Comparator::parse(&i.comparator).ok()?,
                target_value: i.target_value.clone(),
                unit: i.unit.clone(),
            })
        })
        .collect();
    indicators
        .map(|indicators| {
            TargetTable {
                overall_goal: draft.overall_goal.clone(),
                indicators,
            }
            .check_rows()
        })
        .unwrap_or_default()
}

impl App {
    /// Imports the projects of an .xlsx workbook (the template's layout) into the reserve of
    /// budget year `year`, all or nothing. `progress` is told `(done, total)` as projects are
    /// checked and stored.
    pub async fn import_projects(
        &self,
        caller: &Caller,
        jurisdiction_id: i64,
        year: FiscalYear,
        bytes: &[u8],
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> AppResult<ImportReport> {
        // Rows are authorised unit by unit below; a caller who may add projects nowhere (or
        // not in this jurisdiction) is refused before the file is read.
        let own = caller
            .actor()
            .map_or(OrgPath::of_jurisdiction(jurisdiction_id), |a| a.org);
        if own.jurisdiction != jurisdiction_id {
            return Err(AppError::Forbidden(Refusal::new(
                "FORBIDDEN",
                "只能导入本区划的项目",
            )));
        }
        caller.authorize(Resource::Project, Access::Write, &own)?;
        let mut errors = Errors::default();
        let mut book = Book::open(bytes)?;
        let sheets = Sheets {
            projects: read_sheet(&mut book, PROJECTS, &mut errors)?,
            lines: read_sheet(&mut book, LINES, &mut errors)?,
            indicators: read_sheet(&mut book, INDICATORS, &mut errors)?,
            plan: read_sheet(&mut book, PLAN, &mut errors)?,
        };
        if sheets.projects.rows.is_empty() {
            return Err(Refusal::new("FILE_EMPTY", "“项目”表中没有项目")
                .field("file")
                .into());
        }
        let mut tx = self.store.begin().await?;
        let catalogue: HashMap<String, i64> = standards::list(&mut tx, jurisdiction_id)
            .await?
            .into_iter()
            .map(|s| (s.code, s.id))
            .collect();
        let (mut entries, by_seq) = read_projects(&sheets, &mut errors);
        read_children(
            &sheets.lines,
            &mut entries,
            &by_seq,
            &mut errors,
            |e, row, cells, errors| {
                let get = |k: &str| sheets.lines.get(cells, k).to_string();
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
            &mut entries,
            &by_seq,
            &mut errors,
            |e, row, cells, _| {
                let get = |k: &str| sheets.indicators.get(cells, k).to_string();
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
            &mut entries,
            &by_seq,
            &mut errors,
            |e, row, cells, errors| match parse_year(sheets.plan.get(cells, "year")) {
                Ok(Some(y)) => {
                    e.plan.push(row);
                    e.draft.year_plan.push(YearNeedDraft {
                        year: y,
                        amount: sheets.plan.get(cells, "amount").to_string(),
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

        let codes = year_codes(&mut tx, year.value()).await?;
        let mut adds = Additions::begin(&mut tx).await?;
        let own_unit = caller.actor().and_then(|a| a.org.unit);
        let mut owners: HashMap<String, Result<Owner, Refusal>> = HashMap::new();
        // Names already in the library this year, and those taken earlier in the file.
        let mut names: HashSet<(i64, String)> =
            store_projects::names_in_year(&mut tx, jurisdiction_id, year.value())
                .await?
                .into_iter()
                .collect();
        let mut done = ImportReport::default();
        let mut total = Money::ZERO;
        let count = entries.len();
        for (n, e) in entries.iter().enumerate() {
            progress(n, count);
            if e.broken {
                continue;
            }
            let owner = match owners.get(&e.unit_code) {
                Some(found) => found,
                None => {
                    let found = self
                        .owner_by_code(&mut tx, caller, jurisdiction_id, &e.unit_code, own_unit)
                        .await?;
                    owners.entry(e.unit_code.clone()).or_insert(found)
                }
            };
            let owner = match owner {
                Ok(o) => o,
                Err(r) => {
                    errors.at(&sheets.projects, e.row, "unit_code", r.clone());
                    continue;
                }
            };
            let mut problems = code_errors(&e.draft, &codes);
            problems.extend(target_errors(&e.draft));
            let name = e.draft.name.trim().to_string();
            if !name.is_empty() && !names.insert((owner.unit.id, name.clone())) {
                problems.push(
                    Refusal::new(
                        "PROJECT_NAME_TAKEN",
                        format!("“{}”{year} 年度已有同名项目“{name}”", owner.unit.name),
                    )
                    .field("name"),
                );
            }
            if !problems.is_empty() {
                for r in problems {
                    report(&mut errors, &sheets, e, r);
                }
                continue;
            }
            match self
                .insert_project(&mut tx, &mut adds, caller, owner, year, &e.draft, None)
                .await
            {
                Ok(detail) => {
                    done.projects += 1;
                    done.cost_lines += detail.cost_lines.len();
                    done.indicators += detail.indicators.len();
                    done.year_plans += detail.year_plan.len();
                    total = total
                        .checked_add(detail.project.header.request)
                        .unwrap_or(total);
                }
                Err(AppError::Invalid { errors: list, .. }) => {
                    for r in list {
                        report(&mut errors, &sheets, e, r);
                    }
                }
                Err(AppError::Refused(r)) => report(&mut errors, &sheets, e, r),
                Err(other) => return Err(other),
            }
        }
        progress(count, count);
        if errors.total > 0 {
            // Dropping the transaction rolls back every project stored above.
            return Err(errors.into_error());
        }
        done.request_total = total.to_plain();
        let event = caller
            .event(jurisdiction_id, "project.import", "fiscal_year", year)
            .after_json(&done);
        adds.chain.append(&mut tx, event).await?;
        adds.finish(&mut tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The unit a row names by code (blank: the caller's own unit), if the caller may add
    /// projects to it.
    async fn owner_by_code(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        jurisdiction_id: i64,
        code: &str,
        own_unit: Option<i64>,
    ) -> AppResult<Result<Owner, Refusal>> {
        let unit_id = if code.is_empty() {
            match own_unit {
                Some(id) => id,
                None => {
                    return Ok(Err(Refusal::new(
                        "IMPORT_UNIT_MISSING",
                        "请填写预算单位编码",
                    )));
                }
            }
        } else {
            match orgs::find_by_code(conn, jurisdiction_id, code).await? {
                Some(o) => o.id,
                None => {
                    return Ok(Err(Refusal::new(
                        "IMPORT_UNIT_UNKNOWN",
                        format!("预算单位“{code}”不存在"),
                    )));
                }
            }
        };
        match Owner::load(conn, caller, unit_id).await {
            Ok(owner) => Ok(Ok(owner)),
            Err(AppError::NotFound(_)) => Ok(Err(Refusal::new(
                "IMPORT_UNIT_FORBIDDEN",
                format!("无权为预算单位“{code}”申报项目"),
            ))),
            Err(AppError::Refused(r)) => Ok(Err(r)),
            Err(other) => Err(other),
        }
    }
}
