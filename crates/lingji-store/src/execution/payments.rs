//! Payment requests, the monitoring rules that screen them and their hits (ZX-4b), and the
//! projects whose payments are suspended (PM-9), on both backends.

use chrono::NaiveDate;
use lingji_domain::execution::{
    Action, Balance, Disposition, Hit, MonitoringRule, PayeeKind, PaymentDraft, PaymentStatus,
};
use lingji_domain::{Money, Refusal};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
pub use crate::execution::payment_record::{NewPayment, Recorded, Recording, record};
pub use crate::execution::request_context::{RequestContext, UnitUsage, line_in_context};
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A rule as stored, with its version for optimistic edits.
#[derive(Debug, Clone)]
pub struct StoredRule {
    pub id: i64,
    /// Version, bumped by every edit.
    pub version: i64,
    pub rule: MonitoringRule,
    /// Who changed it last.
    pub updated_by: String,
    pub updated_at: String,
}

type RuleRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
);

fn date(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.map(|d| d.parse().map_err(corrupt)).transpose()
}

fn rule_of(r: RuleRow) -> Result<StoredRule, StoreError> {
    let (id, version, code, class, name, expression, action, clause, message, from, to, on, by, at) =
        r;
    Ok(StoredRule {
        id,
        version,
        rule: MonitoringRule {
            action: Action::parse(&action).ok_or_else(|| corrupt(format!("action {action}")))?,
            code,
            class,
            name,
            expression,
            clause,
            message,
            effective_from: date(from)?,
            effective_to: date(to)?,
            enabled: on != 0,
        },
        updated_by: by,
        updated_at: at,
    })
}

macro_rules! rule_columns {
    () => {
        "SELECT id, version, code, class, name, expression, action, clause, message, effective_from, \
         effective_to, enabled, updated_by, updated_at FROM monitoring_rules "
    };
}

/// A jurisdiction's rules by code.
pub async fn rules(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<Vec<StoredRule>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, RuleRow>(concat!(
            rule_columns!(),
            "WHERE jurisdiction_id = $1 ORDER BY code"
        ))
        .bind(jurisdiction_id),
        rule_of,
    )
    .await
}

/// The version of a jurisdiction's rule catalogue: it changes with every rule added or edited
/// (0 before the first).
pub async fn rules_stamp(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<i64, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT version FROM rule_catalogues WHERE jurisdiction_id = $1")
            .bind(jurisdiction_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map_or(0, |(v,)| v))
}

/// Moves the jurisdiction's catalogue version on (a rule was added or edited).
async fn bump_catalogue(conn: &mut AnyConnection, jurisdiction_id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO rule_catalogues (jurisdiction_id, version) VALUES ($1, 1) \
         ON CONFLICT (jurisdiction_id) DO UPDATE SET version = rule_catalogues.version + 1",
    )
    .bind(jurisdiction_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One rule by code.
pub async fn rule(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    code: &str,
) -> Result<Option<StoredRule>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, RuleRow>(concat!(
            rule_columns!(),
            "WHERE jurisdiction_id = $1 AND code = $2"
        ))
        .bind(jurisdiction_id)
        .bind(code),
        rule_of,
    )
    .await
}

/// A jurisdiction's rule as someone writes it (see [`add_rule`] and [`update_rule`]).
#[derive(Debug, Clone, Copy)]
pub struct RuleWrite<'a> {
    pub jurisdiction_id: i64,
    pub rule: &'a MonitoringRule,
    /// Who writes it.
    pub actor: &'a str,
}

/// Adds a rule (a code already there is left alone; true when added), moving the catalogue's
/// version on.
pub async fn add_rule(conn: &mut AnyConnection, w: &RuleWrite<'_>) -> Result<bool, StoreError> {
    let RuleWrite {
        jurisdiction_id,
        rule: r,
        actor,
    } = *w;
    let done = sqlx::query(
        "INSERT INTO monitoring_rules (jurisdiction_id, code, class, name, expression, action, clause, message, \
         effective_from, effective_to, enabled, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (jurisdiction_id, code) DO NOTHING",
    )
    .bind(jurisdiction_id)
    .bind(&r.code)
    .bind(&r.class)
    .bind(&r.name)
    .bind(&r.expression)
    .bind(r.action.as_str())
    .bind(r.clause.as_deref())
    .bind(&r.message)
    .bind(r.effective_from.map(|d| d.to_string()))
    .bind(r.effective_to.map(|d| d.to_string()))
    .bind(i64::from(r.enabled))
    .bind(actor)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    let added = done.rows_affected() == 1;
    if added {
        bump_catalogue(conn, jurisdiction_id).await?;
    }
    Ok(added)
}

