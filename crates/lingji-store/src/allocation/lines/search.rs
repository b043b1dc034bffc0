//! The year's budget lines as one page of a search: the store filters (year, department, unit,
//! fund book, a text in the name, economic code or document), counts the lines found and sums
//! 批复数, 已支付 and 可用 over all of them, sorts by a fixed set of keys with the id as the last
//! tie-break, and returns one page (issue 21, point 7).

use lingji_domain::Money;
use lingji_domain::execution::Balance;
use lingji_domain::foundation::fund::FundBook;
use sqlx::AnyConnection;

use super::{BalancedRow, BudgetLine};
use crate::error::StoreError;
use crate::search::{Arg, Where, bind_args, by_code_point, by_label, contains_pattern};

/// The most rows a page reads.
pub const PAGE_MAX: i64 = 500;

/// 可用 of a line as `Balance::available` has it: approved and adjusted, less held, paid and
/// closed, never below zero.
const AVAILABLE: &str = "CASE WHEN approved + adjusted - reserved - spent - closed > 0 \
     THEN approved + adjusted - reserved - spent - closed ELSE 0 END";

/// What the list of lines sorts by; the id breaks every tie.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LineSort {
    /// By id.
    #[default]
    Own,
    /// The unit's name.
    Unit,
    Name,
    /// The economic code.
    Code,
    /// The fund book, in the order of its label.
    Book,
    Approved,
    Spent,
    Available,
}

impl LineSort {
    /// The key a list's `?sort=` names; `None` for a key the list does not offer.
    pub fn parse(key: &str) -> Option<LineSort> {
        Some(match key {
            "unit" => LineSort::Unit,
            "name" => LineSort::Name,
            "code" => LineSort::Code,
            "book" => LineSort::Book,
            "approved" => LineSort::Approved,
            "spent" => LineSort::Spent,
            "available" => LineSort::Available,
            _ => return None,
        })
    }

    /// The ORDER BY term, ascending; text compares by code point on both backends.
    fn term(self, postgres: bool) -> Option<String> {
        let text = |column: &str| by_code_point(column, postgres);
        Some(match self {
            LineSort::Own => return None,
            LineSort::Unit => {
                text("(SELECT o.name FROM organisations o WHERE o.id = budget_lines.unit_id)")
            }
            LineSort::Name => text("name"),
            LineSort::Code => text("economic_code"),
            LineSort::Book => by_label::<FundBook>("fund_book"),
            LineSort::Approved => "approved".into(),
            LineSort::Spent => "spent".into(),
            LineSort::Available => AVAILABLE.into(),
        })
    }
}

/// A search of a year's budget lines.
#[derive(Debug, Clone, Default)]
pub struct LineSearch {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// The caller's own department or unit, when that is all they may read.
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// The unit asked for by the filter (within the caller's scope).
    pub unit_filter: Option<i64>,
    pub fund_book: Option<FundBook>,
    /// In the name or the document, or the start of the economic code.
    pub text: Option<String>,
    pub sort: LineSort,
    pub desc: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of lines with their balances, and over every line found: how many, 批复数,
/// 已支付 and 可用 in all.
#[derive(Debug, Clone)]
pub struct LinePage {
    pub rows: Vec<(BudgetLine, Balance)>,
    pub count: i64,
    pub approved: Money,
    pub spent: Money,
    pub available: Money,
}

fn search_where(s: &LineSearch) -> Where {
    let mut w = Where::new(" jurisdiction_id = ?", Arg::Int(s.jurisdiction_id));
    w.and_int(" AND fiscal_year = ?", Some(i64::from(s.fiscal_year)));
    w.and_int(" AND department_id = ?", s.department_id);
    w.and_int(" AND unit_id = ?", s.unit_id);
    w.and_int(" AND unit_id = ?", s.unit_filter);
    w.and_text(" AND fund_book = ?", s.fund_book.map(|b| b.as_str()));
    if let Some(text) = s.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // The code matches from its start, the name and document anywhere in them.
        let mut start = contains_pattern(text);
        start.remove(0);
        w.and(" AND (economic_code LIKE ? ESCAPE '\\'", Arg::Text(start));
        w.and(
            " OR LOWER(name) LIKE LOWER(?) ESCAPE '\\' OR LOWER(source_document) LIKE LOWER(?) ESCAPE '\\')",
            Arg::Text(contains_pattern(text)),
        );
    }
    w
}

/// One page of the lines a search finds, with the count and sums over every line found.
pub async fn search(conn: &mut AnyConnection, s: &LineSearch) -> Result<LinePage, StoreError> {
    let Where { sql: filter, args } = search_where(s);
    let (count, approved, spent, available): (i64, i64, i64, i64) = bind_args!(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(approved), 0) AS BIGINT), \
             CAST(COALESCE(SUM(spent), 0) AS BIGINT), \
             CAST(COALESCE(SUM({AVAILABLE}), 0) AS BIGINT) FROM budget_lines{filter}"
        ))),
        args.clone()
    )
    .fetch_one(&mut *conn)
    .await?;
    let order = match s.sort.term(crate::is_postgres(conn)) {
        None => " ORDER BY id".to_string(),
        Some(term) => format!(
            " ORDER BY {term} {}, id",
            if s.desc { "DESC" } else { "ASC" }
        ),
    };
    let n = args.len();
    let sql = format!(
        "SELECT id, fiscal_year, department_id, unit_id, project_id, item_id, name, \
         economic_code, fund_book, three_guarantees, approved, source_document, run_id, \
         adjusted, reserved, spent, closed FROM budget_lines{filter}{order} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let rows: Vec<BalancedRow> = bind_args!(
        sqlx::query_as::<_, BalancedRow>(sqlx::AssertSqlSafe(sql)),
        args
    )
    .bind(s.limit.clamp(1, PAGE_MAX))
    .bind(s.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    Ok(LinePage {
        rows: rows
            .into_iter()
            .map(BalancedRow::read)
            .collect::<Result<_, _>>()?,
        count,
        approved: Money::from_fen(approved),
        spent: Money::from_fen(spent),
        available: Money::from_fen(available),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_matches_from_its_start_the_name_and_document_anywhere() {
        let s = LineSearch {
            jurisdiction_id: 1,
            fiscal_year: 2026,
            unit_filter: Some(4),
            text: Some("302".into()),
            ..LineSearch::default()
        };
        let w = search_where(&s);
        assert_eq!(
            w.sql,
            " WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND unit_id = $3 \
             AND (economic_code LIKE $4 ESCAPE '\\' OR LOWER(name) LIKE LOWER($5) ESCAPE '\\' \
             OR LOWER(source_document) LIKE LOWER($5) ESCAPE '\\')"
        );
        assert!(matches!(&w.args[3], Arg::Text(t) if t == "302%"));
    }
}
