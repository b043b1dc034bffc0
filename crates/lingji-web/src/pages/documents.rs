//! `/documents`: the documents people sign, as print layouts (A4, black on white, the bureau's
//! heading, the document number, the date in Beijing time, a table with its total and the
//! signature lines, no navigation) with a matching .xlsx download — 预算控制数, 预算批复 of a
//! department or unit, 支付凭证, 预算调整方案, 年终结转结余表. The self-evaluation table prints
//! from its own page. Every figure comes from the use cases that already read it, so a document
//! shows what the working pages show, to the fen.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lingji_app::allocation::documents::ApprovalDocument;
use lingji_app::allocation::figures::GroupedFigures;
use lingji_app::execution::adjustments::Amendment;
use lingji_app::execution::payments::PaymentView;
use lingji_app::execution::year_end::YearEndReport;
use lingji_app::{AppError, AppResult};
use lingji_domain::Money;
use lingji_domain::foundation::authz::Role;
use lingji_domain::foundation::org::OrgKind;

use crate::AppState;
use crate::api::xlsx;
use crate::identity::Identity;
use crate::pages::{Layout, Page, beijing, error_page, render, year_of};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/documents", get(index))
        .route("/documents/approval", get(approval))
        .route("/documents/approval.xlsx", get(approval_xlsx))
        .route("/documents/control-figures", get(control_figures))
        .route("/documents/control-figures.xlsx", get(control_figures_xlsx))
        .route("/documents/year-end", get(year_end))
        .route("/documents/year-end.xlsx", get(year_end_xlsx))
        .route("/documents/adjustments", get(adjustments))
        .route("/documents/payments/{id}", get(payment))
        .route("/documents/payments/{id}/xlsx", get(payment_xlsx))
}

/// An amount in 万元, exact (see [`Money::to_wan_exact`]).
pub(crate) fn wan(m: Money) -> String {
    m.to_wan_exact()
}

/// The date part of a stored time, in Beijing time (`2026-03-01`).
fn beijing_date(t: &str) -> String {
    beijing(t).chars().take(10).collect()
}

/// Now in Beijing time, for the line saying when a document was printed.
fn printed_now() -> String {
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now()
        .with_timezone(&east8)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// What every printed document shows around its table (`print_base.html`).
pub(crate) struct Head {
    /// The browser tab's title.
    pub title: String,
    /// 示范市财政局
    pub issuer: String,
    /// 2026 年度预算批复
    pub heading: String,
    /// 文号 / 编号, empty when the document has none.
    pub number: String,
    /// The document's date (Beijing time).
    pub date: String,
    /// Where 返回 leads.
    pub back: String,
    /// The .xlsx of the same document.
    pub xlsx: String,
    /// When printed (Beijing time).
    pub printed: String,
}

/// The year a document asks for (`?year=`), else the current one.
async fn year(state: &AppState, id: &Identity, q: &BTreeMap<String, String>) -> AppResult<i32> {
    year_of(state, id, q).await
}

/// `?org=` as an organisation id; anything else is refused beside nothing (a link, not a form).
fn org_of(q: &BTreeMap<String, String>) -> AppResult<i64> {
    q.get("org")
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| AppError::not_found("部门或单位"))
}

// ---------------------------------------------------------------------------------------
// The index: every document the caller may print.

/// An organisation on the index: its id and name.
type Named = (i64, String);

#[derive(Template)]
#[template(path = "documents.html")]
struct IndexPage<'a> {
    layout: &'a Layout,
    year: i32,
    /// Departments, each with its units: (id, name, units (id, name)).
    departments: Vec<(i64, String, Vec<Named>)>,
    /// Units shown alone (a unit operator's own).
    units: Vec<Named>,
    finance: bool,
}

