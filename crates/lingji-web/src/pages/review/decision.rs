//! The single project's review page: beside the decision, everything the reviewer decides on —
//! the cost lines with their total (ZB-4, ZB-14), the performance targets (PM-7), the gates
//! with who recorded them and when, last year's figures of the line and of the unit (ZB-4,
//! CS-5b) and every step so far by the names of the people who took it. The panel's four
//! points (ZB-5b) are laid out one card each; a refusal stands beside its field with its
//! clause and the form keeps what was typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use lingji_app::AppError;
use lingji_app::review::flow::{PanelInput, PointInput, ReviewInput, ReviewRecord};
use lingji_app::review::gates::{GateInput, GateView};
use lingji_app::review::sheet::LastYear;
use lingji_app::store::library::attachments::Attachment;
use lingji_app::store::library::projects::{CostLine, ProjectDetail};
use lingji_domain::Money;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::review::gates::{
    CapacityResult, ExAnteConclusion, NotReadyReason, ProviderKind,
};
use lingji_domain::review::lists::ListKind;

use super::field;
use crate::AppState;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden_or_missing, options,
    render,
};

/// A list entry to pick from: code and name.
pub struct Pick {
    code: String,
    name: String,
}

/// The fields of the decision form a refusal can stand beside.
const DECISION_FIELDS: [&str; 9] = [
    "decision",
    "rank",
    "reviewed",
    "opinion",
    "necessity",
    "basis",
    "progress_match",
    "benefit",
    "recommended",
];

/// The panel's four points (ZB-5b): field name and Chinese name, in the order of the clause.
const PANEL_POINTS: [(&str, &str); 4] = [
    ("necessity", "项目安排的必要性"),
    ("basis", "资金申报依据的合理性"),
    ("progress_match", "申报金额与实际工作进度的匹配性"),
    ("benefit", "项目实施后的预期效益"),
];

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    layout: &'a Layout,
    detail: ProjectDetail,
    record: ReviewRecord,
    gates: GateView,
    attachments: Vec<Attachment>,
    events: Vec<Pick>,
    funds: Vec<Pick>,
    key_matters: Vec<Pick>,
    agencies: Vec<Pick>,
    /// Refusals of the decision form by field, and the others.
    errors: FieldErrors,
    /// What was typed into the decision form, kept after a refusal.
    typed: BTreeMap<String, String>,
    last_year: Option<LastYear>,
    /// Standard id → name and unit of measure.
    standards: BTreeMap<i64, (String, String)>,
    /// Economic code → name.
    economic: BTreeMap<String, String>,
}

