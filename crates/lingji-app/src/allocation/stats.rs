//! What finance reads off a run: year-on-year statistics (ZX-3a), the overlap finder (ZB-10,
//! ZB-12, ZX-3b), and the run and the statistics as .xlsx workbooks.

use std::collections::{BTreeMap, HashMap};

use lingji_domain::Money;
use lingji_domain::allocation::Status;
use lingji_domain::allocation::{
    Outcome, OverlapItem, OverlapPair, TierResult, YearOnYear, YearRow, find_overlaps, year_on_year,
};
use lingji_domain::execution::ProjectExecution;
use lingji_domain::foundation::authz::Access;
use lingji_domain::foundation::policy::Rate;
use lingji_store::allocation::{self as store, StoredItem};
use serde::Serialize;

use crate::Scope;
use crate::allocation::RunView;
use crate::error::{AppError, AppResult};
use crate::sheets::{Book, Cell};

/// Year-on-year statistics of a run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearOnYearView {
    /// The run counted (the chosen one unless another is asked for).
    pub run: Option<RunView>,
    #[schema(value_type = crate::schema::domain::YearOnYear)]
    pub stats: YearOnYear,
    /// Department names by id.
    pub names: HashMap<i64, String>,
}

/// One side of an overlap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverlapSide {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub department: String,
    /// Requested this year.
    #[schema(value_type = String)]
    pub request: lingji_domain::Money,
}

/// Two projects that look like the same money in two departments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverlapView {
    /// The pair found.
    #[schema(value_type = crate::schema::domain::OverlapPair)]
    pub pair: OverlapPair,
    pub a: OverlapSide,
    pub b: OverlapSide,
}

/// Names and amount similarity threshold of the overlap finder: half the character pairs of
/// the names, or half the indicators, in common.
pub const OVERLAP_THRESHOLD: Rate = Rate(5_000);

