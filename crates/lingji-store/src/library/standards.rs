//! The expenditure standards catalogue (支出标准, ZB-14, ZX-std) of a jurisdiction.

use lingji_domain::Money;
use lingji_domain::foundation::org::UnitKind;
use lingji_domain::library::cost::{Standard, StandardCategory};
use sqlx::AnyConnection;

use crate::error::StoreError;

macro_rules! standard_columns {
    () => {
        "id, code, name, category, unit_of_measure, amount, unit_kinds, from_year, to_year, source"
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    code: String,
    name: String,
    category: String,
    unit_of_measure: String,
    amount: i64,
    unit_kinds: String,
    from_year: i64,
    to_year: Option<i64>,
    source: String,
}

impl TryFrom<Row> for Standard {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = |e: lingji_domain::Refusal| StoreError::Corrupt(e.message);
        let year = |y: i64| i32::try_from(y).map_err(|e| StoreError::Corrupt(e.to_string()));
        Ok(Standard {
            id: r.id,
            code: r.code,
            name: r.name,
            category: StandardCategory::parse(&r.category).map_err(corrupt)?,
            unit_of_measure: r.unit_of_measure,
            amount: Money::from_fen(r.amount),
            unit_kinds: r
                .unit_kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(UnitKind::parse)
                .collect::<Result<_, _>>()
                .map_err(corrupt)?,
            from_year: year(r.from_year)?,
            to_year: r.to_year.map(year).transpose()?,
            source: r.source,
        })
    }
}

/// Adds a standard; a taken code is a conflict.
pub async fn insert(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    s: &Standard,
) -> Result<i64, StoreError> {
    let kinds: Vec<&str> = s.unit_kinds.iter().map(|k| k.as_str()).collect();
    Ok(sqlx::query_scalar(
        "INSERT INTO standards (jurisdiction_id, code, name, category, unit_of_measure, amount, unit_kinds, from_year, to_year, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(&s.code)
    .bind(&s.name)
    .bind(s.category.as_str())
    .bind(&s.unit_of_measure)
    .bind(s.amount.fen())
    .bind(kinds.join(","))
    .bind(i64::from(s.from_year))
    .bind(s.to_year.map(i64::from))
    .bind(&s.source)
    .fetch_one(&mut *conn)
    .await?)
}

/// One standard of a jurisdiction.
pub async fn get(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    id: i64,
) -> Result<Option<Standard>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            standard_columns!(),
            " FROM standards WHERE jurisdiction_id = $1 AND id = $2"
        ))
        .bind(jurisdiction_id)
        .bind(id),
        Standard::try_from,
    )
    .await
}

/// The whole catalogue of a jurisdiction, by category and code.
pub async fn list(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<Vec<Standard>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            standard_columns!(),
            " FROM standards WHERE jurisdiction_id = $1 ORDER BY category, code"
        ))
        .bind(jurisdiction_id),
        Standard::try_from,
    )
    .await
}

/// An entry of the indicator library (PM-4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct LibraryIndicator {
    pub id: i64,
    /// 通用 or a sector, e.g. 教育.
    pub sector: String,
    /// Indicator category identifier.
    pub category: String,
    pub name: String,
    pub comparator: String,
    pub unit: String,
}

/// Adds an indicator to a jurisdiction's library.
pub async fn insert_indicator(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    i: &LibraryIndicator,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO indicator_library (jurisdiction_id, sector, category, name, comparator, unit) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(&i.sector)
    .bind(&i.category)
    .bind(&i.name)
    .bind(&i.comparator)
    .bind(&i.unit)
    .fetch_one(&mut *conn)
    .await?)
}

/// The library of a jurisdiction: the common frame first, then by sector and name.
pub async fn indicators(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<Vec<LibraryIndicator>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, sector, category, name, comparator, unit FROM indicator_library WHERE jurisdiction_id = $1 \
         ORDER BY sector <> '通用', sector, id",
    )
    .bind(jurisdiction_id)
    .fetch_all(&mut *conn)
    .await?)
}
