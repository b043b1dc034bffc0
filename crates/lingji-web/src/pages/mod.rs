//! The Chinese web UI: server-rendered askama pages, progressively enhanced with htmx. Every
//! page takes [`PageUser`] (sign-in) and calls the same use cases as the API, which check role
//! and scope.

mod allocation;
mod charts;
mod disclosure;
pub(crate) mod documents;
mod execution;
pub(crate) mod foundation;
mod home;
pub(crate) mod inputs;
mod library;
mod listing;
mod performance;
mod review;
mod sections;
mod words;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::{Labelled, Refusal};

use crate::AppState;
use crate::identity::{Identity, PageUser};
use crate::problem::status_of;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(foundation::login::router())
        .merge(home::router())
        .merge(foundation::orgs::router())
        .merge(foundation::jurisdictions::router())
        .merge(foundation::admin::router())
        .merge(foundation::policy::router())
        .merge(foundation::codes::router())
        .merge(foundation::audit::router())
        .merge(library::projects::router())
        .merge(library::cleanup::router())
        .merge(library::catalogues::router())
        .merge(library::project_import::router())
        .merge(library::attachments::router())
        .merge(review::router())
        .merge(review::lists::router())
        .merge(allocation::router())
        .merge(allocation::views::router())
        .merge(allocation::transfers::router())
        .merge(execution::payments::router())
        .merge(execution::plans::router())
        .merge(execution::adjustments::router())
        .merge(execution::year_end::router())
        .merge(execution::supervision::router())
        .merge(execution::monitoring::router())
        .merge(performance::router())
        .merge(performance::evaluations::router())
        .merge(performance::results::router())
        .merge(execution::annual_report::router())
        .merge(execution::province::router())
        .merge(performance::targets::router())
        .merge(disclosure::public::router())
        .merge(foundation::account::router())
        .merge(foundation::tokens::router())
        .merge(documents::router())
}

/// What every page handler takes from the request: the state, the signed-in user (without one,
/// the way to the sign-in page) and the address asked for.
pub struct Page {
    pub state: AppState,
    pub id: Identity,
    pub uri: Uri,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Page, Response> {
        let PageUser(id) = PageUser::from_request_parts(parts, state).await?;
        let Ok(OriginalUri(uri)) = OriginalUri::from_request_parts(parts, state).await;
        Ok(Page {
            state: state.clone(),
            id,
            uri,
        })
    }
}

/// What a page renderer needs from the request: the state, the signed-in user and the path.
#[derive(Clone, Copy)]
pub struct PageCtx<'a> {
    pub state: &'a AppState,
    /// The signed-in user.
    pub id: &'a Identity,
    /// The request path, for the navigation.
    pub path: &'a str,
}

impl<'a> PageCtx<'a> {
    /// The page at `path` for the signed-in `id`.
    pub fn new(state: &'a AppState, id: &'a Identity, path: &'a str) -> PageCtx<'a> {
        PageCtx { state, id, path }
    }
}

/// A link in the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    /// The current page.
    pub active: bool,
}

