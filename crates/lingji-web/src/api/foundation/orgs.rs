//! `/api/v1/orgs`: the organisations a caller may see, a unit's staffing, new departments and
//! units.

use axum::Json;
use lingji_app::foundation::orgs::{CreateOrganisation, OrganisationUpdate};
use lingji_app::store::foundation::orgs::Organisation;
use lingji_domain::foundation::org::Staffing;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, Created, Cx, created};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(update_staffing))
        .routes(routes!(own_funds))
        .routes(routes!(basic_expenditure))
}

/// Staffing numbers of a unit (编制与实有人数).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffingDto {
    /// 编制数.
    pub authorized_posts: i64,
    /// 实有在职人数.
    pub actual_staff: i64,
    /// 离退休人数.
    pub retired_staff: i64,
    /// 编外人员数.
    pub contract_staff: i64,
    /// 编外人员核定限额 (ZB-6c).
    pub contract_quota: i64,
}

impl From<Staffing> for StaffingDto {
    fn from(s: Staffing) -> Self {
        StaffingDto {
            authorized_posts: s.authorized_posts,
            actual_staff: s.actual_staff,
            retired_staff: s.retired_staff,
            contract_staff: s.contract_staff,
            contract_quota: s.contract_quota,
        }
    }
}

impl From<StaffingDto> for Staffing {
    fn from(s: StaffingDto) -> Self {
        Staffing {
            authorized_posts: s.authorized_posts,
            actual_staff: s.actual_staff,
            retired_staff: s.retired_staff,
            contract_staff: s.contract_staff,
            contract_quota: s.contract_quota,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: i64,
    /// `jurisdiction`, `department` or `unit`.
    #[schema(value_type = lingji_app::schema::OrgKind)]
    pub kind: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub jurisdiction_id: i64,
    /// Department id (for departments, their own).
    pub department_id: Option<i64>,
    /// Unit kind identifier.
    #[schema(value_type = Option<lingji_app::schema::UnitKind>)]
    pub unit_kind: Option<String>,
    /// Unit kind in Chinese.
    pub unit_kind_label: Option<String>,
    /// Joint-review body this department acts as.
    pub review_body: Option<String>,
    /// Staffing (units).
    pub staffing: StaffingDto,
    /// Units: own funds for the coming year, 元 (ZB-11).
    pub own_funds: String,
    /// Row version: send it back when changing staffing.
    pub version: i64,
}

impl From<Organisation> for OrganisationDto {
    fn from(o: Organisation) -> Self {
        OrganisationDto {
            id: o.id,
            kind: o.kind.as_str().to_string(),
            code: o.code,
            name: o.name,
            parent_id: o.parent_id,
            jurisdiction_id: o.path.jurisdiction,
            department_id: o.path.department,
            unit_kind: o.unit_kind.map(|k| k.as_str().to_string()),
            unit_kind_label: o.unit_kind.map(|k| k.label().to_string()),
            review_body: o.review_body,
            staffing: o.staffing.into(),
            own_funds: o.own_funds.to_plain(),
            version: o.version,
        }
    }
}

/// The organisations the caller may see: the whole jurisdiction for finance, audit and
/// administration; the own department or unit for the others.
#[utoipa::path(get, path = "/orgs", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationDto>), (status = 401, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list(cx: Cx) -> ApiResult<Json<Vec<OrganisationDto>>> {
    let orgs = cx.foundation().list_organisations(&cx.scope).await?;
    Ok(Json(orgs.into_iter().map(Into::into).collect()))
}

/// One organisation; 404 when it does not exist or lies outside the caller's scope.
#[utoipa::path(get, path = "/orgs/{id}", tag = "organisations",
    params(("id" = i64, Path, description = "organisation id")),
    responses((status = 200, body = OrganisationDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_one(cx: Cx, ApiPath(org): ApiPath<i64>) -> ApiResult<Json<OrganisationDto>> {
    Ok(Json(
        cx.foundation().organisation(cx.caller(), org).await?.into(),
    ))
}

/// New staffing numbers with the version they are based on.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffingUpdate {
    #[serde(flatten)]
    pub staffing: StaffingDto,
    /// Version read before editing; a newer one means somebody changed the unit first (409).
    pub version: i64,
}

/// Change a unit's staffing (own unit for operators, own department's units for reviewers).
#[utoipa::path(put, path = "/orgs/{id}/staffing", tag = "organisations",
    params(("id" = i64, Path, description = "unit id")),
    request_body = StaffingUpdate,
    responses(
        (status = 200, body = OrganisationDto),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "已被他人修改", body = Problem),
        (status = 422, description = "如编外人员超过核定限额（ZB-6c）", body = Problem),
    ),
    security(("session" = []), ("bearer" = [])))]
async fn update_staffing(
    cx: Cx,
    ApiPath(org): ApiPath<i64>,
    ApiJson(body): ApiJson<StaffingUpdate>,
) -> ApiResult<Json<OrganisationDto>> {
    let updated = cx
        .foundation()
        .update_staffing(cx.caller(), org, body.staffing.into(), body.version)
        .await?;
    Ok(Json(updated.into()))
}

