//! Zero-based allocation: available resources per fund book, what the run reads of the admitted
//! projects in bulk, saved runs with every item's result, control figures and budget lines.

use lingji_domain::Money;
use lingji_domain::allocation::{Candidate, ProjectResult, Reason, Status};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::review::gates::GateRecord;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::library::projects::{Project, Row as ProjectRow, corrupt, project_columns};
use crate::time::now_text;

/// The parts of a fund book's available resources (可用财力).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResourceParts {
    /// 收入预测.
    #[schema(value_type = String)]
    pub revenue: Money,
    /// 上级转移支付.
    #[schema(value_type = String)]
    pub transfers: Money,
    /// 收回存量资金.
    #[schema(value_type = String)]
    pub recovered: Money,
    /// 债务资金.
    #[schema(value_type = String)]
    pub debt: Money,
    /// 单位资金.
    #[schema(value_type = String)]
    pub unit_funds: Money,
}

impl ResourceParts {
    /// The sum of the parts; `None` past the range of money.
    pub fn total(&self) -> Option<Money> {
        Money::checked_sum([
            self.revenue,
            self.transfers,
            self.recovered,
            self.debt,
            self.unit_funds,
        ])
    }
}

/// A fund book's resources for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResourceEntry {
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: FundBook,
    pub parts: ResourceParts,
    /// Unassigned reserve asked for (待分资金, ZB-2b).
    #[schema(value_type = String)]
    pub reserve: Money,
    /// Basis of the forecast.
    pub note: String,
    /// Row version (optimistic concurrency).
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct ResourceRow {
    fund_book: String,
    revenue: i64,
    transfers: i64,
    recovered: i64,
    debt: i64,
    unit_funds: i64,
    reserve: i64,
    note: String,
    version: i64,
    updated_by: String,
    updated_at: String,
}