impl ReviewPage<'_> {
    fn stage(&self) -> &'static str {
        self.record.review.stage.map_or("", |s| s.as_str())
    }
    fn decision(&self, d: &str) -> &'static str {
        lingji_app::review::flow::decision_label(d)
    }
    fn may_record(&self, kind: &str) -> bool {
        self.gates.recordable.iter().any(|k| k.as_str() == kind)
    }
    fn conclusions(&self) -> Vec<(&'static str, &'static str)> {
        options::<ExAnteConclusion>()
    }
    fn capacity_results(&self) -> Vec<(&'static str, &'static str)> {
        options::<CapacityResult>()
    }
    fn provider_kinds(&self) -> Vec<(&'static str, &'static str)> {
        options::<ProviderKind>()
    }
    fn not_ready_reasons(&self) -> Vec<(&'static str, &'static str)> {
        options::<NotReadyReason>()
    }
    fn panel_points(&self) -> [(&'static str, &'static str); 4] {
        PANEL_POINTS
    }
    /// The refusal beside a field of the decision form, or empty.
    fn err(&self, field: &str) -> &str {
        self.errors.get(field)
    }
    /// What was typed in a field, or `default` when the form is fresh.
    fn typed_or(&self, field: &str, default: &str) -> String {
        self.typed
            .get(field)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }
    /// A panel point is ticked as agreed: by default, or as it was sent.
    fn agreed(&self, point: &str) -> bool {
        self.typed.is_empty()
            || self
                .typed
                .get(&format!("{point}_agreed"))
                .is_some_and(|v| v == "1")
    }
    fn reviewed_default(&self) -> String {
        self.record
            .review
            .reviewed
            .map(|m| m.to_plain())
            .unwrap_or_default()
    }
    fn standard(&self, line: &CostLine) -> String {
        match line.input.standard_id.and_then(|s| self.standards.get(&s)) {
            Some((name, unit)) => format!(
                "{name}（{}{}）",
                line.input.unit_amount.to_yuan_display(),
                if unit.starts_with("元") {
                    unit.clone()
                } else {
                    format!("元/{unit}")
                }
            ),
            None => "无标准，按测算依据".to_string(),
        }
    }
    fn economic_name(&self, code: &str) -> String {
        match self.economic.get(code) {
            Some(name) => format!("{code} {name}"),
            None => code.to_string(),
        }
    }
    fn level(&self, i: &lingji_domain::library::targets::Indicator) -> &'static str {
        use lingji_domain::library::targets::IndicatorLevel as L;
        match i.category.level() {
            L::Output => "产出指标",
            L::Benefit => "效益指标",
            L::Satisfaction => "满意度指标",
        }
    }
    fn quantity(&self, line: &CostLine) -> String {
        line.input.quantity.normalize().to_string()
    }
    fn unit_of(&self, line: &CostLine) -> String {
        line.input
            .standard_id
            .and_then(|s| self.standards.get(&s))
            .map(|(_, unit)| unit.strip_prefix("元/").unwrap_or(unit).to_string())
            .unwrap_or_default()
    }
    /// The cost lines added up, to the fen.
    fn cost_total(&self) -> String {
        self.detail
            .cost_lines
            .iter()
            .try_fold(Money::ZERO, |acc, l| acc.checked_add(l.amount))
            .map_or_else(String::new, |m| m.to_yuan_display())
    }
    fn gate_label(&self, g: &lingji_domain::review::gates::GateRecord) -> String {
        use lingji_domain::review::gates::GateRecord as G;
        match g {
            G::ExAnte(a) => format!(
                "结论：{}；五项得分 {}/{}/{}/{}/{}{}",
                a.conclusion.label(),
                points(a.necessity),
                points(a.economy),
                points(a.targets),
                points(a.feasibility),
                points(a.financing),
                a.agency
                    .as_ref()
                    .map(|x| format!("；评估机构：{x}"))
                    .unwrap_or_default()
            ),
            G::FiscalCapacity { result, note } => format!("{}：{note}", result.label()),
            G::IndustryFund { fundable, note } => format!(
                "{}：{note}",
                if *fundable {
                    "可由产业基金支持"
                } else {
                    "产业基金不支持"
                }
            ),
            G::PurchaseOfServices {
                item,
                provider,
                provider_kind,
            } => format!("{item}；承接主体：{provider}（{}）", provider_kind.label()),
            G::Event { event_code } => format!("清单活动 {}", self.named(&self.events, event_code)),
            G::NotReady { reasons, note } if reasons.is_empty() => format!("已具备安排条件 {note}"),
            G::NotReady { reasons, note } => format!(
                "{}：{note}",
                reasons
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            G::SpecialFund { fund_code } => {
                format!("专项资金 {}", self.named(&self.funds, fund_code))
            }
            G::KeyMatter { item_code } => {
                format!("大事要事 {}", self.named(&self.key_matters, item_code))
            }
        }
    }
    /// A list entry by its code and name, or the code when the list no longer has it.
    fn named(&self, list: &[Pick], code: &str) -> String {
        list.iter()
            .find(|p| p.code == code)
            .map_or_else(|| code.to_string(), |p| format!("{} {}", p.code, p.name))
    }
}

fn points(s: lingji_domain::foundation::policy::Score) -> String {
    lingji_domain::review::gates::show(s)
}

async fn picks(state: &AppState, id: &Identity, kind: ListKind, year: i32) -> Vec<Pick> {
    let year = kind.yearly().then_some(year);
    state
        .app
        .review()
        .list_entries(&id.scope(), kind, year)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.active && !e.entry.blacklisted)
        .map(|e| Pick {
            code: e.entry.code,
            name: e.entry.name,
        })
        .collect()
}

/// The page with what a refused form sent, if any.
struct Again {
    errors: FieldErrors,
    typed: BTreeMap<String, String>,
}

async fn page(
    state: &AppState,
    id: &Identity,
    path: &str,
    project: i64,
    flash: Option<String>,
    again: Again,
    status: StatusCode,
) -> Response {
    let caller = id.caller();
    let loaded = async {
        let (detail, _) = state.app.library().project(&caller, project).await?;
        let record = state.app.review().review_record(&caller, project).await?;
        let gates = state.app.review().project_gates(&caller, project).await?;
        let attachments = state.app.library().attachments(&caller, project).await?;
        Ok::<_, AppError>((detail, record, gates, attachments))
    };
    let (detail, record, gates, attachments) = match loaded.await {
        Ok(x) => x,
        Err(e) => return error_page(id, path, &e),
    };
    let review = state.app.review();
    // Last year's figures are a help beside the decision, not a condition of the page.
    let last_year = review.last_year(&caller, project).await.ok();
    let year = detail.project.header.fiscal_year;
    let standards = state
        .app
        .library()
        .standards(&id.scope())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.id, (s.name, s.unit_of_measure)))
        .collect();
    let economic = match FiscalYear::new(year) {
        Ok(fy) => state
            .app
            .foundation()
            .economic_codes(&caller, fy, "")
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect(),
        Err(_) => BTreeMap::new(),
    };
    let layout = Layout::new(
        id,
        format!(
            "审核论证 {} {}",
            detail.project.header.code, detail.project.header.name
        ),
        path,
    )
    .with_flash(flash);
    let page = ReviewPage {
        layout: &layout,
        events: picks(state, id, ListKind::Events, year).await,
        funds: picks(state, id, ListKind::SpecialFunds, year).await,
        key_matters: picks(state, id, ListKind::KeyMatters, year).await,
        agencies: picks(state, id, ListKind::Agencies, year).await,
        detail,
        record,
        gates,
        attachments,
        errors: again.errors,
        typed: again.typed,
        last_year,
        standards,
        economic,
    };
    render(status, &page)
}