/// A new department or unit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrganisationDto {
    /// `department` or `unit`.
    #[schema(value_type = lingji_app::schema::OrgKind)]
    pub kind: String,
    /// The jurisdiction (for a department) or department (for a unit).
    pub parent_id: i64,
    /// 3 digits for a department; 6 for a unit, starting with its department's code.
    pub code: String,
    pub name: String,
    /// Unit kind (units): administrative, civil_service_managed, public_welfare_1,
    /// public_welfare_2, business, mass_org.
    #[schema(value_type = Option<lingji_app::schema::UnitKind>)]
    pub unit_kind: Option<String>,
    /// Joint-review body (departments): organisation_department, data_bureau,
    /// development_reform.
    pub review_body: Option<String>,
    /// Staffing (units).
    pub staffing: Option<StaffingDto>,
}

/// Create a department or unit (administrators).
#[utoipa::path(post, path = "/orgs", tag = "organisations",
    request_body = NewOrganisationDto,
    responses((status = 201, body = OrganisationDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create(
    cx: Cx,
    ApiJson(body): ApiJson<NewOrganisationDto>,
) -> ApiResult<Created<OrganisationDto>> {
    let org = cx
        .foundation()
        .create_organisation(
            cx.caller(),
            CreateOrganisation {
                kind: body.kind,
                parent_id: body.parent_id,
                code: body.code,
                name: body.name,
                unit_kind: body.unit_kind,
                review_body: body.review_body,
                staffing: body.staffing.map(Into::into).unwrap_or_default(),
            },
        )
        .await?;
    created(org.into())
}

/// Changes to an organisation's record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganisationUpdateDto {
    pub name: String,
    /// Unit kind (units).
    #[schema(value_type = Option<lingji_app::schema::UnitKind>)]
    pub unit_kind: Option<String>,
    /// Joint-review body (departments): organisation_department, data_bureau,
    /// development_reform, or empty.
    pub review_body: Option<String>,
    /// Version read before editing.
    pub version: i64,
}

/// Rename an organisation or change its unit kind or joint-review body (administrators).
#[utoipa::path(put, path = "/orgs/{id}", tag = "organisations",
    params(("id" = i64, Path, description = "organisation id")),
    request_body = OrganisationUpdateDto,
    responses((status = 200, body = OrganisationDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn update(
    cx: Cx,
    ApiPath(org): ApiPath<i64>,
    ApiJson(body): ApiJson<OrganisationUpdateDto>,
) -> ApiResult<Json<OrganisationDto>> {
    let updated = cx
        .foundation()
        .update_organisation(
            cx.caller(),
            org,
            OrganisationUpdate {
                name: body.name,
                unit_kind: body.unit_kind,
                review_body: body.review_body,
                version: body.version,
            },
        )
        .await?;
    Ok(Json(updated.into()))
}

/// One line of basic expenditure.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasicLineDto {
    pub standard: String,
    pub people: i64,
    /// Per person, 元.
    pub per_person: String,
    /// Amount, 元.
    pub amount: String,
}

/// A unit's basic expenditure.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasicExpenditureDto {
    pub year: i32,
    /// In-service staff.
    pub in_service: i64,
    /// Contract staff employed.
    pub contract_actual: i64,
    /// Contract staff funded within the reduced quota (ZB-6c).
    pub contract_funded: i64,
    pub lines: Vec<BasicLineDto>,
    /// Total, 元.
    pub total: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: i32,
}

/// A unit's basic expenditure: staffing × the standards in force (ZB-14), contract staff within
/// the quota less the profile's yearly reduction (ZB-6c).
#[utoipa::path(get, path = "/orgs/{id}/basic-expenditure", tag = "organisations",
    params(("id" = i64, Path, description = "unit id"), YearQuery),
    responses((status = 200, body = BasicExpenditureDto), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn basic_expenditure(
    cx: Cx,
    ApiPath(org): ApiPath<i64>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<BasicExpenditureDto>> {
    let year =
        lingji_domain::foundation::codes::FiscalYear::new(q.year).map_err(|r| r.field("year"))?;
    let b = cx
        .catalogues()
        .basic_expenditure(cx.caller(), org, year)
        .await?;
    Ok(Json(BasicExpenditureDto {
        year: b.year,
        in_service: b.in_service,
        contract_actual: b.contract_actual,
        contract_funded: b.contract_funded,
        lines: b
            .lines
            .into_iter()
            .map(|l| BasicLineDto {
                standard: l.standard,
                people: l.people,
                per_person: l.per_person.to_plain(),
                amount: l.amount.to_plain(),
            })
            .collect(),
        total: b.total.to_plain(),
    }))
}

/// A unit's own funds for the coming year.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct OwnFunds {
    /// 元, e.g. "120000.00".
    pub amount: String,
    /// The organisation version the change is based on (ignored in the reply).
    /// Sent as `version`, the name every endpoint uses; `expected_version` is still read.
    #[serde(default)]
    #[serde(rename = "version", alias = "expected_version")]
    pub expected_version: i64,
}

/// Records a unit's own funds available for the coming year; a project asking for new money
/// that these could cover is flagged (ZB-11).
#[utoipa::path(put, path = "/orgs/{id}/own-funds", tag = "organisations",
    params(("id" = i64, Path, description = "unit id")),
    request_body = OwnFunds,
    responses((status = 200, body = OwnFunds), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn own_funds(
    cx: Cx,
    ApiPath(unit): ApiPath<i64>,
    ApiJson(body): ApiJson<OwnFunds>,
) -> ApiResult<Json<OwnFunds>> {
    let money = cx
        .review()
        .set_own_funds(cx.caller(), unit, &body.amount, body.expected_version)
        .await?;
    Ok(Json(OwnFunds {
        amount: money.to_plain(),
        expected_version: body.expected_version + 1,
    }))
}