/// The resources of a year, in fund-book order.
pub async fn resources(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<ResourceEntry>, StoreError> {
    let rows: Vec<ResourceRow> = sqlx::query_as(
        "SELECT fund_book, revenue, transfers, recovered, debt, unit_funds, reserve, note, version, \
         updated_by, updated_at FROM available_resources WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<ResourceEntry> = rows
        .into_iter()
        .map(|r| {
            Ok(ResourceEntry {
                fund_book: FundBook::parse(&r.fund_book).map_err(corrupt)?,
                parts: ResourceParts {
                    revenue: Money::from_fen(r.revenue),
                    transfers: Money::from_fen(r.transfers),
                    recovered: Money::from_fen(r.recovered),
                    debt: Money::from_fen(r.debt),
                    unit_funds: Money::from_fen(r.unit_funds),
                },
                reserve: Money::from_fen(r.reserve),
                note: r.note,
                version: r.version,
                updated_by: r.updated_by,
                updated_at: r.updated_at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    out.sort_by_key(|e| e.fund_book);
    Ok(out)
}

/// A fund book's resources to write (see [`put_resources`]).
#[derive(Debug, Clone)]
pub struct NewResources<'a> {
    pub jurisdiction_id: i64,
    pub year: i32,
    pub fund_book: FundBook,
    /// The parts of the resources.
    pub parts: &'a ResourceParts,
    /// Reserve (预备费).
    pub reserve: Money,
    pub note: &'a str,
    /// `None` for a new row, else the version it must still be at.
    pub expected_version: Option<i64>,
    /// Who writes it.
    pub actor: &'a str,
}

/// Writes a fund book's resources: a new row when `expected_version` is `None`, else only if
/// nobody changed it since that version. Returns false when the row was not written (it exists
/// already, or changed meanwhile).
pub async fn put_resources(
    conn: &mut AnyConnection,
    r: &NewResources<'_>,
) -> Result<bool, StoreError> {
    let NewResources {
        jurisdiction_id,
        year,
        fund_book,
        parts,
        reserve,
        note,
        expected_version,
        actor,
    } = *r;
    let done = match expected_version {
        None => sqlx::query(
            "INSERT INTO available_resources (jurisdiction_id, fiscal_year, fund_book, revenue, transfers, \
             recovered, debt, unit_funds, reserve, note, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        ),
        Some(_) => sqlx::query(
            "UPDATE available_resources SET revenue = $4, transfers = $5, recovered = $6, debt = $7, \
             unit_funds = $8, reserve = $9, note = $10, updated_by = $11, updated_at = $12, version = version + 1 \
             WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND fund_book = $3 AND version = $13",
        ),
    }
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(fund_book.as_str())
    .bind(parts.revenue.fen())
    .bind(parts.transfers.fen())
    .bind(parts.recovered.fen())
    .bind(parts.debt.fen())
    .bind(parts.unit_funds.fen())
    .bind(reserve.fen())
    .bind(note)
    .bind(actor)
    .bind(now_text())
    .bind(expected_version.unwrap_or(0))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// An admitted project with what review and last year left on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub project: Project,
    /// The department's rank.
    pub department_rank: Option<i64>,
    /// 财政审核数.
    pub reviewed: Option<Money>,
    /// Its gate records.
    pub gates: Vec<GateRecord>,
    /// Its cost lines: economic code, amount, whether a standard or a basis backs it.
    pub cost_lines: Vec<(String, Money, bool)>,
    /// Names of its indicators.
    pub indicators: Vec<String>,
    /// Last year's project of the same line, if any.
    pub previous: Option<Previous>,
}

/// Last year's project of the same line: budget, spending and evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// Approved last year.
    pub approved: Money,
    /// Spent of it.
    pub spent: Money,
    /// Evaluation score, hundredths of a point.
    pub score: Option<i64>,
    /// Evaluation grade identifier.
    pub grade: Option<String>,
    /// Finance's override of the grade's cut in results application (PM-13): the rate in
    /// basis points and whether the project is retired; None when the profile's cut stands.
    pub result_cut: Option<(i64, bool)>,
}

/// Project id, last year's approved and spent, evaluation score and grade, confirmed cut,
/// retirement and override reason.
type PreviousRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Every admitted project of a year with its review fields, gates, cost lines, indicators and
/// last year's line, by id — one statement per kind of row, not one per project.
pub async fn admitted(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<Admitted>, StoreError> {
    let y = i64::from(year);
    let rows: Vec<ProjectRow> = sqlx::query_as(concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'admitted' ORDER BY id"
    ))
    .bind(jurisdiction_id)
    .bind(y)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<Admitted> = rows
        .into_iter()
        .map(|r| {
            Ok(Admitted {
                project: Project::try_from(r)?,
                department_rank: None,
                reviewed: None,
                gates: Vec::new(),
                cost_lines: Vec::new(),
                indicators: Vec::new(),
                previous: None,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let index = |out: &[Admitted], id: i64| out.binary_search_by_key(&id, |a| a.project.id).ok();

    let review: Vec<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT id, department_rank, reviewed_amount FROM projects \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'admitted'",
    )
    .bind(jurisdiction_id)
    .bind(y)
    .fetch_all(&mut *conn)
    .await?;
    for (id, rank, reviewed) in review {
        if let Some(i) = index(&out, id) {
            out[i].department_rank = rank;
            out[i].reviewed = reviewed.map(Money::from_fen);
        }
    }
    let gates: Vec<(i64, String)> = sqlx::query_as(
        "SELECT g.project_id, g.record FROM project_gates g JOIN projects p ON p.id = g.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted' ORDER BY g.project_id, g.gate",
    )
    .bind(jurisdiction_id)
    .bind(y)
    .fetch_all(&mut *conn)
    .await?;
    for (id, record) in gates {
        if let Some(i) = index(&out, id) {
            out[i]
                .gates
                .push(serde_json::from_str(&record).map_err(corrupt)?);
        }
    }
    let lines: Vec<(i64, String, i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT l.project_id, l.economic_code, l.amount, l.standard_id, l.basis FROM project_cost_lines l \
         JOIN projects p ON p.id = l.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted' ORDER BY l.project_id, l.position",
    )
    .bind(jurisdiction_id)
    .bind(y)
    .fetch_all(&mut *conn)
    .await?;
    for (id, code, amount, standard, basis) in lines {
        if let Some(i) = index(&out, id) {
            let backed = standard.is_some() || !basis.trim().is_empty();
            out[i]
                .cost_lines
                .push((code, Money::from_fen(amount), backed));
        }
    }
    let indicators: Vec<(i64, String)> = sqlx::query_as(
        "SELECT i.project_id, i.name FROM project_indicators i JOIN projects p ON p.id = i.project_id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted' ORDER BY i.project_id, i.position",
    )
    .bind(jurisdiction_id)
    .bind(y)
    .fetch_all(&mut *conn)
    .await?;
    for (id, name) in indicators {
        if let Some(i) = index(&out, id) {
            out[i].indicators.push(name);
        }
    }
    let previous: Vec<PreviousRow> = sqlx::query_as(
        "SELECT p.id, q.approved, q.spent, e.score, e.grade, e.cut_rate, e.retire, e.reason FROM projects p \
         JOIN projects q ON q.id = p.previous_id \
         LEFT JOIN evaluation_results e ON e.project_id = q.id \
         WHERE p.jurisdiction_id = $1 AND p.fiscal_year = $2 AND p.state = 'admitted'",
    )
    .bind(jurisdiction_id)
    .bind(y)
    .fetch_all(&mut *conn)
    .await?;
    for (id, approved, spent, score, grade, cut, retire, reason) in previous {
        if let Some(i) = index(&out, id) {
            // Only an override carries a reason; a confirmed proposal is the profile's cut.
            let overridden = reason.is_some_and(|r| !r.is_empty());
            out[i].previous = Some(Previous {
                approved: Money::from_fen(approved),
                spent: Money::from_fen(spent),
                score,
                grade,
                result_cut: cut
                    .filter(|_| overridden)
                    .map(|c| (c, retire.unwrap_or(0) != 0)),
            });
        }
    }
    Ok(out)
}

/// An admitted project's code and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AdmittedCode {
    pub code: String,
    pub id: i64,
}

/// Code and id of every admitted project of a year.
pub async fn admitted_codes(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<AdmittedCode>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT code, id FROM projects WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND state = 'admitted'",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?)
}

/// Records a project's evaluation result (score in hundredths, grade identifier), replacing
/// an earlier one.
pub async fn put_evaluation(
    conn: &mut AnyConnection,
    project_id: i64,
    score: i64,
    grade: &str,
    actor: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM evaluation_results WHERE project_id = $1")
        .bind(project_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO evaluation_results (project_id, score, grade, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(project_id)
    .bind(score)
    .bind(grade)
    .bind(actor)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A saved run without its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RunHeader {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub fiscal_year: i64,
    /// Number within the year (1, 2, …).
    pub number: i64,
    /// Name given by finance.
    pub name: String,
    /// The run this scenario copies.
    pub base_run_id: Option<i64>,
    /// The scenario's changes (JSON).
    pub scenario: String,
    /// The profile parameters the run used (JSON).
    pub parameters: String,
    /// Per fund book totals (JSON).
    pub books: String,
    /// Per tier totals (JSON).
    pub tiers: String,
    /// Items in the run.
    pub items: i64,
    /// Allocated in all, fen.
    pub allocated: i64,
    /// Who ran it.
    pub created_by: String,
    pub created_at: String,
    /// Who chose it as the basis of the control figures.
    pub chosen_by: Option<String>,
    pub chosen_at: Option<String>,
    /// Who published its control figures.
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    /// 批复文号.
    pub approval_document: Option<String>,
}

macro_rules! run_columns {
    () => {
        "id, jurisdiction_id, fiscal_year, number, name, base_run_id, scenario, parameters, books, tiers, items, \
         allocated, created_by, created_at, chosen_by, chosen_at, published_by, published_at, approved_by, \
         approved_at, approval_document"
    };
}

/// A run to save.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub name: &'a str,
    /// The run a scenario copies.
    pub base_run_id: Option<i64>,
    /// The scenario's changes (JSON).
    pub scenario: String,
    /// The profile parameters used (JSON).
    pub parameters: String,
    /// Per fund book totals (JSON).
    pub books: String,
    /// Per tier totals (JSON).
    pub tiers: String,
    /// Allocated in all.
    pub allocated: Money,
    /// Who runs it.
    pub actor: &'a str,
}

/// One item of a saved run: the candidate as read and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredItem {
    /// The candidate as the run read it.
    #[schema(value_type = crate::schema::domain::Candidate)]
    pub candidate: Candidate,
    #[schema(value_type = crate::schema::domain::ProjectResult)]
    pub result: ProjectResult,
}

/// Saves a run and its items under the year's next number. Call inside a transaction: a
/// concurrent save of the same year fails on the unique number and is retried by the caller.
pub async fn insert_run(
    conn: &mut AnyConnection,
    run: &NewRun<'_>,
    items: &[StoredItem],
) -> Result<RunHeader, StoreError> {
    let (next,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM allocation_runs WHERE jurisdiction_id = $1 AND fiscal_year = $2",
    )
    .bind(run.jurisdiction_id)
    .bind(i64::from(run.fiscal_year))
    .fetch_one(&mut *conn)
    .await?;
    let header: RunHeader = sqlx::query_as(concat!(
        "INSERT INTO allocation_runs (jurisdiction_id, fiscal_year, number, name, base_run_id, scenario, \
         parameters, books, tiers, items, allocated, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ",
        run_columns!()
    ))
    .bind(run.jurisdiction_id)
    .bind(i64::from(run.fiscal_year))
    .bind(next)
    .bind(run.name)
    .bind(run.base_run_id)
    .bind(&run.scenario)
    .bind(&run.parameters)
    .bind(&run.books)
    .bind(&run.tiers)
    .bind(i64::try_from(items.len()).map_err(corrupt)?)
    .bind(run.allocated.fen())
    .bind(run.actor)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    for item in items {
        let (c, r) = (&item.candidate, &item.result);
        sqlx::query(
            "INSERT INTO allocation_results (run_id, item_id, project_id, department_id, unit_id, code, name, \
             fund_book, tier, requested, reviewed, adjusted, allocated, position, status, explanation, \
             adjustments, candidate) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(header.id)
        .bind(r.id)
        .bind((r.id > 0).then_some(r.id))
        .bind(c.department_id)
        .bind(c.unit_id)
        .bind(&c.code)
        .bind(&c.name)
        .bind(r.fund_book.as_str())
        .bind(r.tier.as_str())
        .bind(r.requested.fen())
        .bind(r.reviewed.fen())
        .bind(r.adjusted.fen())
        .bind(r.allocated.fen())
        .bind(i64::from(r.position))
        .bind(r.status.as_str())
        .bind(r.explanation())
        .bind(serde_json::to_string(&r.adjustments).map_err(corrupt)?)
        .bind(serde_json::to_string(c).map_err(corrupt)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(header)
}

/// The runs of a year, newest first.
pub async fn runs(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<RunHeader>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        run_columns!(),
        " FROM allocation_runs WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY number DESC"
    ))
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn run(conn: &mut AnyConnection, id: i64) -> Result<Option<RunHeader>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        run_columns!(),
        " FROM allocation_runs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Which items of a run to read; `None` is no filter.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<Status>,
    pub tier: Option<SpendingTier>,
    pub fund_book: Option<FundBook>,
    /// Text in the name or code.
    pub search: Option<String>,
    /// Rows to skip.
    pub offset: i64,
    /// Page size (at most 100,000; a whole run for exports).
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    adjustments: String,
    candidate: String,
    item_id: i64,
    fund_book: String,
    tier: String,
    requested: i64,
    reviewed: i64,
    adjusted: i64,
    allocated: i64,
    position: i64,
    status: String,
    explanation: String,
}

impl TryFrom<ItemRow> for StoredItem {
    type Error = StoreError;
    fn try_from(r: ItemRow) -> Result<Self, StoreError> {
        Ok(StoredItem {
            candidate: serde_json::from_str(&r.candidate).map_err(corrupt)?,
            result: ProjectResult {
                id: r.item_id,
                fund_book: FundBook::parse(&r.fund_book).map_err(corrupt)?,
                tier: SpendingTier::parse(&r.tier).map_err(corrupt)?,
                requested: Money::from_fen(r.requested),
                reviewed: Money::from_fen(r.reviewed),
                adjustments: serde_json::from_str(&r.adjustments).map_err(corrupt)?,
                adjusted: Money::from_fen(r.adjusted),
                allocated: Money::from_fen(r.allocated),
                position: u32::try_from(r.position).map_err(corrupt)?,
                status: Status::parse(&r.status).map_err(corrupt)?,
                reason: Reason::Text(r.explanation),
            },
        })
    }
}

/// Items of a run matching the filter, in run order (fund book, position; excluded last), and
/// how many match in all.
pub async fn items(
    conn: &mut AnyConnection,
    run_id: i64,
    f: &ItemFilter,
) -> Result<(Vec<StoredItem>, i64), StoreError> {
    let search = f
        .search
        .as_ref()
        .map(|s| format!("%{}%", s.replace(['%', '_'], "")));
    macro_rules! filtered {
        () => {
            " FROM allocation_results WHERE run_id = $1 AND ($2 IS NULL OR department_id = $2) \
             AND ($3 IS NULL OR unit_id = $3) AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR tier = $5) \
             AND ($6 IS NULL OR fund_book = $6) AND ($7 IS NULL OR name LIKE $7 OR code LIKE $7)"
        };
    }
    let rows: Vec<ItemRow> = sqlx::query_as(concat!(
        "SELECT adjustments, candidate, item_id, fund_book, tier, requested, reviewed, adjusted, allocated, \
         position, status, explanation",
        filtered!(),
        " ORDER BY position = 0, fund_book, position, item_id LIMIT $8 OFFSET $9"
    ))
    .bind(run_id)
    .bind(f.department_id)
    .bind(f.unit_id)
    .bind(f.status.map(|s| s.as_str()))
    .bind(f.tier.map(|t| t.as_str()))
    .bind(f.fund_book.map(|b| b.as_str()))
    .bind(search.clone())
    .bind(f.limit.clamp(1, 100_000))
    .bind(f.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as(concat!("SELECT COUNT(*)", filtered!()))
        .bind(run_id)
        .bind(f.department_id)
        .bind(f.unit_id)
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.tier.map(|t| t.as_str()))
        .bind(f.fund_book.map(|b| b.as_str()))
        .bind(search)
        .fetch_one(&mut *conn)
        .await?;
    let items = rows
        .into_iter()
        .map(StoredItem::try_from)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// How many items of a run end in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: Status,
    /// Items in it.
    pub items: i64,
}

/// How many items of a run end in each status.
pub async fn status_counts(
    conn: &mut AnyConnection,
    run_id: i64,
) -> Result<Vec<StatusCount>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM allocation_results WHERE run_id = $1 GROUP BY status",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(s, items)| {
            Ok(StatusCount {
                status: Status::parse(&s).map_err(corrupt)?,
                items,
            })
        })
        .collect()
}

/// Every item of a run, in run order.
pub async fn all_items(
    conn: &mut AnyConnection,
    run_id: i64,
) -> Result<Vec<StoredItem>, StoreError> {
    let f = ItemFilter {
        limit: 100_000,
        ..ItemFilter::default()
    };
    let mut out = Vec::new();
    loop {
        let (page, _) = items(
            conn,
            run_id,
            &ItemFilter {
                offset: i64::try_from(out.len()).map_err(corrupt)?,
                ..f.clone()
            },
        )
        .await?;
        let done = page.len() < 100_000;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// A process mark on a run of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Chosen as the basis of the control figures (clears the mark on the year's other runs).
    Chosen,
    /// Control figures published.
    Published,
    Approved,
}

/// Sets a mark on a run; `document` is the approval's document number.
pub async fn mark(
    conn: &mut AnyConnection,
    run: &RunHeader,
    mark: Mark,
    actor: &str,
    document: Option<&str>,
) -> Result<(), StoreError> {
    let now = now_text();
    match mark {
        Mark::Chosen => {
            sqlx::query(
                "UPDATE allocation_runs SET chosen_by = NULL, chosen_at = NULL \
                 WHERE jurisdiction_id = $1 AND fiscal_year = $2",
            )
            .bind(run.jurisdiction_id)
            .bind(run.fiscal_year)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE allocation_runs SET chosen_by = $1, chosen_at = $2 WHERE id = $3")
                .bind(actor)
                .bind(now)
                .bind(run.id)
                .execute(&mut *conn)
                .await?;
        }
        Mark::Published => {
            sqlx::query(
                "UPDATE allocation_runs SET published_by = $1, published_at = $2 WHERE id = $3",
            )
            .bind(actor)
            .bind(now)
            .bind(run.id)
            .execute(&mut *conn)
            .await?;
        }
        Mark::Approved => {
            sqlx::query(
                "UPDATE allocation_runs SET approved_by = $1, approved_at = $2, approval_document = $3 WHERE id = $4",
            )
            .bind(actor)
            .bind(now)
            .bind(document)
            .bind(run.id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A control figure: what a unit gets from a fund book in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Figure {
    pub department_id: i64,
    pub unit_id: i64,
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: FundBook,
    /// Basic expenditure allocated.
    #[schema(value_type = String)]
    pub basic: Money,
    #[schema(value_type = String)]
    pub projects: Money,
    /// Funded projects (in full or in part).
    pub funded_projects: i64,
}

/// Control figures of a run per unit and fund book, optionally within a department or unit.
/// (PostgreSQL sums BIGINT as NUMERIC; the casts keep both backends on i64.)
pub async fn figures(
    conn: &mut AnyConnection,
    run_id: i64,
    department_id: Option<i64>,
    unit_id: Option<i64>,
) -> Result<Vec<Figure>, StoreError> {
    let rows: Vec<(i64, i64, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT department_id, unit_id, fund_book, \
         CAST(COALESCE(SUM(CASE WHEN item_id < 0 THEN allocated ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN item_id > 0 THEN allocated ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN item_id > 0 AND allocated > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM allocation_results WHERE run_id = $1 AND ($2 IS NULL OR department_id = $2) \
         AND ($3 IS NULL OR unit_id = $3) \
         GROUP BY department_id, unit_id, fund_book ORDER BY department_id, unit_id, fund_book",
    )
    .bind(run_id)
    .bind(department_id)
    .bind(unit_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(d, u, b, basic, projects, n)| {
            Ok(Figure {
                department_id: d,
                unit_id: u,
                fund_book: FundBook::parse(&b).map_err(corrupt)?,
                basic: Money::from_fen(basic),
                projects: Money::from_fen(projects),
                funded_projects: n,
            })
        })
        .filter(|f: &Result<Figure, StoreError>| {
            f.as_ref()
                .map(|f| f.basic > Money::ZERO || f.projects > Money::ZERO)
                .unwrap_or(true)
        })
        .collect()
}

/// A budget line (指标).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    /// Id (0 before it is saved).
    pub id: i64,
    pub fiscal_year: i32,
    pub department_id: i64,
    pub unit_id: i64,
    /// Project (`None`: basic expenditure).
    pub project_id: Option<i64>,
    /// The run item it comes from.
    pub item_id: i64,
    /// Name of the project or of the basic expenditure.
    pub name: String,
    /// Government economic code.
    pub economic_code: String,
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: FundBook,
    /// Three-guarantees spending (ZB-3, QJ-2c).
    pub three_guarantees: bool,
    #[schema(value_type = String)]
    pub approved: Money,
    /// Source document (批复文号).
    pub source_document: String,
    /// The run it was approved from.
    pub run_id: Option<i64>,
}

/// Saves budget lines, each with its approval as the first ledger entry.
pub async fn insert_lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    lines: &[BudgetLine],
    actor: &str,
) -> Result<(), StoreError> {
    for line in lines {
        insert_line(
            conn,
            &NewLine {
                jurisdiction_id,
                line,
                source: "allocation",
                actor,
            },
        )
        .await?;
    }
    Ok(())
}

/// A budget line to save, with where it comes from and who saves it.
#[derive(Debug, Clone, Copy)]
pub struct NewLine<'a> {
    pub jurisdiction_id: i64,
    pub line: &'a BudgetLine,
    /// `allocation` (approval of a run), `transfer` (an upper transfer entered by its
    /// document) or `supplement`.
    pub source: &'a str,
    /// Who saves it.
    pub actor: &'a str,
}

/// Saves one budget line from its source with its first ledger entry; returns its id.
pub async fn insert_line(conn: &mut AnyConnection, new: &NewLine<'_>) -> Result<i64, StoreError> {
    let NewLine {
        jurisdiction_id,
        line: l,
        source,
        actor,
    } = *new;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO budget_lines (jurisdiction_id, fiscal_year, department_id, unit_id, project_id, item_id, \
         name, economic_code, fund_book, three_guarantees, approved, source_document, run_id, created_at, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(l.fiscal_year))
    .bind(l.department_id)
    .bind(l.unit_id)
    .bind(l.project_id)
    .bind(l.item_id)
    .bind(&l.name)
    .bind(&l.economic_code)
    .bind(l.fund_book.as_str())
    .bind(i64::from(l.three_guarantees))
    .bind(l.approved.fen())
    .bind(&l.source_document)
    .bind(l.run_id)
    .bind(now_text())
    .bind(source)
    .fetch_one(&mut *conn)
    .await?;
    crate::execution::ledger::add_entry(
        conn,
        id,
        &lingji_domain::execution::Movement::Approve(l.approved),
        &l.source_document,
        actor,
    )
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    fiscal_year: i64,
    department_id: i64,
    unit_id: i64,
    project_id: Option<i64>,
    item_id: i64,
    name: String,
    economic_code: String,
    fund_book: String,
    three_guarantees: i64,
    approved: i64,
    source_document: String,
    run_id: Option<i64>,
}

/// Budget lines of a year, optionally within a department or unit, by id; a page after
/// `after_id`.
pub async fn lines(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    department_id: Option<i64>,
    unit_id: Option<i64>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<BudgetLine>, StoreError> {
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT id, fiscal_year, department_id, unit_id, project_id, item_id, name, economic_code, fund_book, \
         three_guarantees, approved, source_document, run_id FROM budget_lines \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 AND ($3 IS NULL OR department_id = $3) \
         AND ($4 IS NULL OR unit_id = $4) AND id > $5 ORDER BY id LIMIT $6",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .bind(department_id)
    .bind(unit_id)
    .bind(after_id)
    .bind(limit.clamp(1, 100_000))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(BudgetLine {
                id: r.id,
                fiscal_year: i32::try_from(r.fiscal_year).map_err(corrupt)?,
                department_id: r.department_id,
                unit_id: r.unit_id,
                project_id: r.project_id,
                item_id: r.item_id,
                name: r.name,
                economic_code: r.economic_code,
                fund_book: FundBook::parse(&r.fund_book).map_err(corrupt)?,
                three_guarantees: r.three_guarantees != 0,
                approved: Money::from_fen(r.approved),
                source_document: r.source_document,
                run_id: r.run_id,
            })
        })
        .collect()
}

/// What approval needs of the projects a run funds: state and government economic code by
/// project id, and each project's cost lines (economic code, amount) in order.
pub async fn funded_projects(
    conn: &mut AnyConnection,
    run_id: i64,
) -> Result<FundedProjects, StoreError> {
    let heads: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT p.id, p.state, p.government_economic_code FROM allocation_results r \
         JOIN projects p ON p.id = r.project_id WHERE r.run_id = $1 AND r.allocated > 0",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    let lines: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT l.project_id, l.economic_code, l.amount FROM allocation_results r \
         JOIN project_cost_lines l ON l.project_id = r.project_id \
         WHERE r.run_id = $1 AND r.allocated > 0 ORDER BY l.project_id, l.position",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = FundedProjects::default();
    for (id, state, code) in heads {
        let state = lingji_domain::library::ProjectState::parse(&state).map_err(corrupt)?;
        out.heads.insert(id, (state, code));
    }
    for (id, code, amount) in lines {
        out.lines
            .entry(id)
            .or_default()
            .push((code, Money::from_fen(amount)));
    }
    Ok(out)
}

/// See [`funded_projects`].
#[derive(Debug, Default)]
pub struct FundedProjects {
    /// State and government economic code by project id.
    pub heads: std::collections::HashMap<i64, (lingji_domain::library::ProjectState, String)>,
    /// Cost lines (economic code, amount) by project id.
    pub lines: std::collections::HashMap<i64, Vec<(String, Money)>>,
}

/// Marks an approved project funded with its approved amount.
pub async fn set_funded(
    conn: &mut AnyConnection,
    project_id: i64,
    approved: Money,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE projects SET state = 'funded', approved = $1, last_funded_year = fiscal_year, \
         version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(approved.fen())
    .bind(now_text())
    .bind(project_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The stored adjustments (JSON) of every item of a year's chosen run that has any.
pub async fn chosen_adjustments(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT r.adjustments FROM allocation_results r JOIN allocation_runs a ON a.id = r.run_id \
         WHERE a.jurisdiction_id = $1 AND a.fiscal_year = $2 AND a.chosen_at IS NOT NULL AND r.adjustments <> '[]'",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?)
}

/// A project of a year as the year-on-year statistics (ZX-3a) see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct YearProject {
    pub id: i64,
    pub department_id: i64,
    /// Last year's project of the same line.
    pub previous_id: Option<i64>,
    /// Approved as recorded on the project, fen (the ledger decides when it has lines).
    pub approved: i64,
    /// Spent as recorded on the project, fen.
    pub spent: i64,
}

/// Every project of a year, by id.
pub async fn year_projects(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> Result<Vec<YearProject>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, department_id, previous_id, approved, spent FROM projects \
         WHERE jurisdiction_id = $1 AND fiscal_year = $2 ORDER BY id",
    )
    .bind(jurisdiction_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?)
}
