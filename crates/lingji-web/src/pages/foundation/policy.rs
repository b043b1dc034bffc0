//! `/policy`: the policy profile with every clause cited; administrators edit it.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::Scope;
use lingji_app::store::foundation::profiles::ProfileVersion;
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Access, Resource, may};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::policy::{ParamKind, ParamView};

use crate::AppState;
use crate::pages::{
    FieldErrors, Layout, Page, PageCtx, answer, error_page, flash_from, forbidden, options, render,
    year_or_current,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/policy", get(show).post(save))
        .route("/policy/years", axum::routing::post(start_year))
}

struct Section {
    title: &'static str,
    params: Vec<ParamView>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage<'a> {
    layout: &'a Layout,
    year: i32,
    years: Vec<i32>,
    version: &'a ProfileVersion,
    preset_label: &'static str,
    sections: Vec<Section>,
    history: Vec<ProfileVersion>,
    can_edit: bool,
    values: BTreeMap<String, String>,
    note: String,
    errors: FieldErrors,
    presets: Vec<(&'static str, &'static str)>,
}

impl PolicyPage<'_> {
    /// The value shown in a parameter's input: what was submitted, or the stored value,
    /// without the unit the input shows beside it.
    fn value_of(&self, p: &ParamView) -> String {
        bare(
            p.kind,
            self.values.get(p.key).map(String::as_str).unwrap_or(""),
        )
    }
    /// The unit written beside a parameter's input.
    fn unit_of(&self, p: &ParamView) -> &'static str {
        unit(p.kind)
    }
    fn is_flag(&self, p: &ParamView) -> bool {
        p.kind == ParamKind::Bool
    }
    /// How to type a value that is not a plain number.
    fn hint_of(&self, p: &ParamView) -> &'static str {
        match p.kind {
            ParamKind::MonthDay => "月-日，如 06-30",
            ParamKind::Months => "月份，以顿号分隔，如 3月、6月",
            ParamKind::TierOrder | ParamKind::GuaranteeOrder => "按优先顺序，以顿号分隔",
            _ => "",
        }
    }
}

/// The unit a kind of parameter is counted in, shown beside its input.
fn unit(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Rate => "%",
        ParamKind::Score => "分",
        ParamKind::Money => "元",
        _ => "",
    }
}

/// A value as typed in its input: its display without the unit written beside the input.
fn bare(kind: ParamKind, value: &str) -> String {
    let u = unit(kind);
    let v = value.trim();
    if u.is_empty() {
        return v.to_string();
    }
    let v = v.strip_suffix(u).unwrap_or(v);
    let v = if kind == ParamKind::Rate {
        v.strip_suffix('％').unwrap_or(v)
    } else {
        v
    };
    v.trim().to_string()
}

fn sections(params: Vec<ParamView>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for p in params {
        match out.last_mut() {
            Some(s) if s.title == p.section => s.params.push(p),
            _ => out.push(Section {
                title: p.section,
                params: vec![p],
            }),
        }
    }
    out
}

