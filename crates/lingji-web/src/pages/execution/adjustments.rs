//! `/adjustments`: budget adjustments in execution (ZB-7b, QJ-2a) — a unit asks to transfer
//! between its lines or for a supplement to a library project; finance approves or sends back;
//! finance and audit read the amendment document (QJ-4c) and download it as .xlsx.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::execution::adjustments::{AdjustmentDraft, AdjustmentView, Amendment};
use lingji_app::store::execution::adjustments::AdjustmentFilter;
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::execution::AdjustmentKind;
use lingji_domain::foundation::authz::Role;
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::execution::payments::lines_for;
use crate::pages::inputs;
use crate::pages::library::picker::{self, ProjectOption};
use crate::pages::listing::{self, Key, Listing};
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, forbidden_or_missing,
    render,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/adjustments", get(page).post(request))
        .route("/adjustments/{id}/decision", post(decide))
}

const FIELDS: [&str; 7] = [
    "kind",
    "from_line_id",
    "to_line_id",
    "project_id",
    "economic_code",
    "amount",
    "reason",
];

/// The request form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AdjustmentForm {
    kind: String,
    from_line_id: String,
    to_line_id: String,
    /// The supplement's project as picked: its code, or "code name" as the list shows it.
    project: String,
    economic_code: String,
    amount: String,
    reason: String,
}

impl AdjustmentForm {
    /// The picked project's id: found by its code (what the picker submits) or by "code name";
    /// anything else is refused beside the field rather than dropped.
    fn project_id(&self, options: &[ProjectOption], errors: &mut Vec<Refusal>) -> Option<i64> {
        let typed = self.project.trim();
        if typed.is_empty() {
            return None;
        }
        let found = picker::find(options, typed).map(|o| o.id);
        if found.is_none() {
            errors.push(
                Refusal::new(
                    "PROJECT_NOT_IN_LIBRARY",
                    format!("“{typed}”不是本年度已入库的项目，请从列表中选择（QJ-2a）"),
                )
                .clause("QJ-2a")
                .field("project_id"),
            );
        }
        found
    }

    fn draft(&self, options: &[ProjectOption]) -> AppResult<AdjustmentDraft> {
        let mut errors = Vec::new();
        let kind = AdjustmentKind::parse(&self.kind);
        if kind.is_none() {
            errors.push(Refusal::new("ADJUSTMENT_KIND_INVALID", "请选择调剂或追加").field("kind"));
        }
        let id = |v: &str, field: &str, errors: &mut Vec<Refusal>| -> Option<i64> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            v.parse().ok().or_else(|| {
                errors.push(Refusal::new("NUMBER_MALFORMED", "应为编号（整数）").field(field));
                None
            })
        };
        let from_line_id = id(&self.from_line_id, "from_line_id", &mut errors);
        let to_line_id = id(&self.to_line_id, "to_line_id", &mut errors);
        let project_id = self.project_id(options, &mut errors);
        let amount = inputs::amount(&self.amount, "amount", "调整金额")
            .map_err(|r| errors.push(r))
            .ok();
        match (kind, amount) {
            (Some(kind), Some(amount)) if errors.is_empty() => Ok(AdjustmentDraft {
                kind,
                from_line_id,
                to_line_id,
                project_id,
                economic_code: Some(self.economic_code.clone()),
                amount,
                reason: self.reason.clone(),
            }),
            _ => Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "adjustments.html")]
struct AdjustmentsPage<'a> {
    layout: &'a Layout,
    year: i32,
    /// This page of the year's adjustments the filters find.
    rows: Vec<AdjustmentView>,
    listing: Listing,
    /// The units with adjustments this year, to filter by.
    units: Vec<(i64, String)>,
    /// 金额 of every adjustment found.
    total: String,
    lines: Vec<(i64, String)>,
    /// The library projects a supplement may go to.
    projects: Vec<ProjectOption>,
    /// The economic 款 a supplement's new line may take.
    economic: Vec<inputs::Choice>,
    form: AdjustmentForm,
    errors: FieldErrors,
    amendment: Option<Amendment>,
    may_request: bool,
    may_decide: bool,
}

impl AdjustmentsPage<'_> {
    fn kinds(&self) -> &'static [AdjustmentKind] {
        &AdjustmentKind::ALL
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        crate::pages::options::<lingji_domain::execution::AdjustmentStatus>()
    }
    fn chosen(&self, filter: &str, value: &str) -> bool {
        self.listing.filter(filter) == value
    }
}

/// The adjustments' filters and the columns they sort by.
const ADJUSTMENT_FILTERS: [&str; 4] = ["unit_id", "kind", "status", "q"];
const ADJUSTMENT_SORTS: [&str; 5] = ["id", "unit", "kind", "amount", "status"];

fn may_request(id: &Identity) -> bool {
    matches!(id.actor.role, Role::UnitOperator | Role::FinanceOfficer)
}

fn may_decide(id: &Identity) -> bool {
    id.actor.role == Role::FinanceOfficer
}

