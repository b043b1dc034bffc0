//! The project library: projects with their cost lines, indicators, year plans and history —
//! written here, read in `read`.

use lingji_domain::Money;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::cost::CostLineInput;
use lingji_domain::library::targets::Indicator;
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{
    Features, MatterClass, Period, PolicyBasis, ProjectKind, ProjectState, YearNeed,
};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

mod read;
pub mod search;

pub use read::{
    Filter, by_code, cleanup_candidates, get, get_detail, get_detail_by_code, list, successor,
};

/// Everything of a project but its child rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectHeader {
    pub jurisdiction_id: i64,
    pub department_id: i64,
    /// Unit that owns it.
    pub unit_id: i64,
    pub code: String,
    /// Budget year requested.
    pub fiscal_year: i32,
    pub name: String,
    /// 项目类别.
    #[schema(value_type = crate::schema::ProjectKind)]
    pub kind: ProjectKind,
    /// 事项分类.
    #[schema(value_type = Option<crate::schema::MatterClass>)]
    pub matter_class: Option<MatterClass>,
    #[schema(value_type = Option<crate::schema::SpendingTier>)]
    pub tier: Option<SpendingTier>,
    #[schema(value_type = crate::schema::ProjectState)]
    pub state: ProjectState,
    /// 政策依据.
    #[schema(value_type = crate::schema::domain::PolicyBasis)]
    pub basis: PolicyBasis,
    /// 实施期限.
    #[schema(value_type = Option<crate::schema::domain::Period>)]
    pub period: Option<Period>,
    /// 资金总需求.
    #[schema(value_type = String)]
    pub total_need: Money,
    /// This year's request: the sum of the cost lines.
    #[schema(value_type = String)]
    pub request: Money,
    /// 最低可行额度 for partial funding.
    #[schema(value_type = String)]
    pub min_viable: Money,
    /// 功能分类 (项).
    pub function_code: String,
    /// 政府经济分类 (款).
    pub government_economic_code: String,
    /// 资金来源.
    #[schema(value_type = Option<crate::schema::FundBook>)]
    pub fund_book: Option<FundBook>,
    /// 项目负责人.
    pub responsible_person: String,
    /// 联系电话.
    pub responsible_phone: String,
    /// 新增 (true) or 延续.
    pub is_new: bool,
    /// 重大.
    pub is_major: bool,
    /// Features for later gates.
    #[schema(value_type = crate::schema::domain::Features)]
    pub features: Features,
    /// 绩效总体目标.
    pub overall_goal: String,
    /// Last year money was allocated (clean-up, ZB-15c).
    pub last_funded_year: Option<i32>,
    /// Last year's project of the same line (ZB-4 reference).
    pub previous_id: Option<i64>,
    /// Amount approved for this project (set by approval).
    #[schema(value_type = String)]
    pub approved: Money,
    /// Amount spent on it (set by execution).
    #[schema(value_type = String)]
    pub spent: Money,
    /// 涉及人的民生, as the unit states it (CS-2b's exemption).
    pub livelihood: bool,
    /// Finance's finding on it at its review step; `None` until finance has reviewed the
    /// project. The allocation run reads this, never a guess from the project's class.
    pub livelihood_checked: Option<bool>,
}

/// A stored project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub header: ProjectHeader,
}

/// A stored cost line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CostLine {
    #[serde(flatten)]
    #[schema(value_type = crate::schema::domain::CostLineInput)]
    pub input: CostLineInput,
    /// quantity × unit amount.
    #[schema(value_type = String)]
    pub amount: Money,
}

/// A project with its child rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: Project,
    /// 测算明细.
    pub cost_lines: Vec<CostLine>,
    /// 绩效指标.
    #[schema(value_type = Vec<crate::schema::domain::Indicator>)]
    pub indicators: Vec<Indicator>,
    /// 分年度计划.
    #[schema(value_type = Vec<crate::schema::domain::YearNeed>)]
    pub year_plan: Vec<YearNeed>,
}

/// One entry of a project's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    /// What, e.g. `create`, `update`, `submit`.
    pub action: String,
    #[schema(value_type = Option<crate::schema::ProjectState>)]
    pub from_state: Option<String>,
    #[schema(value_type = Option<crate::schema::ProjectState>)]
    pub to_state: Option<String>,
    pub note: String,
}