pub(super) async fn show(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let again = Again {
        errors: FieldErrors::default(),
        typed: BTreeMap::new(),
    };
    page(
        &state,
        &id,
        uri.path(),
        project,
        flash_from(&q),
        again,
        StatusCode::OK,
    )
    .await
}

fn point(form: &BTreeMap<String, String>, name: &str) -> PointInput {
    PointInput {
        agreed: form
            .get(&format!("{name}_agreed"))
            .is_some_and(|v| v == "1"),
        comment: field(form, &format!("{name}_comment")),
    }
}

/// The decision form: one button per decision, the fields of the stage. A rank that is not a
/// whole number is refused beside its field rather than dropped.
fn review_input(form: &BTreeMap<String, String>) -> Result<ReviewInput, AppError> {
    let panel = form.contains_key("recommended").then(|| PanelInput {
        necessity: point(form, "necessity"),
        basis: point(form, "basis"),
        progress_match: point(form, "progress_match"),
        benefit: point(form, "benefit"),
        recommended: field(form, "recommended"),
    });
    let rank = match form.get("rank").map(|r| r.trim()).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match r.parse::<u32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                return Err(AppError::Invalid {
                    summary: lingji_domain::Refusal::new("REVIEW_INVALID", "审核意见填写有误"),
                    errors: vec![
                        lingji_domain::Refusal::new(
                            "RANK_INVALID",
                            format!("部门排序“{r}”应为 1 起的整数"),
                        )
                        .field("rank")
                        .clause("ZB-5a"),
                    ],
                });
            }
        },
    };
    Ok(ReviewInput {
        decision: field(form, "decision"),
        opinion: field(form, "opinion"),
        rank,
        reviewed: form.get("reviewed").cloned(),
        livelihood: form.get("livelihood").map(|v| v == "1"),
        panel,
        expected_version: form
            .get("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
    })
}

pub(super) async fn decide(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let done = match review_input(&form) {
        Ok(input) => state
            .app
            .review()
            .review_project(&id.caller(), project, &input)
            .await
            .map(|_| format!("/projects/{project}/review?msg=saved")),
        Err(e) => Err(e),
    };
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let again = Again {
            errors: FieldErrors::from_error(&e, &DECISION_FIELDS),
            typed: form.clone(),
        };
        refused(&state, &id, uri.path(), project, &e, again).await
    })
    .await
}

/// The review page again with a refusal of one of its forms.
async fn refused(
    state: &AppState,
    id: &Identity,
    path: &str,
    project: i64,
    e: &AppError,
    again: Again,
) -> Response {
    let status = crate::problem::status_of(e);
    page(state, id, path, project, None, again, status).await
}

pub(super) async fn record_gate(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut input = GateInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "gate" => input.gate = v,
            "necessity" => input.necessity = v,
            "economy" => input.economy = v,
            "targets" => input.targets = v,
            "feasibility" => input.feasibility = v,
            "financing" => input.financing = v,
            "conclusion" => input.conclusion = v,
            "report_attachment_id" => input.report_attachment_id = v.parse().ok(),
            "agency" => input.agency = v,
            "result" => input.result = v,
            "note" => input.note = v,
            "fundable" => input.fundable = v == "1",
            "item" => input.item = v,
            "provider" => input.provider = v,
            "provider_kind" => input.provider_kind = v,
            "event_code" => input.event_code = v,
            "reasons" => input.reasons.push(v),
            "fund_code" => input.fund_code = v,
            "item_code" => input.item_code = v,
            _ => {}
        }
    }
    let result = match input.into_record() {
        Ok(record) => {
            state
                .app
                .review()
                .record_gate(&id.caller(), project, record)
                .await
        }
        Err(errors) => Err(AppError::Invalid {
            summary: lingji_domain::Refusal::new("GATE_RECORD_INVALID", "审核事项填写有误"),
            errors,
        }),
    };
    let done = result.map(|_| format!("/projects/{project}/review?msg=saved#gates"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        // A gate's refusals stand above the gates, not beside the decision's fields.
        let again = Again {
            errors: FieldErrors {
                by_field: BTreeMap::new(),
                general: super::messages(&e),
            },
            typed: BTreeMap::new(),
        };
        refused(&state, &id, uri.path(), project, &e, again).await
    })
    .await
}
