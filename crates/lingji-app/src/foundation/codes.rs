//! Classification code tables: import (CSV or XLSX, all rows checked, all or nothing) and
//! look-up.

use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
pub use lingji_domain::foundation::codes::CodeKind;
use lingji_domain::foundation::codes::{EconomicCode, EconomicSet, FiscalYear, FunctionCode};
use lingji_domain::foundation::org::OrgPath;
use lingji_store::foundation::codes::{self, CodeTableInfo, EconomicCodeRow, FunctionCodeRow};
use std::collections::{BTreeMap, HashSet};

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::workbook::{Book, Limits, Rows};

/// What a code table or standards file may hold: a national function-code table has about
/// 1,500 rows of a few columns; a file far beyond is refused before it is read.
pub const TABLE_LIMITS: Limits = Limits {
    columns: 16,
    rows: 100_000,
    cells: 800_000,
};

/// Reads a CSV or XLSX file into text rows; the header row is checked and dropped.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Rows, Refusal> {
    let lower = file_name.to_ascii_lowercase();
    let mut rows: Rows = if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        read_xlsx(bytes)?
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(bytes)?
    } else {
        return Err(
            Refusal::new("FILE_TYPE_UNSUPPORTED", "只能导入 .csv 或 .xlsx 文件").field("file"),
        );
    };
    // Lines starting with # are notes (source and year), not data.
    rows.retain(|(_, cells)| {
        !cells.iter().all(|c| c.trim().is_empty())
            && !cells
                .first()
                .is_some_and(|c| c.trim_start().starts_with('#'))
    });
    if rows.is_empty() {
        return Err(Refusal::new("FILE_EMPTY", "文件中没有数据").field("file"));
    }
    rows.remove(0);
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Rows, Refusal> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(
        |_| {
            Refusal::new(
                "FILE_ENCODING",
                "CSV 文件须为 UTF-8 编码（Excel 另存为“CSV UTF-8”）",
            )
            .field("file")
        },
    )?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(None)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            Refusal::new(
                "FILE_MALFORMED",
                format!("CSV 第 {} 行格式错误：{e}", i + 1),
            )
            .field(format!("第 {} 行", i + 1))
        })?;
        // The same bounds as a workbook: a file of commas is a million empty cells.
        if record.len() > TABLE_LIMITS.columns as usize || i >= TABLE_LIMITS.rows as usize {
            return Err(Refusal::new(
                "WORKBOOK_RANGE_EXCEEDED",
                format!(
                    "CSV 第 {} 行超出允许的范围（最多 {} 列、{} 行）",
                    i + 1,
                    TABLE_LIMITS.columns,
                    TABLE_LIMITS.rows
                ),
            )
            .field(format!("第 {} 行", i + 1)));
        }
        if let Some(c) = record.iter().find_map(lingji_domain::text::first_control) {
            return Err(lingji_domain::text::control_refusal(
                c,
                &format!("第 {} 行", i + 1),
            ));
        }
        rows.push((i + 1, record.iter().map(|c| c.trim().to_string()).collect()));
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Rows, Refusal> {
    Book::open(bytes, TABLE_LIMITS)?.first_sheet()
}

fn cell(cells: &[String], i: usize) -> &str {
    cells.get(i).map(String::as_str).unwrap_or("")
}

fn row_error(line: usize, column: &str, r: Refusal) -> Refusal {
    let field = format!("第 {line} 行「{column}」");
    Refusal {
        message: format!("{field}：{}", r.message),
        field: Some(field),
        ..r
    }
}

