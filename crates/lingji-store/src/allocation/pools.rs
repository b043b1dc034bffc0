//! Fund pools 资金池 (ZX-3b): the pool, its member special funds and the applications to it,
//! with the amounts the allocation gave. A fund is in at most one pool a year (unique index
//! `fund_pool_members_fund`).

use lingji_domain::Money;
use lingji_domain::allocation::pool::{PoolDraft, Taken};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// A pool as stored, with its lead department's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Pool {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub name: String,
    pub lead_department_id: i64,
    /// 牵头部门.
    pub lead_department: String,
    /// 申报截止日期 (YYYY-MM-DD).
    pub deadline: String,
    /// 资金池规模: the members' amounts added up.
    #[schema(value_type = String)]
    pub size: Money,
    /// When the allocation was decided (None while applications are taken).
    pub allocated_at: Option<String>,
    /// Who decided it (display name).
    pub allocated_by: Option<String>,
    /// The allocation's document number (分配方案文号).
    pub document: Option<String>,
    pub version: i64,
    pub created_at: String,
}

#[derive(sqlx::FromRow)]
struct PoolRow {
    id: i64,
    jurisdiction_id: i64,
    fiscal_year: i64,
    name: String,
    lead_department_id: i64,
    lead_department: String,
    deadline: String,
    size: i64,
    allocated_at: Option<String>,
    allocated_by: Option<String>,
    document: Option<String>,
    version: i64,
    created_at: String,
}

impl TryFrom<PoolRow> for Pool {
    type Error = StoreError;
    fn try_from(r: PoolRow) -> Result<Pool, StoreError> {
        Ok(Pool {
            id: r.id,
            jurisdiction_id: r.jurisdiction_id,
            fiscal_year: i32::try_from(r.fiscal_year)
                .map_err(|_| StoreError::Corrupt("fund_pools.fiscal_year".into()))?,
            name: r.name,
            lead_department_id: r.lead_department_id,
            lead_department: r.lead_department,
            deadline: r.deadline,
            size: Money::from_fen(r.size),
            allocated_at: r.allocated_at,
            allocated_by: r.allocated_by,
            document: r.document,
            version: r.version,
            created_at: r.created_at,
        })
    }
}

macro_rules! pool_columns {
    () => {
        "SELECT p.id, p.jurisdiction_id, p.fiscal_year, p.name, p.lead_department_id, \
     o.name AS lead_department, p.deadline, p.size, p.allocated_at, p.allocated_by, p.document, \
     p.version, p.created_at FROM fund_pools p JOIN organisations o ON o.id = p.lead_department_id"
    };
}

/// A member special fund as stored, with its department's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredMember {
    pub fund_code: String,
    pub fund_name: String,
    pub department_id: i64,
    /// 主管部门.
    pub department: String,
    #[schema(value_type = String)]
    pub amount: Money,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    fund_code: String,
    fund_name: String,
    department_id: i64,
    department: String,
    amount: i64,
}

/// An application to a pool with its project, unit and what the allocation gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    pub pool_id: i64,
    pub project_id: i64,
    pub project_code: String,
    pub project_name: String,
    pub unit_id: i64,
    /// 申报单位.
    pub unit: String,
    pub department_id: i64,
    /// 主管部门.
    pub department: String,
    /// 申请金额.
    #[schema(value_type = String)]
    pub requested: Money,
    /// 用途.
    pub purpose: String,
    /// 分配金额, once allocated.
    #[schema(value_type = Option<String>)]
    pub given: Option<Money>,
    /// Who applied (display name).
    pub applied_by: String,
    pub applied_at: String,
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: i64,
    pool_id: i64,
    project_id: i64,
    project_code: String,
    project_name: String,
    unit_id: i64,
    unit: String,
    department_id: i64,
    department: String,
    requested: i64,
    purpose: String,
    given: Option<i64>,
    applied_by: String,
    applied_at: String,
}

impl From<ApplicationRow> for Application {
    fn from(r: ApplicationRow) -> Application {
        Application {
            id: r.id,
            pool_id: r.pool_id,
            project_id: r.project_id,
            project_code: r.project_code,
            project_name: r.project_name,
            unit_id: r.unit_id,
            unit: r.unit,
            department_id: r.department_id,
            department: r.department,
            requested: Money::from_fen(r.requested),
            purpose: r.purpose,
            given: r.given.map(Money::from_fen),
            applied_by: r.applied_by,
            applied_at: r.applied_at,
        }
    }
}

/// The pools of a year, oldest first.
pub async fn pools(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<Pool>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, PoolRow>(concat!(
            pool_columns!(),
            " WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 ORDER BY p.id"
        ))
        .bind(jurisdiction_id)
        .bind(i64::from(year)),
        Pool::try_from,
    )
    .await
}

/// One pool.
pub async fn pool(conn: &mut AnyConnection, id: i64) -> Result<Option<Pool>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, PoolRow>(concat!(pool_columns!(), " WHERE p.id = $1")).bind(id),
        Pool::try_from,
    )
    .await
}