macro_rules! project_columns {
    () => {
        "id, version, created_at, updated_at, jurisdiction_id, department_id, unit_id, code, fiscal_year, name, \
         kind, matter_class, tier, state, basis_title, basis_number, basis_expires_on, start_year, end_year, pilot, \
         total_need, request, min_viable, function_code, government_economic_code, fund_book, responsible_person, \
         responsible_phone, is_new, is_major, features, overall_goal, last_funded_year, previous_id, approved, spent, \
         livelihood, livelihood_checked"
    };
}
pub(crate) use project_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    pub(crate) id: i64,
    version: i64,
    created_at: String,
    updated_at: String,
    jurisdiction_id: i64,
    department_id: i64,
    unit_id: i64,
    code: String,
    fiscal_year: i64,
    name: String,
    kind: String,
    matter_class: Option<String>,
    tier: Option<String>,
    state: String,
    basis_title: String,
    basis_number: String,
    basis_expires_on: Option<String>,
    start_year: Option<i64>,
    end_year: Option<i64>,
    pilot: i64,
    total_need: i64,
    request: i64,
    min_viable: i64,
    function_code: String,
    government_economic_code: String,
    fund_book: Option<String>,
    responsible_person: String,
    responsible_phone: String,
    is_new: i64,
    is_major: i64,
    features: String,
    overall_goal: String,
    last_funded_year: Option<i64>,
    previous_id: Option<i64>,
    approved: i64,
    spent: i64,
    livelihood: i64,
    livelihood_checked: Option<i64>,
}

pub(crate) fn corrupt<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn year(v: i64) -> Result<i32, StoreError> {
    i32::try_from(v).map_err(corrupt)
}

impl TryFrom<Row> for Project {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let period = match (r.start_year, r.end_year) {
            (Some(s), Some(e)) => Some(Period {
                start_year: year(s)?,
                end_year: year(e)?,
                pilot: r.pilot != 0,
            }),
            _ => None,
        };
        Ok(Project {
            id: r.id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            header: ProjectHeader {
                jurisdiction_id: r.jurisdiction_id,
                department_id: r.department_id,
                unit_id: r.unit_id,
                code: r.code,
                fiscal_year: year(r.fiscal_year)?,
                name: r.name,
                kind: ProjectKind::parse(&r.kind).map_err(corrupt)?,
                matter_class: r
                    .matter_class
                    .as_deref()
                    .map(MatterClass::parse)
                    .transpose()
                    .map_err(corrupt)?,
                tier: r
                    .tier
                    .as_deref()
                    .map(SpendingTier::parse)
                    .transpose()
                    .map_err(corrupt)?,
                state: ProjectState::parse(&r.state).map_err(corrupt)?,
                basis: PolicyBasis {
                    title: r.basis_title,
                    number: r.basis_number,
                    expires_on: r
                        .basis_expires_on
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(corrupt)?,
                },
                period,
                total_need: Money::from_fen(r.total_need),
                request: Money::from_fen(r.request),
                min_viable: Money::from_fen(r.min_viable),
                function_code: r.function_code,
                government_economic_code: r.government_economic_code,
                fund_book: r
                    .fund_book
                    .as_deref()
                    .map(FundBook::parse)
                    .transpose()
                    .map_err(corrupt)?,
                responsible_person: r.responsible_person,
                responsible_phone: r.responsible_phone,
                is_new: r.is_new != 0,
                is_major: r.is_major != 0,
                features: serde_json::from_str(&r.features).map_err(corrupt)?,
                overall_goal: r.overall_goal,
                last_funded_year: r.last_funded_year.map(year).transpose()?,
                previous_id: r.previous_id,
                approved: Money::from_fen(r.approved),
                spent: Money::from_fen(r.spent),
                livelihood: r.livelihood != 0,
                livelihood_checked: r.livelihood_checked.map(|v| v != 0),
            },
        })
    }
}

/// The next free serial number for project codes of a department in a year, locking the
/// counter until the transaction ends so that concurrent creations get distinct numbers. The
/// caller hands out numbers from it and writes the next free one with [`set_serial`] before it
/// commits (once, however many projects it adds).
pub async fn take_serial(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
    department_id: i64,
) -> Result<u32, StoreError> {
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO project_serials (jurisdiction_id, fiscal_year, department_id, next_serial) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (jurisdiction_id, fiscal_year, department_id) \
         DO UPDATE SET next_serial = project_serials.next_serial RETURNING next_serial",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .bind(department_id)
    .fetch_one(&mut *conn)
    .await?;
    u32::try_from(next).map_err(corrupt)
}

