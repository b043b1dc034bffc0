//! One way to list, for every list page: the filters, sort and page read from the query into a
//! typed [`Listing`] (a sort key only from the list's own, `?sort=amount&dir=desc`, 50 rows a
//! page, `?page=2`), the rows sorted and cut to the page on the server, the totals of amount
//! columns over every filtered row (not only the page), amounts in 元 or exact 万元
//! (`?amounts=wan`, for big tables), and the links of the column headers and of the pager,
//! rendered by `templates/listing_macros.html` and `templates/listing_pager.html`.

use std::collections::{BTreeMap, HashMap};

use lingji_app::AppResult;
use lingji_domain::Money;
use lingji_domain::foundation::org::OrgKind;

use crate::AppState;
use crate::identity::Identity;

/// Rows on a page.
pub const PER_PAGE: usize = 50;

/// What a sort compares in a row: text, or a number (fen, a year, an id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Num(i64),
    Text(String),
}

impl From<Money> for Key {
    fn from(m: Money) -> Key {
        Key::Num(m.fen())
    }
}

impl From<i64> for Key {
    fn from(n: i64) -> Key {
        Key::Num(n)
    }
}

impl From<i32> for Key {
    fn from(n: i32) -> Key {
        Key::Num(i64::from(n))
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::Text(s.to_string())
    }
}

impl From<String> for Key {
    fn from(s: String) -> Key {
        Key::Text(s)
    }
}

/// How a table shows amounts: in 元 with separators, or in exact 万元 where the figures are
/// big (`?amounts=wan`). Either way from the fen and never rounded, so a column still adds up
/// to its total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amounts {
    pub wan: bool,
}

impl Amounts {
    /// `?amounts=wan` asks for 万元; anything else is 元.
    pub fn of(q: &BTreeMap<String, String>) -> Amounts {
        Amounts {
            wan: q.get("amounts").is_some_and(|a| a == "wan"),
        }
    }

    /// An amount in the unit chosen (a field or a computed amount, as a template has it).
    pub fn money(&self, m: impl std::borrow::Borrow<Money>) -> String {
        let m = m.borrow();
        if self.wan {
            m.to_wan_exact()
        } else {
            m.to_yuan_display()
        }
    }

    /// A column's total in the unit chosen.
    pub fn total(&self, total: Option<Money>) -> String {
        total.map_or_else(|| "超出金额范围".to_string(), |t| self.money(t))
    }

    /// The unit's name for a column header: 元 or 万元.
    pub fn unit(&self) -> &'static str {
        if self.wan { "万元" } else { "元" }
    }
}

/// A list's filters, sort and page as its query gives them, and once paged, how many rows
/// and pages there are.
#[derive(Debug, Clone)]
pub struct Listing {
    path: String,
    /// The sort key, one of the list's; empty for the list's own order.
    pub sort: String,
    pub desc: bool,
    /// The page shown, from 1.
    pub page: usize,
    /// The filters given (non-empty), kept in every link.
    filters: Vec<(String, String)>,
    /// 元 or 万元, kept in every link.
    pub amounts: Amounts,
    /// Rows after filtering.
    pub count: usize,
    /// Pages of [`PER_PAGE`] rows (at least 1).
    pub pages: usize,
}

impl Listing {
    /// Reads `?sort=&dir=&page=` (a sort key not in `sorts` is ignored: the list keeps its own
    /// order) and the `filters` the list knows, from the query of `path`.
    pub fn new(
        path: &str,
        q: &BTreeMap<String, String>,
        sorts: &[&str],
        filters: &[&str],
    ) -> Listing {
        let sort = q
            .get("sort")
            .map(|s| s.trim())
            .filter(|s| sorts.contains(s))
            .unwrap_or("")
            .to_string();
        Listing {
            path: path.to_string(),
            desc: !sort.is_empty() && q.get("dir").is_some_and(|d| d == "desc"),
            sort,
            page: q
                .get("page")
                .and_then(|p| p.trim().parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
            filters: filters
                .iter()
                .filter_map(|f| {
                    let v = q.get(*f).map(|v| v.trim()).unwrap_or("");
                    (!v.is_empty()).then(|| (f.to_string(), v.to_string()))
                })
                .collect(),
            amounts: Amounts::of(q),
            count: 0,
            pages: 1,
        }
    }

    /// An amount of a row in the unit chosen (a field or a computed amount, as the template
    /// has it).
    pub fn money(&self, m: impl std::borrow::Borrow<Money>) -> String {
        self.amounts.money(m)
    }

    /// A column's total (see [`total`]) in the unit chosen.
    pub fn shown(&self, total: Option<Money>) -> String {
        self.amounts.total(total)
    }

    /// The unit of the amount columns: 元 or 万元.
    pub fn unit(&self) -> &'static str {
        self.amounts.unit()
    }

