//! `/api/v1/performance…`, `/api/v1/evaluations…`, `/api/v1/publications…`: dual monitoring
//! (PM-9), self and key evaluations (PM-10, PM-12), results application (PM-13) and what
//! finance publishes (PM-5). The public, sign-in-free side is in
//! [`crate::api::disclosure::public`].

use crate::api::ApiPath;
use crate::api::ApiQuery;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use lingji_app::disclosure::PublishDraft;
use lingji_app::performance::evaluations::{KeyDraft, SelfDraft};
use lingji_app::performance::monitoring::{CheckpointDraft, DecisionDraft};
use lingji_app::performance::results::{ApplyDraft, RetireDraft};
use lingji_app::performance::targets::TargetDraft;
use lingji_domain::performance::Light;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::ApiJson;
use crate::api::allocation::{YearQuery, year_of};
use crate::identity::ApiUser;
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checkpoints, record_checkpoint))
        .routes(routes!(import_checkpoints))
        .routes(routes!(checkpoint_form))
        .routes(routes!(decide_checkpoint))
        .routes(routes!(list_evaluations))
        .routes(routes!(get_evaluation))
        .routes(routes!(evaluation_xlsx))
        .routes(routes!(self_evaluate))
        .routes(routes!(key_evaluate))
        .routes(routes!(list_results, apply_result))
        .routes(routes!(retire_policy))
        .routes(routes!(list_targets, put_target))
        .routes(routes!(get_target))
        .routes(routes!(list_publications, publish))
        .routes(routes!(withdraw))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CheckpointQuery {
    /// Budget year; the current year when absent.
    pub year: Option<i32>,
    /// Only this month.
    pub month: Option<u32>,
    /// green, yellow or red.
    pub light: Option<String>,
}