async fn index(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let orgs = state
            .app
            .foundation()
            .list_organisations(&id.scope())
            .await?;
        AppResult::Ok((year, orgs))
    };
    let (year, orgs) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let actor = &id.actor;
    let finance = matches!(actor.role, Role::FinanceOfficer | Role::Auditor);
    let mut departments = Vec::new();
    let mut units = Vec::new();
    match actor.role {
        Role::UnitOperator => {
            units = orgs
                .iter()
                .filter(|o| o.kind == OrgKind::Unit && Some(o.id) == actor.org.unit)
                .map(|o| (o.id, o.name.clone()))
                .collect();
        }
        Role::DepartmentReviewer | Role::FinanceOfficer | Role::Auditor => {
            for d in orgs.iter().filter(|o| {
                o.kind == OrgKind::Department && (finance || Some(o.id) == actor.org.department)
            }) {
                let within = orgs
                    .iter()
                    .filter(|u| u.kind == OrgKind::Unit && u.path.department == Some(d.id))
                    .map(|u| (u.id, u.name.clone()))
                    .collect();
                departments.push((d.id, d.name.clone(), within));
            }
        }
        _ => {}
    }
    let layout = Layout::new(&id, format!("{year} 年度打印与导出"), uri.path());
    render(
        StatusCode::OK,
        &IndexPage {
            layout: &layout,
            year,
            departments,
            units,
            finance,
        },
    )
}

// ---------------------------------------------------------------------------------------
// 预算批复 of a department or unit.

/// One unit's lines in a department's 批复, with its subtotal.
struct UnitLines {
    name: String,
    rows: Vec<LineRow>,
    subtotal: Money,
}

/// A budget line as printed.
struct LineRow {
    id: i64,
    name: String,
    code: String,
    book: &'static str,
    three_guarantees: bool,
    amount: Money,
}

#[derive(Template)]
#[template(path = "doc_approval.html")]
struct ApprovalPrint {
    head: Head,
    year: i32,
    org_name: String,
    department: bool,
    approved: bool,
    units: Vec<UnitLines>,
    count: usize,
    total: Money,
}

impl ApprovalPrint {
    fn wan(&self, m: &Money) -> String {
        wan(*m)
    }
}

fn approval_print(doc: ApprovalDocument, q_year: i32) -> AppResult<ApprovalPrint> {
    let mut units: Vec<UnitLines> = Vec::new();
    for l in &doc.lines {
        let name = doc.names.get(&l.unit_id).cloned().unwrap_or_default();
        if units.last().is_none_or(|u| u.name != name) {
            units.push(UnitLines {
                name,
                rows: Vec::new(),
                subtotal: Money::ZERO,
            });
        }
        if let Some(u) = units.last_mut() {
            u.subtotal = u.subtotal.checked_add(l.approved).ok_or_else(|| {
                AppError::Internal("approval subtotal past the range of money".into())
            })?;
            u.rows.push(LineRow {
                id: l.id,
                name: l.name.clone(),
                code: l.economic_code.clone(),
                book: l.fund_book.label(),
                three_guarantees: l.three_guarantees,
                amount: l.approved,
            });
        }
    }
    let run = doc.run.as_ref();
    let head = Head {
        title: format!("{} {} 年度预算批复", doc.org_name, doc.fiscal_year),
        issuer: format!("{}财政局", doc.jurisdiction),
        heading: format!("{} 年度预算批复", doc.fiscal_year),
        number: run
            .and_then(|r| r.approval_document.clone())
            .unwrap_or_default(),
        date: run
            .and_then(|r| r.approved_at.as_deref())
            .map(beijing_date)
            .unwrap_or_default(),
        back: format!("/documents?year={q_year}"),
        xlsx: format!(
            "/documents/approval.xlsx?year={}&org={}",
            doc.fiscal_year, doc.org_id
        ),
        printed: printed_now(),
    };
    Ok(ApprovalPrint {
        head,
        year: doc.fiscal_year,
        org_name: doc.org_name,
        department: doc.department,
        approved: doc.run.is_some(),
        count: doc.lines.len(),
        total: doc.total,
        units,
    })
}

