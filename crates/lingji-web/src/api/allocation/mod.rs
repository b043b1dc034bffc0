//! `/api/v1/allocation/…`: available resources (可用财力), allocation runs and scenarios,
//! comparison, choice, publication of control figures and approval (ZB-3, ZB-2b, CS-5b, ZX-3a,
//! ZB-10); `/api/v1/control-figures` and `/api/v1/budget-lines` for departments and units.

pub(crate) mod pools;
pub mod transfers;

use axum::Json;
use axum::response::Response;
use lingji_app::allocation::approval::ControlFigures;
use lingji_app::allocation::stats::{OverlapView, YearOnYearView};
use lingji_app::allocation::{ResourcesView, RunComparison, RunView, Scenario};
use lingji_app::store::allocation::{
    BudgetLine, ItemFilter, ResourceEntry, ResourceParts, StoredItem,
};
use lingji_domain::Money;
use lingji_domain::allocation::Status;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::tier::SpendingTier;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, Year, YearQuery, created, xlsx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_resources))
        .routes(routes!(put_resources))
        .routes(routes!(list_runs, create_run))
        .routes(routes!(get_run))
        .routes(routes!(run_xlsx))
        .routes(routes!(choose))
        .routes(routes!(publish))
        .routes(routes!(approve))
        .routes(routes!(compare))
        .routes(routes!(statistics))
        .routes(routes!(statistics_xlsx))
        .routes(routes!(overlaps))
        .routes(routes!(control_figures))
        .routes(routes!(budget_lines, add_transfer_line))
        .merge(pools::router())
}

/// The year's resources per fund book: revenue, transfers, recovered, debt, unit_funds,
/// reserve (待分资金), version.
#[utoipa::path(get, path = "/allocation/resources", tag = "allocation", params(YearQuery),
    responses((status = 200, body = lingji_app::allocation::ResourcesView), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_resources(cx: Cx, Year(year): Year) -> ApiResult<Json<ResourcesView>> {
    Ok(Json(cx.allocation().resources(&cx.scope, year).await?))
}

/// A fund book's resources as entered; amounts in 元 as strings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcesInput {
    pub year: i32,
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
    /// 待分资金 asked for (ZB-2b).
    #[schema(value_type = String)]
    #[serde(default)]
    pub reserve: Money,
    /// Basis of the forecast.
    #[serde(default)]
    pub note: String,
    /// The version read (0 when the book was never entered).
    /// Sent as `version`, the name every endpoint uses; `expected_version` is still read.
    #[serde(rename = "version", alias = "expected_version")]
    pub expected_version: i64,
}

fn fund_book(raw: &str) -> ApiResult<FundBook> {
    Ok(FundBook::parse(raw).map_err(|r| lingji_app::AppError::NotFound(r.field("fund_book")))?)
}

/// Enters a fund book's resources for a year (finance), audited.
#[utoipa::path(put, path = "/allocation/resources/{fund_book}", tag = "allocation",
    params(("fund_book" = lingji_app::schema::FundBook, Path, description = "资金来源")),
    request_body = ResourcesInput,
    responses((status = 200, body = lingji_app::store::allocation::ResourceEntry), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn put_resources(
    cx: Cx,
    ApiPath(book): ApiPath<String>,
    ApiJson(body): ApiJson<ResourcesInput>,
) -> ApiResult<Json<ResourceEntry>> {
    let parts = ResourceParts {
        revenue: body.revenue,
        transfers: body.transfers,
        recovered: body.recovered,
        debt: body.debt,
        unit_funds: body.unit_funds,
    };
    let e = cx
        .allocation()
        .set_resources(
            &cx.scope,
            body.year,
            fund_book(&book)?,
            parts,
            body.reserve,
            &body.note,
            body.expected_version,
        )
        .await?;
    Ok(Json(e))
}

/// The year's runs, newest first, with their totals and marks.
#[utoipa::path(get, path = "/allocation/runs", tag = "allocation", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::allocation::RunView>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_runs(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<RunView>>> {
    let runs = cx.allocation().allocation_runs(&cx.scope, year).await?;
    Ok(Json(runs))
}

/// A run to make: over the library as it is, or a scenario of a saved run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    pub year: i32,
    /// Name, e.g. "一上测算".
    #[serde(default)]
    pub name: String,
    /// The saved run a scenario copies.
    pub base_run_id: Option<i64>,
    /// Changes: `resources` (fund book → 元), `finance_ranks` (project id → rank),
    /// `parameters` (profile key → value).
    #[serde(default)]
    pub scenario: Scenario,
}

