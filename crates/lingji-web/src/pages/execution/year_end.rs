//! `/year-end`: the year-end close wizard (ZB-6d, QJ-4b, ZX-3c, CS-6). Finance lists the signed
//! contracts that back operating money, tries the close and sees every line's fate by
//! department, then runs it; afterwards finance and audit read what was carried and recovered.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::execution::year_end::{ContractClaim, YearEndReport};
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::Role;
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::inputs;
use crate::pages::{FieldErrors, Layout, Page, beijing, error_page, flash_from, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/year-end", get(page).post(run))
}

#[derive(Template)]
#[template(path = "year_end.html")]
struct YearEndPage<'a> {
    layout: &'a Layout,
    year: i32,
    report: Option<YearEndReport>,
    trial: bool,
    contracts: String,
    errors: FieldErrors,
    may_close: bool,
    /// Who closed the year and when, in Beijing time.
    closed: Option<(String, String)>,
}

/// The contracts box: one contract per line, "指标号,合同编号,未付金额".
fn claims(text: &str) -> AppResult<Vec<ContractClaim>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        // The amount is last, so it may carry thousands separators: `12,HT-1,120,000`.
        let parts: Vec<&str> = raw.splitn(3, [',', '，', '\t']).map(str::trim).collect();
        let bad = || {
            AppError::from(
                Refusal::new(
                    "CONTRACT_CLAIM_INVALID",
                    format!("第 {} 行应为“指标号,合同编号,未付金额”", i + 1),
                )
                .field("contracts")
                .clause("ZB-6d"),
            )
        };
        let [line, no, amount] = parts[..] else {
            return Err(bad());
        };
        out.push(ContractClaim {
            line_id: line.parse().map_err(|_| bad())?,
            contract_no: no.to_string(),
            amount: inputs::amount(amount, "contracts", &format!("第 {} 行未付金额", i + 1))?,
        });
    }
    Ok(out)
}

async fn show(
    state: &AppState,
    id: &Identity,
    status: StatusCode,
    shown: (Option<YearEndReport>, bool, String, FieldErrors),
    flash: Option<String>,
    asked: Option<i32>,
) -> Response {
    let path = "/year-end";
    let (report, trial, contracts, errors) = shown;
    let jurisdiction = id.actor.org.jurisdiction;
    let built: AppResult<_> = async {
        let current = state.app.foundation().current_year(jurisdiction).await?;
        // Another year's close is read (the annual report links here with its year); only the
        // current year is closed from this page.
        let year = asked.unwrap_or(current);
        let report = match report {
            Some(r) => Some(r),
            None => match state
                .app
                .year_end()
                .year_end_report(&id.scope(), year)
                .await
            {
                Ok(r) => Some(r),
                Err(AppError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
        };
        Ok((year, current, report))
    }
    .await;
    match built {
        Ok((year, current, report)) => {
            let layout = Layout::new(id, "年终结转", path).with_flash(flash);
            let closed = report
                .as_ref()
                .and_then(|r| r.closed.as_ref())
                .map(|(by, at)| (by.clone(), beijing(at)));
            render(
                status,
                &YearEndPage {
                    layout: &layout,
                    year,
                    closed,
                    report,
                    trial,
                    contracts,
                    errors,
                    may_close: id.actor.role == Role::FinanceOfficer && year == current,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn page(Page { state, id, .. }: Page, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let shown = (None, false, String::new(), FieldErrors::default());
    let asked = q.get("year").and_then(|y| y.trim().parse().ok());
    // After the close the message says what it did, read from the stored close.
    let flash = match (q.get("msg").map(String::as_str), asked) {
        (Some("closed"), Some(year)) => crate::pages::documents::closed_message(&state, &id, year)
            .await
            .or_else(|| flash_from(&q)),
        _ => flash_from(&q),
    };
    show(&state, &id, StatusCode::OK, shown, flash, asked).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    contracts: String,
    record: String,
}

async fn run(Page { state, id, .. }: Page, Form(form): Form<CloseForm>) -> Response {
    let record = form.record == "1";
    let jurisdiction = id.actor.org.jurisdiction;
    let done = async {
        let claims = claims(&form.contracts)?;
        let year = state.app.foundation().current_year(jurisdiction).await?;
        state
            .app
            .year_end()
            .close_year(&id.scope(), year, &claims, record)
            .await
    }
    .await;
    // A trial shows what the close would do; a refusal shows the form again.
    let (status, report, trial, errors) = match done {
        Ok(r) if record => {
            let to = format!("/year-end?msg=closed&year={}", r.fiscal_year);
            return Redirect::to(&to).into_response();
        }
        Ok(r) => {
            let trial = !r.already_closed;
            (StatusCode::OK, Some(r), trial, FieldErrors::default())
        }
        Err(e @ AppError::Forbidden(_)) => return error_page(&id, "/year-end", &e),
        Err(e) => (
            crate::problem::status_of(&e),
            None,
            false,
            FieldErrors::from_error(&e, &["contracts"]),
        ),
    };
    let shown = (report, trial, form.contracts, errors);
    show(&state, &id, status, shown, None, None).await
}