async fn approval(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let org = org_of(&q)?;
        let doc = state
            .app
            .allocation()
            .approval_document(&id.scope(), year, org)
            .await?;
        approval_print(doc, year)
    };
    match loaded.await {
        Ok(print) => render(StatusCode::OK, &print),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

async fn approval_xlsx(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let org = org_of(&q)?;
        let bytes = state
            .app
            .allocation()
            .approval_xlsx(&id.scope(), year, org)
            .await?;
        AppResult::Ok((year, org, bytes))
    };
    match loaded.await {
        Ok((year, org, bytes)) => xlsx(
            bytes,
            &format!("approval-{year}-{org}.xlsx"),
            &format!("{year}年度预算批复-{org}.xlsx"),
        ),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

// ---------------------------------------------------------------------------------------
// 预算控制数.

#[derive(Template)]
#[template(path = "doc_control_figures.html")]
struct FiguresPrint {
    head: Head,
    published: bool,
    grouped: GroupedFigures,
}

impl FiguresPrint {
    fn wan(&self, m: &Money) -> String {
        wan(*m)
    }
}

async fn control_figures(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
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
    let run = f.run.as_ref().map(|r| &r.header);
    let head = Head {
        title: format!("{year} 年度预算控制数"),
        issuer: format!(
            "{}财政局",
            f.names
                .get(&id.actor.org.jurisdiction)
                .cloned()
                .unwrap_or_default()
        ),
        heading: format!("{year} 年度预算控制数"),
        number: run
            .map(|r| format!("{year} 年第 {} 号测算方案", r.number))
            .unwrap_or_default(),
        date: run
            .and_then(|r| r.published_at.as_deref())
            .map(beijing_date)
            .unwrap_or_default(),
        back: format!("/control-figures?year={year}"),
        xlsx: format!("/documents/control-figures.xlsx?year={year}"),
        printed: printed_now(),
    };
    render(
        StatusCode::OK,
        &FiguresPrint {
            head,
            published: run.is_some_and(|r| r.published_at.is_some()),
            grouped,
        },
    )
}

async fn control_figures_xlsx(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let bytes = state
            .app
            .allocation()
            .control_figures_xlsx(&id.scope(), year)
            .await?;
        AppResult::Ok((year, bytes))
    };
    match loaded.await {
        Ok((year, bytes)) => xlsx(
            bytes,
            &format!("control-figures-{year}.xlsx"),
            &format!("{year}年度预算控制数.xlsx"),
        ),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

/// The units given money and the total of `run`'s control figures when it is the chosen run of
/// its year: what the confirmation before 下达 or 批复 and the message after say.
pub(crate) async fn figures_summary(
    state: &AppState,
    id: &Identity,
    run: &lingji_app::allocation::RunView,
) -> Option<(usize, Money)> {
    run.header.chosen_at.as_ref()?;
    let year = i32::try_from(run.header.fiscal_year).ok()?;
    let f = state
        .app
        .allocation()
        .control_figures(&id.scope(), year)
        .await
        .ok()?;
    if f.run.as_ref()?.header.id != run.header.id {
        return None;
    }
    let units: std::collections::BTreeSet<i64> = f
        .figures
        .iter()
        .filter(|x| x.basic > Money::ZERO || x.projects > Money::ZERO)
        .map(|x| x.unit_id)
        .collect();
    let total = Money::checked_sum(f.figures.iter().flat_map(|x| [x.basic, x.projects]))?;
    Some((units.len(), total))
}

/// The bureau's name for a heading: the jurisdiction's name and 财政局.
async fn issuer(state: &AppState, id: &Identity) -> String {
    let name = state
        .app
        .foundation()
        .list_organisations(&id.scope())
        .await
        .ok()
        .and_then(|orgs| {
            orgs.into_iter()
                .find(|o| o.id == id.actor.org.jurisdiction)
                .map(|o| o.name)
        })
        .unwrap_or_default();
    format!("{name}财政局")
}

// ---------------------------------------------------------------------------------------
// 年终结转结余表.

#[derive(Template)]
#[template(path = "doc_year_end.html")]
struct YearEndPrint {
    head: Head,
    r: YearEndReport,
    /// The lines' year-end balances together.
    available: Money,
    /// Lines carried (something carried) and recovered (something recovered).
    carried_lines: usize,
    recovered_lines: usize,
}

async fn year_end(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let r = state
            .app
            .year_end()
            .year_end_report(&id.scope(), year)
            .await?;
        let available = Money::checked_sum(r.lines.iter().map(|l| l.available))
            .ok_or_else(|| AppError::Internal("year-end balance past the range of money".into()))?;
        AppResult::Ok((year, r, available))
    };
    let (year, r, available) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let (number, date) = match &r.closed {
        Some((_, at)) => (String::new(), beijing_date(at)),
        None => (String::new(), String::new()),
    };
    let head = Head {
        title: format!("{year} 年度年终结转结余表"),
        issuer: issuer(&state, &id).await,
        heading: format!("{year} 年度年终结转结余表"),
        number,
        date,
        back: format!("/year-end?year={year}"),
        xlsx: format!("/documents/year-end.xlsx?year={year}"),
        printed: printed_now(),
    };
    render(
        StatusCode::OK,
        &YearEndPrint {
            head,
            available,
            carried_lines: r.lines.iter().filter(|l| l.carried > Money::ZERO).count(),
            recovered_lines: r.lines.iter().filter(|l| l.recovered > Money::ZERO).count(),
            r,
        },
    )
}

async fn year_end_xlsx(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let bytes = state
            .app
            .year_end()
            .year_end_xlsx(&id.scope(), year)
            .await?;
        AppResult::Ok((year, bytes))
    };
    match loaded.await {
        Ok((year, bytes)) => xlsx(
            bytes,
            &format!("year-end-{year}.xlsx"),
            &format!("{year}年度年终结转结余表.xlsx"),
        ),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

/// What the year-end page says after the close: how many lines carried and recovered how much,
/// read from the stored close.
pub(crate) async fn closed_message(state: &AppState, id: &Identity, year: i32) -> Option<String> {
    let r = state
        .app
        .year_end()
        .year_end_report(&id.scope(), year)
        .await
        .ok()?;
    let carried = r.lines.iter().filter(|l| l.carried > Money::ZERO).count();
    let recovered = r.lines.iter().filter(|l| l.recovered > Money::ZERO).count();
    Some(format!(
        "已结转 {carried} 条指标 {} 元、收回 {recovered} 条指标 {} 元",
        r.carried.to_yuan_display(),
        r.recovered.to_yuan_display()
    ))
}

// ---------------------------------------------------------------------------------------
// 预算调整方案.

#[derive(Template)]
#[template(path = "doc_adjustments.html")]
struct AdjustmentsPrint {
    head: Head,
    a: Amendment,
    /// Who approved, by the names people go by.
    names: crate::people::Names,
}

impl AdjustmentsPrint {
    fn person(&self, login: &str) -> String {
        self.names.of(login)
    }

    fn date(&self, t: &Option<String>) -> String {
        t.as_deref().map(beijing_date).unwrap_or_default()
    }
}

async fn adjustments(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let loaded = async {
        let year = year(&state, &id, &q).await?;
        let a = state.app.execution().amendment(&id.scope(), year).await?;
        AppResult::Ok((year, a))
    };
    let (year, a) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let last = a
        .changes
        .iter()
        .filter_map(|c| c.decided_at.as_deref())
        .max()
        .map(beijing_date)
        .unwrap_or_default();
    let head = Head {
        title: format!("{year} 年度预算调整方案"),
        issuer: issuer(&state, &id).await,
        heading: format!("{year} 年度预算调整方案"),
        number: String::new(),
        date: last,
        back: format!("/adjustments?year={year}"),
        xlsx: format!("/api/v1/adjustments/amendment.xlsx?year={year}"),
        printed: printed_now(),
    };
    let names = id.names.clone();
    render(StatusCode::OK, &AdjustmentsPrint { head, a, names })
}

// ---------------------------------------------------------------------------------------
// 支付凭证.

#[derive(Template)]
#[template(path = "doc_payment.html")]
struct PaymentPrint {
    head: Head,
    p: PaymentView,
    unit: String,
    /// The budget line as 预算指标 names it (number, project code and name, fund book).
    line: String,
}

/// The payment and its unit's name, as the caller may read them.
async fn payment_of(state: &AppState, id: &Identity, pid: i64) -> AppResult<(PaymentView, String)> {
    let p = state.app.execution().payment(&id.scope(), pid).await?;
    let unit = state
        .app
        .foundation()
        .list_organisations(&id.scope())
        .await?
        .into_iter()
        .find(|o| o.id == p.unit_id)
        .map(|o| o.name)
        .unwrap_or_default();
    Ok((p, unit))
}

async fn payment(Page { state, id, uri }: Page, Path(pid): Path<i64>) -> Response {
    let (p, unit) = match payment_of(&state, &id, pid).await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let head = Head {
        title: format!("支付凭证 第 {} 号", p.id),
        issuer: issuer(&state, &id).await,
        heading: format!("{} 年度国库集中支付凭证", p.fiscal_year),
        number: format!("凭证编号：第 {} 号", p.id),
        date: p.draft.date.format("%Y-%m-%d").to_string(),
        back: format!("/payments/{}", p.id),
        xlsx: format!("/documents/payments/{}/xlsx", p.id),
        printed: printed_now(),
    };
    let line = state
        .app
        .execution()
        .voucher_line(&id.scope(), p.draft.line_id)
        .await
        .unwrap_or_else(|_| format!("第 {} 号", p.draft.line_id));
    render(
        StatusCode::OK,
        &PaymentPrint {
            head,
            p,
            unit,
            line,
        },
    )
}

async fn payment_xlsx(Page { state, id, uri }: Page, Path(pid): Path<i64>) -> Response {
    let loaded = async {
        let (_, unit) = payment_of(&state, &id, pid).await?;
        state
            .app
            .execution()
            .payment_voucher_xlsx(&id.scope(), pid, &unit)
            .await
    };
    match loaded.await {
        Ok(bytes) => xlsx(
            bytes,
            &format!("payment-{pid}.xlsx"),
            &format!("支付凭证-{pid}.xlsx"),
        ),
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

/// What the adjustments page says after finance's decision on adjustment `?adjustment=` of
/// `?year=` (both integers, or nothing is said), read from the stored adjustment.
pub(crate) async fn adjustment_message(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
) -> Option<String> {
    use lingji_domain::execution::AdjustmentStatus;
    let number = |k: &str| q.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let (wanted, year) = (number("adjustment")?, i32::try_from(number("year")?).ok()?);
    let filter = lingji_app::store::execution::adjustments::AdjustmentFilter {
        fiscal_year: year,
        ..Default::default()
    };
    let a = state
        .app
        .execution()
        .adjustments(&id.scope(), filter)
        .await
        .ok()?
        .into_iter()
        .find(|a| a.id == wanted)?;
    let amount = a.amount.to_yuan_display();
    match a.status {
        AdjustmentStatus::Approved => Some(format!(
            "已批准{} {amount} 元（{}），预算指标已调整",
            a.kind_label, a.unit_name
        )),
        AdjustmentStatus::Rejected => Some(format!(
            "已退回{}申请 {amount} 元（{}）",
            a.kind_label, a.unit_name
        )),
        AdjustmentStatus::Requested => None,
    }
}

/// What the payment page says after finance's decision, read from the stored payment: who was
/// paid how much, or what was confirmed or given back.
pub(crate) fn decided_message(p: &PaymentView) -> Option<String> {
    use lingji_domain::execution::PaymentStatus;
    let (who, amount) = (&p.draft.payee_name, p.draft.amount.to_yuan_display());
    Some(match p.status {
        PaymentStatus::Paid => format!("已支付 {who} {amount} 元"),
        PaymentStatus::Pending => format!("已确认支付给 {who} 的 {amount} 元，等待支付"),
        PaymentStatus::Released => format!("已退回支付给 {who} 的 {amount} 元，指标额度已释放"),
        _ => return None,
    })
}