/// Checks function code rows: codes well formed, names present, no duplicates, every parent
/// present in the same file.
pub fn check_function_rows(rows: &Rows) -> Result<Vec<FunctionCodeRow>, Vec<Refusal>> {
    let mut errors = Vec::new();
    let mut parsed = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for (line, cells) in rows {
        let name = cell(cells, 1);
        match FunctionCode::parse(cell(cells, 0)) {
            Err(r) => errors.push(row_error(*line, "科目编码", r)),
            Ok(code) => {
                if name.is_empty() {
                    errors.push(row_error(
                        *line,
                        "科目名称",
                        Refusal::new("CODE_NAME_MISSING", "科目名称不能为空"),
                    ));
                }
                if parsed
                    .insert(code.as_str().to_string(), (code.clone(), name.to_string()))
                    .is_some()
                {
                    errors.push(row_error(
                        *line,
                        "科目编码",
                        Refusal::new("CODE_DUPLICATE", format!("科目编码 {code} 重复")),
                    ));
                }
                lines.insert(code.as_str().to_string(), *line);
            }
        }
    }
    for (code, (parsed_code, _)) in &parsed {
        if let Some(parent) = parsed_code.parent()
            && !parsed.contains_key(parent.as_str())
        {
            errors.push(row_error(
                lines[code],
                "科目编码",
                Refusal::new(
                    "CODE_PARENT_UNKNOWN",
                    format!("科目 {code} 的上级科目 {parent} 不在表中"),
                ),
            ));
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|r| r.field.clone());
        return Err(errors);
    }
    Ok(parsed
        .into_values()
        .map(|(code, name)| FunctionCodeRow {
            level: format!("{:?}", code.level()).to_lowercase(),
            parent_code: code.parent().map(String::from),
            code: code.into(),
            name,
        })
        .collect())
}

/// Economic rows by code: the code, its name, the 政府 款 it maps to and its line.
type EconomicRows = BTreeMap<String, (EconomicCode, String, Option<String>, usize)>;

/// The 政府 款 a 部门 款 maps to, if its row names one; only a 部门 款 may.
fn crosswalk(
    line: usize,
    code: &EconomicCode,
    gov: &str,
    errors: &mut Vec<Refusal>,
) -> Option<String> {
    if gov.is_empty() {
        return None;
    }
    match EconomicCode::parse_section(gov, EconomicSet::Government) {
        Ok(g) if code.set() == EconomicSet::Department && code.is_section() => {
            Some(g.as_str().to_string())
        }
        Ok(_) => {
            errors.push(row_error(
                line,
                "对应政府经济分类",
                Refusal::new(
                    "CROSSWALK_NOT_ALLOWED",
                    "只有部门经济分类的“款”级科目填写对应的政府经济分类",
                ),
            ));
            None
        }
        Err(r) => {
            errors.push(row_error(line, "对应政府经济分类", r));
            None
        }
    }
}

/// Every parent and every crosswalk target is itself a row of the file.
fn check_economic_links(parsed: &EconomicRows, errors: &mut Vec<Refusal>) {
    let present: HashSet<String> = parsed.keys().cloned().collect();
    for (code, (parsed_code, _, gov, line)) in parsed {
        if let Some(parent) = parsed_code.parent()
            && !present.contains(parent.as_str())
        {
            errors.push(row_error(
                *line,
                "科目编码",
                Refusal::new(
                    "CODE_PARENT_UNKNOWN",
                    format!("科目 {code} 的上级科目 {parent} 不在表中"),
                ),
            ));
        }
        if let Some(g) = gov
            && !present.contains(g)
        {
            errors.push(row_error(
                *line,
                "对应政府经济分类",
                Refusal::new(
                    "CROSSWALK_TARGET_UNKNOWN",
                    format!("对应的政府经济分类 {g} 不在表中"),
                ),
            ));
        }
    }
}

