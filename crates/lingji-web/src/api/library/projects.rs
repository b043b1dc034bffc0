//! `/api/v1/projects` and `/api/v1/standards`: the project library and the expenditure
//! standards catalogue.

use axum::Json;
use axum::response::Response;
use lingji_app::library::projects::ProjectDraft;
use lingji_app::store::library::projects::{Filter, HistoryEntry, Project, ProjectDetail};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::library::cost::Standard;
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{MatterClass, ProjectKind, ProjectState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, created, xlsx};
use crate::problem::{ApiResult, Problem, ProblemItem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(check))
        .routes(routes!(copy_structure))
        .routes(routes!(move_to))
        .routes(routes!(standards))
        .routes(routes!(indicators))
        .routes(routes!(export))
        .routes(routes!(cleanup_list, cleanup_retire))
}

/// A project in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub fiscal_year: i32,
    pub unit_id: i64,
    pub department_id: i64,
    /// 项目类别.
    #[schema(value_type = lingji_app::schema::ProjectKind)]
    pub kind: String,
    /// 事项分类.
    #[schema(value_type = Option<lingji_app::schema::MatterClass>)]
    pub matter_class: Option<String>,
    /// 支出层级.
    #[schema(value_type = Option<lingji_app::schema::SpendingTier>)]
    pub tier: Option<String>,
    #[schema(value_type = lingji_app::schema::ProjectState)]
    pub state: String,
    /// State in Chinese.
    pub state_label: String,
    /// This year's request, 元.
    pub request: String,
    pub version: i64,
}

impl From<&Project> for ProjectSummary {
    fn from(p: &Project) -> Self {
        let h = &p.header;
        ProjectSummary {
            id: p.id,
            code: h.code.clone(),
            name: h.name.clone(),
            fiscal_year: h.fiscal_year,
            unit_id: h.unit_id,
            department_id: h.department_id,
            kind: h.kind.as_str().into(),
            matter_class: h.matter_class.map(|m| m.as_str().into()),
            tier: h.tier.map(|t| t.as_str().into()),
            state: h.state.as_str().into(),
            state_label: h.state.label().into(),
            request: h.request.to_plain(),
            version: p.version,
        }
    }
}

/// A project with everything.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDto {
    #[serde(flatten)]
    pub summary: ProjectSummary,
    /// The full record: header, cost lines (with computed amounts), indicators, year plan.
    #[schema(value_type = lingji_app::store::library::projects::ProjectDetail)]
    pub detail: serde_json::Value,
    /// What happened to it.
    pub history: Vec<HistoryEntry>,
    /// States it can move to next.
    #[schema(value_type = Vec<lingji_app::schema::ProjectState>)]
    pub next_states: Vec<String>,
    /// Last year's project of the same line, as reference (ZB-4).
    pub previous: Option<PreviousDto>,
}

/// Last year's project: reference only, never the basis of this year's amount (ZB-4).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviousDto {
    pub id: i64,
    pub code: String,
    pub fiscal_year: i32,
    /// Approved last year, 元.
    pub approved: String,
    /// Spent last year, 元.
    pub spent: String,
}

fn dto(detail: ProjectDetail, history: Vec<HistoryEntry>, previous: Option<Project>) -> ProjectDto {
    ProjectDto {
        previous: previous.map(|p| PreviousDto {
            id: p.id,
            code: p.header.code,
            fiscal_year: p.header.fiscal_year,
            approved: p.header.approved.to_plain(),
            spent: p.header.spent.to_plain(),
        }),
        summary: ProjectSummary::from(&detail.project),
        next_states: detail
            .project
            .header
            .state
            .next_states()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        detail: serde_json::to_value(&detail).unwrap_or_default(),
        history,
    }
}

/// A project with its history and last year's reference, as the API returns it.
async fn full(cx: &Cx, project: i64) -> ApiResult<ProjectDto> {
    let (detail, history) = cx.library().project(cx.caller(), project).await?;
    let previous = cx.library().previous_of(cx.caller(), &detail).await?;
    Ok(dto(detail, history, previous))
}

