//! The known payees of a scope (收款人): each distinct payee name, type and account of the
//! jurisdiction's past payments, most recently used first, for the payment form's picker.

use lingji_domain::execution::PayeeKind;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::corrupt;

/// A payee paid before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPayee {
    pub name: String,
    pub kind: PayeeKind,
    pub account: String,
}

/// Whose payees to read and which.
#[derive(Debug, Clone, Default)]
pub struct PayeeFilter {
    /// Only payments of this unit.
    pub unit_id: Option<i64>,
    /// Only payments of this department's units.
    pub department_id: Option<i64>,
    /// Only payees whose name contains this text (`%` and `_` are taken as text, dropped).
    pub search: Option<String>,
    /// At most this many.
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct PayeeRow {
    payee_name: String,
    payee_kind: String,
    payee_account: String,
}

/// The distinct payees (name, type, account) of the jurisdiction's payments the filter keeps,
/// the most recently used first (by the latest payment's id).
pub async fn known(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    f: &PayeeFilter,
) -> Result<Vec<KnownPayee>, StoreError> {
    let search = f
        .search
        .as_deref()
        .map(|s| s.replace(['%', '_'], ""))
        .filter(|s| !s.trim().is_empty())
        .map(|s| format!("%{}%", s.trim()));
    crate::read_all(
        conn,
        sqlx::query_as::<_, PayeeRow>(
            "SELECT payee_name, payee_kind, payee_account FROM payments \
             WHERE jurisdiction_id = $1 AND ($2 IS NULL OR unit_id = $2) \
             AND ($3 IS NULL OR department_id = $3) AND ($4 IS NULL OR payee_name LIKE $4) \
             GROUP BY payee_name, payee_kind, payee_account \
             ORDER BY MAX(id) DESC LIMIT $5",
        )
        .bind(jurisdiction_id)
        .bind(f.unit_id)
        .bind(f.department_id)
        .bind(search)
        .bind(f.limit),
        |r| {
            Ok(KnownPayee {
                kind: PayeeKind::parse(&r.payee_kind)
                    .ok_or_else(|| corrupt(format!("payee kind {}", r.payee_kind)))?,
                name: r.payee_name,
                account: r.payee_account,
            })
        },
    )
    .await
}
