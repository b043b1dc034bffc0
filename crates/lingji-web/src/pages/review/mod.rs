//! 审核论证: a project's review page (the steps, the decision open to the caller, the gates
//! and whether it may be funded) and the reviewer's queue 待我审核 with bulk decisions.

pub(crate) mod lists;
use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lingji_app::AppError;
use lingji_app::review::flow::{PanelInput, PointInput, ReviewInput, ReviewRecord};
use lingji_app::review::gates::{GateInput, GateView};
use lingji_app::review::queue::Queue;
use lingji_app::store::library::attachments::Attachment;
use lingji_app::store::library::projects::ProjectDetail;
use lingji_domain::review::gates::{
    CapacityResult, ExAnteConclusion, NotReadyReason, ProviderKind,
};
use lingji_domain::review::lists::ListKind;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden_or_missing, options,
    render, said,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/review", get(show).post(decide))
        .route("/projects/{id}/gates", axum::routing::post(record_gate))
        .route("/reviews", get(queue).post(bulk))
}

/// A list entry to pick from: code and name.
pub struct Pick {
    code: String,
    name: String,
}

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
    errors: Vec<String>,
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
            G::Event { event_code } => format!("清单活动 {event_code}"),
            G::NotReady { reasons, note } if reasons.is_empty() => format!("已具备安排条件 {note}"),
            G::NotReady { reasons, note } => format!(
                "{}：{note}",
                reasons
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            G::SpecialFund { fund_code } => format!("专项资金 {fund_code}"),
            G::KeyMatter { item_code } => format!("大事要事 {item_code}"),
        }
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

async fn page(
    state: &AppState,
    id: &Identity,
    path: &str,
    project: i64,
    flash: Option<String>,
    errors: Vec<String>,
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
    let year = detail.project.header.fiscal_year;
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
        errors,
    };
    render(status, &page)
}

async fn show(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    page(
        &state,
        &id,
        uri.path(),
        project,
        flash_from(&q),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

fn messages(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid { summary, errors } => {
            std::iter::once(summary).chain(errors).map(said).collect()
        }
        other => FieldErrors::from_error(other, &[]).general,
    }
}

fn field(form: &BTreeMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

fn point(form: &BTreeMap<String, String>, name: &str) -> PointInput {
    PointInput {
        agreed: form
            .get(&format!("{name}_agreed"))
            .is_some_and(|v| v == "1"),
        comment: field(form, &format!("{name}_comment")),
    }
}

/// The decision form: one button per decision, the fields of the stage.
fn review_input(form: &BTreeMap<String, String>) -> ReviewInput {
    let panel = form.contains_key("recommended").then(|| PanelInput {
        necessity: point(form, "necessity"),
        basis: point(form, "basis"),
        progress_match: point(form, "progress_match"),
        benefit: point(form, "benefit"),
        recommended: field(form, "recommended"),
    });
    ReviewInput {
        decision: field(form, "decision"),
        opinion: field(form, "opinion"),
        rank: form.get("rank").and_then(|r| r.trim().parse().ok()),
        reviewed: form.get("reviewed").cloned(),
        livelihood: form.get("livelihood").map(|v| v == "1"),
        panel,
        expected_version: form
            .get("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
    }
}

async fn decide(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let input = review_input(&form);
    let done = state
        .app
        .review()
        .review_project(&id.caller(), project, &input)
        .await
        .map(|_| format!("/projects/{project}/review?msg=saved"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        refused(&state, &id, uri.path(), project, &e).await
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
) -> Response {
    let status = crate::problem::status_of(e);
    page(state, id, path, project, None, messages(e), status).await
}

async fn record_gate(
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
        refused(&state, &id, uri.path(), project, &e).await
    })
    .await
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage<'a> {
    layout: &'a Layout,
    queue: Queue,
    errors: Vec<String>,
    /// Where the next page starts, when there is one.
    next_after: Option<i64>,
}

/// Rows on a page of the queue: enough for a bulk decision over dozens.
const QUEUE_PAGE: i64 = 200;

impl QueuePage<'_> {
    fn at(&self, item: &lingji_app::review::queue::QueueItem) -> &'static str {
        item.review.stage.map_or("", |s| s.as_str())
    }
    fn stage_of(&self) -> &'static str {
        self.queue
            .items
            .first()
            .and_then(|i| i.review.stage)
            .map_or("", |s| s.as_str())
    }
}

async fn queue_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    after: i64,
    flash: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let queue = match state
        .app
        .review()
        .review_queue(&id.caller(), after, QUEUE_PAGE)
        .await
    {
        Ok(q) => q,
        Err(e) => return error_page(id, path, &e),
    };
    let next_after = queue
        .items
        .last()
        .filter(|_| queue.items.len() as i64 == QUEUE_PAGE)
        .map(|i| i.project.id);
    let layout = Layout::new(id, "待我审核", path).with_flash(flash);
    render(
        status,
        &QueuePage {
            layout: &layout,
            queue,
            errors,
            next_after,
        },
    )
}

async fn queue(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let after = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    queue_page(
        &state,
        &id,
        uri.path(),
        after,
        flash_from(&q),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// Bulk decisions: the ticked rows, each with its own rank or reviewed amount, one decision
/// and opinion for all.
async fn bulk(Page { state, id, uri }: Page, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form: BTreeMap<String, String> = pairs.iter().cloned().collect();
    let items: Vec<(i64, ReviewInput)> = pairs
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .map(|pid| {
            let get = |name: &str| form.get(&format!("{name}_{pid}")).cloned();
            (
                pid,
                ReviewInput {
                    decision: field(&form, "decision"),
                    opinion: field(&form, "opinion"),
                    rank: get("rank").and_then(|r| r.trim().parse().ok()),
                    reviewed: get("reviewed"),
                    livelihood: None,
                    panel: None,
                    expected_version: get("version")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_default(),
                },
            )
        })
        .collect();
    match state.app.review().review_many(&id.caller(), &items).await {
        Ok(_) => Redirect::to("/reviews?msg=saved").into_response(),
        Err(e) => {
            let status = crate::problem::status_of(&e);
            queue_page(&state, &id, uri.path(), 0, None, messages(&e), status).await
        }
    }
}
