//! `/evaluations…`: performance evaluation (PM-10). A unit self-evaluates a funded project
//! indicator by indicator and sees the score and grade at once; finance records a key
//! evaluation in the 决策 / 过程 / 产出 / 效益 framework, by itself or by a registered agency
//! (a blacklisted one is refused, PM-12). Each evaluation prints as the national table.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::AppError;
use lingji_app::performance::evaluations::{
    ActualDraft, EvaluationView, KeyDraft, KeyItemDraft, SelfDraft,
};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::library::targets::Indicator;
use lingji_domain::performance::{Attainment, Dimension};
use lingji_domain::review::lists::ListKind;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::listing::{self, Key, Listing};
use crate::pages::performance::{funded_projects, may_decide};
use crate::pages::{
    FieldErrors, FieldNames, Layout, Page, answer, error_page, flash_from, forbidden, render,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/evaluations", get(list))
        .route(
            "/evaluations/self/{project}",
            get(self_form).post(self_save),
        )
        .route("/evaluations/key/{project}", get(key_form).post(key_save))
        .route(
            "/evaluations/targets/{id}/self",
            get(target_self_form).post(target_self_save),
        )
        .route(
            "/evaluations/targets/{id}/key",
            get(target_key_form).post(target_key_save),
        )
        .route("/evaluations/{id}", get(detail))
}

/// What a form evaluates: a project, or a department's or policy's targets.
#[derive(Clone, Copy)]
enum Of {
    Project(i64),
    Target(i64),
}

impl Of {
    fn path(self, key: bool) -> String {
        let kind = if key { "key" } else { "self" };
        match self {
            Of::Project(p) => format!("/evaluations/{kind}/{p}"),
            Of::Target(t) => format!("/evaluations/targets/{t}/{kind}"),
        }
    }

    fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            Of::Project(p) => (Some(p), None),
            Of::Target(t) => (None, Some(t)),
        }
    }
}

/// Rows of the key-evaluation form.
const KEY_ROWS: usize = 12;

#[derive(Template)]
#[template(path = "evaluations.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    year: i32,
    /// This page of the year's evaluations the filters find.
    rows: Vec<EvaluationView>,
    listing: Listing,
    /// Kinds, grades and units of the year's evaluations, to filter by.
    kinds: Vec<(String, &'static str)>,
    grades: Vec<&'static str>,
    units: Vec<String>,
    /// 预算 and 支出 of every evaluation found.
    totals: [String; 2],
    projects: Vec<(i64, String)>,
    may_self: bool,
    may_key: bool,
}

impl ListPage<'_> {
    fn chosen(&self, filter: &str, value: &str) -> bool {
        self.listing.filter(filter) == value
    }
}

/// The evaluations' filters and the columns they sort by.
const EVALUATION_FILTERS: [&str; 5] = ["year", "kind", "grade", "unit", "q"];
const EVALUATION_SORTS: [&str; 7] = [
    "kind",
    "name",
    "department",
    "unit",
    "budget",
    "spent",
    "score",
];

