//! `/performance…`: the performance dashboard and dual monitoring (PM-9). A unit records a
//! project's checkpoint indicator by indicator, or uploads the monitoring workbook; finance sees
//! the lights, red first, and decides: correct, suspend or stop payments.

pub(crate) mod evaluations;
pub(crate) mod results;
pub(crate) mod targets;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::AppError;
use lingji_app::performance::dashboard::Dashboard;
use lingji_app::performance::monitoring::{
    Checkpoint, CheckpointDraft, CheckpointForm, DecisionDraft, ProgressDraft,
};
use lingji_app::store::library::projects::Filter;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::library::ProjectState;
use lingji_domain::performance::{Decision, Light, Likelihood};

use crate::AppState;
use crate::identity::Identity;
use crate::pages::charts::{Chart, Series};
use crate::pages::{
    FieldErrors, FieldNames, Layout, Page, answer, error_page, flash_from, forbidden, render,
    year_in, year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/performance", get(dashboard))
        .route("/performance/monitoring", get(monitoring))
        .route("/performance/monitoring/import", post(import))
        .route("/performance/monitoring/{id}/decision", post(decide))
        .route(
            "/performance/projects/{id}/monitoring",
            get(checkpoint_page).post(record),
        )
}

/// The year a performance page shows: `?year=` when given and between 2000 and 2100, else the
/// jurisdiction's current.
pub(crate) async fn performance_year(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
) -> Result<i32, AppError> {
    let given = year_in(q).filter(|y| (2000..=2100).contains(y));
    year_or_current(state, id, given).await
}

/// Whether the caller takes finance's performance decisions.
pub(crate) fn may_decide(id: &Identity) -> bool {
    may(id.actor.role, Resource::PerformanceDecision, Access::Write)
}

#[derive(Template)]
#[template(path = "performance.html")]
struct DashboardPage<'a> {
    layout: &'a Layout,
    d: Dashboard,
    grades: Chart,
    execution: Chart,
}

