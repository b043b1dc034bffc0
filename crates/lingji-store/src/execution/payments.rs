//! Payment requests on both backends: the line a payment draws on, the payment as recorded and
//! finance's decisions on it and on its hits. The rule catalogue is in [`super::rules`], the hits
//! and what the checks stopped in [`super::hits`], the suspensions (PM-9) in
//! [`super::suspensions`].

use lingji_domain::execution::{
    Action, Balance, Disposition, PayeeKind, PaymentDraft, PaymentStatus,
};
use lingji_domain::{Money, Refusal};
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A budget line as a payment needs it.
#[derive(Debug, Clone)]
pub struct PayableLine {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub department_id: i64,
    pub unit_id: i64,
    /// Project, when the line funds one.
    pub project_id: Option<i64>,
    pub name: String,
    pub economic_code: String,
    pub fund_book: String,
    /// Three-guarantees line.
    pub three_guarantees: bool,
    /// `allocation` or `transfer`.
    pub source: String,
    pub balance: Balance,
    /// Function code of its project.
    pub function_code: Option<String>,
    /// Spending tier of its project.
    pub project_tier: Option<String>,
}

/// The columns of a payable line (`l`) with its project (`p`).
macro_rules! line_columns {
    () => {
        "SELECT l.id, l.jurisdiction_id, l.fiscal_year, l.department_id, l.unit_id, l.project_id, l.name, \
         l.economic_code, l.fund_book, l.three_guarantees, l.source, l.approved, l.adjusted, l.reserved, l.spent, \
         l.closed, p.function_code, p.tier"
    };
}
pub(crate) use line_columns;

/// A line's columns as read with [`line_columns`].
#[derive(sqlx::FromRow)]
pub(crate) struct LineRow {
    id: i64,
    jurisdiction_id: i64,
    fiscal_year: i64,
    department_id: i64,
    unit_id: i64,
    project_id: Option<i64>,
    name: String,
    economic_code: String,
    fund_book: String,
    three_guarantees: i64,
    source: String,
    approved: i64,
    adjusted: i64,
    reserved: i64,
    spent: i64,
    closed: i64,
    function_code: Option<String>,
    tier: Option<String>,
}

impl TryFrom<LineRow> for PayableLine {
    type Error = StoreError;
    fn try_from(r: LineRow) -> Result<Self, StoreError> {
        Ok(PayableLine {
            id: r.id,
            jurisdiction_id: r.jurisdiction_id,
            fiscal_year: i32::try_from(r.fiscal_year).map_err(corrupt)?,
            department_id: r.department_id,
            unit_id: r.unit_id,
            project_id: r.project_id,
            name: r.name,
            economic_code: r.economic_code,
            fund_book: r.fund_book,
            three_guarantees: r.three_guarantees != 0,
            source: r.source,
            balance: Balance {
                approved: Money::from_fen(r.approved),
                adjusted: Money::from_fen(r.adjusted),
                reserved: Money::from_fen(r.reserved),
                spent: Money::from_fen(r.spent),
                closed: Money::from_fen(r.closed),
            },
            function_code: r.function_code,
            project_tier: r.tier,
        })
    }
}

/// The line a payment draws on, with its project's function code and tier.
pub async fn payable_line(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<PayableLine>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, LineRow>(concat!(
            line_columns!(),
            " FROM budget_lines l LEFT JOIN projects p ON p.id = l.project_id WHERE l.id = $1"
        ))
        .bind(id),
        PayableLine::try_from,
    )
    .await
}

