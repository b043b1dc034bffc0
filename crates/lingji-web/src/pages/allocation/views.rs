//! What finance and the budget units read off the allocation: two runs compared, year-on-year
//! statistics (ZX-3a), the overlap finder (ZB-10), control figures and approved budget lines.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::allocation::RunComparison;
use lingji_app::allocation::approval::ControlFigures;
use lingji_app::allocation::figures::GroupedFigures;
use lingji_app::allocation::stats::{OverlapView, YearOnYearView};
use lingji_app::execution::transfer_lines::TransferLine;
use lingji_app::store::allocation::BudgetLine;
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::allocation::Tally;
use lingji_domain::execution::Balance;
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::foundation::fund::FundBook;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::charts::{Chart, Series};
use crate::pages::inputs;
use crate::pages::listing::{Amounts, Listing, Orgs};
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, forbidden, options, render, year_of,
};
use lingji_app::store::allocation::lines::search::{LineSearch, LineSort};
use lingji_domain::Money;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/allocation/compare", get(compare))
        .route("/allocation/statistics", get(statistics))
        .route("/allocation/overlaps", get(overlaps))
        .route("/control-figures", get(control_figures))
        .route("/budget-lines", get(budget_lines).post(add_transfer))
}

fn id_in(q: &BTreeMap<String, String>, key: &str) -> AppResult<i64> {
    q.get(key)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| AppError::not_found("测算方案"))
}

#[derive(Template)]
#[template(path = "allocation_compare.html")]
struct ComparePage<'a> {
    layout: &'a Layout,
    c: RunComparison,
    chart: Chart,
}

impl ComparePage<'_> {
    fn code(&self, id: &i64) -> &str {
        self.c.names.get(id).map(|n| n.0.as_str()).unwrap_or("")
    }

    fn name(&self, id: &i64) -> &str {
        self.c.names.get(id).map(|n| n.1.as_str()).unwrap_or("")
    }
}

async fn compare(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let (a, b) = (id_in(&q, "a")?, id_in(&q, "b")?);
        state.app.allocation().compare_runs(&id.scope(), a, b).await
    };
    let c = match loaded.await {
        Ok(c) => c,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let label = |t: &lingji_domain::allocation::TierDiff| {
        format!("{} {}", t.fund_book.label(), t.tier.label())
    };
    let (na, nb) = (c.a.header.number, c.b.header.number);
    let chart = Chart::bars(
        c.diff.tiers.iter().map(label).collect(),
        vec![
            Series::beside(
                &format!("第 {na} 号安排（万元）"),
                c.diff.tiers.iter().map(|t| t.allocated_a).collect(),
            ),
            Series::beside(
                &format!("第 {nb} 号安排（万元）"),
                c.diff.tiers.iter().map(|t| t.allocated_b).collect(),
            ),
            Series::beside(
                &format!("第 {na} 号缺口（万元）"),
                c.diff.tiers.iter().map(|t| t.shortfall_a).collect(),
            ),
            Series::beside(
                &format!("第 {nb} 号缺口（万元）"),
                c.diff.tiers.iter().map(|t| t.shortfall_b).collect(),
            ),
        ],
    );
    let layout = Layout::new(
        &id,
        format!("测算方案比较：第 {na} 号与第 {nb} 号"),
        uri.path(),
    );
    render(
        StatusCode::OK,
        &ComparePage {
            layout: &layout,
            c,
            chart,
        },
    )
}

#[derive(Template)]
#[template(path = "allocation_statistics.html")]
struct StatisticsPage<'a> {
    layout: &'a Layout,
    year: i32,
    v: YearOnYearView,
    rows: Vec<(String, Tally)>,
    chart: Chart,
}

async fn statistics(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year_of(&state, &id, &q).await?;
        let run = q.get("run_id").and_then(|r| r.trim().parse().ok());
        let v = state
            .app
            .allocation()
            .allocation_year_on_year(&id.scope(), year, run)
            .await?;
        AppResult::Ok((year, v))
    };
    let (year, v) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let rows: Vec<(String, Tally)> = v
        .stats
        .by_department
        .iter()
        .map(|(d, t)| (v.names.get(d).cloned().unwrap_or_default(), *t))
        .collect();
    let chart = Chart::bars(
        rows.iter().map(|(n, _)| n.clone()).collect(),
        vec![
            Series::beside(
                "压减（万元）",
                rows.iter().map(|(_, t)| t.cut.amount).collect(),
            ),
            Series::beside(
                "取消（万元）",
                rows.iter().map(|(_, t)| t.cancelled.amount).collect(),
            ),
            Series::beside(
                "新增（万元）",
                rows.iter().map(|(_, t)| t.new.amount).collect(),
            ),
            Series::beside(
                "调增（万元）",
                rows.iter().map(|(_, t)| t.increased.amount).collect(),
            ),
        ],
    );
    let layout = Layout::new(&id, format!("{year} 年度预算同比统计"), uri.path());
    render(
        StatusCode::OK,
        &StatisticsPage {
            layout: &layout,
            year,
            v,
            rows,
            chart,
        },
    )
}