/// "Copy last year's structure" (ZB-4): the project's elements, lines and targets as a draft
/// for next year, with every quantity empty so that each amount is justified again.
#[utoipa::path(get, path = "/projects/{id}/copy", tag = "projects", params(("id" = i64, Path, description = "last year's project id")),
    responses((status = 200, body = ProjectDraft), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn copy_structure(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<ProjectDraft>> {
    let draft = cx.library().copy_structure(cx.caller(), project).await?;
    Ok(Json(draft))
}

/// Reads an optional number that forms send as an empty string when left blank.
fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub year: Option<i32>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub department_id: Option<i64>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub unit_id: Option<i64>,
    /// State: reserve, submitted, returned, admitted, postponed, funded, executing, completed, retired.
    #[param(value_type = Option<lingji_app::schema::ProjectState>)]
    pub state: Option<String>,
    /// 事项分类 identifier.
    #[param(value_type = Option<lingji_app::schema::MatterClass>)]
    pub matter_class: Option<String>,
    /// Spending tier identifier.
    #[param(value_type = Option<lingji_app::schema::SpendingTier>)]
    pub tier: Option<String>,
    /// 项目类别 identifier.
    #[param(value_type = Option<lingji_app::schema::ProjectKind>)]
    pub kind: Option<String>,
    /// Text in name or code.
    pub q: Option<String>,
    /// Id of the last project of the previous page.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub after: Option<i64>,
    /// Page size (1–500, default 50).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub limit: Option<i64>,
}

impl ProjectQuery {
    /// As a store filter; unknown values are refused naming the parameter.
    pub fn filter(&self, jurisdiction_id: i64) -> ApiResult<Filter> {
        fn opt<T>(
            v: &Option<String>,
            field: &str,
            parse: fn(&str) -> Result<T, lingji_domain::Refusal>,
        ) -> ApiResult<Option<T>> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Ok(Some(parse(s).map_err(|r| r.field(field))?)),
                None => Ok(None),
            }
        }
        Ok(Filter {
            jurisdiction_id,
            fiscal_year: self.year,
            department_id: self.department_id,
            unit_id: self.unit_id,
            state: opt(&self.state, "state", ProjectState::parse)?,
            matter_class: opt(&self.matter_class, "matter_class", MatterClass::parse)?,
            tier: opt(&self.tier, "tier", SpendingTier::parse)?,
            kind: opt(&self.kind, "kind", ProjectKind::parse)?,
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            after_id: self.after,
            limit: self.limit.unwrap_or(50),
        })
    }
}

/// Projects the caller may see, a page at a time (keyset paging by id).
#[utoipa::path(get, path = "/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, body = Vec<ProjectSummary>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list(cx: Cx, ApiQuery(q): ApiQuery<ProjectQuery>) -> ApiResult<Json<Vec<ProjectSummary>>> {
    let filter = q.filter(cx.scope.jurisdiction)?;
    let projects = cx.library().list_projects(cx.caller(), filter).await?;
    Ok(Json(projects.iter().map(ProjectSummary::from).collect()))
}

/// A new project.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewProject {
    /// Owning unit; defaults to the caller's unit.
    pub unit_id: Option<i64>,
    /// Budget year; defaults to the jurisdiction's current year.
    pub year: Option<i32>,
    /// Last year's project of the same line, shown as reference (ZB-4).
    pub previous_id: Option<i64>,
    #[serde(flatten)]
    pub draft: ProjectDraft,
}

