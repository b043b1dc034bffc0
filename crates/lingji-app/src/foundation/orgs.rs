//! Organisation use cases: the directory, a unit's record and staffing, and the tree.

use crate::Scope;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::codes::RegionCode;
use lingji_domain::foundation::org::{OrgKind, OrgPath, Staffing, UnitKind};
use lingji_store::foundation::orgs::{self, NewOrganisation, Organisation};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// What a caller asks to create.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CreateOrganisation {
    /// `department` or `unit`.
    pub kind: String,
    /// Parent organisation id: the jurisdiction for a department, a department for a unit.
    pub parent_id: i64,
    /// Code, unique in the jurisdiction: 3 digits for a department, 6 for a unit.
    pub code: String,
    pub name: String,
    /// Unit kind, for units.
    pub unit_kind: Option<String>,
    /// Joint-review body, for departments that act as one.
    pub review_body: Option<String>,
    /// Staffing, for units.
    #[serde(default)]
    pub staffing: Staffing,
}

/// Ends a change to an organisation: reloads it, audits before and after, commits.
async fn finish_change(
    mut tx: lingji_store::Tx,
    caller: &Caller,
    before: &Organisation,
    action: &str,
) -> AppResult<Organisation> {
    let after = orgs::get(&mut tx, before.id)
        .await?
        .ok_or_else(|| AppError::not_found("单位"))?;
    let event = caller
        .event(before.path.jurisdiction, action, "organisation", before.id)
        .before_json(before)
        .after_json(&after);
    lingji_store::foundation::audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(after)
}

/// Changes to an organisation's record.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct OrganisationUpdate {
    pub name: String,
    /// Unit kind (units).
    pub unit_kind: Option<String>,
    /// Joint-review body (departments).
    pub review_body: Option<String>,
    /// Version read before editing.
    pub version: i64,
}

fn check_org_name(name: &str) -> AppResult<()> {
    if name.is_empty() || name.chars().count() > 100 {
        return Err(
            Refusal::new("ORG_NAME_INVALID", "名称不能为空且不超过 100 字")
                .field("name")
                .into(),
        );
    }
    lingji_domain::text::check_name(name, "name")?;
    Ok(())
}

/// A department's code has 3 digits, a unit's 6; jurisdictions are not made here.
fn check_org_code(kind: OrgKind, code: &str) -> AppResult<()> {
    let code_len = match kind {
        OrgKind::Department => 3,
        OrgKind::Unit => 6,
        OrgKind::Jurisdiction => {
            return Err(
                Refusal::new("ORG_KIND_NOT_ALLOWED", "区划请用 lingji demo 或命令行创建")
                    .field("kind")
                    .into(),
            );
        }
    };
    if code.len() != code_len || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::new(
            "ORG_CODE_MALFORMED",
            format!("{}代码应为 {code_len} 位数字", kind.label()),
        )
        .field("code")
        .into());
    }
    Ok(())
}

/// A unit's kind, which a unit must have; other organisations have none.
fn unit_kind_of(kind: OrgKind, given: Option<&str>) -> AppResult<Option<UnitKind>> {
    match (kind, given) {
        (OrgKind::Unit, Some(k)) => Ok(Some(UnitKind::parse(k)?)),
        (OrgKind::Unit, None) => Err(Refusal::new("UNIT_KIND_REQUIRED", "请选择单位类型")
            .field("unit_kind")
            .into()),
        _ => Ok(None),
    }
}

/// A department sits under its jurisdiction and a unit under its department, whose code its
/// own code starts with.
fn check_parent(kind: OrgKind, code: &str, parent: &Organisation) -> AppResult<()> {
    let expected_parent = match kind {
        OrgKind::Department => OrgKind::Jurisdiction,
        _ => OrgKind::Department,
    };
    if parent.kind != expected_parent {
        return Err(Refusal::new(
            "ORG_PARENT_WRONG_KIND",
            format!("{}的上级应为{}", kind.label(), expected_parent.label()),
        )
        .field("parent_id")
        .into());
    }
    if kind == OrgKind::Unit && !code.starts_with(&parent.code) {
        return Err(Refusal::new(
            "ORG_CODE_MALFORMED",
            format!("单位代码应以主管部门代码 {} 开头", parent.code),
        )
        .field("code")
        .into());
    }
    Ok(())
}

/// An organisation the caller may see; one they may not is "not found", so that ids of other
/// units reveal nothing.
async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<Organisation> {
    let org = orgs::get(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("单位"))?;
    caller
        .authorize(Resource::Organisation, Access::Read, &org.path)
        .map_err(|_| AppError::not_found("单位"))?;
    Ok(org)
}

