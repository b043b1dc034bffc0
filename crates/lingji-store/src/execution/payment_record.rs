//! What a checked payment request records, in one go: the money held on its line (ZB-7a) with
//! the ledger entry, the payment as its checks left it, the unit's running use by economic code
//! and the rules' hits (ZX-4b), and its audit event (`payment.request`) in the same
//! transaction, on its line's audit chain (requests on different lines never wait for one
//! head). On PostgreSQL the payment is one statement — one round trip where single statements
//! would take seven; on SQLite, a transaction (or a savepoint in the caller's).

use lingji_domain::Refusal;
use lingji_domain::execution::{Action, Hit, PaymentDraft, PaymentStatus};
use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::{Any, AnyConnection, Connection};

use crate::error::StoreError;
use crate::execution::ledger;
use crate::execution::payments::{PayableLine, add_usage};
use crate::foundation::audit::{self, AuditedPayment, NewEvent, PAYMENT_REQUEST_ACTION};
use crate::library::projects::corrupt;
use crate::time::now_text;

/// Where a new payment stands after its checks.
#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    /// The line it draws on (facts for the row).
    pub line: &'a PayableLine,
    pub draft: &'a PaymentDraft,
    /// State after the checks.
    pub status: PaymentStatus,
    pub outcome: Option<Action>,
    /// Why it was refused or blocked (its code, clause and message are stored).
    pub refusal: Option<&'a Refusal>,
    pub requested_by: &'a str,
    /// Their user id (for the audit event).
    pub requested_by_id: i64,
    /// The plan month it drew on (ZX-4a).
    pub plan_month: Option<u32>,
    /// Its QJ-4a priority subject.
    pub priority: Option<&'a str>,
}

/// A checked request to record.
#[derive(Debug, Clone)]
pub struct Recording<'a> {
    /// The payment as its checks left it, its money held.
    pub payment: NewPayment<'a>,
    /// Whether to hold its money on the line first (the checks let it through).
    pub hold: bool,
    /// The refusal recorded instead when the hold is tried and the line does not cover the
    /// payment (ZB-7a).
    pub uncovered: Option<&'a Refusal>,
    /// The rules it hit.
    pub hits: &'a [Hit],
}

/// What was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The payment's id.
    pub id: i64,
    pub requested_at: String,
    /// False when the hold was tried and the line did not cover it: the payment is refused
    /// with [`Recording::uncovered`] and without its plan month.
    pub covered: bool,
    /// The hits' ids, in the order given.
    pub hit_ids: Vec<i64>,
}

/// The columns of a new payment (`$1`–`$27`, bound by [`bind_payment`] in this order).
macro_rules! payment_columns {
    () => {
        "INSERT INTO payments (jurisdiction_id, fiscal_year, department_id, unit_id, line_id, project_id, \
         idempotency_key, payee_name, payee_account, payee_kind, amount, economic_code, purpose, pay_date, \
         contract_no, event_code, headcount, days, status, outcome, refusal_code, refusal_clause, \
         refusal_message, requested_by, requested_at, plan_month, priority) "
    };
}

/// Binds a new payment's `$1`–`$27` in the order of [`payment_columns`].
fn bind_payment<'q, O>(
    q: QueryAs<'q, Any, O, AnyArguments>,
    p: &NewPayment<'q>,
) -> QueryAs<'q, Any, O, AnyArguments> {
    let d = p.draft;
    q.bind(p.line.jurisdiction_id)
        .bind(i64::from(p.line.fiscal_year))
        .bind(p.line.department_id)
        .bind(p.line.unit_id)
        .bind(d.line_id)
        .bind(p.line.project_id)
        .bind(&d.idempotency_key)
        .bind(&d.payee_name)
        .bind(&d.payee_account)
        .bind(d.payee_kind.as_str())
        .bind(d.amount.fen())
        .bind(&d.economic_code)
        .bind(&d.purpose)
        .bind(d.date.to_string())
        .bind(d.contract_no.as_deref())
        .bind(d.event_code.as_deref())
        .bind(d.headcount.map(i64::from))
        .bind(d.days.map(i64::from))
        .bind(p.status.as_str())
        .bind(p.outcome.map(Action::as_str))
        .bind(p.refusal.map(|r| r.code))
        .bind(p.refusal.and_then(|r| r.clause))
        .bind(p.refusal.map(|r| r.message.as_str()))
        .bind(p.requested_by)
        .bind(now_text())
        .bind(p.plan_month.map(i64::from))
        .bind(p.priority)
}

