//! Everything a payment request is checked against besides the rules themselves, read with its
//! line in one statement (ZB-7a, ZX-4b, PM-9, ZX-4a, ZB-12): a request is one read and one
//! transaction, so it costs PostgreSQL few round trips.
//!
//! The lists a rule needs (the payee's recent payments, the unit's budget and use by economic
//! code) come back in the same row as JSON arrays of objects (`json_group_array` on SQLite,
//! `json_agg` on PostgreSQL), read into typed rows by serde: one statement still, and no list
//! folded into text and parsed back by position.

use chrono::NaiveDate;
use lingji_domain::Money;
use lingji_domain::execution::{SANGONG, in_codes};
use lingji_domain::foundation::policy::PolicyProfile;
use lingji_domain::review::gates::GateRecord;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::execution::payments::{LineRow, PayableLine, line_columns};
use crate::library::projects::corrupt;

/// What one request needs besides its line, read with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// The unit's requests on the payment date.
    pub today: i64,
    /// The organisation named like the payee.
    pub payee_org: Option<i64>,
    /// Why the project's payments are suspended (PM-9).
    pub suspended: Option<String>,
    /// The profile in force for the line's year.
    pub profile: Option<PolicyProfile>,
    /// The version of the jurisdiction's rule catalogue, as [`crate::execution::rules::rules_stamp`].
    pub rules_stamp: i64,
    /// The payee's history with the unit up to the payment date.
    pub history: PayeeHistory,
    /// The unit's budget and use by economic code in the line's year.
    pub usage: UnitUsage,
    /// The special fund the line's project is paid from (ZB-12), when it is.
    pub special_fund: Option<String>,
    /// Whether the line's year is closed (ZB-7a: nothing more is paid there).
    pub year_closed: bool,
}

/// The payee's recent history with the unit (rules on split payments and frequency).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayeeHistory {
    /// Amounts paid in the 7 days up to the payment date.
    pub recent_7d: Vec<Money>,
    /// How many in the 30 days.
    pub count_30d: u32,
    /// Whether the unit never paid this account before.
    pub first_time: bool,
}

/// Statuses whose money is held or spent: what counts as used and as history.
macro_rules! live {
    () => {
        "('held', 'pending', 'paid')"
    };
}

#[derive(sqlx::FromRow)]
struct ContextRow {
    #[sqlx(flatten)]
    line: LineRow,
    today: i64,
    payee_org: Option<i64>,
    suspended: Option<String>,
    profile: Option<String>,
    profile_preset: Option<String>,
    rules_stamp: Option<i64>,
    /// The payee's latest live payments ([`PaidRow`]s as a JSON array).
    history: Option<String>,
    /// The unit's lines by code and fund book ([`UnitLine`]s as a JSON array).
    unit_lines: Option<String>,
    /// The unit's running use by code ([`CodeUse`]s as a JSON array).
    unit_paid: Option<String>,
    /// The project's special-fund gate record (JSON).
    special_fund: Option<String>,
    /// Closes recorded for the line's year (0 or 1).
    year_closed: i64,
}

