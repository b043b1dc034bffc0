//! 审核论证: a project's review page (the steps, the decision open to the caller, the gates
//! and whether it may be funded) and the reviewer's queue 待我审核 with bulk decisions.

mod decision;
pub(crate) mod lists;
use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lingji_app::review::flow::ReviewInput;
use lingji_app::review::queue::QueueItem;
use lingji_app::store::library::projects::search::ProjectSort;
use lingji_app::store::review::queue_search::QueueAsk;
use lingji_app::{AppError, AppResult};
use lingji_domain::Money;

use self::decision::{decide, record_gate, show};
use crate::AppState;
use crate::identity::Identity;
use crate::pages::listing::{self, Listing, Orgs};
use crate::pages::{FieldErrors, Layout, Page, error_page, flash_from, render, said};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/review", get(show).post(decide))
        .route("/projects/{id}/gates", axum::routing::post(record_gate))
        .route("/reviews", get(queue).post(bulk))
}

fn messages(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid { summary, errors } => {
            std::iter::once(summary).chain(errors).map(said).collect()
        }
        other => FieldErrors::from_error(other, &[]).general,
    }
}

fn field(form: &BTreeMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage<'a> {
    layout: &'a Layout,
    /// How many projects wait for the caller in all.
    waiting: i64,
    /// This page of what the filters find.
    items: Vec<QueueItem>,
    listing: Listing,
    orgs: Orgs,
    /// 申报数 of everything the filters find.
    total: String,
    /// The summary of a refused bulk decision and each refusal, each naming its project.
    errors: Vec<String>,
    /// What was sent with a refused bulk decision, shown again.
    kept: Kept,
}

/// A refused bulk decision's input: the ticks, the opinion, each row's rank or amount as
/// typed, and each project's refusals beside its row.
#[derive(Default)]
struct Kept {
    /// The summary and each refusal, each naming its project.
    errors: Vec<String>,
    picks: Vec<i64>,
    opinion: String,
    typed: BTreeMap<String, String>,
    by_project: BTreeMap<i64, Vec<String>>,
}

/// The queue's filters and the columns it sorts by.
const QUEUE_FILTERS: [&str; 2] = ["unit_id", "q"];
const QUEUE_SORTS: [&str; 6] = ["code", "name", "unit", "year", "amount", "rank"];

impl QueuePage<'_> {
    fn at(&self, item: &QueueItem) -> &'static str {
        item.review.stage.map_or("", |s| s.as_str())
    }
    fn stage_of(&self) -> &'static str {
        self.items
            .first()
            .and_then(|i| i.review.stage)
            .map_or("", |s| s.as_str())
    }
    fn picked(&self, id: &i64) -> bool {
        self.kept.picks.contains(id)
    }
    fn refusals(&self, id: &i64) -> &[String] {
        self.kept.by_project.get(id).map_or(&[], Vec::as_slice)
    }
    /// A row's field as typed in a refused decision, else as the page proposes it.
    fn typed(&self, name: &str, id: &i64, proposed: String) -> String {
        self.kept
            .typed
            .get(&format!("{name}_{id}"))
            .cloned()
            .unwrap_or(proposed)
    }
    /// The rank a department's row proposes: its place in the list as shown.
    fn rank_of(&self, index: &usize) -> String {
        ((self.listing.page - 1) * listing::PER_PAGE + index).to_string()
    }
}

/// What the page asks of the queue: the unit and text filters, the sort and the page.
fn ask_of(listing: &Listing) -> QueueAsk {
    let text = listing.filter("q");
    QueueAsk {
        unit_id: listing.id_filter("unit_id"),
        text: (!text.is_empty()).then(|| text.to_string()),
        sort: ProjectSort::parse(&listing.sort).unwrap_or_default(),
        desc: listing.desc,
        offset: i64::try_from(listing.offset()).unwrap_or(i64::MAX),
        limit: i64::try_from(listing.per_page()).unwrap_or(50),
    }
}