async fn show(
    state: &AppState,
    id: &Identity,
    status: StatusCode,
    form: AdjustmentForm,
    errors: FieldErrors,
    flash: Option<String>,
    query: &BTreeMap<String, String>,
) -> Response {
    let path = "/adjustments";
    let built: AppResult<_> = async {
        let jurisdiction = id.actor.org.jurisdiction;
        let year = state.app.foundation().current_year(jurisdiction).await?;
        let filter = AdjustmentFilter {
            fiscal_year: year,
            ..AdjustmentFilter::default()
        };
        let rows = state
            .app
            .execution()
            .adjustments(&id.scope(), filter)
            .await?;
        let (lines, projects) = if may_request(id) {
            (
                lines_for(state, id).await?,
                picker::library_projects(state, id, year).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        // A help, so a year without its code table loaded still shows the form.
        let economic = inputs::CodePickers::load(state, id, year)
            .await
            .map(|p| p.economic)
            .unwrap_or_default();
        let amendment = if matches!(id.actor.role, Role::FinanceOfficer | Role::Auditor) {
            Some(state.app.execution().amendment(&id.scope(), year).await?)
        } else {
            None
        };
        Ok((year, rows, lines, projects, economic, amendment))
    }
    .await;
    match built {
        Ok((year, mut rows, lines, projects, economic, amendment)) => {
            let mut listing = Listing::new(path, query, &ADJUSTMENT_SORTS, &ADJUSTMENT_FILTERS);
            let mut units: Vec<(i64, String)> = rows
                .iter()
                .map(|a| (a.unit_id, a.unit_name.clone()))
                .collect();
            units.sort();
            units.dedup();
            let unit = listing.id_filter("unit_id");
            let kind = listing.filter("kind").to_string();
            let wanted = listing.filter("status").to_string();
            let text = listing.filter("q").to_lowercase();
            rows.retain(|a| {
                unit.is_none_or(|u| a.unit_id == u)
                    && (kind.is_empty() || a.kind.as_str() == kind)
                    && (wanted.is_empty() || a.status.as_str() == wanted)
                    && (text.is_empty()
                        || a.reason.to_lowercase().contains(&text)
                        || [&a.from_line_name, &a.to_line_name, &a.project_name]
                            .iter()
                            .any(|n| {
                                n.as_deref()
                                    .is_some_and(|n| n.to_lowercase().contains(&text))
                            }))
            });
            let total = listing.shown(listing::total(&rows, |a| a.amount));
            listing.sort(&mut rows, |a, key| match key {
                "unit" => Key::from(a.unit_name.as_str()),
                "kind" => Key::from(a.kind_label),
                "amount" => Key::from(a.amount),
                "status" => Key::from(a.status_label),
                _ => Key::from(a.id),
            });
            let rows = listing.paginate(rows);
            let layout = Layout::new(id, "预算调整", path).with_flash(flash);
            render(
                status,
                &AdjustmentsPage {
                    layout: &layout,
                    year,
                    rows,
                    listing,
                    units,
                    total,
                    lines,
                    projects,
                    economic,
                    form,
                    errors,
                    amendment,
                    may_request: may_request(id),
                    may_decide: may_decide(id),
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn page(Page { state, id, .. }: Page, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let form = AdjustmentForm {
        kind: "transfer".into(),
        ..AdjustmentForm::default()
    };
    // After a decision the message names it, read from the stored adjustment.
    let flash = match q.get("msg").map(String::as_str) {
        Some("decided") => crate::pages::documents::adjustment_message(&state, &id, &q).await,
        _ => flash_from(&q),
    };
    show(
        &state,
        &id,
        StatusCode::OK,
        form,
        FieldErrors::default(),
        flash,
        &q,
    )
    .await
}

async fn request(Page { state, id, uri }: Page, Form(form): Form<AdjustmentForm>) -> Response {
    let drafted = async {
        let year = state
            .app
            .foundation()
            .current_year(id.actor.org.jurisdiction)
            .await?;
        form.draft(&picker::library_projects(&state, &id, year).await?)
    };
    let done = match drafted.await {
        Ok(d) => {
            state
                .app
                .execution()
                .request_adjustment(&id.scope(), d)
                .await
        }
        Err(e) => Err(e),
    };
    let done = done.map(|_| "/adjustments?msg=requested".to_string());
    answer(&id, uri.path(), forbidden, done, async |e| {
        refused(&state, &id, &e, form).await
    })
    .await
}

/// The adjustments page again with a refusal beside the form's fields, the form as `form`.
async fn refused(state: &AppState, id: &Identity, e: &AppError, form: AdjustmentForm) -> Response {
    let errors = FieldErrors::from_error(e, &FIELDS);
    show(
        state,
        id,
        crate::problem::status_of(e),
        form,
        errors,
        None,
        &BTreeMap::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    approve: String,
    note: String,
}

async fn decide(
    Page { state, id, uri }: Page,
    Path(adjustment): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let done = state
        .app
        .execution()
        .decide_adjustment(&id.scope(), adjustment, form.approve == "1", &form.note)
        .await
        .map(|a| {
            format!(
                "/adjustments?msg=decided&adjustment={}&year={}",
                a.id, a.fiscal_year
            )
        });
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let form = AdjustmentForm {
            kind: "transfer".into(),
            ..AdjustmentForm::default()
        };
        refused(&state, &id, &e, form).await
    })
    .await
}