/// The statement of [`line_in_context`], with the backend's JSON array aggregate (`$agg`) and
/// object builder (`$object`): the lists come back as JSON arrays of objects (an empty list is
/// `[]` on SQLite and NULL on PostgreSQL).
macro_rules! context_statement {
    ($agg:literal, $object:literal) => {
        concat!(
            line_columns!(),
            ", (SELECT COUNT(*) FROM payments x WHERE x.unit_id = l.unit_id AND x.pay_date = $2) AS today, \
             (SELECT o.id FROM organisations o WHERE (o.jurisdiction_id = l.jurisdiction_id OR o.id = l.jurisdiction_id) \
             AND o.name = $3 ORDER BY o.id LIMIT 1) AS payee_org, \
             (SELECT s.reason FROM payment_suspensions s WHERE s.project_id = l.project_id AND s.lifted_at IS NULL \
             ORDER BY s.id DESC LIMIT 1) AS suspended, \
             (SELECT f.body FROM policy_profiles f WHERE f.jurisdiction_id = l.jurisdiction_id \
             AND f.fiscal_year = l.fiscal_year ORDER BY f.version DESC LIMIT 1) AS profile, \
             (SELECT f.preset FROM policy_profiles f WHERE f.jurisdiction_id = l.jurisdiction_id \
             AND f.fiscal_year = l.fiscal_year ORDER BY f.version DESC LIMIT 1) AS profile_preset, \
             (SELECT c.version FROM rule_catalogues c WHERE c.jurisdiction_id = l.jurisdiction_id) AS rules_stamp, ",
            // The latest payments up to the date: enough to count the month (rules look for ten or
            // so) and to tell a first payment, from one index.
            "(SELECT CAST(",
            $agg,
            "(",
            $object,
            "('amount', h.amount, 'day', h.pay_date)) AS TEXT) FROM \
             (SELECT x.amount, x.pay_date FROM payments x WHERE x.unit_id = l.unit_id AND x.payee_account = $4 \
             AND x.pay_date <= $2 AND x.status IN ",
            live!(),
            " ORDER BY x.pay_date DESC LIMIT 100) h) AS history, \
             (SELECT CAST(",
            $agg,
            "(",
            $object,
            "('code', u.economic_code, 'book', u.fund_book, 'budget', u.budget, \
             'available', u.available)) AS TEXT) FROM \
             (SELECT b.economic_code, b.fund_book, CAST(SUM(b.approved + b.adjusted) AS BIGINT) AS budget, \
             CAST(SUM(b.approved + b.adjusted - b.reserved - b.spent - b.closed) AS BIGINT) AS available \
             FROM budget_lines b WHERE b.jurisdiction_id = l.jurisdiction_id AND b.fiscal_year = l.fiscal_year \
             AND b.unit_id = l.unit_id GROUP BY b.economic_code, b.fund_book) u) AS unit_lines, \
             (SELECT CAST(",
            $agg,
            "(",
            $object,
            "('code', g.economic_code, 'amount', g.amount)) AS TEXT) FROM payment_usage g \
             WHERE g.unit_id = l.unit_id AND g.fiscal_year = l.fiscal_year) AS unit_paid, \
             (SELECT g.record FROM project_gates g WHERE g.project_id = l.project_id AND g.gate = 'special_fund') \
             AS special_fund, \
             (SELECT COUNT(*) FROM year_closes y WHERE y.jurisdiction_id = l.jurisdiction_id \
             AND y.fiscal_year = l.fiscal_year) AS year_closed \
             FROM budget_lines l LEFT JOIN projects p ON p.id = l.project_id WHERE l.id = $1"
        )
    };
}

/// The line a payment draws on with the request's context (see [`RequestContext`]), in one
/// statement.
pub async fn line_in_context(
    conn: &mut AnyConnection,
    line_id: i64,
    date: NaiveDate,
    payee_name: &str,
    payee_account: &str,
) -> Result<Option<(PayableLine, RequestContext)>, StoreError> {
    let statement = if crate::is_postgres(conn) {
        context_statement!("json_agg", "json_build_object")
    } else {
        context_statement!("json_group_array", "json_object")
    };
    let row: Option<ContextRow> = sqlx::query_as(statement)
        .bind(line_id)
        .bind(date.to_string())
        .bind(payee_name)
        .bind(payee_account)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        let context = RequestContext {
            today: r.today,
            payee_org: r.payee_org,
            suspended: r.suspended,
            profile: r
                .profile
                .map(|body| {
                    PolicyProfile::from_stored(&body, r.profile_preset.as_deref().unwrap_or(""))
                        .map_err(corrupt)
                })
                .transpose()?,
            rules_stamp: r.rules_stamp.unwrap_or(0),
            history: PayeeHistory::parse(r.history.as_deref(), date)?,
            usage: UnitUsage::parse(r.unit_lines.as_deref(), r.unit_paid.as_deref())?,
            special_fund: r
                .special_fund
                .map(|g| match serde_json::from_str(&g).map_err(corrupt)? {
                    GateRecord::SpecialFund { fund_code } => Ok(fund_code),
                    other => Err(corrupt(format!("special fund gate holds {other:?}"))),
                })
                .transpose()?,
            year_closed: r.year_closed > 0,
        };
        Ok((PayableLine::try_from(r.line)?, context))
    })
    .transpose()
}

