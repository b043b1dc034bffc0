//! `/api/v1/lists/{list}`: the lists finance maintains for review — key matters (CS-2a),
//! events (ZB-6a), the purchase-of-services negative list (ZB-8), special funds (ZB-12,
//! QJ-3b), assessment agencies (ZB-13a, PM-12) — each change kept.

use axum::Json;
use lingji_app::store::review::lists::{EntryChange, StoredEntry};
use lingji_domain::review::lists::{ListEntry, ListKind, SpecialFundTerms};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, created};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
}

/// An entry as sent: the fields of its list (special funds: lead department, start year,
/// period, pilot, big, tasks; agencies: blacklisted).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct EntryInput {
    /// Code, unique in the list.
    pub code: String,
    /// Name (negative list: the words that identify a refused service).
    pub name: String,
    /// Budget year (key matters, events).
    pub year: Option<i32>,
    /// Remarks, or why an agency is blacklisted.
    pub note: String,
    /// Special funds: lead department id.
    pub lead_department_id: Option<i64>,
    /// Special funds: first year.
    pub start_year: Option<i32>,
    /// Special funds: period in years.
    pub period_years: Option<u32>,
    /// Special funds: pilot.
    pub pilot: bool,
    /// Special funds: the department's "big" special fund (QJ-3b).
    pub big: bool,
    /// Special funds: task list.
    pub tasks: Vec<String>,
    /// Agencies: blacklisted (PM-12).
    pub blacklisted: bool,
}

impl From<EntryInput> for ListEntry {
    fn from(i: EntryInput) -> Self {
        ListEntry {
            code: i.code,
            name: i.name,
            year: i.year,
            note: i.note,
            fund: SpecialFundTerms {
                lead_department_id: i.lead_department_id,
                start_year: i.start_year,
                period_years: i.period_years,
                pilot: i.pilot,
                big: i.big,
                tasks: i.tasks,
            },
            blacklisted: i.blacklisted,
        }
    }
}

/// A stored entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: i64,
    pub list: String,
    pub active: bool,
    /// Version, to send back as `version`.
    pub version: i64,
    pub updated_at: String,
    /// The entry's fields.
    #[schema(value_type = lingji_app::schema::domain::ListEntry)]
    pub entry: serde_json::Value,
}

impl From<StoredEntry> for EntryDto {
    fn from(e: StoredEntry) -> Self {
        EntryDto {
            id: e.id,
            list: e.list.as_str().into(),
            active: e.active,
            version: e.version,
            updated_at: e.updated_at,
            entry: serde_json::to_value(&e.entry).unwrap_or_default(),
        }
    }
}

/// An entry with its changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryWithHistory {
    #[serde(flatten)]
    pub entry: EntryDto,
    /// Every change: at, actor, action, entry, active.
    pub history: Vec<EntryChange>,
}

/// Which jurisdiction and year.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this budget year's entries (key matters, events).
    pub year: Option<i32>,
}

fn kind(raw: &str) -> ApiResult<ListKind> {
    Ok(ListKind::parse(raw).map_err(lingji_app::AppError::NotFound)?)
}

/// A list's entries, retired ones included.
#[utoipa::path(get, path = "/lists/{list}", tag = "review",
    params(("list" = String, Path, description = "key_matters, events, negative_list, special_funds or agencies"), ListQuery),
    responses((status = 200, body = Vec<EntryDto>), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list(
    cx: Cx,
    ApiPath(list): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<EntryDto>>> {
    let entries = cx
        .review()
        .list_entries(&cx.scope, kind(&list)?, q.year)
        .await?;
    Ok(Json(entries.into_iter().map(EntryDto::from).collect()))
}

/// Adds an entry (finance).
#[utoipa::path(post, path = "/lists/{list}", tag = "review",
    params(("list" = String, Path, description = "list identifier")),
    request_body = EntryInput,
    responses((status = 201, body = EntryDto), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create(
    cx: Cx,
    ApiPath(list): ApiPath<String>,
    ApiJson(body): ApiJson<EntryInput>,
) -> ApiResult<Created<EntryDto>> {
    let e = cx
        .review()
        .add_list_entry(&cx.scope, kind(&list)?, body.into())
        .await?;
    created(e.into())
}

/// One entry with every change.
#[utoipa::path(get, path = "/lists/entries/{id}", tag = "review",
    params(("id" = i64, Path, description = "entry id")),
    responses((status = 200, body = EntryWithHistory), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_one(cx: Cx, ApiPath(entry): ApiPath<i64>) -> ApiResult<Json<EntryWithHistory>> {
    let (e, history) = cx.review().list_entry(cx.caller(), entry).await?;
    Ok(Json(EntryWithHistory {
        entry: e.into(),
        history,
    }))
}

/// A change of an entry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryUpdate {
    /// The entry's fields.
    pub entry: EntryInput,
    /// In force (false retires it; it stays for history).
    pub active: bool,
    /// The version the change is based on.
    /// Sent as `version`, the name every endpoint uses; `expected_version` is still read.
    #[serde(rename = "version", alias = "expected_version")]
    pub expected_version: i64,
}

/// Changes or retires an entry (finance).
#[utoipa::path(put, path = "/lists/entries/{id}", tag = "review",
    params(("id" = i64, Path, description = "entry id")),
    request_body = EntryUpdate,
    responses((status = 200, body = EntryDto), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn update(
    cx: Cx,
    ApiPath(entry): ApiPath<i64>,
    ApiJson(body): ApiJson<EntryUpdate>,
) -> ApiResult<Json<EntryDto>> {
    let e = cx
        .review()
        .update_list_entry(
            cx.caller(),
            entry,
            body.entry.into(),
            body.active,
            body.expected_version,
        )
        .await?;
    Ok(Json(e.into()))
}
