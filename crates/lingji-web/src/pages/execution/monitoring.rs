//! `/monitoring/rules`: the monitoring rule catalogue (ZX-4b) — finance edits a rule with its
//! syntax check and tries it on past payments before switching it on — and `/monitoring/hits`:
//! hits and stopped payments by class and rule with a chart, and each hit's disposition
//! (核实 → 正常 / 违规 → 整改).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use lingji_app::execution::monitoring::{DryRun, HitRow, HitStats, RuleRow};
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::execution::{
    Action, Disposition, FieldKind, MonitoringRule, RULE_FIELDS, RuleField,
};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::charts::{Chart, Series};
use crate::pages::listing::{self, Key, Listing, Orgs};
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, options, render, said,
    year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/monitoring/rules", get(rules))
        .route("/monitoring/rules/new", get(new_rule).post(save_new_rule))
        .route("/monitoring/rules/{code}", get(edit_rule).post(save_rule))
        .route("/monitoring/hits", get(hits))
        .route("/monitoring/hits/{id}", post(dispose))
}

const FIELDS: [&str; 8] = [
    "code",
    "class",
    "name",
    "expression",
    "action",
    "message",
    "effective_from",
    "effective_to",
];

#[derive(Template)]
#[template(path = "monitoring_rules.html")]
struct RulesPage<'a> {
    layout: &'a Layout,
    rules: Vec<RuleRow>,
    may_edit: bool,
}

impl RulesPage<'_> {
    fn classes(&self) -> usize {
        let mut c: Vec<&str> = self.rules.iter().map(|r| r.rule.class.as_str()).collect();
        c.sort_unstable();
        c.dedup();
        c.len()
    }
}

