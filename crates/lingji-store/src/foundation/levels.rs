//! Levels of jurisdiction: which jurisdiction sits above which (`organisations.upper_id`,
//! migration 0020).

use sqlx::AnyConnection;

use crate::error::StoreError;

/// A jurisdiction with the one directly above it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JurisdictionRow {
    pub id: i64,
    /// Its 区划 code.
    pub code: String,
    pub name: String,
    pub upper_id: Option<i64>,
}

/// Every jurisdiction of the deployment with its upper, by 区划 code (a province's tree reads
/// in code order: the province, then each city followed by its counties).
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<JurisdictionRow>, StoreError> {
    Ok(sqlx::query_as::<_, JurisdictionRow>(
        "SELECT id, code, name, upper_id FROM organisations
         WHERE kind = 'jurisdiction' ORDER BY code",
    )
    .fetch_all(conn)
    .await?)
}

/// Places `lower` under `upper`; the rule catalogues of `lower` and below it are stale from
/// now on (their upper's rules screen their payments, ZX-4b).
pub async fn set_upper(conn: &mut AnyConnection, lower: i64, upper: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE organisations SET upper_id = $1 WHERE id = $2 AND kind = 'jurisdiction'")
        .bind(upper)
        .bind(lower)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE rule_catalogues SET version = version + 1 WHERE jurisdiction_id = $1")
        .bind(lower)
        .execute(&mut *conn)
        .await?;
    crate::execution::rules::bump_below(conn, lower).await
}

/// The jurisdictions above `jurisdiction` with their 区划 codes, nearest first.
pub async fn uppers(
    conn: &mut AnyConnection,
    jurisdiction: i64,
) -> Result<Vec<JurisdictionRow>, StoreError> {
    let ids = above(conn, jurisdiction).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let all = all(conn).await?;
    Ok(ids
        .iter()
        .filter_map(|id| all.iter().find(|j| j.id == *id).cloned())
        .collect())
}

/// The ids of every jurisdiction below `jurisdiction`, at any depth.
pub async fn below(conn: &mut AnyConnection, jurisdiction: i64) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "WITH RECURSIVE down (id) AS (
             SELECT id FROM organisations WHERE upper_id = $1 AND kind = 'jurisdiction'
             UNION ALL
             SELECT o.id FROM organisations o JOIN down d ON o.upper_id = d.id
             WHERE o.kind = 'jurisdiction'
         )
         SELECT id FROM down ORDER BY id",
    )
    .bind(jurisdiction)
    .fetch_all(conn)
    .await?)
}

/// The ids of the jurisdictions above `jurisdiction`, nearest first.
pub async fn above(conn: &mut AnyConnection, jurisdiction: i64) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "WITH RECURSIVE up (id, depth) AS (
             SELECT upper_id, 1 FROM organisations WHERE id = $1 AND upper_id IS NOT NULL
             UNION ALL
             SELECT o.upper_id, u.depth + 1 FROM organisations o JOIN up u ON o.id = u.id
             WHERE o.upper_id IS NOT NULL
         )
         SELECT id FROM up ORDER BY depth",
    )
    .bind(jurisdiction)
    .fetch_all(conn)
    .await?)
}
