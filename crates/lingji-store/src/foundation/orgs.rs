//! Organisations: jurisdictions, departments and units, with staffing.

use lingji_domain::foundation::org::{OrgKind, OrgPath, Staffing, UnitKind};
use lingji_domain::money::Money;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: i64,
    pub kind: OrgKind,
    /// Code, unique in the jurisdiction (区划 code for a jurisdiction).
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    /// Place in the tree.
    pub path: OrgPath,
    /// 单位类型, units only.
    pub unit_kind: Option<UnitKind>,
    /// Joint-review body this department acts as (e.g. `data_bureau`), when it is one (ZB-5e).
    pub review_body: Option<String>,
    pub staffing: Staffing,
    /// Units: own funds available for the coming year (ZB-11: spent before new money).
    pub own_funds: Money,
    /// Row version for optimistic concurrency.
    pub version: i64,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    code: String,
    name: String,
    parent_id: Option<i64>,
    jurisdiction_id: Option<i64>,
    department_id: Option<i64>,
    unit_kind: Option<String>,
    review_body: Option<String>,
    authorized_posts: i64,
    actual_staff: i64,
    retired_staff: i64,
    contract_staff: i64,
    contract_quota: i64,
    own_funds: i64,
    version: i64,
    updated_at: String,
}

macro_rules! org_columns {
    () => {
        "id, kind, code, name, parent_id, jurisdiction_id, department_id, unit_kind, \
     review_body, authorized_posts, actual_staff, retired_staff, contract_staff, contract_quota, \
     own_funds, version, updated_at"
    };
}

impl TryFrom<Row> for Organisation {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let kind = OrgKind::parse(&r.kind).map_err(|e| StoreError::Corrupt(e.message))?;
        let unit_kind = r
            .unit_kind
            .as_deref()
            .map(UnitKind::parse)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.message))?;
        let path = OrgPath {
            jurisdiction: r.jurisdiction_id.unwrap_or(r.id),
            department: match kind {
                OrgKind::Jurisdiction => None,
                OrgKind::Department => Some(r.id),
                OrgKind::Unit => r.department_id,
            },
            unit: (kind == OrgKind::Unit).then_some(r.id),
        };
        Ok(Organisation {
            id: r.id,
            kind,
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            path,
            unit_kind,
            review_body: r.review_body,
            staffing: Staffing {
                authorized_posts: r.authorized_posts,
                actual_staff: r.actual_staff,
                retired_staff: r.retired_staff,
                contract_staff: r.contract_staff,
                contract_quota: r.contract_quota,
            },
            own_funds: Money::from_fen(r.own_funds),
            version: r.version,
            updated_at: r.updated_at,
        })
    }
}

/// What a new organisation needs.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub kind: OrgKind,
    pub code: String,
    pub name: String,
    /// Parent: none for a jurisdiction, the jurisdiction for a department, a department for a
    /// unit.
    pub parent: Option<OrgPath>,
    /// 区划 code, jurisdictions only.
    pub region_code: Option<String>,
    /// Unit kind, units only.
    pub unit_kind: Option<UnitKind>,
    /// Joint-review body, departments only.
    pub review_body: Option<String>,
    pub staffing: Staffing,
}

/// Inserts an organisation and returns its id.
pub async fn insert(conn: &mut AnyConnection, new: &NewOrganisation) -> Result<i64, StoreError> {
    let now = now_text();
    let (jurisdiction_id, department_id) = match (&new.kind, &new.parent) {
        (OrgKind::Jurisdiction, _) => (None, None),
        (OrgKind::Department, Some(p)) => (Some(p.jurisdiction), None),
        (OrgKind::Unit, Some(p)) => (Some(p.jurisdiction), p.department),
        (_, None) => {
            return Err(StoreError::Corrupt(
                "department or unit without parent".into(),
            ));
        }
    };
    let s = &new.staffing;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organisations (kind, code, name, parent_id, jurisdiction_id, department_id, \
         region_code, unit_kind, review_body, authorized_posts, actual_staff, retired_staff, \
         contract_staff, contract_quota, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(new.kind.as_str())
    .bind(&new.code)
    .bind(&new.name)
    .bind(new.parent.map(|p| p.leaf()))
    .bind(jurisdiction_id)
    .bind(department_id)
    .bind(&new.region_code)
    .bind(new.unit_kind.map(|k| k.as_str()))
    .bind(&new.review_body)
    .bind(s.authorized_posts)
    .bind(s.actual_staff)
    .bind(s.retired_staff)
    .bind(s.contract_staff)
    .bind(s.contract_quota)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    if new.kind == OrgKind::Jurisdiction {
        // A jurisdiction is its own jurisdiction, so one unique index covers every code.
        sqlx::query("UPDATE organisations SET jurisdiction_id = $1 WHERE id = $2")
            .bind(id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Organisation>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(id),
        Organisation::try_from,
    )
    .await
}

/// One organisation by its code within a jurisdiction.
pub async fn find_by_code(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    code: &str,
) -> Result<Option<Organisation>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE jurisdiction_id = $1 AND code = $2"
        ))
        .bind(jurisdiction_id)
        .bind(code),
        Organisation::try_from,
    )
    .await
}