/// Writes the next free serial number taken with [`take_serial`].
pub async fn set_serial(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
    department_id: i64,
    next: u32,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE project_serials SET next_serial = $4 \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND department_id = $3",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(fiscal_year))
    .bind(department_id)
    .bind(i64::from(next))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A project's name with its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnitProjectName {
    pub unit_id: i64,
    /// The project's name.
    pub name: String,
}

/// The names of a jurisdiction's projects in a year, with their unit (imports refuse a second
/// project of the same name in a unit, so a file loaded twice does not double the request).
pub async fn names_in_year(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> Result<Vec<UnitProjectName>, StoreError> {
    crate::year_rows(
        conn,
        "SELECT unit_id, name FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2",
        jurisdiction_id,
        fiscal_year,
    )
    .await
}

/// Content columns, in the order [`bind_content`] binds them ($1 to $22 in both statements).
macro_rules! content_columns {
    () => {
        "name, kind, matter_class, tier, basis_title, basis_number, basis_expires_on, start_year, end_year, pilot, \
         total_need, request, min_viable, function_code, government_economic_code, fund_book, responsible_person, \
         responsible_phone, is_new, is_major, features, overall_goal, livelihood"
    };
}

use crate::bulk::AnyQuery;

/// Binds what a unit edits, as `$1`…`$23`, for both insert and update.
fn bind_content<'q>(q: AnyQuery<'q>, h: &'q ProjectHeader, features: String) -> AnyQuery<'q> {
    q.bind(&h.name)
        .bind(h.kind.as_str())
        .bind(h.matter_class.map(|m| m.as_str()))
        .bind(h.tier.map(|t| t.as_str()))
        .bind(&h.basis.title)
        .bind(&h.basis.number)
        .bind(h.basis.expires_on.map(|d| d.to_string()))
        .bind(h.period.map(|p| i64::from(p.start_year)))
        .bind(h.period.map(|p| i64::from(p.end_year)))
        .bind(i64::from(h.period.is_some_and(|p| p.pilot)))
        .bind(h.total_need.fen())
        .bind(h.request.fen())
        .bind(h.min_viable.fen())
        .bind(&h.function_code)
        .bind(&h.government_economic_code)
        .bind(h.fund_book.map(|f| f.as_str()))
        .bind(&h.responsible_person)
        .bind(&h.responsible_phone)
        .bind(i64::from(h.is_new))
        .bind(i64::from(h.is_major))
        .bind(features)
        .bind(&h.overall_goal)
        .bind(i64::from(h.livelihood))
}

/// The columns of a new project: [`content_columns!`] ($1 to $23 of each row), then the rest.
macro_rules! insert_columns {
    () => {
        concat!(
            "INSERT INTO projects (",
            content_columns!(),
            ", jurisdiction_id, department_id, unit_id, code, fiscal_year, state, last_funded_year, \
             previous_id, approved, spent, created_at, updated_at)"
        )
    };
}

/// Binds a new project's row in [`insert_columns!`]'s order: its content, then its owner, code,
/// year, state, funding history and times.
fn bind_new<'q>(
    q: AnyQuery<'q>,
    h: &'q ProjectHeader,
    features: String,
    now: &'q str,
) -> AnyQuery<'q> {
    bind_content(q, h, features)
        .bind(h.jurisdiction_id)
        .bind(h.department_id)
        .bind(h.unit_id)
        .bind(&h.code)
        .bind(i64::from(h.fiscal_year))
        .bind(h.state.as_str())
        .bind(h.last_funded_year.map(i64::from))
        .bind(h.previous_id)
        .bind(h.approved.fen())
        .bind(h.spent.fen())
        .bind(now)
        .bind(now)
}

/// Inserts a project header; returns its id.
pub async fn insert(conn: &mut AnyConnection, h: &ProjectHeader) -> Result<Project, StoreError> {
    let now = now_text();
    let features = serde_json::to_string(&h.features).map_err(corrupt)?;
    let q = sqlx::query(concat!(
        insert_columns!(),
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35) \
         RETURNING id, version"
    ));
    let row = bind_new(q, h, features, &now).fetch_one(&mut *conn).await?;
    Ok(Project {
        id: sqlx::Row::try_get(&row, 0)?,
        version: sqlx::Row::try_get(&row, 1)?,
        created_at: now.clone(),
        updated_at: now,
        header: h.clone(),
    })
}

