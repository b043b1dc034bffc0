//! `/lists`: the lists finance maintains for review (CS-2a, ZB-6a, ZB-8, ZB-12, QJ-3b,
//! ZB-13a) — everyone reads them, finance adds and changes entries, and each entry shows
//! every change with who and when.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use lingji_app::store::review::lists::{EntryChange, StoredEntry};
use lingji_app::{AppError, AppResult};
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource, may};
use lingji_domain::review::lists::{ListEntry, ListKind, SpecialFundTerms};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, forbidden_or_missing,
    options, render, year_in,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/lists", get(first))
        .route("/lists/{list}", get(show).post(create))
        .route("/lists/entries/{id}", get(entry).post(update))
}

/// Fields the forms show, for sorting refusals beside them.
const FIELDS: [&str; 8] = [
    "code",
    "name",
    "year",
    "lead_department_id",
    "start_year",
    "period_years",
    "tasks",
    "note",
];

/// An entry form as typed, so a refused form comes back as the user left it.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct EntryForm {
    code: String,
    name: String,
    year: String,
    note: String,
    lead_department_id: String,
    start_year: String,
    period_years: String,
    pilot: Option<String>,
    big: Option<String>,
    /// One task per line.
    tasks: String,
    blacklisted: Option<String>,
    active: Option<String>,
    version: i64,
}

impl EntryForm {
    fn from_entry(e: &ListEntry, active: bool, version: i64) -> Self {
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let f = &e.fund;
        let on = |b: bool| b.then(|| "on".to_string());
        EntryForm {
            code: e.code.clone(),
            name: e.name.clone(),
            year: num(e.year.map(i64::from)),
            note: e.note.clone(),
            lead_department_id: num(f.lead_department_id),
            start_year: num(f.start_year.map(i64::from)),
            period_years: num(f.period_years.map(i64::from)),
            pilot: on(f.pilot),
            big: on(f.big),
            tasks: f.tasks.join("\n"),
            blacklisted: on(e.blacklisted),
            active: on(active),
            version,
        }
    }

    /// A new entry's form: yearly lists default to the year everyone works in.
    fn blank(year: i32) -> Self {
        EntryForm {
            year: year.to_string(),
            start_year: year.to_string(),
            ..EntryForm::default()
        }
    }

    /// The entry, or every field that is not a number where one is needed.
    fn parse(&self) -> AppResult<ListEntry> {
        let mut errors = Vec::new();
        let mut num = |field: &'static str, label: &str, v: &str| -> Option<i64> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) if (0..=i64::from(i32::MAX)).contains(&n) => Some(n),
                _ => {
                    errors.push(
                        Refusal::new("NUMBER_MALFORMED", format!("{label}应为整数")).field(field),
                    );
                    None
                }
            }
        };
        let year = num("year", "年度", &self.year);
        let lead = num(
            "lead_department_id",
            "牵头主管部门",
            &self.lead_department_id,
        );
        let start = num("start_year", "设立年度", &self.start_year);
        let period = num("period_years", "执行期限", &self.period_years);
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new("FORM_INVALID", format!("有 {} 处需补正", errors.len())),
                errors,
            });
        }
        // In range of i32 and u32 by the check above.
        let narrow = |n: Option<i64>| n.and_then(|n| i32::try_from(n).ok());
        Ok(ListEntry {
            code: self.code.clone(),
            name: self.name.clone(),
            year: narrow(year),
            note: self.note.clone(),
            fund: SpecialFundTerms {
                lead_department_id: lead,
                start_year: narrow(start),
                period_years: period.and_then(|n| u32::try_from(n).ok()),
                pilot: self.pilot.is_some(),
                big: self.big.is_some(),
                tasks: self.tasks.lines().map(str::to_string).collect(),
            },
            blacklisted: self.blacklisted.is_some(),
        })
    }
}

/// A row of the list table.
struct EntryRow {
    id: i64,
    entry: ListEntry,
    active: bool,
    updated_at: String,
    lead: String,
    last_year: String,
}

