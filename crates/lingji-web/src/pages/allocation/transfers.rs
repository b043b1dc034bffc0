//! `/transfers`: transfers between levels (issue 21; PM-10, PM-13b, ZB-10). An upper finance
//! bureau records the comprehensive performance score of each jurisdiction below, sets up a
//! transfer fund by factors with each lower's values and cost share, sees how it divides and
//! approves it; a lower finance bureau sees what it received and breaks it down into
//! upper-transfer lines on `/budget-lines?receipt=…` (the document filled in, ZB-7a).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use lingji_app::allocation::transfers::{
    FactorInput, LowerEntryInput, LowerScore, ReceiptView, TransferInput, TransferView,
};
use lingji_app::{AppError, AppResult};
use lingji_domain::Money;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource, may};
use lingji_domain::foundation::fund::FundBook;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden_or_missing, options,
    render, year_of,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/transfers", get(list).post(create))
        .route("/transfers/scores", post(record_score))
        .route("/transfers/{id}", get(detail))
        .route("/transfers/{id}/approve", post(approve))
}

/// How many factor rows the form offers.
const FACTOR_ROWS: usize = 4;

/// A factor row as typed.
#[derive(Clone, Default)]
struct FactorRow {
    name: String,
    kind: String,
    weight: String,
}

/// A lower jurisdiction's row of the form as typed.
#[derive(Clone, Default)]
struct LowerRow {
    lower_id: i64,
    name: String,
    region: String,
    /// Its recorded score, shown in the performance factor's column.
    score: String,
    include: bool,
    values: Vec<String>,
    share: String,
}

/// The fund form as typed.
#[derive(Clone, Default)]
struct FundForm {
    name: String,
    prefix: String,
    total: String,
    fund_book: String,
    economic_code: String,
    factors: Vec<FactorRow>,
    lowers: Vec<LowerRow>,
}

impl FundForm {
    /// A fresh form: population, fiscal gap and performance, every lower included.
    fn fresh(lowers: &[LowerScore]) -> FundForm {
        let factor = |name: &str, kind: &str, weight: &str| FactorRow {
            name: name.into(),
            kind: kind.into(),
            weight: weight.into(),
        };
        let mut factors = vec![
            factor("常住人口", "entered", "40"),
            factor("财力缺口", "entered", "30"),
            factor("综合绩效得分", "performance", "30"),
        ];
        factors.resize(FACTOR_ROWS, FactorRow::default());
        FundForm {
            fund_book: "general_public".into(),
            economic_code: "30201".into(),
            factors,
            lowers: lowers
                .iter()
                .map(|l| LowerRow {
                    lower_id: l.lower_id,
                    name: l.name.clone(),
                    region: l.region.clone(),
                    score: l.score_text.clone(),
                    include: true,
                    values: vec![String::new(); FACTOR_ROWS],
                    share: "0".into(),
                })
                .collect(),
            ..FundForm::default()
        }
    }

    /// The form as posted, over the rows of the lowers shown.
    fn posted(f: &BTreeMap<String, String>, lowers: &[LowerScore]) -> FundForm {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        FundForm {
            name: get("name"),
            prefix: get("prefix"),
            total: get("total"),
            fund_book: get("fund_book"),
            economic_code: get("economic_code"),
            factors: (0..FACTOR_ROWS)
                .map(|i| FactorRow {
                    name: get(&format!("factor_name_{i}")),
                    kind: get(&format!("factor_kind_{i}")),
                    weight: get(&format!("factor_weight_{i}")),
                })
                .collect(),
            lowers: lowers
                .iter()
                .enumerate()
                .map(|(k, l)| LowerRow {
                    lower_id: l.lower_id,
                    name: l.name.clone(),
                    region: l.region.clone(),
                    score: l.score_text.clone(),
                    include: f.contains_key(&format!("include_{k}")),
                    values: (0..FACTOR_ROWS)
                        .map(|i| get(&format!("value_{k}_{i}")))
                        .collect(),
                    share: get(&format!("share_{k}")),
                })
                .collect(),
        }
    }