    /// This page of the list in 万元 (`wan`) or in 元, the filters, sort and page kept.
    pub fn amounts_link(&self, wan: bool) -> String {
        let other = Listing {
            amounts: Amounts { wan },
            ..self.clone()
        };
        other.here()
    }

    /// A filter as given (trimmed), empty when not.
    pub fn filter(&self, name: &str) -> &str {
        self.filters
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A filter that names an id (a unit, a department), when it does.
    pub fn id_filter(&self, name: &str) -> Option<i64> {
        self.filter(name).parse().ok()
    }

    /// Sorts `rows` by the chosen key (`key` gives a row's value for a key); a stable sort, so
    /// equal rows keep the list's own order. Without a chosen key the rows stay as they are.
    pub fn sort<T>(&self, rows: &mut [T], key: impl Fn(&T, &str) -> Key) {
        if self.sort.is_empty() {
            return;
        }
        rows.sort_by(|a, b| {
            let o = key(a, &self.sort).cmp(&key(b, &self.sort));
            if self.desc { o.reverse() } else { o }
        });
    }

    /// The page's rows of `rows` (all filtered and sorted); counts them and their pages. A page
    /// past the last shows the last.
    pub fn paginate<T>(&mut self, rows: Vec<T>) -> Vec<T> {
        self.count = rows.len();
        self.pages = self.count.div_ceil(PER_PAGE).max(1);
        self.page = self.page.min(self.pages);
        rows.into_iter()
            .skip((self.page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .collect()
    }

    fn link(&self, extra: &[(&str, String)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.filters {
            s.append_pair(k, v);
        }
        if self.amounts.wan {
            s.append_pair("amounts", "wan");
        }
        for (k, v) in extra {
            s.append_pair(k, v);
        }
        let q = s.finish();
        if q.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{q}", self.path)
        }
    }

    fn sort_pairs(&self) -> Vec<(&str, String)> {
        if self.sort.is_empty() {
            return Vec::new();
        }
        let mut v = vec![("sort", self.sort.clone())];
        if self.desc {
            v.push(("dir", "desc".into()));
        }
        v
    }

    /// A column header's link: sorts by `key`, ascending first, the other way when it is
    /// already the sort; back to the first page, with the filters.
    pub fn sort_link(&self, key: &str) -> String {
        let desc = self.sort == key && !self.desc;
        let mut extra = vec![("sort", key.to_string())];
        if desc {
            extra.push(("dir", "desc".into()));
        }
        self.link(&extra)
    }

    /// The arrow beside the header sorted by.
    pub fn arrow(&self, key: &str) -> &'static str {
        match (self.sort == key, self.desc) {
            (false, _) => "",
            (true, false) => " ↑",
            (true, true) => " ↓",
        }
    }

    /// `aria-sort` of a header.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort == key, self.desc) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    /// The link to page `n` with the filters and the sort.
    pub fn page_link(&self, n: &usize) -> String {
        let mut extra = self.sort_pairs();
        extra.push(("page", n.to_string()));
        self.link(&extra)
    }

    /// The current address (filters, sort, page), for a form that comes back to it.
    pub fn here(&self) -> String {
        self.page_link(&self.page)
    }

    /// "共 123 条，第 2/7 页".
    pub fn summary(&self) -> String {
        format!("共 {} 条，第 {}/{} 页", self.count, self.page, self.pages)
    }

    /// The page numbers to show: the first, the last and two on each side of the current;
    /// `None` where some are left out.
    pub fn numbers(&self) -> Vec<Option<usize>> {
        let mut out = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            let near = n.abs_diff(self.page) <= 2;
            if n == 1 || n == self.pages || near {
                if n > last + 1 {
                    out.push(None);
                }
                out.push(Some(n));
                last = n;
            }
        }
        out
    }

    pub fn prev(&self) -> Option<usize> {
        (self.page > 1).then(|| self.page - 1)
    }

    pub fn next(&self) -> Option<usize> {
        (self.page < self.pages).then(|| self.page + 1)
    }
}

/// The sum of an amount column over `rows`, exact to the fen; `None` only past the range of
/// money.
pub fn total<T>(rows: &[T], amount: impl Fn(&T) -> Money) -> Option<Money> {
    Money::checked_sum(rows.iter().map(amount))
}

/// The organisations the caller sees: names by id, and the units to filter by as
/// "code name", in order of code.
pub struct Orgs {
    pub names: HashMap<i64, String>,
    pub units: Vec<(i64, String)>,
}

impl Orgs {
    pub async fn of(state: &AppState, id: &Identity) -> AppResult<Orgs> {
        let mut orgs = state
            .app
            .foundation()
            .list_organisations(&id.scope())
            .await?;
        orgs.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Orgs {
            units: orgs
                .iter()
                .filter(|o| o.kind == OrgKind::Unit)
                .map(|o| (o.id, format!("{} {}", o.code, o.name)))
                .collect(),
            names: orgs.into_iter().map(|o| (o.id, o.name)).collect(),
        })
    }

