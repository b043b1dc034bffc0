//! Monthly spending plans (ZX-4a), their reviews and the plan balance of each line and month
//! that payments draw on, on both backends.

use lingji_domain::Money;
use lingji_domain::execution::{PlanClaim, PlanStatus, PlanTier};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A plan to record.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    pub jurisdiction_id: i64,
    /// Fiscal year of the line.
    pub fiscal_year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Department of the unit.
    pub department_id: i64,
    pub unit_id: i64,
    pub line_id: i64,
    pub tier: PlanTier,
    /// QJ-4a priority subject.
    pub priority: Option<&'a str>,
    pub amount: Money,
    /// What the money is for.
    pub purpose: &'a str,
    /// Who filed it.
    pub filed_by: &'a str,
}

/// Records a filed plan; its id.
pub async fn insert(conn: &mut AnyConnection, p: &NewPlan<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO spending_plans (jurisdiction_id, fiscal_year, month, department_id, unit_id, line_id, tier, \
         priority, amount, status, purpose, filed_by, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'filed', $10, $11, $12) RETURNING id",
    )
    .bind(p.jurisdiction_id)
    .bind(i64::from(p.fiscal_year))
    .bind(i64::from(p.month))
    .bind(p.department_id)
    .bind(p.unit_id)
    .bind(p.line_id)
    .bind(p.tier.as_str())
    .bind(p.priority)
    .bind(p.amount.fen())
    .bind(p.purpose)
    .bind(p.filed_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// What a line has planned and not yet paid: filed plans not yet reviewed, and approved plan
/// balances not yet drawn.
pub async fn open_planned(conn: &mut AnyConnection, line_id: i64) -> Result<Money, StoreError> {
    let (filed, undrawn): (i64, i64) = sqlx::query_as(
        "SELECT \
         CAST(COALESCE((SELECT SUM(amount) FROM spending_plans WHERE line_id = $1 AND status = 'filed'), 0) AS BIGINT), \
         CAST(COALESCE((SELECT SUM(approved - used) FROM plan_balances WHERE line_id = $1), 0) AS BIGINT)",
    )
    .bind(line_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Money::from_fen(filed + undrawn))
}

/// Which plans to list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub fiscal_year: i32,
    /// Only this month.
    pub month: Option<u32>,
    /// Only this unit's.
    pub unit_id: Option<i64>,
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only this state.
    pub status: Option<PlanStatus>,
}

/// A plan as listed, with its line, unit and the plan balance of its line and month.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: i64,
    pub month: u32,
    pub unit_id: i64,
    pub unit_name: String,
    pub department_id: i64,
    pub line_id: i64,
    pub line_name: String,
    /// Economic code of the line.
    pub economic_code: String,
    pub tier: PlanTier,
    /// QJ-4a priority subject.
    pub priority: Option<String>,
    pub amount: Money,
    /// Approved by the review.
    pub approved: Money,
    pub status: PlanStatus,
    pub purpose: String,
    pub filed_by: String,
    pub filed_at: String,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: i64,
    month: i64,
    unit_id: i64,
    unit_name: String,
    department_id: i64,
    line_id: i64,
    line_name: String,
    economic_code: String,
    tier: String,
    priority: Option<String>,
    amount: i64,
    approved: i64,
    status: String,
    purpose: String,
    filed_by: String,
    filed_at: String,
}

impl TryFrom<PlanRow> for Plan {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> Result<Self, StoreError> {
        Ok(Plan {
            id: r.id,
            month: u32::try_from(r.month).map_err(corrupt)?,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            department_id: r.department_id,
            line_id: r.line_id,
            line_name: r.line_name,
            economic_code: r.economic_code,
            tier: PlanTier::parse(&r.tier).ok_or_else(|| corrupt(format!("tier {}", r.tier)))?,
            priority: r.priority,
            amount: Money::from_fen(r.amount),
            approved: Money::from_fen(r.approved),
            status: PlanStatus::parse(&r.status)
                .ok_or_else(|| corrupt(format!("plan status {}", r.status)))?,
            purpose: r.purpose,
            filed_by: r.filed_by,
            filed_at: r.filed_at,
        })
    }
}

/// Plans of a year, by month then filing.
pub async fn list(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    f: &PlanFilter,
) -> Result<Vec<Plan>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, PlanRow>(
        "SELECT s.id, s.month, s.unit_id, o.name AS unit_name, s.department_id, s.line_id, l.name AS line_name, \
         l.economic_code, s.tier, s.priority, s.amount, s.approved, s.status, s.purpose, s.filed_by, s.filed_at \
         FROM spending_plans s JOIN budget_lines l ON l.id = s.line_id \
         JOIN organisations o ON o.id = s.unit_id \
         WHERE s.jurisdiction_id = $1 AND s.fiscal_year = $2 AND ($3 IS NULL OR s.month = $3) \
         AND ($4 IS NULL OR s.unit_id = $4) AND ($5 IS NULL OR s.department_id = $5) \
         AND ($6 IS NULL OR s.status = $6) ORDER BY s.month, s.id LIMIT 5000",
    )
        .bind(jurisdiction_id)
        .bind(i64::from(f.fiscal_year))
        .bind(f.month.map(i64::from))
        .bind(f.unit_id)
        .bind(f.department_id)
        .bind(f.status.map(PlanStatus::as_str))
        ,
        Plan::try_from,
    )
    .await
}

