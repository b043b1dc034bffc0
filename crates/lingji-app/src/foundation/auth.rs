//! Sign-in, sessions, API tokens and passwords.
//!
//! Passwords are argon2id hashes. A session cookie carries 32 random bytes; the database keeps
//! only their SHA-256, so a leaked table opens no session. Failed attempts are counted in the
//! database per (username, address) and per address, so throttling holds across app servers
//! and wrong passwords from one address never stop the right one from another.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{Duration, Utc};
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Actor, Resource};
use lingji_store::foundation::sessions::{Purpose, Token};
use lingji_store::time::to_text;
use lingji_store::{foundation::orgs, foundation::sessions, foundation::users};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// A new browser session: the cookie value and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Value for the session cookie.
    pub cookie: String,
    /// Token forms and unsafe requests must echo.
    pub csrf_token: String,
    /// The signed-in user.
    pub actor: Actor,
}

/// A resolved session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// 32 random bytes as hex.
pub fn random_token() -> AppResult<String> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(hex::encode(buf))
}

/// SHA-256 of a secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Checks a new password: at least 8 characters, not only digits, not the username.
pub fn check_new_password(username: &str, password: &str) -> Result<(), Refusal> {
    let weak = |msg: &str| Refusal::new("PASSWORD_TOO_WEAK", msg.to_string()).field("password");
    if password.chars().count() < 8 {
        return Err(weak("密码至少 8 位"));
    }
    if password.chars().count() > 128 {
        return Err(weak("密码不能超过 128 位"));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(weak("密码不能全为数字"));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(weak("密码不能与用户名相同"));
    }
    Ok(())
}

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies a password against a stored hash on a blocking thread.
async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
    let password = password.to_string();
    let hash = hash.to_string();
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// A hash to verify against when the username does not exist, so that a wrong username takes
/// as long as a wrong password and reveals nothing.
async fn dummy_hash() -> AppResult<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let h = hash_password("lingji-no-such-user").await?;
    Ok(DUMMY.get_or_init(|| h))
}

/// The actor for a user: role plus the place of its organisation in the tree.
pub async fn actor_for(conn: &mut AnyConnection, user: &users::User) -> AppResult<Actor> {
    let org = orgs::get(conn, user.org_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("user {} has no organisation", user.id)))?;
    // Only an upper bureau's finance officers and auditors read below; nobody else pays the read.
    let below = if user.role.reads_below() && org.path.department.is_none() {
        crate::foundation::levels::below(conn, org.path.jurisdiction).await?
    } else {
        Vec::new()
    };
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        org: org.path,
        below,
    })
}

/// A 429 telling how long to wait, in the words a person reads.
fn throttled(code: &'static str, what: &str, secs: u64) -> AppError {
    let wait = if secs < 60 {
        format!("{secs} 秒")
    } else {
        format!("{} 分钟", secs.div_ceil(60))
    };
    AppError::Throttled {
        refusal: Refusal::new(code, format!("{what}，请 {wait}后再试")),
        retry_after: secs,
    }
}

fn bad_credentials() -> AppError {
    AppError::Unauthenticated(Refusal::new("LOGIN_FAILED", "用户名或密码错误"))
}