async fn rules(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match state.app.supervision().monitoring_rules(&id.scope()).await {
        Ok(rules) => {
            let layout = Layout::new(&id, "监控规则", uri.path()).with_flash(flash_from(&q));
            render(
                StatusCode::OK,
                &RulesPage {
                    layout: &layout,
                    rules,
                    may_edit: id.actor.role == Role::FinanceOfficer,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

/// The rule form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RuleForm {
    code: String,
    class: String,
    name: String,
    expression: String,
    action: String,
    clause: String,
    message: String,
    effective_from: String,
    effective_to: String,
    enabled: Option<String>,
    /// Empty for a new rule.
    version: String,
    /// `dry_run` tries the rule; anything else saves it.
    op: String,
}

impl RuleForm {
    fn of(r: &RuleRow) -> Self {
        let rule = &r.rule;
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        RuleForm {
            code: rule.code.clone(),
            class: rule.class.clone(),
            name: rule.name.clone(),
            expression: rule.expression.clone(),
            action: rule.action.as_str().into(),
            clause: rule.clause.clone().unwrap_or_default(),
            message: rule.message.clone(),
            effective_from: date(rule.effective_from),
            effective_to: date(rule.effective_to),
            enabled: rule.enabled.then(|| "on".into()),
            version: r.version.to_string(),
            op: String::new(),
        }
    }

    fn rule(&self) -> AppResult<MonitoringRule> {
        let mut errors = Vec::new();
        let mut date = |v: &str, field: &str| -> Option<NaiveDate> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().or_else(|| {
                errors.push(Refusal::new("DATE_MALFORMED", "日期应为 年-月-日").field(field));
                None
            })
        };
        let from = date(&self.effective_from, "effective_from");
        let to = date(&self.effective_to, "effective_to");
        let action = Action::parse(&self.action);
        if action.is_none() {
            errors.push(Refusal::new("RULE_ACTION_INVALID", "请选择处理方式").field("action"));
        }
        match action {
            Some(action) if errors.is_empty() => Ok(MonitoringRule {
                code: self.code.trim().to_string(),
                class: self.class.trim().to_string(),
                name: self.name.trim().to_string(),
                expression: self.expression.clone(),
                action,
                clause: Some(self.clause.trim().to_string()).filter(|c| !c.is_empty()),
                message: self.message.trim().to_string(),
                effective_from: from,
                effective_to: to,
                enabled: self.enabled.is_some(),
            }),
            _ => Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring_rule.html")]
struct RulePage<'a> {
    layout: &'a Layout,
    form: RuleForm,
    errors: FieldErrors,
    dry: Option<DryRun>,
    is_new: bool,
    /// The economic codes a clause of the builder can name: code and name.
    economic: Vec<(String, String)>,
}

impl RulePage<'_> {
    fn actions(&self) -> Vec<(&'static str, &'static str)> {
        options::<Action>()
    }
    /// The fields the builder offers (lists of amounts are for functions, not for a clause).
    fn fields(&self) -> Vec<RuleField> {
        RULE_FIELDS
            .iter()
            .filter(|f| f.kind != FieldKind::Amounts)
            .copied()
            .collect()
    }
    /// Every field with its Chinese name, for the reference beneath the editor.
    fn all_fields(&self) -> &'static [RuleField] {
        RULE_FIELDS
    }
    fn payee_kinds(&self) -> Vec<(&'static str, &'static str)> {
        options::<lingji_domain::execution::PayeeKind>()
    }
    fn fund_books(&self) -> Vec<(&'static str, &'static str)> {
        options::<lingji_domain::foundation::fund::FundBook>()
    }
    /// The builder's comparators: operator, Chinese name, the kinds of field they fit.
    fn comparators(&self) -> [(&'static str, &'static str, &'static str); 10] {
        [
            (
                "==",
                "等于",
                "money number text economic_code payee_kind fund_book",
            ),
            (
                "!=",
                "不等于",
                "money number text economic_code payee_kind fund_book",
            ),
            (">", "大于", "money number"),
            (">=", "大于或等于", "money number"),
            ("<", "小于", "money number"),
            ("<=", "小于或等于", "money number"),
            ("startsWith", "属于（含下级科目）", "economic_code"),
            ("contains", "包含文字", "text"),
            ("true", "是", "flag"),
            ("false", "否", "flag"),
        ]
    }
}

/// The economic codes of the year for the builder's value list; none when they cannot be read
/// (the editor still takes the expression).
async fn economic_codes(state: &AppState, id: &Identity) -> Vec<(String, String)> {
    let Ok(year) = year_or_current(state, id, None).await else {
        return Vec::new();
    };
    let Ok(year) = lingji_domain::foundation::codes::FiscalYear::new(year) else {
        return Vec::new();
    };
    state
        .app
        .foundation()
        .economic_codes(&id.caller(), year, "")
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.code_set == "department")
        .map(|c| (c.code, c.name))
        .collect()
}

async fn new_rule(Page { state, id, uri }: Page) -> Response {
    if !may(id.actor.role, Resource::MonitoringRule, Access::Write) {
        let e = AppError::Forbidden(Refusal::new("FORBIDDEN", "无权维护监控规则"));
        return error_page(&id, uri.path(), &e);
    }
    let layout = Layout::new(&id, "新增监控规则", uri.path());
    let form = RuleForm {
        action: "notice".into(),
        ..RuleForm::default()
    };
    render(
        StatusCode::OK,
        &RulePage {
            layout: &layout,
            form,
            errors: FieldErrors::default(),
            dry: None,
            is_new: true,
            economic: economic_codes(&state, &id).await,
        },
    )
}

async fn edit_rule(Page { state, id, uri }: Page, Path(code): Path<String>) -> Response {
    let found = state
        .app
        .supervision()
        .monitoring_rules(&id.scope())
        .await
        .and_then(|rules| {
            rules
                .into_iter()
                .find(|r| r.rule.code == code)
                .ok_or_else(|| AppError::not_found("监控规则"))
        });
    match found {
        Ok(r) => {
            let layout = Layout::new(
                &id,
                format!("监控规则 {} {}", r.rule.code, r.rule.name),
                uri.path(),
            );
            render(
                StatusCode::OK,
                &RulePage {
                    layout: &layout,
                    form: RuleForm::of(&r),
                    errors: FieldErrors::default(),
                    dry: None,
                    is_new: false,
                    economic: economic_codes(&state, &id).await,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

async fn save_new_rule(Page { state, id, uri }: Page, Form(mut form): Form<RuleForm>) -> Response {
    form.version.clear();
    save(&state, &id, uri.path(), form).await
}

async fn save_rule(
    Page { state, id, uri }: Page,
    Path(code): Path<String>,
    Form(mut form): Form<RuleForm>,
) -> Response {
    form.code = code;
    save(&state, &id, uri.path(), form).await
}

/// Saves the rule, or tries it on past payments when the form asks for a dry run.
async fn save(state: &AppState, id: &Identity, path: &str, form: RuleForm) -> Response {
    let is_new = form.version.trim().is_empty();
    let dry_run = form.op == "dry_run";
    let done = async {
        let rule = form.rule()?;
        if dry_run {
            return state
                .app
                .supervision()
                .dry_run_rule(&id.scope(), rule)
                .await
                .map(Some);
        }
        let version = form.version.trim().parse::<i64>().ok();
        state
            .app
            .supervision()
            .put_monitoring_rule(&id.scope(), rule, version)
            .await
            .map(|_| None)
    }
    .await;
    let title = if is_new {
        "新增监控规则".to_string()
    } else {
        format!("监控规则 {}", form.code)
    };
    // A dry run shows what the rule would have found; a refusal shows the form again.
    let (status, errors, dry) = match done {
        Ok(None) => return Redirect::to("/monitoring/rules?msg=saved").into_response(),
        Ok(Some(dry)) => (StatusCode::OK, FieldErrors::default(), Some(dry)),
        Err(e @ AppError::Forbidden(_)) => return error_page(id, path, &e),
        Err(e) => (
            crate::problem::status_of(&e),
            FieldErrors::from_error(&e, &FIELDS),
            None,
        ),
    };
    let layout = Layout::new(id, title, path);
    render(
        status,
        &RulePage {
            layout: &layout,
            form,
            errors,
            dry,
            is_new,
            economic: economic_codes(state, id).await,
        },
    )
}

#[derive(Template)]
#[template(path = "monitoring_hits.html")]
struct HitsPage<'a> {
    layout: &'a Layout,
    year: i32,
    stats: HitStats,
    /// This page of the hits the filters find.
    hits: Vec<HitRow>,
    listing: Listing,
    orgs: Orgs,
    /// 金额 of the payments of every hit found.
    total: String,
    chart: Chart,
    amounts: Chart,
    may_dispose: bool,
    error: Option<String>,
}

/// The hits' filters and the columns they sort by.
const HIT_FILTERS: [&str; 5] = ["year", "disposition", "action", "unit_id", "q"];
const HIT_SORTS: [&str; 6] = ["payment", "unit", "rule", "action", "amount", "disposition"];

impl HitsPage<'_> {
    fn dispositions(&self) -> Vec<(&'static str, &'static str)> {
        crate::pages::options::<Disposition>()
    }
    fn actions(&self) -> Vec<(&'static str, &'static str)> {
        crate::pages::options::<Action>()
    }
    fn chosen(&self, filter: &str, value: &str) -> bool {
        self.listing.filter(filter) == value
    }
    fn next_steps(&self, h: &HitRow) -> Vec<(&'static str, &'static str)> {
        Disposition::ALL
            .iter()
            .filter(|d| h.disposition.may_become(**d))
            .map(|d| (d.as_str(), d.label()))
            .collect()
    }
}

async fn hits_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    q: &BTreeMap<String, String>,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let year = year_or_current(state, id, q.get("year").and_then(|y| y.parse().ok())).await?;
        let disposition = q.get("disposition").and_then(|d| Disposition::parse(d));
        let stats = state.app.supervision().hit_stats(&id.scope(), year).await?;
        let hits = state
            .app
            .supervision()
            .rule_hits(&id.scope(), year, disposition)
            .await?;
        Ok::<_, AppError>((year, stats, hits))
    }
    .await;
    let mut listing = Listing::new(path, q, &HIT_SORTS, &HIT_FILTERS);
    let loaded = match loaded {
        Ok((year, stats, hits)) => match Orgs::of(state, id).await {
            Ok(orgs) => Ok((year, stats, hits, orgs)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match loaded {
        Ok((year, stats, mut hits, orgs)) => {
            // By disposition in the use case; by action, unit and rule here.
            let unit = listing.id_filter("unit_id");
            let action = listing.filter("action").to_string();
            let text = listing.filter("q").to_lowercase();
            hits.retain(|h| {
                unit.is_none_or(|u| h.unit_id == u)
                    && (action.is_empty() || h.hit.action.as_str() == action)
                    && (text.is_empty()
                        || h.hit.code.to_lowercase().contains(&text)
                        || h.hit.name.to_lowercase().contains(&text))
            });
            let total = listing.shown(listing::total(&hits, |h| h.amount));
            listing.sort(&mut hits, |h, key| match key {
                "unit" => Key::from(orgs.name(&h.unit_id)),
                "rule" => Key::from(h.hit.code.as_str()),
                "action" => Key::from(h.action_label),
                "amount" => Key::from(h.amount),
                "disposition" => Key::from(h.disposition_label),
                _ => Key::from(h.payment_id),
            });
            let hits = listing.paginate(hits);
            let categories: Vec<String> = stats.classes.iter().map(|c| c.class.clone()).collect();
            let chart = Chart::bars(
                categories.clone(),
                vec![
                    Series::counts("命中笔数", stats.classes.iter().map(|c| c.hits).collect()),
                    Series::counts(
                        "止付笔数",
                        stats.classes.iter().map(|c| c.stopped).collect(),
                    ),
                ],
            );
            let amounts = Chart::bars(
                categories,
                vec![Series::beside(
                    "止付金额（万元）",
                    stats.classes.iter().map(|c| c.stopped_amount).collect(),
                )],
            );
            let layout = Layout::new(id, "预警处理与统计", path);
            render(
                status,
                &HitsPage {
                    layout: &layout,
                    year,
                    stats,
                    hits,
                    listing,
                    orgs,
                    total,
                    chart,
                    amounts,
                    may_dispose: id.actor.role == Role::FinanceOfficer,
                    error,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn hits(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    hits_page(&state, &id, uri.path(), &q, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DisposeForm {
    to: String,
    note: String,
}

async fn dispose(
    Page { state, id, .. }: Page,
    Path(hid): Path<i64>,
    Form(form): Form<DisposeForm>,
) -> Response {
    let done = match Disposition::parse(&form.to) {
        Some(to) => state
            .app
            .supervision()
            .dispose_hit(&id.scope(), hid, to, &form.note)
            .await
            .map(|_| ()),
        None => Err(Refusal::new("DISPOSITION_UNKNOWN", "请选择处理结果")
            .field("to")
            .into()),
    };
    let path = "/monitoring/hits";
    answer(
        &id,
        path,
        forbidden,
        done.map(|()| path.to_string()),
        async |e| {
            let status = crate::problem::status_of(&e);
            let message = Some(said(&e.refusal()));
            hits_page(&state, &id, path, &BTreeMap::new(), status, message).await
        },
    )
    .await
}
