//! Excel export of the project library and a unit's request: formatted .xlsx with Chinese
//! headers, amounts as numbers in 元 (`#,##0.00`), one sheet of projects and one of cost lines.

use std::collections::HashMap;

use lingji_store::library::projects::{self as store_projects, CostLine, Filter, Project};

use crate::Scope;
use crate::error::AppResult;
use crate::foundation::caller::Caller;
use crate::sheets::{Book, Cell, Sheet};

/// Sheet 项目: one row per project.
fn projects_sheet(
    book: &mut Book,
    projects: &[Project],
    orgs: &HashMap<i64, String>,
) -> AppResult<()> {
    let mut sheet = book.sheet(
        "项目",
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
    )?;
    for p in projects {
        let h = &p.header;
        sheet.row([
            Cell::text(h.code.as_str()),
            Cell::text(h.name.as_str()),
            Cell::text(orgs.get(&h.unit_id).map(String::as_str).unwrap_or("")),
            Cell::Number(f64::from(h.fiscal_year)),
            Cell::text(h.kind.label()),
            Cell::text(h.matter_class.map(|m| m.label()).unwrap_or("")),
            Cell::text(h.tier.map(|t| t.label()).unwrap_or("")),
            Cell::text(h.state.label()),
            Cell::Yuan(h.request),
            Cell::Yuan(h.approved),
        ])?;
    }
    Ok(())
}

/// A project's cost lines on sheet 测算明细.
fn cost_line_rows(lines: &mut Sheet<'_>, code: &str, cost_lines: &[CostLine]) -> AppResult<()> {
    for l in cost_lines {
        let quantity: f64 = l.input.quantity.to_string().parse().unwrap_or_default();
        lines.row([
            Cell::text(code),
            Cell::text(l.input.item.as_str()),
            Cell::text(l.input.economic_code.as_str()),
            Cell::Number(quantity),
            Cell::Yuan(l.input.unit_amount),
            Cell::Yuan(l.amount),
            Cell::text(l.input.basis.as_str()),
        ])?;
    }
    Ok(())
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
        let mut book = Book::new();
        projects_sheet(&mut book, &projects, &orgs)?;
        let mut lines = book.sheet(
            "测算明细",
            &[
                ("项目编码", 22.0),
                ("支出事项", 30.0),
                ("经济分类", 10.0),
                ("数量", 10.0),
                ("单价（元）", 14.0),
                ("金额（元）", 16.0),
                ("测算依据", 30.0),
            ],
        )?;
        let mut conn = self.store.read().acquire().await?;
        for p in &projects {
            let Some(d) = store_projects::get_detail(&mut conn, p.id).await? else {
                continue;
            };
            cost_line_rows(&mut lines, &p.header.code, &d.cost_lines)?;
        }
        book.save()
    }
}