/// Create a project in the reserve (储备). Amounts come from the cost lines only (ZB-4); a line
/// above its standard is refused (ZB-14).
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectDto), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create(cx: Cx, ApiJson(body): ApiJson<NewProject>) -> ApiResult<Created<ProjectDto>> {
    let own_unit = cx.caller().actor().and_then(|a| a.org.unit);
    let unit = body.unit_id.or(own_unit).ok_or_else(|| {
        lingji_domain::Refusal::new("UNIT_REQUIRED", "请指定申报单位").field("unit_id")
    })?;
    let year = cx.fiscal_year(body.year).await?;
    let detail = cx
        .library()
        .create_project(cx.caller(), unit, year, &body.draft, body.previous_id)
        .await?;
    created(full(&cx, detail.project.id).await?)
}

/// One project with cost lines, targets, plan and history.
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_one(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<ProjectDto>> {
    Ok(Json(full(&cx, project).await?))
}

/// A project's new content.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProjectUpdate {
    /// Version read before editing.
    pub version: i64,
    #[serde(flatten)]
    pub draft: ProjectDraft,
}

/// Replace a project's content while it is editable (储备, 退回修改).
#[utoipa::path(put, path = "/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "project id")),
    request_body = ProjectUpdate,
    responses((status = 200, body = ProjectDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn update(
    cx: Cx,
    ApiPath(project): ApiPath<i64>,
    ApiJson(body): ApiJson<ProjectUpdate>,
) -> ApiResult<Json<ProjectDto>> {
    cx.library()
        .update_project(cx.caller(), project, &body.draft, body.version)
        .await?;
    Ok(Json(full(&cx, project).await?))
}

/// The admission checks (ZB-15a, CS-1, ZB-5c, QJ-3c, ZB-5d, ZB-15d, QJ-2b, PM-7) without
/// submitting: every problem with its field and clause; empty when ready.
#[utoipa::path(get, path = "/projects/{id}/check", tag = "projects", params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Vec<ProblemItem>), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn check(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<Vec<ProblemItem>>> {
    let problems = cx.library().check_project(cx.caller(), project).await?;
    Ok(Json(problems.iter().map(ProblemItem::from).collect()))
}

/// A move in the lifecycle.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Move {
    /// Target state, e.g. `submitted`, `returned`, `admitted`, `retired`.
    #[schema(value_type = lingji_app::schema::ProjectState)]
    pub to: String,
    /// Comments (required when returning).
    #[serde(default)]
    pub note: String,
    /// Version read before.
    pub version: i64,
}