/// Every project funded last year with its department and budget (the ledger's, or what was
/// recorded for a project without lines), by id.
async fn funded_last_year(
    conn: &mut sqlx::AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> AppResult<BTreeMap<i64, (i64, Money)>> {
    let last = year - 1;
    let ledger: HashMap<i64, ProjectExecution> =
        lingji_store::performance::year_execution(conn, jurisdiction_id, last)
            .await?
            .into_iter()
            .map(|e| (e.project_id, e.execution))
            .collect();
    Ok(store::year_projects(conn, jurisdiction_id, last)
        .await?
        .into_iter()
        .filter_map(|p| {
            let e = ledger
                .get(&p.id)
                .copied()
                .unwrap_or_default()
                .or_recorded(Money::from_fen(p.approved), Money::from_fen(p.spent));
            (e.budget > Money::ZERO).then_some((p.id, (p.department_id, e.budget)))
        })
        .collect())
}

impl crate::AllocationUseCases<'_> {
    /// Year-on-year statistics (ZX-3a) of run `run_id`, or of the year's chosen run (else its
    /// latest): against last year's budget of each project's line.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_year_on_year(
        &self,
        scope: &Scope,
        year: i32,
        run_id: Option<i64>,
    ) -> AppResult<YearOnYearView> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let names = lingji_store::foundation::orgs::names(&mut conn, jurisdiction_id).await?;
        let runs = store::runs(&mut conn, jurisdiction_id, year).await?;
        let run = match run_id {
            Some(id) => Some(
                runs.into_iter()
                    .find(|r| r.id == id)
                    .ok_or_else(|| AppError::not_found("测算方案"))?,
            ),
            None => {
                let chosen = runs.iter().position(|r| r.chosen_at.is_some());
                chosen
                    .or((!runs.is_empty()).then_some(0))
                    .map(|i| runs[i].clone())
            }
        };
        let Some(run) = run else {
            return Ok(YearOnYearView {
                run: None,
                stats: year_on_year(&[]),
                names,
            });
        };
        // The base (基数) is every project funded last year, read from its lines' ledger like
        // every other figure of last year; a project of the run is matched to last year's by
        // its line (`previous_id`), and last year's projects that no project of the run
        // continues are cancelled — counted, not left out of the ratio.
        let base = funded_last_year(&mut conn, jurisdiction_id, year).await?;
        let previous: HashMap<i64, i64> = store::year_projects(&mut conn, jurisdiction_id, year)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.id, p.previous_id?)))
            .collect();
        // Last year's project → its row: a second project continuing it joins that row.
        let mut continued: HashMap<i64, usize> = HashMap::new();
        let mut rows: Vec<YearRow> = Vec::new();
        for i in store::all_items(&mut conn, run.id).await? {
            if i.candidate.id <= 0 {
                continue;
            }
            let last = previous
                .get(&i.candidate.id)
                .and_then(|p| base.get(p).map(|b| (*p, b.1)));
            if let Some(&row) = last.and_then(|(p, _)| continued.get(&p)) {
                rows[row].continue_with(i.result.allocated, i.result.status);
                continue;
            }
            if let Some((p, _)) = last {
                continued.insert(p, rows.len());
            }
            rows.push(YearRow {
                department_id: i.candidate.department_id,
                last_year: last.map(|(_, budget)| budget),
                allocated: i.result.allocated,
                status: i.result.status,
            });
        }
        rows.extend(
            base.iter()
                .filter(|(id, _)| !continued.contains_key(*id))
                .map(|(_, (department_id, budget))| YearRow {
                    department_id: *department_id,
                    last_year: Some(*budget),
                    allocated: Money::ZERO,
                    status: Status::Cancelled,
                }),
        );
        Ok(YearOnYearView {
            run: Some(RunView::try_from(run)?),
            stats: year_on_year(&rows),
            names,
        })
    }

    /// Admitted projects of different departments with the same function code and similar
    /// names or indicators (ZB-10, ZB-12, ZX-3b), most alike first.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocation_overlaps(
        &self,
        scope: &Scope,
        year: i32,
    ) -> AppResult<Vec<OverlapView>> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let departments = lingji_store::foundation::orgs::names(&mut conn, jurisdiction_id).await?;
        let admitted = store::admitted(&mut conn, jurisdiction_id, year).await?;
        let items: Vec<OverlapItem> = admitted
            .iter()
            .map(|a| OverlapItem {
                id: a.project.id,
                department_id: a.project.header.department_id,
                name: a.project.header.name.clone(),
                function_code: a.project.header.function_code.clone(),
                indicators: a.indicators.clone(),
            })
            .collect();
        let by_id: HashMap<i64, &store::Admitted> =
            admitted.iter().map(|a| (a.project.id, a)).collect();
        let side = |id: i64| {
            let h = &by_id[&id].project.header;
            OverlapSide {
                id,
                code: h.code.clone(),
                name: h.name.clone(),
                department: departments
                    .get(&h.department_id)
                    .cloned()
                    .unwrap_or_default(),
                request: h.request,
            }
        };
        Ok(find_overlaps(&items, OVERLAP_THRESHOLD)
            .into_iter()
            .map(|pair| OverlapView {
                a: side(pair.a),
                b: side(pair.b),
                pair,
            })
            .collect())
    }

    /// A run as an .xlsx workbook: 测算结果 (every item with its explanation), 层级汇总 and
    /// 资金来源.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn export_allocation_run(&self, scope: &Scope, id: i64) -> AppResult<Vec<u8>> {
        let (run, items) = self.allocation_items(scope, id).await?;
        let mut book = Book::new();
        items_sheet(&mut book, &items)?;
        tiers_sheet(&mut book, &run.tier_totals)?;
        books_sheet(&mut book, &run.book_totals)?;
        book.save()
    }

    /// The year-on-year statistics (ZX-3a) as an .xlsx workbook: overall and one row per
    /// department.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn export_year_on_year(&self, scope: &Scope, year: i32) -> AppResult<Vec<u8>> {
        let view = self.allocation_year_on_year(scope, year, None).await?;
        let mut book = Book::new();
        let mut sheet = book.sheet(
            "同比统计",
            &[
                ("部门", 28.0),
                ("压减项目（个）", 14.0),
                ("压减金额（元）", 18.0),
                ("取消项目（个）", 14.0),
                ("取消金额（元）", 18.0),
                ("新增项目（个）", 14.0),
                ("新增金额（元）", 18.0),
                ("调增项目（个）", 14.0),
                ("调增金额（元）", 18.0),
                ("核减合计（元）", 18.0),
                ("压减比例", 12.0),
                ("基数：上年安排项目（个）", 18.0),
                ("基数：上年预算（元）", 20.0),
            ],
        )?;
        let rows = std::iter::once(("合计".to_string(), view.stats.overall)).chain(
            view.stats
                .by_department
                .iter()
                .map(|(d, t)| (view.names.get(d).cloned().unwrap_or_default(), *t)),
        );
        for (name, t) in rows {
            let counted = [t.cut, t.cancelled, t.new, t.increased]
                .into_iter()
                .flat_map(|c| [Cell::Number(c.count as f64), Cell::Yuan(c.amount)]);
            let rest = [
                Cell::Yuan(t.reduction),
                Cell::text(t.ratio.to_percent_display()),
                Cell::Number(t.base_count as f64),
                Cell::Yuan(t.last_year),
            ];
            sheet.row(std::iter::once(Cell::text(name)).chain(counted).chain(rest))?;
        }
        book.save()
    }
}

