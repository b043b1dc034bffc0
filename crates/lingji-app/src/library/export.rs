//! Excel export of the project library and a unit's request: formatted .xlsx with Chinese
//! headers, amounts as numbers in 元 (`#,##0.00`), one sheet of projects and one of cost lines.

use std::collections::HashMap;

use lingji_domain::Money;
use lingji_store::library::projects::{self as store_projects, CostLine, Filter, Project};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// Excel keeps every number as a double. The cell value is read from the exact decimal text of
/// the amount in fen — a conversion for display, never arithmetic — so what the sheet shows is
/// what was stored, to the fen.
pub(crate) fn yuan_cell(m: Money) -> f64 {
    m.to_plain().parse().unwrap_or_default()
}

pub(crate) fn xlsx(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

pub(crate) fn header(
    sheet: &mut Worksheet,
    titles: &[(&str, f64)],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (col, (title, width)) in titles.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, *title, bold)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Sheet 项目: one row per project.
fn projects_sheet(
    sheet: &mut Worksheet,
    projects: &[Project],
    orgs: &HashMap<i64, String>,
    bold: &Format,
    money: &Format,
) -> Result<(), XlsxError> {
    sheet.set_name("项目")?;
    header(
        sheet,
        &[
            ("项目编码", 22.0),
            ("项目名称", 36.0),
            ("预算单位", 24.0),
            ("年度", 8.0),
            ("项目类别", 12.0),
            ("事项分类", 14.0),
            ("支出层级", 18.0),
            ("状态", 10.0),
            ("本年申请（元）", 16.0),
            ("上年批复（元）", 16.0),
        ],
        bold,
    )?;
    for (i, p) in projects.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let h = &p.header;
        sheet.write_string(row, 0, &h.code)?;
        sheet.write_string(row, 1, &h.name)?;
        sheet.write_string(
            row,
            2,
            orgs.get(&h.unit_id).map(String::as_str).unwrap_or(""),
        )?;
        sheet.write_number(row, 3, f64::from(h.fiscal_year))?;
        sheet.write_string(row, 4, h.kind.label())?;
        sheet.write_string(row, 5, h.matter_class.map(|m| m.label()).unwrap_or(""))?;
        sheet.write_string(row, 6, h.tier.map(|t| t.label()).unwrap_or(""))?;
        sheet.write_string(row, 7, h.state.label())?;
        sheet.write_number_with_format(row, 8, yuan_cell(h.request), money)?;
        sheet.write_number_with_format(row, 9, yuan_cell(h.approved), money)?;
    }
    Ok(())
}

/// A project's cost lines on sheet 测算明细 from `row` on; returns the next free row.
fn cost_line_rows(
    lines: &mut Worksheet,
    mut row: u32,
    code: &str,
    cost_lines: &[CostLine],
    money: &Format,
) -> Result<u32, XlsxError> {
    for l in cost_lines {
        lines.write_string(row, 0, code)?;
        lines.write_string(row, 1, &l.input.item)?;
        lines.write_string(row, 2, &l.input.economic_code)?;
        let quantity: f64 = l.input.quantity.to_string().parse().unwrap_or_default();
        lines.write_number(row, 3, quantity)?;
        lines.write_number_with_format(row, 4, yuan_cell(l.input.unit_amount), money)?;
        lines.write_number_with_format(row, 5, yuan_cell(l.amount), money)?;
        lines.write_string(row, 6, &l.input.basis)?;
        row += 1;
    }
    Ok(row)
}

impl crate::LibraryUseCases<'_> {
    /// Every project the caller may see under `filter`, read page by page.
    async fn every_project(&self, caller: &Caller, filter: Filter) -> AppResult<Vec<Project>> {
        let mut projects = Vec::new();
        let mut page = Filter {
            limit: 500,
            after_id: None,
            ..filter
        };
        loop {
            let batch = self.list_projects(caller, page.clone()).await?;
            let Some(last) = batch.last() else { break };
            page.after_id = Some(last.id);
            projects.extend(batch);
        }
        Ok(projects)
    }

    /// The projects the caller may see under `filter` as an .xlsx workbook: sheet 项目 and
    /// sheet 测算明细.
    #[tracing::instrument(skip_all)]
    pub async fn export_projects(&self, caller: &Caller, filter: Filter) -> AppResult<Vec<u8>> {
        let orgs: HashMap<i64, String> = self
            .foundation()
            .list_organisations(&Scope::new(caller, filter.jurisdiction_id))
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let projects = self.every_project(caller, filter).await?;
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_background_color("DDE7F2");
        let money = Format::new().set_num_format("#,##0.00");
        projects_sheet(book.add_worksheet(), &projects, &orgs, &bold, &money).map_err(xlsx)?;
        let lines = book.add_worksheet();
        lines.set_name("测算明细").map_err(xlsx)?;
        header(
            lines,
            &[
                ("项目编码", 22.0),
                ("支出事项", 30.0),
                ("经济分类", 10.0),
                ("数量", 10.0),
                ("单价（元）", 14.0),
                ("金额（元）", 16.0),
                ("测算依据", 30.0),
            ],
            &bold,
        )
        .map_err(xlsx)?;
        let mut row = 1u32;
        let mut conn = self.store.read().acquire().await?;
        for p in &projects {
            let Some(d) = store_projects::get_detail(&mut conn, p.id).await? else {
                continue;
            };
            row =
                cost_line_rows(lines, row, &p.header.code, &d.cost_lines, &money).map_err(xlsx)?;
        }
        book.save_to_buffer().map_err(xlsx)
    }
}
