//! The year-end close (ZB-6d, QJ-4b, ZX-3c, CS-6): finance tries it (nothing written), then
//! runs it once per year — every line's available balance is closed in its ledger and either
//! carried over (a line next year, with its age) or recovered, by the profile — and everyone who
//! reads the lines of the whole jurisdiction reads the report by department. A second run
//! changes nothing and answers with the first run's report.

use std::collections::HashMap;

use lingji_domain::execution::{
    CloseFacts, LineClose, MoneyMovement, check_contract_claim, close_line, closed_year,
    from_upper_transfer,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::policy::Execution;
use lingji_domain::{Money, Refusal};
use lingji_store::StoreError;
use lingji_store::execution::year_end::{self as store, ClosedLine, OpenLine, RecordedLine};
use lingji_store::foundation::profiles;
use serde::{Deserialize, Serialize};

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::department_totals::department_totals;

/// A signed contract that backs operating money for carry-over (ZB-6d).
#[derive(Debug, Clone, Deserialize)]
pub struct ContractClaim {
    pub line_id: i64,
    /// 合同编号.
    pub contract_no: String,
    /// Unpaid amount of the contract.
    pub amount: Money,
}

/// What the close does (or did) to one line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CloseLineView {
    pub line_id: i64,
    pub department_name: String,
    pub unit_name: String,
    pub name: String,
    pub economic_code: String,
    /// Available before the close.
    #[schema(value_type = String)]
    pub available: Money,
    #[schema(value_type = String)]
    pub carried: Money,
    #[schema(value_type = String)]
    pub recovered: Money,
    /// Clause that decided.
    pub clause: String,
    pub reason: String,
    /// Next year's line (recorded closes).
    pub new_line_id: Option<i64>,
}

impl From<RecordedLine> for CloseLineView {
    fn from(r: RecordedLine) -> Self {
        CloseLineView {
            line_id: r.line_id,
            department_name: r.department_name,
            unit_name: r.unit_name,
            name: r.name,
            economic_code: r.economic_code,
            available: Money::from_fen(r.available),
            carried: Money::from_fen(r.carried),
            recovered: Money::from_fen(r.recovered),
            clause: r.clause,
            reason: r.reason,
            new_line_id: r.new_line_id,
        }
    }
}

/// Totals of one department.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentClose {
    pub department_name: String,
    #[schema(value_type = String)]
    pub carried: Money,
    #[schema(value_type = String)]
    pub recovered: Money,
}

/// The close of a year: a trial or the record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearEndReport {
    pub fiscal_year: i32,
    /// Every line with money left, by department.
    pub lines: Vec<CloseLineView>,
    /// Totals by department.
    pub departments: Vec<DepartmentClose>,
    /// Carried over in all.
    #[schema(value_type = String)]
    pub carried: Money,
    /// Recovered in all.
    #[schema(value_type = String)]
    pub recovered: Money,
    /// Who closed the year and when; None for a trial.
    pub closed: Option<(String, String)>,
    /// True when this answer repeats a close made before (nothing changed now).
    pub already_closed: bool,
}

fn report(
    fiscal_year: i32,
    lines: Vec<CloseLineView>,
    closed: Option<(String, String)>,
    already_closed: bool,
) -> AppResult<YearEndReport> {
    let (sums, (carried, recovered)) = department_totals(
        lines
            .iter()
            .map(|l| (l.department_name.as_str(), l.carried, l.recovered)),
    )?;
    let departments = sums
        .into_iter()
        .map(|(department_name, carried, recovered)| DepartmentClose {
            department_name,
            carried,
            recovered,
        })
        .collect();
    Ok(YearEndReport {
        fiscal_year,
        lines,
        departments,
        carried,
        recovered,
        closed,
        already_closed,
    })
}

/// Contract amounts by line, each claim checked.
fn contracts_by_line(claims: &[ContractClaim]) -> AppResult<HashMap<i64, Money>> {
    let mut out: HashMap<i64, Money> = HashMap::new();
    for (i, c) in claims.iter().enumerate() {
        check_contract_claim(i, &c.contract_no, c.amount)?;
        let field = format!("contracts[{i}]");
        let sum = out.entry(c.line_id).or_insert(Money::ZERO);
        *sum = sum
            .checked_add(c.amount)
            .ok_or_else(|| Refusal::new("MONEY_OUT_OF_RANGE", "金额超出允许范围").field(&field))?;
    }
    Ok(out)
}

/// Refuses a money movement in a closed year (its clause by movement, code `YEAR_CLOSED`).
pub(crate) async fn refuse_if_closed(
    conn: &mut sqlx::AnyConnection,
    jurisdiction_id: i64,
    year: i32,
    movement: MoneyMovement,
    field: &str,
) -> AppResult<()> {
    if store::is_closed(conn, jurisdiction_id, year).await? {
        return Err(closed_year(year, movement, field).into());
    }
    Ok(())
}

