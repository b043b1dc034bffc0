//! The payments list as one page of a search: the store filters (state, year, unit,
//! department, line, project and a text), counts and sums every payment the filters find, sorts
//! them by one of a fixed set of keys with the id as the last tie-break, and returns one page
//! (issue 20, point 4; issue 21: a province pays millions a year, so nothing is read whole).
//!
//! The text matches a payment's number exactly, or is contained in its payee's name or its
//! purpose: `%`, `_` and `\` in it are matched literally (escaped for `LIKE … ESCAPE '\'`), and
//! both sides are put through `LOWER`, so ASCII letters match in either case on both backends.
//! The order is chosen from a `match` among fixed clauses; nothing typed reaches the SQL text.

use lingji_domain::Money;
use sqlx::AnyConnection;

use super::payments::{Payment, PaymentFilter, PaymentRow};
use crate::error::StoreError;
use crate::search::{Arg, Where, bind_args, contains_pattern, count_and_sum};

/// The most characters of the text filter (the use case refuses longer ones).
pub const TEXT_MAX: usize = 100;

/// The most rows a page reads.
pub const PAGE_MAX: i64 = 1000;

/// What a payments list sorts by; the id breaks every tie.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PaymentSort {
    /// The list's own order: newest first, or finance's queue (QJ-4a priority subjects first,
    /// then oldest first) when the filter asks for the queue.
    #[default]
    Own,
    Id,
    /// The payment's date.
    Date,
    /// The unit's code.
    Unit,
    Payee,
    Amount,
    /// The state, in the order a payment goes through them (未通过, 已拦截, 预警待核, 待支付,
    /// 已支付, 已退回).
    Status,
}

impl PaymentSort {
    /// The key a list's `?sort=` names; `None` for a key the list does not offer.
    pub fn parse(key: &str) -> Option<PaymentSort> {
        Some(match key {
            "id" => PaymentSort::Id,
            "date" => PaymentSort::Date,
            "unit" => PaymentSort::Unit,
            "payee" => PaymentSort::Payee,
            "amount" => PaymentSort::Amount,
            "status" => PaymentSort::Status,
            _ => return None,
        })
    }

    /// The ORDER BY term of the key, ascending; text keys compare by code point on both
    /// backends (`COLLATE "C"` on PostgreSQL, SQLite's own binary order).
    fn term(self, postgres: bool) -> Option<&'static str> {
        Some(match (self, postgres) {
            (PaymentSort::Own, _) => return None,
            (PaymentSort::Id, _) => "p.id",
            (PaymentSort::Date, _) => "p.pay_date",
            (PaymentSort::Unit, false) => "o.code",
            (PaymentSort::Unit, true) => "o.code COLLATE \"C\"",
            (PaymentSort::Payee, false) => "p.payee_name",
            (PaymentSort::Payee, true) => "p.payee_name COLLATE \"C\"",
            (PaymentSort::Amount, _) => "p.amount",
            (PaymentSort::Status, _) => {
                "CASE p.status WHEN 'refused' THEN 0 WHEN 'blocked' THEN 1 WHEN 'held' THEN 2 \
                 WHEN 'pending' THEN 3 WHEN 'paid' THEN 4 ELSE 5 END"
            }
        })
    }
}

/// A search of the payments: the filters, the text, the order and the page.
#[derive(Debug, Clone, Default)]
pub struct PaymentSearch {
    /// State, unit, department, line, project, year and whether it is finance's queue; its
    /// `limit` is not used (see `limit` here).
    pub filter: PaymentFilter,
    /// The payment's number, or part of its payee's name or purpose.
    pub text: Option<String>,
    pub sort: PaymentSort,
    pub desc: bool,
    /// Rows skipped (the pages before).
    pub offset: i64,
    /// Rows of the page (1 to [`PAGE_MAX`]).
    pub limit: i64,
}

/// One page of payments, and how many the filters find with their amounts' sum.
#[derive(Debug, Clone)]
pub struct PaymentPage {
    pub rows: Vec<Payment>,
    /// Every payment the filters find, not only the page's.
    pub count: i64,
    /// Their amounts, exact to the fen.
    pub total: Money,
}

/// The WHERE of a search and its values in the order of their `$n`: only the filters given,
/// each a fixed fragment, so that the planner sees which columns are asked for (an index on
/// year and state then answers the count and the sum by itself).
fn search_where(jurisdiction_id: i64, s: &PaymentSearch) -> Where {
    let f = &s.filter;
    let mut w = Where::new(" p.jurisdiction_id = ?", Arg::Int(jurisdiction_id));
    w.and_int(" AND p.unit_id = ?", f.unit_id);
    w.and_int(" AND p.department_id = ?", f.department_id);
    w.and_int(" AND p.line_id = ?", f.line_id);
    w.and_int(" AND p.project_id = ?", f.project_id);
    w.and_int(" AND p.fiscal_year = ?", f.fiscal_year.map(i64::from));
    w.and_text(" AND p.status = ?", f.status.map(|s| s.as_str()));
    let text = s.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if let Some(text) = text {
        let pattern = Arg::Text(contains_pattern(text));
        match text.parse::<i64>() {
            Ok(number) => {
                w.and(" AND (p.id = ?", Arg::Int(number));
                w.and(" OR LOWER(p.payee_name) LIKE LOWER(?) ESCAPE '\\'", pattern);
            }
            Err(_) => w.and(
                " AND (LOWER(p.payee_name) LIKE LOWER(?) ESCAPE '\\'",
                pattern,
            ),
        }
        // The purpose is matched by the same pattern, the last value bound.
        let n = w.args.len();
        w.sql.push_str(&format!(
            " OR LOWER(p.purpose) LIKE LOWER(${n}) ESCAPE '\\')"
        ));
    }
    w
}