/// The entry form as both pages show it (`list_entry_form.html`): which list, the values, the
/// errors beside them and the departments to choose a lead from.
struct EntryFormView {
    kind: ListKind,
    form: EntryForm,
    errors: FieldErrors,
    departments: Vec<(i64, String)>,
}

impl EntryFormView {
    /// The page is of this list.
    fn is(&self, kind: &str) -> bool {
        self.kind.as_str() == kind
    }

    /// The option of this department is selected.
    fn lead_is(&self, id: &i64) -> bool {
        self.form.lead_department_id == id.to_string()
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage<'a> {
    layout: &'a Layout,
    kinds: Vec<(&'static str, &'static str)>,
    year: Option<i32>,
    rows: Vec<EntryRow>,
    can_edit: bool,
    view: EntryFormView,
}

#[derive(Template)]
#[template(path = "list_entry.html")]
struct EntryPage<'a> {
    layout: &'a Layout,
    stored: StoredEntry,
    lead: String,
    history: Vec<EntryChange>,
    can_edit: bool,
    view: EntryFormView,
}

impl EntryPage<'_> {
    /// What a change set, in a line.
    fn summary(&self, c: &EntryChange) -> String {
        describe(self.view.kind, &c.entry, &self.view.departments)
    }
}

/// An entry's fields of its list in one line, for the history.
fn describe(kind: ListKind, e: &ListEntry, departments: &[(i64, String)]) -> String {
    let mut parts = vec![format!("{} {}", e.code, e.name)];
    if let Some(y) = e.year {
        parts.push(format!("{y} 年度"));
    }
    if kind == ListKind::SpecialFunds {
        let f = &e.fund;
        parts.push(format!(
            "牵头 {}",
            lead_name(f.lead_department_id, departments)
        ));
        if let (Some(s), Some(p)) = (f.start_year, f.period_years) {
            parts.push(format!("{s} 年起 {p} 年"));
        }
        if f.pilot {
            parts.push("试点".into());
        }
        if f.big {
            parts.push("大专项".into());
        }
        parts.push(format!("任务 {} 项", f.tasks.len()));
    }
    if kind == ListKind::Agencies && e.blacklisted {
        parts.push("黑名单".into());
    }
    if !e.note.is_empty() {
        parts.push(format!("说明：{}", e.note));
    }
    parts.join("；")
}

fn lead_name(id: Option<i64>, departments: &[(i64, String)]) -> String {
    match id {
        None => "—".into(),
        Some(id) => departments
            .iter()
            .find(|(d, _)| *d == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("部门 #{id}")),
    }
}

fn can_edit(id: &Identity) -> bool {
    may(id.actor.role, Resource::FinanceList, Access::Write)
}

/// The departments that may lead a special fund, named.
async fn departments(state: &AppState, id: &Identity) -> AppResult<Vec<(i64, String)>> {
    state.app.review().fund_lead_departments(&id.scope()).await
}

fn kind_of(raw: &str) -> AppResult<ListKind> {
    ListKind::parse(raw).map_err(AppError::NotFound)
}

/// What the list page shows besides the form: the list, the year filter, the entries.
struct Shown {
    kind: ListKind,
    year: Option<i32>,
}

/// The form's state on a page: fresh (with a message after a redirect) or refused as typed.
struct FormState {
    flash: Option<String>,
    form: Option<EntryForm>,
    errors: FieldErrors,
    status: StatusCode,
}

impl FormState {
    fn fresh(q: &BTreeMap<String, String>) -> Self {
        FormState {
            flash: flash_from(q),
            form: None,
            errors: FieldErrors::default(),
            status: StatusCode::OK,
        }
    }

    fn refused(form: EntryForm, e: &AppError) -> Self {
        FormState {
            flash: None,
            form: Some(form),
            errors: FieldErrors::from_error(e, &FIELDS),
            status: crate::problem::status_of(e),
        }
    }
}

