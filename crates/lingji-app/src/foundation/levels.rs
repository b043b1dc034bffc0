//! Levels of jurisdiction (issue 21): a province, its cities and counties in one deployment.
//! Placing a jurisdiction under its upper, and the tree an upper finance bureau reads.

use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::codes::RegionCode;
use lingji_domain::foundation::levels::{self as rule, JurisdictionLevel, JurisdictionNode};
use lingji_domain::foundation::org::OrgPath;
use lingji_store::foundation::levels::{self, JurisdictionRow};
use lingji_store::foundation::orgs;
use sqlx::AnyConnection;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::foundation::profiles::{YearSource, open_year};
use lingji_domain::foundation::authz::Role;
use lingji_domain::foundation::codes::FiscalYear;

/// A jurisdiction an administrator adds directly below their own, with its first
/// administrator: the upper bureau hands the new one its login, and the new bureau sets up
/// its organisations, users and lists itself.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewLowerJurisdiction {
    /// Its 区划 code (six digits of the national standard), within the upper's area.
    pub region_code: String,
    pub name: String,
    /// Its first administrator's login.
    pub admin_username: String,
    /// The name shown for that administrator (defaults to the login).
    #[serde(default)]
    pub admin_display_name: Option<String>,
    /// That administrator's initial password, to be changed at the first sign-in.
    pub admin_password: String,
}

fn node(row: JurisdictionRow) -> AppResult<JurisdictionNode> {
    let region = RegionCode::parse(&row.code)?;
    Ok(JurisdictionNode {
        id: row.id,
        level: JurisdictionLevel::of(&region),
        region: row.code,
        name: row.name,
        upper: row.upper_id,
    })
}

/// The jurisdictions below `jurisdiction`, read when a user of an upper finance bureau signs in
/// (`Actor::below`).
pub(crate) async fn below(conn: &mut AnyConnection, jurisdiction: i64) -> AppResult<Vec<i64>> {
    Ok(levels::below(conn, jurisdiction).await?)
}

/// Places the jurisdiction `lower` under the jurisdiction with 区划 code `upper`, inside the
/// caller's transaction: one level or two higher, its area containing the lower code
/// (`levels::check_upper`). The system (CLI) or the upper jurisdiction's administrator does it;
/// it is audited in the upper jurisdiction.
pub(crate) async fn place(
    tx: &mut AnyConnection,
    caller: &Caller,
    lower: i64,
    upper: &str,
) -> AppResult<JurisdictionNode> {
    let upper_code = RegionCode::parse(upper).map_err(|r| r.field("parent"))?;
    let all = levels::all(tx).await?;
    let up = all
        .iter()
        .find(|j| j.code == upper_code.as_str())
        .ok_or_else(|| {
            AppError::Refused(
                Refusal::new(
                    "UPPER_JURISDICTION_UNKNOWN",
                    format!("上级区划 {upper} 不存在"),
                )
                .field("parent"),
            )
        })?
        .clone();
    caller.authorize(
        Resource::OrganisationTree,
        Access::Write,
        &OrgPath::of_jurisdiction(up.id),
    )?;
    let low = all
        .iter()
        .find(|j| j.id == lower)
        .ok_or_else(|| AppError::not_found("区划"))?
        .clone();
    rule::check_upper(&RegionCode::parse(&low.code)?, &upper_code)?;
    levels::set_upper(tx, lower, up.id).await?;
    lingji_store::foundation::audit::append(
        tx,
        caller
            .event(up.id, "jurisdiction.place", "organisation", lower)
            .before_json(&serde_json::json!({ "upper_id": low.upper_id }))
            .after_json(&serde_json::json!({ "upper_id": up.id, "upper": up.code })),
    )
    .await?;
    node(JurisdictionRow {
        upper_id: Some(up.id),
        ..low
    })
}