async fn dashboard(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let built = async {
        let year = performance_year(&state, &id, &q).await?;
        state
            .app
            .performance()
            .performance_dashboard(&id.scope(), year)
            .await
    }
    .await;
    match built {
        Ok(d) => {
            let grades = Chart::bars(
                d.grades.iter().map(|(g, _)| g.to_string()).collect(),
                vec![Series::counts(
                    "项目数",
                    d.grades
                        .iter()
                        .map(|(_, n)| i64::try_from(*n).unwrap_or(0))
                        .collect(),
                )],
            );
            let execution = Chart::bars(
                d.departments.iter().map(|x| x.name.clone()).collect(),
                vec![
                    Series::percents(
                        "预算执行率（%）",
                        d.departments.iter().map(|x| x.rate).collect(),
                    ),
                    Series::percent_line(
                        "时间进度（%）",
                        d.departments.iter().map(|_| d.elapsed).collect(),
                    ),
                ],
            );
            let layout = Layout::new(&id, "绩效管理", uri.path());
            render(
                StatusCode::OK,
                &DashboardPage {
                    layout: &layout,
                    d,
                    grades,
                    execution,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

#[derive(Template)]
#[template(path = "performance_monitoring.html")]
struct MonitoringPage<'a> {
    layout: &'a Layout,
    year: i32,
    light: String,
    rows: Vec<Checkpoint>,
    projects: Vec<(i64, String)>,
    may_decide: bool,
    may_record: bool,
    errors: FieldErrors,
    decisions: &'static [Decision],
}

async fn show_monitoring(
    state: &AppState,
    id: &Identity,
    path: &str,
    q: &BTreeMap<String, String>,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let light = q.get("light").and_then(|l| Light::parse(l));
    let built = async {
        let year = performance_year(state, id, q).await?;
        let rows = state
            .app
            .performance()
            .checkpoints(&id.scope(), year, None, light)
            .await?;
        let projects = if may(id.actor.role, Resource::Performance, Access::Write) {
            funded_projects(state, id, year).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((year, rows, projects))
    }
    .await;
    match built {
        Ok((year, rows, projects)) => {
            let flash = match q.get("done").map(String::as_str) {
                Some("decided") => decided_message(state, id, q, year, &rows).await,
                _ => flash_from(q),
            };
            let layout = Layout::new(id, "绩效运行监控", path).with_flash(flash);
            render(
                status,
                &MonitoringPage {
                    layout: &layout,
                    year,
                    light: light.map(|l| l.as_str().to_string()).unwrap_or_default(),
                    rows,
                    may_record: !projects.is_empty(),
                    projects,
                    may_decide: may_decide(id),
                    errors,
                    decisions: &Decision::ALL,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

/// What the monitoring page says after finance's decision on checkpoint `?record=` (an integer
/// of the year's checkpoints, or nothing is said), computed from the stored checkpoint and the
/// project's budget lines: "已暂缓 ZJ2026-0001 城区道路养护 的拨款，涉及 2 条指标 35.00 万元"
/// (PM-9), the amount being what the lines still had available.
async fn decided_message(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
    year: i32,
    rows: &[Checkpoint],
) -> Option<String> {
    let record: i64 = q.get("record")?.trim().parse().ok()?;
    let c = rows.iter().find(|c| c.id == record)?;
    let project = format!("{} {}", c.project_code, c.project_name);
    let decision = c.decision?;
    if decision == Decision::Correct {
        return Some(format!("已督促 {project} 整改，处理理由已记录"));
    }
    let lines = state
        .app
        .execution()
        .payable_lines(&id.scope(), year)
        .await
        .ok()?;
    let lines: Vec<_> = lines
        .iter()
        .filter(|l| l.project_id == Some(c.project_id))
        .collect();
    let held = lingji_domain::Money::checked_sum(lines.iter().map(|l| l.balance.available()))?;
    let verb = match decision {
        Decision::Stop => "停止",
        _ => "暂缓",
    };
    Some(if lines.is_empty() {
        format!("已{verb} {project} 的拨款（该项目本年度没有预算指标）")
    } else {
        format!(
            "已{verb} {project} 的拨款，涉及 {} 条指标 {} 万元",
            lines.len(),
            crate::pages::documents::wan(held)
        )
    })
}

/// The funded projects of the year the caller may monitor or evaluate: id and label.
pub(crate) async fn funded_projects(
    state: &AppState,
    id: &Identity,
    year: i32,
) -> Result<Vec<(i64, String)>, AppError> {
    let filter = Filter {
        jurisdiction_id: id.actor.org.jurisdiction,
        fiscal_year: Some(year),
        state: Some(ProjectState::Funded),
        limit: 1000,
        ..Filter::default()
    };
    Ok(state
        .app
        .library()
        .list_projects(&id.caller(), filter)
        .await?
        .into_iter()
        .map(|p| (p.id, format!("{} {}", p.header.code, p.header.name)))
        .collect())
}

async fn monitoring(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    show_monitoring(
        &state,
        &id,
        uri.path(),
        &q,
        StatusCode::OK,
        FieldErrors::default(),
    )
    .await
}

async fn import(Page { state, id, uri }: Page, multipart: Multipart) -> Response {
    let done = async {
        let form = crate::api::foundation::codes::read_import_form(multipart)
            .await
            .map_err(|e| e.0)?;
        state
            .app
            .performance()
            .import_checkpoints(&id.scope(), &form.bytes)
            .await
    }
    .await;
    let done = done.map(|_| "/performance/monitoring?msg=imported".to_string());
    answer(&id, uri.path(), forbidden, done, async |e| {
        monitoring_again(&state, &id, &e, &["file"]).await
    })
    .await
}

/// The monitoring page again with a refusal of its import or decision forms.
async fn monitoring_again(
    state: &AppState,
    id: &Identity,
    e: &AppError,
    fields: &[&str],
) -> Response {
    let errors = FieldErrors::from_error(e, fields);
    let status = crate::problem::status_of(e);
    let path = "/performance/monitoring";
    show_monitoring(state, id, path, &BTreeMap::new(), status, errors).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    reason: String,
}

async fn decide(
    Page { state, id, uri }: Page,
    Path(record): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let done = match Decision::parse(&form.decision) {
        Some(decision) => {
            let draft = DecisionDraft {
                decision,
                reason: form.reason,
            };
            state
                .app
                .performance()
                .decide_checkpoint(&id.scope(), record, &draft)
                .await
        }
        None => Err(Refusal::new("DECISION_UNKNOWN", "请选择处理方式")
            .field("decision")
            .into()),
    };
    let done = done.map(|c| {
        format!(
            "/performance/monitoring?year={}&done=decided&record={}",
            c.fiscal_year, c.id
        )
    });
    answer(&id, uri.path(), forbidden, done, async |e| {
        monitoring_again(&state, &id, &e, &[]).await
    })
    .await
}

#[derive(Template)]
#[template(path = "performance_checkpoint.html")]
struct CheckpointPage<'a> {
    layout: &'a Layout,
    f: CheckpointForm,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
    likelihoods: &'static [Likelihood],
    may_record: bool,
}

impl CheckpointPage<'_> {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn field(&self, i: &usize, what: &str) -> String {
        format!("indicators[{i}].{what}")
    }
}

async fn show_checkpoint(
    state: &AppState,
    id: &Identity,
    project: i64,
    values: BTreeMap<String, String>,
    status: StatusCode,
    errors: FieldErrors,
    flash: Option<String>,
) -> Response {
    let path = format!("/performance/projects/{project}/monitoring");
    match state
        .app
        .performance()
        .checkpoint_form(&id.caller(), project)
        .await
    {
        Ok(f) => {
            let layout =
                Layout::new(id, format!("绩效监控：{}", f.project_name), &path).with_flash(flash);
            render(
                status,
                &CheckpointPage {
                    layout: &layout,
                    f,
                    values,
                    errors,
                    likelihoods: &Likelihood::ALL,
                    may_record: id.actor.role != Role::Auditor
                        && may(id.actor.role, Resource::Performance, Access::Write),
                },
            )
        }
        Err(e) => error_page(id, &path, &e),
    }
}

async fn checkpoint_page(
    Page { state, id, .. }: Page,
    Path(project): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let flash = flash_from(&q);
    show_checkpoint(
        &state,
        &id,
        project,
        BTreeMap::new(),
        StatusCode::OK,
        FieldErrors::default(),
        flash,
    )
    .await
}

async fn record(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let values: BTreeMap<String, String> = pairs.into_iter().collect();
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let count = values
        .keys()
        .filter(|k| k.starts_with("indicators[") && k.ends_with("].progress"))
        .count();
    let indicators = (0..count)
        .map(|i| ProgressDraft {
            actual: get(&format!("indicators[{i}].actual")),
            progress: get(&format!("indicators[{i}].progress")),
            likelihood: Likelihood::parse(&get(&format!("indicators[{i}].likelihood")))
                .unwrap_or(Likelihood::Certain),
            reason: get(&format!("indicators[{i}].reason")),
        })
        .collect();
    let done = match get("month").trim().parse::<u32>() {
        Ok(month) => {
            let draft = CheckpointDraft {
                project_id: project,
                month,
                indicators,
                note: get("note"),
            };
            state
                .app
                .performance()
                .record_checkpoint(&id.caller(), &draft)
                .await
        }
        Err(_) => Err(Refusal::new("MONITORING_MONTH_INVALID", "请选择监控月份")
            .field("month")
            .into()),
    };
    let done = done.map(|_| format!("/performance/projects/{project}/monitoring?msg=saved"));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldNames::new(&["month", "note"])
            .rows("indicators", count, &["progress", "reason", "actual"])
            .errors(&e);
        let status = crate::problem::status_of(&e);
        show_checkpoint(&state, &id, project, values, status, errors, None).await
    })
    .await
}
