//! `/payments`: payment requests as units enter them — the check shown as the user types — the
//! review queue of finance (held by a warning, waiting for payment), one payment with its hits
//! and decisions, and `/budget-lines/{id}`, the ledger of one line (ZB-7a, ZX-4b, PM-9).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use lingji_app::execution::payments::{LineLedger, PaymentPreview, PaymentRow, PaymentView};
use lingji_app::store::execution::payments::PaymentFilter;
use lingji_app::{AppError, AppResult};
use lingji_domain::execution::{Decision, Movement, PayeeKind, PaymentDraft, PaymentStatus};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::{Money, Refusal};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::listing::{self, Key, Listing, Orgs};
use crate::pages::{FieldErrors, Layout, Page, answer, error_page, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/payments", get(list).post(create))
        .route("/payments/new", get(new))
        .route("/payments/check", post(check))
        .route("/payments/{id}", get(show))
        .route("/payments/{id}/decision", post(decide))
        .route("/budget-lines/{id}", get(line))
}

/// Fields the payment form shows.
const FIELDS: [&str; 12] = [
    "line_id",
    "payee_name",
    "payee_account",
    "payee_kind",
    "amount",
    "economic_code",
    "purpose",
    "date",
    "contract_no",
    "event_code",
    "headcount",
    "days",
];

/// The payment form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PaymentForm {
    line_id: String,
    payee_name: String,
    payee_account: String,
    payee_kind: String,
    amount: String,
    economic_code: String,
    purpose: String,
    date: String,
    contract_no: String,
    event_code: String,
    headcount: String,
    days: String,
    idempotency_key: String,
}

impl PaymentForm {
    /// The draft, or every field that does not parse.
    fn draft(&self) -> AppResult<PaymentDraft> {
        let mut errors = Vec::new();
        let mut wrong = |code: &'static str, field: &str, message: &str| {
            errors.push(Refusal::new(code, message).field(field));
        };
        let line_id = self.line_id.trim().parse::<i64>().ok();
        if line_id.is_none() {
            wrong("LINE_REQUIRED", "line_id", "请选择预算指标");
        }
        let kind = PayeeKind::parse(&self.payee_kind);
        if kind.is_none() {
            wrong("PAYEE_KIND_INVALID", "payee_kind", "请选择收款人类型");
        }
        let amount = Money::parse(&self.amount).map_err(|r| r.field("amount"));
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            wrong("DATE_MALFORMED", "date", "日期应为 年-月-日，如 2026-03-10");
        }
        let count = |v: &str, field: &str, errors: &mut Vec<Refusal>| -> Option<u32> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            v.parse().ok().or_else(|| {
                errors.push(Refusal::new("NUMBER_MALFORMED", "应为整数").field(field));
                None
            })
        };
        let headcount = count(&self.headcount, "headcount", &mut errors);
        let days = count(&self.days, "days", &mut errors);
        let amount = match amount {
            Ok(a) => Some(a),
            Err(r) => {
                errors.push(r);
                None
            }
        };
        match (line_id, kind, amount, date) {
            (Some(line_id), Some(payee_kind), Some(amount), Some(date)) if errors.is_empty() => {
                let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
                Ok(PaymentDraft {
                    payee_name: self.payee_name.clone(),
                    payee_account: self.payee_account.clone(),
                    payee_kind,
                    amount,
                    economic_code: self.economic_code.trim().to_string(),
                    line_id,
                    purpose: self.purpose.clone(),
                    date,
                    contract_no: opt(&self.contract_no),
                    event_code: opt(&self.event_code),
                    headcount,
                    days,
                    idempotency_key: self.idempotency_key.trim().to_string(),
                })
            }
            _ => Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "payments.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    rows: Vec<PaymentRow>,
    status: String,
    queue: bool,
    may_request: bool,
    listing: Listing,
    orgs: Orgs,
    /// 金额 of every payment the filters find.
    total: String,
    /// The use case lists at most this many; more are left out, newest kept.
    capped: bool,
}

impl ListPage<'_> {
    fn tabs(&self) -> Vec<(&'static str, &'static str)> {
        let mut t = vec![("", "全部")];
        t.extend(PaymentStatus::ALL.iter().map(|s| (s.as_str(), s.label())));
        t
    }
    /// A state tab's link, with the other filters kept.
    fn tab_link(&self, status: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for f in ["year", "unit_id", "q"] {
            let v = self.listing.filter(f);
            if !v.is_empty() {
                s.append_pair(f, v);
            }
        }
        if !status.is_empty() {
            s.append_pair("status", status);
        }
        let q = s.finish();
        if q.is_empty() {
            "/payments".into()
        } else {
            format!("/payments?{q}")
        }
    }
}

