//! `/api/v1/performance…`, `/api/v1/evaluations…`, `/api/v1/publications…`: dual monitoring
//! (PM-9), self and key evaluations (PM-10, PM-12), results application (PM-13) and what
//! finance publishes (PM-5). The public, sign-in-free side is in
//! [`crate::api::disclosure::public`].

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use lingji_app::disclosure::{PublicItem, PublishDraft};
use lingji_app::performance::evaluations::{EvaluationView, KeyDraft, SelfDraft};
use lingji_app::performance::monitoring::{
    Checkpoint, CheckpointDraft, CheckpointForm, DecisionDraft, MonitoringImport,
};
use lingji_app::performance::results::{ApplyDraft, PolicyResult, ResultRow, Results, RetireDraft};
use lingji_app::performance::targets::{TargetDraft, TargetView};
use lingji_domain::performance::Light;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, Year, YearQuery, created, xlsx};
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
#[into_params(parameter_in = Query)]
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
    cx: Cx,
    ApiQuery(q): ApiQuery<CheckpointQuery>,
) -> ApiResult<Json<Vec<Checkpoint>>> {
    let year = cx.year(q.year).await?;
    let light =
        crate::api::state_param(q.light.as_deref(), Light::parse, "LIGHT_UNKNOWN", "监控灯")?;
    let rows = cx
        .performance()
        .checkpoints(&cx.scope, year, q.month, light)
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
    cx: Cx,
    ApiJson(body): ApiJson<CheckpointDraft>,
) -> ApiResult<Created<Checkpoint>> {
    let checkpoint = cx
        .performance()
        .record_checkpoint(cx.caller(), &body)
        .await?;
    created(checkpoint)
}

