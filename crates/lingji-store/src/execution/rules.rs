//! The monitoring rule catalogue (ZX-4b) as stored: each rule with its version for optimistic
//! edits, and the catalogue's stamp that tells a cached copy it is stale.

use chrono::NaiveDate;
use lingji_domain::execution::{Action, MonitoringRule};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

use crate::error::StoreError;
use crate::library::projects::corrupt;
use crate::time::now_text;

/// A rule as stored, with its version for optimistic edits.
#[derive(Debug, Clone)]
pub struct StoredRule {
    pub id: i64,
    /// Version, bumped by every edit.
    pub version: i64,
    pub rule: MonitoringRule,
    /// Who changed it last.
    pub updated_by: String,
    pub updated_at: String,
}

type RuleRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
);

fn date(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.map(|d| d.parse().map_err(corrupt)).transpose()
}

fn rule_of(r: RuleRow) -> Result<StoredRule, StoreError> {
    let (id, version, code, class, name, expression, action, clause, message, from, to, on, by, at) =
        r;
    Ok(StoredRule {
        id,
        version,
        rule: MonitoringRule {
            action: Action::parse(&action).ok_or_else(|| corrupt(format!("action {action}")))?,
            code,
            class,
            name,
            expression,
            clause,
            message,
            effective_from: date(from)?,
            effective_to: date(to)?,
            enabled: on != 0,
        },
        updated_by: by,
        updated_at: at,
    })
}

macro_rules! rule_columns {
    () => {
        "SELECT id, version, code, class, name, expression, action, clause, message, effective_from, \
         effective_to, enabled, updated_by, updated_at FROM monitoring_rules "
    };
}

/// A jurisdiction's rules by code.
pub async fn rules(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<Vec<StoredRule>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, RuleRow>(concat!(
            rule_columns!(),
            "WHERE jurisdiction_id = $1 ORDER BY code"
        ))
        .bind(jurisdiction_id),
        rule_of,
    )
    .await
}

/// The version of a jurisdiction's rule catalogue: it changes with every rule added or edited
/// (0 before the first).
pub async fn rules_stamp(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> Result<i64, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT version FROM rule_catalogues WHERE jurisdiction_id = $1")
            .bind(jurisdiction_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map_or(0, |(v,)| v))
}

/// Moves the jurisdiction's catalogue version on (a rule was added or edited), and the version of
/// every catalogue below it: an upper's rules screen the payments below (ZX-4b), so a lower
/// catalogue's stamp must move when they change. The fan-out is paid on the rare edit, so the
/// payment path keeps reading one row.
async fn bump_catalogue(conn: &mut AnyConnection, jurisdiction_id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO rule_catalogues (jurisdiction_id, version) VALUES ($1, 1) \
         ON CONFLICT (jurisdiction_id) DO UPDATE SET version = rule_catalogues.version + 1",
    )
    .bind(jurisdiction_id)
    .execute(&mut *conn)
    .await?;
    bump_below(conn, jurisdiction_id).await
}

/// Moves on the catalogue version of every jurisdiction below `jurisdiction_id` (its upper's
/// rules changed, or it was placed under a new upper).
pub async fn bump_below(conn: &mut AnyConnection, jurisdiction_id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE rule_catalogues SET version = version + 1 WHERE jurisdiction_id IN ( \
           WITH RECURSIVE down (id) AS ( \
             SELECT id FROM organisations WHERE upper_id = $1 \
             UNION ALL \
             SELECT o.id FROM organisations o JOIN down d ON o.upper_id = d.id) \
           SELECT id FROM down)",
    )
    .bind(jurisdiction_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One rule by code.
pub async fn rule(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    code: &str,
) -> Result<Option<StoredRule>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, RuleRow>(concat!(
            rule_columns!(),
            "WHERE jurisdiction_id = $1 AND code = $2"
        ))
        .bind(jurisdiction_id)
        .bind(code),
        rule_of,
    )
    .await
}

/// A jurisdiction's rule as someone writes it (see [`add_rule`] and [`update_rule`]).
#[derive(Debug, Clone, Copy)]
pub struct RuleWrite<'a> {
    pub jurisdiction_id: i64,
    pub rule: &'a MonitoringRule,
    /// Who writes it.
    pub actor: &'a str,
}

/// Binds a rule as written: `$1` the jurisdiction, `$2` the code, `$3`–`$11` its columns from
/// class to enabled, `$12` who writes it and `$13` when — the same for adding and changing it.
fn bind_rule<'q>(
    query: Query<'q, Any, AnyArguments>,
    w: &RuleWrite<'q>,
) -> Query<'q, Any, AnyArguments> {
    let r = w.rule;
    query
        .bind(w.jurisdiction_id)
        .bind(&r.code)
        .bind(&r.class)
        .bind(&r.name)
        .bind(&r.expression)
        .bind(r.action.as_str())
        .bind(r.clause.as_deref())
        .bind(&r.message)
        .bind(r.effective_from.map(|d| d.to_string()))
        .bind(r.effective_to.map(|d| d.to_string()))
        .bind(i64::from(r.enabled))
        .bind(w.actor)
        .bind(now_text())
}

/// Adds a rule (a code already there is left alone; true when added), moving the catalogue's
/// version on.
pub async fn add_rule(conn: &mut AnyConnection, w: &RuleWrite<'_>) -> Result<bool, StoreError> {
    let done = bind_rule(
        sqlx::query(
            "INSERT INTO monitoring_rules (jurisdiction_id, code, class, name, expression, action, clause, message, \
             effective_from, effective_to, enabled, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (jurisdiction_id, code) DO NOTHING",
        ),
        w,
    )
    .execute(&mut *conn)
    .await?;
    let added = done.rows_affected() == 1;
    if added {
        bump_catalogue(conn, w.jurisdiction_id).await?;
    }
    Ok(added)
}

/// Changes a rule if it is still at `version` (else [`StoreError::Stale`]), moving the
/// catalogue's version on.
pub async fn update_rule(
    conn: &mut AnyConnection,
    w: &RuleWrite<'_>,
    version: i64,
) -> Result<(), StoreError> {
    let done = bind_rule(
        sqlx::query(
            "UPDATE monitoring_rules SET class = $3, name = $4, expression = $5, action = $6, clause = $7, \
             message = $8, effective_from = $9, effective_to = $10, enabled = $11, updated_by = $12, updated_at = $13, \
             version = version + 1 WHERE jurisdiction_id = $1 AND code = $2 AND version = $14",
        ),
        w,
    )
    .bind(version)
    .execute(&mut *conn)
    .await?;
    crate::error::one_row(&done)?;
    bump_catalogue(conn, w.jurisdiction_id).await
}