#[derive(Template)]
#[template(path = "allocation_overlaps.html")]
struct OverlapsPage<'a> {
    layout: &'a Layout,
    year: i32,
    pairs: Vec<OverlapView>,
}

impl OverlapsPage<'_> {
    fn sum(&self, p: &OverlapView) -> String {
        p.a.request
            .checked_add(p.b.request)
            .map(|m| m.to_yuan_display())
            .unwrap_or_default()
    }
}

async fn overlaps(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year_of(&state, &id, &q).await?;
        let pairs = state
            .app
            .allocation()
            .allocation_overlaps(&id.scope(), year)
            .await?;
        AppResult::Ok((year, pairs))
    };
    let (year, pairs) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let layout = Layout::new(&id, format!("{year} 年度交叉重复项目"), uri.path());
    render(
        StatusCode::OK,
        &OverlapsPage {
            layout: &layout,
            year,
            pairs,
        },
    )
}

#[derive(Template)]
#[template(path = "control_figures.html")]
struct FiguresPage<'a> {
    layout: &'a Layout,
    year: i32,
    f: ControlFigures,
    /// By department, each total under its own column.
    grouped: GroupedFigures,
    finance: bool,
    /// 元, or exact 万元 for a bureau's big table.
    amounts: Amounts,
}

impl FiguresPage<'_> {
    /// This page in 万元 (`wan`) or in 元 (the 元/万元 switch).
    fn amounts_link(&self, wan: bool) -> String {
        let unit = if wan { "&amounts=wan" } else { "" };
        format!("/control-figures?year={}{unit}", self.year)
    }
}

async fn control_figures(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year_of(&state, &id, &q).await?;
        let f = state
            .app
            .allocation()
            .control_figures(&id.scope(), year)
            .await?;
        let grouped = f.grouped()?;
        AppResult::Ok((year, f, grouped))
    };
    let (year, f, grouped) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let layout = Layout::new(&id, format!("{year} 年度预算控制数"), uri.path());
    render(
        StatusCode::OK,
        &FiguresPage {
            layout: &layout,
            year,
            grouped,
            finance: matches!(id.actor.role, Role::FinanceOfficer | Role::Auditor),
            f,
            amounts: Amounts::of(&q),
        },
    )
}

#[derive(Template)]
#[template(path = "budget_lines.html")]
struct LinesPage<'a> {
    layout: &'a Layout,
    year: i32,
    /// This page of the lines the filters find, each with its balance.
    lines: Vec<(BudgetLine, Balance)>,
    listing: Listing,
    orgs: Orgs,
    /// 批复数, 已支付 and 可用 of every line the filters find.
    totals: [String; 3],
    /// Finance enters upper-transfer lines here.
    may_enter: bool,
    /// The economic 款 a transfer line may take (a picker's help).
    economic: Vec<crate::pages::inputs::Choice>,
    form: TransferForm,
    errors: FieldErrors,
}

impl LinesPage<'_> {
    fn books(&self) -> Vec<(&'static str, &'static str)> {
        options::<FundBook>()
    }
    fn book_chosen(&self, book: &str) -> bool {
        self.listing.filter("fund_book") == book
    }
}

/// The upper-transfer form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct TransferForm {
    pub(crate) year: String,
    pub(crate) unit_id: String,
    pub(crate) name: String,
    pub(crate) economic_code: String,
    pub(crate) fund_book: String,
    pub(crate) three_guarantees: Option<String>,
    pub(crate) amount: String,
    pub(crate) document: String,
}

/// The lines' filters and the columns they sort by.
const LINE_FILTERS: [&str; 4] = ["year", "unit_id", "fund_book", "q"];
const LINE_SORTS: [&str; 8] = [
    "id",
    "unit",
    "name",
    "code",
    "book",
    "approved",
    "spent",
    "available",
];

async fn budget_lines(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut form = TransferForm {
        fund_book: "general_public".into(),
        ..TransferForm::default()
    };
    // From a receipt of an upper fund (`?receipt=`): its document, name, code, fund book and
    // what is left to break down, filled in (issue 21).
    if let Some(receipt) = q.get("receipt").and_then(|r| r.trim().parse::<i64>().ok())
        && let Ok(r) = state
            .app
            .allocation()
            .transfer_receipt(&id.scope(), receipt)
            .await
    {
        form.year = r.fiscal_year.to_string();
        form.name = r.name;
        form.economic_code = r.economic_code;
        // In the lower's books the money is an upper transfer, whatever book it left above.
        form.fund_book = FundBook::UpperTransfer.as_str().into();
        form.amount = r.remaining.to_plain();
        form.document = r.document;
    }
    lines_page(
        &state,
        &id,
        uri.path(),
        &q,
        StatusCode::OK,
        form,
        FieldErrors::default(),
    )
    .await
}

