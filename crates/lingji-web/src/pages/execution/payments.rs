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
use lingji_app::execution::payees::PayeeRow;
use lingji_app::execution::payments::{HitView, LineLedger, PaymentPreview, PaymentView};
use lingji_app::store::execution::payments::PayableLine;
use lingji_app::{AppError, AppResult};
use lingji_domain::execution::{Action, Decision, Movement, PayeeKind, PaymentDraft};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::review::lists::ListKind;
use lingji_domain::{Money, Refusal};
use serde::Deserialize;

use super::payment_list::list;
use crate::AppState;
use crate::identity::Identity;
use crate::pages::{FieldErrors, Layout, Page, answer, error_page, inputs, render, said};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/payments", get(list).post(create))
        .route("/payments/new", get(new))
        .route("/payments/check", post(check))
        .route("/payments/{id}", get(show))
        .route("/payments/{id}/decision", post(decide))
        .route("/budget-lines/{id}", get(line))
}

/// Fields the payment form shows; `outcome` is the place beside the submit button where a
/// payment the rules would block is refused (ZX-4b).
const FIELDS: [&str; 13] = [
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
    "outcome",
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

/// The amount as the form names it in a refusal.
const AMOUNT: &str = "支付金额";

impl PaymentForm {
    /// The line picked, if the field holds a line id.
    fn line_id(&self) -> Option<i64> {
        self.line_id.trim().parse::<i64>().ok()
    }

    /// The economic code the payment takes from its line: a line of a 款 fixes it whatever the
    /// form says; within a line of a 类 (公用经费 302) the 款 picked from it, else the line's own
    /// code. A 款 outside the line is refused by the request (ZB-7a).
    fn code_from(&self, line_code: &str) -> String {
        let picked = self.economic_code.trim();
        if line_code.len() >= 5 || picked.is_empty() {
            line_code.to_string()
        } else {
            picked.to_string()
        }
    }

    /// The draft on `line` (None: no line picked, or not one the caller may pay from), or every
    /// field that does not parse.
    fn draft(&self, line: Option<&PayableLine>) -> AppResult<PaymentDraft> {
        let mut errors = Vec::new();
        let mut wrong = |code: &'static str, field: &str, message: &str| {
            errors.push(Refusal::new(code, message).field(field));
        };
        if line.is_none() {
            wrong("LINE_REQUIRED", "line_id", "请选择预算指标");
        }
        let kind = PayeeKind::parse(&self.payee_kind);
        if kind.is_none() {
            wrong("PAYEE_KIND_INVALID", "payee_kind", "请选择收款人类型");
        }
        let amount = inputs::amount(&self.amount, "amount", AMOUNT);
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            wrong("DATE_MALFORMED", "date", "日期应为 年-月-日，如 2026-03-10");
        }
        let headcount = count(&self.headcount, "headcount", "人数", &mut errors);
        let days = count(&self.days, "days", "天数", &mut errors);
        let amount = match amount {
            Ok(a) => Some(a),
            Err(r) => {
                errors.push(r);
                None
            }
        };
        match (line, kind, amount, date) {
            (Some(line), Some(payee_kind), Some(amount), Some(date)) if errors.is_empty() => {
                let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
                Ok(PaymentDraft {
                    payee_name: self.payee_name.clone(),
                    payee_account: self.payee_account.clone(),
                    payee_kind,
                    amount,
                    economic_code: self.code_from(&line.economic_code),
                    line_id: line.id,
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

    /// The draft the live check previews as soon as the line and the amount are known: the
    /// fields not yet filled are taken as the form's defaults (a unit payee, today) and said
    /// only when the payment is sent. `Err` is the amount's refusal.
    fn preview_draft(&self, line: &PayableLine) -> Result<PaymentDraft, Refusal> {
        let amount = inputs::amount(&self.amount, "amount", AMOUNT)?;
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(PaymentDraft {
            payee_name: self.payee_name.clone(),
            payee_account: self.payee_account.clone(),
            payee_kind: PayeeKind::parse(&self.payee_kind).unwrap_or(PayeeKind::Unit),
            amount,
            economic_code: self.code_from(&line.economic_code),
            line_id: line.id,
            purpose: self.purpose.clone(),
            date: NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
                .unwrap_or_else(|_| today()),
            contract_no: opt(&self.contract_no),
            event_code: opt(&self.event_code),
            headcount: self.headcount.trim().parse().ok(),
            days: self.days.trim().parse().ok(),
            idempotency_key: "preview-only".into(),
        })
    }
}

/// Today in Beijing, the day a payment is dated by default.
fn today() -> NaiveDate {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now().with_timezone(&beijing).date_naive()
}

/// A count typed in a field (人数, 天数): empty is none; anything but a whole number refused
/// beside the field, naming it.
fn count(v: &str, field: &str, label: &str, errors: &mut Vec<Refusal>) -> Option<u32> {
    let typed = lingji_domain::money::half_width(v);
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    t.parse().ok().or_else(|| {
        errors.push(Refusal::new("NUMBER_MALFORMED", format!("{label}“{v}”应为整数")).field(field));
        None
    })
}

/// Why the rules (ZX-4b) or a suspension (PM-9) would block this payment, with the clause, or
/// None when it may be sent.
fn blocked(p: &PaymentPreview) -> Option<Refusal> {
    if let Some(reason) = &p.suspended {
        return Some(
            Refusal::new(
                "PAYMENT_BLOCKED",
                format!("拦截：该项目已暂缓拨款：{reason}"),
            )
            .field("outcome")
            .clause("PM-9"),
        );
    }
    if p.outcome != Some(Action::Block) {
        return None;
    }
    let blocks: Vec<&HitView> = p
        .hits
        .iter()
        .filter(|h| h.action == Action::Block)
        .collect();
    // Each rule with its own clause; the refusal cites ZX-4b, the clause of the rules.
    let said: Vec<String> = blocks
        .iter()
        .map(|h| match h.clause.as_deref() {
            Some(c) if c != "ZX-4b" => format!("{} {}：{}（{c}）", h.code, h.name, h.message),
            _ => format!("{} {}：{}", h.code, h.name, h.message),
        })
        .collect();
    let r = Refusal::new(
        "PAYMENT_BLOCKED",
        format!("拦截，不能提交：{}", said.join("；")),
    )
    .field("outcome")
    .clause("ZX-4b");
    Some(r)
}

fn forbidden() -> AppError {
    AppError::Forbidden(Refusal::new("FORBIDDEN", "无权申请支付"))
}

pub(super) fn may_request(id: &Identity) -> bool {
    matches!(id.actor.role, Role::UnitOperator | Role::FinanceOfficer)
        && may(id.actor.role, Resource::Payment, Access::Write)
}

/// A line as the payment form's picker shows it.
struct LineChoice {
    id: i64,
    name: String,
    economic_code: String,
    available: Money,
}

impl LineChoice {
    /// `公用经费（指标 12）· 经济分类 302 · 可用 100,000.00 元`.
    fn label(&self) -> String {
        format!(
            "{}（指标 {}）· 经济分类 {} · 可用 {} 元",
            self.name,
            self.id,
            self.economic_code,
            self.available.to_yuan_display()
        )
    }

    /// Nothing left to pay from: shown last, disabled.
    fn empty(&self) -> bool {
        self.available <= Money::ZERO
    }

    /// A line of a 款 fixes the payment's economic code.
    fn fixes_code(&self) -> bool {
        self.economic_code.len() >= 5
    }
}

#[derive(Template)]
#[template(path = "payment_form.html")]
struct FormPage<'a> {
    layout: &'a Layout,
    form: PaymentForm,
    errors: FieldErrors,
    /// The year's lines, most available first.
    lines: Vec<LineChoice>,
    /// Department economic 款, to pick within a line of a 类.
    economic: Vec<inputs::Choice>,
    /// The year's 节庆论坛展会清单 (ZB-6a), to pick an event from.
    events: Vec<inputs::Choice>,
    /// The payees paid before, most recent first, to pick 收款人 from.
    payees: Vec<PayeeRow>,
}

impl FormPage<'_> {
    /// The line picked, when it is one of the list.
    fn picked(&self) -> Option<&LineChoice> {
        let id = self.form.line_id()?;
        self.lines.iter().find(|l| l.id == id)
    }

    /// The economic code field as shown: the line's when it fixes it.
    fn code_shown(&self) -> String {
        match self.picked() {
            Some(l) => self.form.code_from(&l.economic_code),
            None => self.form.economic_code.clone(),
        }
    }

    fn code_fixed(&self) -> bool {
        self.picked().is_some_and(LineChoice::fixes_code)
    }
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
    let loaded = async {
        let year = state
            .app
            .foundation()
            .current_year(id.actor.org.jurisdiction)
            .await?;
        let lines = state
            .app
            .execution()
            .payable_lines(&id.scope(), year)
            .await?
            .into_iter()
            .map(|l| LineChoice {
                available: l.balance.available(),
                id: l.id,
                name: l.name,
                economic_code: l.economic_code,
            })
            .collect::<Vec<_>>();
        // The 款 a line of a 类 may be refined to; the pickers are a help, so a year without
        // its code table loaded still shows the form.
        let economic = inputs::CodePickers::load(state, id, year)
            .await
            .map(|p| p.economic)
            .unwrap_or_default();
        // Whoever may not read the lists types the event's code; the rules judge it either way.
        let events = state
            .app
            .review()
            .list_entries(&id.scope(), ListKind::Events, Some(year))
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.active)
            .map(|e| inputs::Choice {
                code: e.entry.code,
                name: e.entry.name,
            })
            .collect();
        // The payees are a help too: the name is typed when they cannot be read.
        let payees = state
            .app
            .execution()
            .known_payees(&id.scope(), "")
            .await
            .unwrap_or_default();
        AppResult::Ok((lines, economic, events, payees))
    };
    match loaded.await {
        Ok((lines, economic, events, payees)) => {
            let layout = Layout::new(id, "新建支付申请", path);
            render(
                status,
                &FormPage {
                    layout: &layout,
                    form,
                    errors,
                    lines,
                    economic,
                    events,
                    payees,
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
        date: today().to_string(),
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

/// The line the form names (None: no line picked); a line that does not exist or that the
/// caller may not see is not found, said beside the picker.
async fn line_of(
    state: &AppState,
    id: &Identity,
    form: &PaymentForm,
) -> AppResult<Option<PayableLine>> {
    let Some(lid) = form.line_id() else {
        return Ok(None);
    };
    match state.app.execution().payable_line(&id.scope(), lid).await {
        Ok(l) => Ok(Some(l)),
        Err(AppError::NotFound(r)) => Err(AppError::NotFound(r.field("line_id"))),
        Err(e) => Err(e),
    }
}

async fn create(Page { state, id, uri }: Page, Form(form): Form<PaymentForm>) -> Response {
    let done = async {
        let line = line_of(&state, &id, &form).await?;
        let draft = form.draft(line.as_ref())?;
        // A payment the rules would block is refused here, beside the button, before it is
        // sent — as the live check already said (ZX-4b); the request checks again.
        // A form sent twice is answered with its first payment.
        let execution = state.app.execution();
        if !execution
            .key_answered(&id.scope(), &draft.idempotency_key)
            .await?
        {
            let preview = execution
                .preview_payment(&id.scope(), draft.clone())
                .await?;
            if let Some(r) = blocked(&preview) {
                return Err(AppError::Refused(r));
            }
        }
        execution.request_payment(&id.scope(), draft).await
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
        let form = PaymentForm {
            amount: inputs::amount_shown(&form.amount),
            ..form
        };
        form_page(&state, &id, "/payments/new", status, form, errors).await
    })
    .await
}

#[derive(Template)]
#[template(path = "payment_check.html")]
struct CheckFragment {
    /// The line picked, with its balance.
    line: Option<PayableLine>,
    /// The economic code the payment takes.
    code: String,
    /// The amount, when it reads as one.
    amount: Option<Money>,
    preview: Option<PaymentPreview>,
    /// What is wrong with the line, the amount or the code, beside the check.
    errors: Vec<String>,
    /// Why it would be blocked (ZX-4b, PM-9).
    block: Option<String>,
}

impl CheckFragment {
    fn after(&self) -> Option<Money> {
        let (line, amount) = (self.line.as_ref()?, self.amount?);
        line.balance.available().checked_sub(amount)
    }

    /// A rule's action with what it does to the payment: 提示 lets it through.
    fn action(h: &HitView) -> &'static str {
        match h.action {
            Action::Block => "拦截",
            Action::Warning => "预警",
            _ => "放行（提示）",
        }
    }
}

/// The check as the user types (htmx), as soon as a line and an amount are known: the line's
/// economic code and balance before and after, each rule that would fire with its outcome and
/// clause; a block disables the submit button (app.js) and is said beside it.
async fn check(Page { state, id, .. }: Page, Form(form): Form<PaymentForm>) -> Response {
    if !may_request(&id) {
        return (StatusCode::FORBIDDEN, "无权申请支付").into_response();
    }
    let mut shown = CheckFragment {
        line: None,
        code: String::new(),
        amount: None,
        preview: None,
        errors: Vec::new(),
        block: None,
    };
    // A line the caller may not pay from is refused outright.
    let line = match line_of(&state, &id, &form).await {
        Ok(l) => l,
        Err(e) => {
            shown.errors.push(said(&e.refusal()));
            return render(crate::problem::status_of(&e), &shown);
        }
    };
    let Some(line) = line else {
        return render(StatusCode::OK, &shown);
    };
    shown.code = form.code_from(&line.economic_code);
    if !form.amount.trim().is_empty() {
        match form.preview_draft(&line) {
            Err(r) => shown.errors.push(said(&r)),
            Ok(draft) => {
                shown.amount = Some(draft.amount);
                match state
                    .app
                    .execution()
                    .preview_payment(&id.scope(), draft)
                    .await
                {
                    Ok(p) => {
                        // Only what the line and the amount decide; the other fields are said
                        // when the payment is sent.
                        shown.errors = p
                            .errors
                            .iter()
                            .filter(|r| {
                                matches!(
                                    r.field.as_deref(),
                                    None | Some("amount" | "economic_code" | "line_id")
                                )
                            })
                            .map(said)
                            .collect();
                        shown.block = blocked(&p).map(|r| said(&r));
                        shown.preview = Some(p);
                    }
                    Err(e) => shown.errors.push(said(&e.refusal())),
                }
            }
        }
    }
    shown.line = Some(line);
    render(StatusCode::OK, &shown)
}

#[derive(Template)]
#[template(path = "payment.html")]
struct ShowPage<'a> {
    layout: &'a Layout,
    p: PaymentView,
    may_decide: bool,
    /// The viewer asked for this payment: confirming and paying it are another's (see
    /// `Decision::check_decider`), withdrawing it is theirs.
    own: bool,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    pid: i64,
    status: StatusCode,
    error: Option<String>,
    decided: bool,
) -> Response {
    match state.app.execution().payment(&id.scope(), pid).await {
        Ok(p) => {
            // After finance's decision the message says what was done, from the stored payment.
            let flash = decided
                .then(|| crate::pages::documents::decided_message(&p))
                .flatten();
            let layout = Layout::new(id, format!("支付申请 {}", p.id), path).with_flash(flash);
            let own = p.requested_by == id.actor.username;
            render(
                status,
                &ShowPage {
                    layout: &layout,
                    p,
                    may_decide: id.actor.role == Role::FinanceOfficer,
                    own,
                    error,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn show(
    Page { state, id, uri }: Page,
    Path(pid): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let decided = q.get("msg").is_some_and(|m| m == "decided");
    show_page(&state, &id, uri.path(), pid, StatusCode::OK, None, decided).await
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
        .map(|_| format!("/payments/{pid}?msg=decided"));
    // One's own request is refused beside the payment, where it says who may decide it.
    let leaves =
        |e: &AppError| crate::pages::forbidden(e) && e.refusal().code != "PAYMENT_OWN_REQUEST";
    answer(&id, uri.path(), leaves, done, async |e| {
        let status = crate::problem::status_of(&e);
        let message = Some(e.refusal().message);
        show_page(&state, &id, uri.path(), pid, status, message, false).await
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