/// Runs the allocation and saves it, numbered and audited; a run never changes afterwards.
#[utoipa::path(post, path = "/allocation/runs", tag = "allocation", request_body = RunInput,
    responses((status = 201, body = lingji_app::allocation::RunView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create_run(cx: Cx, ApiJson(body): ApiJson<RunInput>) -> ApiResult<Created<RunView>> {
    let run = cx
        .allocation()
        .run_allocation(
            &cx.scope,
            body.year,
            &body.name,
            body.base_run_id,
            body.scenario,
        )
        .await?;
    created(run)
}

/// Filters of a run's items.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// funded, partial, unfunded, excluded or cancelled.
    #[param(value_type = Option<lingji_app::schema::AllocationStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<lingji_app::schema::SpendingTier>)]
    pub tier: Option<String>,
    /// Fund book identifier.
    #[param(value_type = Option<lingji_app::schema::FundBook>)]
    pub fund_book: Option<String>,
    /// Text in the code or name.
    pub q: Option<String>,
    /// Rows to skip.
    pub offset: Option<i64>,
    /// Page size (default 200, at most 1,000).
    pub limit: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ItemQuery {
    /// The store's filter; an unknown status, tier or fund book names its field.
    pub fn filter(&self) -> ApiResult<ItemFilter> {
        Ok(ItemFilter {
            department_id: self.department_id,
            unit_id: self.unit_id,
            status: blank(&self.status)
                .map(|s| Status::parse(s).map_err(|r| r.field("status")))
                .transpose()?,
            tier: blank(&self.tier)
                .map(|s| SpendingTier::parse(s).map_err(|r| r.field("tier")))
                .transpose()?,
            fund_book: blank(&self.fund_book)
                .map(|s| FundBook::parse(s).map_err(|r| r.field("fund_book")))
                .transpose()?,
            search: blank(&self.q).map(str::to_owned),
            offset: self.offset.unwrap_or(0).max(0),
            limit: self.limit.unwrap_or(200).clamp(1, 1_000),
        })
    }
}

/// A run with a page of its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunPage {
    pub run: RunView,
    /// Items matching the filter.
    pub total: i64,
    /// This page: candidate (as read) and result (amounts, adjustments with clauses, status,
    /// explanation).
    pub items: Vec<StoredItem>,
}

/// A run and a page of its items, in run order, filtered.
#[utoipa::path(get, path = "/allocation/runs/{id}", tag = "allocation",
    params(("id" = i64, Path, description = "run id"), ItemQuery),
    responses((status = 200, body = RunPage), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_run(
    cx: Cx,
    ApiPath(run_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ItemQuery>,
) -> ApiResult<Json<RunPage>> {
    let (run, items, total) = cx
        .allocation()
        .allocation_run(&cx.scope, run_id, &q.filter()?)
        .await?;
    Ok(Json(RunPage { run, total, items }))
}

/// A run as .xlsx: 测算结果, 层级汇总, 资金来源.
#[utoipa::path(get, path = "/allocation/runs/{id}/xlsx", tag = "allocation",
    params(("id" = i64, Path, description = "run id")),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn run_xlsx(cx: Cx, ApiPath(run_id): ApiPath<i64>) -> ApiResult<Response> {
    let bytes = cx
        .allocation()
        .export_allocation_run(&cx.scope, run_id)
        .await?;
    let ascii = format!("allocation-run-{run_id}.xlsx");
    Ok(xlsx(bytes, &ascii, &format!("测算结果-{run_id}.xlsx")))
}

/// Chooses the run as the basis of the control figures (before they are published).
#[utoipa::path(post, path = "/allocation/runs/{id}/choose", tag = "allocation",
    params(("id" = i64, Path, description = "run id")),
    responses((status = 200, body = lingji_app::allocation::RunView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn choose(cx: Cx, ApiPath(run_id): ApiPath<i64>) -> ApiResult<Json<RunView>> {
    Ok(Json(cx.allocation().choose_run(&cx.scope, run_id).await?))
}

/// Publishes the chosen run's control figures to departments and units.
#[utoipa::path(post, path = "/allocation/runs/{id}/publish", tag = "allocation",
    params(("id" = i64, Path, description = "run id")),
    responses((status = 200, body = lingji_app::allocation::RunView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn publish(cx: Cx, ApiPath(run_id): ApiPath<i64>) -> ApiResult<Json<RunView>> {
    let run = cx
        .allocation()
        .publish_control_figures(&cx.scope, run_id)
        .await?;
    Ok(Json(run))
}

/// The approval's document number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// 批复文号, e.g. 连财预〔2027〕1号.
    pub document: String,
}

/// Approves the published run: budget lines per unit, project, economic code and fund book.
#[utoipa::path(post, path = "/allocation/runs/{id}/approve", tag = "allocation",
    params(("id" = i64, Path, description = "run id")), request_body = ApproveInput,
    responses((status = 200, body = lingji_app::allocation::RunView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn approve(
    cx: Cx,
    ApiPath(run_id): ApiPath<i64>,
    ApiJson(body): ApiJson<ApproveInput>,
) -> ApiResult<Json<RunView>> {
    let run = cx
        .allocation()
        .approve_budget(&cx.scope, run_id, &body.document)
        .await?;
    Ok(Json(run))
}

/// Which two runs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// First run id.
    pub a: i64,
    /// Second run id.
    pub b: i64,
}

/// Two runs side by side: items that end differently, every tier in both.
#[utoipa::path(get, path = "/allocation/compare", tag = "allocation", params(CompareQuery),
    responses((status = 200, body = lingji_app::allocation::RunComparison), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn compare(cx: Cx, ApiQuery(q): ApiQuery<CompareQuery>) -> ApiResult<Json<RunComparison>> {
    let comparison = cx.allocation().compare_runs(&cx.scope, q.a, q.b).await?;
    Ok(Json(comparison))
}

/// Year and, optionally, the run to count.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    pub year: Option<i32>,
    /// Run id; the chosen run (else the latest) when absent.
    pub run_id: Option<i64>,
}

/// Year-on-year statistics (ZX-3a): cut, cancelled, new, increased, reduction and ratio,
/// overall and by department.
#[utoipa::path(get, path = "/allocation/statistics", tag = "allocation", params(StatisticsQuery),
    responses((status = 200, body = lingji_app::allocation::stats::YearOnYearView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn statistics(
    cx: Cx,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> ApiResult<Json<YearOnYearView>> {
    let year = cx.year(q.year).await?;
    let v = cx
        .allocation()
        .allocation_year_on_year(&cx.scope, year, q.run_id)
        .await?;
    Ok(Json(v))
}

/// The year-on-year statistics as .xlsx.
#[utoipa::path(get, path = "/allocation/statistics/xlsx", tag = "allocation", params(YearQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn statistics_xlsx(cx: Cx, Year(year): Year) -> ApiResult<Response> {
    let bytes = cx.allocation().export_year_on_year(&cx.scope, year).await?;
    let ascii = format!("year-on-year-{year}.xlsx");
    Ok(xlsx(bytes, &ascii, &format!("{year}年度预算同比统计.xlsx")))
}

/// Overlapping projects of different departments (ZB-10, ZB-12, ZX-3b).
#[utoipa::path(get, path = "/allocation/overlaps", tag = "allocation", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::allocation::stats::OverlapView>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn overlaps(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<OverlapView>>> {
    let overlaps = cx.allocation().allocation_overlaps(&cx.scope, year).await?;
    Ok(Json(overlaps))
}

/// The year's control figures within the caller's scope (departments and units: once
/// published).
#[utoipa::path(get, path = "/control-figures", tag = "allocation", params(YearQuery),
    responses((status = 200, body = lingji_app::allocation::approval::ControlFigures), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn control_figures(cx: Cx, Year(year): Year) -> ApiResult<Json<ControlFigures>> {
    let figures = cx.allocation().control_figures(&cx.scope, year).await?;
    Ok(Json(figures))
}

/// Year and page of budget lines.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinesQuery {
    pub year: Option<i32>,
    /// Lines with ids above this.
    pub after: Option<i64>,
    /// Page size (default 500, at most 1,000).
    pub limit: Option<i64>,
}

/// Approved budget lines (指标) within the caller's scope.
#[utoipa::path(get, path = "/budget-lines", tag = "allocation", params(LinesQuery),
    responses((status = 200, body = Vec<lingji_app::store::allocation::BudgetLine>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn budget_lines(
    cx: Cx,
    ApiQuery(q): ApiQuery<LinesQuery>,
) -> ApiResult<Json<Vec<BudgetLine>>> {
    let year = cx.year(q.year).await?;
    let lines = cx
        .allocation()
        .budget_lines(
            &cx.scope,
            year,
            q.after.unwrap_or(0),
            q.limit.unwrap_or(500).clamp(1, 1_000),
        )
        .await?;
    Ok(Json(lines))
}

/// A budget line from an upper transfer, as finance enters it; amount in 元 as a string.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferLineInput {
    pub year: i32,
    /// The receiving unit's id.
    pub unit_id: i64,
    /// The unit's project it funds, if any.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// What it is for.
    pub name: String,
    /// Government economic code (3, 5 or 7 digits).
    pub economic_code: String,
    /// Fund book: general_public, government_fund, …
    #[schema(value_type = lingji_app::schema::FundBook)]
    pub fund_book: String,
    /// Three-guarantees spending.
    #[serde(default)]
    pub three_guarantees: bool,
    #[schema(value_type = String)]
    pub amount: Money,
    /// The upper document (上级下达文号).
    pub document: String,
}

/// The id of what was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedId {
    pub id: i64,
}

/// Enters a budget line from an upper transfer with its document (finance), audited; it opens
/// with its approval entry and is paid from like any line (ZB-7a). Answers the new line's id.
#[utoipa::path(post, path = "/budget-lines", tag = "allocation", request_body = TransferLineInput,
    responses((status = 201, body = CreatedId), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn add_transfer_line(
    cx: Cx,
    ApiJson(body): ApiJson<TransferLineInput>,
) -> ApiResult<Created<CreatedId>> {
    let fund_book = FundBook::parse(&body.fund_book)
        .map_err(|r| lingji_app::AppError::from(r.field("fund_book")))?;
    let line = lingji_app::execution::transfer_lines::TransferLine {
        fiscal_year: body.year,
        unit_id: body.unit_id,
        project_id: body.project_id,
        name: body.name,
        economic_code: body.economic_code,
        fund_book,
        three_guarantees: body.three_guarantees,
        amount: body.amount,
        document: body.document,
    };
    let new = cx.execution().add_transfer_line(&cx.scope, line).await?;
    created(CreatedId { id: new })
}