/// Checks economic code rows: as for function codes, plus the crosswalk column (a 部门 款 may
/// name the 政府 款 it maps to, which must be in the file).
pub fn check_economic_rows(rows: &Rows) -> Result<Vec<EconomicCodeRow>, Vec<Refusal>> {
    let mut errors = Vec::new();
    let mut parsed: EconomicRows = BTreeMap::new();
    for (line, cells) in rows {
        let name = cell(cells, 1);
        let code = match EconomicCode::parse(cell(cells, 0)) {
            Err(r) => {
                errors.push(row_error(*line, "科目编码", r));
                continue;
            }
            Ok(c) => c,
        };
        if name.is_empty() {
            errors.push(row_error(
                *line,
                "科目名称",
                Refusal::new("CODE_NAME_MISSING", "科目名称不能为空"),
            ));
        }
        let gov = crosswalk(*line, &code, cell(cells, 2), &mut errors);
        let key = code.as_str().to_string();
        if parsed
            .insert(key, (code.clone(), name.to_string(), gov, *line))
            .is_some()
        {
            errors.push(row_error(
                *line,
                "科目编码",
                Refusal::new("CODE_DUPLICATE", format!("科目编码 {code} 重复")),
            ));
        }
    }
    check_economic_links(&parsed, &mut errors);
    if !errors.is_empty() {
        errors.sort_by_key(|r| r.field.clone());
        return Err(errors);
    }
    Ok(parsed
        .into_values()
        .map(|(code, name, government_code, _)| EconomicCodeRow {
            code_set: match code.set() {
                EconomicSet::Department => "department",
                EconomicSet::Government => "government",
            }
            .to_string(),
            parent_code: code.parent().map(String::from),
            code: code.into(),
            name,
            government_code,
        })
        .collect())
}

fn everywhere() -> OrgPath {
    // Code tables are national: any jurisdiction's administrator may load them.
    OrgPath {
        jurisdiction: 0,
        department: None,
        unit: None,
    }
}

