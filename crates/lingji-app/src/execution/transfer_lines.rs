//! Budget lines that come from upper transfers (上级转移支付): finance enters each with the
//! document that allocated it; it opens with its approval entry in the ledger like a line from
//! the budget's approval, and payments draw on it the same way (ZB-7a).

use crate::Scope;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::org::OrgKind;
use lingji_domain::{Money, Refusal};
use lingji_store::allocation::{BudgetLine, NewLine, insert_line};
use lingji_store::foundation::orgs;
use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// An upper-transfer line as finance enters it.
#[derive(Debug, Clone, Deserialize)]
pub struct TransferLine {
    pub fiscal_year: i32,
    /// The receiving unit.
    pub unit_id: i64,
    /// The unit's project it funds, if any.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// What it is for.
    pub name: String,
    /// Government economic code.
    pub economic_code: String,
    pub fund_book: FundBook,
    /// Three-guarantees spending.
    #[serde(default)]
    pub three_guarantees: bool,
    pub amount: Money,
    /// The upper document (e.g. 财社〔2026〕12号).
    pub document: String,
}

fn check(t: &TransferLine) -> Vec<Refusal> {
    let mut out = Vec::new();
    let name = t.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        out.push(
            Refusal::new("LINE_NAME_INVALID", "请填写指标名称（不超过 100 个字）").field("name"),
        );
    }
    let code = t.economic_code.trim();
    if !(matches!(code.len(), 3 | 5 | 7) && code.bytes().all(|b| b.is_ascii_digit())) {
        out.push(
            Refusal::new(
                "ECONOMIC_CODE_MALFORMED",
                "经济分类科目应为 3、5 或 7 位数字",
            )
            .field("economic_code"),
        );
    }
    if t.amount <= Money::ZERO {
        out.push(Refusal::new("LINE_AMOUNT_NOT_POSITIVE", "指标金额须大于零").field("amount"));
    }
    let document = t.document.trim();
    if document.is_empty() || document.chars().count() > 100 {
        out.push(
            Refusal::new(
                "TRANSFER_DOCUMENT_REQUIRED",
                "请填写上级下达文号（不超过 100 个字）",
            )
            .field("document"),
        );
    }
    if !(2000..=2100).contains(&t.fiscal_year) {
        out.push(
            Refusal::new("YEAR_OUT_OF_RANGE", "预算年度应在 2000–2100 之间").field("fiscal_year"),
        );
    }
    out
}

impl crate::ExecutionUseCases<'_> {
    /// Enters a budget line from an upper transfer (finance), audited; returns its id.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn add_transfer_line(&self, scope: &Scope, t: TransferLine) -> AppResult<i64> {
        scope.authorize_jurisdiction(Resource::BudgetLine, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let errors = check(&t);
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new(
                    "TRANSFER_LINE_INVALID",
                    "上级转移支付指标有误，请按提示修改",
                ),
                errors,
            });
        }
        let mut tx = self.store.begin().await?;
        let unit = orgs::get(&mut tx, t.unit_id)
            .await?
            .filter(|o| o.kind == OrgKind::Unit && o.path.jurisdiction == jurisdiction_id)
            .ok_or_else(|| {
                AppError::from(
                    Refusal::new("UNIT_UNKNOWN", "请选择本辖区的预算单位").field("unit_id"),
                )
            })?;
        crate::execution::year_end::refuse_if_closed(
            &mut tx,
            jurisdiction_id,
            t.fiscal_year,
            lingji_domain::execution::MoneyMovement::NewLine,
            "fiscal_year",
        )
        .await?;
        // A line under the document of a receipt from an upper fund breaks that receipt down:
        // its lines never exceed what was received (ZB-7a).
        crate::allocation::transfers::check_receipt_cap(
            &mut tx,
            jurisdiction_id,
            &t.document,
            t.amount,
        )
        .await?;
        if let Some(p) = t.project_id {
            let project = lingji_store::library::projects::get(&mut tx, p).await?;
            if project.is_none_or(|p| p.header.unit_id != unit.id) {
                return Err(Refusal::new("PROJECT_NOT_OF_UNIT", "所选项目不属于该单位")
                    .field("project_id")
                    .into());
            }
        }
        let line = BudgetLine {
            id: 0,
            fiscal_year: t.fiscal_year,
            department_id: unit.path.department.unwrap_or(unit.id),
            unit_id: unit.id,
            project_id: t.project_id,
            item_id: 0,
            name: t.name.trim().to_string(),
            economic_code: t.economic_code.trim().to_string(),
            fund_book: t.fund_book,
            three_guarantees: t.three_guarantees,
            approved: t.amount,
            source_document: t.document.trim().to_string(),
            run_id: None,
        };
        let id = insert_line(
            &mut tx,
            &NewLine {
                jurisdiction_id,
                line: &line,
                source: "transfer",
                actor: caller.name(),
            },
        )
        .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "budget_line.transfer", "budget_line", id)
                .after_json(&serde_json::json!({
                    "unit_id": line.unit_id,
                    "name": line.name,
                    "economic_code": line.economic_code,
                    "amount": line.approved,
                    "document": line.source_document,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
