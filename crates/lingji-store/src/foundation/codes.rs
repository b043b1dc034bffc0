//! Classification code tables (政府收支分类科目) per fiscal year.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// One function classification code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FunctionCodeRow {
    pub code: String,
    pub name: String,
    /// `class`, `section` or `item`.
    pub level: String,
    pub parent_code: Option<String>,
}

/// One economic classification code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EconomicCodeRow {
    pub code: String,
    pub name: String,
    /// `department` or `government`.
    pub code_set: String,
    pub parent_code: Option<String>,
    /// For a 部门 款: the 政府 款 it maps to (the crosswalk).
    pub government_code: Option<String>,
}

/// Where a year's table came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CodeTableInfo {
    pub fiscal_year: i64,
    /// `function` or `economic`.
    pub kind: String,
    pub source: String,
    pub row_count: i64,
    pub imported_at: String,
    pub imported_by: String,
}

/// Removes a year's table of one kind (before a replacement import, in the same transaction).
pub async fn clear(conn: &mut AnyConnection, year: i32, kind: &str) -> Result<(), StoreError> {
    let sql = match kind {
        "function" => "DELETE FROM function_codes WHERE fiscal_year = $1",
        _ => "DELETE FROM economic_codes WHERE fiscal_year = $1",
    };
    sqlx::query(sql)
        .bind(i64::from(year))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Inserts a function code.
pub async fn insert_function(
    conn: &mut AnyConnection,
    year: i32,
    row: &FunctionCodeRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO function_codes (fiscal_year, code, name, level, parent_code) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(i64::from(year))
    .bind(&row.code)
    .bind(&row.name)
    .bind(&row.level)
    .bind(&row.parent_code)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts an economic code.
pub async fn insert_economic(
    conn: &mut AnyConnection,
    year: i32,
    row: &EconomicCodeRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO economic_codes (fiscal_year, code, name, code_set, parent_code, government_code) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(i64::from(year))
    .bind(&row.code)
    .bind(&row.name)
    .bind(&row.code_set)
    .bind(&row.parent_code)
    .bind(&row.government_code)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records where a year's table came from.
pub async fn record_table(
    conn: &mut AnyConnection,
    year: i32,
    kind: &str,
    source: &str,
    row_count: i64,
    imported_by: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM code_tables WHERE fiscal_year = $1 AND kind = $2")
        .bind(i64::from(year))
        .bind(kind)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO code_tables (fiscal_year, kind, source, row_count, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(i64::from(year))
    .bind(kind)
    .bind(source)
    .bind(row_count)
    .bind(now_text())
    .bind(imported_by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The tables loaded, newest year first.
pub async fn tables(conn: &mut AnyConnection) -> Result<Vec<CodeTableInfo>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT fiscal_year, kind, source, row_count, imported_at, imported_by FROM code_tables \
         ORDER BY fiscal_year DESC, kind",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Function codes of a year, optionally those starting with `prefix`.
pub async fn function_codes(
    conn: &mut AnyConnection,
    year: i32,
    prefix: &str,
) -> Result<Vec<FunctionCodeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT code, name, level, parent_code FROM function_codes \
         WHERE fiscal_year = $1 AND code LIKE $2 ORDER BY code",
    )
    .bind(i64::from(year))
    .bind(format!("{}%", prefix.replace(['%', '_'], "")))
    .fetch_all(&mut *conn)
    .await?)
}

/// Economic codes of a year, optionally those starting with `prefix`.
pub async fn economic_codes(
    conn: &mut AnyConnection,
    year: i32,
    prefix: &str,
) -> Result<Vec<EconomicCodeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT code, name, code_set, parent_code, government_code FROM economic_codes \
         WHERE fiscal_year = $1 AND code LIKE $2 ORDER BY code",
    )
    .bind(i64::from(year))
    .bind(format!("{}%", prefix.replace(['%', '_'], "")))
    .fetch_all(&mut *conn)
    .await?)
}