/// Records the checkpoints of a monitoring workbook (.xlsx as the request body; columns 项目编码,
/// 监控月份, 指标名称, 实际完成, 完成进度(%), 完成可能性, 原因及措施) — all or none.
#[utoipa::path(post, path = "/performance/checkpoints/import", tag = "performance",
    request_body(content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
    responses((status = 201, body = lingji_app::performance::monitoring::MonitoringImport), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn import_checkpoints(cx: Cx, body: Bytes) -> ApiResult<Created<MonitoringImport>> {
    let done = cx
        .performance()
        .import_checkpoints(&cx.scope, &body)
        .await?;
    created(done)
}

/// A project's checkpoint form: the profile's months, its indicators and the ledger now.
#[utoipa::path(get, path = "/performance/projects/{id}/checkpoints", tag = "performance",
    params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::performance::monitoring::CheckpointForm), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn checkpoint_form(
    cx: Cx,
    ApiPath(project): ApiPath<i64>,
) -> ApiResult<Json<CheckpointForm>> {
    let form = cx
        .performance()
        .checkpoint_form(cx.caller(), project)
        .await?;
    Ok(Json(form))
}

/// Finance's decision on a checkpoint (PM-9, CS-3): correct, suspend or stop — the last two
/// block the project's payments until lifted. Once per checkpoint (409).
#[utoipa::path(post, path = "/performance/checkpoints/{id}/decision", tag = "performance",
    params(("id" = i64, Path)), request_body = DecisionDraft,
    responses((status = 200, body = lingji_app::performance::monitoring::Checkpoint), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn decide_checkpoint(
    cx: Cx,
    ApiPath(record): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionDraft>,
) -> ApiResult<Json<Checkpoint>> {
    let row = cx
        .performance()
        .decide_checkpoint(&cx.scope, record, &body)
        .await?;
    Ok(Json(row))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    cx: Cx,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> ApiResult<Json<Vec<EvaluationView>>> {
    let year = cx.year(q.year).await?;
    let kind = crate::api::state_param(
        q.kind.as_deref(),
        |k| ["self", "key"].into_iter().find(|x| *x == k),
        "EVALUATION_KIND_UNKNOWN",
        "评价类型",
    )?;
    let rows = cx.performance().evaluations(&cx.scope, year, kind).await?;
    Ok(Json(rows))
}

/// One evaluation with its scorecard.
#[utoipa::path(get, path = "/evaluations/{id}", tag = "performance", params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::performance::evaluations::EvaluationView), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_evaluation(
    cx: Cx,
    ApiPath(evaluation): ApiPath<i64>,
) -> ApiResult<Json<EvaluationView>> {
    let view = cx.performance().evaluation(cx.caller(), evaluation).await?;
    Ok(Json(view))
}

/// A self-evaluation as the national table (项目支出绩效自评表) in .xlsx.
#[utoipa::path(get, path = "/evaluations/{id}/table.xlsx", tag = "performance", params(("id" = i64, Path)),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn evaluation_xlsx(cx: Cx, ApiPath(evaluation): ApiPath<i64>) -> ApiResult<Response> {
    let bytes = cx
        .performance()
        .evaluation_xlsx(cx.caller(), evaluation)
        .await?;
    let ascii = format!("self-evaluation-{evaluation}.xlsx");
    Ok(xlsx(
        bytes,
        &ascii,
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
    cx: Cx,
    ApiJson(body): ApiJson<SelfDraft>,
) -> ApiResult<Created<EvaluationView>> {
    created(cx.performance().self_evaluate(cx.caller(), &body).await?)
}

/// Records finance's key evaluation of a funded project (PM-10) in the 决策/过程/产出/效益
/// framework with the profile's weights; a blacklisted agency is refused (PM-12).
#[utoipa::path(post, path = "/evaluations/key", tag = "performance", request_body = KeyDraft,
    responses((status = 201, body = lingji_app::performance::evaluations::EvaluationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn key_evaluate(
    cx: Cx,
    ApiJson(body): ApiJson<KeyDraft>,
) -> ApiResult<Created<EvaluationView>> {
    created(cx.performance().key_evaluate(&cx.scope, &body).await?)
}

/// Every evaluated project of a year with its grade, the profile's proposed cut for next year
/// and finance's confirmation; what this year's budget took off for last year's results
/// (PM-13, CS-5b, QJ-5b). Finance and audit.
#[utoipa::path(get, path = "/performance/results", tag = "performance", params(YearQuery),
    responses((status = 200, body = lingji_app::performance::results::Results), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_results(cx: Cx, Year(year): Year) -> ApiResult<Json<Results>> {
    Ok(Json(cx.performance().results(&cx.scope, year).await?))
}

/// Confirms a project's result (PM-13): the proposal, or another cut or retirement with a
/// reason. The next year's allocation run reads it. Once per project (409).
#[utoipa::path(post, path = "/performance/results", tag = "performance", params(YearQuery),
    request_body = ApplyDraft,
    responses((status = 200, body = lingji_app::performance::results::ResultRow), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn apply_result(
    cx: Cx,
    Year(year): Year,
    ApiJson(body): ApiJson<ApplyDraft>,
) -> ApiResult<Json<ResultRow>> {
    let row = cx
        .performance()
        .apply_result(&cx.scope, year, &body)
        .await?;
    Ok(Json(row))
}

/// Everything published for a year, withdrawn items included (finance, audit).
#[utoipa::path(get, path = "/publications", tag = "performance", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::disclosure::PublicItem>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_publications(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<PublicItem>>> {
    Ok(Json(cx.disclosure().publications(&cx.scope, year).await?))
}

/// Publishes a copy (PM-5, QJ-5c): project_targets (source: project id), self_evaluation or
/// key_evaluation (source: evaluation id), special_fund (source: the fund's code).
#[utoipa::path(post, path = "/publications", tag = "performance", request_body = PublishDraft,
    responses((status = 201, body = lingji_app::disclosure::PublicItem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn publish(cx: Cx, ApiJson(body): ApiJson<PublishDraft>) -> ApiResult<Created<PublicItem>> {
    created(cx.disclosure().publish(&cx.scope, &body).await?)
}

/// Withdraws a published item: it is no longer public.
#[utoipa::path(post, path = "/publications/{id}/withdraw", tag = "performance", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn withdraw(cx: Cx, ApiPath(item): ApiPath<i64>) -> ApiResult<StatusCode> {
    cx.disclosure().withdraw(&cx.scope, item).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Department and policy targets of a year (PM-2, PM-7): a department its own, finance and
/// audit all.
#[utoipa::path(get, path = "/performance/targets", tag = "performance", params(YearQuery),
    responses((status = 200, body = Vec<lingji_app::performance::targets::TargetView>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list_targets(cx: Cx, Year(year): Year) -> ApiResult<Json<Vec<TargetView>>> {
    Ok(Json(cx.performance().targets(&cx.scope, year).await?))
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
    cx: Cx,
    Year(year): Year,
    ApiJson(body): ApiJson<TargetDraft>,
) -> ApiResult<Json<TargetView>> {
    let target = cx.performance().put_target(&cx.scope, year, &body).await?;
    Ok(Json(target))
}

/// One department's or policy's targets.
#[utoipa::path(get, path = "/performance/targets/{id}", tag = "performance", params(("id" = i64, Path)),
    responses((status = 200, body = lingji_app::performance::targets::TargetView), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_target(cx: Cx, ApiPath(target): ApiPath<i64>) -> ApiResult<Json<TargetView>> {
    Ok(Json(cx.performance().target(cx.caller(), target).await?))
}

/// Retires an evaluated policy's special fund from the registry for its results (PM-13); its
/// projects then fail the fund's gate (ZB-12). 409 when already retired.
#[utoipa::path(post, path = "/performance/results/policies", tag = "performance", params(YearQuery),
    request_body = RetireDraft,
    responses((status = 200, body = lingji_app::performance::results::PolicyResult), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn retire_policy(
    cx: Cx,
    Year(year): Year,
    ApiJson(body): ApiJson<RetireDraft>,
) -> ApiResult<Json<PolicyResult>> {
    let result = cx
        .performance()
        .retire_policy(&cx.scope, year, &body)
        .await?;
    Ok(Json(result))
}
