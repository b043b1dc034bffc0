//! `/api/v1/payments…`: payment requests checked against their budget line (ZB-7a), the
//! monitoring rules (ZX-4b) and suspensions (PM-9), with the check as the user types; finance's
//! decisions; `/api/v1/monitoring-rules` (the catalogue, edits, dry run) and `/api/v1/rule-hits`
//! (dispositions and statistics); suspension of a project's payments.

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use lingji_app::AppError;
use lingji_app::execution::monitoring::{DryRun, HitRow, HitStats, RuleRow};
use lingji_app::execution::payments::{PaymentPreview, PaymentView};
use lingji_app::store::execution::payment_list::{PaymentSearch, PaymentSort};
use lingji_app::store::execution::payments::PaymentFilter;
use lingji_domain::execution::{
    Action, Decision, Disposition, MonitoringRule, PayeeKind, PaymentDraft, PaymentStatus,
};
use lingji_domain::{Money, Refusal};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Cx, Year, YearQuery};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_payments, request_payment))
        .routes(routes!(check_payment))
        .routes(routes!(get_payment))
        .routes(routes!(decide_payment))
        .routes(routes!(list_rules))
        .routes(routes!(put_rule))
        .routes(routes!(dry_run))
        .routes(routes!(list_hits))
        .routes(routes!(hit_stats))
        .routes(routes!(dispose_hit))
        .routes(routes!(suspend))
        .routes(routes!(lift))
}

/// A payment request as entered; amounts in 元 as strings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// 收款人.
    pub payee_name: String,
    /// 收款账号 or 公务卡号.
    pub payee_account: String,
    /// unit (单位), individual (个人) or official_card (公务卡).
    #[schema(value_type = lingji_app::schema::PayeeKind)]
    pub payee_kind: PayeeKind,
    #[schema(value_type = String)]
    pub amount: Money,
    /// Economic code (within the line's).
    pub economic_code: String,
    /// Budget line paid from.
    pub line_id: i64,
    /// 用途.
    pub purpose: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// 合同编号.
    #[serde(default)]
    pub contract_no: Option<String>,
    /// Events-list code (ZB-6a).
    #[serde(default)]
    pub event_code: Option<String>,
    /// Participants (meetings, training).
    #[serde(default)]
    pub headcount: Option<u32>,
    /// Days (meetings, training).
    #[serde(default)]
    pub days: Option<u32>,
    /// The client's key; the same key again returns the first answer. Optional for a check.
    #[serde(default)]
    pub idempotency_key: String,
}

impl From<PaymentInput> for PaymentDraft {
    fn from(i: PaymentInput) -> Self {
        let blank = |s: Option<String>| s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        PaymentDraft {
            payee_name: i.payee_name,
            payee_account: i.payee_account,
            payee_kind: i.payee_kind,
            amount: i.amount,
            economic_code: i.economic_code.trim().to_string(),
            line_id: i.line_id,
            purpose: i.purpose,
            date: i.date,
            contract_no: blank(i.contract_no),
            event_code: blank(i.event_code),
            headcount: i.headcount,
            days: i.days,
            idempotency_key: i.idempotency_key.trim().to_string(),
        }
    }
}

/// Requests a payment (unit operator, own line): checked, then recorded with its answer —
/// pending (待支付), held by a warning (预警待核), blocked by a rule or a suspension (拦截, with the
/// rule and clause) or refused for want of budget (ZB-7a). 201 for a new request; 200 with
/// `replayed` for a retry with the same idempotency key.
#[utoipa::path(post, path = "/payments", tag = "payments", request_body = PaymentInput,
    responses((status = 201, body = lingji_app::execution::payments::PaymentView), (status = 200, body = lingji_app::execution::payments::PaymentView),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn request_payment(
    cx: Cx,
    ApiJson(body): ApiJson<PaymentInput>,
) -> ApiResult<(StatusCode, Json<PaymentView>)> {
    let v = cx
        .execution()
        .request_payment(&cx.scope, body.into())
        .await?;
    let status = if v.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(v)))
}

