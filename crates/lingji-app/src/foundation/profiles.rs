//! Policy profile use cases: read with every clause cited, edit (administrators), start a
//! jurisdiction's year from a preset.

use std::collections::BTreeMap;

use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::policy::{Preset, preset};
use lingji_store::foundation::profiles::{self, ProfileVersion};

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use sqlx::AnyConnection;

/// The version just written in this transaction.
async fn saved_version(
    tx: &mut sqlx::AnyConnection,
    jurisdiction_id: i64,
    year: FiscalYear,
) -> AppResult<ProfileVersion> {
    profiles::current(tx, jurisdiction_id, year.value())
        .await?
        .ok_or_else(|| AppError::Internal("profile vanished in its own transaction".into()))
}

/// Where a new fiscal year's profile comes from.
#[derive(Debug, Clone, Copy)]
pub enum YearSource {
    /// A shipped preset.
    Preset(Preset),
    /// The profile in force in an earlier year of the same jurisdiction.
    CopyFrom(FiscalYear),
    /// The profile in force in the same year in the jurisdiction above (its id): where a new
    /// county starts from its city's or province's rules, then keeps its own.
    FromUpper(i64),
}

impl crate::FoundationUseCases<'_> {
    /// Opens a fiscal year for a jurisdiction with its policy profile (administrators), in one
    /// transaction; `make_current` makes it the year everyone works in.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn start_year(
        &self,
        scope: &Scope,
        year: FiscalYear,
        source: YearSource,
        make_current: bool,
    ) -> AppResult<ProfileVersion> {
        scope.authorize_jurisdiction(Resource::PolicyProfile, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut tx = self.store.begin().await?;
        open_year(&mut tx, caller, jurisdiction_id, year, source, make_current).await?;
        let saved = saved_version(&mut tx, jurisdiction_id, year).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The profile in force for a jurisdiction and year.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn policy_profile(
        &self,
        scope: &Scope,
        year: FiscalYear,
    ) -> AppResult<ProfileVersion> {
        scope.authorize_jurisdiction(Resource::PolicyProfile, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        profiles::current(&mut conn, jurisdiction_id, year.value())
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))
    }

    /// Every version of a year's profile, newest first.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn policy_history(
        &self,
        scope: &Scope,
        year: FiscalYear,
    ) -> AppResult<Vec<ProfileVersion>> {
        scope.authorize_jurisdiction(Resource::PolicyProfile, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        Ok(profiles::history(&mut conn, jurisdiction_id, year.value()).await?)
    }

    /// Changes parameters (key → typed text) and saves a new version if the whole profile is
    /// still valid. `based_on` is the version the editor saw: a newer one means somebody else
    /// saved first.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn update_policy(
        &self,
        scope: &Scope,
        year: FiscalYear,
        based_on: i64,
        changes: &BTreeMap<String, String>,
        note: &str,
    ) -> AppResult<ProfileVersion> {
        scope.authorize_jurisdiction(Resource::PolicyProfile, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let note = note.trim();
        if note.is_empty() {
            return Err(
                Refusal::new("POLICY_NOTE_REQUIRED", "请填写调整说明（依据的文件或会议）")
                    .field("note")
                    .into(),
            );
        }
        let mut tx = self.store.begin().await?;
        let current = profiles::current(&mut tx, jurisdiction_id, year.value())
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))?;
        if current.version != based_on {
            return Err(AppError::stale());
        }
        let mut profile = current.profile.clone();
        let mut errors = Vec::new();
        for (key, value) in changes {
            if let Err(r) = profile.set_parameter(key, value) {
                errors.push(r);
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new(
                    "POLICY_PARAMETERS_INVALID",
                    format!("有 {} 个参数填写有误，未保存", errors.len()),
                ),
                errors,
            });
        }
        profile.validate()?;
        if profile == current.profile {
            return Err(Refusal::new("POLICY_UNCHANGED", "参数没有变化").into());
        }
        let version = profiles::insert_version(
            &mut tx,
            &profiles::NewVersion {
                jurisdiction_id,
                fiscal_year: year.value(),
                preset: &current.preset,
                profile: &profile,
                note,
                created_by: caller.name(),
            },
        )
        .await
        .map_err(|e| match e {
            lingji_store::StoreError::Conflict(_) => AppError::stale(),
            other => other.into(),
        })?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    jurisdiction_id,
                    "policy.update",
                    "policy_profile",
                    format!("{year}/v{version}"),
                )
                .before_json(&current.profile)
                .after_json(&profile),
        )
        .await?;
        let saved = saved_version(&mut tx, jurisdiction_id, year).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// The policy profile in force for a jurisdiction's year, or a clear "not set" refusal.
