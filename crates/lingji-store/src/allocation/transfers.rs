//! Transfers between levels (migration 0022): the comprehensive performance scores an upper
//! records for the jurisdictions below it, its transfer funds, and the receipts an approved fund
//! leaves in each lower jurisdiction.

use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// A lower jurisdiction's comprehensive fiscal performance score of a year (PM-10).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScoreRow {
    pub id: i64,
    pub upper_id: i64,
    pub lower_id: i64,
    pub fiscal_year: i64,
    /// Hundredths of a point.
    pub score: i64,
    pub grade: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

macro_rules! score_columns {
    () => {
        "id, upper_id, lower_id, fiscal_year, score, grade, recorded_by, recorded_at"
    };
}

/// The scores `upper` recorded for a year.
pub async fn scores(
    conn: &mut AnyConnection,
    upper: i64,
    year: i32,
) -> Result<Vec<ScoreRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        score_columns!(),
        " FROM lower_performance WHERE upper_id = $1 AND fiscal_year = $2 ORDER BY lower_id"
    ))
    .bind(upper)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?)
}

/// Records (or replaces) the score of `lower` for a year; answers the row it replaced.
pub async fn put_score(
    conn: &mut AnyConnection,
    upper: i64,
    lower: i64,
    year: i32,
    score: i64,
    grade: &str,
    actor: &str,
) -> Result<Option<ScoreRow>, StoreError> {
    let before: Option<ScoreRow> = sqlx::query_as(concat!(
        "SELECT ",
        score_columns!(),
        " FROM lower_performance WHERE lower_id = $1 AND fiscal_year = $2"
    ))
    .bind(lower)
    .bind(i64::from(year))
    .fetch_optional(&mut *conn)
    .await?;
    if before.is_some() {
        sqlx::query(
            "UPDATE lower_performance SET upper_id = $1, score = $2, grade = $3, recorded_by = $4, recorded_at = $5
             WHERE lower_id = $6 AND fiscal_year = $7",
        )
        .bind(upper)
        .bind(score)
        .bind(grade)
        .bind(actor)
        .bind(now_text())
        .bind(lower)
        .bind(i64::from(year))
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO lower_performance (upper_id, lower_id, fiscal_year, score, grade, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(upper)
        .bind(lower)
        .bind(i64::from(year))
        .bind(score)
        .bind(grade)
        .bind(actor)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    }
    Ok(before)
}

/// A transfer fund of an upper jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FundRow {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i64,
    pub serial: i64,
    pub document: String,
    pub name: String,
    pub total: i64,
    pub fund_book: String,
    pub economic_code: String,
    /// The factors (JSON).
    pub factors: String,
    /// Each lower's factor values and cost share (JSON).
    pub lowers: String,
    /// `draft` or `approved`.
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

macro_rules! fund_columns {
    () => {
        "id, jurisdiction_id, fiscal_year, serial, document, name, total, fund_book, \
         economic_code, factors, lowers, status, created_by, created_at, approved_by, approved_at"
    };
}

/// A fund to save.
#[derive(Debug, Clone)]
pub struct NewFund<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// The 文号字头; the document is `prefix〔year〕serial号` with the year's next serial.
    pub prefix: &'a str,
    pub name: &'a str,
    pub total: i64,
    pub fund_book: &'a str,
    pub economic_code: &'a str,
    pub factors: String,
    pub lowers: String,
    pub actor: &'a str,
}

