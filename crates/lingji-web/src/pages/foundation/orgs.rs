//! `/orgs`: the organisations the user may see; a unit's record and staffing form; new
//! departments and units for administrators.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::AppError;
use lingji_app::foundation::orgs::{CreateOrganisation, OrganisationUpdate};
use lingji_app::store::foundation::orgs::Organisation;
use lingji_domain::foundation::authz::{Access, Resource, may};
use lingji_domain::foundation::org::{OrgKind, Staffing, UnitKind};
use serde::Deserialize;

use crate::AppState;
use crate::identity::Identity;
use crate::pages::{
    FieldErrors, Layout, Page, answer, error_page, flash_from, forbidden, forbidden_or_missing,
    options, render,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list).post(create))
        .route("/orgs/{id}", get(detail))
        .route("/orgs/{id}/staffing", post(save_staffing))
        .route("/orgs/{id}/details", post(save_details))
        .route("/orgs/{id}/own-funds", post(save_own_funds))
}

/// Form values kept as typed so a refused form comes back as the user left it.
#[derive(Deserialize, Default, Clone)]
struct StaffingForm {
    authorized_posts: String,
    actual_staff: String,
    retired_staff: String,
    contract_staff: String,
    contract_quota: String,
    version: i64,
    /// Not a staffing number: the own-funds form's value, kept here so a refused amount
    /// comes back as typed in the same page state.
    #[serde(skip)]
    own_funds: String,
}

impl StaffingForm {
    fn from_org(o: &Organisation) -> Self {
        let s = o.staffing;
        StaffingForm {
            authorized_posts: s.authorized_posts.to_string(),
            actual_staff: s.actual_staff.to_string(),
            retired_staff: s.retired_staff.to_string(),
            contract_staff: s.contract_staff.to_string(),
            contract_quota: s.contract_quota.to_string(),
            version: o.version,
            own_funds: o.own_funds.to_plain(),
        }
    }

    /// The numbers, or the first field that is not a whole number.
    fn parse(&self) -> Result<Staffing, AppError> {
        let n = |field: &str, label: &str, v: &str| -> Result<i64, AppError> {
            v.trim().parse::<i64>().map_err(|_| {
                AppError::Refused(
                    lingji_domain::Refusal::new("NUMBER_MALFORMED", format!("{label}应为整数"))
                        .field(field),
                )
            })
        };
        Ok(Staffing {
            authorized_posts: n("authorized_posts", "编制数", &self.authorized_posts)?,
            actual_staff: n("actual_staff", "实有在职人数", &self.actual_staff)?,
            retired_staff: n("retired_staff", "离退休人数", &self.retired_staff)?,
            contract_staff: n("contract_staff", "编外人员数", &self.contract_staff)?,
            contract_quota: n("contract_quota", "编外人员核定限额", &self.contract_quota)?,
        })
    }
}

const STAFFING_FIELDS: [&str; 5] = [
    "authorized_posts",
    "actual_staff",
    "retired_staff",
    "contract_staff",
    "contract_quota",
];

struct Row {
    id: i64,
    code: String,
    name: String,
    kind: &'static str,
    indent: bool,
    unit_kind: &'static str,
    actual_staff: i64,
    authorized_posts: i64,
    review_body: &'static str,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    rows: Vec<Row>,
    departments: Vec<(i64, String, String)>,
    jurisdiction_id: i64,
    can_create: bool,
    unit_kinds: Vec<(&'static str, &'static str)>,
    review_bodies: Vec<(&'static str, &'static str)>,
    form: CreateForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "org.html")]
struct DetailPage<'a> {
    layout: &'a Layout,
    org: &'a Organisation,
    kind_label: &'static str,
    unit_kind_label: &'static str,
    can_edit: bool,
    can_rename: bool,
    form: StaffingForm,
    errors: FieldErrors,
    unit_kinds: Vec<(&'static str, &'static str)>,
    review_bodies: Vec<(&'static str, &'static str)>,
    basic: Option<lingji_app::library::standards::BasicExpenditure>,
}