/// Monitoring checkpoints of a year, red first: a unit its own projects', a department its
/// units', finance and audit all (PM-9).
#[utoipa::path(get, path = "/performance/checkpoints", tag = "performance", params(CheckpointQuery),
    responses((status = 200, body = Vec<lingji_app::performance::monitoring::Checkpoint>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_checkpoints(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<CheckpointQuery>,
) -> ApiResult<Json<Vec<lingji_app::performance::monitoring::Checkpoint>>> {
    let year = year_of(&state, &id, q.year).await?;
    let light =
        crate::api::state_param(q.light.as_deref(), Light::parse, "LIGHT_UNKNOWN", "监控灯")?;
    let rows = state
        .app
        .performance()
        .checkpoints(&id.scope(), year, q.month, light)
        .await?;
    Ok(Json(rows))
}

/// Records a funded project's checkpoint (PM-9): each indicator's progress, with the reason
/// where it lags; the spending rate comes from the ledger. 409 when the month is recorded.
#[utoipa::path(post, path = "/performance/checkpoints", tag = "performance", request_body = CheckpointDraft,
    responses((status = 201, body = lingji_app::performance::monitoring::Checkpoint), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn record_checkpoint(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiJson(body): ApiJson<CheckpointDraft>,
) -> ApiResult<(
    StatusCode,
    Json<lingji_app::performance::monitoring::Checkpoint>,
)> {
    let row = state
        .app
        .performance()
        .record_checkpoint(&id.caller(), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Records the checkpoints of a monitoring workbook (.xlsx as the request body; columns 项目编码,
/// 监控月份, 指标名称, 实际完成, 完成进度(%), 完成可能性, 原因及措施) — all or none.
#[utoipa::path(post, path = "/performance/checkpoints/import", tag = "performance",
    request_body(content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
    responses((status = 201, body = lingji_app::performance::monitoring::MonitoringImport), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn import_checkpoints(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    body: Bytes,
) -> ApiResult<(
    StatusCode,
    Json<lingji_app::performance::monitoring::MonitoringImport>,
)> {
    let done = state
        .app
        .performance()
        .import_checkpoints(&id.scope(), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// A project's checkpoint form: the profile's months, its indicators and the ledger now.
#[utoipa::path(get, path = "/performance/projects/{id}/checkpoints", tag = "performance",
    params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::performance::monitoring::CheckpointForm), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn checkpoint_form(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(project): ApiPath<i64>,
) -> ApiResult<Json<lingji_app::performance::monitoring::CheckpointForm>> {
    Ok(Json(
        state
            .app
            .performance()
            .checkpoint_form(&id.caller(), project)
            .await?,
    ))
}

/// Finance's decision on a checkpoint (PM-9, CS-3): correct, suspend or stop — the last two
/// block the project's payments until lifted. Once per checkpoint (409).
#[utoipa::path(post, path = "/performance/checkpoints/{id}/decision", tag = "performance",
    params(("id" = i64, Path)), request_body = DecisionDraft,
    responses((status = 200, body = lingji_app::performance::monitoring::Checkpoint), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn decide_checkpoint(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(record): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionDraft>,
) -> ApiResult<Json<lingji_app::performance::monitoring::Checkpoint>> {
    let row = state
        .app
        .performance()
        .decide_checkpoint(&id.scope(), record, &body)
        .await?;
    Ok(Json(row))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EvaluationQuery {
    /// Budget year evaluated; the current year when absent.
    pub year: Option<i32>,
    /// self or key.
    #[param(value_type = Option<lingji_app::store::schema::EvaluationKind>)]
    pub kind: Option<String>,
}

/// Evaluations of a year the caller may see (PM-10).
#[utoipa::path(get, path = "/evaluations", tag = "performance", params(EvaluationQuery),
    responses((status = 200, body = Vec<lingji_app::performance::evaluations::EvaluationView>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_evaluations(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> ApiResult<Json<Vec<lingji_app::performance::evaluations::EvaluationView>>> {
    let year = year_of(&state, &id, q.year).await?;
    let kind = crate::api::state_param(
        q.kind.as_deref(),
        |k| ["self", "key"].into_iter().find(|x| *x == k),
        "EVALUATION_KIND_UNKNOWN",
        "评价类型",
    )?;
    let rows = state
        .app
        .performance()
        .evaluations(&id.scope(), year, kind)
        .await?;
    Ok(Json(rows))
}

/// One evaluation with its scorecard.
#[utoipa::path(get, path = "/evaluations/{id}", tag = "performance", params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::performance::evaluations::EvaluationView), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_evaluation(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(evaluation): ApiPath<i64>,
) -> ApiResult<Json<lingji_app::performance::evaluations::EvaluationView>> {
    Ok(Json(
        state
            .app
            .performance()
            .evaluation(&id.caller(), evaluation)
            .await?,
    ))
}

/// A self-evaluation as the national table (项目支出绩效自评表) in .xlsx.
#[utoipa::path(get, path = "/evaluations/{id}/table.xlsx", tag = "performance", params(("id" = i64, Path)),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn evaluation_xlsx(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(evaluation): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let bytes = state
        .app
        .performance()
        .evaluation_xlsx(&id.caller(), evaluation)
        .await?;
    Ok(crate::api::download(
        bytes,
        crate::api::XLSX,
        &format!("self-evaluation-{evaluation}.xlsx"),
        &format!("项目支出绩效自评表-{evaluation}.xlsx"),
    ))
}

/// Records a unit's self-evaluation of a funded project (PM-10, NAT-10): each indicator
/// scored by its formula, the execution rate from the ledger; every shortfall needs a reason
/// and a remedy. Replaces an earlier one until results are confirmed (then 409).
#[utoipa::path(post, path = "/evaluations/self", tag = "performance", request_body = SelfDraft,
    responses((status = 201, body = lingji_app::performance::evaluations::EvaluationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn self_evaluate(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiJson(body): ApiJson<SelfDraft>,
) -> ApiResult<(
    StatusCode,
    Json<lingji_app::performance::evaluations::EvaluationView>,
)> {
    let row = state
        .app
        .performance()
        .self_evaluate(&id.caller(), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Records finance's key evaluation of a funded project (PM-10) in the 决策/过程/产出/效益
/// framework with the profile's weights; a blacklisted agency is refused (PM-12).
#[utoipa::path(post, path = "/evaluations/key", tag = "performance", request_body = KeyDraft,
    responses((status = 201, body = lingji_app::performance::evaluations::EvaluationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn key_evaluate(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiJson(body): ApiJson<KeyDraft>,
) -> ApiResult<(
    StatusCode,
    Json<lingji_app::performance::evaluations::EvaluationView>,
)> {
    let row = state
        .app
        .performance()
        .key_evaluate(&id.scope(), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Every evaluated project of a year with its grade, the profile's proposed cut for next year
/// and finance's confirmation; what this year's budget took off for last year's results
/// (PM-13, CS-5b, QJ-5b). Finance and audit.
#[utoipa::path(get, path = "/performance/results", tag = "performance", params(YearQuery),
    responses((status = 200, body = lingji_app::performance::results::Results), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_results(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<lingji_app::performance::results::Results>> {
    let year = year_of(&state, &id, q.year).await?;
    Ok(Json(
        state.app.performance().results(&id.scope(), year).await?,
    ))
}

/// Confirms a project's result (PM-13): the proposal, or another cut or retirement with a
/// reason. The next year's allocation run reads it. Once per project (409).
#[utoipa::path(post, path = "/performance/results", tag = "performance", params(YearQuery),
    request_body = ApplyDraft,
    responses((status = 200, body = lingji_app::performance::results::ResultRow), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn apply_result(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
    ApiJson(body): ApiJson<ApplyDraft>,
) -> ApiResult<Json<lingji_app::performance::results::ResultRow>> {
    let year = year_of(&state, &id, q.year).await?;
    Ok(Json(
        state
            .app
            .performance()
            .apply_result(&id.scope(), year, &body)
            .await?,
    ))
}

/// Everything published for a year, withdrawn items included (finance, audit).
#[utoipa::path(get, path = "/publications", tag = "performance", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::disclosure::PublicItem>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_publications(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<lingji_app::disclosure::PublicItem>>> {
    let year = year_of(&state, &id, q.year).await?;
    Ok(Json(
        state
            .app
            .disclosure()
            .publications(&id.scope(), year)
            .await?,
    ))
}

/// Publishes a copy (PM-5, QJ-5c): project_targets (source: project id), self_evaluation or
/// key_evaluation (source: evaluation id), special_fund (source: the fund's code).
#[utoipa::path(post, path = "/publications", tag = "performance", request_body = PublishDraft,
    responses((status = 201, body = lingji_app::disclosure::PublicItem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn publish(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiJson(body): ApiJson<PublishDraft>,
) -> ApiResult<(StatusCode, Json<lingji_app::disclosure::PublicItem>)> {
    let item = state.app.disclosure().publish(&id.scope(), &body).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Withdraws a published item: it is no longer public.
#[utoipa::path(post, path = "/publications/{id}/withdraw", tag = "performance", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn withdraw(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(item): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.app.disclosure().withdraw(&id.scope(), item).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Department and policy targets of a year (PM-2, PM-7): a department its own, finance and
/// audit all.
#[utoipa::path(get, path = "/performance/targets", tag = "performance", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::performance::targets::TargetView>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_targets(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<lingji_app::performance::targets::TargetView>>> {
    let year = year_of(&state, &id, q.year).await?;
    Ok(Json(
        state.app.performance().targets(&id.scope(), year).await?,
    ))
}

/// Records or changes a department's overall targets or a policy's (a special fund's, by its
/// lead department), every indicator checked by its row (PM-7). 409 when they exist and no
/// `version` is given, or it is stale.
#[utoipa::path(post, path = "/performance/targets", tag = "performance", params(YearQuery),
    request_body = TargetDraft,
    responses((status = 200, body = lingji_app::performance::targets::TargetView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn put_target(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
    ApiJson(body): ApiJson<TargetDraft>,
) -> ApiResult<Json<lingji_app::performance::targets::TargetView>> {
    let year = year_of(&state, &id, q.year).await?;
    Ok(Json(
        state
            .app
            .performance()
            .put_target(&id.scope(), year, &body)
            .await?,
    ))
}

/// One department's or policy's targets.
#[utoipa::path(get, path = "/performance/targets/{id}", tag = "performance", params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::performance::targets::TargetView), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_target(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiPath(target): ApiPath<i64>,
) -> ApiResult<Json<lingji_app::performance::targets::TargetView>> {
    Ok(Json(
        state.app.performance().target(&id.caller(), target).await?,
    ))
}

/// Retires an evaluated policy's special fund from the registry for its results (PM-13); its
/// projects then fail the fund's gate (ZB-12). 409 when already retired.
#[utoipa::path(post, path = "/performance/results/policies", tag = "performance", params(YearQuery),
    request_body = RetireDraft,
    responses((status = 200, body = lingji_app::performance::results::PolicyResult), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn retire_policy(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
    ApiJson(body): ApiJson<RetireDraft>,
) -> ApiResult<Json<lingji_app::performance::results::PolicyResult>> {
    let year = year_of(&state, &id, q.year).await?;
    Ok(Json(
        state
            .app
            .performance()
            .retire_policy(&id.scope(), year, &body)
            .await?,
    ))
}