/// The year's budget lines with what is paid and available on each, filtered by unit, fund
/// book and code or name, sorted, totalled and paged (a year's lines within the caller's
/// scope, read whole from the use case); with the upper-transfer form for finance.
pub(crate) async fn lines_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    q: &BTreeMap<String, String>,
    status: StatusCode,
    mut form: TransferForm,
    errors: FieldErrors,
) -> Response {
    let mut listing = Listing::new(path, q, &LINE_SORTS, &LINE_FILTERS);
    let allocation = state.app.allocation();
    let loaded = async {
        let year = year_of(state, id, q).await?;
        let orgs = Orgs::of(state, id).await?;
        let book = listing.filter("fund_book");
        // A fund book not among the books finds no line (the filter is a pick list).
        let Ok(fund_book) = (!book.is_empty())
            .then(|| FundBook::parse(book))
            .transpose()
        else {
            listing.counted(0);
            return AppResult::Ok((year, None, orgs));
        };
        let search = |listing: &Listing| {
            let text = listing.filter("q");
            LineSearch {
                fiscal_year: year,
                unit_filter: listing.id_filter("unit_id"),
                fund_book,
                text: (!text.is_empty()).then(|| text.to_string()),
                sort: LineSort::parse(&listing.sort).unwrap_or_default(),
                desc: listing.desc,
                offset: i64::try_from(listing.offset()).unwrap_or(i64::MAX),
                limit: i64::try_from(listing.per_page()).unwrap_or(50),
                ..LineSearch::default()
            }
        };
        let mut page = allocation
            .budget_lines_page(&id.scope(), search(&listing))
            .await?;
        // A page past the last shows the last.
        if listing.counted(usize::try_from(page.count).unwrap_or(usize::MAX)) && page.count > 0 {
            page = allocation
                .budget_lines_page(&id.scope(), search(&listing))
                .await?;
        }
        AppResult::Ok((year, Some(page), orgs))
    };
    let (year, page, orgs) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    if form.year.is_empty() {
        form.year = year.to_string();
    }
    let may_enter = may(id.actor.role, Resource::BudgetLine, Access::Write);
    let economic = if may_enter {
        crate::pages::inputs::CodePickers::load(state, id, year)
            .await
            .map(|p| p.economic)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let (lines, sums) = match page {
        Some(p) => (p.rows, [p.approved, p.spent, p.available]),
        None => (Vec::new(), [Money::ZERO; 3]),
    };
    let totals = sums.map(|m| listing.shown(Some(m)));
    let layout = Layout::new(id, format!("{year} 年度预算指标"), path);
    render(
        status,
        &LinesPage {
            layout: &layout,
            year,
            lines,
            listing,
            orgs,
            totals,
            may_enter,
            economic,
            form,
            errors,
        },
    )
}

/// Fields of the upper-transfer form, for sorting refusals beside them.
const TRANSFER_FIELDS: [&str; 6] = [
    "unit_id",
    "name",
    "economic_code",
    "fund_book",
    "amount",
    "document",
];

impl TransferForm {
    fn line(&self) -> AppResult<TransferLine> {
        let mut errors = Vec::new();
        let unit_id = self.unit_id.trim().parse::<i64>().ok();
        if unit_id.is_none() {
            errors.push(Refusal::new("UNIT_UNKNOWN", "请选择预算单位").field("unit_id"));
        }
        let amount = inputs::amount(&self.amount, "amount", "转移支付金额")
            .map_err(|r| errors.push(r))
            .ok();
        let book = FundBook::parse(&self.fund_book)
            .map_err(|r| errors.push(r.field("fund_book")))
            .ok();
        let year = self.year.trim().parse::<i32>().ok();
        match (unit_id, amount, book, year) {
            (Some(unit_id), Some(amount), Some(fund_book), Some(fiscal_year))
                if errors.is_empty() =>
            {
                Ok(TransferLine {
                    fiscal_year,
                    unit_id,
                    project_id: None,
                    name: self.name.clone(),
                    economic_code: self.economic_code.clone(),
                    fund_book,
                    three_guarantees: self.three_guarantees.is_some(),
                    amount,
                    document: self.document.clone(),
                })
            }
            _ => Err(AppError::Invalid {
                summary: Refusal::new(
                    "FORM_INVALID",
                    format!("有 {} 处需补正", errors.len().max(1)),
                ),
                errors,
            }),
        }
    }
}

/// Finance enters an upper-transfer line; a refused form comes back as typed.
async fn add_transfer(
    Page { state, id, uri }: Page,
    axum::Form(form): axum::Form<TransferForm>,
) -> Response {
    let done = match form.line() {
        Ok(line) => {
            state
                .app
                .execution()
                .add_transfer_line(&id.scope(), line)
                .await
        }
        Err(e) => Err(e),
    };
    let done = done.map(|line| format!("/budget-lines/{line}"));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let status = crate::problem::status_of(&e);
        let errors = FieldErrors::from_error(&e, &TRANSFER_FIELDS);
        let q = BTreeMap::from([("year".to_string(), form.year.clone())]);
        lines_page(&state, &id, uri.path(), &q, status, form, errors).await
    })
    .await
}
