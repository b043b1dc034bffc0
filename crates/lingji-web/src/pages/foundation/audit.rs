//! `/audit`: the audit log as a list auditors work in: filters by action, kind of object and
//! person (by their Chinese names), a Beijing date range, newest or oldest first, page numbers;
//! each event's changes as a table of 字段 → 原值 → 新值, the raw record behind 「原始数据」.
//! The store filters and pages (two bounded reads a page), never the page: the log grows
//! fastest of all tables.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, SecondsFormat, TimeZone, Utc};
use lingji_app::AppResult;
use lingji_app::store::foundation::audit::Filter;
use lingji_domain::Labelled;
use lingji_domain::foundation::audit::AuditRecord;
use lingji_domain::foundation::audit::words;
use lingji_domain::foundation::codes::CodeKind;
use lingji_domain::foundation::fund::FundBook;

use super::audit_changes::{Changes, changes};
use crate::AppState;
use crate::pages::listing::{Listing, PER_PAGE};
use crate::pages::{FieldErrors, Layout, Page, error_page, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/audit", get(show))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    layout: &'a Layout,
    events: Vec<(AuditRecord, Changes)>,
    listing: Listing,
    /// The jurisdiction's people: login and name, by name.
    people: Vec<(String, String)>,
    actions: &'static [(&'static str, &'static str)],
    objects: &'static [(&'static str, &'static str)],
    errors: FieldErrors,
}

impl AuditPage<'_> {
    fn chosen(&self, filter: &str, value: &str) -> bool {
        self.listing.filter(filter) == value
    }
}

/// The filters of the log, and the one column it sorts by (time).
const FILTERS: [&str; 6] = ["actor", "action", "entity_type", "entity_id", "from", "to"];
const SORTS: [&str; 1] = ["at"];

/// An action as people call it (the code itself only for one no use case records, which a test
/// of the lived demo would catch).
fn action(code: &str) -> &str {
    words::action_label(code).unwrap_or(code)
}

/// A kind of object as people call it.
fn object(code: &str) -> &str {
    words::object_label(code).unwrap_or(code)
}

/// An object's number as people read it: an id as it is, a year's table or fund book by name
/// (`2026/general_public` → 2026 年 一般公共预算); a name in Latin letters (an imported
/// file's, a key's) only in the raw record.
fn entity(id: &str) -> String {
    if let Some((year, rest)) = id.split_once('/')
        && year.parse::<i32>().is_ok()
        && let Some(name) = FundBook::from_code(rest)
            .map(|b| b.label())
            .or_else(|| CodeKind::from_code(rest).map(|k| k.label()))
    {
        return format!("{year} 年 {name}");
    }
    if id.chars().any(|c| c.is_ascii_alphabetic()) && !id.chars().any(|c| c.is_ascii_digit()) {
        return String::new();
    }
    id.to_string()
}

/// The start of a Beijing date as the store writes times (RFC 3339 UTC): `2026-03-01` →
/// `2026-02-28T16:00:00.000Z`.
fn beijing_midnight(d: NaiveDate) -> Option<String> {
    let east8 = chrono::FixedOffset::east_opt(8 * 3600)?;
    let t = east8
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .single()?;
    Some(
        t.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

/// A typed date (`2026-03-01`, as the date field sends it), or the refusal beside its field.
fn date(typed: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if typed.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{what}“{typed}”不是日期，请按 年-月-日 填写，如 2026-03-01"))
}

/// The store filter of the page's query, and the refusals of its dates (a refused date is no
/// filter).
fn filter_of(listing: &Listing, jurisdiction_id: i64) -> (Filter, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut day = |field: &str, what: &str| match date(listing.filter(field), what) {
        Ok(d) => d,
        Err(e) => {
            errors.by_field.insert(field.to_string(), e);
            None
        }
    };
    let from = day("from", "起始日期");
    let to = day("to", "截止日期");
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) if f > t => {
            errors.by_field.insert(
                "to".into(),
                format!("截止日期 {t} 早于起始日期 {f}，请重新选择"),
            );
            (Some(f), None)
        }
        d => d,
    };
    let given = |f: &str| Some(listing.filter(f).to_string()).filter(|v| !v.is_empty());
    let filter = Filter {
        jurisdiction_id,
        actor: given("actor"),
        action: given("action"),
        entity_type: given("entity_type"),
        entity_id: given("entity_id"),
        since: from.and_then(beijing_midnight),
        until: to.and_then(|t| t.succ_opt()).and_then(beijing_midnight),
        oldest_first: listing.sort == "at" && !listing.desc,
        offset: ((listing.page - 1) * PER_PAGE) as i64,
        limit: PER_PAGE as i64,
        ..Filter::default()
    };
    (filter, errors)
}

async fn show(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut listing = Listing::new(uri.path(), &q, &SORTS, &FILTERS);
    let (filter, errors) = filter_of(&listing, id.actor.org.jurisdiction);
    let loaded = async {
        let mut people: Vec<(String, String)> = state
            .app
            .accounts()
            .names(&id.scope())
            .await?
            .into_iter()
            .collect();
        people.sort_by(|a, b| a.1.cmp(&b.1));
        people.push(("system".into(), "系统".into()));
        let mut page = state
            .app
            .foundation()
            .audit_page(&id.caller(), filter.clone())
            .await?;
        // A page past the last shows the last, as every list does.
        let count = usize::try_from(page.1).unwrap_or(0);
        let pages = count.div_ceil(PER_PAGE).max(1);
        if listing.page > pages {
            listing.page = pages;
            let last = Filter {
                offset: ((pages - 1) * PER_PAGE) as i64,
                ..filter
            };
            page = state
                .app
                .foundation()
                .audit_page(&id.caller(), last)
                .await?;
        }
        AppResult::Ok((people, page.0, count, pages))
    };
    let (people, events, count, pages) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(&id, uri.path(), &e),
    };
    listing.count = count;
    listing.pages = pages;
    let events = events
        .into_iter()
        .map(|e| {
            let c = changes(&e.before, &e.after, &|login| id.names.of(login));
            (e, c)
        })
        .collect();
    let layout = Layout::new(&id, "审计日志", uri.path());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AuditPage {
            layout: &layout,
            events,
            listing,
            people,
            actions: words::ACTIONS,
            objects: words::OBJECTS,
            errors,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_beijing_date_starts_at_four_in_the_afternoon_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(beijing_midnight(d).unwrap(), "2026-02-28T16:00:00.000Z");
        assert!(date("2026-13-01", "起始日期").is_err());
        assert!(
            date("二〇二六", "起始日期")
                .unwrap_err()
                .contains("年-月-日")
        );
    }
}