/// What the check would answer now, recording nothing: wrong fields, the line's available
/// balance, the rules hit and a suspension (the payment page calls it as the user types).
#[utoipa::path(post, path = "/payments/check", tag = "payments", request_body = PaymentInput,
    responses((status = 200, body = lingji_app::execution::payments::PaymentPreview), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn check_payment(
    cx: Cx,
    ApiJson(body): ApiJson<PaymentInput>,
) -> ApiResult<Json<PaymentPreview>> {
    let preview = cx
        .execution()
        .preview_payment(&cx.scope, body.into())
        .await?;
    Ok(Json(preview))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    /// refused, blocked, held, pending, paid or released.
    #[param(value_type = Option<lingji_app::schema::PaymentStatus>)]
    pub status: Option<String>,
    /// Only on this budget line.
    pub line_id: Option<i64>,
    /// Only of this project.
    pub project_id: Option<i64>,
    /// Only of this budget year.
    pub year: Option<i32>,
    /// Only of this unit.
    pub unit_id: Option<i64>,
    /// Only of this department's units.
    pub department_id: Option<i64>,
    /// The payment's number, or part of its payee's name or purpose (at most 100 characters;
    /// `%` and `_` are taken literally).
    pub q: Option<String>,
    /// Sort by id, date, unit (its code), payee, amount or status; the list's own order
    /// otherwise. Ties keep the list's own order.
    pub sort: Option<String>,
    /// `desc` to sort the other way.
    pub dir: Option<String>,
    /// Payments skipped (the pages before), default 0.
    pub offset: Option<i64>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<i64>,
    /// Finance's work queue order: QJ-4a priority subjects (扶贫, 教育, 社会保障) first, then
    /// oldest first; newest first otherwise.
    pub queue: Option<bool>,
}

/// Payments newest first: a unit its own, a department its units', finance and audit all.
/// Filtered, sorted and paged by the store; `X-Total-Count` and `X-Total-Amount` (元) give how
/// many payments the filters find and their sum, over every page.
#[utoipa::path(get, path = "/payments", tag = "payments", params(PaymentQuery),
    responses((status = 200, body = Vec<lingji_app::execution::payments::PaymentRow>,
        headers(("X-Total-Count" = i64, description = "Payments the filters find, over every page"),
                ("X-Total-Amount" = String, description = "Their amounts' sum in 元, exact to the fen"))),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_payments(
    cx: Cx,
    ApiQuery(q): ApiQuery<PaymentQuery>,
) -> ApiResult<impl IntoResponse> {
    let sort = match q.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => PaymentSort::Own,
        Some(key) => PaymentSort::parse(key).ok_or_else(|| {
            AppError::from(
                Refusal::new("PAYMENT_SORT_UNKNOWN", format!("不能按“{key}”排序")).field("sort"),
            )
        })?,
    };
    let search = PaymentSearch {
        filter: PaymentFilter {
            status: crate::api::state_param(
                q.status.as_deref(),
                PaymentStatus::parse,
                "PAYMENT_STATUS_UNKNOWN",
                "支付",
            )?,
            line_id: q.line_id,
            project_id: q.project_id,
            fiscal_year: q.year,
            unit_id: q.unit_id,
            department_id: q.department_id,
            queue: q.queue.unwrap_or(false),
            ..PaymentFilter::default()
        },
        text: q.q.filter(|t| !t.trim().is_empty()),
        sort,
        desc: q.dir.as_deref() == Some("desc"),
        offset: q.offset.unwrap_or(0).max(0),
        limit: q.limit.unwrap_or(200).clamp(1, 1000),
    };
    let page = cx.execution().payments_page(&cx.scope, search).await?;
    Ok((
        [
            ("x-total-count", page.count.to_string()),
            ("x-total-amount", page.total.to_plain()),
        ],
        Json(page.rows),
    ))
}

/// One payment with its checks and hits.
#[utoipa::path(get, path = "/payments/{id}", tag = "payments", params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::execution::payments::PaymentView), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_payment(cx: Cx, ApiPath(pid): ApiPath<i64>) -> ApiResult<Json<PaymentView>> {
    Ok(Json(cx.execution().payment(&cx.scope, pid).await?))
}

/// Finance's decision on a payment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// confirm (a held payment), pay (a pending one) or reject (either).
    #[schema(value_type = lingji_app::store::schema::PaymentDecision)]
    pub decision: Decision,
    /// Why (required to confirm or reject).
    #[serde(default)]
    pub reason: String,
}

/// Confirms a held payment, pays a pending one or rejects either (finance); the ledger moves
/// with it. A decision somebody made first answers 409.
#[utoipa::path(post, path = "/payments/{id}/decision", tag = "payments", params(("id" = i64, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = lingji_app::execution::payments::PaymentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn decide_payment(
    cx: Cx,
    ApiPath(pid): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<Json<PaymentView>> {
    let v = cx
        .execution()
        .decide_payment(&cx.scope, pid, body.decision, &body.reason)
        .await?;
    Ok(Json(v))
}