impl crate::FoundationUseCases<'_> {
    /// Places the jurisdiction `lower` under the jurisdiction with 区划 code `upper` (see
    /// [`place`]).
    #[tracing::instrument(skip_all)]
    pub async fn place_under(
        &self,
        caller: &Caller,
        lower: i64,
        upper: &str,
    ) -> AppResult<JurisdictionNode> {
        let mut tx = self.store.begin().await?;
        let placed = place(&mut tx, caller, lower, upper).await?;
        tx.commit().await?;
        Ok(placed)
    }

    /// Adds a jurisdiction directly below the scope's (its administrator), in one transaction:
    /// placed under it (one level or two below, inside its area), its current year opened on
    /// the upper's profile of that year (it then keeps its own), and its first administrator.
    /// Every field's refusal is reported at once, before anything is written.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn add_lower_jurisdiction(
        &self,
        scope: &Scope,
        new: &NewLowerJurisdiction,
    ) -> AppResult<JurisdictionNode> {
        scope.authorize_jurisdiction(Resource::OrganisationTree, Access::Write)?;
        let name = new.name.trim();
        let username = new.admin_username.trim();
        let mut errors = Vec::new();
        let region = RegionCode::parse(&new.region_code)
            .map_err(|r| errors.push(r.field("region_code")))
            .ok();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(
                Refusal::new("NAME_INVALID", "请填写区划名称（不超过 50 个字）").field("name"),
            );
        } else if let Err(r) = lingji_domain::text::check_name(name, "name") {
            errors.push(r);
        }
        if let Err(r) = crate::foundation::users::check_username(username) {
            errors.push(r.field("admin_username"));
        } else if let Err(r) =
            crate::foundation::auth::check_new_password(username, &new.admin_password)
        {
            errors.push(r.field("admin_password"));
        }
        let Some(region) = region.filter(|_| errors.is_empty()) else {
            return Err(AppError::Invalid {
                summary: Refusal::new(
                    "LOWER_JURISDICTION_INVALID",
                    "新增下级区划有误，请按提示修改",
                ),
                errors,
            });
        };
        let hash = crate::foundation::auth::hash_password(&new.admin_password).await?;
        let mut tx = self.store.begin().await?;
        let upper = orgs::get(&mut tx, scope.jurisdiction)
            .await?
            .ok_or_else(|| AppError::not_found("区划"))?;
        let created = crate::foundation::orgs::insert_jurisdiction(
            &mut tx,
            &scope.caller,
            &region,
            name,
            &[],
            Some(&upper.code),
        )
        .await
        // The form names the code; the upper is the caller's own jurisdiction.
        .map_err(|e| match e {
            AppError::Refused(r) if r.field.as_deref() == Some("parent") => {
                AppError::Refused(r.field("region_code"))
            }
            other => other,
        })?;
        let current = orgs::fiscal_years(&mut tx, scope.jurisdiction)
            .await?
            .into_iter()
            .find(|y| y.current);
        if let Some(y) = current {
            open_year(
                &mut tx,
                &scope.caller,
                created.id,
                FiscalYear::new(y.year)?,
                YearSource::FromUpper(scope.jurisdiction),
                true,
            )
            .await?;
        }
        crate::foundation::users::insert_user(
            &mut tx,
            &scope.caller,
            username,
            new.admin_display_name.as_deref(),
            Role::Administrator,
            &created,
            &hash,
        )
        .await
        .map_err(|e| match e {
            AppError::Conflict(r) => AppError::Conflict(r.field("admin_username")),
            other => other,
        })?;
        tx.commit().await?;
        Ok(JurisdictionNode {
            id: created.id,
            level: JurisdictionLevel::of(&region),
            region: region.as_str().to_string(),
            name: created.name,
            upper: Some(scope.jurisdiction),
        })
    }

    /// The scope's jurisdiction and every one below it, in 区划 code order (a province, then
    /// each city followed by its counties); what an upper finance bureau reads.
    #[tracing::instrument(skip_all)]
    pub async fn jurisdiction_tree(&self, scope: &Scope) -> AppResult<Vec<JurisdictionNode>> {
        scope.authorize_jurisdiction(Resource::OrganisationTree, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let below = levels::below(&mut conn, scope.jurisdiction).await?;
        levels::all(&mut conn)
            .await?
            .into_iter()
            .filter(|j| j.id == scope.jurisdiction || below.contains(&j.id))
            .map(node)
            .collect()
    }

    /// The caller working in the jurisdiction below theirs with 区划 code `region`, for reading
    /// it (drill-down). A code that is not below the caller's own jurisdiction is "not found",
    /// so that codes reveal nothing; the caller's own code gives their own scope.
    #[tracing::instrument(skip_all)]
    pub async fn scope_below(&self, scope: &Scope, region: &str) -> AppResult<Scope> {
        let mut conn = self.store.read().acquire().await?;
        let found = orgs::jurisdictions(&mut conn)
            .await?
            .into_iter()
            .find(|j| j.code == region.trim())
            .ok_or_else(|| AppError::not_found("区划"))?;
        if found.id == scope.jurisdiction {
            return Ok(scope.clone());
        }
        let reaches = match &scope.caller {
            Caller::System => true,
            Caller::User(actor) => actor.below.contains(&found.id),
        };
        if !reaches {
            return Err(AppError::not_found("区划"));
        }
        Ok(Scope::new(&scope.caller, found.id))
    }
}
