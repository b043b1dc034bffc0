//! Finance's decision on a payment (ZX-4b): confirm a held one, pay a pending one, or reject
//! either — the money goes back to the plan, the line and the unit's running use, and a closed
//! year recovers it at once. A decision someone made first is refused, never applied twice.

use crate::Scope;
use lingji_domain::execution::{self, Decision, PaymentStatus};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::{Money, Refusal};
use lingji_store::execution::ledger;
use lingji_store::execution::payments::{self as store, Payment};
use lingji_store::execution::plans;
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::execution::payments::PaymentView;
use crate::foundation::caller::Caller;

impl crate::ExecutionUseCases<'_> {
    /// Finance decides a payment: confirms a held one (with a reason), pays a pending one, or
    /// rejects either (the money goes back to the line). A decision someone made first is
    /// refused (409), never applied twice.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn decide_payment(
        &self,
        scope: &Scope,
        id: i64,
        decision: Decision,
        reason: &str,
    ) -> AppResult<PaymentView> {
        scope.authorize_jurisdiction(Resource::Payment, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let reason = check_decision_reason(decision, reason)?;
        let mut tx = self.store.begin().await?;
        let p = store::payment(&mut tx, id)
            .await?
            .filter(|p| p.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("支付申请"))?;
        if let Caller::User(a) = caller {
            decision
                .check_decider(&p.requested_by, &a.username)
                .map_err(AppError::Forbidden)?;
        }
        let next = p.status.after(decision)?;
        let decided = store::Decision {
            id,
            from: p.status,
            to: next,
            by: caller.name(),
            note: reason,
        };
        if !store::set_status(&mut tx, &decided).await? {
            return Err(AppError::stale());
        }
        let reference = format!("支付申请 {}", p.draft.idempotency_key);
        let moved = move_money(&mut tx, caller, jurisdiction_id, &p, next, &reference).await?;
        if !moved {
            return Err(AppError::Internal(format!(
                "payment {id}: line {} holds less than the payment",
                p.draft.line_id
            )));
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, audit_action(decision), "payment", id)
                .before_json(&serde_json::json!({ "status": p.status.as_str() }))
                .after_json(&serde_json::json!({ "status": next.as_str(), "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        self.payment(scope, id).await
    }
}

/// Confirming or rejecting needs a reason (at most 500 characters); paying does not.
fn check_decision_reason(decision: Decision, reason: &str) -> AppResult<&str> {
    let reason = reason.trim();
    if decision != Decision::Pay && (reason.is_empty() || reason.chars().count() > 500) {
        return Err(Refusal::new(
            "DECISION_REASON_REQUIRED",
            "请填写处理理由（不超过 500 个字）",
        )
        .field("reason")
        .into());
    }
    Ok(reason)
}

/// The ledger side of a decision: paying spends the held money, releasing gives it back to the
/// plan, the line and the unit's running use; whether the line held the payment.
async fn move_money(
    tx: &mut AnyConnection,
    caller: &Caller,
    jurisdiction_id: i64,
    p: &Payment,
    next: PaymentStatus,
    reference: &str,
) -> AppResult<bool> {
    match next {
        PaymentStatus::Paid => Ok(ledger::finish(
            tx,
            p.draft.line_id,
            p.draft.amount,
            true,
            reference,
            caller.name(),
        )
        .await?),
        PaymentStatus::Released => {
            // Rows are locked in the order a request locks them — plan, line, usage — so a
            // release and a request on PostgreSQL never wait for each other in a circle.
            if let Some(m) = p.plan_month {
                plans::give_back(tx, p.draft.line_id, m, p.draft.amount).await?;
            }
            let released = ledger::finish(
                tx,
                p.draft.line_id,
                p.draft.amount,
                false,
                reference,
                caller.name(),
            )
            .await?;
            store::add_usage(
                tx,
                p.unit_id,
                p.fiscal_year,
                &p.draft.economic_code,
                Money::from_fen(-p.draft.amount.fen()),
            )
            .await?;
            Ok(released && recover_if_closed(tx, caller, jurisdiction_id, p, reference).await?)
        }
        _ => Ok(true),
    }
}

fn audit_action(decision: Decision) -> &'static str {
    match decision {
        Decision::Confirm => "payment.confirm",
        Decision::Reject => "payment.reject",
        Decision::Pay => "payment.pay",
    }
}

/// Money given back to a line whose year is closed is recovered in the same transaction and
/// added to the close's record (`released_after_close`); whether the line took the close.
async fn recover_if_closed(
    tx: &mut AnyConnection,
    caller: &Caller,
    jurisdiction_id: i64,
    p: &store::Payment,
    reference: &str,
) -> AppResult<bool> {
    use lingji_store::execution::year_end;
    let Some(close) = year_end::recorded(tx, jurisdiction_id, p.fiscal_year).await? else {
        return Ok(true);
    };
    let c = execution::released_after_close(p.draft.amount);
    if !ledger::close(tx, p.draft.line_id, c.recovered, reference, caller.name()).await? {
        return Ok(false);
    }
    let line = year_end::ClosedLine {
        line_id: p.draft.line_id,
        available: c.recovered,
        carried: c.carried,
        recovered: c.recovered,
        clause: c.clause,
        reason: &c.reason,
        new_line_id: None,
    };
    year_end::add_late_line(tx, close.id, &line).await?;
    lingji_store::foundation::audit::append(
        tx,
        caller
            .event(
                jurisdiction_id,
                "year_end.recover",
                "budget_line",
                p.draft.line_id,
            )
            .after_json(&serde_json::json!({
                "year": p.fiscal_year, "recovered": c.recovered.fen(),
                "clause": c.clause, "reason": c.reason, "payment": p.id,
            })),
    )
    .await?;
    Ok(true)
}