    /// The fund to create, with the form's row of every factor and lower kept (blank factor
    /// rows and lowers left out are skipped), to put refusals back beside the form's fields.
    fn input(&self, year: i32) -> (TransferInput, Vec<usize>, Vec<usize>) {
        let kept: Vec<usize> = (0..self.factors.len())
            .filter(|i| {
                let f = &self.factors[*i];
                !(f.name.trim().is_empty() && f.weight.trim().is_empty())
            })
            .collect();
        let included: Vec<usize> = (0..self.lowers.len())
            .filter(|k| self.lowers[*k].include)
            .collect();
        let input = TransferInput {
            year,
            prefix: self.prefix.clone(),
            name: self.name.clone(),
            total: self.total.clone(),
            fund_book: self.fund_book.clone(),
            economic_code: self.economic_code.clone(),
            factors: kept
                .iter()
                .map(|i| FactorInput {
                    name: self.factors[*i].name.clone(),
                    kind: self.factors[*i].kind.clone(),
                    weight: self.factors[*i].weight.clone(),
                })
                .collect(),
            lowers: included
                .iter()
                .map(|k| LowerEntryInput {
                    lower_id: self.lowers[*k].lower_id,
                    values: kept
                        .iter()
                        .map(|i| self.lowers[*k].values.get(*i).cloned().unwrap_or_default())
                        .collect(),
                    cost_share: self.lowers[*k].share.clone(),
                })
                .collect(),
        };
        (input, kept, included)
    }
}

/// A refusal's field renamed from the fund's rows to the form's (`value_1_2` of the second lower
/// and third factor kept may be the form's `value_3_2`).
fn form_field(field: &str, kept: &[usize], included: &[usize]) -> String {
    let parts: Vec<&str> = field.split('_').collect();
    let n = |s: &str| s.parse::<usize>().ok();
    match parts.as_slice() {
        ["factor", what, i] => match n(i).and_then(|i| kept.get(i)) {
            Some(i) => format!("factor_{what}_{i}"),
            None => field.into(),
        },
        ["value", k, i] => match (
            n(k).and_then(|k| included.get(k)),
            n(i).and_then(|i| kept.get(i)),
        ) {
            (Some(k), Some(i)) => format!("value_{k}_{i}"),
            _ => field.into(),
        },
        ["share" | "lower", k] => match n(k).and_then(|k| included.get(k)) {
            Some(k) => format!("{}_{k}", parts[0]),
            None => field.into(),
        },
        _ => field.into(),
    }
}