impl crate::YearEndUseCases<'_> {
    /// The recorded close of a year, for finance and audit; 404 when the year is not closed.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn year_end_report(
        &self,
        scope: &Scope,
        fiscal_year: i32,
    ) -> AppResult<YearEndReport> {
        scope.authorize_jurisdiction(Resource::BudgetLine, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        let close = store::recorded(&mut conn, jurisdiction_id, fiscal_year)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{fiscal_year} 年度年终结转")))?;
        let lines = store::recorded_lines(&mut conn, close.id).await?;
        report(
            fiscal_year,
            lines.into_iter().map(CloseLineView::from).collect(),
            Some((close.closed_by, close.closed_at)),
            false,
        )
    }

    /// Tries (`record` false) or runs the year-end close of `fiscal_year` (finance). Running a
    /// closed year again changes nothing and returns the first run's report.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn close_year(
        &self,
        scope: &Scope,
        fiscal_year: i32,
        claims: &[ContractClaim],
        record: bool,
    ) -> AppResult<YearEndReport> {
        scope.authorize_jurisdiction(Resource::BudgetLine, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let contracts = contracts_by_line(claims)?;
        let mut tx = self.store.begin().await?;
        if store::recorded(&mut tx, jurisdiction_id, fiscal_year)
            .await?
            .is_some()
        {
            drop(tx);
            let mut r = self.year_end_report(scope, fiscal_year).await?;
            r.already_closed = true;
            return Ok(r);
        }
        let profile = profiles::current(&mut tx, jurisdiction_id, fiscal_year)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{fiscal_year} 年度政策参数")))?
            .profile
            .execution;
        let open = store::open_lines(&mut tx, jurisdiction_id, fiscal_year).await?;
        if let Some(unknown) = contracts.keys().find(|l| !open.iter().any(|o| o.id == **l)) {
            return Err(Refusal::new(
                "CONTRACT_LINE_UNKNOWN",
                format!("指标 {unknown} 不是本年度有余额的指标"),
            )
            .field("contracts")
            .into());
        }
        let decided = decide_lines(open, &contracts, &profile);
        let mut lines: Vec<CloseLineView> = decided.iter().map(view_of).collect();
        if !record {
            return report(fiscal_year, lines, None, false);
        }
        let trial = report(fiscal_year, lines.clone(), None, false)?;
        let new_close = store::NewClose {
            jurisdiction_id,
            fiscal_year,
            carried: trial.carried,
            recovered: trial.recovered,
            lines: lines.len(),
            by: caller.name(),
        };
        let close_id = match store::insert_close(&mut tx, &new_close).await {
            Ok(id) => id,
            // Another finance officer closed the year at the same moment: that close stands.
            Err(StoreError::Conflict(_)) => return Err(AppError::stale()),
            Err(e) => return Err(e.into()),
        };
        let document = format!("{fiscal_year} 年度年终结转");
        for ((l, c), view) in decided.iter().zip(lines.iter_mut()) {
            close_one(&mut tx, close_id, l, c, view, &document, caller.name()).await?;
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "year.close", "fiscal_year", fiscal_year)
                .after_json(&serde_json::json!({
                    "carried": trial.carried, "recovered": trial.recovered, "lines": lines.len(),
                })),
        )
        .await?;
        tx.commit().await?;
        self.year_end_report(scope, fiscal_year).await
    }
}

/// What the profile does with each line's available balance: carried over or recovered, and
/// under which clause.
fn decide_lines(
    open: Vec<OpenLine>,
    contracts: &HashMap<i64, Money>,
    profile: &Execution,
) -> Vec<(OpenLine, LineClose)> {
    open.into_iter()
        .map(|l| {
            let facts = CloseFacts {
                available: Money::from_fen(l.available),
                economic_code: &l.economic_code,
                project: l.project_id.is_some(),
                // Carried money keeps the origin of the line it came from (QJ-4b).
                upper_transfer: from_upper_transfer(&l.source, &l.origin, &l.fund_book),
                age: u32::try_from(l.carryover_age).unwrap_or(0),
                idle_years: u32::try_from(l.idle_years).unwrap_or(0),
                used_this_year: l.spent > 0,
                contracts: contracts.get(&l.id).copied().unwrap_or(Money::ZERO),
            };
            let c = close_line(&facts, profile);
            (l, c)
        })
        .collect()
}

fn view_of((l, c): &(OpenLine, LineClose)) -> CloseLineView {
    CloseLineView {
        line_id: l.id,
        department_name: l.department_name.clone(),
        unit_name: l.unit_name.clone(),
        name: l.name.clone(),
        economic_code: l.economic_code.clone(),
        available: Money::from_fen(l.available),
        carried: c.carried,
        recovered: c.recovered,
        clause: c.clause.to_string(),
        reason: c.reason.clone(),
        new_line_id: None,
    }
}

/// Closes one line in its ledger, opens its carried line next year if any money is carried,
/// and records the line in the close; `view` learns the new line.
async fn close_one(
    conn: &mut sqlx::AnyConnection,
    close_id: i64,
    l: &OpenLine,
    c: &LineClose,
    view: &mut CloseLineView,
    document: &str,
    actor: &str,
) -> AppResult<()> {
    let amount = Money::from_fen(l.available);
    if !lingji_store::execution::ledger::close(conn, l.id, amount, document, actor).await? {
        // A payment took money from the line after it was read: try again.
        return Err(AppError::stale());
    }
    if c.carried > Money::ZERO {
        view.new_line_id = Some(
            store::carry(
                conn,
                &store::Carry {
                    from: l.id,
                    amount: c.carried,
                    age: c.next_age,
                    idle: c.next_idle,
                    document,
                    actor,
                },
            )
            .await?,
        );
    }
    store::insert_line(
        conn,
        close_id,
        &ClosedLine {
            line_id: l.id,
            available: amount,
            carried: c.carried,
            recovered: c.recovered,
            clause: c.clause,
            reason: &c.reason,
            new_line_id: view.new_line_id,
        },
    )
    .await?;
    Ok(())
}
