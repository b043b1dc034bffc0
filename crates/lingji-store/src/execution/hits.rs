//! The rule hits recorded with payments (ZX-4b), their statistics per rule, and the payments the
//! checks stopped (止付), counted and split by cause.

use lingji_domain::Money;
use lingji_domain::execution::{Action, Disposition, Hit, PaymentStatus};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;

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
    let rows: Vec<Row> = crate::year_rows(
        conn,
        "SELECT h.class, h.rule_code, MIN(h.name), MIN(h.action), COUNT(*), CAST(SUM(p.amount) AS BIGINT), \
         CAST(SUM(CASE WHEN p.status IN ('blocked', 'released') THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.status IN ('blocked', 'released') THEN p.amount ELSE 0 END) AS BIGINT) \
         FROM payment_hits h JOIN payments p ON p.id = h.payment_id \
         WHERE h.jurisdiction_id = $1 AND p.fiscal_year = $2 GROUP BY h.class, h.rule_code ORDER BY h.rule_code",
        jurisdiction_id,
        year,
    )
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