impl crate::AccountUseCases<'_> {
    /// Where attempts are counted: on PostgreSQL the primary, since a replica's lag would let
    /// a burst through; on SQLite a reader, which sees every commit, so that a long import
    /// holding the one writer connection does not hold up signing in.
    fn attempts_pool(&self) -> &sqlx::AnyPool {
        match self.store.backend() {
            lingji_store::Backend::Postgres => self.store.write(),
            lingji_store::Backend::Sqlite => self.store.read_pool(),
        }
    }

    /// How long `username` must wait before another attempt from `ip`, if at all: its own
    /// failures from this address back off (the wait doubles with each), and an address that
    /// fails too often for any usernames waits until its oldest failures leave the window.
    /// Failures from other addresses never count, so nobody can lock a user out from afar.
    async fn throttled(
        &self,
        conn: &mut AnyConnection,
        purpose: Purpose,
        username: &str,
        ip: &str,
    ) -> AppResult<Option<u64>> {
        let s = &self.settings;
        let now = Utc::now();
        let mut wait = Duration::zero();
        // Failures a day old are forgotten (and purged).
        let day_ago = to_text(now - Duration::days(1));
        let sessions::Failures { count, last } =
            sessions::pair_failures(conn, purpose, username, ip, &day_ago).await?;
        if count >= s.login_failures_before_backoff
            && let Some(last) = last.as_deref().and_then(lingji_store::time::parse)
        {
            let doublings = u32::try_from(count - s.login_failures_before_backoff)
                .unwrap_or(u32::MAX)
                .min(20);
            let secs = s
                .login_backoff_seconds
                .saturating_mul(1 << doublings)
                .min(s.login_backoff_max_seconds);
            wait = wait.max(last + Duration::seconds(secs) - now);
        }
        if purpose == Purpose::Login {
            let window = Duration::minutes(s.login_window_minutes);
            let since = to_text(now - window);
            let count = sessions::address_failures(conn, purpose, ip, &since).await?;
            if count >= s.login_max_failures_per_ip {
                let skip = count - s.login_max_failures_per_ip;
                if let Some(at) = sessions::address_failure_at(conn, purpose, ip, &since, skip)
                    .await?
                    .as_deref()
                    .and_then(lingji_store::time::parse)
                {
                    wait = wait.max(at + window - now);
                }
            }
        }
        if wait <= Duration::zero() {
            return Ok(None);
        }
        // Whole seconds, rounded up: a client that waits as told is let in.
        Ok(Some(
            u64::try_from((wait.num_milliseconds() + 999) / 1000).unwrap_or(1),
        ))
    }

    /// Signs a user in and opens a session. Refuses with `LOGIN_THROTTLED` (and the seconds to
    /// wait) while this username backs off at this address or the address itself is over its
    /// limit; the password is not even checked then.
    #[tracing::instrument(skip_all)]
    pub async fn login(&self, username: &str, password: &str, ip: &str) -> AppResult<NewSession> {
        let username = username.trim();
        let s = &self.settings;
        // Reads and the slow hash run without holding the (on SQLite, single) writer.
        let found = {
            let mut conn = self.attempts_pool().acquire().await?;
            if let Some(secs) = self
                .throttled(&mut conn, Purpose::Login, username, ip)
                .await?
            {
                return Err(throttled("LOGIN_THROTTLED", "登录失败次数过多", secs));
            }
            drop(conn);
            let mut conn = self.store.read().acquire().await?;
            let found = users::get_with_hash(&mut conn, username)
                .await?
                .map(|u| (u.user, u.password_hash));
            let actor = match &found {
                Some((user, _)) => Some(actor_for(&mut conn, user).await?),
                None => None,
            };
            found.zip(actor)
        };
        let ok = match &found {
            Some(((user, hash), _)) => verify_password(password, hash).await? && user.active,
            None => {
                verify_password(password, dummy_hash().await?).await?;
                false
            }
        };
        let cookie = random_token()?;
        let csrf_token = random_token()?;
        let expires = to_text(Utc::now() + Duration::minutes(s.session_ttl_minutes));
        let mut tx = self.store.begin().await?;
        sessions::record_attempt(&mut tx, Purpose::Login, username, ip, ok).await?;
        let Some(((user, _), actor)) = found.filter(|_| ok) else {
            tx.commit().await?;
            return Err(bad_credentials());
        };
        sessions::insert(
            &mut tx,
            &secret_hash(&cookie),
            user.id,
            &csrf_token,
            &expires,
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            cookie,
            csrf_token,
            actor,
        })
    }

    /// The user behind a session cookie, sliding the expiry forward. Reads on the read pool;
    /// writes (at most once a minute per session) on the primary.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, cookie: &str) -> AppResult<Option<SessionInfo>> {
        let id_hash = secret_hash(cookie);
        let (session, actor) = {
            let mut conn = self.store.read().acquire().await?;
            let Some(session) = sessions::get(&mut conn, &id_hash).await? else {
                return Ok(None);
            };
            let Some(user) = users::get(&mut conn, session.user_id)
                .await?
                .filter(|u| u.active)
            else {
                return Ok(None);
            };
            let actor = actor_for(&mut conn, &user).await?;
            (session, actor)
        };
        let new_expiry = Utc::now() + Duration::minutes(self.settings.session_ttl_minutes);
        let old_expiry = lingji_store::time::parse(&session.expires_at).unwrap_or_default();
        if new_expiry - old_expiry > Duration::minutes(1) {
            let mut conn = self.store.write().acquire().await?;
            sessions::touch(&mut conn, &id_hash, &to_text(new_expiry)).await?;
        }
        Ok(Some(SessionInfo {
            actor,
            csrf_token: session.csrf_token,
        }))
    }

    /// Removes expired sessions and login attempts older than a day; run periodically by
    /// every server (idempotent).
    #[tracing::instrument(skip_all)]
    pub async fn purge_sessions(&self) -> AppResult<u64> {
        let mut conn = self.store.write().acquire().await?;
        let day_ago = to_text(Utc::now() - Duration::days(1));
        Ok(sessions::purge(&mut conn, &day_ago).await?)
    }

    /// The user behind an API bearer token.
    #[tracing::instrument(skip_all)]
    pub async fn token_actor(&self, token: &str) -> AppResult<Option<Actor>> {
        let mut conn = self.store.read().acquire().await?;
        let mut user_id = sessions::token_user(&mut conn, &secret_hash(token)).await?;
        if user_id.is_none() && self.store.has_replica() {
            // A token just issued (`lingji user token`, on no request) may not have reached the
            // replica yet; a script using it at once is no stranger than one a minute later.
            conn = self.store.write().acquire().await?;
            user_id = sessions::token_user(&mut conn, &secret_hash(token)).await?;
        }
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        match users::get(&mut conn, user_id).await?.filter(|u| u.active) {
            Some(user) => Ok(Some(actor_for(&mut conn, &user).await?)),
            None => Ok(None),
        }
    }

    /// Ends a session.
    #[tracing::instrument(skip_all)]
    pub async fn logout(&self, cookie: &str) -> AppResult<()> {
        let mut conn = self.store.write().acquire().await?;
        sessions::delete(&mut conn, &secret_hash(cookie)).await?;
        Ok(())
    }

    /// Changes the caller's own password after checking the current one; ends the user's
    /// other sessions and every API token. Wrong current passwords back off like logins, per
    /// user and address (`PASSWORD_THROTTLED`), so a stolen session cannot guess at leisure.
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_cookie: Option<&str>,
        ip: &str,
    ) -> AppResult<()> {
        let hash = {
            let mut conn = self.attempts_pool().acquire().await?;
            if let Some(secs) = self
                .throttled(&mut conn, Purpose::PasswordChange, &actor.username, ip)
                .await?
            {
                return Err(throttled(
                    "PASSWORD_THROTTLED",
                    "当前密码输错次数过多",
                    secs,
                ));
            }
            drop(conn);
            let mut conn = self.store.read().acquire().await?;
            users::get_with_hash(&mut conn, &actor.username)
                .await?
                .ok_or_else(|| AppError::not_found("用户"))?
                .password_hash
        };
        if !verify_password(current, &hash).await? {
            let mut conn = self.store.write().acquire().await?;
            sessions::record_attempt(
                &mut conn,
                Purpose::PasswordChange,
                &actor.username,
                ip,
                false,
            )
            .await?;
            return Err(AppError::Refused(
                Refusal::new("PASSWORD_WRONG", "当前密码不正确").field("current_password"),
            ));
        }
        check_new_password(&actor.username, new)?;
        let new_hash = hash_password(new).await?;
        let mut tx = self.store.begin().await?;
        sessions::record_attempt(&mut tx, Purpose::PasswordChange, &actor.username, ip, true)
            .await?;
        users::set_password(&mut tx, actor.user_id, &new_hash).await?;
        let keep = keep_cookie.map(secret_hash);
        sessions::delete_for_user(&mut tx, actor.user_id, keep.as_deref()).await?;
        let revoked = sessions::revoke_tokens_of(&mut tx, actor.user_id).await?;
        let caller = Caller::User(actor.clone());
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    actor.org.jurisdiction,
                    "user.password_change",
                    "user",
                    actor.user_id.to_string(),
                )
                .after_json(&serde_json::json!({ "tokens_revoked": revoked })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues an API token for scripts (`lingji user token NAME`), lasting `days` (the
    /// settings' default when `None`); the token is shown once, only its hash is kept.
    #[tracing::instrument(skip_all)]
    pub async fn issue_token(
        &self,
        username: &str,
        name: &str,
        days: Option<i64>,
    ) -> AppResult<IssuedToken> {
        let days = days.unwrap_or(self.settings.token_days);
        if !(1..=3650).contains(&days) {
            return Err(AppError::Refused(
                Refusal::new("TOKEN_DAYS_INVALID", "令牌有效期应为 1–3650 天").field("days"),
            ));
        }
        let expires_at = to_text(Utc::now() + Duration::days(days));
        let mut tx = self.store.begin().await?;
        let user = users::find(&mut tx, username)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("用户“{username}”")))?;
        let token = format!("lj_{}", random_token()?);
        let id = sessions::insert_token(&mut tx, &secret_hash(&token), user.id, name, &expires_at)
            .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            Caller::System
                .event(
                    user.jurisdiction_id,
                    "token.issue",
                    "api_token",
                    id.to_string(),
                )
                .after_json(&serde_json::json!({
                    "user": user.username, "name": name, "expires_at": expires_at,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken {
            id,
            token,
            expires_at,
        })
    }

    /// The login name of a user and its tokens (revoked and expired ones too), for the user
    /// itself or an administrator of its organisation; others get "not found".
    #[tracing::instrument(skip_all)]
    pub async fn tokens(&self, caller: &Caller, user_id: i64) -> AppResult<(String, Vec<Token>)> {
        let mut conn = self.store.read().acquire().await?;
        let user = may_manage_tokens(&mut conn, caller, user_id).await?;
        Ok((
            user.username,
            sessions::tokens_of(&mut conn, user_id).await?,
        ))
    }

    /// The tokens of a user by login name (the CLI).
    #[tracing::instrument(skip_all)]
    pub async fn tokens_by_name(&self, username: &str) -> AppResult<Vec<Token>> {
        let mut conn = self.store.read().acquire().await?;
        let user = users::find(&mut conn, username)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("用户“{username}”")))?;
        Ok(sessions::tokens_of(&mut conn, user.id).await?)
    }

    /// Revokes a token: its owner or an administrator; audited in the same transaction. A
    /// token revoked already is a 409.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_token(&self, caller: &Caller, id: i64) -> AppResult<Token> {
        let mut tx = self.store.begin().await?;
        let token = sessions::token(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("令牌"))?;
        let jurisdiction = may_manage_tokens(&mut tx, caller, token.user_id)
            .await?
            .jurisdiction_id;
        if !sessions::revoke_token(&mut tx, id).await? {
            return Err(AppError::Conflict(Refusal::new(
                "TOKEN_ALREADY_REVOKED",
                "该令牌已撤销",
            )));
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction, "token.revoke", "api_token", id.to_string())
                .after_json(&serde_json::json!({ "user": token.username, "name": token.name })),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }
}