impl crate::FoundationUseCases<'_> {
    /// The organisations the caller may see: the whole jurisdiction for finance, audit and
    /// administration; the own department or unit for the others.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn list_organisations(&self, scope: &Scope) -> AppResult<Vec<Organisation>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let target = OrgPath::of_jurisdiction(jurisdiction_id);
        let within = match caller.authorize(Resource::Organisation, Access::Read, &target) {
            Ok(()) => None,
            Err(_) => match caller.actor() {
                Some(a) if a.org.jurisdiction == jurisdiction_id => Some(a.org.leaf()),
                _ => {
                    return Err(AppError::Forbidden(Refusal::new(
                        "FORBIDDEN",
                        "无权查看该区划的组织机构",
                    )));
                }
            },
        };
        let mut conn = self.store.read().acquire().await?;
        Ok(orgs::list(&mut conn, jurisdiction_id, within).await?)
    }

    /// One organisation, if the caller may see it. Invisible ones are "not found" so that ids of
    /// other units reveal nothing.
    #[tracing::instrument(skip_all)]
    pub async fn organisation(&self, caller: &Caller, id: i64) -> AppResult<Organisation> {
        let mut conn = self.store.read().acquire().await?;
        visible(&mut conn, caller, id).await
    }

    /// The caller's jurisdiction: its name and code are known to everyone working in it (the
    /// organisation tree is readable jurisdiction-wide), unlike its staffing records.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn jurisdiction_of(&self, scope: &Scope) -> AppResult<Organisation> {
        let jurisdiction_id = scope.jurisdiction;
        scope.authorize_jurisdiction(Resource::OrganisationTree, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        orgs::get(&mut conn, jurisdiction_id)
            .await?
            .ok_or_else(|| AppError::not_found("区划"))
    }

    /// Replaces a unit's staffing numbers (ZB-6c quota checked), if the caller may change that
    /// unit and nobody changed it since `expected_version`.
    #[tracing::instrument(skip_all)]
    pub async fn update_staffing(
        &self,
        caller: &Caller,
        id: i64,
        staffing: Staffing,
        expected_version: i64,
    ) -> AppResult<Organisation> {
        let mut tx = self.store.begin().await?;
        let before = visible(&mut tx, caller, id).await?;
        caller.authorize(Resource::Organisation, Access::Write, &before.path)?;
        if before.kind != OrgKind::Unit {
            return Err(Refusal::new("STAFFING_UNIT_ONLY", "只有预算单位登记编制与人数").into());
        }
        staffing.validate()?;
        orgs::update_staffing(&mut tx, id, &staffing, expected_version).await?;
        finish_change(tx, caller, &before, "org.staffing_update").await
    }

    /// Creates a department or unit under `parent_id` (administrators).
    #[tracing::instrument(skip_all)]
    pub async fn create_organisation(
        &self,
        caller: &Caller,
        req: CreateOrganisation,
    ) -> AppResult<Organisation> {
        let kind = OrgKind::parse(req.kind.trim()).map_err(|r| r.field("kind"))?;
        let name = req.name.trim();
        check_org_name(name)?;
        let code = req.code.trim();
        check_org_code(kind, code)?;
        let mut tx = self.store.begin().await?;
        let parent = orgs::get(&mut tx, req.parent_id).await?.ok_or_else(|| {
            AppError::Refused(
                Refusal::new(
                    "ORG_PARENT_UNKNOWN",
                    format!("上级组织 {} 不存在", req.parent_id),
                )
                .field("parent_id"),
            )
        })?;
        caller.authorize(Resource::OrganisationTree, Access::Write, &parent.path)?;
        check_parent(kind, code, &parent)?;
        let unit_kind = unit_kind_of(kind, req.unit_kind.as_deref())?;
        if kind == OrgKind::Unit {
            req.staffing.validate()?;
        }
        let review_body = req
            .review_body
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        if let Some(body) = review_body {
            crate::review::bodies::check(body)?;
        }
        let new = NewOrganisation {
            kind,
            code: code.to_string(),
            name: name.to_string(),
            parent: Some(parent.path),
            region_code: None,
            unit_kind,
            review_body: review_body.map(str::to_string),
            staffing: if kind == OrgKind::Unit {
                req.staffing
            } else {
                Staffing::default()
            },
        };
        let id = orgs::insert(&mut tx, &new).await.map_err(|e| match e {
            lingji_store::StoreError::Conflict(_) => AppError::Conflict(
                Refusal::new("ORG_CODE_TAKEN", format!("代码 {code} 已被使用")).field("code"),
            ),
            other => other.into(),
        })?;
        let created = orgs::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("单位"))?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    parent.path.jurisdiction,
                    "org.create",
                    "organisation",
                    id.to_string(),
                )
                .after_json(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an organisation's name, unit kind and joint-review body (administrators).
    #[tracing::instrument(skip_all)]
    pub async fn update_organisation(
        &self,
        caller: &Caller,
        id: i64,
        upd: OrganisationUpdate,
    ) -> AppResult<Organisation> {
        let name = upd.name.trim();
        check_org_name(name)?;
        let mut tx = self.store.begin().await?;
        let before = visible(&mut tx, caller, id).await?;
        caller.authorize(Resource::OrganisationTree, Access::Write, &before.path)?;
        let given = upd
            .unit_kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let unit_kind = unit_kind_of(before.kind, given)?;
        let review_body = upd
            .review_body
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        if let Some(body) = review_body {
            if before.kind != OrgKind::Department {
                return Err(Refusal::new(
                    "REVIEW_BODY_DEPARTMENT_ONLY",
                    "只有主管部门可承担联审职能",
                )
                .field("review_body")
                .clause("ZB-5e")
                .into());
            }
            crate::review::bodies::check(body)?;
        }
        orgs::update_details(&mut tx, id, name, unit_kind, review_body, upd.version).await?;
        finish_change(tx, caller, &before, "org.update").await
    }

    /// Creates a jurisdiction (区划) with its fiscal years, under the jurisdiction with 区划
    /// code `upper` when one is named; used by the demo and the CLI.
    #[tracing::instrument(skip_all)]
    pub async fn create_jurisdiction(
        &self,
        caller: &Caller,
        region_code: &str,
        name: &str,
        years: &[(i32, bool)],
        upper: Option<&str>,
    ) -> AppResult<Organisation> {
        let region = RegionCode::parse(region_code).map_err(|r| r.field("region_code"))?;
        let mut tx = self.store.begin().await?;
        let created = insert_jurisdiction(&mut tx, caller, &region, name, years, upper).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The jurisdiction with this 区划 code, or the only one when no code is given (CLI).
    #[tracing::instrument(skip_all)]
    pub async fn find_jurisdiction(&self, region: Option<&str>) -> AppResult<i64> {
        let mut conn = self.store.read().acquire().await?;
        let all = orgs::jurisdictions(&mut conn).await?;
        let found: Vec<_> = all
            .iter()
            .filter(|j| region.is_none_or(|r| j.code == r))
            .collect();
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => Err(AppError::Refused(
                Refusal::new("REGION_UNKNOWN", "没有找到该区划").field("region"),
            )),
            _ => Err(AppError::Refused(
                Refusal::new("REGION_REQUIRED", "数据库中有多个区划，请用 --region 指定")
                    .field("region"),
            )),
        }
    }

    /// Fiscal years of a jurisdiction, with the current one flagged.
    #[tracing::instrument(skip_all)]
    pub async fn fiscal_years(&self, jurisdiction_id: i64) -> AppResult<Vec<orgs::FiscalYear>> {
        let mut conn = self.store.read().acquire().await?;
        Ok(orgs::fiscal_years(&mut conn, jurisdiction_id).await?)
    }

    /// The current fiscal year of a jurisdiction.
    #[tracing::instrument(skip_all)]
    pub async fn current_year(&self, jurisdiction_id: i64) -> AppResult<i32> {
        let mut conn = self.store.read().acquire().await?;
        current_year_in(&mut conn, jurisdiction_id).await
    }

    /// `year` when one is asked for, else the jurisdiction's current year (what a list or page
    /// shows when no year is named).
    pub async fn year_or_current(&self, jurisdiction_id: i64, year: Option<i32>) -> AppResult<i32> {
        match year {
            // A year named outside the years the system keeps is refused naming `year`, before
            // any use case reckons the year after or before it.
            Some(y) => Ok(lingji_domain::foundation::codes::FiscalYear::new(y)
                .map_err(|r| r.field("year"))?
                .value()),
            None => self.current_year(jurisdiction_id).await,
        }
    }
}