async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let built = async {
        let year = crate::pages::performance::performance_year(&state, &id, &q).await?;
        let rows = state
            .app
            .performance()
            .evaluations(&id.scope(), year, None)
            .await?;
        let writes = may(id.actor.role, Resource::Performance, Access::Write);
        let projects = if writes || may_decide(&id) {
            funded_projects(&state, &id, year).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((year, rows, projects))
    }
    .await;
    match built {
        Ok((year, mut rows, projects)) => {
            let mut listing = Listing::new(uri.path(), &q, &EVALUATION_SORTS, &EVALUATION_FILTERS);
            let mut kinds: Vec<(String, &'static str)> = rows
                .iter()
                .map(|e| (e.kind.clone(), e.kind_label))
                .collect();
            kinds.sort();
            kinds.dedup();
            let mut grades: Vec<&'static str> = rows.iter().map(|e| e.grade_label).collect();
            grades.sort();
            grades.dedup();
            let mut units: Vec<String> = rows.iter().filter_map(|e| e.unit_name.clone()).collect();
            units.sort();
            units.dedup();
            let (kind, grade, unit) = (
                listing.filter("kind").to_string(),
                listing.filter("grade").to_string(),
                listing.filter("unit").to_string(),
            );
            let text = listing.filter("q").to_lowercase();
            rows.retain(|e| {
                (kind.is_empty() || e.kind == kind)
                    && (grade.is_empty() || e.grade_label == grade)
                    && (unit.is_empty() || e.unit_name.as_deref() == Some(unit.as_str()))
                    && (text.is_empty()
                        || e.name.to_lowercase().contains(&text)
                        || e.project_code
                            .as_deref()
                            .is_some_and(|c| c.to_lowercase().contains(&text)))
            });
            let totals = [
                listing.shown(listing::total(&rows, |e| e.budget)),
                listing.shown(listing::total(&rows, |e| e.spent)),
            ];
            listing.sort(&mut rows, |e, key| match key {
                "kind" => Key::from(e.kind_label),
                "department" => Key::from(e.department_name.as_str()),
                "unit" => Key::from(e.unit_name.clone().unwrap_or_default()),
                "budget" => Key::from(e.budget),
                "spent" => Key::from(e.spent),
                "score" => Key::from(i64::from(e.score.0)),
                _ => Key::from(e.name.as_str()),
            });
            let rows = listing.paginate(rows);
            let layout = Layout::new(&id, "绩效评价", uri.path()).with_flash(flash_from(&q));
            render(
                StatusCode::OK,
                &ListPage {
                    layout: &layout,
                    year,
                    rows,
                    listing,
                    kinds,
                    grades,
                    units,
                    totals,
                    projects,
                    may_self: matches!(
                        id.actor.role,
                        Role::UnitOperator | Role::DepartmentReviewer | Role::FinanceOfficer
                    ),
                    may_key: may_decide(&id),
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

#[derive(Template)]
#[template(path = "evaluation_form.html")]
struct FormPage<'a> {
    layout: &'a Layout,
    action: String,
    key: bool,
    indicators: Vec<Indicator>,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
    attainments: [Attainment; 3],
    dimensions: &'static [Dimension],
    agencies: Vec<(String, String, bool)>,
    /// The project's attachments a key evaluation's report may be.
    attachments: Vec<(i64, String)>,
    key_rows: usize,
}

impl FormPage<'_> {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn name(&self, list: &str, i: &usize, what: &str) -> String {
        format!("{list}[{i}].{what}")
    }

    fn rows(&self) -> std::ops::Range<usize> {
        0..self.key_rows
    }
}

async fn show_form(
    state: &AppState,
    id: &Identity,
    of: Of,
    key: bool,
    values: BTreeMap<String, String>,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let path = of.path(key);
    let built = async {
        let (name, indicators) = match of {
            Of::Project(p) => {
                let (d, _) = state.app.library().project(&id.caller(), p).await?;
                (d.project.header.name, d.indicators)
            }
            Of::Target(t) => {
                let t = state.app.performance().target(&id.caller(), t).await?;
                (t.name, t.targets.indicators)
            }
        };
        let agencies = if key {
            state
                .app
                .review()
                .list_entries(&id.scope(), ListKind::Agencies, None)
                .await?
                .into_iter()
                .filter(|e| e.active)
                .map(|e| (e.entry.code, e.entry.name, e.entry.blacklisted))
                .collect()
        } else {
            Vec::new()
        };
        let attachments = match of {
            Of::Project(p) if key => state
                .app
                .library()
                .attachments(&id.caller(), p)
                .await?
                .into_iter()
                .map(|a| (a.id, a.file_name))
                .collect(),
            _ => Vec::new(),
        };
        Ok::<_, AppError>((name, indicators, agencies, attachments))
    }
    .await;
    match built {
        Ok((name, indicators, agencies, attachments)) => {
            let title = format!(
                "{}：{}",
                if key {
                    "财政重点评价"
                } else {
                    "单位自评"
                },
                name
            );
            let layout = Layout::new(id, title, &path);
            render(
                status,
                &FormPage {
                    layout: &layout,
                    action: path.clone(),
                    key,
                    indicators,
                    values,
                    errors,
                    attainments: [
                        Attainment::Achieved,
                        Attainment::Partly,
                        Attainment::NotAchieved,
                    ],
                    dimensions: &Dimension::ALL,
                    agencies,
                    attachments,
                    key_rows: KEY_ROWS,
                },
            )
        }
        Err(e) => error_page(id, &path, &e),
    }
}

/// The form of `of`, blank.
async fn blank_form(state: &AppState, id: &Identity, of: Of, key: bool) -> Response {
    let errors = FieldErrors::default();
    show_form(state, id, of, key, BTreeMap::new(), StatusCode::OK, errors).await
}

async fn self_form(Page { state, id, .. }: Page, Path(project): Path<i64>) -> Response {
    blank_form(&state, &id, Of::Project(project), false).await
}

async fn key_form(Page { state, id, uri }: Page, Path(project): Path<i64>) -> Response {
    key_form_of(&state, &id, uri.path(), Of::Project(project)).await
}

async fn target_self_form(Page { state, id, .. }: Page, Path(target): Path<i64>) -> Response {
    blank_form(&state, &id, Of::Target(target), false).await
}

async fn target_key_form(Page { state, id, uri }: Page, Path(target): Path<i64>) -> Response {
    key_form_of(&state, &id, uri.path(), Of::Target(target)).await
}

/// The key-evaluation form, for finance only.
async fn key_form_of(state: &AppState, id: &Identity, path: &str, of: Of) -> Response {
    if !may_decide(id) {
        let e = AppError::Forbidden(lingji_domain::Refusal::new(
            "FORBIDDEN",
            "重点评价由财政部门组织",
        ));
        return error_page(id, path, &e);
    }
    blank_form(state, id, of, true).await
}

fn attainment_of(raw: &str) -> Option<Attainment> {
    [
        Attainment::Achieved,
        Attainment::Partly,
        Attainment::NotAchieved,
    ]
    .into_iter()
    .find(|a| a.as_str() == raw)
}

fn count(values: &BTreeMap<String, String>, prefix: &str, suffix: &str) -> usize {
    values
        .keys()
        .filter(|k| k.starts_with(prefix) && k.ends_with(suffix))
        .count()
}

/// A submitted evaluation form: of what, which kind, what was typed.
struct Attempt {
    of: Of,
    key: bool,
    values: BTreeMap<String, String>,
    /// The fields its errors may sit under.
    names: FieldNames,
}

async fn saved(
    state: &AppState,
    id: &Identity,
    uri: &str,
    a: Attempt,
    done: Result<EvaluationView, AppError>,
) -> Response {
    let done = done.map(|e| format!("/evaluations/{}?msg=saved", e.id));
    answer(id, uri, forbidden, done, async |e| {
        let errors = a.names.errors(&e);
        let status = crate::problem::status_of(&e);
        show_form(state, id, a.of, a.key, a.values, status, errors).await
    })
    .await
}

async fn self_save(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save_self(&state, &id, uri.path(), Of::Project(project), pairs).await
}

async fn target_self_save(
    Page { state, id, uri }: Page,
    Path(target): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save_self(&state, &id, uri.path(), Of::Target(target), pairs).await
}

async fn save_self(
    state: &AppState,
    id: &Identity,
    uri: &str,
    of: Of,
    pairs: Vec<(String, String)>,
) -> Response {
    let values: BTreeMap<String, String> = pairs.into_iter().collect();
    let get = |k: String| values.get(&k).cloned().unwrap_or_default();
    let n = count(&values, "actuals[", "].actual");
    let (project_id, target_id) = of.ids();
    let draft = SelfDraft {
        project_id,
        target_id,
        actuals: (0..n)
            .map(|i| ActualDraft {
                actual: get(format!("actuals[{i}].actual")),
                attainment: attainment_of(&get(format!("actuals[{i}].attainment"))),
                score: get(format!("actuals[{i}].score")),
                reason: get(format!("actuals[{i}].reason")),
                remedy: get(format!("actuals[{i}].remedy")),
            })
            .collect(),
        execution_reason: get("execution_reason".into()),
        execution_remedy: get("execution_remedy".into()),
        summary: get("summary".into()),
    };
    let done = state
        .app
        .performance()
        .self_evaluate(&id.caller(), &draft)
        .await;
    let names = FieldNames::new(&["execution_reason", "execution_remedy", "summary"]).rows(
        "actuals",
        n,
        &["actual", "attainment", "score", "reason", "remedy"],
    );
    let attempt = Attempt {
        of,
        key: false,
        values,
        names,
    };
    saved(state, id, uri, attempt, done).await
}

async fn key_save(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save_key(&state, &id, uri.path(), Of::Project(project), pairs).await
}

async fn target_key_save(
    Page { state, id, uri }: Page,
    Path(target): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save_key(&state, &id, uri.path(), Of::Target(target), pairs).await
}

async fn save_key(
    state: &AppState,
    id: &Identity,
    uri: &str,
    of: Of,
    pairs: Vec<(String, String)>,
) -> Response {
    let values: BTreeMap<String, String> = pairs.into_iter().collect();
    let get = |k: String| values.get(&k).cloned().unwrap_or_default();
    let items = (0..KEY_ROWS)
        .filter(|i| !get(format!("items[{i}].name")).trim().is_empty())
        .filter_map(|i| {
            Some(KeyItemDraft {
                dimension: Dimension::parse(&get(format!("items[{i}].dimension")))?,
                name: get(format!("items[{i}].name")),
                weight: get(format!("items[{i}].weight")),
                score: get(format!("items[{i}].score")),
            })
        })
        .collect();
    let (project_id, target_id) = of.ids();
    let draft = KeyDraft {
        project_id,
        target_id,
        report_attachment_id: get("report_attachment_id".into()).trim().parse().ok(),
        agency_code: get("agency_code".into()),
        items,
        findings: get("findings".into()),
    };
    let done = state
        .app
        .performance()
        .key_evaluate(&id.scope(), &draft)
        .await;
    let names = FieldNames::new(&["agency_code", "findings", "report_attachment_id"])
        .rows("items", KEY_ROWS, &["name", "weight", "score"])
        .and(
            Dimension::ALL
                .iter()
                .map(|d| format!("items.{}", d.as_str())),
        );
    let attempt = Attempt {
        of,
        key: true,
        values,
        names,
    };
    saved(state, id, uri, attempt, done).await
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct DetailPage<'a> {
    layout: &'a Layout,
    e: EvaluationView,
    may_publish: bool,
}

impl DetailPage<'_> {
    fn points(&self, s: &lingji_domain::foundation::policy::Score) -> String {
        lingji_domain::review::gates::show(*s)
    }
}

async fn detail(
    Page { state, id, uri }: Page,
    Path(evaluation): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match state
        .app
        .performance()
        .evaluation(&id.caller(), evaluation)
        .await
    {
        Ok(e) => {
            let title = format!("{}：{}", e.kind_label, e.name);
            let layout = Layout::new(&id, title, uri.path()).with_flash(flash_from(&q));
            render(
                StatusCode::OK,
                &DetailPage {
                    layout: &layout,
                    e,
                    may_publish: may_decide(&id),
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
