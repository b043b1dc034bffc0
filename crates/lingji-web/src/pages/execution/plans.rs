//! `/spending-plans`: monthly spending plans (用款计划, ZX-4a). A unit files what its lines will
//! need in a month; finance tries the month's review against the treasury's cash limit, sees
//! each plan's share in tier order, and records it.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use lingji_app::execution::plans::{PlanDraft, PlanReview, PlanRow, ReviewSummary};
use lingji_app::store::execution::plans::PlanFilter;
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::execution::payments::lines_for;
use crate::pages::inputs;
use crate::pages::listing::{self, Key, Listing};
use crate::pages::{FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/spending-plans", get(page).post(file))
        .route("/spending-plans/review", post(review))
}

/// Fields of the two forms.
const FIELDS: [&str; 5] = ["line_id", "month", "amount", "purpose", "cash_limit"];

/// The filing form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PlanForm {
    line_id: String,
    month: String,
    amount: String,
    purpose: String,
}

impl PlanForm {
    fn draft(&self) -> AppResult<PlanDraft> {
        let mut errors = Vec::new();
        let line_id = self.line_id.trim().parse::<i64>().ok();
        if line_id.is_none() {
            errors.push(Refusal::new("LINE_REQUIRED", "请选择预算指标").field("line_id"));
        }
        let month = month_of(&self.month);
        if month.is_none() {
            errors.push(Refusal::new("PLAN_MONTH_INVALID", "月份应为 1–12").field("month"));
        }
        let amount = inputs::amount(&self.amount, "amount", "计划金额")
            .map_err(|r| errors.push(r))
            .ok();
        match (line_id, month, amount) {
            (Some(line_id), Some(month), Some(amount)) => Ok(PlanDraft {
                line_id,
                month,
                amount,
                purpose: self.purpose.clone(),
            }),
            _ => Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            }),
        }
    }
}

fn month_of(raw: &str) -> Option<u32> {
    raw.trim().parse().ok().filter(|m| (1..=12).contains(m))
}

/// The review form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ReviewForm {
    month: String,
    cash_limit: String,
    record: String,
}

#[derive(Template)]
#[template(path = "spending_plans.html")]
struct PlansPage<'a> {
    layout: &'a Layout,
    year: i32,
    month: u32,
    /// This page of the month's plans the filters find.
    rows: Vec<PlanRow>,
    listing: Listing,
    /// The units with plans this month, to filter by.
    units: Vec<(i64, String)>,
    /// 申报 and 批准 of every plan found.
    totals: [String; 2],
    lines: Vec<(i64, String)>,
    form: PlanForm,
    cash_limit: String,
    errors: FieldErrors,
    preview: Option<PlanReview>,
    reviews: Vec<ReviewSummary>,
    may_file: bool,
    may_review: bool,
}

impl PlansPage<'_> {
    fn months(&self) -> std::ops::RangeInclusive<u32> {
        1..=12
    }

    fn total(&self, approved: bool) -> &str {
        &self.totals[usize::from(approved)]
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        crate::pages::options::<lingji_domain::execution::PlanStatus>()
    }
    fn chosen(&self, filter: &str, value: &str) -> bool {
        self.listing.filter(filter) == value
    }
}

/// The plans' filters and the columns they sort by.
const PLAN_FILTERS: [&str; 4] = ["month", "unit_id", "status", "q"];
const PLAN_SORTS: [&str; 6] = ["id", "unit", "tier", "amount", "approved", "status"];

fn may_file(id: &Identity) -> bool {
    id.actor.role == Role::UnitOperator
}

fn may_review(id: &Identity) -> bool {
    id.actor.role == Role::FinanceOfficer
        && may(id.actor.role, Resource::SpendingPlan, Access::Write)
}

struct Shown {
    month: u32,
    form: PlanForm,
    cash_limit: String,
    errors: FieldErrors,
    preview: Option<PlanReview>,
    /// The list's query (filters, sort, page); empty after a form.
    query: BTreeMap<String, String>,
}