/// What every page's frame shows: the user, the navigation and the CSRF token for forms.
pub struct Layout {
    pub title: String,
    /// User's display name.
    pub user_name: String,
    /// Role in Chinese.
    pub role_label: &'static str,
    /// Role, for decisions the page makes about what to offer.
    pub role: Role,
    /// Navigation for the role.
    pub nav: Vec<NavItem>,
    /// Token for forms.
    pub csrf: String,
    /// A message shown on top (after a save, say).
    pub flash: Option<String>,
    /// Colleagues' display names, for whoever acted.
    pub names: crate::people::Names,
    /// The section's tabs the role can open (支付与监控, 绩效管理), with the section's name.
    pub tabs: Option<(&'static str, Vec<NavItem>)>,
}

impl Layout {
    /// The frame for `identity` on the page at `path`.
    pub fn new(identity: &Identity, title: impl Into<String>, path: &str) -> Layout {
        let role = identity.actor.role;
        let can_read = |r: Resource| may(role, r, Access::Read);
        let mut nav = vec![("/", "首页")];
        if can_read(Resource::Project) {
            nav.push(("/projects", "项目库"));
        }
        if matches!(
            role,
            Role::DepartmentReviewer | Role::FinanceOfficer | Role::JointReviewer
        ) {
            nav.push(("/reviews", "待我审核"));
        }
        if can_read(Resource::FinanceList) {
            nav.push(("/lists", "财政清单"));
        }
        if can_read(Resource::Allocation) {
            nav.push(("/allocation", "零基测算"));
        }
        // --- 资金池 (fund pools, ZX-3b): finance keeps them, units and departments apply ---
        if may(role, Resource::FinanceList, Access::Write)
            || matches!(role, Role::UnitOperator | Role::DepartmentReviewer)
        {
            nav.push(("/pools", "资金池"));
        }
        if can_read(Resource::BudgetLine) {
            nav.push(("/control-figures", "控制数与指标"));
        }
        if can_read(Resource::Payment) {
            nav.push(("/payments", "支付与监控"));
        }
        if can_read(Resource::Performance) {
            nav.push(("/performance", "绩效管理"));
        }
        if matches!(role, Role::FinanceOfficer | Role::Auditor) {
            nav.push(("/supervision", "穿透式监管"));
            // Transfers between levels: scores, funds and receipts (issue 21).
            nav.push(("/transfers", "上下级转移支付"));
        }
        if can_read(Resource::AnnualReport) {
            nav.push(("/annual-report", "年度报告"));
        }
        if !identity.actor.below.is_empty() {
            nav.push(("/province", "下级汇总"));
        }
        nav.push(("/standards", "支出标准"));
        nav.push(("/indicators", "绩效指标库"));
        nav.push(("/orgs", "组织机构"));
        if role == Role::Administrator || !identity.actor.below.is_empty() {
            nav.push(("/jurisdictions", "区划"));
        }
        nav.push(("/policy", "政策参数"));
        nav.push(("/codes", "分类科目"));
        if can_read(Resource::User) {
            nav.push(("/admin/users", "用户管理"));
        }
        if can_read(Resource::AuditLog) {
            nav.push(("/audit", "审计日志"));
        }
        nav.push(("/account/password", "修改密码"));
        Layout {
            title: title.into(),
            user_name: identity.actor.display_name.clone(),
            role_label: role.label(),
            role,
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    active: if href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                            || (href == "/performance"
                                && ["/evaluations", "/publications"]
                                    .iter()
                                    .any(|p| path.starts_with(p)))
                            || (href == "/payments"
                                && [
                                    "/spending-plans",
                                    "/adjustments",
                                    "/year-end",
                                    "/monitoring",
                                ]
                                .iter()
                                .any(|p| path.starts_with(p)))
                    },
                })
                .collect(),
            csrf: identity.csrf_token.clone().unwrap_or_default(),
            flash: None,
            names: identity.names.clone(),
            tabs: sections::tabs(role, path),
        }
    }

    /// The name the person with `login` goes by (for "who did it" columns).
    pub fn person(&self, login: &str) -> String {
        self.names.of(login)
    }

    /// A stored time as people read it: Beijing time, to the minute.
    pub fn time(&self, at: &str) -> String {
        beijing(at)
    }

    /// Sets the message on top.
    pub fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash;
        self
    }
}

/// Field → message, for errors shown beside form fields.
#[derive(Default)]
pub struct FieldErrors {
    /// By field name.
    pub by_field: BTreeMap<String, String>,
    /// Errors not tied to a shown field.
    pub general: Vec<String>,
}

