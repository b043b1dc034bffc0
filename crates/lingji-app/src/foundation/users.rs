//! User administration.

use std::collections::BTreeMap;

use crate::Scope;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource, Role};
use lingji_domain::foundation::org::OrgKind;
use lingji_store::foundation::orgs::{self, Organisation};
use lingji_store::foundation::users::{self, User};
use lingji_store::{StoreError, foundation::sessions};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::auth::{check_new_password, hash_password};
use crate::foundation::caller::Caller;

/// A new account.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewUser {
    /// Login name: 2–32 lowercase letters, digits, `.`, `_` or `-`.
    pub username: String,
    /// Name shown in the UI; defaults to the login name.
    pub display_name: Option<String>,
    /// Role identifier or Chinese name.
    pub role: String,
    /// Organisation id, code within the caller's jurisdiction, or 区划代码/代码 (329701/101).
    pub org: String,
    pub password: String,
}

/// Changes to an account.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct UserUpdate {
    /// Name shown in the UI.
    pub display_name: String,
    pub role: String,
    /// Organisation id or code.
    pub org: String,
    pub active: bool,
    /// Version read before editing.
    pub version: i64,
}

pub(crate) fn check_username(name: &str) -> Result<(), Refusal> {
    let ok = (2..=32).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(Refusal::new(
            "USERNAME_INVALID",
            "用户名应为 2–32 位小写字母、数字或 . _ -",
        )
        .field("username"))
    }
}

/// Finds an organisation by id or by code within a jurisdiction.
async fn resolve_org(
    conn: &mut AnyConnection,
    jurisdiction_id: Option<i64>,
    org: &str,
) -> AppResult<Organisation> {
    let org = org.trim();
    let unknown = || {
        AppError::Refused(Refusal::new("ORG_UNKNOWN", format!("组织“{org}”不存在")).field("org"))
    };
    // 区划/代码 names an organisation in a deployment of several jurisdictions, where the same
    // department code exists in each (a CLI administrator, the simulation of a province).
    if let Some((region, code)) = org.split_once('/') {
        let within = orgs::find_by_code_anywhere(conn, region.trim())
            .await?
            .into_iter()
            .find(|o| o.kind == OrgKind::Jurisdiction)
            .ok_or_else(unknown)?;
        if jurisdiction_id.is_some_and(|j| j != within.id) {
            return Err(unknown());
        }
        return orgs::find_by_code(conn, within.id, code.trim())
            .await?
            .ok_or_else(unknown);
    }
    match jurisdiction_id {
        Some(j) => {
            if let Some(found) = orgs::find_by_code(conn, j, org).await? {
                return Ok(found);
            }
        }
        None => {
            let mut found = orgs::find_by_code_anywhere(conn, org).await?;
            if found.len() > 1 {
                return Err(AppError::Refused(
                    Refusal::new(
                        "ORG_AMBIGUOUS",
                        format!("代码“{org}”在多个区划中存在，请写成“区划代码/{org}”或改用组织 id"),
                    )
                    .field("org"),
                ));
            }
            if let Some(one) = found.pop() {
                return Ok(one);
            }
        }
    }
    let id: i64 = org.parse().map_err(|_| unknown())?;
    let found = orgs::get(conn, id).await?.ok_or_else(unknown)?;
    if jurisdiction_id.is_some_and(|j| j != found.path.jurisdiction) {
        return Err(unknown());
    }
    Ok(found)
}

/// A role must sit at the right level, and a joint reviewer on a department that is a
/// joint-review body (ZB-5e).
fn check_binding(role: Role, org: &Organisation) -> Result<(), Refusal> {
    if !role.binds_to().contains(&org.kind) {
        return Err(Refusal::new(
            "ROLE_ORG_MISMATCH",
            format!(
                "{}须绑定到{}",
                role.label(),
                role.binds_to()
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("或")
            ),
        )
        .field("org"));
    }
    if role == Role::JointReviewer && org.review_body.is_none() {
        return Err(Refusal::new(
            "ROLE_ORG_MISMATCH",
            format!(
                "“{}”不是联审部门，联审部门用户须绑定到组织部、数据局或发改委等联审部门",
                org.name
            ),
        )
        .field("org")
        .clause("ZB-5e"));
    }
    Ok(())
}