    /// An organisation's name; empty when the caller does not see it.
    pub fn name(&self, id: &i64) -> &str {
        self.names.get(id).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_unknown_sort_key_keeps_the_lists_order_and_links_keep_the_filters() {
        let l = Listing::new(
            "/projects",
            &q(&[("sort", "password"), ("state", "funded"), ("x", "y")]),
            &["amount"],
            &["state"],
        );
        assert_eq!(l.sort, "");
        assert_eq!(l.sort_link("amount"), "/projects?state=funded&sort=amount");
        let l = Listing::new(
            "/projects",
            &q(&[("sort", "amount"), ("state", "funded")]),
            &["amount"],
            &["state"],
        );
        assert_eq!(
            l.sort_link("amount"),
            "/projects?state=funded&sort=amount&dir=desc"
        );
        assert_eq!(l.arrow("amount"), " ↑");
    }

    #[test]
    fn pages_count_every_row_and_a_page_past_the_end_shows_the_last() {
        let mut l = Listing::new("/p", &q(&[("page", "9")]), &[], &[]);
        let rows = l.paginate((0..123).collect::<Vec<_>>());
        assert_eq!((l.count, l.pages, l.page), (123, 3, 3));
        assert_eq!(rows, (100..123).collect::<Vec<_>>());
        assert_eq!(l.summary(), "共 123 条，第 3/3 页");
        let mut l = Listing::new("/p", &q(&[("page", "6")]), &[], &[]);
        l.paginate((0..1000).collect::<Vec<_>>());
        assert_eq!(
            l.numbers(),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(20)
            ]
        );
    }

    #[test]
    fn totals_are_exact_to_the_fen_in_yuan_and_in_wan() {
        let rows = [Money::from_fen(1), Money::from_fen(1_000_000_000_099)];
        let yuan = Listing::new("/p", &q(&[]), &[], &[]);
        assert_eq!(yuan.shown(total(&rows, |m| *m)), "10,000,000,001.00");
        let wan = Listing::new("/p", &q(&[("amounts", "wan"), ("page", "2")]), &[], &[]);
        assert_eq!(wan.shown(total(&rows, |m| *m)), "1,000,000.0001");
        assert_eq!(wan.unit(), "万元");
        assert_eq!(wan.sort_link("amount"), "/p?amounts=wan&sort=amount");
        assert_eq!(wan.amounts_link(false), "/p?page=2");
    }
}