/// The form's field names, for sorting refusals beside them.
fn field_names(lowers: usize) -> Vec<String> {
    let mut out: Vec<String> = ["name", "prefix", "total", "fund_book", "economic_code"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for i in 0..FACTOR_ROWS {
        for what in ["name", "kind", "weight"] {
            out.push(format!("factor_{what}_{i}"));
        }
    }
    for k in 0..lowers {
        out.push(format!("share_{k}"));
        out.push(format!("lower_{k}"));
        for i in 0..FACTOR_ROWS {
            out.push(format!("value_{k}_{i}"));
        }
    }
    out
}

/// An error's refusals moved onto the form's fields.
fn form_errors(e: AppError, kept: &[usize], included: &[usize], lowers: usize) -> FieldErrors {
    let fix = |mut r: Refusal| {
        if let Some(f) = r.field.take() {
            r.field = Some(form_field(&f, kept, included));
        }
        r
    };
    let e = match e {
        AppError::Invalid { summary, errors } => AppError::Invalid {
            summary,
            errors: errors.into_iter().map(fix).collect(),
        },
        AppError::Refused(r) => AppError::Refused(fix(r)),
        other => other,
    };
    let names = field_names(lowers);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    FieldErrors::from_error(&e, &names)
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct TransfersPage<'a> {
    layout: &'a Layout,
    year: i32,
    /// The jurisdictions below with their scores (empty for a jurisdiction with none below).
    lowers: Vec<LowerScore>,
    /// Finance of an upper: records scores and sets up funds.
    may_write: bool,
    /// The upper's funds of the year; their total in 万元.
    funds: Vec<TransferView>,
    funds_total: String,
    /// What this jurisdiction received from above; the total and what is left to break down.
    receipts: Vec<ReceiptView>,
    receipts_total: String,
    receipts_left: String,
    may_break_down: bool,
    form: FundForm,
    errors: FieldErrors,
    score_errors: FieldErrors,
}

impl TransfersPage<'_> {
    fn books(&self) -> Vec<(&'static str, &'static str)> {
        options::<FundBook>()
    }
    fn wan(&self, m: &Money) -> String {
        m.to_wan_exact()
    }
    fn value_of(&self, row: &LowerRow, i: &usize) -> String {
        row.values.get(*i).cloned().unwrap_or_default()
    }
    fn row_error(&self, what: &str, i: &usize) -> String {
        self.errors.get(&format!("{what}_{i}")).to_string()
    }
    fn value_error(&self, k: &usize, i: &usize) -> String {
        self.errors.get(&format!("value_{k}_{i}")).to_string()
    }
    fn score_error(&self, lower: &i64) -> String {
        self.score_errors.get(&format!("score_{lower}")).to_string()
    }
}

fn wan_total(items: impl Iterator<Item = Money>) -> String {
    Money::checked_sum(items).unwrap_or_default().to_wan_exact()
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    id: &Identity,
    path: &str,
    q: &BTreeMap<String, String>,
    status: StatusCode,
    form: Option<FundForm>,
    errors: FieldErrors,
    score_errors: FieldErrors,
) -> Response {
    let role = id.actor.role;
    let scope = id.scope();
    let loaded = async {
        let year = year_of(state, id, q).await?;
        let a = state.app.allocation();
        let lowers = if may(role, Resource::PerformanceDecision, Access::Read) {
            a.lower_scores(&scope, year).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        let funds = if may(role, Resource::Allocation, Access::Read) {
            a.transfers(&scope, year).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        let receipts = a.transfer_receipts(&scope, year).await?;
        AppResult::Ok((year, lowers, funds, receipts))
    };
    let (year, lowers, funds, receipts) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let may_write = !lowers.is_empty() && may(role, Resource::Allocation, Access::Write);
    let form = form.unwrap_or_else(|| FundForm::fresh(&lowers));
    let layout = Layout::new(id, format!("{year} 年度上下级转移支付"), path).with_flash(
        q.get("msg")
            .filter(|m| *m == "scored")
            .map(|_| "综合绩效评价得分已保存".to_string())
            .or_else(|| flash_from(q)),
    );
    render(
        status,
        &TransfersPage {
            layout: &layout,
            year,
            funds_total: wan_total(funds.iter().map(|f| f.total)),
            receipts_total: wan_total(receipts.iter().map(|r| r.amount)),
            receipts_left: wan_total(receipts.iter().map(|r| r.remaining)),
            may_break_down: may(role, Resource::BudgetLine, Access::Write),
            lowers,
            may_write,
            funds,
            receipts,
            form,
            errors,
            score_errors,
        },
    )
}

async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    page(
        &state,
        &id,
        uri.path(),
        &q,
        StatusCode::OK,
        None,
        FieldErrors::default(),
        FieldErrors::default(),
    )
    .await
}

/// Finance sets up a fund; a refused form comes back as typed with each refusal beside its
/// field (a lower without a score named, PM-13b).
async fn create(
    Page { state, id, uri }: Page,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let f: BTreeMap<String, String> = fields.into_iter().collect();
    let scope = id.scope();
    let q = BTreeMap::from([(
        "year".to_string(),
        f.get("year").cloned().unwrap_or_default(),
    )]);
    let prepared = async {
        let year = year_of(&state, &id, &q).await?;
        let lowers = state.app.allocation().lower_scores(&scope, year).await?;
        AppResult::Ok((year, lowers))
    };
    let (year, lowers) = match prepared.await {
        Ok(p) => p,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let form = FundForm::posted(&f, &lowers);
    let (input, kept, included) = form.input(year);
    let done = state
        .app
        .allocation()
        .create_transfer(&scope, &input)
        .await
        .map(|t| format!("/transfers/{}", t.id));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let status = crate::problem::status_of(&e);
        let errors = form_errors(e, &kept, &included, lowers.len());
        page(
            &state,
            &id,
            "/transfers",
            &q,
            status,
            Some(form),
            errors,
            FieldErrors::default(),
        )
        .await
    })
    .await
}

