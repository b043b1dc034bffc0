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
use lingji_app::AppError;
use lingji_app::review::flow::ReviewInput;
use lingji_app::review::queue::Queue;

use self::decision::{decide, record_gate, show};
use crate::AppState;
use crate::identity::Identity;
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
    queue: Queue,
    errors: Vec<String>,
    /// Where the next page starts, when there is one.
    next_after: Option<i64>,
}

/// Rows on a page of the queue: enough for a bulk decision over dozens.
const QUEUE_PAGE: i64 = 200;

impl QueuePage<'_> {
    fn at(&self, item: &lingji_app::review::queue::QueueItem) -> &'static str {
        item.review.stage.map_or("", |s| s.as_str())
    }
    fn stage_of(&self) -> &'static str {
        self.queue
            .items
            .first()
            .and_then(|i| i.review.stage)
            .map_or("", |s| s.as_str())
    }
}

async fn queue_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    after: i64,
    flash: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let queue = match state
        .app
        .review()
        .review_queue(&id.caller(), after, QUEUE_PAGE)
        .await
    {
        Ok(q) => q,
        Err(e) => return error_page(id, path, &e),
    };
    let next_after = queue
        .items
        .last()
        .filter(|_| queue.items.len() as i64 == QUEUE_PAGE)
        .map(|i| i.project.id);
    let layout = Layout::new(id, "待我审核", path).with_flash(flash);
    render(
        status,
        &QueuePage {
            layout: &layout,
            queue,
            errors,
            next_after,
        },
    )
}

async fn queue(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let after = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    queue_page(
        &state,
        &id,
        uri.path(),
        after,
        flash_from(&q),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// Bulk decisions: the ticked rows, each with its own rank or reviewed amount, one decision
/// and opinion for all.
async fn bulk(Page { state, id, uri }: Page, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form: BTreeMap<String, String> = pairs.iter().cloned().collect();
    let items: Vec<(i64, ReviewInput)> = pairs
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .map(|pid| {
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
        Ok(_) => Redirect::to("/reviews?msg=saved").into_response(),
        Err(e) => {
            let status = crate::problem::status_of(&e);
            queue_page(&state, &id, uri.path(), 0, None, messages(&e), status).await
        }
    }
}