/// Move a project (ZB-15c): submit (admission checks first), return with comments, admit, retire…
#[utoipa::path(post, path = "/projects/{id}/transitions", tag = "projects", params(("id" = i64, Path, description = "project id")),
    request_body = Move,
    responses((status = 200, body = ProjectDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, description = "errors[] 列出全部不符合入库要求之处", body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn move_to(
    cx: Cx,
    ApiPath(project): ApiPath<i64>,
    ApiJson(body): ApiJson<Move>,
) -> ApiResult<Json<ProjectDto>> {
    let to = ProjectState::parse(&body.to).map_err(|r| r.field("to"))?;
    cx.library()
        .move_project(cx.caller(), project, to, &body.note, body.version)
        .await?;
    Ok(Json(full(&cx, project).await?))
}

/// An expenditure standard.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandardDto {
    /// Id (cost lines refer to it).
    pub id: i64,
    pub code: String,
    pub name: String,
    /// wage, public_expense, livelihood, project.
    #[schema(value_type = lingji_app::schema::StandardCategory)]
    pub category: String,
    /// Unit of measure.
    pub unit_of_measure: String,
    /// Ceiling per unit, 元.
    pub amount: String,
    /// Unit kinds it applies to (empty: all).
    #[schema(value_type = Vec<lingji_app::schema::UnitKind>)]
    pub unit_kinds: Vec<String>,
    pub from_year: i32,
    pub to_year: Option<i32>,
    pub source: String,
}

impl From<Standard> for StandardDto {
    fn from(s: Standard) -> Self {
        StandardDto {
            id: s.id,
            code: s.code,
            name: s.name,
            category: s.category.as_str().into(),
            unit_of_measure: s.unit_of_measure,
            amount: s.amount.to_plain(),
            unit_kinds: s
                .unit_kinds
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            from_year: s.from_year,
            to_year: s.to_year,
            source: s.source,
        }
    }
}

/// The expenditure standards catalogue (ZB-14, ZX-std).
#[utoipa::path(get, path = "/standards", tag = "projects",
    responses((status = 200, body = Vec<StandardDto>), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn standards(cx: Cx) -> ApiResult<Json<Vec<StandardDto>>> {
    let list = cx.library().standards(&cx.scope).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A clean-up candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct CleanupDto {
    pub project: ProjectSummary,
    /// Why it should leave the library, with clauses.
    pub reasons: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CleanupQuery {
    /// The budget year being prepared.
    pub year: i32,
}

/// Projects to clean out of the library (ZB-15c unfunded for N years, ZB-5d policy expired).
#[utoipa::path(get, path = "/projects/cleanup", tag = "projects", params(CleanupQuery),
    responses((status = 200, body = Vec<CleanupDto>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn cleanup_list(
    cx: Cx,
    ApiQuery(q): ApiQuery<CleanupQuery>,
) -> ApiResult<Json<Vec<CleanupDto>>> {
    let year = FiscalYear::new(q.year).map_err(|r| r.field("year"))?;
    let list = cx.library().cleanup_candidates(&cx.scope, year).await?;
    Ok(Json(
        list.iter()
            .map(|c| CleanupDto {
                project: ProjectSummary::from(&c.project),
                reasons: c.reasons.clone(),
            })
            .collect(),
    ))
}

/// Which candidates to retire.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CleanupRetire {
    pub year: i32,
    /// Project ids from the candidate list.
    pub ids: Vec<i64>,
    /// Comment added to each project's history.
    #[serde(default)]
    pub note: String,
}

/// Retire chosen candidates, all or none (finance).
#[utoipa::path(post, path = "/projects/cleanup", tag = "projects", request_body = CleanupRetire,
    responses((status = 200, body = usize), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn cleanup_retire(cx: Cx, ApiJson(body): ApiJson<CleanupRetire>) -> ApiResult<Json<usize>> {
    let year = FiscalYear::new(body.year).map_err(|r| r.field("year"))?;
    let n = cx
        .library()
        .retire_candidates(&cx.scope, year, &body.ids, &body.note)
        .await?;
    Ok(Json(n))
}

/// An indicator of the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryIndicatorDto {
    /// 通用 or a sector.
    pub sector: String,
    #[schema(value_type = lingji_app::schema::IndicatorCategory)]
    pub category: String,
    pub name: String,
    #[schema(value_type = lingji_app::schema::Comparator)]
    pub comparator: String,
    pub unit: String,
}

/// The indicator library (PM-4): the common frame and per-sector core indicators.
#[utoipa::path(get, path = "/indicators", tag = "projects",
    responses((status = 200, body = Vec<LibraryIndicatorDto>), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn indicators(cx: Cx) -> ApiResult<Json<Vec<LibraryIndicatorDto>>> {
    let list = cx.catalogues().indicator_library(&cx.scope).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| LibraryIndicatorDto {
                sector: i.sector,
                category: i.category,
                name: i.name,
                comparator: i.comparator,
                unit: i.unit,
            })
            .collect(),
    ))
}

/// The projects the caller may see under the filters, as an Excel workbook (sheets 项目 and
/// 测算明细; amounts as numbers in 元). A unit operator gets its own unit's request.
#[utoipa::path(get, path = "/projects/export", tag = "projects", params(ProjectQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn export(cx: Cx, ApiQuery(q): ApiQuery<ProjectQuery>) -> ApiResult<Response> {
    let filter = q.filter(cx.scope.jurisdiction)?;
    let bytes = cx.library().export_projects(cx.caller(), filter).await?;
    Ok(xlsx(bytes, "projects.xlsx", "项目库.xlsx"))
}