impl DetailPage<'_> {
    /// The option of the unit's kind is selected.
    fn unit_kind_is(&self, kind: &str) -> bool {
        self.org.unit_kind.is_some_and(|k| k.as_str() == kind)
    }

    /// The option of the department's joint-review body is selected.
    fn review_body_is(&self, body: &str) -> bool {
        self.org.review_body.as_deref() == Some(body)
    }
}

fn can_create(id: &Identity) -> bool {
    may(id.actor.role, Resource::OrganisationTree, Access::Write)
}

async fn list_page(
    state: &AppState,
    id: &Identity,
    path: &str,
    flash: Option<String>,
    form: CreateForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let orgs = match state.app.foundation().list_organisations(&id.scope()).await {
        Ok(o) => o,
        Err(e) => return error_page(id, path, &e),
    };
    let rows = orgs
        .iter()
        .map(|o| Row {
            id: o.id,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.label(),
            indent: o.kind == OrgKind::Unit,
            unit_kind: o.unit_kind.map(|k| k.label()).unwrap_or(""),
            actual_staff: o.staffing.actual_staff,
            authorized_posts: o.staffing.authorized_posts,
            review_body: o
                .review_body
                .as_deref()
                .map(lingji_app::review::bodies::label)
                .unwrap_or(""),
        })
        .collect();
    let departments = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Department)
        .map(|o| (o.id, o.code.clone(), o.name.clone()))
        .collect();
    let layout = Layout::new(id, "组织机构", path).with_flash(flash);
    render(
        status,
        &ListPage {
            layout: &layout,
            rows,
            departments,
            jurisdiction_id: id.actor.org.jurisdiction,
            can_create: can_create(id),
            unit_kinds: options::<UnitKind>(),
            review_bodies: lingji_app::review::bodies::options(),
            form,
            errors,
        },
    )
}

async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list_page(
        &state,
        &id,
        uri.path(),
        flash_from(&q),
        CreateForm::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
struct CreateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit_kind: String,
    #[serde(default)]
    review_body: String,
}

async fn create(Page { state, id, uri }: Page, Form(form): Form<CreateForm>) -> Response {
    let parent_id = form.parent_id.trim().parse::<i64>().unwrap_or(0);
    let req = CreateOrganisation {
        kind: form.kind.clone(),
        parent_id,
        code: form.code.clone(),
        name: form.name.clone(),
        unit_kind: Some(form.unit_kind.clone()).filter(|k| !k.is_empty()),
        review_body: Some(form.review_body.clone()).filter(|k| !k.is_empty()),
        staffing: Staffing::default(),
    };
    let done = state
        .app
        .foundation()
        .create_organisation(&id.caller(), req)
        .await
        .map(|created| format!("/orgs/{}?msg=created", created.id));
    answer(&id, uri.path(), forbidden, done, async |e| {
        let fields = [
            "kind",
            "parent_id",
            "code",
            "name",
            "unit_kind",
            "review_body",
        ];
        let errors = FieldErrors::from_error(&e, &fields);
        let status = crate::problem::status_of(&e);
        list_page(&state, &id, uri.path(), None, form, errors, status).await
    })
    .await
}

/// A unit's basic expenditure for the current year, when it has one to show.
async fn basic_of(
    state: &AppState,
    id: &Identity,
    org: &Organisation,
) -> Option<lingji_app::library::standards::BasicExpenditure> {
    if org.kind != OrgKind::Unit {
        return None;
    }
    let year = state
        .app
        .foundation()
        .current_year(org.path.jurisdiction)
        .await
        .ok()?;
    let year = lingji_domain::foundation::codes::FiscalYear::new(year).ok()?;
    state
        .app
        .catalogues()
        .basic_expenditure(&id.caller(), org.id, year)
        .await
        .ok()
}

/// The staffing form as shown: values and the errors beside them.
struct StaffingState {
    form: StaffingForm,
    errors: FieldErrors,
}