async fn show(
    state: &AppState,
    id: &Identity,
    path: &str,
    status: StatusCode,
    shown: Shown,
    flash: Option<String>,
) -> Response {
    let built: AppResult<_> = async {
        let jurisdiction = id.actor.org.jurisdiction;
        let year = state.app.foundation().current_year(jurisdiction).await?;
        let filter = PlanFilter {
            fiscal_year: year,
            month: Some(shown.month),
            ..PlanFilter::default()
        };
        let rows = state.app.execution().plans(&id.scope(), filter).await?;
        let lines = if may_file(id) {
            lines_for(state, id).await?
        } else {
            Vec::new()
        };
        let reviews = if may(id.actor.role, Resource::SpendingPlan, Access::Read)
            && matches!(id.actor.role, Role::FinanceOfficer | Role::Auditor)
        {
            state
                .app
                .execution()
                .plan_reviews(&id.scope(), year)
                .await?
        } else {
            Vec::new()
        };
        Ok((year, rows, lines, reviews))
    }
    .await;
    match built {
        Ok((year, mut rows, lines, reviews)) => {
            let mut listing =
                Listing::new("/spending-plans", &shown.query, &PLAN_SORTS, &PLAN_FILTERS);
            let mut units: Vec<(i64, String)> = rows
                .iter()
                .map(|r| (r.unit_id, r.unit_name.clone()))
                .collect();
            units.sort();
            units.dedup();
            let unit = listing.id_filter("unit_id");
            let wanted = listing.filter("status").to_string();
            let text = listing.filter("q").to_lowercase();
            rows.retain(|r| {
                unit.is_none_or(|u| r.unit_id == u)
                    && (wanted.is_empty() || r.status.as_str() == wanted)
                    && (text.is_empty()
                        || r.line_name.to_lowercase().contains(&text)
                        || r.purpose.to_lowercase().contains(&text))
            });
            let totals = [
                listing.shown(listing::total(&rows, |r| r.amount)),
                listing.shown(listing::total(&rows, |r| r.approved)),
            ];
            listing.sort(&mut rows, |r, key| match key {
                "unit" => Key::from(r.unit_name.as_str()),
                "tier" => Key::from(r.tier_label),
                "amount" => Key::from(r.amount),
                "approved" => Key::from(r.approved),
                "status" => Key::from(r.status_label),
                _ => Key::from(r.id),
            });
            let rows = listing.paginate(rows);
            let layout = Layout::new(id, "用款计划", path).with_flash(flash);
            render(
                status,
                &PlansPage {
                    layout: &layout,
                    year,
                    month: shown.month,
                    rows,
                    listing,
                    units,
                    totals,
                    lines,
                    form: shown.form,
                    cash_limit: shown.cash_limit,
                    errors: shown.errors,
                    preview: shown.preview,
                    reviews,
                    may_file: may_file(id),
                    may_review: may_review(id),
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

fn this_month() -> u32 {
    chrono::Local::now().month()
}

async fn page(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let month = q
        .get("month")
        .and_then(|m| month_of(m))
        .unwrap_or_else(this_month);
    let shown = Shown {
        month,
        form: PlanForm {
            month: month.to_string(),
            ..PlanForm::default()
        },
        cash_limit: String::new(),
        errors: FieldErrors::default(),
        preview: None,
        query: q.clone(),
    };
    show(
        &state,
        &id,
        uri.path(),
        StatusCode::OK,
        shown,
        flash_from(&q),
    )
    .await
}

async fn file(Page { state, id, uri }: Page, Form(form): Form<PlanForm>) -> Response {
    let done = match form.draft() {
        Ok(d) => state.app.execution().file_plan(&id.scope(), d).await,
        Err(e) => Err(e),
    };
    let done = done.map(|p| format!("/spending-plans?month={}&msg=filed", p.month));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let shown = Shown {
            month: month_of(&form.month).unwrap_or_else(this_month),
            errors: FieldErrors::from_error(&e, &FIELDS),
            form,
            cash_limit: String::new(),
            preview: None,
            query: BTreeMap::new(),
        };
        show(
            &state,
            &id,
            "/spending-plans",
            crate::problem::status_of(&e),
            shown,
            None,
        )
        .await
    })
    .await
}

async fn review(Page { state, id, uri }: Page, Form(form): Form<ReviewForm>) -> Response {
    let month = month_of(&form.month);
    let record = form.record == "1";
    let done = match (
        month,
        inputs::amount(&form.cash_limit, "cash_limit", "本月国库库款限额"),
    ) {
        (Some(m), Ok(limit)) => {
            let jurisdiction = id.actor.org.jurisdiction;
            match state.app.foundation().current_year(jurisdiction).await {
                Ok(year) => {
                    state
                        .app
                        .execution()
                        .review_month(&id.scope(), (year, m), limit, record)
                        .await
                }
                Err(e) => Err(e),
            }
        }
        (None, _) => Err(Refusal::new("PLAN_MONTH_INVALID", "月份应为 1–12")
            .field("month")
            .into()),
        (_, Err(r)) => Err(r.field("cash_limit").into()),
    };
    // A trial shows the month's review; a refusal shows the form again.
    let (status, errors, preview) = match done {
        Ok(r) if record => {
            let to = format!("/spending-plans?month={}&msg=reviewed", r.month);
            return Redirect::to(&to).into_response();
        }
        Ok(r) => (StatusCode::OK, FieldErrors::default(), Some(r)),
        Err(e @ AppError::Forbidden(_)) => return error_page(&id, uri.path(), &e),
        Err(e) => (
            crate::problem::status_of(&e),
            FieldErrors::from_error(&e, &FIELDS),
            None,
        ),
    };
    let shown = Shown {
        month: month.unwrap_or_else(this_month),
        form: PlanForm::default(),
        cash_limit: form.cash_limit,
        errors,
        preview,
        query: BTreeMap::new(),
    };
    show(&state, &id, "/spending-plans", status, shown, None).await
}