/// The caller's queue filtered by unit and code or name, counted, totalled, sorted and paged
/// by the store (a finance queue of a province's jurisdiction holds thousands).
async fn queue_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    q: &BTreeMap<String, String>,
    flash: Option<String>,
    mut kept: Kept,
    status: StatusCode,
) -> Response {
    let errors = std::mem::take(&mut kept.errors);
    let mut listing = Listing::new(path, q, &QUEUE_SORTS, &QUEUE_FILTERS);
    let review = state.app.review();
    let loaded = async {
        let orgs = Orgs::of(state, id).await?;
        let mut found = review.queue_search(&id.caller(), ask_of(&listing)).await?;
        // A page past the last shows the last.
        if let Some((_, page)) = &found
            && listing.counted(usize::try_from(page.count).unwrap_or(usize::MAX))
            && page.count > 0
        {
            found = review.queue_search(&id.caller(), ask_of(&listing)).await?;
        }
        AppResult::Ok((orgs, found))
    };
    let (orgs, found) = match loaded.await {
        Ok(l) => l,
        Err(e) => return error_page(id, path, &e),
    };
    let (waiting, items, total) = match found {
        Some((waiting, page)) => (
            waiting,
            page.rows
                .into_iter()
                .map(|(project, review)| QueueItem { project, review })
                .collect(),
            page.total,
        ),
        None => (0, Vec::new(), Money::ZERO),
    };
    let total = listing.shown(Some(total));
    let layout = Layout::new(id, "待我审核", path).with_flash(flash);
    render(
        status,
        &QueuePage {
            layout: &layout,
            waiting,
            items,
            listing,
            orgs,
            total,
            errors,
            kept,
        },
    )
}

async fn queue(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    queue_page(
        &state,
        &id,
        uri.path(),
        &q,
        flash_from(&q),
        Kept::default(),
        StatusCode::OK,
    )
    .await
}

/// Bulk decisions: the ticked rows, each with its own rank or reviewed amount, one decision
/// and opinion for all. The use case decides all or none (ZB-5a); when it refuses, the same
/// page of the queue comes back with the ticks, the opinion and what each row had typed, and
/// each refusal beside the row of its project.
async fn bulk(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form: BTreeMap<String, String> = pairs.iter().cloned().collect();
    let picks: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .collect();
    let items: Vec<(i64, ReviewInput)> = picks
        .iter()
        .map(|&pid| {
            let get = |name: &str| form.get(&format!("{name}_{pid}")).cloned();
            (
                pid,
                ReviewInput {
                    decision: field(&form, "decision"),
                    opinion: field(&form, "opinion"),
                    rank: get("rank").and_then(|r| r.trim().parse().ok()),
                    reviewed: get("reviewed"),
                    livelihood: None,
                    panel: None,
                    expected_version: get("version")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_default(),
                },
            )
        })
        .collect();
    match state.app.review().review_many(&id.caller(), &items).await {
        Ok(_) => {
            let back = Listing::new("/reviews", &q, &QUEUE_SORTS, &QUEUE_FILTERS);
            let to = back.here();
            let sep = if to.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{to}{sep}msg=saved")).into_response()
        }
        Err(e) => {
            let status = crate::problem::status_of(&e);
            let mut by_project: BTreeMap<i64, Vec<String>> = BTreeMap::new();
            if let AppError::Invalid { errors, .. } = &e {
                for r in errors {
                    let row = r
                        .field
                        .as_deref()
                        .and_then(|f| f.strip_prefix("items["))
                        .and_then(|f| f.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| picks.get(i));
                    if let Some(pid) = row {
                        by_project.entry(*pid).or_default().push(said(r));
                    }
                }
            }
            let kept = Kept {
                errors: messages(&e),
                picks,
                opinion: field(&form, "opinion"),
                typed: form
                    .iter()
                    .filter(|(k, _)| k.starts_with("rank_") || k.starts_with("reviewed_"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                by_project,
            };
            queue_page(&state, &id, uri.path(), &q, None, kept, status).await
        }
    }
}