/// Records a checked request (see the module); [`StoreError::Conflict`] when its idempotency
/// key is taken, and then nothing is recorded.
pub async fn record(conn: &mut AnyConnection, r: &Recording<'_>) -> Result<Recorded, StoreError> {
    let mut tx = conn.begin().await?;
    if crate::is_postgres(&tx) {
        let recorded = record_in_one_statement(&mut tx, r).await?;
        append_event(&mut tx, r, &recorded).await?;
        tx.commit().await?;
        return Ok(recorded);
    }
    let p = &r.payment;
    let covered = !r.hold
        || ledger::reserve(
            &mut tx,
            p.line.id,
            p.draft.amount,
            &p.draft.idempotency_key,
            p.requested_by,
        )
        .await?;
    let refused = NewPayment {
        status: PaymentStatus::Refused,
        refusal: r.uncovered,
        plan_month: None,
        ..p.clone()
    };
    let p = if covered { p } else { &refused };
    let (id, requested_at) = bind_payment(
        sqlx::query_as(concat!(
            payment_columns!(),
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) RETURNING id, requested_at"
        )),
        p,
    )
    .fetch_one(&mut *tx)
    .await?;
    if matches!(p.status, PaymentStatus::Held | PaymentStatus::Pending) {
        add_usage(
            &mut tx,
            p.line.unit_id,
            p.line.fiscal_year,
            &p.draft.economic_code,
            p.draft.amount,
        )
        .await?;
    }
    let hit_ids = insert_hits(&mut tx, id, p.line.jurisdiction_id, r.hits).await?;
    let recorded = Recorded {
        id,
        requested_at,
        covered,
        hit_ids,
    };
    append_event(&mut tx, r, &recorded).await?;
    tx.commit().await?;
    Ok(recorded)
}

/// The request's audit event: what `lingji audit verify` holds the stored payment to (its
/// line, amount, payee, code, key and the state its checks left it in).
async fn append_event(
    conn: &mut AnyConnection,
    r: &Recording<'_>,
    recorded: &Recorded,
) -> Result<(), StoreError> {
    let p = &r.payment;
    let status = if recorded.covered {
        p.status
    } else {
        PaymentStatus::Refused
    };
    let event = NewEvent {
        jurisdiction_id: p.line.jurisdiction_id,
        actor_id: p.requested_by_id,
        actor: p.requested_by,
        action: PAYMENT_REQUEST_ACTION,
        entity_type: "payment",
        entity_id: recorded.id.to_string(),
        ..NewEvent::default()
    }
    .after_json(&AuditedPayment {
        line_id: p.draft.line_id,
        amount: p.draft.amount.fen(),
        payee_name: p.draft.payee_name.clone(),
        payee_account: p.draft.payee_account.clone(),
        economic_code: p.draft.economic_code.clone(),
        idempotency_key: p.draft.idempotency_key.clone(),
        status: status.as_str().to_string(),
    });
    audit::append_to_line(conn, p.draft.line_id, event).await?;
    Ok(())
}