/// The rows of a list read as a JSON array (none when NULL, as PostgreSQL's `json_agg` of no
/// rows is).
fn rows<T: DeserializeOwned>(json: Option<&str>) -> Result<Vec<T>, StoreError> {
    json.map(|j| serde_json::from_str(j).map_err(corrupt))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// One of the payee's live payments up to the payment date.
#[derive(Debug, Clone, Deserialize)]
struct PaidRow {
    amount: i64,
    /// Its payment date (`YYYY-MM-DD`).
    day: String,
}

impl PayeeHistory {
    /// From the latest live payments up to `date` (a JSON array of [`PaidRow`]s).
    fn parse(json: Option<&str>, date: NaiveDate) -> Result<PayeeHistory, StoreError> {
        let since7 = (date - chrono::Days::new(6)).to_string();
        let since30 = (date - chrono::Days::new(29)).to_string();
        let rows: Vec<PaidRow> = rows(json)?;
        let mut recent_7d = Vec::new();
        let mut count_30d = 0u32;
        for r in &rows {
            if r.day >= since7 {
                recent_7d.push(Money::from_fen(r.amount));
            }
            if r.day >= since30 {
                count_30d += 1;
            }
        }
        Ok(PayeeHistory {
            recent_7d,
            count_30d,
            first_time: rows.is_empty(),
        })
    }
}

/// A unit's lines of one economic code and fund book in a year, summed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct UnitLine {
    code: String,
    book: String,
    /// Approved + adjusted (fen).
    budget: i64,
    /// Available (fen).
    available: i64,
}

/// A unit's running use of one economic code in a year: money held or paid (fen).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct CodeUse {
    code: String,
    amount: i64,
}

/// A unit's budget and use by economic code in a year: its lines' codes with their budgets
/// (approved + adjusted), and its live payments' codes with their sums. Rules ask by class
/// (meeting spend, 三公), which [`UnitUsage::of`] answers from these few rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitUsage {
    /// The unit's lines by code and fund book.
    lines: Vec<UnitLine>,
    /// Its use by code.
    paid: Vec<CodeUse>,
}

impl UnitUsage {
    /// From JSON arrays of [`UnitLine`]s and [`CodeUse`]s.
    fn parse(lines: Option<&str>, paid: Option<&str>) -> Result<UnitUsage, StoreError> {
        Ok(UnitUsage {
            lines: rows(lines)?,
            paid: rows(paid)?,
        })
    }

    /// Budget and use for economic codes under any of `prefixes`: lines of those codes and
    /// lines whose broader code covers them; payments of those codes.
    pub fn of(&self, prefixes: &[&str]) -> (Money, Money) {
        let budget = self.covering(prefixes).map(|l| l.budget).sum();
        let used = self
            .paid
            .iter()
            .filter(|u| prefixes.iter().any(|p| u.code.starts_with(p)))
            .map(|u| u.amount)
            .sum();
        (Money::from_fen(budget), Money::from_fen(used))
    }

    /// The unit's 三公 budget and use (ZB-6b: 三公经费无预算不得列支，不得超预算列支). Only lines
    /// budgeted on a 三公 code count as 三公 budget: a 302 public-expense line covers 公务接待费
    /// as a code, but it is not money set aside for 三公, so it does not open the way to pay one.
    pub fn sangong(&self) -> (Money, Money) {
        let budget = self
            .lines
            .iter()
            .filter(|l| in_codes(SANGONG, &l.code))
            .map(|l| l.budget)
            .sum();
        let used = self
            .paid
            .iter()
            .filter(|u| in_codes(SANGONG, &u.code))
            .map(|u| u.amount)
            .sum();
        (Money::from_fen(budget), Money::from_fen(used))
    }

    /// Available on the unit's own-funds lines (单位资金, ZB-11) covering `prefixes`.
    pub fn own_funds_available(&self, prefixes: &[&str]) -> Money {
        Money::from_fen(
            self.covering(prefixes)
                .filter(|l| l.book == "unit_funds")
                .map(|l| l.available)
                .sum(),
        )
    }

