//! Everything a payment request is checked against besides the rules themselves, read with its
//! line in one statement (ZB-7a, ZX-4b, PM-9, ZX-4a, ZB-12): a request is one read and one
//! transaction, so it costs PostgreSQL few round trips.
//!
//! The lists a rule needs (the payee's recent payments, the unit's budget and use by economic
//! code) come back folded into text by `string_agg` (both backends have it) and are parsed here.

use chrono::NaiveDate;
use lingji_domain::Money;
use lingji_domain::execution::{SANGONG, in_codes};
use lingji_domain::foundation::policy::PolicyProfile;
use lingji_domain::review::gates::GateRecord;
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
    /// The version of the jurisdiction's rule catalogue, as [`crate::execution::payments::rules_stamp`].
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
    /// `amount@date` of the payee's latest live payments, comma-separated.
    history: Option<String>,
    /// `code:book:budget:available` of the unit's lines, semicolon-separated.
    unit_lines: Option<String>,
    /// `code:amount` of the unit's running use, semicolon-separated.
    unit_paid: Option<String>,
    /// The project's special-fund gate record (JSON).
    special_fund: Option<String>,
    /// Closes recorded for the line's year (0 or 1).
    year_closed: i64,
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
    let row: Option<ContextRow> = sqlx::query_as(concat!(
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
        "(SELECT string_agg(CAST(h.amount AS TEXT) || '@' || h.pay_date, ',') FROM \
         (SELECT x.amount, x.pay_date FROM payments x WHERE x.unit_id = l.unit_id AND x.payee_account = $4 \
         AND x.pay_date <= $2 AND x.status IN ",
        live!(),
        " ORDER BY x.pay_date DESC LIMIT 100) h) AS history, \
         (SELECT string_agg(u.economic_code || ':' || u.fund_book || ':' || CAST(u.budget AS TEXT) || ':' \
         || CAST(u.available AS TEXT), ';') FROM \
         (SELECT b.economic_code, b.fund_book, CAST(SUM(b.approved + b.adjusted) AS BIGINT) AS budget, \
         CAST(SUM(b.approved + b.adjusted - b.reserved - b.spent - b.closed) AS BIGINT) AS available \
         FROM budget_lines b WHERE b.jurisdiction_id = l.jurisdiction_id AND b.fiscal_year = l.fiscal_year \
         AND b.unit_id = l.unit_id GROUP BY b.economic_code, b.fund_book) u) AS unit_lines, \
         (SELECT string_agg(g.economic_code || ':' || CAST(g.amount AS TEXT), ';') FROM payment_usage g \
         WHERE g.unit_id = l.unit_id AND g.fiscal_year = l.fiscal_year) AS unit_paid, \
         (SELECT g.record FROM project_gates g WHERE g.project_id = l.project_id AND g.gate = 'special_fund') \
         AS special_fund, \
         (SELECT COUNT(*) FROM year_closes y WHERE y.jurisdiction_id = l.jurisdiction_id \
         AND y.fiscal_year = l.fiscal_year) AS year_closed \
         FROM budget_lines l LEFT JOIN projects p ON p.id = l.project_id WHERE l.id = $1"
    ))
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

/// The `;`- or `,`-separated items of a folded list, each split at `sep` into `N` fields.
fn items<const N: usize>(
    folded: Option<&str>,
    list: char,
    sep: char,
) -> Result<Vec<[&str; N]>, StoreError> {
    folded
        .into_iter()
        .flat_map(|f| f.split(list))
        .map(|item| {
            let fields: Vec<&str> = item.splitn(N, sep).collect();
            <[&str; N]>::try_from(fields).map_err(|_| corrupt(format!("folded item {item}")))
        })
        .collect()
}

/// An integer field of a folded list (fen).
fn number(s: &str) -> Result<i64, StoreError> {
    s.parse().map_err(corrupt)
}