/// [`record`] on PostgreSQL: the hold and its entry, the payment (refused when the hold was
/// tried and failed), the running use and the hits as data-modifying `WITH` parts of one
/// statement. The hits go in as one JSON parameter; their ids come back as a JSON array by rule
/// code (a payment hits a rule once).
async fn record_in_one_statement(
    conn: &mut AnyConnection,
    r: &Recording<'_>,
) -> Result<Recorded, StoreError> {
    let hits = serde_json::Value::Array(
        r.hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "rule_code": h.code, "class": h.class, "name": h.name,
                    "action": h.action.as_str(), "clause": h.clause, "message": h.message,
                })
            })
            .collect(),
    );
    let q = sqlx::query_as(concat!(
        "WITH hold AS (UPDATE budget_lines SET reserved = reserved + $11 \
         WHERE id = $5 AND $28 AND $11 > 0 AND approved + adjusted - reserved - spent - closed >= $11 \
         RETURNING id), \
         entry AS (INSERT INTO ledger_entries (line_id, kind, amount, reference, actor, at) \
         SELECT id, 'reserve', $11, $7, $24, $25 FROM hold), \
         short AS (SELECT $28 AND NOT EXISTS (SELECT 1 FROM hold) AS yes), \
         pay AS (",
        payment_columns!(),
        "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         CASE WHEN short.yes THEN 'refused' ELSE $19 END, $20, \
         CASE WHEN short.yes THEN $29 ELSE $21 END, CASE WHEN short.yes THEN $30 ELSE $22 END, \
         CASE WHEN short.yes THEN $31 ELSE $23 END, $24, $25, \
         CASE WHEN short.yes THEN NULL ELSE $26 END, $27 FROM short \
         RETURNING id, requested_at, status), \
         used AS (INSERT INTO payment_usage (unit_id, fiscal_year, economic_code, amount) \
         SELECT $4, $2, $12, $11 FROM pay WHERE pay.status IN ('held', 'pending') \
         ON CONFLICT (unit_id, fiscal_year, economic_code) \
         DO UPDATE SET amount = payment_usage.amount + EXCLUDED.amount), \
         hit AS (INSERT INTO payment_hits (payment_id, jurisdiction_id, rule_code, class, name, action, clause, message) \
         SELECT pay.id, $1, h.rule_code, h.class, h.name, h.action, h.clause, h.message \
         FROM pay CROSS JOIN json_to_recordset(CAST($32 AS json)) \
         AS h(rule_code TEXT, class TEXT, name TEXT, action TEXT, clause TEXT, message TEXT) \
         RETURNING id, rule_code) \
         SELECT pay.id, pay.requested_at, (SELECT NOT yes FROM short), \
         (SELECT CAST(json_agg(json_build_object('rule_code', hit.rule_code, 'id', hit.id)) AS TEXT) \
         FROM hit) FROM pay"
    ));
    let (id, requested_at, covered, ids): (i64, String, bool, Option<String>) =
        bind_payment(q, &r.payment)
            .bind(r.hold)
            .bind(r.uncovered.map(|u| u.code))
            .bind(r.uncovered.and_then(|u| u.clause))
            .bind(r.uncovered.map(|u| u.message.as_str()))
            .bind(hits.to_string())
            .fetch_one(&mut *conn)
            .await?;
    let ids: Vec<HitId> = ids
        .as_deref()
        .map(|j| serde_json::from_str(j).map_err(corrupt))
        .transpose()?
        .unwrap_or_default();
    let hit_ids = r
        .hits
        .iter()
        .map(|h| {
            ids.iter()
                .find(|i| i.rule_code == h.code)
                .map(|i| i.id)
                .ok_or_else(|| corrupt(format!("no id for hit {}", h.code)))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Recorded {
        id,
        requested_at,
        covered,
        hit_ids,
    })
}

/// A hit's id by its rule's code, as the one statement returns them.
#[derive(Debug, serde::Deserialize)]
struct HitId {
    rule_code: String,
    id: i64,
}

/// Records the rules a payment hit; their ids in order.
async fn insert_hits(
    conn: &mut AnyConnection,
    payment_id: i64,
    jurisdiction_id: i64,
    hits: &[Hit],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(hits.len());
    for h in hits {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO payment_hits (payment_id, jurisdiction_id, rule_code, class, name, action, clause, message) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(payment_id)
        .bind(jurisdiction_id)
        .bind(&h.code)
        .bind(&h.class)
        .bind(&h.name)
        .bind(h.action.as_str())
        .bind(h.clause.as_deref())
        .bind(&h.message)
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}