impl FieldErrors {
    /// Sorts an application error's refusals onto the fields a form shows.
    pub fn from_error(e: &AppError, fields: &[&str]) -> FieldErrors {
        let mut out = FieldErrors::default();
        let refusals: Vec<Refusal> = match e {
            AppError::Invalid { summary, errors } => {
                out.general.push(summary.message.clone());
                errors.clone()
            }
            other => vec![other.refusal()],
        };
        for r in refusals {
            let text = said(&r);
            match r.field.as_deref().filter(|f| fields.contains(f)) {
                Some(f) => {
                    out.by_field.insert(f.to_string(), text);
                }
                None => out.general.push(text),
            }
        }
        out
    }

    /// The message for a field, or empty.
    pub fn get(&self, field: &str) -> &str {
        self.by_field.get(field).map(String::as_str).unwrap_or("")
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }
}

/// The names of a form's fields, for sorting refusals beside them: plain ones and the cells of
/// its rows (`list[i].what`).
pub struct FieldNames(Vec<String>);

impl FieldNames {
    /// The plain fields.
    pub fn new(plain: &[&str]) -> FieldNames {
        FieldNames(plain.iter().map(|s| s.to_string()).collect())
    }

    /// Adds the cells `whats` of each of the `n` rows of `list`.
    pub fn rows(mut self, list: &str, n: usize, whats: &[&str]) -> FieldNames {
        for i in 0..n {
            for what in whats {
                self.0.push(format!("{list}[{i}].{what}"));
            }
        }
        self
    }

    /// Adds more names.
    pub fn and(mut self, more: impl IntoIterator<Item = String>) -> FieldNames {
        self.0.extend(more);
        self
    }

    /// An error's refusals sorted onto these fields.
    pub fn errors(&self, e: &AppError) -> FieldErrors {
        let names: Vec<&str> = self.0.iter().map(String::as_str).collect();
        FieldErrors::from_error(e, &names)
    }
}

/// A refusal as a page says it: the message, and the clause it cites in brackets.
pub fn said(r: &Refusal) -> String {
    match r.clause {
        Some(c) => format!("{}（{c}）", r.message),
        None => r.message.clone(),
    }
}

/// Renders a template as a response with a status.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: &'a Layout,
    status: u16,
    heading: &'static str,
    message: String,
    advice: &'static str,
    code: &'static str,
}

/// The same without the frame, for a request the application did not resolve to a person (a
/// malformed form, an unknown address before sign-in).
#[derive(Template)]
#[template(path = "error_bare.html")]
struct BareErrorPage {
    status: u16,
    heading: &'static str,
    message: String,
    advice: &'static str,
}

/// What an error page says above the reason, and what the person can do about it.
fn heading_and_advice(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::FORBIDDEN => (
            "无权访问",
            "此页面或操作不在您的岗位权限内；如工作需要，请联系本级财政部门的系统管理员。",
        ),
        StatusCode::NOT_FOUND => (
            "页面不存在",
            "地址可能有误，或所查的事项已删除、不在您的管辖范围内。请从导航重新进入。",
        ),
        StatusCode::CONFLICT => (
            "操作未完成",
            "数据已被他人修改或状态已变化，请返回后刷新页面再试。",
        ),
        StatusCode::TOO_MANY_REQUESTS => ("请求过于频繁", "请稍候片刻再试。"),
        s if s.is_server_error() => (
            "系统出错",
            "您的操作没有生效，数据未被改动。请稍后再试；如仍出错，请把出错时间告诉系统管理员。",
        ),
        _ => ("请求未被接受", "请检查地址或表单后重试。"),
    }
}

/// A full page for an error that has no form to go back to (403, 404, 500).
pub fn error_page(identity: &Identity, path: &str, e: &AppError) -> Response {
    let status = status_of(e);
    crate::problem::log_fault(e);
    let r = e.refusal();
    let (heading, advice) = heading_and_advice(status);
    let layout = Layout::new(identity, heading, path);
    let mut res = render(
        status,
        &ErrorPage {
            layout: &layout,
            status: status.as_u16(),
            heading,
            message: said(&r),
            advice,
            code: r.code,
        },
    );
    crate::problem::set_retry_after(&mut res, e);
    res
}

