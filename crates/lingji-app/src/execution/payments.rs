//! Payment requests on budget lines (issue 6). Checked in order: (a) the line exists, the
//! economic code lies within it and its available balance covers the amount — held by one
//! conditional UPDATE so that requests on several servers can never overdraw it (ZB-7a); (b) the
//! monitoring rules (ZX-4b); (c) a project whose payments performance monitoring suspended is
//! blocked (PM-9). A warning holds the payment for a reviewer; finance pays or releases it. The
//! idempotency key makes a retry return the first answer, never a second payment.

use crate::Scope;
use chrono::Datelike;
use lingji_domain::execution::{
    self, Action, Cover, Disposition, Hit, MoneyMovement, PaymentDraft, PaymentFacts,
    PaymentStatus, check_draft, judge, plan_left, within_line,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::{Money, Refusal};
use lingji_store::StoreError;
use lingji_store::execution::hits;
use lingji_store::execution::ledger;
use lingji_store::execution::payment_record::{self, NewPayment, Recorded, Recording};
use lingji_store::execution::payments::{self as store, PayableLine, Payment, PaymentFilter};
use lingji_store::execution::plans;
use lingji_store::execution::request_context::{self, RequestContext};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::execution::payment_facts::{facts, screen};
use crate::execution::plans::line_priority;
use crate::foundation::caller::Caller;

/// A rule hit as shown with its payment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HitView {
    /// Hit id (None in a preview).
    pub id: Option<i64>,
    pub code: String,
    pub class: String,
    pub name: String,
    /// notice / warning / block.
    #[schema(value_type = crate::schema::RuleAction)]
    pub action: Action,
    /// 提示 / 预警 / 拦截.
    pub action_label: &'static str,
    pub clause: Option<String>,
    pub message: String,
    /// Disposition (stored hits).
    #[schema(value_type = Option<crate::schema::Disposition>)]
    pub disposition: Option<&'static str>,
}

impl HitView {
    fn of(h: &Hit, id: Option<i64>, disposition: Option<&'static str>) -> Self {
        HitView {
            id,
            code: h.code.clone(),
            class: h.class.clone(),
            name: h.name.clone(),
            action: h.action,
            action_label: h.action.label(),
            clause: h.clause.clone(),
            message: h.message.clone(),
            disposition,
        }
    }
}

/// A payment request with its checks, as the API and pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub id: i64,
    /// The request as entered.
    #[serde(flatten)]
    #[schema(value_type = crate::schema::domain::PaymentDraft)]
    pub draft: PaymentDraft,
    pub unit_id: i64,
    /// Fiscal year of the line.
    pub fiscal_year: i32,
    #[schema(value_type = crate::schema::PaymentStatus)]
    pub status: PaymentStatus,
    /// Its Chinese name.
    pub status_label: &'static str,
    /// Strictest rule action hit.
    #[schema(value_type = Option<crate::schema::RuleAction>)]
    pub outcome: Option<Action>,
    /// Why refused or blocked.
    #[serde(serialize_with = "refusal_shown")]
    #[schema(value_type = Option<crate::schema::domain::Refusal>)]
    pub refusal: Option<Refusal>,
    pub hits: Vec<HitView>,
    /// Who asked and when.
    pub requested_by: String,
    pub requested_at: String,
    /// Last decision: who, when, why.
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
    /// True when this answer repeats the first answer to the same idempotency key.
    pub replayed: bool,
}

/// A payment as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentRow {
    pub id: i64,
    pub unit_id: i64,
    #[serde(flatten)]
    #[schema(value_type = crate::schema::domain::PaymentDraft)]
    pub draft: PaymentDraft,
    #[schema(value_type = crate::schema::PaymentStatus)]
    pub status: PaymentStatus,
    /// Its Chinese name.
    pub status_label: &'static str,
    /// Strictest rule action hit.
    #[schema(value_type = Option<crate::schema::RuleAction>)]
    pub outcome: Option<Action>,
    /// Why refused or blocked.
    pub refusal_message: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    /// QJ-4a priority subject (扶贫, 教育, 社会保障): first in finance's queue.
    pub priority: Option<String>,
}

impl From<Payment> for PaymentRow {
    fn from(p: Payment) -> Self {
        PaymentRow {
            id: p.id,
            unit_id: p.unit_id,
            status: p.status,
            status_label: p.status.label(),
            outcome: p.outcome,
            refusal_message: p.refusal.map(|r| r.message),
            requested_by: p.requested_by,
            requested_at: p.requested_at,
            priority: p.priority,
            draft: p.draft,
        }
    }
}

