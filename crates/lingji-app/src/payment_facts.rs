//! What the monitoring rules read about a payment (ZX-4b), gathered from storage in one place
//! for the payment check, the as-you-type preview and the dry run of a rule; and the
//! jurisdiction's rules, with the default catalogue installed the first time they are needed.

use lingji_domain::execution::{
    self, CompiledRule, Facts, LineFacts, MonitoringRule, PartyFacts, PaymentDraft, SANGONG,
};
use lingji_domain::review::gates::GateRecord;
use lingji_domain::review::lists::ListKind;
use lingji_store::payments::{self as store, PayableLine};
use lingji_store::{lists, reviews};
use sqlx::AnyConnection;

use crate::App;
use crate::error::{AppError, AppResult};

/// Whether the line's project belongs to a special fund whose period ended before `year`
/// (ZB-12: special funds stop when their period is over).
async fn special_fund_expired(
    conn: &mut AnyConnection,
    line: &PayableLine,
    year: i32,
) -> AppResult<bool> {
    let Some(project) = line.project_id else {
        return Ok(false);
    };
    let code = reviews::gates(conn, project)
        .await?
        .into_iter()
        .find_map(|g| match g.record {
            GateRecord::SpecialFund { fund_code } => Some(fund_code),
            _ => None,
        });
    let Some(code) = code else {
        return Ok(false);
    };
    let funds = lists::entries(
        conn,
        line.jurisdiction_id,
        ListKind::SpecialFunds,
        None,
        false,
    )
    .await?;
    Ok(funds
        .iter()
        .find(|f| f.entry.code == code)
        .and_then(|f| f.entry.fund.last_year())
        .is_some_and(|last| last < year))
}

/// The payment's facts as stored now.
pub(crate) async fn facts(
    conn: &mut AnyConnection,
    line: &PayableLine,
    draft: &PaymentDraft,
) -> AppResult<Facts> {
    let (recent_7d, count_30d, first_time) =
        store::payee_history(conn, line.unit_id, &draft.payee_account, draft.date).await?;
    let unit_today = store::unit_requests_on(conn, line.unit_id, draft.date).await?;
    let class: String = draft.economic_code.chars().take(5).collect();
    let (class_budget, class_used) =
        store::class_usage(conn, line.unit_id, line.fiscal_year, &[class.as_str()]).await?;
    let (sangong_budget, sangong_used) =
        store::class_usage(conn, line.unit_id, line.fiscal_year, SANGONG).await?;
    let payee_org = store::org_named(conn, line.jurisdiction_id, draft.payee_name.trim()).await?;
    let event_listed = match &draft.event_code {
        Some(code) => Some(
            lists::entries(
                conn,
                line.jurisdiction_id,
                ListKind::Events,
                Some(line.fiscal_year),
                true,
            )
            .await?
            .iter()
            .any(|e| e.entry.code == code.trim()),
        ),
        None => None,
    };
    let year = chrono::Datelike::year(&draft.date);
    Ok(Facts {
        payment: draft.clone(),
        line: LineFacts {
            economic_code: line.economic_code.clone(),
            fund_book: line.fund_book.clone(),
            fiscal_year: line.fiscal_year,
            three_guarantees: line.three_guarantees,
            budget: line.balance.budget(),
            available: line.balance.available(),
            source: line.source.clone(),
            special_fund_expired: special_fund_expired(conn, line, year).await?,
        },
        party: PartyFacts {
            own_unit: payee_org == Some(line.unit_id),
            budget_unit: payee_org.is_some_and(|o| o != line.unit_id),
            first_time,
            recent_7d,
            count_30d,
            unit_today,
            class_budget,
            class_used,
            sangong_budget,
            sangong_used,
            event_listed,
        },
    })
}

/// Compiles stored rules; one that no longer compiles is reported rather than skipped.
pub(crate) fn compile_all(rules: Vec<MonitoringRule>) -> AppResult<Vec<CompiledRule>> {
    rules
        .into_iter()
        .map(|r| {
            let code = r.code.clone();
            execution::compile(r).map_err(|e| {
                AppError::Internal(format!(
                    "stored rule {code} does not compile: {}",
                    e.message
                ))
            })
        })
        .collect()
}

impl App {
    /// The jurisdiction's rules, installing the default catalogue (ZX-4b) the first time.
    pub(crate) async fn rules_in_force(
        &self,
        jurisdiction_id: i64,
    ) -> AppResult<Vec<MonitoringRule>> {
        let mut conn = self.store.read().acquire().await?;
        let stored = store::rules(&mut conn, jurisdiction_id).await?;
        drop(conn);
        if !stored.is_empty() {
            return Ok(stored.into_iter().map(|s| s.rule).collect());
        }
        let mut tx = self.store.begin().await?;
        for r in execution::default_catalogue() {
            store::add_rule(&mut tx, jurisdiction_id, &r, "system").await?;
        }
        let stored = store::rules(&mut tx, jurisdiction_id).await?;
        tx.commit().await?;
        Ok(stored.into_iter().map(|s| s.rule).collect())
    }
}
