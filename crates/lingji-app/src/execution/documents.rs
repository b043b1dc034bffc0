//! The execution documents people sign, as .xlsx workbooks with the rows and totals of their
//! print layouts: the 年终结转结余表 (the year's close, line by line, with the department
//! totals) and the 支付凭证 of one payment. The 预算调整方案 is `amendment_xlsx`.

use lingji_domain::Money;
use lingji_domain::foundation::fund::FundBook;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::sheets::{Book, Cell};

/// A sum that cannot overflow silently.
fn sum(amounts: impl IntoIterator<Item = Money>) -> AppResult<Money> {
    Money::checked_sum(amounts).ok_or_else(|| AppError::Internal("合计超出金额范围".into()))
}

impl crate::YearEndUseCases<'_> {
    /// The year's close as the 年终结转结余表 (sheet 年终结转结余表: every line with its
    /// balance, carried and recovered amounts and clause, then the total; sheet 部门汇总).
    /// Finance and audit, like the report.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn year_end_xlsx(&self, scope: &Scope, fiscal_year: i32) -> AppResult<Vec<u8>> {
        let r = self.year_end_report(scope, fiscal_year).await?;
        let mut book = Book::new();
        let titles = [format!("{fiscal_year} 年度年终结转结余表")];
        let mut sheet = book.titled_sheet(
            "年终结转结余表",
            &titles,
            &[
                ("指标号", 10.0),
                ("部门", 24.0),
                ("单位", 24.0),
                ("指标", 32.0),
                ("经济分类", 10.0),
                ("年末余额（元）", 18.0),
                ("结转（元）", 18.0),
                ("收回（元）", 18.0),
                ("依据", 40.0),
                ("下年指标号", 12.0),
            ],
        )?;
        for l in &r.lines {
            sheet.row([
                Cell::Number(l.line_id as f64),
                Cell::text(l.department_name.as_str()),
                Cell::text(l.unit_name.as_str()),
                Cell::text(l.name.as_str()),
                Cell::text(l.economic_code.as_str()),
                Cell::Yuan(l.available),
                Cell::Yuan(l.carried),
                Cell::Yuan(l.recovered),
                Cell::text(format!("{}（{}）", l.reason, l.clause)),
                l.new_line_id
                    .map_or(Cell::Empty, |n| Cell::Number(n as f64)),
            ])?;
        }
        let available = sum(r.lines.iter().map(|l| l.available))?;
        sheet.row([
            Cell::bold("合计"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Yuan(available),
            Cell::Yuan(r.carried),
            Cell::Yuan(r.recovered),
        ])?;
        sheet.signatures()?;
        let mut sums = book.sheet(
            "部门汇总",
            &[("部门", 28.0), ("结转（元）", 18.0), ("收回（元）", 18.0)],
        )?;
        for d in &r.departments {
            sums.row([
                Cell::text(d.department_name.as_str()),
                Cell::Yuan(d.carried),
                Cell::Yuan(d.recovered),
            ])?;
        }
        sums.row([
            Cell::bold("合计"),
            Cell::Yuan(r.carried),
            Cell::Yuan(r.recovered),
        ])?;
        book.save()
    }
}

impl crate::ExecutionUseCases<'_> {
    /// A payment's budget line as its voucher names it, as 预算指标 lists it: the number, the
    /// project's code and name (or the basic expenditure's name) and the fund book, e.g.
    /// 「第 12 号 3299002026001000001 城区道路养护（一般公共预算）」. The caller must see the line.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn voucher_line(&self, scope: &Scope, line_id: i64) -> AppResult<String> {
        let line = self.payable_line(scope, line_id).await?;
        let code = match line.project_id {
            Some(project) => {
                let mut conn = self.store.read().acquire().await?;
                lingji_store::library::projects::get(&mut conn, project)
                    .await?
                    .map(|p| p.header.code)
            }
            None => None,
        };
        let book = FundBook::parse(&line.fund_book).map_or("", |b| b.label());
        let name = match code {
            Some(code) => format!("{code} {}", line.name),
            None => line.name,
        };
        Ok(format!("第 {} 号 {name}（{book}）", line.id))
    }

    /// One payment as its 支付凭证 (sheet 支付凭证: label and value rows). Whoever may read the
    /// payment may print it.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn payment_voucher_xlsx(
        &self,
        scope: &Scope,
        id: i64,
        unit_name: &str,
    ) -> AppResult<Vec<u8>> {
        let p = self.payment(scope, id).await?;
        let d = &p.draft;
        let mut book = Book::new();
        let titles = [format!("{} 年度国库集中支付凭证", p.fiscal_year)];
        let mut sheet =
            book.titled_sheet("支付凭证", &titles, &[("项目", 16.0), ("内容", 48.0)])?;
        let text = |label: &'static str, value: String| [Cell::bold(label), Cell::text(value)];
        sheet.row(text("凭证编号", format!("第 {} 号", p.id)))?;
        sheet.row(text("预算单位", unit_name.to_string()))?;
        let line = self
            .voucher_line(scope, d.line_id)
            .await
            .unwrap_or_else(|_| format!("第 {} 号", d.line_id));
        sheet.row(text("预算指标", line))?;
        sheet.row(text("经济分类", d.economic_code.clone()))?;
        sheet.row(text("收款人", d.payee_name.clone()))?;
        sheet.row(text("收款账号", d.payee_account.clone()))?;
        sheet.row(text("用途", d.purpose.clone()))?;
        sheet.row(text("支付日期", d.date.format("%Y-%m-%d").to_string()))?;
        if let Some(c) = &d.contract_no {
            sheet.row(text("合同编号", c.clone()))?;
        }
        sheet.row([Cell::bold("金额（元）"), Cell::Yuan(d.amount)])?;
        sheet.row(text("状态", p.status_label.to_string()))?;
        sheet.signatures()?;
        book.save()
    }
}