/// What the check would say now, without recording anything (check-as-you-type).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentPreview {
    /// Fields that are wrong.
    #[schema(value_type = Vec<crate::schema::domain::Refusal>)]
    pub errors: Vec<Refusal>,
    /// The line's available balance, when the line is known to the caller.
    #[schema(value_type = Option<String>)]
    pub available: Option<Money>,
    /// Rules the payment would hit.
    pub hits: Vec<HitView>,
    /// The strictest action, or None when it would pass.
    #[schema(value_type = Option<crate::schema::RuleAction>)]
    pub outcome: Option<Action>,
    /// The payment's project is suspended (PM-9): the reason.
    pub suspended: Option<String>,
    /// What the approved plan of the line and month still allows, when plans control
    /// payments (ZX-4a).
    #[schema(value_type = Option<String>)]
    pub plan_available: Option<Money>,
}

fn line_path(l: &PayableLine) -> OrgPath {
    OrgPath {
        jurisdiction: l.jurisdiction_id,
        department: Some(l.department_id),
        unit: Some(l.unit_id),
    }
}

fn no_line() -> AppError {
    Refusal::new(
        "BUDGET_LINE_MISSING",
        "该预算指标不存在，无预算不得支付（ZB-7a）",
    )
    .field("line_id")
    .clause("ZB-7a")
    .into()
}

/// Records a checked request as its facts judge it: the payment as its verdict left it, its
/// money held on the line when the verdict let it through, and the refusal recorded instead
/// when the line does not cover it (the verdict for a short line).
async fn record(
    conn: &mut AnyConnection,
    facts: &PaymentFacts<'_>,
    line: &PayableLine,
    draft: &PaymentDraft,
    caller: &Caller,
    priority: Option<&str>,
) -> Result<Recorded, StoreError> {
    let v = judge(facts);
    let short = judge(&PaymentFacts {
        line: Cover::Short,
        ..*facts
    });
    let recording = Recording {
        payment: NewPayment {
            line,
            draft,
            status: v.status,
            outcome: v.outcome,
            refusal: v.refusal.as_ref(),
            requested_by: caller.name(),
            requested_by_id: caller.id(),
            plan_month: v.plan_draw,
            priority,
        },
        hold: v.hold,
        uncovered: short.refusal.as_ref(),
        hits: facts.hits,
    };
    payment_record::record(conn, &recording).await
}

/// A payment's refusal as its view shows it: code, clause and message (a payment's refusal
/// names no field).
fn refusal_shown<S: serde::Serializer>(r: &Option<Refusal>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Shown<'a> {
        code: &'a str,
        clause: Option<&'a str>,
        message: &'a str,
    }
    r.as_ref()
        .map(|r| Shown {
            code: r.code,
            clause: r.clause,
            message: &r.message,
        })
        .serialize(s)
}