/// The monitoring rule catalogue (ZX-4b), the default one installed the first time.
#[utoipa::path(get, path = "/monitoring-rules", tag = "payments",
    responses((status = 200, body = Vec<lingji_app::execution::monitoring::RuleRow>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_rules(cx: Cx) -> ApiResult<Json<Vec<RuleRow>>> {
    Ok(Json(cx.supervision().monitoring_rules(&cx.scope).await?))
}

/// A monitoring rule as entered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// Rule class (规则大类).
    pub class: String,
    pub name: String,
    /// zen-expression, true when a payment hits the rule, e.g.
    /// `payment.payee_kind == 'individual' and payment.amount > 50000`.
    pub expression: String,
    /// notice (提示), warning (预警) or block (拦截).
    #[schema(value_type = lingji_app::schema::RuleAction)]
    pub action: Action,
    #[serde(default)]
    pub clause: Option<String>,
    /// What the operator is told.
    pub message: String,
    /// First date in effect.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_from: Option<NaiveDate>,
    /// Last date in effect.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_to: Option<NaiveDate>,
    pub enabled: bool,
    /// The version read; absent to add a new rule.
    /// Sent as `version`, the name every endpoint uses; `expected_version` is still read.
    #[serde(default)]
    #[serde(rename = "version", alias = "expected_version")]
    pub expected_version: Option<i64>,
}

impl RuleInput {
    fn rule(self, code: String) -> MonitoringRule {
        MonitoringRule {
            code,
            class: self.class.trim().to_string(),
            name: self.name.trim().to_string(),
            expression: self.expression,
            action: self.action,
            clause: self
                .clause
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
            message: self.message.trim().to_string(),
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            enabled: self.enabled,
        }
    }
}

/// Adds or changes a rule (finance) after its syntax check; audited.
#[utoipa::path(put, path = "/monitoring-rules/{code}", tag = "payments", params(("code" = String, Path)),
    request_body = RuleInput,
    responses((status = 200, body = lingji_app::execution::monitoring::RuleRow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn put_rule(
    cx: Cx,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<RuleInput>,
) -> ApiResult<Json<RuleRow>> {
    let version = body.expected_version;
    let rule = body.rule(code);
    Ok(Json(
        cx.supervision()
            .put_monitoring_rule(&cx.scope, rule, version)
            .await?,
    ))
}

/// Tries a rule, not saved, on the latest past payments: how many it would have hit and their
/// sum (finance).
#[utoipa::path(post, path = "/monitoring-rules/dry-run", tag = "payments", request_body = RuleInput,
    responses((status = 200, body = lingji_app::execution::monitoring::DryRun), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn dry_run(cx: Cx, ApiJson(body): ApiJson<RuleInput>) -> ApiResult<Json<DryRun>> {
    let rule = body.rule("DRY-RUN".into());
    Ok(Json(cx.supervision().dry_run_rule(&cx.scope, rule).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitQuery {
    /// Budget year; the current one when absent.
    pub year: Option<i32>,
    /// open, verifying, normal, violation or rectified.
    #[param(value_type = Option<lingji_app::schema::Disposition>)]
    pub disposition: Option<String>,
}

fn disposition_of(raw: &str, field: &str) -> ApiResult<Disposition> {
    Disposition::parse(raw).ok_or_else(|| {
        lingji_app::AppError::from(
            lingji_domain::Refusal::new("DISPOSITION_UNKNOWN", format!("未知的处理状态：{raw}"))
                .field(field),
        )
        .into()
    })
}

/// The year's rule hits with their disposition, newest first (finance, audit).
#[utoipa::path(get, path = "/rule-hits", tag = "payments", params(HitQuery),
    responses((status = 200, body = Vec<lingji_app::execution::monitoring::HitRow>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_hits(cx: Cx, ApiQuery(q): ApiQuery<HitQuery>) -> ApiResult<Json<Vec<HitRow>>> {
    let year = cx.year(q.year).await?;
    let d = q
        .disposition
        .as_deref()
        .map(|d| disposition_of(d, "disposition"))
        .transpose()?;
    Ok(Json(cx.supervision().rule_hits(&cx.scope, year, d).await?))
}

/// Hits and stopped payments of a year by rule and class (ZX-4b).
#[utoipa::path(get, path = "/rule-hits/stats", tag = "payments", params(YearQuery),
    responses((status = 200, body = lingji_app::execution::monitoring::HitStats), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn hit_stats(cx: Cx, Year(year): Year) -> ApiResult<Json<HitStats>> {
    Ok(Json(cx.supervision().hit_stats(&cx.scope, year).await?))
}

/// A disposition step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionInput {
    /// verifying, normal, violation or rectified.
    #[schema(value_type = lingji_app::schema::Disposition)]
    pub to: String,
    /// What was found or done.
    pub note: String,
}

/// Moves a hit on: 核实 → 正常 / 违规 → 整改 (finance).
#[utoipa::path(post, path = "/rule-hits/{id}/disposition", tag = "payments", params(("id" = i64, Path)),
    request_body = DispositionInput,
    responses((status = 200, body = lingji_app::execution::monitoring::HitRow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn dispose_hit(
    cx: Cx,
    ApiPath(hid): ApiPath<i64>,
    ApiJson(body): ApiJson<DispositionInput>,
) -> ApiResult<Json<HitRow>> {
    let to = disposition_of(&body.to, "to")?;
    Ok(Json(
        cx.supervision()
            .dispose_hit(&cx.scope, hid, to, &body.note)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

/// Suspends a project's payments (PM-9, finance): every payment on its lines is blocked.
#[utoipa::path(post, path = "/projects/{id}/payment-suspension", tag = "payments", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn suspend(
    cx: Cx,
    ApiPath(pid): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> ApiResult<StatusCode> {
    cx.supervision()
        .suspend_payments(&cx.scope, pid, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a project's suspension (finance).
#[utoipa::path(post, path = "/projects/{id}/payment-suspension/lift", tag = "payments", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn lift(
    cx: Cx,
    ApiPath(pid): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> ApiResult<StatusCode> {
    cx.supervision()
        .lift_suspension(&cx.scope, pid, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