async fn page(
    ctx: &PageCtx<'_>,
    year: Option<i32>,
    flash: Option<String>,
    values: Option<BTreeMap<String, String>>,
    note: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let PageCtx { state, id, path } = *ctx;
    let caller = id.caller();
    let j = id.actor.org.jurisdiction;
    let loaded = async {
        let years: Vec<i32> = state
            .app
            .foundation()
            .fiscal_years(j)
            .await?
            .into_iter()
            .map(|y| y.year)
            .collect();
        let year = year_or_current(state, id, year).await?;
        let fy = FiscalYear::new(year)?;
        let version = state
            .app
            .foundation()
            .policy_profile(&Scope::new(&caller, j), fy)
            .await?;
        let history = state
            .app
            .foundation()
            .policy_history(&Scope::new(&caller, j), fy)
            .await?;
        AppResult::Ok((years, year, version, history))
    };
    match loaded.await {
        Ok((years, year, version, history)) => {
            let params = version.profile.parameters();
            let values = values.unwrap_or_else(|| {
                params
                    .iter()
                    .map(|p| (p.key.to_string(), p.value.clone()))
                    .collect()
            });
            let layout = Layout::new(id, format!("{year} 年度政策参数"), path).with_flash(flash);
            render(
                status,
                &PolicyPage {
                    layout: &layout,
                    year,
                    years,
                    version: &version,
                    preset_label: lingji_domain::foundation::policy::Preset::parse(&version.preset)
                        .map(|p| p.label())
                        .unwrap_or("自定义"),
                    sections: sections(params),
                    history,
                    can_edit: may(id.actor.role, Resource::PolicyProfile, Access::Write),
                    values,
                    note,
                    errors,
                    presets: options::<lingji_domain::foundation::policy::Preset>(),
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn show(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let year = q.get("year").and_then(|y| y.parse().ok());
    page(
        &PageCtx::new(&state, &id, uri.path()),
        year,
        flash_from(&q),
        None,
        String::new(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn save(
    Page { state, id, uri }: Page,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let year = form
        .get("year")
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or_default();
    let based_on = form
        .get("based_on")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or_default();
    let note = form.get("note").cloned().unwrap_or_default();
    let submitted: BTreeMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("p.").map(|key| (key.to_string(), v.clone())))
        .collect();
    let result = async {
        let fy = FiscalYear::new(year)?;
        let current = state
            .app
            .foundation()
            .policy_profile(&id.scope(), fy)
            .await?;
        // Only what the administrator changed, so the note explains a real difference.
        let changes: BTreeMap<String, String> = current
            .profile
            .parameters()
            .into_iter()
            .filter_map(|p| {
                submitted
                    .get(p.key)
                    .filter(|v| bare(p.kind, v) != bare(p.kind, &p.value))
                    .map(|v| (p.key.to_string(), v.clone()))
            })
            .collect();
        state
            .app
            .foundation()
            .update_policy(&id.scope(), fy, based_on, &changes, &note)
            .await
    };
    let done = result.await.map(|_| saved(year));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let mut fields: Vec<&str> = submitted.keys().map(String::as_str).collect();
        fields.push("note");
        let errors = FieldErrors::from_error(&e, &fields);
        page(
            &PageCtx::new(&state, &id, uri.path()),
            Some(year),
            None,
            Some(submitted.clone()),
            note.clone(),
            errors,
            crate::problem::status_of(&e),
        )
        .await
    })
    .await
}

/// Where a saved policy form leads: the profile of its year.
fn saved(year: i32) -> String {
    format!("/policy?year={year}&msg=saved")
}

#[derive(serde::Deserialize)]
struct YearForm {
    year: String,
    /// `preset:<id>` or `copy:<year>`.
    source: String,
    make_current: Option<String>,
}

async fn start_year(Page { state, id, uri }: Page, Form(form): Form<YearForm>) -> Response {
    let result = async {
        let year: i32 = form.year.trim().parse().map_err(|_| {
            AppError::Refused(
                lingji_domain::Refusal::new("FISCAL_YEAR_MALFORMED", "年度应为四位数字")
                    .field("year"),
            )
        })?;
        let (preset, copy) = match form.source.split_once(':') {
            Some(("preset", p)) => (Some(p), None),
            Some(("copy", y)) => (None, y.parse().ok()),
            _ => (None, None),
        };
        let source = crate::api::foundation::policy::year_source(preset, copy).map_err(|e| e.0)?;
        state
            .app
            .foundation()
            .start_year(
                &id.scope(),
                FiscalYear::new(year)?,
                source,
                form.make_current.is_some(),
            )
            .await?;
        AppResult::Ok(year)
    };
    let done = result.await.map(saved);
    answer(&id, uri.path(), forbidden, done, async |e| {
        let errors = FieldErrors::from_error(&e, &[]);
        page(
            &PageCtx::new(&state, &id, uri.path()),
            None,
            None,
            None,
            String::new(),
            errors,
            crate::problem::status_of(&e),
        )
        .await
    })
    .await
}
