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
}

/// The form's values for editing stored targets.
fn values_of(t: &TargetView) -> BTreeMap<String, String> {
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
        Ok::<_, AppError>((year, rows, departments))
    }
    .await;
    match built {
        Ok((year, rows, departments)) => {
            let editing = q
                .get("edit")
                .and_then(|e| e.parse::<i64>().ok())
                .and_then(|e| rows.iter().find(|r| r.id == e));
            let values = values
                .or_else(|| editing.map(values_of))
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
    let values: BTreeMap<String, String> = pairs.into_iter().collect();
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
        projects: get("projects")
            .split([',', '，', '\n', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
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