/// Changes a rule if it is still at `version` (else [`StoreError::Stale`]), moving the
/// catalogue's version on.
pub async fn update_rule(
    conn: &mut AnyConnection,
    w: &RuleWrite<'_>,
    version: i64,
) -> Result<(), StoreError> {
    let RuleWrite {
        jurisdiction_id,
        rule: r,
        actor,
    } = *w;
    let done = sqlx::query(
        "UPDATE monitoring_rules SET class = $1, name = $2, expression = $3, action = $4, clause = $5, \
         message = $6, effective_from = $7, effective_to = $8, enabled = $9, updated_by = $10, updated_at = $11, \
         version = version + 1 WHERE jurisdiction_id = $12 AND code = $13 AND version = $14",
    )
    .bind(&r.class)
    .bind(&r.name)
    .bind(&r.expression)
    .bind(r.action.as_str())
    .bind(r.clause.as_deref())
    .bind(&r.message)
    .bind(r.effective_from.map(|d| d.to_string()))
    .bind(r.effective_to.map(|d| d.to_string()))
    .bind(i64::from(r.enabled))
    .bind(actor)
    .bind(now_text())
    .bind(jurisdiction_id)
    .bind(&r.code)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    crate::error::one_row(&done)?;
    bump_catalogue(conn, jurisdiction_id).await
}

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
struct PaymentRow {
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

/// A stored hit with its disposition and its payment's amount and state.
#[derive(Debug, Clone)]
pub struct StoredHit {
    pub id: i64,
    pub payment_id: i64,
    /// The paying unit.
    pub unit_id: i64,
    /// The payment's amount.
    pub amount: Money,
    /// The payment's state.
    pub payment_status: PaymentStatus,
    pub hit: Hit,
    pub disposition: Disposition,
    /// Note of the last disposition.
    pub note: Option<String>,
    pub disposed_by: Option<String>,
    pub disposed_at: Option<String>,
}

type HitRow = (
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn hit_of(r: HitRow) -> Result<StoredHit, StoreError> {
    Ok(StoredHit {
        id: r.0,
        payment_id: r.1,
        unit_id: r.2,
        amount: Money::from_fen(r.3),
        payment_status: PaymentStatus::parse(&r.4)
            .ok_or_else(|| corrupt(format!("status {}", r.4)))?,
        hit: Hit {
            code: r.5,
            class: r.6,
            name: r.7,
            action: Action::parse(&r.8).ok_or_else(|| corrupt(format!("action {}", r.8)))?,
            clause: r.9,
            message: r.10,
        },
        disposition: Disposition::parse(&r.11)
            .ok_or_else(|| corrupt(format!("disposition {}", r.11)))?,
        note: r.12,
        disposed_by: r.13,
        disposed_at: r.14,
    })
}

macro_rules! hit_select {
    () => {
        "SELECT h.id, h.payment_id, p.unit_id, p.amount, p.status, h.rule_code, h.class, h.name, h.action, \
     h.clause, h.message, h.disposition, h.disposition_note, h.disposed_by, h.disposed_at \
     FROM payment_hits h JOIN payments p ON p.id = h.payment_id "
    };
}

/// A payment's hits.
pub async fn hits_of(
    conn: &mut AnyConnection,
    payment_id: i64,
) -> Result<Vec<StoredHit>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, HitRow>(concat!(
            hit_select!(),
            "WHERE h.payment_id = $1 ORDER BY h.id"
        ))
        .bind(payment_id),
        hit_of,
    )
    .await
}

/// One hit of a jurisdiction.
pub async fn hit(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    id: i64,
) -> Result<Option<StoredHit>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, HitRow>(concat!(
            hit_select!(),
            "WHERE h.id = $1 AND h.jurisdiction_id = $2"
        ))
        .bind(id)
        .bind(jurisdiction_id),
        hit_of,
    )
    .await
}

/// A jurisdiction's hits of a year, newest first, optionally of one disposition.
pub async fn hits(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    disposition: Option<Disposition>,
    limit: i64,
) -> Result<Vec<StoredHit>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, HitRow>(concat!(
        hit_select!(),
        "WHERE h.jurisdiction_id = $1 AND p.fiscal_year = $2 AND ($3 IS NULL OR h.disposition = $3) \
         ORDER BY h.id DESC LIMIT $4"
    ))
        .bind(jurisdiction_id)
        .bind(i64::from(year))
        .bind(disposition.map(Disposition::as_str))
        .bind(limit)
        ,
        hit_of,
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

/// Hits of one rule in a year: how many, on how much, and of those the payments stopped.
#[derive(Debug, Clone)]
pub struct RuleStat {
    pub class: String,
    pub code: String,
    pub name: String,
    pub action: Action,
    pub hits: i64,
    /// Sum of the hit payments.
    pub amount: Money,
    /// Hits on payments that were stopped (blocked, or released after a warning).
    pub stopped: i64,
    pub stopped_amount: Money,
}

