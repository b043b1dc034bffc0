//! Reading projects: one by id or code, with its cost lines, indicators and year plan, and pages
//! of the library by filter.

use lingji_domain::Money;
use lingji_domain::library::cost::CostLineInput;
use lingji_domain::library::targets::{Comparator, Indicator, IndicatorCategory};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{MatterClass, ProjectKind, ProjectState, YearNeed};
use sqlx::AnyConnection;

use super::{CostLine, Project, ProjectDetail, Row, corrupt, project_columns, year};
use crate::error::StoreError;

/// One project header.
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Project>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE id = $1"
        ))
        .bind(id),
        Project::try_from,
    )
    .await
}

/// The project of a jurisdiction with a code.
pub async fn by_code(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    code: &str,
) -> Result<Option<Project>, StoreError> {
    crate::read_optional(
        conn,
        sqlx::query_as::<_, Row>(concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE jurisdiction_id = $1 AND code = $2"
        ))
        .bind(jurisdiction_id)
        .bind(code),
        Project::try_from,
    )
    .await
}

/// The project of a jurisdiction with a code, with its child rows.
pub async fn get_detail_by_code(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    code: &str,
) -> Result<Option<ProjectDetail>, StoreError> {
    match by_code(conn, jurisdiction_id, code).await? {
        Some(p) => get_detail(conn, p.id).await,
        None => Ok(None),
    }
}

/// The admitted project that continues `previous_id` next year, if any.
pub async fn successor(
    conn: &mut AnyConnection,
    previous_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM projects WHERE previous_id = $1 AND state = 'admitted' ORDER BY id LIMIT 1",
    )
    .bind(previous_id)
    .fetch_optional(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
struct LineRow {
    item: String,
    economic_code: String,
    standard_id: Option<i64>,
    quantity: String,
    unit_amount: i64,
    amount: i64,
    basis: String,
}

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    category: String,
    name: String,
    comparator: String,
    target_value: String,
    unit: String,
}