/// The payments' filters and the columns they sort by.
const PAYMENT_FILTERS: [&str; 4] = ["status", "year", "unit_id", "q"];
const PAYMENT_SORTS: [&str; 6] = ["id", "date", "unit", "payee", "amount", "status"];
/// The most payments the use case lists at once.
const PAYMENT_CAP: i64 = 1000;

/// Payments filtered by state, year and unit in the use case (the store), by payee, purpose
/// or number here; sorted, totalled and paged here.
async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut listing = Listing::new(uri.path(), &q, &PAYMENT_SORTS, &PAYMENT_FILTERS);
    let status = listing.filter("status").to_string();
    let parsed = PaymentStatus::parse(&status);
    // A list of what waits for finance is worked in QJ-4a order: priority subjects first.
    let queue = matches!(parsed, Some(PaymentStatus::Held | PaymentStatus::Pending));
    let filter = PaymentFilter {
        status: parsed,
        queue,
        unit_id: listing.id_filter("unit_id"),
        fiscal_year: listing.filter("year").parse().ok(),
        limit: PAYMENT_CAP,
        ..PaymentFilter::default()
    };
    let loaded = async {
        let rows = state.app.execution().payments(&id.scope(), filter).await?;
        let orgs = Orgs::of(&state, &id).await?;
        AppResult::Ok((rows, orgs))
    };
    match loaded.await {
        Ok((mut rows, orgs)) => {
            let capped = rows.len() as i64 == PAYMENT_CAP;
            let text = listing.filter("q").to_lowercase();
            rows.retain(|p| {
                text.is_empty()
                    || p.id.to_string() == text
                    || p.draft.payee_name.to_lowercase().contains(&text)
                    || p.draft.purpose.to_lowercase().contains(&text)
            });
            let total = listing::yuan(listing::total(&rows, |p| p.draft.amount));
            listing.sort(&mut rows, |p, key| match key {
                "date" => Key::from(p.draft.date.to_string()),
                "unit" => Key::from(orgs.name(&p.unit_id)),
                "payee" => Key::from(p.draft.payee_name.as_str()),
                "amount" => Key::from(p.draft.amount),
                "status" => Key::from(p.status_label),
                _ => Key::from(p.id),
            });
            let rows = listing.paginate(rows);
            let layout = Layout::new(&id, "支付申请", uri.path());
            render(
                StatusCode::OK,
                &ListPage {
                    layout: &layout,
                    rows,
                    status,
                    queue,
                    may_request: may_request(&id),
                    listing,
                    orgs,
                    total,
                    capped,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

fn forbidden() -> AppError {
    AppError::Forbidden(Refusal::new("FORBIDDEN", "无权申请支付"))
}

fn may_request(id: &Identity) -> bool {
    matches!(id.actor.role, Role::UnitOperator | Role::FinanceOfficer)
        && may(id.actor.role, Resource::Payment, Access::Write)
}

#[derive(Template)]
#[template(path = "payment_form.html")]
struct FormPage<'a> {
    layout: &'a Layout,
    form: PaymentForm,
    errors: FieldErrors,
    lines: Vec<(i64, String)>,
}

pub(crate) async fn lines_for(state: &AppState, id: &Identity) -> AppResult<Vec<(i64, String)>> {
    let jurisdiction = id.actor.org.jurisdiction;
    let year = state.app.foundation().current_year(jurisdiction).await?;
    Ok(state
        .app
        .allocation()
        .budget_lines(&id.scope(), year, 0, 500)
        .await?
        .into_iter()
        .map(|l| {
            (
                l.id,
                format!(
                    "{} · {} · {} · {} 元",
                    l.id,
                    l.name,
                    l.economic_code,
                    l.approved.to_yuan_display()
                ),
            )
        })
        .collect())
}

fn new_key() -> AppResult<String> {
    Ok(format!(
        "web-{}",
        lingji_app::foundation::auth::random_token()?
            .chars()
            .take(32)
            .collect::<String>()
    ))
}

async fn form_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    status: StatusCode,
    form: PaymentForm,
    errors: FieldErrors,
) -> Response {
    match lines_for(state, id).await {
        Ok(lines) => {
            let layout = Layout::new(id, "新建支付申请", path);
            render(
                status,
                &FormPage {
                    layout: &layout,
                    form,
                    errors,
                    lines,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn new(Page { state, id, uri }: Page, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if !may_request(&id) {
        return error_page(&id, uri.path(), &forbidden());
    }
    let key = match new_key() {
        Ok(k) => k,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let form = PaymentForm {
        line_id: q.get("line").cloned().unwrap_or_default(),
        payee_kind: "unit".into(),
        date: chrono::Local::now().date_naive().to_string(),
        idempotency_key: key,
        ..PaymentForm::default()
    };
    form_page(
        &state,
        &id,
        uri.path(),
        StatusCode::OK,
        form,
        FieldErrors::default(),
    )
    .await
}

async fn create(Page { state, id, uri }: Page, Form(form): Form<PaymentForm>) -> Response {
    let done = async {
        let draft = form.draft()?;
        state
            .app
            .execution()
            .request_payment(&id.scope(), draft)
            .await
    }
    .await;
    let done = done.map(|p| format!("/payments/{}", p.id));
    // A fault or an unavailable store is not the form's to show either.
    let leaves = |e: &AppError| {
        matches!(
            e,
            AppError::Forbidden(_) | AppError::Internal(_) | AppError::Unavailable(_)
        )
    };
    answer(&id, uri.path(), leaves, done, async |e| {
        let status = crate::problem::status_of(&e);
        let errors = FieldErrors::from_error(&e, &FIELDS);
        form_page(&state, &id, "/payments/new", status, form, errors).await
    })
    .await
}

#[derive(Template)]
#[template(path = "payment_check.html")]
struct CheckFragment {
    preview: Option<PaymentPreview>,
    errors: Vec<String>,
}

/// The check as the user types (htmx): wrong fields, balance, rules hit.
async fn check(Page { state, id, .. }: Page, Form(form): Form<PaymentForm>) -> Response {
    if !may_request(&id) {
        return (StatusCode::FORBIDDEN, "无权申请支付").into_response();
    }
    let checked = match form.draft() {
        Err(e) => Err((StatusCode::OK, e)),
        Ok(draft) => state
            .app
            .execution()
            .preview_payment(&id.scope(), draft)
            .await
            .map_err(|e| (crate::problem::status_of(&e), e)),
    };
    match checked {
        Ok(p) => render(
            StatusCode::OK,
            &CheckFragment {
                preview: Some(p),
                errors: vec![],
            },
        ),
        // A form still being typed is answered with what is wrong so far; a line the caller
        // may not pay from is refused outright.
        Err((status, e)) => render(
            status,
            &CheckFragment {
                preview: None,
                errors: FieldErrors::from_error(&e, &[]).general,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "payment.html")]
struct ShowPage<'a> {
    layout: &'a Layout,
    p: PaymentView,
    may_decide: bool,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    pid: i64,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    match state.app.execution().payment(&id.scope(), pid).await {
        Ok(p) => {
            let layout = Layout::new(id, format!("支付申请 {}", p.id), path);
            render(
                status,
                &ShowPage {
                    layout: &layout,
                    p,
                    may_decide: id.actor.role == Role::FinanceOfficer,
                    error,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn show(Page { state, id, uri }: Page, Path(pid): Path<i64>) -> Response {
    show_page(&state, &id, uri.path(), pid, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    reason: String,
}

async fn decide(
    Page { state, id, uri }: Page,
    Path(pid): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let decision = match form.decision.as_str() {
        "confirm" => Decision::Confirm,
        "reject" => Decision::Reject,
        _ => Decision::Pay,
    };
    let done = state
        .app
        .execution()
        .decide_payment(&id.scope(), pid, decision, &form.reason)
        .await
        .map(|_| format!("/payments/{pid}"));
    answer(&id, uri.path(), crate::pages::forbidden, done, async |e| {
        let status = crate::problem::status_of(&e);
        let message = Some(e.refusal().message);
        show_page(&state, &id, uri.path(), pid, status, message).await
    })
    .await
}

#[derive(Template)]
#[template(path = "budget_line.html")]
struct LinePage<'a> {
    layout: &'a Layout,
    l: LineLedger,
    may_request: bool,
}

impl LinePage<'_> {
    fn book(&self) -> &'static str {
        lingji_domain::foundation::fund::FundBook::parse(&self.l.line.fund_book)
            .map(|b| b.label())
            .unwrap_or("")
    }

    fn kind(m: &Movement) -> (&'static str, Money) {
        match *m {
            Movement::Approve(a) => ("批复", a),
            Movement::Adjust(a) => ("调整", a),
            Movement::Reserve(a) => ("支付占用", a),
            Movement::Release(a) => ("退回", a),
            Movement::Settle(a) => ("支付", a),
            Movement::Close(a) => ("年终结转或收回", a),
        }
    }
}

async fn line(Page { state, id, uri }: Page, Path(lid): Path<i64>) -> Response {
    match state.app.execution().line_ledger(&id.scope(), lid).await {
        Ok(l) => {
            let layout = Layout::new(
                &id,
                format!("预算指标 {} · {}", l.line.id, l.line.name),
                uri.path(),
            );
            render(
                StatusCode::OK,
                &LinePage {
                    layout: &layout,
                    l,
                    may_request: may_request(&id),
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