/// An error page for `status` saying `message`, without the frame of a signed-in page.
pub fn bare_error_page(status: StatusCode, message: &str) -> Response {
    let (heading, advice) = heading_and_advice(status);
    render(
        status,
        &BareErrorPage {
            status: status.as_u16(),
            heading,
            message: message.to_string(),
            advice,
        },
    )
}

/// The answer to an address no route serves: the API's 404 (put into problem+json at the edge),
/// or a page saying so — in the signed-in person's frame when there is one.
pub async fn not_found(identity: Option<axum::Extension<Identity>>, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let missing = AppError::not_found("页面");
    match identity {
        Some(axum::Extension(id)) => error_page(&id, path, &missing),
        None => bare_error_page(StatusCode::NOT_FOUND, &said(&missing.refusal())),
    }
}

/// Refusals a form cannot show: the caller may not. They get the error page.
pub fn forbidden(e: &AppError) -> bool {
    matches!(e, AppError::Forbidden(_))
}

/// Refusals a form cannot show: the caller may not, or what the form is about is not there.
pub fn forbidden_or_missing(e: &AppError) -> bool {
    matches!(e, AppError::Forbidden(_) | AppError::NotFound(_))
}

/// The answer to a submitted form: once it is done, a redirect to the address `done` holds;
/// a refusal `leaves` picks (one no form can show) as the error page; any other refusal the
/// form again, as `again` shows it.
pub async fn answer(
    id: &Identity,
    path: &str,
    leaves: fn(&AppError) -> bool,
    done: Result<String, AppError>,
    again: impl AsyncFnOnce(AppError) -> Response,
) -> Response {
    match done {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) if leaves(&e) => error_page(id, path, &e),
        Err(e) => again(e).await,
    }
}

/// The year `?year=` names, when it names one.
pub fn year_in(q: &BTreeMap<String, String>) -> Option<i32> {
    q.get("year").and_then(|y| y.trim().parse().ok())
}

/// `year` when given, else the current year of the caller's jurisdiction.
pub async fn year_or_current(state: &AppState, id: &Identity, year: Option<i32>) -> AppResult<i32> {
    state
        .app
        .foundation()
        .year_or_current(id.actor.org.jurisdiction, year)
        .await
}

/// The current fiscal year of the caller's jurisdiction.
pub async fn current_fiscal_year(state: &AppState, id: &Identity) -> AppResult<FiscalYear> {
    let year = year_or_current(state, id, None).await?;
    Ok(FiscalYear::new(year)?)
}

/// The year a page shows: `?year=` when given, else the jurisdiction's current.
pub async fn year_of(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
) -> AppResult<i32> {
    year_or_current(state, id, year_in(q)).await
}

/// Every value of a labelled kind as its code and Chinese label, for a form's choices.
pub fn options<T: Labelled>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

/// The flash message named by `?msg=` after a redirect. Only known names: a link cannot put
/// words of its own on our page.
pub fn flash_from(query: &BTreeMap<String, String>) -> Option<String> {
    let text = match query.get("msg")?.as_str() {
        "saved" => "已保存",
        "created" => "已创建",
        "password" => "密码已修改",
        "imported" => "已导入",
        "attached" => "附件已上传",
        "detached" => "附件已删除",
        "filed" => "用款计划已申报",
        "reviewed" => "本月用款计划已审核",
        "requested" => "调整申请已提交",
        "closed" => "年终结转已完成",
        _ => return None,
    };
    Some(text.to_string())
}

/// A stored time (RFC 3339, UTC) as people read it, Beijing time, `2026-12-31 18:05`; the
/// stored text when it does not parse.
pub fn beijing(t: &str) -> String {
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&east8).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::beijing;

    #[test]
    fn stored_utc_times_show_in_beijing_time() {
        assert_eq!(beijing("2026-12-31T16:05:00.000Z"), "2027-01-01 00:05");
        assert_eq!(beijing("not a time"), "not a time");
    }
}