/// Inserts new projects (an import's, by the thousand) in multi-row statements; the stored
/// projects in the order given. Their codes are unique, and match the returned ids to them.
pub async fn insert_many(
    conn: &mut AnyConnection,
    headers: Vec<ProjectHeader>,
) -> Result<Vec<Project>, StoreError> {
    let now = now_text();
    let rows = headers
        .iter()
        .map(|h| Ok((h, serde_json::to_string(&h.features).map_err(corrupt)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let stored = crate::bulk::insert_returning(
        conn,
        insert_columns!(),
        35,
        " RETURNING id, version, code",
        &rows,
        |q, (h, features)| bind_new(q, h, features.clone(), &now),
    )
    .await?;
    let mut ids = std::collections::HashMap::with_capacity(stored.len());
    for row in &stored {
        let code: String = sqlx::Row::try_get(row, 2)?;
        let id: i64 = sqlx::Row::try_get(row, 0)?;
        let version: i64 = sqlx::Row::try_get(row, 1)?;
        ids.insert(code, (id, version));
    }
    drop(rows);
    headers
        .into_iter()
        .map(|h| {
            let (id, version) = ids
                .get(&h.code)
                .copied()
                .ok_or_else(|| corrupt(format!("项目 {} 未写入", h.code)))?;
            Ok(Project {
                id,
                version,
                created_at: now.clone(),
                updated_at: now.clone(),
                header: h,
            })
        })
        .collect()
}

/// Replaces the editable content of a project if it is still at `expected_version`. The owner,
/// code, year, state and funding history are not touched here.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    h: &ProjectHeader,
    expected_version: i64,
) -> Result<(), StoreError> {
    let features = serde_json::to_string(&h.features).map_err(corrupt)?;
    let q = sqlx::query(
        "UPDATE projects SET name = $1, kind = $2, matter_class = $3, tier = $4, basis_title = $5, basis_number = $6, \
         basis_expires_on = $7, start_year = $8, end_year = $9, pilot = $10, total_need = $11, request = $12, \
         min_viable = $13, function_code = $14, government_economic_code = $15, fund_book = $16, \
         responsible_person = $17, responsible_phone = $18, is_new = $19, is_major = $20, features = $21, \
         overall_goal = $22, livelihood = $23, version = version + 1, updated_at = $24 WHERE id = $25 AND version = $26",
    );
    let query = bind_content(q, h, features);
    crate::update_versioned(conn, query, id, expected_version).await
}

/// Records the outcome of a year: approved and spent amounts, and the year it was funded
/// (approval and execution set these; the demo seeds them for last year's projects).
pub async fn set_outcome(
    conn: &mut AnyConnection,
    id: i64,
    approved: Money,
    spent: Money,
    funded_year: Option<i32>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE projects SET approved = $1, spent = $2, last_funded_year = $3, version = version + 1, updated_at = $4 WHERE id = $5")
        .bind(approved.fen())
        .bind(spent.fen())
        .bind(funded_year.map(i64::from))
        .bind(now_text())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves a project to another state if it is still at `expected_version`.
pub async fn set_state(
    conn: &mut AnyConnection,
    id: i64,
    state: ProjectState,
    expected_version: i64,
) -> Result<(), StoreError> {
    let query = sqlx::query("UPDATE projects SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
        .bind(state.as_str());
    crate::update_versioned(conn, query, id, expected_version).await
}

/// Replaces the cost lines, indicators and year plan of a project.
pub async fn replace_children(
    conn: &mut AnyConnection,
    id: i64,
    lines: &[CostLine],
    indicators: &[Indicator],
    plan: &[YearNeed],
) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM project_cost_lines WHERE project_id = $1",
        "DELETE FROM project_indicators WHERE project_id = $1",
        "DELETE FROM project_year_plans WHERE project_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    insert_children(conn, id, lines, indicators, plan).await
}

/// Adds the cost lines, indicators and year plan of a project that has none yet.
pub async fn insert_children(
    conn: &mut AnyConnection,
    id: i64,
    lines: &[CostLine],
    indicators: &[Indicator],
    plan: &[YearNeed],
) -> Result<(), StoreError> {
    insert_children_many(conn, &[(id, lines, indicators, plan)]).await
}

/// A new project's child rows: its id, cost lines, indicators and year plan.
pub type Children<'a> = (i64, &'a [CostLine], &'a [Indicator], &'a [YearNeed]);

/// Adds the cost lines, indicators and year plans of new projects, each table in multi-row
/// statements.
pub async fn insert_children_many(
    conn: &mut AnyConnection,
    projects: &[Children<'_>],
) -> Result<(), StoreError> {
    let lines: Vec<(i64, i64, &CostLine)> = projects
        .iter()
        .flat_map(|(id, lines, _, _)| lines.iter().enumerate().map(|(i, l)| (*id, i as i64, l)))
        .collect();
    crate::bulk::insert_rows(
        conn,
        "INSERT INTO project_cost_lines (project_id, position, item, economic_code, standard_id, \
         quantity, unit_amount, amount, basis)",
        9,
        &lines,
        |q, (id, position, l)| {
            q.bind(*id)
                .bind(*position)
                .bind(&l.input.item)
                .bind(&l.input.economic_code)
                .bind(l.input.standard_id)
                .bind(l.input.quantity.to_string())
                .bind(l.input.unit_amount.fen())
                .bind(l.amount.fen())
                .bind(&l.input.basis)
        },
    )
    .await?;
    let indicators: Vec<(i64, i64, &Indicator)> = projects
        .iter()
        .flat_map(|(id, _, inds, _)| inds.iter().enumerate().map(|(i, x)| (*id, i as i64, x)))
        .collect();
    crate::bulk::insert_rows(
        conn,
        "INSERT INTO project_indicators (project_id, position, category, name, comparator, \
         target_value, unit)",
        7,
        &indicators,
        |q, (id, position, ind)| {
            q.bind(*id)
                .bind(*position)
                .bind(ind.category.as_str())
                .bind(&ind.name)
                .bind(ind.comparator.as_str())
                .bind(&ind.target_value)
                .bind(&ind.unit)
        },
    )
    .await?;
    let plans: Vec<(i64, &YearNeed)> = projects
        .iter()
        .flat_map(|(id, _, _, plan)| plan.iter().map(|n| (*id, n)))
        .collect();
    crate::bulk::insert_rows(
        conn,
        "INSERT INTO project_year_plans (project_id, year, amount)",
        3,
        &plans,
        |q, (id, n)| q.bind(*id).bind(i64::from(n.year)).bind(n.amount.fen()),
    )
    .await?;
    Ok(())
}

/// Appends to a project's history.
pub async fn add_history(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
    action: &str,
    states: Option<(ProjectState, ProjectState)>,
    note: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO project_history (project_id, at, actor, action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(now_text())
        .bind(actor)
        .bind(action)
        .bind(states.map(|(f, _)| f.as_str()))
        .bind(states.map(|(_, t)| t.as_str()))
        .bind(note)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends the same entry to the history of each of `ids` (new projects of an import), in
/// multi-row statements.
pub async fn add_history_many(
    conn: &mut AnyConnection,
    ids: &[i64],
    actor: &str,
    action: &str,
    note: &str,
) -> Result<(), StoreError> {
    let at = now_text();
    crate::bulk::insert_rows(
        conn,
        "INSERT INTO project_history (project_id, at, actor, action, from_state, to_state, note)",
        7,
        ids,
        |q, id| {
            q.bind(*id)
                .bind(&at)
                .bind(actor)
                .bind(action)
                .bind(None::<&str>)
                .bind(None::<&str>)
                .bind(note)
        },
    )
    .await
}

/// A project's history, oldest first.
pub async fn history(conn: &mut AnyConnection, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
    Ok(sqlx::query_as("SELECT at, actor, action, from_state, to_state, note FROM project_history WHERE project_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?)
}

/// Records finance's finding on whether a project is 涉及人的民生 (CS-2b), taken at its review
/// step; the step's history and audit event say so.
pub async fn set_livelihood_checked(
    conn: &mut AnyConnection,
    id: i64,
    livelihood: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE projects SET livelihood_checked = $1 WHERE id = $2")
        .bind(i64::from(livelihood))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives a generated jurisdiction's projects of `year` (`lingji bench province`, a benchmark
/// fixture) the review fields their states imply, as the review workflow would have left them:
/// decided with finance's reviewed amount at the request for admitted and later states, and the
/// submitted ones waiting at finance (units of odd id) or at their department (the rest), so
/// that every queue has content. Three statements of fixed text.
pub async fn bench_review_fields(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<(), StoreError> {
    for sql in [
        "UPDATE projects SET review_stage = 'decided', review_round = 1, reviewed_amount = request \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state IN ('admitted', 'funded', 'postponed', 'rejected')",
        "UPDATE projects SET review_stage = 'finance', review_round = 1 \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'submitted' AND unit_id % 2 = 1",
        "UPDATE projects SET review_stage = 'department', review_round = 1 \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'submitted' AND unit_id % 2 = 0",
    ] {
        sqlx::query(sql)
            .bind(jurisdiction_id)
            .bind(i64::from(year))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
