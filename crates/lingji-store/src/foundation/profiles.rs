//! Policy profiles, versioned per jurisdiction and fiscal year. A change adds a version; no
//! version is ever overwritten, so every past decision can be explained by the rules of its day.

use lingji_domain::foundation::policy::PolicyProfile;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// One stored version.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileVersion {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// Version, from 1.
    pub version: i64,
    /// Preset it started from.
    pub preset: String,
    pub profile: PolicyProfile,
    /// Why this version was made.
    pub note: String,
    /// Who made it.
    pub created_by: String,
    pub created_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    jurisdiction_id: i64,
    fiscal_year: i64,
    version: i64,
    preset: String,
    body: String,
    note: String,
    created_by: String,
    created_at: String,
}

impl TryFrom<Row> for ProfileVersion {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let profile = PolicyProfile::from_stored(&r.body, &r.preset)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(ProfileVersion {
            id: r.id,
            jurisdiction_id: r.jurisdiction_id,
            fiscal_year: i32::try_from(r.fiscal_year)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            version: r.version,
            preset: r.preset,
            profile,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

macro_rules! profile_columns {
    () => {
        "id, jurisdiction_id, fiscal_year, version, preset, body, note, created_by, created_at"
    };
}

/// A profile version to add (see [`insert_version`]).
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    /// The preset it started from.
    pub preset: &'a str,
    pub profile: &'a PolicyProfile,
    pub note: &'a str,
    pub created_by: &'a str,
}

/// Adds the next version for a jurisdiction and year; returns it.
pub async fn insert_version(
    conn: &mut AnyConnection,
    new: &NewVersion<'_>,
) -> Result<i64, StoreError> {
    let NewVersion {
        jurisdiction_id,
        fiscal_year,
        preset,
        profile,
        note,
        created_by,
    } = *new;
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM policy_profiles WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .fetch_one(&mut *conn)
    .await?;
    let body = serde_json::to_string(profile).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // Two concurrent edits compute the same next version; the unique key refuses the second.
    sqlx::query(
        "INSERT INTO policy_profiles (jurisdiction_id, fiscal_year, version, preset, body, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .bind(next)
    .bind(preset)
    .bind(body)
    .bind(note)
    .bind(created_by)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(next)
}

/// The newest version for a jurisdiction and year.
pub async fn current(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<Option<ProfileVersion>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM policy_profiles WHERE jurisdiction_id = $1 AND fiscal_year = $2 \
         ORDER BY version DESC LIMIT 1"
        ))
        .bind(jurisdiction_id)
        .bind(i64::from(fiscal_year)),
        ProfileVersion::try_from,
    )
    .await
}

/// Every version for a jurisdiction and year, newest first.
pub async fn history(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<Vec<ProfileVersion>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM policy_profiles WHERE jurisdiction_id = $1 AND fiscal_year = $2 \
         ORDER BY version DESC"
        ))
        .bind(jurisdiction_id)
        .bind(i64::from(fiscal_year)),
        ProfileVersion::try_from,
    )
    .await
}