/// Locks a pool's row for the transaction (PostgreSQL; SQLite's writer lock already does) so
/// an application and the allocation, or two allocations, never interleave.
pub async fn lock(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE fund_pools SET version = version WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A pool's members in the order finance listed them.
pub async fn members(
    conn: &mut AnyConnection,
    pool_id: i64,
) -> Result<Vec<StoredMember>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, MemberRow>(
            "SELECT m.fund_code, m.fund_name, m.department_id, o.name AS department, m.amount \
         FROM fund_pool_members m JOIN organisations o ON o.id = m.department_id \
         WHERE m.pool_id = $1 ORDER BY m.position",
        )
        .bind(pool_id),
        |r| {
            Ok(StoredMember {
                fund_code: r.fund_code,
                fund_name: r.fund_name,
                department_id: r.department_id,
                department: r.department,
                amount: Money::from_fen(r.amount),
            })
        },
    )
    .await
}

/// The funds already in a pool of the year other than `except`, with that pool's name.
pub async fn taken(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    except: Option<i64>,
) -> Result<Vec<Taken>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.fund_code, p.name FROM fund_pool_members m JOIN fund_pools p ON p.id = m.pool_id \
         WHERE m.jurisdiction_id = $1 AND m.fiscal_year = $2 AND m.pool_id <> $3",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(except.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(fund_code, pool_name)| Taken {
            fund_code,
            pool_name,
        })
        .collect())
}

async fn insert_members(
    conn: &mut AnyConnection,
    pool_id: i64,
    jurisdiction_id: i64,
    d: &PoolDraft,
) -> Result<(), StoreError> {
    for (i, m) in d.members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO fund_pool_members (pool_id, jurisdiction_id, fiscal_year, position, fund_code, \
             fund_name, department_id, amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(pool_id)
        .bind(jurisdiction_id)
        .bind(i64::from(d.fiscal_year))
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .bind(m.fund_code.trim())
        .bind(m.fund_name.trim())
        .bind(m.department_id)
        .bind(m.amount.fen())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Inserts a checked pool with its members; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    d: &PoolDraft,
    size: Money,
    actor: &str,
) -> Result<i64, StoreError> {
    let now = now_text();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO fund_pools (jurisdiction_id, fiscal_year, name, lead_department_id, deadline, size, \
         version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(d.fiscal_year))
    .bind(d.name.trim())
    .bind(d.lead_department_id.unwrap_or_default())
    .bind(d.deadline.map(|x| x.to_string()).unwrap_or_default())
    .bind(size.fen())
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    insert_members(conn, id, jurisdiction_id, d).await?;
    Ok(id)
}

/// Replaces a pool's terms and members if it is still at `expected_version`.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    jurisdiction_id: i64,
    d: &PoolDraft,
    size: Money,
    expected_version: i64,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE fund_pools SET name = $1, lead_department_id = $2, deadline = $3, size = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND allocated_at IS NULL",
    )
    .bind(d.name.trim())
    .bind(d.lead_department_id.unwrap_or_default())
    .bind(d.deadline.map(|x| x.to_string()).unwrap_or_default())
    .bind(size.fen());
    crate::update_versioned(conn, query, id, expected_version).await?;
    sqlx::query("DELETE FROM fund_pool_members WHERE pool_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_members(conn, id, jurisdiction_id, d).await
}

macro_rules! application_columns {
    () => {
        "SELECT a.id, a.pool_id, a.project_id, p.code AS project_code, \
     p.name AS project_name, a.unit_id, u.name AS unit, a.department_id, d.name AS department, \
     a.requested, a.purpose, a.given, a.applied_by, a.applied_at FROM fund_pool_applications a \
     JOIN projects p ON p.id = a.project_id JOIN organisations u ON u.id = a.unit_id \
     JOIN organisations d ON d.id = a.department_id"
    };
}

/// A pool's applications in the order they came.
pub async fn applications(
    conn: &mut AnyConnection,
    pool_id: i64,
) -> Result<Vec<Application>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, ApplicationRow>(concat!(
            application_columns!(),
            " WHERE a.pool_id = $1 ORDER BY a.id"
        ))
        .bind(pool_id),
        |r| Ok(Application::from(r)),
    )
    .await
}

/// One application to insert.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub pool_id: i64,
    pub project_id: i64,
    pub unit_id: i64,
    pub department_id: i64,
    pub requested: Money,
    pub purpose: &'a str,
    pub actor: &'a str,
}

/// Inserts an application; a project applying twice meets the unique index (a conflict).
pub async fn apply(conn: &mut AnyConnection, a: &NewApplication<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO fund_pool_applications (pool_id, project_id, unit_id, department_id, requested, \
         purpose, applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.pool_id)
    .bind(a.project_id)
    .bind(a.unit_id)
    .bind(a.department_id)
    .bind(a.requested.fen())
    .bind(a.purpose)
    .bind(a.actor)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Records what the allocation gave an application.
pub async fn give(conn: &mut AnyConnection, id: i64, given: Money) -> Result<(), StoreError> {
    sqlx::query("UPDATE fund_pool_applications SET given = $1 WHERE id = $2")
        .bind(given.fen())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks the pool allocated if it is still at `expected_version` and not allocated yet.
pub async fn mark_allocated(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
    document: &str,
    expected_version: i64,
) -> Result<(), StoreError> {
    let now = now_text();
    let query = sqlx::query(
        "UPDATE fund_pools SET allocated_at = $1, allocated_by = $2, document = $3, version = version + 1, \
         updated_at = $4 WHERE id = $5 AND version = $6 AND allocated_at IS NULL",
    )
    .bind(now)
    .bind(actor)
    .bind(document);
    crate::update_versioned(conn, query, id, expected_version).await
}
