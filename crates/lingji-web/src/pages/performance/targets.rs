//! `/performance/targets`: a department's overall targets and a policy's (a special fund's)
//! targets (PM-2, PM-7), with the same indicator rows as a project's, and the way to their
//! self and key evaluations.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::AppError;
use lingji_app::library::projects::IndicatorDraft;
use lingji_app::performance::targets::{TargetDraft, TargetView};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::library::targets::{Comparator, IndicatorCategory};

use crate::AppState;
use crate::identity::Identity;
use crate::pages::library::picker::{self, ProjectOption};
use crate::pages::performance::{may_decide, performance_year};
use crate::pages::{
    FieldErrors, FieldNames, Layout, Page, answer, error_page, flash_from, forbidden, render,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/performance/targets", get(page).post(save))
}

/// Indicator rows of the form.
const ROWS: usize = 8;

#[derive(Template)]
#[template(path = "performance_targets.html")]
struct TargetsPage<'a> {
    layout: &'a Layout,
    year: i32,
    rows: Vec<TargetView>,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
    may_write: bool,
    may_key: bool,
    /// Departments finance may choose from; empty for a department reviewer (its own).
    departments: Vec<(i64, String)>,
    /// The library projects a policy may list, picked by code or name.
    projects: Vec<ProjectOption>,
    /// The special funds in force whose targets the caller sets (PM-2), picked by code or name.
    funds: Vec<crate::pages::inputs::Choice>,
    categories: &'static [IndicatorCategory],
    comparators: &'static [Comparator],
}

impl TargetsPage<'_> {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn ind(&self, i: &usize, what: &str) -> String {
        format!("indicators[{i}].{what}")
    }

    fn indicator_rows(&self) -> std::ops::Range<usize> {
        0..ROWS
    }

    /// The rows of a policy's projects: every one it has and three empty, at least eight.
    fn project_rows(&self) -> std::ops::Range<usize> {
        let listed = self
            .values
            .keys()
            .filter(|k| project_row(k).is_some())
            .count();
        0..(listed + 3).max(PROJECT_ROWS)
    }

    fn project_field(&self, i: &usize) -> String {
        format!("projects[{i}]")
    }
}

/// The form's values for editing stored targets.
/// Rows for a policy's projects on an empty form.
const PROJECT_ROWS: usize = 8;