/// The lines of a year a payment may draw on, within a department or unit when given, each with
/// its balance: the payment form's picker.
pub async fn payable_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    department_id: Option<i64>,
    unit_id: Option<i64>,
    limit: i64,
) -> Result<Vec<PayableLine>, StoreError> {
    let rows: Vec<LineRow> = sqlx::query_as(concat!(
        line_columns!(),
        " FROM budget_lines l LEFT JOIN projects p ON p.id = l.project_id \
         WHERE l.jurisdiction_id = $1 AND l.fiscal_year = $2 AND ($3 IS NULL OR l.department_id = $3) \
         AND ($4 IS NULL OR l.unit_id = $4) ORDER BY l.id LIMIT $5"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(department_id)
    .bind(unit_id)
    .bind(limit.clamp(1, 100_000))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(PayableLine::try_from).collect()
}

/// Adds `delta` (negative to take back) to what a unit holds or paid on an economic code.
pub async fn add_usage(
    conn: &mut AnyConnection,
    unit_id: i64,
    year: i32,
    economic_code: &str,
    delta: Money,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO payment_usage (unit_id, fiscal_year, economic_code, amount) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (unit_id, fiscal_year, economic_code) DO UPDATE SET amount = payment_usage.amount + $4",
    )
    .bind(unit_id)
    .bind(i64::from(year))
    .bind(economic_code)
    .bind(delta.fen())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A payment request as stored.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: i64,
    pub jurisdiction_id: i64,
    /// Fiscal year of its line.
    pub fiscal_year: i32,
    pub department_id: i64,
    pub unit_id: i64,
    /// Project of its line.
    pub project_id: Option<i64>,
    /// The request as entered.
    pub draft: PaymentDraft,
    pub status: PaymentStatus,
    /// Strictest rule action hit, when the rules ran.
    pub outcome: Option<Action>,
    /// Why it was refused or blocked.
    pub refusal: Option<Refusal>,
    pub requested_by: String,
    pub requested_at: String,
    /// Who decided last.
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// With what reason.
    pub decision_reason: Option<String>,
    /// The plan month it drew on (ZX-4a), when plans control payments.
    pub plan_month: Option<u32>,
    /// Its QJ-4a priority subject.
    pub priority: Option<String>,
}

fn payee_kind(s: &str) -> Result<PayeeKind, StoreError> {
    PayeeKind::parse(s).ok_or_else(|| corrupt(format!("payee kind {s}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct PaymentRow {
    id: i64,
    jurisdiction_id: i64,
    fiscal_year: i64,
    department_id: i64,
    unit_id: i64,
    line_id: i64,
    project_id: Option<i64>,
    idempotency_key: String,
    payee_name: String,
    payee_account: String,
    payee_kind: String,
    amount: i64,
    economic_code: String,
    purpose: String,
    pay_date: String,
    contract_no: Option<String>,
    event_code: Option<String>,
    headcount: Option<i64>,
    days: Option<i64>,
    status: String,
    outcome: Option<String>,
    refusal_code: Option<String>,
    refusal_clause: Option<String>,
    refusal_message: Option<String>,
    requested_by: String,
    requested_at: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    decision_reason: Option<String>,
    plan_month: Option<i64>,
    priority: Option<String>,
}

macro_rules! payment_columns {
    () => {
        "SELECT id, jurisdiction_id, fiscal_year, department_id, unit_id, line_id, project_id, \
     idempotency_key, payee_name, payee_account, payee_kind, amount, economic_code, purpose, pay_date, contract_no, \
     event_code, headcount, days, status, outcome, refusal_code, refusal_clause, refusal_message, requested_by, \
     requested_at, decided_by, decided_at, decision_reason, plan_month, priority FROM payments "
    };
}

impl TryFrom<PaymentRow> for Payment {
    type Error = StoreError;
    fn try_from(r: PaymentRow) -> Result<Self, StoreError> {
        let small = |v: Option<i64>| v.map(|n| u32::try_from(n).map_err(corrupt)).transpose();
        Ok(Payment {
            id: r.id,
            jurisdiction_id: r.jurisdiction_id,
            fiscal_year: i32::try_from(r.fiscal_year).map_err(corrupt)?,
            department_id: r.department_id,
            unit_id: r.unit_id,
            project_id: r.project_id,
            draft: PaymentDraft {
                payee_name: r.payee_name,
                payee_account: r.payee_account,
                payee_kind: payee_kind(&r.payee_kind)?,
                amount: Money::from_fen(r.amount),
                economic_code: r.economic_code,
                line_id: r.line_id,
                purpose: r.purpose,
                date: r.pay_date.parse().map_err(corrupt)?,
                contract_no: r.contract_no,
                event_code: r.event_code,
                headcount: small(r.headcount)?,
                days: small(r.days)?,
                idempotency_key: r.idempotency_key,
            },
            status: PaymentStatus::parse(&r.status)
                .ok_or_else(|| corrupt(format!("status {}", r.status)))?,
            outcome: r
                .outcome
                .as_deref()
                .map(|o| Action::parse(o).ok_or_else(|| corrupt(format!("outcome {o}"))))
                .transpose()?,
            // A payment's refusal names no field: its verdict's never do.
            refusal: r.refusal_code.map(|c| {
                Refusal::stored(
                    &c,
                    r.refusal_clause.as_deref(),
                    r.refusal_message.unwrap_or_default(),
                    None,
                )
            }),
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            plan_month: small(r.plan_month)?,
            priority: r.priority,
        })
    }
}

pub async fn payment(conn: &mut AnyConnection, id: i64) -> Result<Option<Payment>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, PaymentRow>(concat!(payment_columns!(), "WHERE id = $1")).bind(id),
        Payment::try_from,
    )
    .await
}

/// The payment a key names in a jurisdiction.
pub async fn by_key(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    key: &str,
) -> Result<Option<Payment>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, PaymentRow>(concat!(
            payment_columns!(),
            "WHERE jurisdiction_id = $1 AND idempotency_key = $2"
        ))
        .bind(jurisdiction_id)
        .bind(key),
        Payment::try_from,
    )
    .await
}