/// The current fiscal year of a jurisdiction, on a connection the caller holds.
pub(crate) async fn current_year_in(
    conn: &mut sqlx::AnyConnection,
    jurisdiction_id: i64,
) -> AppResult<i32> {
    orgs::fiscal_years(conn, jurisdiction_id)
        .await?
        .into_iter()
        .find(|y| y.current)
        .map(|y| y.year)
        .ok_or_else(|| {
            AppError::Refused(Refusal::new(
                "FISCAL_YEAR_MISSING",
                "该区划尚未设定当前财政年度",
            ))
        })
}

/// Inserts a jurisdiction with its fiscal years inside the caller's transaction, placed under
/// the jurisdiction with 区划 code `upper` when one is named, audited.
pub(crate) async fn insert_jurisdiction(
    tx: &mut AnyConnection,
    caller: &Caller,
    region: &RegionCode,
    name: &str,
    years: &[(i32, bool)],
    upper: Option<&str>,
) -> AppResult<Organisation> {
    let new = NewOrganisation {
        kind: OrgKind::Jurisdiction,
        code: region.as_str().to_string(),
        name: name.to_string(),
        parent: None,
        region_code: Some(region.as_str().to_string()),
        unit_kind: None,
        review_body: None,
        staffing: Staffing::default(),
    };
    let id = orgs::insert(&mut *tx, &new).await.map_err(|e| match e {
        lingji_store::StoreError::Conflict(_) => AppError::Conflict(
            Refusal::new("REGION_CODE_TAKEN", format!("区划代码 {region} 已存在"))
                .field("region_code"),
        ),
        other => other.into(),
    })?;
    for (year, current) in years {
        orgs::add_fiscal_year(&mut *tx, id, *year, *current).await?;
    }
    if let Some(upper) = upper {
        crate::foundation::levels::place(&mut *tx, caller, id, upper).await?;
    }
    let created = orgs::get(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("区划"))?;
    lingji_store::foundation::audit::append(
        &mut *tx,
        caller
            .event(id, "org.create", "organisation", id.to_string())
            .after_json(&created),
    )
    .await?;
    Ok(created)
}
