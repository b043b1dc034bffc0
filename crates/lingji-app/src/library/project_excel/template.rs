//! The downloadable project template: the data sheets with their headers, drop-down lists
//! for every code and class (from the budget year's tables, the catalogue and the caller's
//! units, kept on a hidden sheet 代码) and a sheet of instructions.

use crate::Scope;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::org::OrgKind;
use lingji_domain::library::targets::{Comparator, IndicatorCategory};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{MatterClass, ProjectKind};
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

use super::{List, SHEETS, header_text};
use crate::error::{AppError, AppResult};

/// Rows of each data sheet that carry the drop-down lists.
const TEMPLATE_ROWS: u32 = 20_000;

/// The hidden sheet holding the lists.
const LISTS_SHEET: &str = "代码";

fn xlsx(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// The entries of every list, in the column order of the hidden sheet.
struct Lists(Vec<(List, Vec<String>)>);

impl Lists {
    fn entries(&self, list: List) -> Option<(usize, &[String])> {
        self.0
            .iter()
            .enumerate()
            .find(|(_, (l, _))| *l == list)
            .map(|(i, (_, v))| (i, v.as_slice()))
    }
}

fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| label(*v).to_string()).collect()
}

const INSTRUCTIONS: &[&str] = &[
    "1. 每个项目在“项目”表占一行，以“序号”区分；测算明细、绩效指标、分年度计划各行以“项目序号”对应到项目。",
    "2. 列名带 * 的为必填；代码和分类请从下拉列表选择（列表显示“代码 名称”，导入时取代码）。",
    "3. 金额以元为单位，最多两位小数；数量最多四位小数；日期写作 2027-12-31。",
    "4. 预算单位留空时为您本人所在单位；单位操作员只能为本单位导入。",
    "5. 每条测算明细按“数量 × 单价”计算金额；选用支出标准的单价不得高于标准（ZB-14），未选标准的须写明测算依据。",
    "6. 导入时逐格检查：任何一格有误，整份文件都不导入，并列出每个错误所在的工作表、行、列。",
    "7. 导入的项目进入项目储备库（储备状态），可在网页上补充附件、检查后申报。",
];

impl crate::LibraryUseCases<'_> {
    /// The .xlsx template for importing projects of budget year `year` in the caller's units.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn project_template(&self, scope: &Scope, year: FiscalYear) -> AppResult<Vec<u8>> {
        let caller = &scope.caller;
        let units: Vec<String> = self
            .foundation()
            .list_organisations(scope)
            .await?
            .into_iter()
            .filter(|o| {
                o.kind == OrgKind::Unit
                    && caller
                        .authorize(Resource::Project, Access::Write, &o.path)
                        .is_ok()
            })
            .map(|o| format!("{} {}", o.code, o.name))
            .collect();
        if units.is_empty() {
            return Err(AppError::Forbidden(Refusal::new(
                "FORBIDDEN",
                "您没有可以申报项目的预算单位",
            )));
        }
        let function: Vec<String> = self
            .foundation()
            .function_codes(caller, year, "")
            .await?
            .into_iter()
            .filter(|c| c.level == "item")
            .map(|c| format!("{} {}", c.code, c.name))
            .collect();
        let economic = self.foundation().economic_codes(caller, year, "").await?;
        let sections = |set: &str| -> Vec<String> {
            economic
                .iter()
                .filter(|c| c.code_set == set && c.code.len() == 5)
                .map(|c| format!("{} {}", c.code, c.name))
                .collect()
        };
        let standards: Vec<String> = self
            .standards(scope)
            .await?
            .into_iter()
            .filter(|s| s.in_force(year.value()))
            .map(|s| format!("{} {}", s.code, s.name))
            .collect();
        let lists = Lists(vec![
            (List::Units, units),
            (List::Kinds, labels(&ProjectKind::ALL, ProjectKind::label)),
            (
                List::MatterClasses,
                labels(&MatterClass::ALL, MatterClass::label),
            ),
            (List::Tiers, labels(&SpendingTier::ALL, SpendingTier::label)),
            (List::FundBooks, labels(&FundBook::ALL, FundBook::label)),
            (List::YesNo, vec!["是".into(), "否".into()]),
            (List::FunctionCodes, function),
            (List::GovernmentCodes, sections("government")),
            (List::DepartmentCodes, sections("department")),
            (List::Standards, standards),
            (
                List::Categories,
                labels(&IndicatorCategory::ALL, IndicatorCategory::label),
            ),
            (
                List::Comparators,
                labels(&Comparator::ALL, Comparator::label),
            ),
        ]);
        write_template(year, &lists).map_err(xlsx)
    }
}

fn write_template(year: FiscalYear, lists: &Lists) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("DDE7F2");
    let required = bold.clone().set_font_color("C00000");
    let money = Format::new().set_num_format("#,##0.00");
    let text = Format::new().set_num_format("@");

    let about = book.add_worksheet();
    about.set_name("说明")?;
    about.set_column_width(0, 110.0)?;
    about.write_string_with_format(
        0,
        0,
        format!("{year} 年度项目申报导入模板"),
        &Format::new().set_bold().set_font_size(14),
    )?;
    for (i, line) in INSTRUCTIONS.iter().enumerate() {
        about.write_string(u32::try_from(i + 2).unwrap_or(u32::MAX), 0, *line)?;
    }

    for layout in SHEETS {
        let sheet = book.add_worksheet();
        sheet.set_name(layout.name)?;
        for (c, column) in layout.columns.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            let format = if column.required { &required } else { &bold };
            sheet.write_string_with_format(0, c, header_text(column), format)?;
            sheet.set_column_width(c, column.width)?;
            if column.header.contains("（元）") {
                sheet.set_column_format(c, &money)?;
            } else if column.list.is_some() || column.key.ends_with("phone") {
                sheet.set_column_format(c, &text)?;
            }
            let Some(list) = column.list else { continue };
            let Some((index, entries)) = lists.entries(list) else {
                continue;
            };
            if entries.is_empty() {
                continue;
            }
            let letter = crate::workbook::column_letter(index);
            let source = format!(
                "='{LISTS_SHEET}'!${letter}$2:${letter}${}",
                entries.len() + 1
            );
            let validation = DataValidation::new()
                .allow_list_formula(Formula::new(source))
                .set_error_title("请从下拉列表选择")?
                .set_error_message(format!("“{}”须从下拉列表中选择", column.header))?;
            sheet.add_data_validation(1, c, TEMPLATE_ROWS, c, &validation)?;
        }
        sheet.set_freeze_panes(1, 0)?;
    }

    let hidden = book.add_worksheet();
    hidden.set_name(LISTS_SHEET)?;
    for (c, (list, entries)) in lists.0.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        hidden.write_string(0, c, format!("{list:?}"))?;
        for (r, entry) in entries.iter().enumerate() {
            hidden.write_string(u32::try_from(r + 1).unwrap_or(u32::MAX), c, entry)?;
        }
    }
    hidden.set_hidden(true);
    book.save_to_buffer()
}