/// A token just issued: the secret, shown once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// Its id, to list and revoke it by.
    pub id: i64,
    /// `lj_…`, for `Authorization: Bearer`.
    pub token: String,
    /// Expiry, RFC 3339.
    pub expires_at: String,
}

/// A user's tokens are managed by the user itself and by administrators (write access to
/// users of its organisation); to anybody else the user does not exist.
async fn may_manage_tokens(
    conn: &mut AnyConnection,
    caller: &Caller,
    user_id: i64,
) -> AppResult<users::User> {
    let user = users::get(conn, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("用户"))?;
    if caller.actor().is_some_and(|a| a.user_id == user_id) {
        return Ok(user);
    }
    let org = orgs::get(conn, user.org_id)
        .await?
        .ok_or_else(|| AppError::not_found("用户"))?;
    caller
        .authorize(Resource::User, Access::Write, &org.path)
        .map_err(|_| AppError::not_found("用户"))?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(check_new_password("admin", "short").is_err());
        assert!(check_new_password("admin", "1234567890").is_err());
        assert!(check_new_password("administrator", "Administrator").is_err());
        assert!(check_new_password("admin", "lingji-demo").is_ok());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash_password("lingji-demo").await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("lingji-demo", &h).await.unwrap());
        assert!(!verify_password("wrong", &h).await.unwrap());
    }
}