pub(crate) async fn in_force(
    conn: &mut sqlx::AnyConnection,
    jurisdiction_id: i64,
    fiscal_year: i32,
) -> AppResult<lingji_domain::foundation::policy::PolicyProfile> {
    profiles::current(conn, jurisdiction_id, fiscal_year)
        .await?
        .map(|v| v.profile)
        .ok_or_else(|| AppError::not_found(&format!("{fiscal_year} 年度政策参数")))
}

/// Opens `year` for a jurisdiction with the profile `source` gives, inside the caller's
/// transaction, audited; `make_current` makes it the year everyone works in.
pub(crate) async fn open_year(
    tx: &mut AnyConnection,
    caller: &Caller,
    jurisdiction_id: i64,
    year: FiscalYear,
    source: YearSource,
    make_current: bool,
) -> AppResult<()> {
    let (preset_id, profile, note) = match source {
        YearSource::Preset(p) => (
            p.as_str().to_string(),
            preset(p),
            format!("采用预设：{}", p.label()),
        ),
        YearSource::CopyFrom(from) => {
            let v = profiles::current(&mut *tx, jurisdiction_id, from.value())
                .await?
                .ok_or_else(|| {
                    AppError::Refused(
                        Refusal::new(
                            "POLICY_SOURCE_MISSING",
                            format!("{from} 年度没有政策参数可复制"),
                        )
                        .field("copy_from"),
                    )
                })?;
            (
                v.preset,
                v.profile,
                format!("沿用 {from} 年度第 {} 版", v.version),
            )
        }
        YearSource::FromUpper(upper) => {
            let v = profiles::current(&mut *tx, upper, year.value())
                .await?
                .ok_or_else(|| {
                    AppError::Refused(
                        Refusal::new(
                            "POLICY_SOURCE_MISSING",
                            format!("上级区划 {year} 年度没有政策参数可沿用"),
                        )
                        .field("year"),
                    )
                })?;
            (
                v.preset,
                v.profile,
                format!("沿用上级区划 {year} 年度第 {} 版", v.version),
            )
        }
    };
    profile.validate()?;
    lingji_store::foundation::orgs::add_fiscal_year(
        &mut *tx,
        jurisdiction_id,
        year.value(),
        make_current,
    )
    .await
    .map_err(|e| match e {
        lingji_store::StoreError::Conflict(_) => AppError::Conflict(
            Refusal::new("FISCAL_YEAR_EXISTS", format!("{year} 年度已开启")).field("year"),
        ),
        other => other.into(),
    })?;
    let version = profiles::insert_version(
        &mut *tx,
        &profiles::NewVersion {
            jurisdiction_id,
            fiscal_year: year.value(),
            preset: &preset_id,
            profile: &profile,
            note: &note,
            created_by: caller.name(),
        },
    )
    .await?;
    lingji_store::foundation::audit::append(&mut *tx, caller.event(jurisdiction_id, "fiscal_year.start", "fiscal_year", year.to_string()).after_json(&serde_json::json!({ "year": year.value(), "current": make_current, "profile_version": version, "note": note }))).await?;
    Ok(())
}