impl crate::AccountUseCases<'_> {
    /// The names people go by in the caller's jurisdiction, by login: what pages show for whoever
    /// acted. Any signed-in person may read the names of the colleagues whose work they see.
    #[tracing::instrument(skip_all)]
    pub async fn names(&self, scope: &Scope) -> AppResult<BTreeMap<String, String>> {
        let mut conn = self.store.read().acquire().await?;
        Ok(users::list(&mut conn, scope.jurisdiction)
            .await?
            .into_iter()
            .map(|u| (u.username, u.display_name))
            .collect())
    }

    /// Creates an account (administrators; the CLI as the system).
    #[tracing::instrument(skip_all)]
    pub async fn add_user(&self, caller: &Caller, new: NewUser) -> AppResult<User> {
        let username = new.username.trim().to_string();
        check_username(&username)?;
        let role = Role::parse(&new.role)?;
        check_new_password(&username, &new.password)?;
        let hash = hash_password(&new.password).await?;
        let mut tx = self.store.begin().await?;
        let jurisdiction = caller.actor().map(|a| a.org.jurisdiction);
        let org = resolve_org(&mut tx, jurisdiction, &new.org).await?;
        caller.authorize(Resource::User, Access::Write, &org.path)?;
        check_binding(role, &org)?;
        let user = insert_user(
            &mut tx,
            caller,
            &username,
            new.display_name.as_deref(),
            role,
            &org,
            &hash,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Accounts of a jurisdiction (administrators and auditors).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn list_users(&self, scope: &Scope) -> AppResult<Vec<User>> {
        let jurisdiction_id = scope.jurisdiction;
        scope.authorize_jurisdiction(Resource::User, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(users::list(&mut conn, jurisdiction_id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn user(&self, caller: &Caller, id: i64) -> AppResult<User> {
        let mut conn = self.store.read().acquire().await?;
        let user = users::get(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        let org = orgs::get(&mut conn, user.org_id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        caller
            .authorize(Resource::User, Access::Read, &org.path)
            .map_err(|_| AppError::not_found("用户"))?;
        Ok(user)
    }

    /// Changes an account's name, role, organisation or active flag; disabling ends its
    /// sessions.
    #[tracing::instrument(skip_all)]
    pub async fn update_user(&self, caller: &Caller, id: i64, upd: UserUpdate) -> AppResult<User> {
        let role = Role::parse(&upd.role)?;
        let display = upd.display_name.trim();
        if display.is_empty() || display.chars().count() > 50 {
            return Err(
                Refusal::new("DISPLAY_NAME_INVALID", "姓名不能为空且不超过 50 字")
                    .field("display_name")
                    .into(),
            );
        }
        let mut tx = self.store.begin().await?;
        let before = users::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        let old_org = orgs::get(&mut tx, before.org_id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        caller.authorize(Resource::User, Access::Write, &old_org.path)?;
        let org = resolve_org(&mut tx, Some(old_org.path.jurisdiction), &upd.org).await?;
        caller.authorize(Resource::User, Access::Write, &org.path)?;
        check_binding(role, &org)?;
        if caller.id() == id && !upd.active {
            return Err(Refusal::new("USER_SELF_DISABLE", "不能停用自己的账号")
                .field("active")
                .into());
        }
        users::update(
            &mut tx,
            &users::UserChange {
                id,
                display_name: display,
                role,
                org_id: org.id,
                active: upd.active,
                expected_version: upd.version,
            },
        )
        .await?;
        if !upd.active {
            sessions::delete_for_user(&mut tx, id, None).await?;
        }
        let after = users::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(org.path.jurisdiction, "user.update", "user", id.to_string())
                .before_json(&before)
                .after_json(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a new password for an account (administrators) and ends its sessions and API
    /// tokens.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(&self, caller: &Caller, id: i64, password: &str) -> AppResult<()> {
        // Authorise and check before hashing; hash before taking the writer.
        let user = self.user(caller, id).await?;
        check_new_password(&user.username, password)?;
        let hash = hash_password(password).await?;
        let mut tx = self.store.begin().await?;
        let org = orgs::get(&mut tx, user.org_id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        caller.authorize(Resource::User, Access::Write, &org.path)?;
        users::set_password(&mut tx, id, &hash).await?;
        sessions::delete_for_user(&mut tx, id, None).await?;
        let revoked = sessions::revoke_tokens_of(&mut tx, id).await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    org.path.jurisdiction,
                    "user.password_reset",
                    "user",
                    id.to_string(),
                )
                .after_json(&serde_json::json!({ "tokens_revoked": revoked })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts an account bound to `org` with a password hash inside the caller's transaction,
/// audited in the organisation's jurisdiction; the caller has been authorised for it.
pub(crate) async fn insert_user(
    tx: &mut AnyConnection,
    caller: &Caller,
    username: &str,
    display_name: Option<&str>,
    role: Role,
    org: &Organisation,
    hash: &str,
) -> AppResult<User> {
    let display = display_name
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(username)
        .to_string();
    let id = users::insert(&mut *tx, username, &display, role, org.id, hash)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict(
                Refusal::new("USERNAME_TAKEN", format!("用户名“{username}”已存在"))
                    .field("username"),
            ),
            other => other.into(),
        })?;
    let user = users::get(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("用户"))?;
    lingji_store::foundation::audit::append(
        &mut *tx,
        caller
            .event(org.path.jurisdiction, "user.create", "user", id.to_string())
            .after_json(&user),
    )
    .await?;
    Ok(user)
}