impl crate::ExecutionUseCases<'_> {
    /// The line a payment draws on, if the caller may pay from it and the economic code lies
    /// within it (ZB-7a), with the request's context — read together in one statement; nothing
    /// of it is used unless the caller may pay from the line.
    async fn payable(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        jurisdiction_id: i64,
        draft: &PaymentDraft,
    ) -> AppResult<(PayableLine, RequestContext)> {
        let (line, context) = request_context::line_in_context(
            conn,
            draft.line_id,
            draft.date,
            draft.payee_name.trim(),
            &draft.payee_account,
        )
        .await?
        .filter(|(l, _)| l.jurisdiction_id == jurisdiction_id)
        .ok_or_else(no_line)?;
        caller.authorize(Resource::Payment, Access::Write, &line_path(&line))?;
        within_line(&line.economic_code, &draft.economic_code)?;
        Ok((line, context))
    }

    /// Requests a payment (unit operator on the unit's own line). The answer is recorded with
    /// the idempotency key: asking again with the same key returns it unchanged.
    ///
    /// The line and everything the checks read come in one statement; the answer is recorded by
    /// [`payment_record::record`], which holds the money with one conditional UPDATE (ZB-7a) — on
    /// PostgreSQL the hold, its ledger entry, the payment, the unit's running use and the hits
    /// are one statement. Its audit event (`payment.request`) follows in the same transaction,
    /// which therefore holds the line and then the audit chain's head until it commits;
    /// finance's decisions are audited likewise (`payment.confirm` / `pay` / `reject`).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn request_payment(
        &self,
        scope: &Scope,
        draft: PaymentDraft,
    ) -> AppResult<PaymentView> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        refuse_if_invalid(&draft)?;
        let mut conn = self.store.write().acquire().await?;
        let (line, context) = self
            .payable(&mut conn, caller, jurisdiction_id, &draft)
            .await?;
        // A closed year's money has been carried or recovered: nothing more is paid there (read
        // with the line; the close leaves nothing available on it either, so a close racing
        // with this request still finds no money to hold).
        if context.year_closed {
            return Err(execution::closed_year(
                line.fiscal_year,
                MoneyMovement::Payment,
                "line_id",
            )
            .into());
        }
        // A retry is not looked up first: its key meets the unique index when the answer is
        // recorded, nothing of it is kept, and the first answer is returned (one read fewer for
        // every first request).
        let (f, checks) = facts(&mut conn, &line, &draft, context).await?;
        let rules = self
            .rules_on(&mut conn, jurisdiction_id, Some(checks.rules_stamp))
            .await?;
        let hits = screen(jurisdiction_id, &rules, &f)?;
        let month = draft.date.month();
        let mut judged = PaymentFacts {
            hits: &hits,
            suspended: checks.suspended.as_deref(),
            within_plan: checks.within_plan,
            month,
            plan: Cover::Untried,
            line: Cover::Untried,
        };
        let (_, priority) = line_priority(&line);
        // The same connection records the answer: acquiring one costs a round trip.
        let recorded =
            draw_and_record(&mut conn, &mut judged, &line, &draft, caller, priority).await?;
        let recorded = match recorded {
            Ok(r) => r,
            // The same key was recorded by a request running at the same time: its answer
            // is the answer, and nothing of this one was kept.
            Err(StoreError::Conflict(_)) => {
                let first = store::by_key(&mut conn, jurisdiction_id, &draft.idempotency_key)
                    .await?
                    .ok_or_else(|| AppError::Internal("idempotency key vanished".into()))?;
                drop(conn);
                return self.replay(first, &draft).await;
            }
            Err(e) => return Err(e.into()),
        };
        Ok(requested_view(
            line, draft, caller, &judged, &hits, recorded,
        ))
    }

    /// The first answer to an idempotency key, or 409 when the key came with another request.
    async fn replay(&self, first: Payment, draft: &PaymentDraft) -> AppResult<PaymentView> {
        if first.draft != *draft {
            return Err(AppError::Conflict(
                Refusal::new(
                    "IDEMPOTENCY_KEY_REUSED",
                    "该请求标识已用于另一笔不同的支付申请，请使用新的请求标识",
                )
                .field("idempotency_key"),
            ));
        }
        self.payment_view(first, true).await
    }

    async fn stored_payment(&self, id: i64) -> AppResult<Payment> {
        let mut conn = self.store.write().acquire().await?;
        store::payment(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("支付申请"))
    }

    async fn payment_view(&self, p: Payment, replayed: bool) -> AppResult<PaymentView> {
        let mut conn = self.store.write().acquire().await?;
        let hits = hits::hits_of(&mut conn, p.id).await?;
        Ok(PaymentView {
            id: p.id,
            unit_id: p.unit_id,
            fiscal_year: p.fiscal_year,
            status: p.status,
            status_label: p.status.label(),
            outcome: p.outcome,
            refusal: p.refusal,
            hits: hits
                .iter()
                .map(|h| HitView::of(&h.hit, Some(h.id), Some(h.disposition.label())))
                .collect(),
            draft: p.draft,
            requested_by: p.requested_by,
            requested_at: p.requested_at,
            decided_by: p.decided_by,
            decided_at: p.decided_at,
            decision_reason: p.decision_reason,
            replayed,
        })
    }

    /// What the check would answer now, recording nothing: wrong fields, the line's balance,
    /// the rules hit and a suspension (the payment page calls it as the user types).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn preview_payment(
        &self,
        scope: &Scope,
        draft: PaymentDraft,
    ) -> AppResult<PaymentPreview> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut errors: Vec<Refusal> = check_draft(&draft)
            .into_iter()
            .filter(|r| r.field.as_deref() != Some("idempotency_key"))
            .collect();
        let mut conn = self.store.read().acquire().await?;
        let (line, context) = match self
            .payable(&mut conn, caller, jurisdiction_id, &draft)
            .await
        {
            Ok(found) => found,
            Err(AppError::Refused(r)) => {
                errors.push(r);
                return Ok(PaymentPreview {
                    errors,
                    available: None,
                    hits: vec![],
                    outcome: None,
                    suspended: None,
                    plan_available: None,
                });
            }
            Err(e) => return Err(e),
        };
        let available = Some(line.balance.available());
        if errors.iter().any(|e| e.field.as_deref() == Some("amount")) {
            return Ok(PaymentPreview {
                errors,
                available,
                hits: vec![],
                outcome: None,
                suspended: None,
                plan_available: None,
            });
        }
        let (f, checks) = facts(&mut conn, &line, &draft, context).await?;
        let rules = self
            .rules_at(jurisdiction_id, Some(checks.rules_stamp))
            .await?;
        let suspended = checks.suspended;
        let hits = screen(jurisdiction_id, &rules, &f)?;
        let plan_available = if checks.within_plan {
            let month = draft.date.month();
            let plans::PlanBalance { approved, used } =
                plans::balance(&mut conn, line.id, month).await?;
            let (left, over) = plan_left(month, draft.amount, approved, used);
            errors.extend(over);
            Some(left)
        } else {
            None
        };
        Ok(PaymentPreview {
            plan_available,
            errors,
            available,
            outcome: execution::outcome(&hits),
            hits: hits.iter().map(|h| HitView::of(h, None, None)).collect(),
            suspended,
        })
    }

    /// One payment, if the caller may see it.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn payment(&self, scope: &Scope, id: i64) -> AppResult<PaymentView> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let p = self.stored_payment(id).await?;
        if p.jurisdiction_id != jurisdiction_id {
            return Err(AppError::not_found("支付申请"));
        }
        caller
            .authorize(Resource::Payment, Access::Read, &payment_path(&p))
            .map_err(|_| AppError::not_found("支付申请"))?;
        self.payment_view(p, false).await
    }

    /// Payments the caller may see, newest first: a unit its own, a department its units',
    /// finance and audit all.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn payments(
        &self,
        scope: &Scope,
        mut filter: PaymentFilter,
    ) -> AppResult<Vec<PaymentRow>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::Payment, jurisdiction_id)?;
        filter.unit_id = unit.or(filter.unit_id);
        filter.department_id = department.or(filter.department_id);
        filter.limit = filter.limit.clamp(1, 1000);
        let mut conn = self.store.read().acquire().await?;
        Ok(store::list(&mut conn, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .map(PaymentRow::from)
            .collect())
    }
}