/// Finance records a lower's comprehensive performance score (PM-10).
async fn record_score(
    Page { state, id, uri }: Page,
    axum::Form(f): axum::Form<BTreeMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let q = BTreeMap::from([("year".to_string(), get("year"))]);
    let done = async {
        let year = year_of(&state, &id, &q).await?;
        let lower = get("lower_id")
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::not_found("下级区划"))?;
        state
            .app
            .allocation()
            .record_lower_score(&id.scope(), year, lower, &get("score"))
            .await?;
        AppResult::Ok(format!("/transfers?year={year}&msg=scored"))
    }
    .await;
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let status = crate::problem::status_of(&e);
        let mut errors = FieldErrors::from_error(&e, &["score"]);
        if let Some(m) = errors.by_field.remove("score") {
            errors
                .by_field
                .insert(format!("score_{}", get("lower_id").trim()), m);
        }
        page(
            &state,
            &id,
            "/transfers",
            &q,
            status,
            None,
            FieldErrors::default(),
            errors,
        )
        .await
    })
    .await
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage<'a> {
    layout: &'a Layout,
    t: TransferView,
    may_approve: bool,
    /// The lowers that receive a part, and the confirmation's total in 万元.
    receiving: usize,
    total_wan: String,
    counterpart_wan: String,
}

impl TransferPage<'_> {
    fn money(&self, m: &Option<Money>) -> String {
        m.map(|m| m.to_yuan_display()).unwrap_or_default()
    }
}

async fn detail(
    Page { state, id, uri }: Page,
    Path(fund): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let t = match state.app.allocation().transfer(&id.scope(), fund).await {
        Ok(t) => t,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let receiving = t
        .lowers
        .iter()
        .filter(|l| l.amount.is_some_and(|a| a > Money::ZERO))
        .count();
    let total_wan = t.total.to_wan_exact();
    let counterpart_wan = wan_total(t.lowers.iter().filter_map(|l| l.counterpart));
    let flash = (q.get("msg").map(String::as_str) == Some("approved") && t.status == "approved")
        .then(|| {
            format!(
                "已批准 {}：向 {receiving} 个下级区划下达 {total_wan} 万元，各下级财政可在“上级转移支付”中分解到单位",
                t.document
            )
        });
    let layout = Layout::new(&id, format!("转移支付 {}", t.document), uri.path()).with_flash(flash);
    render(
        StatusCode::OK,
        &TransferPage {
            layout: &layout,
            may_approve: t.status == "draft"
                && t.refusal.is_none()
                && may(id.actor.role, Resource::Allocation, Access::Write),
            t,
            receiving,
            total_wan,
            counterpart_wan,
        },
    )
}

/// Finance approves a fund: every lower receives its part at once.
async fn approve(Page { state, id, uri }: Page, Path(fund): Path<i64>) -> Response {
    let done = state
        .app
        .allocation()
        .approve_transfer(&id.scope(), fund)
        .await
        .map(|_| format!("/transfers/{fund}?msg=approved"));
    answer(
        &id,
        uri.path(),
        |_| true,
        done,
        async |e| error_page(&id, uri.path(), &e),
    )
    .await
}
