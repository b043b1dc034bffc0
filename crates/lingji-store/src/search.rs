//! What the store's list searches share (payments, projects): a WHERE built only of fixed
//! fragments for the filters given, the values bound in order, text matched literally, and
//! orders by label. Nothing a person types reaches the SQL text: it is always a bound value.

use lingji_domain::Labelled;

/// A value bound to a search's statement.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// A WHERE grown one fixed fragment at a time; `?` in a fragment becomes the next `$n`.
#[derive(Debug, Clone)]
pub(crate) struct Where {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Where {
    /// The first condition (`?` its value).
    pub fn new(first: &'static str, arg: Arg) -> Where {
        let mut w = Where {
            sql: String::from(" WHERE"),
            args: Vec::new(),
        };
        w.and(first, arg);
        w
    }

    /// A WHERE that starts from a fixed condition already numbered `$1`…`$n` for `args`.
    pub fn numbered(condition: &'static str, args: Vec<Arg>) -> Where {
        Where {
            sql: format!(" WHERE {condition}"),
            args,
        }
    }

    /// Adds a fragment with one value; every `?` in it is that value.
    pub fn and(&mut self, fragment: &'static str, arg: Arg) {
        self.args.push(arg);
        self.sql
            .push_str(&fragment.replace('?', &format!("${}", self.args.len())));
    }

    /// Adds the fragment when the filter is given.
    pub fn and_int(&mut self, fragment: &'static str, value: Option<i64>) {
        if let Some(v) = value {
            self.and(fragment, Arg::Int(v));
        }
    }

    /// Adds the fragment when the filter is given.
    pub fn and_text(&mut self, fragment: &'static str, value: Option<&str>) {
        if let Some(v) = value {
            self.and(fragment, Arg::Text(v.to_string()));
        }
    }
}

/// Binds a search's values in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::search::Arg::Int(v) => q.bind(v),
                $crate::search::Arg::Text(t) => q.bind(t),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// How many rows of `table` the WHERE finds and the sum of `column` over them, exact (PostgreSQL
/// sums BIGINT as NUMERIC: cast back, and the cast refuses a sum past BIGINT rather than
/// rounding it). `table` and `column` are the caller's constants.
pub(crate) async fn count_and_sum(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    column: &str,
    w: &Where,
) -> Result<(i64, i64), crate::error::StoreError> {
    Ok(bind_args!(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM {table}{}",
            w.sql
        ))),
        w.args.clone()
    )
    .fetch_one(conn)
    .await?)
}

/// A text column as an ORDER BY term comparing by code point on both backends (`COLLATE "C"`
/// on PostgreSQL, SQLite's own binary order), as a page sorting the strings would.
pub(crate) fn by_code_point(column: &str, postgres: bool) -> String {
    if postgres {
        format!("{column} COLLATE \"C\"")
    } else {
        column.to_string()
    }
}

/// `%`, `_` and the escape character itself taken literally in a `LIKE … ESCAPE '\'` pattern
/// that finds `text` anywhere.
pub fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// An ORDER BY term that puts a stored identifier in the order of its Chinese label, as a
/// page sorting the labels would (code point order), with an absent value first. The
/// identifiers are the enum's own constants, never input.
pub(crate) fn by_label<T: Labelled>(column: &str) -> String {
    let mut sorted: Vec<&T> = T::ALL.iter().collect();
    sorted.sort_by_key(|v| v.label());
    let mut sql = format!("CASE {column}");
    for (i, v) in sorted.iter().enumerate() {
        debug_assert!(
            v.code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_')
        );
        sql.push_str(&format!(" WHEN '{}' THEN {i}", v.code()));
    }
    sql.push_str(" ELSE -1 END");
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("办公"), "%办公%");
    }

    #[test]
    fn each_value_takes_the_next_number() {
        let mut w = Where::new(" p.jurisdiction_id = ?", Arg::Int(7));
        w.and_int(" AND p.unit_id = ?", None);
        w.and_text(" AND p.state = ?", Some("submitted"));
        w.and(
            " AND (p.name LIKE ? OR p.code LIKE ?)",
            Arg::Text("%a%".into()),
        );
        assert_eq!(
            w.sql,
            " WHERE p.jurisdiction_id = $1 AND p.state = $2 AND (p.name LIKE $3 OR p.code LIKE $3)"
        );
        assert_eq!(w.args.len(), 3);
    }

    #[test]
    fn labels_order_the_identifiers_and_absence_comes_first() {
        // 发展和改革委员会 < 数据局 < 组织部 by code point.
        assert_eq!(
            by_label::<lingji_domain::review::routing::JointBody>("r.body"),
            "CASE r.body WHEN 'development_reform' THEN 0 WHEN 'data_bureau' THEN 1 \
             WHEN 'organisation_department' THEN 2 ELSE -1 END"
        );
    }
}
