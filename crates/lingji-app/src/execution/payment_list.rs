//! The payments list, one page at a time (issue 20, point 4; issue 21): the store filters,
//! counts, sums, sorts and pages every payment the caller may see, so the count and the total
//! stay exact however many payments a year holds.

use lingji_domain::Money;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::Resource;
use lingji_store::execution::payment_list::{self as store, PaymentSearch, TEXT_MAX};
use serde::Serialize;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::payments::PaymentRow;

/// One page of the payments a search finds, with how many it finds and their sum.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentsPage {
    pub rows: Vec<PaymentRow>,
    /// Every payment the filters find.
    pub count: i64,
    /// Their amounts, exact to the fen.
    pub total: Money,
}

/// A text filter longer than the store searches by is refused, naming the field `q`.
pub fn check_text(text: Option<&str>) -> AppResult<()> {
    match text {
        Some(t) if t.trim().chars().count() > TEXT_MAX => Err(AppError::Refused(
            Refusal::new(
                "PAYMENT_SEARCH_TOO_LONG",
                format!("查询内容最多 {TEXT_MAX} 个字"),
            )
            .field("q"),
        )),
        _ => Ok(()),
    }
}

impl crate::ExecutionUseCases<'_> {
    /// A page of the payments the caller may see (a unit its own, a department its units',
    /// finance and audit all), with the count and the total of every payment the filters find.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn payments_page(
        &self,
        scope: &Scope,
        mut search: PaymentSearch,
    ) -> AppResult<PaymentsPage> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::Payment, jurisdiction_id)?;
        check_text(search.text.as_deref())?;
        search.filter.unit_id = unit.or(search.filter.unit_id);
        search.filter.department_id = department.or(search.filter.department_id);
        let mut conn = self.store.read().acquire().await?;
        let page = store::search(&mut conn, jurisdiction_id, &search).await?;
        Ok(PaymentsPage {
            rows: page.rows.into_iter().map(PaymentRow::from).collect(),
            count: page.count,
            total: page.total,
        })
    }
}