/// Sheet 测算结果: every item of the run in run order.
fn items_sheet(book: &mut Book, items: &[StoredItem]) -> AppResult<()> {
    let mut sheet = book.sheet(
        "测算结果",
        &[
            ("资金来源", 16.0),
            ("序位", 8.0),
            ("项目编码", 22.0),
            ("项目名称", 36.0),
            ("支出层级", 18.0),
            ("申请数（元）", 16.0),
            ("财政审核数（元）", 16.0),
            ("结果应用调减（元）", 16.0),
            ("安排数（元）", 16.0),
            ("结果", 12.0),
            ("说明", 60.0),
        ],
    )?;
    for item in items {
        let (c, r) = (&item.candidate, &item.result);
        let cuts = lingji_domain::Money::checked_sum(r.adjustments.iter().map(|a| a.amount))
            .unwrap_or_default();
        sheet.row([
            Cell::text(r.fund_book.label()),
            Cell::Number(f64::from(r.position)),
            Cell::text(c.code.as_str()),
            Cell::text(c.name.as_str()),
            Cell::text(r.tier.label()),
            Cell::Yuan(r.requested),
            Cell::Yuan(r.reviewed),
            Cell::Yuan(cuts),
            Cell::Yuan(r.allocated),
            Cell::text(r.status.label()),
            Cell::text(r.explanation()),
        ])?;
    }
    Ok(())
}

/// Sheet 层级汇总: demand, allocation and shortfall by tier.
fn tiers_sheet(book: &mut Book, totals: &[TierResult]) -> AppResult<()> {
    let mut tiers = book.sheet(
        "层级汇总",
        &[
            ("资金来源", 16.0),
            ("层级", 8.0),
            ("支出层级", 20.0),
            ("需求（元）", 18.0),
            ("安排（元）", 18.0),
            ("缺口（元）", 18.0),
        ],
    )?;
    for t in totals {
        tiers.row([
            Cell::text(t.fund_book.label()),
            Cell::Number(t.number as f64),
            Cell::text(t.tier.label()),
            Cell::Yuan(t.demand),
            Cell::Yuan(t.allocated),
            Cell::Yuan(t.shortfall),
        ])?;
    }
    Ok(())
}

/// Sheet 资金来源: each fund book's resources and what became of them.
fn books_sheet(book: &mut Book, totals: &[Outcome]) -> AppResult<()> {
    let mut books = book.sheet(
        "资金来源",
        &[
            ("资金来源", 16.0),
            ("可用财力（元）", 18.0),
            ("安排（元）", 18.0),
            ("待分资金（元）", 18.0),
            ("结余（元）", 18.0),
            ("说明", 60.0),
        ],
    )?;
    for b in totals {
        let note = b
            .must_fund_shortfall
            .map(|s| format!("必保支出缺口 {} 万元（ZB-3b）", s.to_wan_display()))
            .or(b.reserve_note.clone())
            .unwrap_or_default();
        books.row([
            Cell::text(b.fund_book.label()),
            Cell::Yuan(b.resources),
            Cell::Yuan(b.allocated),
            Cell::Yuan(b.reserve),
            Cell::Yuan(b.remaining),
            Cell::text(note),
        ])?;
    }
    Ok(())
}
