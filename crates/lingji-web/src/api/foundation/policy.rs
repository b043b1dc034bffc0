//! `/api/v1/policy`: the jurisdiction's policy profile with every clause cited, its versions,
//! edits by administrators, and the year's calendar.

use std::collections::BTreeMap;

use axum::Json;
use lingji_app::store::foundation::profiles::ProfileVersion;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::policy::ParamKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, Created, Cx, created};
use crate::pages::foundation::calendar::{CalendarItem, calendar};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_profile, update_profile))
        .routes(routes!(history))
        .routes(routes!(get_calendar))
        .routes(routes!(start_year))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterDto {
    /// Dotted key, e.g. `allocation.cut_fair`.
    pub key: String,
    /// Clause ids in POLICY.md.
    pub clause: String,
    pub label: String,
    pub section: String,
    #[schema(value_type = lingji_app::store::schema::ParamKind)]
    pub kind: ParamKind,
    /// Value as people read it; PUT accepts it back.
    pub value: String,
}

/// A profile version with its parameters.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    pub jurisdiction_id: i64,
    pub fiscal_year: i32,
    pub version: i64,
    /// Preset it started from.
    pub preset: String,
    /// Why this version was made.
    pub note: String,
    pub created_by: String,
    pub created_at: String,
    /// Every parameter with its clause.
    pub parameters: Vec<ParameterDto>,
}

impl From<ProfileVersion> for ProfileDto {
    fn from(v: ProfileVersion) -> Self {
        ProfileDto {
            parameters: v
                .profile
                .parameters()
                .into_iter()
                .map(|p| ParameterDto {
                    key: p.key.to_string(),
                    clause: p.clause.to_string(),
                    label: p.label.to_string(),
                    section: p.section.to_string(),
                    kind: p.kind,
                    value: p.value,
                })
                .collect(),
            jurisdiction_id: v.jurisdiction_id,
            fiscal_year: v.fiscal_year,
            version: v.version,
            preset: v.preset,
            note: v.note,
            created_by: v.created_by,
            created_at: v.created_at,
        }
    }
}

fn year(y: i32) -> ApiResult<FiscalYear> {
    Ok(FiscalYear::new(y).map_err(|r| r.field("year"))?)
}

/// The policy profile in force for a fiscal year.
#[utoipa::path(get, path = "/policy/{year}", tag = "policy",
    params(("year" = i32, Path, description = "fiscal year")),
    responses((status = 200, body = ProfileDto), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_profile(cx: Cx, ApiPath(y): ApiPath<i32>) -> ApiResult<Json<ProfileDto>> {
    let v = cx.foundation().policy_profile(&cx.scope, year(y)?).await?;
    Ok(Json(v.into()))
}

/// A change to the profile.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileUpdate {
    /// The version the change is based on (409 when a newer one exists).
    pub based_on: i64,
    /// Why: the document or meeting behind the change.
    pub note: String,
    /// Parameter key → new value, as shown in `value`.
    pub changes: BTreeMap<String, String>,
}

/// Change parameters (administrators); saves a new version when the whole profile is valid.
#[utoipa::path(put, path = "/policy/{year}", tag = "policy",
    params(("year" = i32, Path, description = "fiscal year")),
    request_body = ProfileUpdate,
    responses((status = 200, body = ProfileDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, description = "参数无效，含条款", body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn update_profile(
    cx: Cx,
    ApiPath(y): ApiPath<i32>,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<ProfileDto>> {
    let v = cx
        .foundation()
        .update_policy(
            &cx.scope,
            year(y)?,
            body.based_on,
            &body.changes,
            &body.note,
        )
        .await?;
    Ok(Json(v.into()))
}

/// A version in the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    pub version: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

/// Every version of a year's profile, newest first.
#[utoipa::path(get, path = "/policy/{year}/history", tag = "policy",
    params(("year" = i32, Path, description = "fiscal year")),
    responses((status = 200, body = Vec<VersionDto>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn history(cx: Cx, ApiPath(y): ApiPath<i32>) -> ApiResult<Json<Vec<VersionDto>>> {
    let versions = cx.foundation().policy_history(&cx.scope, year(y)?).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| VersionDto {
                version: v.version,
                note: v.note,
                created_by: v.created_by,
                created_at: v.created_at,
            })
            .collect(),
    ))
}

/// The fiscal year's calendar from the policy profile (ZB-15b, PM-9, …).
#[utoipa::path(get, path = "/calendar/{year}", tag = "policy",
    params(("year" = i32, Path, description = "fiscal year")),
    responses((status = 200, body = Vec<CalendarItem>), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_calendar(cx: Cx, ApiPath(y): ApiPath<i32>) -> ApiResult<Json<Vec<CalendarItem>>> {
    let v = cx.foundation().policy_profile(&cx.scope, year(y)?).await?;
    Ok(Json(calendar(y, &v.profile)))
}

/// A fiscal year to open.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewYear {
    /// The year, e.g. 2027.
    pub year: i32,
    /// Start from this preset: lianyungang_city, zixing, cs_city, zibo_district.
    pub preset: Option<String>,
    /// Or copy the profile of this earlier year.
    pub copy_from: Option<i32>,
    /// Make it the current year.
    #[serde(default)]
    pub make_current: bool,
}

/// Open a fiscal year with its policy profile (administrators).
#[utoipa::path(post, path = "/years", tag = "policy",
    request_body = NewYear,
    responses((status = 201, body = ProfileDto), (status = 403, body = Problem), (status = 409, description = "年度已开启", body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn start_year(cx: Cx, ApiJson(body): ApiJson<NewYear>) -> ApiResult<Created<ProfileDto>> {
    let source = year_source(body.preset.as_deref(), body.copy_from)?;
    let v = cx
        .foundation()
        .start_year(&cx.scope, year(body.year)?, source, body.make_current)
        .await?;
    created(v.into())
}

/// A preset or a year to copy, exactly one of them.
pub fn year_source(
    preset: Option<&str>,
    copy_from: Option<i32>,
) -> ApiResult<lingji_app::foundation::profiles::YearSource> {
    use lingji_app::foundation::profiles::YearSource;
    match (preset.map(str::trim).filter(|p| !p.is_empty()), copy_from) {
        (Some(p), None) => Ok(YearSource::Preset(
            lingji_domain::foundation::policy::Preset::parse(p)?,
        )),
        (None, Some(y)) => Ok(YearSource::CopyFrom(
            FiscalYear::new(y).map_err(|r| r.field("copy_from"))?,
        )),
        _ => Err(lingji_domain::Refusal::new(
            "YEAR_SOURCE_REQUIRED",
            "请选择一个政策参数预设，或选择沿用的年度（二选一）",
        )
        .field("preset")
        .into()),
    }
}