/// The payment's columns from `p`, as [`PaymentRow`] reads them.
const SEARCH_COLUMNS: &str = "SELECT p.id, p.jurisdiction_id, p.fiscal_year, p.department_id, \
     p.unit_id, p.line_id, p.project_id, p.idempotency_key, p.payee_name, p.payee_account, \
     p.payee_kind, p.amount, p.economic_code, p.purpose, p.pay_date, p.contract_no, p.event_code, \
     p.headcount, p.days, p.status, p.outcome, p.refusal_code, p.refusal_clause, \
     p.refusal_message, p.requested_by, p.requested_at, p.decided_by, p.decided_at, \
     p.decision_reason, p.plan_month, p.priority \
     FROM payments p LEFT JOIN organisations o ON o.id = p.unit_id";

/// The ORDER BY of a search: the chosen key in its direction, then the list's own order (the
/// queue's, or newest first), the id last.
fn order_by(s: &PaymentSearch, postgres: bool) -> String {
    let own = if s.filter.queue {
        "CASE WHEN p.priority IS NOT NULL THEN 0 ELSE 1 END, p.id"
    } else {
        "p.id DESC"
    };
    match s.sort.term(postgres) {
        None => format!(" ORDER BY {own}"),
        Some(term) => {
            let dir = if s.desc { "DESC" } else { "ASC" };
            format!(" ORDER BY {term} {dir}, {own}")
        }
    }
}

/// One page of the payments a search finds, with their count and the sum of their amounts
/// over every row found.
pub async fn search(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    s: &PaymentSearch,
) -> Result<PaymentPage, StoreError> {
    let w = search_where(jurisdiction_id, s);
    let (count, total) = count_and_sum(conn, "payments p", "p.amount", &w).await?;
    let Where { sql: filter, args } = w;
    let n = args.len();
    let sql = format!(
        "{SEARCH_COLUMNS}{filter}{} LIMIT ${} OFFSET ${}",
        order_by(s, crate::is_postgres(conn)),
        n + 1,
        n + 2
    );
    let rows = crate::read_all(
        conn,
        bind_args!(
            sqlx::query_as::<_, PaymentRow>(sqlx::AssertSqlSafe(sql)),
            args
        )
        .bind(s.limit.clamp(1, PAGE_MAX))
        .bind(s.offset.max(0)),
        Payment::try_from,
    )
    .await?;
    Ok(PaymentPage {
        rows,
        count,
        total: Money::from_fen(total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lingji_domain::execution::PaymentStatus;

    #[test]
    fn only_the_filters_given_are_in_the_where_each_with_its_number() {
        let mut s = PaymentSearch::default();
        assert_eq!(search_where(7, &s).sql, " WHERE p.jurisdiction_id = $1");
        s.filter.fiscal_year = Some(2026);
        s.filter.status = Some(PaymentStatus::Paid);
        s.text = Some(" 12 ".into());
        let Where { sql, args } = search_where(7, &s);
        assert_eq!(
            sql,
            " WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.status = $3 \
             AND (p.id = $4 OR LOWER(p.payee_name) LIKE LOWER($5) ESCAPE '\\' \
             OR LOWER(p.purpose) LIKE LOWER($5) ESCAPE '\\')"
        );
        assert_eq!(args.len(), 5);
        s.text = Some("50%".into());
        assert!(search_where(7, &s).sql.ends_with(
            "AND (LOWER(p.payee_name) LIKE LOWER($4) ESCAPE '\\' \
             OR LOWER(p.purpose) LIKE LOWER($4) ESCAPE '\\')"
        ));
    }

    #[test]
    fn every_order_ends_on_the_id() {
        let mut s = PaymentSearch::default();
        assert_eq!(order_by(&s, false), " ORDER BY p.id DESC");
        s.sort = PaymentSort::Amount;
        s.desc = true;
        assert_eq!(order_by(&s, false), " ORDER BY p.amount DESC, p.id DESC");
        s.filter.queue = true;
        s.sort = PaymentSort::Payee;
        s.desc = false;
        assert_eq!(
            order_by(&s, true),
            " ORDER BY p.payee_name COLLATE \"C\" ASC, \
             CASE WHEN p.priority IS NOT NULL THEN 0 ELSE 1 END, p.id"
        );
        assert_eq!(PaymentSort::parse("password"), None);
    }
}