/// A request with wrong fields is refused with every wrong field at once.
fn refuse_if_invalid(draft: &PaymentDraft) -> AppResult<()> {
    let errors = check_draft(draft);
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            summary: Refusal::new("PAYMENT_INVALID", "支付申请有误，请按提示修改"),
            errors,
        });
    }
    Ok(())
}

/// Holds the money and records the request. ZX-4a: when the verdict draws on the month's plan,
/// the plan first, then the line (ZB-7a), in one transaction; each is one conditional UPDATE,
/// and the plan is given back when the line does not cover the payment. `judged` learns whether
/// the plan covered it. The store's answer is returned as is, so a conflicting key can be
/// replayed.
async fn draw_and_record(
    conn: &mut AnyConnection,
    judged: &mut PaymentFacts<'_>,
    line: &PayableLine,
    draft: &PaymentDraft,
    caller: &Caller,
    priority: Option<&str>,
) -> AppResult<Result<Recorded, StoreError>> {
    let Some(month) = judge(judged).plan_draw else {
        return Ok(record(conn, judged, line, draft, caller, priority).await);
    };
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let drawn = plans::draw(&mut tx, line.id, month, draft.amount).await?;
    judged.plan = if drawn { Cover::Covered } else { Cover::Short };
    let r = record(&mut tx, judged, line, draft, caller, priority).await;
    if matches!(r, Ok(Recorded { covered: false, .. })) {
        plans::give_back(&mut tx, line.id, month, draft.amount).await?;
    }
    match r {
        Ok(_) => tx.commit().await?,
        Err(_) => tx.rollback().await?,
    }
    Ok(r)
}