/// Which payments to list.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    /// Only this unit's.
    pub unit_id: Option<i64>,
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only this state.
    pub status: Option<PaymentStatus>,
    /// Only payments on this line.
    pub line_id: Option<i64>,
    /// Only payments of this project.
    pub project_id: Option<i64>,
    /// Only payments dated this year.
    pub fiscal_year: Option<i32>,
    /// Finance's work queue: QJ-4a priority subjects first, then oldest first.
    pub queue: bool,
    /// Newest first, at most this many.
    pub limit: i64,
}

/// Payments newest first, or in queue order.
pub async fn list(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    f: &PaymentFilter,
) -> Result<Vec<Payment>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, PaymentRow>(concat!(
        payment_columns!(),
        "WHERE jurisdiction_id = $1 AND ($2 IS NULL OR unit_id = $2) AND ($3 IS NULL OR department_id = $3) \
         AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR line_id = $5) AND ($6 IS NULL OR project_id = $6) \
         AND ($7 IS NULL OR fiscal_year = $7) \
         ORDER BY CASE WHEN $9 = 1 AND priority IS NOT NULL THEN 0 ELSE 1 END, CASE WHEN $9 = 1 THEN id ELSE -id END \
         LIMIT $8"
    ))
        .bind(jurisdiction_id)
        .bind(f.unit_id)
        .bind(f.department_id)
        .bind(f.status.map(PaymentStatus::as_str))
        .bind(f.line_id)
        .bind(f.project_id)
        .bind(f.fiscal_year.map(i64::from))
        .bind(f.limit)
        .bind(i64::from(f.queue))
        ,
        Payment::try_from,
    )
    .await
}

/// A decision moving a payment's state or a hit's disposition from `from` to `to`: by whom
/// and why (see [`set_status`] and [`dispose`]).
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a, S> {
    /// The payment or hit.
    pub id: i64,
    /// The state it must still be in.
    pub from: S,
    /// The state it moves to.
    pub to: S,
    pub by: &'a str,
    /// Why (the payment's decision reason, the hit's disposition note).
    pub note: &'a str,
}

/// A state as its column stores it.
trait Stored: Copy {
    fn stored(self) -> &'static str;
}

impl Stored for PaymentStatus {
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

impl Stored for Disposition {
    fn stored(self) -> &'static str {
        self.as_str()
    }
}

/// Runs a decision's `update`: `$1` the new state, `$2` the note, `$3` the decider, `$4` the
/// time, `$5` the id, `$6` the state it must still be in. False when it is no longer in it
/// (somebody decided first).
async fn decide<S: Stored>(
    conn: &mut AnyConnection,
    update: &'static str,
    d: &Decision<'_, S>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(update)
        .bind(d.to.stored())
        .bind(d.note)
        .bind(d.by)
        .bind(now_text())
        .bind(d.id)
        .bind(d.from.stored())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a payment from `from` to `to` with the decider and reason; false when it is no longer
/// in `from` (somebody decided first).
pub async fn set_status(
    conn: &mut AnyConnection,
    d: &Decision<'_, PaymentStatus>,
) -> Result<bool, StoreError> {
    decide(
        conn,
        "UPDATE payments SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND status = $6",
        d,
    )
    .await
}

/// Moves a hit's disposition from `from` to `to`; false when somebody moved it first.
pub async fn dispose(
    conn: &mut AnyConnection,
    d: &Decision<'_, Disposition>,
) -> Result<bool, StoreError> {
    decide(
        conn,
        "UPDATE payment_hits SET disposition = $1, disposition_note = $2, disposed_by = $3, disposed_at = $4 \
         WHERE id = $5 AND disposition = $6",
        d,
    )
    .await
}

/// Past payments of a jurisdiction for a dry run, newest first.
pub async fn recent(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    limit: i64,
) -> Result<Vec<Payment>, StoreError> {
    list(
        conn,
        jurisdiction_id,
        &PaymentFilter {
            limit,
            ..PaymentFilter::default()
        },
    )
    .await
}