/// The row of a `projects[i]` field.
fn project_row(name: &str) -> Option<usize> {
    name.strip_prefix("projects[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// A policy's projects picked on the form, in the order of their rows, the empty rows left
/// out; the values are renumbered the same way, so a refusal of the use case's `projects[i]`
/// sits beside its row.
fn picked_projects(values: &mut BTreeMap<String, String>) -> Vec<String> {
    let mut rows: Vec<(usize, String)> = Vec::new();
    values.retain(|k, v| match project_row(k) {
        Some(i) => {
            rows.push((i, std::mem::take(v)));
            false
        }
        None => true,
    });
    rows.sort_by_key(|(i, _)| *i);
    let codes: Vec<String> = rows
        .iter()
        .map(|(_, typed)| picker::code_of(typed).to_string())
        .filter(|c| !c.is_empty())
        .collect();
    for (i, c) in codes.iter().enumerate() {
        values.insert(format!("projects[{i}]"), c.clone());
    }
    codes
}

fn values_of(t: &TargetView, projects: &[ProjectOption]) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    v.insert("subject".into(), t.subject.clone());
    v.insert("policy_code".into(), t.policy_code.clone());
    v.insert("department_id".into(), t.department_id.to_string());
    v.insert("name".into(), t.name.clone());
    v.insert("budget".into(), t.budget.to_plain());
    v.insert("overall_goal".into(), t.targets.overall_goal.clone());
    v.insert("expected_version".into(), t.version.to_string());
    for (i, ind) in t.targets.indicators.iter().enumerate() {
        v.insert(
            format!("indicators[{i}].category"),
            ind.category.as_str().into(),
        );
        v.insert(format!("indicators[{i}].name"), ind.name.clone());
        v.insert(
            format!("indicators[{i}].comparator"),
            ind.comparator.as_str().into(),
        );
        v.insert(
            format!("indicators[{i}].target_value"),
            ind.target_value.clone(),
        );
        v.insert(format!("indicators[{i}].unit"), ind.unit.clone());
    }
    // A policy's projects by code, as the picker shows them.
    for (i, p) in t.projects.iter().enumerate() {
        let code = projects
            .iter()
            .find(|o| o.id == *p)
            .map_or_else(|| p.to_string(), |o| o.code.clone());
        v.insert(format!("projects[{i}]"), code);
    }
    v
}

async fn show(
    state: &AppState,
    id: &Identity,
    q: &BTreeMap<String, String>,
    values: Option<BTreeMap<String, String>>,
    status: StatusCode,
    errors: FieldErrors,
) -> Response {
    let path = "/performance/targets";
    let built = async {
        let year = performance_year(state, id, q).await?;
        let rows = state.app.performance().targets(&id.scope(), year).await?;
        let departments = if id.actor.org.department.is_none() && may_decide(id) {
            state
                .app
                .foundation()
                .list_organisations(&id.scope())
                .await?
                .into_iter()
                .filter(|o| o.kind == lingji_domain::foundation::org::OrgKind::Department)
                .map(|o| (o.id, format!("{} {}", o.code, o.name)))
                .collect()
        } else {
            Vec::new()
        };
        let projects = picker::library_projects(state, id, year).await?;
        let funds = state
            .app
            .performance()
            .policy_funds(&id.scope())
            .await?
            .into_iter()
            .map(|(code, name)| crate::pages::inputs::Choice { code, name })
            .collect();
        Ok::<_, AppError>((year, rows, departments, projects, funds))
    }
    .await;
    match built {
        Ok((year, rows, departments, projects, funds)) => {
            let editing = q
                .get("edit")
                .and_then(|e| e.parse::<i64>().ok())
                .and_then(|e| rows.iter().find(|r| r.id == e));
            let values = values
                .or_else(|| editing.map(|t| values_of(t, &projects)))
                .unwrap_or_default();
            let layout = Layout::new(id, "部门整体与政策绩效目标", path).with_flash(flash_from(q));
            render(
                status,
                &TargetsPage {
                    layout: &layout,
                    year,
                    rows,
                    values,
                    errors,
                    may_write: matches!(
                        id.actor.role,
                        Role::DepartmentReviewer | Role::FinanceOfficer
                    ) && may(id.actor.role, Resource::Performance, Access::Write),
                    may_key: may_decide(id),
                    departments,
                    projects,
                    funds,
                    categories: &IndicatorCategory::ALL,
                    comparators: &Comparator::ALL,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn page(Page { state, id, .. }: Page, Query(q): Query<BTreeMap<String, String>>) -> Response {
    show(
        &state,
        &id,
        &q,
        None,
        StatusCode::OK,
        FieldErrors::default(),
    )
    .await
}

async fn save(Page { state, id, uri }: Page, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let mut values: BTreeMap<String, String> = pairs.into_iter().collect();
    let projects = picked_projects(&mut values);
    let picked = projects.len();
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let indicators = (0..ROWS)
        .filter(|i| !get(&format!("indicators[{i}].name")).trim().is_empty())
        .map(|i| IndicatorDraft {
            category: get(&format!("indicators[{i}].category")),
            name: get(&format!("indicators[{i}].name")),
            comparator: get(&format!("indicators[{i}].comparator")),
            target_value: get(&format!("indicators[{i}].target_value")),
            unit: get(&format!("indicators[{i}].unit")),
        })
        .collect();
    let draft = TargetDraft {
        subject: get("subject"),
        department_id: get("department_id").trim().parse().ok(),
        policy_code: get("policy_code"),
        name: get("name"),
        budget: get("budget"),
        overall_goal: get("overall_goal"),
        indicators,
        projects,
        expected_version: get("expected_version").trim().parse().ok(),
    };
    let q: BTreeMap<String, String> = [("year".to_string(), get("year"))].into();
    let done = async {
        let year = performance_year(&state, &id, &q).await?;
        state
            .app
            .performance()
            .put_target(&id.scope(), year, &draft)
            .await
    }
    .await;
    let done = done.map(|t| format!("/performance/targets?year={}&msg=saved", t.fiscal_year));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldNames::new(&[
            "subject",
            "policy_code",
            "name",
            "budget",
            "overall_goal",
            "department_id",
        ])
        .and((0..picked).map(|i| format!("projects[{i}]")))
        .rows(
            "indicators",
            ROWS,
            &["category", "name", "comparator", "target_value", "unit"],
        )
        .errors(&e);
        let status = crate::problem::status_of(&e);
        show(&state, &id, &q, Some(values), status, errors).await
    })
    .await
}