impl crate::FoundationUseCases<'_> {
    /// Replaces a year's code table from a file. Every row is checked first; one wrong row and
    /// nothing is written, and every wrong cell is reported with its line and column.
    #[tracing::instrument(skip_all)]
    pub async fn import_codes(
        &self,
        caller: &Caller,
        kind: CodeKind,
        year: FiscalYear,
        file_name: &str,
        bytes: &[u8],
        source: &str,
    ) -> AppResult<usize> {
        if let Some(actor) = caller.actor() {
            let target = OrgPath {
                jurisdiction: actor.org.jurisdiction,
                ..everywhere()
            };
            caller.authorize(Resource::CodeTable, Access::Write, &target)?;
        }
        let name = file_name.to_string();
        let rows = crate::blocking::parse(bytes, move |b| read_table(&name, b)).await?;
        let invalid = |errors: Vec<Refusal>| AppError::Invalid {
            summary: Refusal::new(
                "IMPORT_ROWS_INVALID",
                format!("文件中有 {} 处错误，未导入任何数据", errors.len()),
            ),
            errors,
        };
        // Check everything before touching the database.
        let (functions, economics) = match kind {
            CodeKind::Function => (check_function_rows(&rows).map_err(invalid)?, Vec::new()),
            CodeKind::Economic => (Vec::new(), check_economic_rows(&rows).map_err(invalid)?),
        };
        let count = functions.len() + economics.len();
        let mut tx = self.store.begin().await?;
        codes::clear(&mut tx, year.value(), kind.as_str()).await?;
        for row in &functions {
            codes::insert_function(&mut tx, year.value(), row).await?;
        }
        for row in &economics {
            codes::insert_economic(&mut tx, year.value(), row).await?;
        }
        lingji_domain::text::check_text(source, "source")?;
        let source = if source.trim().is_empty() {
            file_name
        } else {
            source.trim()
        };
        codes::record_table(
            &mut tx,
            year.value(),
            kind.as_str(),
            source,
            count as i64,
            caller.name(),
        )
        .await?;
        let jurisdiction = caller.actor().map(|a| a.org.jurisdiction).unwrap_or(0);
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    jurisdiction,
                    "codes.import",
                    "code_table",
                    format!("{}/{}", year, kind.as_str()),
                )
                .after_json(&serde_json::json!({ "rows": count, "source": source })),
        )
        .await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Code tables are national and readable by every signed-in role; the check still goes
    /// through the one authorisation point.
    fn authorize_code_read(&self, caller: &Caller) -> AppResult<()> {
        match caller.actor() {
            Some(a) => caller.authorize(
                Resource::CodeTable,
                Access::Read,
                &OrgPath::of_jurisdiction(a.org.jurisdiction),
            ),
            None => Ok(()),
        }
    }

    /// The loaded tables with their sources.
    #[tracing::instrument(skip_all)]
    pub async fn code_tables(&self, caller: &Caller) -> AppResult<Vec<CodeTableInfo>> {
        self.authorize_code_read(caller)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(codes::tables(&mut conn).await?)
    }

    /// Function codes of a year under a prefix.
    #[tracing::instrument(skip_all)]
    pub async fn function_codes(
        &self,
        caller: &Caller,
        year: FiscalYear,
        prefix: &str,
    ) -> AppResult<Vec<FunctionCodeRow>> {
        self.authorize_code_read(caller)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(codes::function_codes(&mut conn, year.value(), prefix).await?)
    }

    /// Economic codes of a year under a prefix.
    #[tracing::instrument(skip_all)]
    pub async fn economic_codes(
        &self,
        caller: &Caller,
        year: FiscalYear,
        prefix: &str,
    ) -> AppResult<Vec<EconomicCodeRow>> {
        self.authorize_code_read(caller)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(codes::economic_codes(&mut conn, year.value(), prefix).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &str) -> Rows {
        read_table("t.csv", csv.as_bytes()).unwrap()
    }

    #[test]
    fn every_bad_row_is_named_with_line_and_column() {
        let r = rows(
            "科目编码,科目名称\n201,一般公共服务支出\n20101,人大事务\n2010101,\n20x,坏\n2059999,无上级\n201,重复\n",
        );
        let errors = check_function_rows(&r).unwrap_err();
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.code, e.field.clone().unwrap()))
            .collect();
        assert!(
            fields.contains(&("CODE_NAME_MISSING", "第 4 行「科目名称」".into())),
            "{fields:?}"
        );
        assert!(fields.contains(&("FUNCTION_CODE_MALFORMED", "第 5 行「科目编码」".into())));
        assert!(fields.contains(&("CODE_PARENT_UNKNOWN", "第 6 行「科目编码」".into())));
        assert!(fields.contains(&("CODE_DUPLICATE", "第 7 行「科目编码」".into())));
    }

    #[test]
    fn crosswalk_targets_must_be_government_sections_in_the_file() {
        let r =
            rows("code,name,gov\n301,工资福利支出,\n30101,基本工资,50101\n501,机关工资福利支出,\n");
        let e = check_economic_rows(&r).unwrap_err();
        assert_eq!(e[0].code, "CROSSWALK_TARGET_UNKNOWN");
        let r = rows(
            "code,name,gov\n301,工资福利支出,\n30101,基本工资,50101\n501,机关工资福利支出,\n50101,工资奖金津补贴,\n",
        );
        let ok = check_economic_rows(&r).unwrap();
        assert_eq!(
            ok.iter()
                .find(|c| c.code == "30101")
                .unwrap()
                .government_code
                .as_deref(),
            Some("50101")
        );
    }

    #[test]
    fn unsupported_files_are_refused() {
        assert_eq!(
            read_table("x.pdf", b"%PDF").unwrap_err().code,
            "FILE_TYPE_UNSUPPORTED"
        );
        assert_eq!(
            read_table("x.xlsx", b"not a zip").unwrap_err().code,
            "FILE_MALFORMED"
        );
        assert_eq!(
            read_table("x.csv", b"\xff\xfe\x00").unwrap_err().code,
            "FILE_ENCODING"
        );
        assert_eq!(
            read_table("x.csv", "编码,名称\n301,工资\u{0}福利\n".as_bytes())
                .unwrap_err()
                .code,
            "TEXT_CONTROL_CHAR"
        );
    }
}