/// Saves a fund under the jurisdiction's next serial of the year, its document number made by
/// `document` from the serial. Call inside a transaction: a concurrent save fails on the unique
/// serial or document.
pub async fn insert_fund(
    conn: &mut AnyConnection,
    fund: &NewFund<'_>,
    document: impl Fn(i64) -> String,
) -> Result<FundRow, StoreError> {
    let (next,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(serial), 0) + 1 FROM transfer_funds WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(fund.jurisdiction_id)
    .bind(i64::from(fund.fiscal_year))
    .fetch_one(&mut *conn)
    .await?;
    Ok(sqlx::query_as(concat!("INSERT INTO transfer_funds (jurisdiction_id, fiscal_year, serial, document, name, total, fund_book, \
         economic_code, factors, lowers, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12) RETURNING ", fund_columns!()))
    .bind(fund.jurisdiction_id)
    .bind(i64::from(fund.fiscal_year))
    .bind(next)
    .bind(document(next))
    .bind(fund.name)
    .bind(fund.total)
    .bind(fund.fund_book)
    .bind(fund.economic_code)
    .bind(&fund.factors)
    .bind(&fund.lowers)
    .bind(fund.actor)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// The funds of a jurisdiction's year, newest first.
pub async fn funds(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<FundRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        fund_columns!(),
        " FROM transfer_funds WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY serial DESC"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?)
}

/// One fund.
pub async fn fund(conn: &mut AnyConnection, id: i64) -> Result<Option<FundRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        fund_columns!(),
        " FROM transfer_funds WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Marks a draft fund approved; false when it was no longer a draft (approved concurrently).
pub async fn mark_approved(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE transfer_funds SET status = 'approved', approved_by = $1, approved_at = $2
         WHERE id = $3 AND status = 'draft'",
    )
    .bind(actor)
    .bind(now_text())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a lower jurisdiction received from an approved fund, with what its finance has broken
/// down into upper-transfer lines under the same document so far.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReceiptRow {
    pub id: i64,
    pub fund_id: i64,
    pub jurisdiction_id: i64,
    pub upper_id: i64,
    pub fiscal_year: i64,
    pub document: String,
    pub name: String,
    pub amount: i64,
    pub cost_share: i64,
    pub counterpart: i64,
    pub fund_book: String,
    pub economic_code: String,
    pub created_at: String,
    /// The sum of the jurisdiction's upper-transfer lines under the document.
    pub distributed: i64,
}

macro_rules! receipt_select {
    () => {
        "SELECT r.id, r.fund_id, r.jurisdiction_id, r.upper_id, r.fiscal_year, r.document, \
     r.name, r.amount, r.cost_share, r.counterpart, r.fund_book, r.economic_code, r.created_at, \
     CAST(COALESCE((SELECT SUM(b.approved) FROM budget_lines b WHERE b.jurisdiction_id = r.jurisdiction_id \
       AND b.source = 'transfer' AND b.source_document = r.document), 0) AS BIGINT) AS distributed \
     FROM transfer_receipts r"
    };
}

/// A receipt to save.
#[derive(Debug, Clone)]
pub struct NewReceipt<'a> {
    pub fund: &'a FundRow,
    /// The lower jurisdiction.
    pub jurisdiction_id: i64,
    pub amount: i64,
    pub cost_share: i64,
    pub counterpart: i64,
}

/// Saves a receipt; answers its id.
pub async fn insert_receipt(
    conn: &mut AnyConnection,
    r: &NewReceipt<'_>,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO transfer_receipts (fund_id, jurisdiction_id, upper_id, fiscal_year, document, name, amount, \
         cost_share, counterpart, fund_book, economic_code, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(r.fund.id)
    .bind(r.jurisdiction_id)
    .bind(r.fund.jurisdiction_id)
    .bind(r.fund.fiscal_year)
    .bind(&r.fund.document)
    .bind(&r.fund.name)
    .bind(r.amount)
    .bind(r.cost_share)
    .bind(r.counterpart)
    .bind(&r.fund.fund_book)
    .bind(&r.fund.economic_code)
    .bind(now_text())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The receipts of a lower jurisdiction's year, newest first.
pub async fn receipts(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<ReceiptRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        receipt_select!(),
        " WHERE r.jurisdiction_id = $1 AND r.fiscal_year = $2 ORDER BY r.id DESC"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?)
}

/// The receipts an approved fund left, one per lower jurisdiction.
pub async fn receipts_of_fund(
    conn: &mut AnyConnection,
    fund_id: i64,
) -> Result<Vec<ReceiptRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        receipt_select!(),
        " WHERE r.fund_id = $1 ORDER BY r.jurisdiction_id"
    ))
    .bind(fund_id)
    .fetch_all(conn)
    .await?)
}

/// The receipt of a jurisdiction under a document, if the document is one it received.
pub async fn receipt_by_document(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    document: &str,
) -> Result<Option<ReceiptRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        receipt_select!(),
        " WHERE r.jurisdiction_id = $1 AND r.document = $2"
    ))
    .bind(jurisdiction_id)
    .bind(document)
    .fetch_optional(conn)
    .await?)
}

/// One receipt.
pub async fn receipt(conn: &mut AnyConnection, id: i64) -> Result<Option<ReceiptRow>, StoreError> {
    Ok(
        sqlx::query_as(concat!(receipt_select!(), " WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}