/// The new payment as recorded: the line answered with its conditional UPDATE, so the verdict
/// is the one with what it said.
fn requested_view(
    line: PayableLine,
    draft: PaymentDraft,
    caller: &Caller,
    judged: &PaymentFacts<'_>,
    hits: &[Hit],
    recorded: Recorded,
) -> PaymentView {
    let Recorded {
        id,
        requested_at,
        covered,
        hit_ids,
    } = recorded;
    let v = judge(&PaymentFacts {
        line: if covered {
            Cover::Covered
        } else {
            Cover::Short
        },
        ..*judged
    });
    PaymentView {
        id,
        unit_id: line.unit_id,
        fiscal_year: line.fiscal_year,
        status: v.status,
        status_label: v.status.label(),
        outcome: v.outcome,
        refusal: v.refusal,
        hits: hits
            .iter()
            .zip(hit_ids)
            .map(|(h, hid)| HitView::of(h, Some(hid), Some(Disposition::Open.label())))
            .collect(),
        draft,
        requested_by: caller.name().to_string(),
        requested_at,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        replayed: false,
    }
}

/// A budget line's ledger (指标账): the line, its balance, every entry and its payments.
#[derive(Debug, Clone)]
pub struct LineLedger {
    pub line: PayableLine,
    /// Entries in order.
    pub entries: Vec<ledger::EntryRow>,
    /// Payments on it, newest first.
    pub payments: Vec<PaymentRow>,
}

impl crate::ExecutionUseCases<'_> {
    /// The year's lines the caller may see, each with its balance, those with most available
    /// first (a line with nothing left last): what the payment form picks from.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn payable_lines(&self, scope: &Scope, year: i32) -> AppResult<Vec<PayableLine>> {
        let (department, unit) = scope
            .caller
            .read_scope(Resource::BudgetLine, scope.jurisdiction)?;
        let mut conn = self.store.read().acquire().await?;
        let mut lines =
            store::payable_lines(&mut conn, scope.jurisdiction, year, department, unit, 1000)
                .await?;
        lines.sort_by_key(|l| (std::cmp::Reverse(l.balance.available()), l.id));
        Ok(lines)
    }

    /// Whether an idempotency key already has its answer among the payments the caller may
    /// see: a form sent twice (a double click) goes straight to the request, which answers it
    /// with the first payment, instead of being checked again against a balance that payment
    /// already holds.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn key_answered(&self, scope: &Scope, key: &str) -> AppResult<bool> {
        let mut conn = self.store.read().acquire().await?;
        let first = store::by_key(&mut conn, scope.jurisdiction, key.trim()).await?;
        Ok(first.is_some_and(|p| {
            scope
                .caller
                .authorize(Resource::Payment, Access::Read, &payment_path(&p))
                .is_ok()
        }))
    }

    /// One line with its balance, if the caller may see it.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn payable_line(&self, scope: &Scope, id: i64) -> AppResult<PayableLine> {
        let mut conn = self.store.read().acquire().await?;
        let line = store::payable_line(&mut conn, id)
            .await?
            .filter(|l| l.jurisdiction_id == scope.jurisdiction)
            .ok_or_else(|| AppError::not_found("预算指标"))?;
        scope
            .caller
            .authorize(Resource::BudgetLine, Access::Read, &line_path(&line))
            .map_err(|_| AppError::not_found("预算指标"))?;
        Ok(line)
    }

    /// A line's ledger, if the caller may see the line (its unit, department, finance, audit).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn line_ledger(&self, scope: &Scope, id: i64) -> AppResult<LineLedger> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut conn = self.store.read().acquire().await?;
        let line = store::payable_line(&mut conn, id)
            .await?
            .filter(|l| l.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("预算指标"))?;
        caller
            .authorize(Resource::BudgetLine, Access::Read, &line_path(&line))
            .map_err(|_| AppError::not_found("预算指标"))?;
        let entries = ledger::entry_rows(&mut conn, id).await?;
        let filter = PaymentFilter {
            line_id: Some(id),
            limit: 1000,
            ..PaymentFilter::default()
        };
        let payments = store::list(&mut conn, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .map(PaymentRow::from)
            .collect();
        Ok(LineLedger {
            line,
            entries,
            payments,
        })
    }
}

/// Where a payment sits in the organisation tree.
fn payment_path(p: &Payment) -> OrgPath {
    OrgPath {
        jurisdiction: p.jurisdiction_id,
        department: Some(p.department_id),
        unit: Some(p.unit_id),
    }
}