/// Organisations with this code in any jurisdiction (for the CLI, which has no jurisdiction).
pub async fn find_by_code_anywhere(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<Organisation>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE code = $1 ORDER BY id"
        ))
        .bind(code),
        Organisation::try_from,
    )
    .await
}

pub async fn jurisdictions(conn: &mut AnyConnection) -> Result<Vec<Organisation>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE kind = 'jurisdiction' ORDER BY id"
        )),
        Organisation::try_from,
    )
    .await
}

/// The names of a jurisdiction's organisations by id (for lists that show departments and
/// units by name).
pub async fn names(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let orgs = list(conn, jurisdiction_id, None).await?;
    Ok(orgs.into_iter().map(|o| (o.id, o.name)).collect())
}

/// The organisations of a jurisdiction at or below `within` (an organisation id), ordered by
/// code so that departments precede their units.
pub async fn list(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    within: Option<i64>,
) -> Result<Vec<Organisation>, StoreError> {
    let rows: Vec<Row> = match within {
        None => sqlx::query_as(concat!(
            "SELECT ",
            org_columns!(),
            " FROM organisations WHERE jurisdiction_id = $1 ORDER BY kind <> 'jurisdiction', code"
        ))
        .bind(jurisdiction_id)
        .fetch_all(&mut *conn)
        .await?,
        Some(org) => {
            sqlx::query_as(concat!(
                "SELECT ",
                org_columns!(),
                " FROM organisations WHERE jurisdiction_id = $1 \
                 AND (id = $2 OR department_id = $2 OR jurisdiction_id = $2) \
                 ORDER BY kind <> 'jurisdiction', code"
            ))
            .bind(jurisdiction_id)
            .bind(org)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.into_iter().map(Organisation::try_from).collect()
}

/// Replaces a unit's staffing if nobody changed the row since `expected_version`.
pub async fn update_staffing(
    conn: &mut AnyConnection,
    id: i64,
    staffing: &Staffing,
    expected_version: i64,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE organisations SET authorized_posts = $1, actual_staff = $2, retired_staff = $3, \
         contract_staff = $4, contract_quota = $5, version = version + 1, updated_at = $6 \
         WHERE id = $7 AND version = $8",
    )
    .bind(staffing.authorized_posts)
    .bind(staffing.actual_staff)
    .bind(staffing.retired_staff)
    .bind(staffing.contract_staff)
    .bind(staffing.contract_quota);
    crate::update_versioned(conn, query, id, expected_version).await
}

/// Renames an organisation and sets its unit kind and review body.
pub async fn update_details(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    unit_kind: Option<UnitKind>,
    review_body: Option<&str>,
    expected_version: i64,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE organisations SET name = $1, unit_kind = $2, review_body = $3, \
         version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
    )
    .bind(name)
    .bind(unit_kind.map(|k| k.as_str()))
    .bind(review_body);
    crate::update_versioned(conn, query, id, expected_version).await
}

/// Number of organisations in the whole database (zero means a fresh database).
pub async fn count_all(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
        .fetch_one(&mut *conn)
        .await?)
}

/// A fiscal year of a jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FiscalYear {
    pub year: i32,
    /// Whether it is the current one.
    pub current: bool,
}

/// Fiscal years of a jurisdiction, with the current one flagged.
pub async fn fiscal_years(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<Vec<FiscalYear>, StoreError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT year, is_current FROM fiscal_years WHERE jurisdiction_id = $1 ORDER BY year",
    )
    .bind(jurisdiction_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(y, c)| FiscalYear {
            year: i32::try_from(y).unwrap_or_default(),
            current: c != 0,
        })
        .collect())
}

/// Adds a fiscal year; `current` makes it the jurisdiction's current year.
pub async fn add_fiscal_year(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    current: bool,
) -> Result<(), StoreError> {
    if current {
        sqlx::query("UPDATE fiscal_years SET is_current = 0 WHERE jurisdiction_id = $1")
            .bind(jurisdiction_id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("INSERT INTO fiscal_years (jurisdiction_id, year, is_current) VALUES ($1, $2, $3)")
        .bind(jurisdiction_id)
        .bind(i64::from(year))
        .bind(i64::from(current))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a unit's own funds if the record is still at `expected_version`.
pub async fn set_own_funds(
    conn: &mut AnyConnection,
    id: i64,
    amount: lingji_domain::Money,
    expected_version: i64,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE organisations SET own_funds = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
    )
    .bind(amount.fen());
    crate::update_versioned(conn, query, id, expected_version).await
}