impl PayeeHistory {
    /// From `amount@date` items (the latest live payments up to `date`).
    fn parse(folded: Option<&str>, date: NaiveDate) -> Result<PayeeHistory, StoreError> {
        let since7 = (date - chrono::Days::new(6)).to_string();
        let since30 = (date - chrono::Days::new(29)).to_string();
        let rows = items::<2>(folded, ',', '@')?;
        let mut recent_7d = Vec::new();
        let mut count_30d = 0u32;
        for [amount, day] in &rows {
            if *day >= since7.as_str() {
                recent_7d.push(Money::from_fen(number(amount)?));
            }
            if *day >= since30.as_str() {
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

/// A unit's budget and use by economic code in a year: its lines' codes with their budgets
/// (approved + adjusted), and its live payments' codes with their sums. Rules ask by class
/// (meeting spend, 三公), which [`UnitUsage::of`] answers from these few rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitUsage {
    /// Code, fund book, budget, available (fen).
    lines: Vec<(String, String, i64, i64)>,
    /// Code, amount held or paid (fen).
    paid: Vec<(String, i64)>,
}

impl UnitUsage {
    /// From `code:book:budget:available` and `code:amount` items.
    fn parse(lines: Option<&str>, paid: Option<&str>) -> Result<UnitUsage, StoreError> {
        Ok(UnitUsage {
            lines: items::<4>(lines, ';', ':')?
                .into_iter()
                .map(|[code, book, budget, available]| {
                    Ok((
                        code.into(),
                        book.into(),
                        number(budget)?,
                        number(available)?,
                    ))
                })
                .collect::<Result<_, StoreError>>()?,
            paid: items::<2>(paid, ';', ':')?
                .into_iter()
                .map(|[code, amount]| Ok((code.into(), number(amount)?)))
                .collect::<Result<_, StoreError>>()?,
        })
    }

    /// Budget and use for economic codes under any of `prefixes`: lines of those codes and
    /// lines whose broader code covers them; payments of those codes.
    pub fn of(&self, prefixes: &[&str]) -> (Money, Money) {
        let budget = self.covering(prefixes).map(|(_, _, b, _)| *b).sum();
        let used = self
            .paid
            .iter()
            .filter(|(c, _)| prefixes.iter().any(|p| c.starts_with(p)))
            .map(|(_, a)| *a)
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
            .filter(|(c, _, _, _)| in_codes(SANGONG, c))
            .map(|(_, _, b, _)| *b)
            .sum();
        let used = self
            .paid
            .iter()
            .filter(|(c, _)| in_codes(SANGONG, c))
            .map(|(_, a)| *a)
            .sum();
        (Money::from_fen(budget), Money::from_fen(used))
    }

    /// Available on the unit's own-funds lines (单位资金, ZB-11) covering `prefixes`.
    pub fn own_funds_available(&self, prefixes: &[&str]) -> Money {
        Money::from_fen(
            self.covering(prefixes)
                .filter(|(_, book, _, _)| book == "unit_funds")
                .map(|(_, _, _, available)| *available)
                .sum(),
        )
    }

    /// Lines of those codes and lines whose broader code covers them.
    fn covering<'a>(
        &'a self,
        prefixes: &'a [&'a str],
    ) -> impl Iterator<Item = &'a (String, String, i64, i64)> + 'a {
        self.lines.iter().filter(move |(c, _, _, _)| {
            prefixes
                .iter()
                .any(|p| c.starts_with(p) || p.starts_with(c.as_str()))
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
    fn history_counts_the_week_and_the_month_from_the_folded_list() {
        let h = PayeeHistory::parse(
            Some("4900000@2026-03-10,4800000@2026-03-04,100@2026-02-20,5@2026-01-01"),
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
    }

    #[test]
    fn usage_answers_by_class_and_own_funds_from_the_folded_lists() {
        let u = UnitUsage::parse(
            Some("30215:general_public:500000:300000;302:unit_funds:100000:70000;30101:general_public:9:9"),
            Some("30215:120000;30216:5"),
        )
        .expect("parses");
        assert_eq!(
            u.of(&["30215"]),
            (Money::from_fen(600_000), Money::from_fen(120_000))
        );
        assert_eq!(u.own_funds_available(&["30215"]), Money::from_fen(70_000));
    }

    #[test]
    fn a_damaged_folded_list_is_an_error_not_a_guess() {
        assert!(UnitUsage::parse(Some("30215:general_public:5"), None).is_err());
        assert!(PayeeHistory::parse(Some("abc@2026-01-01"), day("2026-01-02")).is_err());
    }

    #[test]
    fn zb_6b_a_302_line_is_no_sangong_budget() {
        let usage = UnitUsage::parse(
            Some("302:general_public:5000000:5000000;30217:general_public:100000:100000"),
            Some("30217:30000;30215:70000"),
        )
        .unwrap();
        assert_eq!(
            usage.sangong(),
            (Money::from_fen(100_000), Money::from_fen(30_000))
        );
        // Only the 302 line: no 三公 budget at all.
        let usage = UnitUsage::parse(Some("302:general_public:5000000:5000000"), None).unwrap();
        assert_eq!(usage.sangong(), (Money::ZERO, Money::ZERO));
        // The class budget of a code still counts the broader line (meeting spend).
        assert_eq!(usage.of(&["30215"]).0, Money::from_fen(5_000_000));
    }
}