    /// Lines of those codes and lines whose broader code covers them.
    fn covering<'a>(&'a self, prefixes: &'a [&'a str]) -> impl Iterator<Item = &'a UnitLine> + 'a {
        self.lines.iter().filter(move |l| {
            prefixes
                .iter()
                .any(|p| l.code.starts_with(p) || p.starts_with(l.code.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn history_counts_the_week_and_the_month_from_its_rows() {
        let h = PayeeHistory::parse(
            Some(
                r#"[{"amount":4900000,"day":"2026-03-10"},{"amount":4800000,"day":"2026-03-04"},
                {"amount":100,"day":"2026-02-20"},{"amount":5,"day":"2026-01-01"}]"#,
            ),
            day("2026-03-10"),
        )
        .expect("parses");
        assert_eq!(
            h.recent_7d,
            vec![Money::from_fen(4_900_000), Money::from_fen(4_800_000)]
        );
        assert_eq!(h.count_30d, 3);
        assert!(!h.first_time);
        let none = PayeeHistory::parse(None, day("2026-03-10")).expect("parses");
        assert!(none.first_time && none.recent_7d.is_empty() && none.count_30d == 0);
        // SQLite's aggregate of no rows is an empty array, PostgreSQL's is NULL.
        assert_eq!(
            PayeeHistory::parse(Some("[]"), day("2026-03-10")).expect("parses"),
            none
        );
    }

    /// A unit's lines as their JSON array: code, book, budget, available.
    fn lines(rows: &[(&str, &str, i64, i64)]) -> String {
        serde_json::Value::Array(
            rows.iter()
                .map(|(code, book, budget, available)| {
                    serde_json::json!({
                        "code": code, "book": book, "budget": budget, "available": available
                    })
                })
                .collect(),
        )
        .to_string()
    }

    /// A unit's use as its JSON array: code, amount.
    fn paid(rows: &[(&str, i64)]) -> String {
        serde_json::Value::Array(
            rows.iter()
                .map(|(code, amount)| serde_json::json!({"code": code, "amount": amount}))
                .collect(),
        )
        .to_string()
    }

    #[test]
    fn usage_answers_by_class_and_own_funds_from_its_rows() {
        let u = UnitUsage::parse(
            Some(&lines(&[
                ("30215", "general_public", 500_000, 300_000),
                ("302", "unit_funds", 100_000, 70_000),
                ("30101", "general_public", 9, 9),
            ])),
            Some(&paid(&[("30215", 120_000), ("30216", 5)])),
        )
        .expect("parses");
        assert_eq!(
            u.of(&["30215"]),
            (Money::from_fen(600_000), Money::from_fen(120_000))
        );
        assert_eq!(u.own_funds_available(&["30215"]), Money::from_fen(70_000));
    }

    #[test]
    fn a_damaged_list_is_an_error_not_a_guess() {
        assert!(
            UnitUsage::parse(
                Some(r#"[{"code":"30215","book":"general_public","budget":5}]"#),
                None
            )
            .is_err()
        );
        assert!(
            PayeeHistory::parse(
                Some(r#"[{"amount":"abc","day":"2026-01-01"}]"#),
                day("2026-01-02")
            )
            .is_err()
        );
    }

    #[test]
    fn zb_6b_a_302_line_is_no_sangong_budget() {
        let usage = UnitUsage::parse(
            Some(&lines(&[
                ("302", "general_public", 5_000_000, 5_000_000),
                ("30217", "general_public", 100_000, 100_000),
            ])),
            Some(&paid(&[("30217", 30_000), ("30215", 70_000)])),
        )
        .unwrap();
        assert_eq!(
            usage.sangong(),
            (Money::from_fen(100_000), Money::from_fen(30_000))
        );
        // Only the 302 line: no 三公 budget at all.
        let usage = UnitUsage::parse(
            Some(&lines(&[("302", "general_public", 5_000_000, 5_000_000)])),
            None,
        )
        .unwrap();
        assert_eq!(usage.sangong(), (Money::ZERO, Money::ZERO));
        // The class budget of a code still counts the broader line (meeting spend).
        assert_eq!(usage.of(&["30215"]).0, Money::from_fen(5_000_000));
    }
}
