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