/// One project with its child rows.
pub async fn get_detail(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<ProjectDetail>, StoreError> {
    let Some(project) = get(conn, id).await? else {
        return Ok(None);
    };
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT item, economic_code, standard_id, quantity, unit_amount, amount, basis FROM project_cost_lines WHERE project_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let indicators: Vec<IndicatorRow> = sqlx::query_as(
        "SELECT category, name, comparator, target_value, unit FROM project_indicators WHERE project_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let plan: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT year, amount FROM project_year_plans WHERE project_id = $1 ORDER BY year",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(ProjectDetail {
        project,
        cost_lines: lines
            .into_iter()
            .map(|l| {
                Ok(CostLine {
                    input: CostLineInput {
                        item: l.item,
                        economic_code: l.economic_code,
                        standard_id: l.standard_id,
                        quantity: l.quantity.parse().map_err(corrupt)?,
                        unit_amount: Money::from_fen(l.unit_amount),
                        basis: l.basis,
                    },
                    amount: Money::from_fen(l.amount),
                })
            })
            .collect::<Result<_, StoreError>>()?,
        indicators: indicators
            .into_iter()
            .map(|i| {
                Ok(Indicator {
                    category: IndicatorCategory::parse(&i.category).map_err(corrupt)?,
                    name: i.name,
                    comparator: Comparator::parse(&i.comparator).map_err(corrupt)?,
                    target_value: i.target_value,
                    unit: i.unit,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        year_plan: plan
            .into_iter()
            .map(|(y, a)| {
                Ok(YearNeed {
                    year: year(y)?,
                    amount: Money::from_fen(a),
                })
            })
            .collect::<Result<_, StoreError>>()?,
    }))
}

/// Filters of the project list; `None` is no filter. Paging is by id (keyset), so a page costs
/// the same at the end of 100,000 projects as at the start.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub jurisdiction_id: i64,
    pub fiscal_year: Option<i32>,
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub state: Option<ProjectState>,
    pub matter_class: Option<MatterClass>,
    pub tier: Option<SpendingTier>,
    pub kind: Option<ProjectKind>,
    /// Text in the name or code.
    pub search: Option<String>,
    /// Projects with ids above this (next page).
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// A page of projects matching the filter, by id.
pub async fn list(conn: &mut AnyConnection, f: &Filter) -> Result<Vec<Project>, StoreError> {
    let search = f
        .search
        .as_ref()
        .map(|s| format!("%{}%", s.replace(['%', '_'], "")));
    // One statement per scope, each naming its own columns as equalities, so that the planner
    // walks the matching index in id order (projects_unit, projects_department,
    // projects_year_id) and stops after a page instead of sorting the year.
    macro_rules! rest {
        () => {
            " AND ($5 IS NULL OR state = $5) AND ($6 IS NULL OR matter_class = $6) AND ($7 IS NULL OR tier = $7) \
             AND ($8 IS NULL OR kind = $8) AND ($9 IS NULL OR name LIKE $9 OR code LIKE $9) AND id > $10 \
             ORDER BY id LIMIT $11"
        };
    }
    let sql = match (f.fiscal_year, f.department_id, f.unit_id) {
        // Finance's work queues: one state of the whole year (projects_year_state).
        (Some(_), None, None) if f.state.is_some() => concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = $5 \
             AND ($3 IS NULL OR department_id = $3) AND ($4 IS NULL OR unit_id = $4)",
            rest!()
        ),
        (Some(_), _, Some(_)) => concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE unit_id = $4 AND fiscal_year = $2 AND jurisdiction_id = $1 \
             AND ($3 IS NULL OR department_id = $3)",
            rest!()
        ),
        (Some(_), Some(_), None) => concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE department_id = $3 AND fiscal_year = $2 AND jurisdiction_id = $1 \
             AND ($4 IS NULL OR unit_id = $4)",
            rest!()
        ),
        (Some(_), None, None) => concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2 \
             AND ($3 IS NULL OR department_id = $3) AND ($4 IS NULL OR unit_id = $4)",
            rest!()
        ),
        (None, _, _) => concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects WHERE jurisdiction_id = $1 AND ($2 IS NULL OR fiscal_year = $2) \
             AND ($3 IS NULL OR department_id = $3) AND ($4 IS NULL OR unit_id = $4)",
            rest!()
        ),
    };
    let rows: Vec<Row> = sqlx::query_as(sql)
        .bind(f.jurisdiction_id)
        .bind(f.fiscal_year.map(i64::from))
        .bind(f.department_id)
        .bind(f.unit_id)
        .bind(f.state.map(|s| s.as_str()))
        .bind(f.matter_class.map(|m| m.as_str()))
        .bind(f.tier.map(|t| t.as_str()))
        .bind(f.kind.map(|k| k.as_str()))
        .bind(search)
        .bind(f.after_id.unwrap_or(0))
        .bind(f.limit.clamp(1, 500))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(Project::try_from).collect()
}

/// Library projects still open (not completed or retired) that were last funded — or, never
/// funded, requested — in or before `unfunded_through` (ZB-15c), or whose policy basis expired
/// before `expired_before` (ZB-5d).
pub async fn cleanup_candidates(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    unfunded_through: i32,
    expired_before: chrono::NaiveDate,
) -> Result<Vec<Project>, StoreError> {
    crate::read_all(
        conn,
        sqlx::query_as::<_, Row>(concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects WHERE jurisdiction_id = $1 \
         AND state IN ('reserve', 'submitted', 'returned', 'admitted', 'postponed') \
         AND (COALESCE(last_funded_year, fiscal_year) <= $2 OR (basis_expires_on IS NOT NULL AND basis_expires_on < $3)) \
         ORDER BY id"
    ))
        .bind(jurisdiction_id)
        .bind(i64::from(unfunded_through))
        .bind(expired_before.to_string())
        ,
        Project::try_from,
    )
    .await
}
