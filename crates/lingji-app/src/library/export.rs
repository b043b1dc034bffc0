//! Excel export of the project library and a unit's request: formatted .xlsx with Chinese
//! headers, amounts as numbers in 元 (`#,##0.00`), one sheet of projects and one of cost lines.

use crate::Scope;
use std::collections::HashMap;

use lingji_domain::Money;
use lingji_store::library::projects::{self as store_projects, Filter};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

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

impl crate::LibraryUseCases<'_> {
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
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_background_color("DDE7F2");
        let money = Format::new().set_num_format("#,##0.00");
        let sheet = book.add_worksheet();
        sheet.set_name("项目").map_err(xlsx)?;
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
            &bold,
        )
        .map_err(xlsx)?;
        for (i, p) in projects.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let h = &p.header;
            sheet.write_string(row, 0, &h.code).map_err(xlsx)?;
            sheet.write_string(row, 1, &h.name).map_err(xlsx)?;
            sheet
                .write_string(
                    row,
                    2,
                    orgs.get(&h.unit_id).map(String::as_str).unwrap_or(""),
                )
                .map_err(xlsx)?;
            sheet
                .write_number(row, 3, f64::from(h.fiscal_year))
                .map_err(xlsx)?;
            sheet.write_string(row, 4, h.kind.label()).map_err(xlsx)?;
            sheet
                .write_string(row, 5, h.matter_class.map(|m| m.label()).unwrap_or(""))
                .map_err(xlsx)?;
            sheet
                .write_string(row, 6, h.tier.map(|t| t.label()).unwrap_or(""))
                .map_err(xlsx)?;
            sheet.write_string(row, 7, h.state.label()).map_err(xlsx)?;
            sheet
                .write_number_with_format(row, 8, yuan_cell(h.request), &money)
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(row, 9, yuan_cell(h.approved), &money)
                .map_err(xlsx)?;
        }
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
            for l in &d.cost_lines {
                lines.write_string(row, 0, &p.header.code).map_err(xlsx)?;
                lines.write_string(row, 1, &l.input.item).map_err(xlsx)?;
                lines
                    .write_string(row, 2, &l.input.economic_code)
                    .map_err(xlsx)?;
                let quantity: f64 = l.input.quantity.to_string().parse().unwrap_or_default();
                lines.write_number(row, 3, quantity).map_err(xlsx)?;
                lines
                    .write_number_with_format(row, 4, yuan_cell(l.input.unit_amount), &money)
                    .map_err(xlsx)?;
                lines
                    .write_number_with_format(row, 5, yuan_cell(l.amount), &money)
                    .map_err(xlsx)?;
                lines.write_string(row, 6, &l.input.basis).map_err(xlsx)?;
                row += 1;
            }
        }
        book.save_to_buffer().map_err(xlsx)
    }
}