/// The month's filed plans as the review sees them, in filing order.
pub async fn filed_claims(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
    month: u32,
) -> Result<Vec<PlanClaim>, StoreError> {
    let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, tier, priority, amount FROM spending_plans \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND month = $3 AND status = 'filed' ORDER BY id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .bind(i64::from(month))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, tier, priority, amount)| {
            Ok(PlanClaim {
                id,
                tier: PlanTier::parse(&tier).ok_or_else(|| corrupt(format!("tier {tier}")))?,
                priority: priority.is_some(),
                amount: Money::from_fen(amount),
            })
        })
        .collect()
}

/// A review as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub month: i64,
    /// Cash limit in fen.
    pub cash_limit: i64,
    /// Approved in fen.
    pub approved_total: i64,
    pub plans: i64,
    pub reviewed_by: String,
    pub reviewed_at: String,
}

/// A month's plan review to record (see [`insert_review`]).
#[derive(Debug, Clone, Copy)]
pub struct NewReview<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub month: u32,
    /// The month's cash limit.
    pub cash_limit: Money,
    /// Approved in all.
    pub approved: Money,
    pub plans: usize,
    pub by: &'a str,
}

/// Records a month's review; its id.
pub async fn insert_review(conn: &mut AnyConnection, r: &NewReview<'_>) -> Result<i64, StoreError> {
    let NewReview {
        jurisdiction_id,
        fiscal_year,
        month,
        cash_limit,
        approved,
        plans,
        by,
    } = *r;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO plan_reviews (jurisdiction_id, fiscal_year, month, cash_limit, approved_total, plans, \
         reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .bind(i64::from(month))
    .bind(cash_limit.fen())
    .bind(approved.fen())
    .bind(i64::try_from(plans).map_err(corrupt)?)
    .bind(by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// A year's reviews, newest first.
pub async fn reviews(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<Vec<ReviewRow>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT id, month, cash_limit, approved_total, plans, reviewed_by, reviewed_at FROM plan_reviews \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY id DESC",
        jurisdiction_id,
        fiscal_year,
    )
    .await
}

/// Decides one filed plan; false when it is no longer filed (someone reviewed it first).
pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    approved: Money,
    status: PlanStatus,
    review_id: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE spending_plans SET approved = $1, status = $2, review_id = $3 WHERE id = $4 AND status = 'filed'",
    )
    .bind(approved.fen())
    .bind(status.as_str())
    .bind(review_id)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Adds an approved amount to the plan balance of the plan's line and month.
pub async fn add_balance(
    conn: &mut AnyConnection,
    plan_id: i64,
    amount: Money,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO plan_balances (line_id, month, approved, used) \
         SELECT line_id, month, $1, 0 FROM spending_plans WHERE id = $2 \
         ON CONFLICT (line_id, month) DO UPDATE SET approved = plan_balances.approved + excluded.approved",
    )
    .bind(amount.fen())
    .bind(plan_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The plan balance of a line and month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanBalance {
    /// Approved for the month.
    pub approved: Money,
    /// Drawn by payments.
    pub used: Money,
}

/// The plan balance of a line and month: approved and drawn.
pub async fn balance(
    conn: &mut AnyConnection,
    line_id: i64,
    month: u32,
) -> Result<PlanBalance, StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT approved, used FROM plan_balances WHERE line_id = $1 AND month = $2",
    )
    .bind(line_id)
    .bind(i64::from(month))
    .fetch_optional(&mut *conn)
    .await?;
    let (approved, used) = row.unwrap_or((0, 0));
    Ok(PlanBalance {
        approved: Money::from_fen(approved),
        used: Money::from_fen(used),
    })
}

/// Runs a conditional UPDATE of the plan balance of a line and month (`$1` the amount, `$2` the
/// line, `$3` the month); whether it moved the balance.
async fn move_balance(
    conn: &mut AnyConnection,
    sql: &'static str,
    (line_id, month): (i64, u32),
    amount: Money,
) -> Result<bool, StoreError> {
    let done = sqlx::query(sql)
        .bind(amount.fen())
        .bind(line_id)
        .bind(i64::from(month))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// Draws a payment on the plan balance of its line and month with one conditional UPDATE, so
/// concurrent payments never draw more than the plan (ZX-4a); false when the plan cannot cover it.
pub async fn draw(
    conn: &mut AnyConnection,
    line_id: i64,
    month: u32,
    amount: Money,
) -> Result<bool, StoreError> {
    move_balance(
        conn,
        "UPDATE plan_balances SET used = used + $1 \
         WHERE line_id = $2 AND month = $3 AND $1 > 0 AND approved - used >= $1",
        (line_id, month),
        amount,
    )
    .await
}

/// Gives a released payment's amount back to its plan.
pub async fn give_back(
    conn: &mut AnyConnection,
    line_id: i64,
    month: u32,
    amount: Money,
) -> Result<bool, StoreError> {
    move_balance(
        conn,
        "UPDATE plan_balances SET used = used - $1 WHERE line_id = $2 AND month = $3 AND used >= $1",
        (line_id, month),
        amount,
    )
    .await
}

/// Takes the line's row lock for the rest of the transaction, so that filings on one line are
/// checked one after the other.
pub async fn lock_line(conn: &mut AnyConnection, line_id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE budget_lines SET reserved = reserved WHERE id = $1")
        .bind(line_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