/// Hit statistics per rule for a year.
pub async fn rule_stats(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<RuleStat>, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
        i64,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT h.class, h.rule_code, MIN(h.name), MIN(h.action), COUNT(*), CAST(SUM(p.amount) AS BIGINT), \
         CAST(SUM(CASE WHEN p.status IN ('blocked', 'released') THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.status IN ('blocked', 'released') THEN p.amount ELSE 0 END) AS BIGINT) \
         FROM payment_hits h JOIN payments p ON p.id = h.payment_id \
         WHERE h.jurisdiction_id = $1 AND p.fiscal_year = $2 GROUP BY h.class, h.rule_code ORDER BY h.rule_code",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(RuleStat {
                class: r.0,
                code: r.1,
                name: r.2,
                action: Action::parse(&r.3).ok_or_else(|| corrupt(format!("action {}", r.3)))?,
                hits: r.4,
                amount: Money::from_fen(r.5.unwrap_or(0)),
                stopped: r.6,
                stopped_amount: Money::from_fen(r.7.unwrap_or(0)),
            })
        })
        .collect()
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

/// A suspension of a project's payments (PM-9).
#[derive(Debug, Clone)]
pub struct Suspension {
    pub id: i64,
    pub project_id: i64,
    pub reason: String,
    pub suspended_by: String,
    pub suspended_at: String,
}

/// The project's suspension in force, if any.
pub async fn suspension(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Option<Suspension>, StoreError> {
    let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT id, project_id, reason, suspended_by, suspended_at FROM payment_suspensions \
         WHERE project_id = $1 AND lifted_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(project_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Suspension {
        id: r.0,
        project_id: r.1,
        reason: r.2,
        suspended_by: r.3,
        suspended_at: r.4,
    }))
}

/// Suspends a project's payments.
pub async fn suspend(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    project_id: i64,
    reason: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO payment_suspensions (jurisdiction_id, project_id, reason, suspended_by, suspended_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(project_id)
    .bind(reason)
    .bind(actor)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Lifts the project's suspension in force; false when there is none.
pub async fn lift(
    conn: &mut AnyConnection,
    project_id: i64,
    reason: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE payment_suspensions SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE project_id = $4 AND lifted_at IS NULL",
    )
    .bind(actor)
    .bind(now_text())
    .bind(reason)
    .bind(project_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Payments of a year stopped by the checks, counted and summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stopped {
    pub payments: i64,
    pub amount: Money,
}

/// Payments of a year stopped by the checks: blocked, or released after a rule hit (止付).
pub async fn stopped_payments(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Stopped, StoreError> {
    let (n, sum): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(amount) AS BIGINT) FROM payments p WHERE jurisdiction_id = $1 AND fiscal_year = $2 \
         AND (status = 'blocked' OR (status = 'released' AND EXISTS (SELECT 1 FROM payment_hits h WHERE h.payment_id = p.id)))",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Stopped {
        payments: n,
        amount: Money::from_fen(sum.unwrap_or(0)),
    })
}

/// The payments of a year that [`stopped_payments`] counts, split by what stopped them: a
/// monitoring rule (blocked by a 拦截 rule's hit, or released by finance after a hit, ZX-4b) or
/// another check of the request (a PM-9 suspension, ZB-12 …, blocked with no
/// 拦截 hit). The two parts add up to `stopped_payments`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoppedByCause {
    /// Blocked by a 拦截 rule.
    pub rule_blocked: (i64, Money),
    /// Released by finance after a rule hit.
    pub released_after_hit: (i64, Money),
    /// Blocked by another check, without a 拦截 rule hit.
    pub other_blocked: (i64, Money),
}

/// Stopped payments of a year by cause (see [`StoppedByCause`]).
pub async fn stopped_by_cause(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<StoppedByCause, StoreError> {
    // SUM over no rows is NULL on both backends, counts included.
    type Row = (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let r: Row = sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN cause = 1 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN cause = 1 THEN amount ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN cause = 2 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN cause = 2 THEN amount ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN cause = 3 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN cause = 3 THEN amount ELSE 0 END) AS BIGINT) \
         FROM (SELECT p.amount, CASE \
           WHEN p.status = 'blocked' AND EXISTS (SELECT 1 FROM payment_hits h WHERE h.payment_id = p.id AND h.action = 'block') THEN 1 \
           WHEN p.status = 'blocked' THEN 3 \
           WHEN p.status = 'released' AND EXISTS (SELECT 1 FROM payment_hits h WHERE h.payment_id = p.id) THEN 2 \
           ELSE 0 END AS cause \
           FROM payments p WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.status IN ('blocked', 'released')) s",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_one(&mut *conn)
    .await?;
    let m = |v: Option<i64>| Money::from_fen(v.unwrap_or(0));
    let n = |v: Option<i64>| v.unwrap_or(0);
    Ok(StoppedByCause {
        rule_blocked: (n(r.0), m(r.1)),
        released_after_hit: (n(r.2), m(r.3)),
        other_blocked: (n(r.4), m(r.5)),
    })
}