async fn list_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    shown: Shown,
    state_of_form: FormState,
) -> Response {
    let Shown { kind, year } = shown;
    let FormState {
        flash,
        form,
        errors,
        status,
    } = state_of_form;
    let loaded = async {
        let jurisdiction = id.actor.org.jurisdiction;
        let entries = state
            .app
            .review()
            .list_entries(&id.scope(), kind, year)
            .await?;
        let current = state.app.foundation().current_year(jurisdiction).await?;
        AppResult::Ok((entries, departments(state, id).await?, current))
    };
    let (entries, departments, current) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let rows = entries
        .into_iter()
        .map(|s| EntryRow {
            id: s.id,
            lead: lead_name(s.entry.fund.lead_department_id, &departments),
            last_year: s
                .entry
                .fund
                .last_year()
                .map(|y| y.to_string())
                .unwrap_or_default(),
            entry: s.entry,
            active: s.active,
            updated_at: s.updated_at,
        })
        .collect();
    let layout = Layout::new(id, kind.label(), path).with_flash(flash);
    render(
        status,
        &ListsPage {
            layout: &layout,
            kinds: options::<ListKind>(),
            year,
            rows,
            can_edit: can_edit(id),
            view: EntryFormView {
                kind,
                form: form.unwrap_or_else(|| EntryForm::blank(current)),
                errors,
                departments,
            },
        },
    )
}

/// The first list, where the navigation leads.
async fn first() -> Redirect {
    Redirect::to(&format!("/lists/{}", ListKind::ALL[0].as_str()))
}

async fn show(
    Page { state, id, uri }: Page,
    Path(list): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let kind = match kind_of(&list) {
        Ok(k) => k,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let shown = Shown {
        kind,
        year: year_in(&q),
    };
    list_page(&state, &id, uri.path(), shown, FormState::fresh(&q)).await
}

async fn create(
    Page { state, id, uri }: Page,
    Path(list): Path<String>,
    Form(form): Form<EntryForm>,
) -> Response {
    let kind = match kind_of(&list) {
        Ok(k) => k,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    let result = async {
        let entry = form.parse()?;
        state
            .app
            .review()
            .add_list_entry(&id.scope(), kind, entry)
            .await
    };
    let done = result
        .await
        .map(|e| format!("/lists/entries/{}?msg=created", e.id));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let shown = Shown { kind, year: None };
        list_page(&state, &id, uri.path(), shown, FormState::refused(form, &e)).await
    })
    .await
}

async fn entry_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    entry_id: i64,
    state_of_form: FormState,
) -> Response {
    let FormState {
        flash,
        form,
        errors,
        status,
    } = state_of_form;
    let loaded = async {
        let (stored, history) = state
            .app
            .review()
            .list_entry(&id.caller(), entry_id)
            .await?;
        AppResult::Ok((stored, history, departments(state, id).await?))
    };
    let (stored, history, departments) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let kind = stored.list;
    let layout = Layout::new(
        id,
        format!("{} · {}", kind.label(), stored.entry.name),
        path,
    )
    .with_flash(flash);
    render(
        status,
        &EntryPage {
            layout: &layout,
            lead: lead_name(stored.entry.fund.lead_department_id, &departments),
            view: EntryFormView {
                kind,
                form: form.unwrap_or_else(|| {
                    EntryForm::from_entry(&stored.entry, stored.active, stored.version)
                }),
                errors,
                departments,
            },
            stored,
            history,
            can_edit: can_edit(id),
        },
    )
}

async fn entry(
    Page { state, id, uri }: Page,
    Path(entry_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    entry_page(&state, &id, uri.path(), entry_id, FormState::fresh(&q)).await
}

async fn update(
    Page { state, id, uri }: Page,
    Path(entry_id): Path<i64>,
    Form(form): Form<EntryForm>,
) -> Response {
    let result = async {
        let entry = form.parse()?;
        state
            .app
            .review()
            .update_list_entry(
                &id.caller(),
                entry_id,
                entry,
                form.active.is_some(),
                form.version,
            )
            .await
    };
    let done = result
        .await
        .map(|_| format!("/lists/entries/{entry_id}?msg=saved"));
    answer(&id, uri.path(), forbidden_or_missing, done, async |e| {
        let refused = FormState::refused(form, &e);
        entry_page(&state, &id, uri.path(), entry_id, refused).await
    })
    .await
}
