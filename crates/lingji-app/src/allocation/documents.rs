//! The documents people sign off the allocation: the 预算批复 of one department or unit (the
//! approved run's budget lines there) and the year's 预算控制数, each as the rows a print
//! layout shows and as an .xlsx workbook with the same rows and totals.

use std::collections::HashMap;

use lingji_domain::Money;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::OrgKind;
use lingji_store::allocation::{self as store, BudgetLine, RunHeader};
use lingji_store::foundation::orgs;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::sheets::{Book, Cell};

/// The 预算批复 of one department (all its units) or one unit.
#[derive(Debug, Clone)]
pub struct ApprovalDocument {
    pub fiscal_year: i32,
    /// The jurisdiction's name (示范市), for the heading.
    pub jurisdiction: String,
    /// The department or unit the document is addressed to.
    pub org_id: i64,
    pub org_name: String,
    /// True for a department's document (its units' lines), false for a unit's.
    pub department: bool,
    /// The approved run (`None`: the year is not approved yet).
    pub run: Option<RunHeader>,
    /// The approved run's lines there, by unit then id.
    pub lines: Vec<BudgetLine>,
    /// Organisation names by id.
    pub names: HashMap<i64, String>,
    /// The lines' sum, to the fen.
    pub total: Money,
}

/// The lines' sum; an overflow is refused rather than wrapped.
fn sum(amounts: impl IntoIterator<Item = Money>) -> AppResult<Money> {
    Money::checked_sum(amounts).ok_or_else(|| AppError::Internal("合计超出金额范围".into()))
}

impl crate::AllocationUseCases<'_> {
    /// The 预算批复 of department or unit `org_id` for `year`: the approved run's budget lines
    /// there (upper transfers, supplements and carry-overs are not part of it). Who may read
    /// budget lines there may read it: the unit itself, its department, finance and audit.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn approval_document(
        &self,
        scope: &Scope,
        year: i32,
        org_id: i64,
    ) -> AppResult<ApprovalDocument> {
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        let org = orgs::get(&mut conn, org_id)
            .await?
            .filter(|o| {
                o.path.jurisdiction == jurisdiction_id
                    && matches!(o.kind, OrgKind::Department | OrgKind::Unit)
            })
            .ok_or_else(|| AppError::not_found("部门或单位"))?;
        scope
            .caller
            .authorize(Resource::BudgetLine, Access::Read, &org.path)?;
        let department = org.kind == OrgKind::Department;
        let names = orgs::names(&mut conn, jurisdiction_id).await?;
        let run = store::runs(&mut conn, jurisdiction_id, year)
            .await?
            .into_iter()
            .find(|r| r.approved_at.is_some());
        let mut lines = match &run {
            Some(run) => store::lines(
                &mut conn,
                jurisdiction_id,
                year,
                org.path.department,
                org.path.unit,
                0,
                100_000,
            )
            .await?
            .into_iter()
            .filter(|l| l.run_id == Some(run.id))
            .collect(),
            None => Vec::new(),
        };
        let unit_name = |id: &i64| names.get(id).cloned().unwrap_or_default();
        lines.sort_by_key(|l| (unit_name(&l.unit_id), l.id));
        let total = sum(lines.iter().map(|l| l.approved))?;
        Ok(ApprovalDocument {
            fiscal_year: year,
            jurisdiction: names.get(&jurisdiction_id).cloned().unwrap_or_default(),
            org_id,
            org_name: org.name,
            department,
            run,
            lines,
            names,
            total,
        })
    }

    /// The 预算批复 of department or unit `org_id` as an .xlsx workbook (sheet 预算批复): the
    /// heading, the lines in 元 to the fen and their total, the signature lines.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn approval_xlsx(&self, scope: &Scope, year: i32, org_id: i64) -> AppResult<Vec<u8>> {
        let doc = self.approval_document(scope, year, org_id).await?;
        let mut book = Book::new();
        let number = doc
            .run
            .as_ref()
            .and_then(|r| r.approval_document.clone())
            .unwrap_or_default();
        let titles = [
            format!(
                "{}财政局 {} 年度预算批复",
                doc.jurisdiction, doc.fiscal_year
            ),
            format!("批复文号：{number}    批复对象：{}", doc.org_name),
        ];
        let mut sheet = book.titled_sheet(
            "预算批复",
            &titles,
            &[
                ("单位", 28.0),
                ("指标号", 10.0),
                ("项目或基本支出", 40.0),
                ("经济分类", 10.0),
                ("资金来源", 16.0),
                ("三保", 6.0),
                ("批复数（元）", 18.0),
            ],
        )?;
        for l in &doc.lines {
            sheet.row([
                Cell::text(doc.names.get(&l.unit_id).cloned().unwrap_or_default()),
                Cell::Number(l.id as f64),
                Cell::text(l.name.as_str()),
                Cell::text(l.economic_code.as_str()),
                Cell::text(l.fund_book.label()),
                Cell::text(if l.three_guarantees { "三保" } else { "" }),
                Cell::Yuan(l.approved),
            ])?;
        }
        sheet.row([
            Cell::bold("合计"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Yuan(doc.total),
        ])?;
        sheet.signatures()?;
        book.save()
    }

    /// The year's 预算控制数 as an .xlsx workbook (sheet 预算控制数): per unit and fund book its
    /// basic and project spending in 元, each department's subtotal and the total.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn control_figures_xlsx(&self, scope: &Scope, year: i32) -> AppResult<Vec<u8>> {
        let f = self.control_figures(scope, year).await?;
        let name = |id: &i64| f.names.get(id).cloned().unwrap_or_default();
        let mut book = Book::new();
        let titles = [format!(
            "{}财政局 {} 年度预算控制数",
            name(&scope.jurisdiction),
            year
        )];
        let mut sheet = book.titled_sheet(
            "预算控制数",
            &titles,
            &[
                ("部门", 28.0),
                ("单位", 28.0),
                ("资金来源", 16.0),
                ("基本支出（元）", 18.0),
                ("项目支出（元）", 18.0),
                ("合计（元）", 18.0),
            ],
        )?;
        let mut departments: Vec<i64> = f.figures.iter().map(|x| x.department_id).collect();
        departments.sort_by_key(|d| name(d));
        departments.dedup();
        let (mut basic, mut projects) = (Money::ZERO, Money::ZERO);
        for d in departments {
            let rows: Vec<_> = f.figures.iter().filter(|x| x.department_id == d).collect();
            let b = sum(rows.iter().map(|x| x.basic))?;
            let p = sum(rows.iter().map(|x| x.projects))?;
            sheet.row([
                Cell::bold(name(&d)),
                Cell::bold("小计"),
                Cell::Empty,
                Cell::Yuan(b),
                Cell::Yuan(p),
                Cell::Yuan(sum([b, p])?),
            ])?;
            for x in rows {
                sheet.row([
                    Cell::text(name(&d)),
                    Cell::text(name(&x.unit_id)),
                    Cell::text(x.fund_book.label()),
                    Cell::Yuan(x.basic),
                    Cell::Yuan(x.projects),
                    Cell::Yuan(sum([x.basic, x.projects])?),
                ])?;
            }
            basic = sum([basic, b])?;
            projects = sum([projects, p])?;
        }
        sheet.row([
            Cell::bold("合计"),
            Cell::Empty,
            Cell::Empty,
            Cell::Yuan(basic),
            Cell::Yuan(projects),
            Cell::Yuan(sum([basic, projects])?),
        ])?;
        sheet.signatures()?;
        book.save()
    }
}