fn detail_page(
    id: &Identity,
    path: &str,
    org: &Organisation,
    flash: Option<String>,
    staffing: StaffingState,
    basic: Option<lingji_app::library::standards::BasicExpenditure>,
    status: StatusCode,
) -> Response {
    let StaffingState { form, errors } = staffing;
    let can_edit = org.kind == OrgKind::Unit
        && id
            .actor
            .authorize(Resource::Organisation, Access::Write, &org.path)
            .is_ok();
    let layout = Layout::new(id, org.name.clone(), path).with_flash(flash);
    render(
        status,
        &DetailPage {
            layout: &layout,
            org,
            kind_label: org.kind.label(),
            unit_kind_label: org.unit_kind.map(|k| k.label()).unwrap_or("—"),
            can_edit,
            can_rename: can_create(id),
            form,
            errors,
            unit_kinds: options::<UnitKind>(),
            review_bodies: lingji_app::review::bodies::options(),
            basic,
        },
    )
}

async fn detail(
    Page { state, id, uri }: Page,
    Path(org_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match state
        .app
        .foundation()
        .organisation(&id.caller(), org_id)
        .await
    {
        Ok(org) => {
            let basic = basic_of(&state, &id, &org).await;
            let staffing = StaffingState {
                form: StaffingForm::from_org(&org),
                errors: FieldErrors::default(),
            };
            detail_page(
                &id,
                uri.path(),
                &org,
                flash_from(&q),
                staffing,
                basic,
                StatusCode::OK,
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

/// The answer to a unit form: back to the page after a save, an error page when the caller
/// may not, or the page again with the refusal beside the fields (`fields`) and the form as
/// `keep` leaves it.
async fn answer_unit(
    state: &AppState,
    id: &Identity,
    path: &str,
    org_id: i64,
    result: Result<(), AppError>,
    fields: &[&str],
    keep: impl FnOnce(&mut StaffingForm),
) -> Response {
    let done = result.map(|()| format!("/orgs/{org_id}?msg=saved"));
    answer(id, path, forbidden_or_missing, done, async |e| {
        let org = match state
            .app
            .foundation()
            .organisation(&id.caller(), org_id)
            .await
        {
            Ok(org) => org,
            Err(e2) => return error_page(id, path, &e2),
        };
        let mut form = StaffingForm::from_org(&org);
        keep(&mut form);
        let errors = FieldErrors::from_error(&e, fields);
        let basic = basic_of(state, id, &org).await;
        let status = crate::problem::status_of(&e);
        let staffing = StaffingState { form, errors };
        detail_page(id, path, &org, None, staffing, basic, status)
    })
    .await
}

async fn save_staffing(
    Page { state, id, uri }: Page,
    Path(org_id): Path<i64>,
    Form(form): Form<StaffingForm>,
) -> Response {
    let result = match form.parse() {
        Ok(staffing) => state
            .app
            .foundation()
            .update_staffing(&id.caller(), org_id, staffing, form.version)
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    let keep = |f: &mut StaffingForm| *f = form;
    answer_unit(
        &state,
        &id,
        uri.path(),
        org_id,
        result,
        &STAFFING_FIELDS,
        keep,
    )
    .await
}

#[derive(Deserialize)]
struct DetailsForm {
    name: String,
    #[serde(default)]
    unit_kind: String,
    #[serde(default)]
    review_body: String,
    version: i64,
}

async fn save_details(
    Page { state, id, uri }: Page,
    Path(org_id): Path<i64>,
    Form(form): Form<DetailsForm>,
) -> Response {
    let upd = OrganisationUpdate {
        name: form.name,
        unit_kind: Some(form.unit_kind),
        review_body: Some(form.review_body),
        version: form.version,
    };
    let result = state
        .app
        .foundation()
        .update_organisation(&id.caller(), org_id, upd)
        .await
        .map(drop);
    answer_unit(&state, &id, uri.path(), org_id, result, &[], |_| {}).await
}

#[derive(Deserialize)]
struct OwnFundsForm {
    own_funds: String,
    version: i64,
}

/// Records the unit's own funds (ZB-11); a refused amount comes back beside the field.
async fn save_own_funds(
    Page { state, id, uri }: Page,
    Path(org_id): Path<i64>,
    Form(form): Form<OwnFundsForm>,
) -> Response {
    let result = state
        .app
        .review()
        .set_own_funds(&id.caller(), org_id, &form.own_funds, form.version)
        .await
        .map(drop);
    let keep = |f: &mut StaffingForm| f.own_funds = form.own_funds;
    answer_unit(
        &state,
        &id,
        uri.path(),
        org_id,
        result,
        &["own_funds"],
        keep,
    )
    .await
}
