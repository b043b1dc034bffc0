//! `/api/v1/users`: accounts (administrators; auditors read).

use axum::Json;
use axum::http::StatusCode;
use lingji_app::foundation::users::{NewUser, UserUpdate};
use lingji_app::store::foundation::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, Created, Cx, created};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(reset_password))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = lingji_app::schema::Role)]
    pub role: String,
    /// Role in Chinese.
    pub role_label: String,
    pub org_id: i64,
    pub org_name: String,
    pub active: bool,
    /// Row version: send it back when changing the account.
    pub version: i64,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        UserDto {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.as_str().to_string(),
            role_label: u.role.label().to_string(),
            org_id: u.org_id,
            org_name: u.org_name,
            active: u.active,
            version: u.version,
        }
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserDto {
    /// 2–32 lowercase letters, digits, `.`, `_`, `-`.
    pub username: String,
    pub display_name: Option<String>,
    /// unit_operator, department_reviewer, finance_officer, joint_reviewer, auditor,
    /// administrator.
    #[schema(value_type = lingji_app::schema::Role)]
    pub role: String,
    /// Organisation id or code.
    pub org: String,
    pub password: String,
}

/// Accounts of the caller's jurisdiction.
#[utoipa::path(get, path = "/users", tag = "users",
    responses((status = 200, body = Vec<UserDto>), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list(cx: Cx) -> ApiResult<Json<Vec<UserDto>>> {
    let users = cx.accounts().list_users(&cx.scope).await?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
}

/// Create an account.
#[utoipa::path(post, path = "/users", tag = "users",
    request_body = NewUserDto,
    responses((status = 201, body = UserDto), (status = 403, body = Problem), (status = 409, description = "用户名已存在", body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn create(cx: Cx, ApiJson(body): ApiJson<NewUserDto>) -> ApiResult<Created<UserDto>> {
    let user = cx
        .accounts()
        .add_user(
            cx.caller(),
            NewUser {
                username: body.username,
                display_name: body.display_name,
                role: body.role,
                org: body.org,
                password: body.password,
            },
        )
        .await?;
    created(user.into())
}

#[utoipa::path(get, path = "/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn get_one(cx: Cx, ApiPath(user): ApiPath<i64>) -> ApiResult<Json<UserDto>> {
    Ok(Json(cx.accounts().user(cx.caller(), user).await?.into()))
}

/// Changes to an account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserUpdateDto {
    pub display_name: String,
    #[schema(value_type = lingji_app::schema::Role)]
    pub role: String,
    /// Organisation id or code.
    pub org: String,
    /// Enabled; disabling ends the account's sessions.
    pub active: bool,
    /// Version read before editing.
    pub version: i64,
}

/// Change an account.
#[utoipa::path(put, path = "/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    request_body = UserUpdateDto,
    responses((status = 200, body = UserDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn update(
    cx: Cx,
    ApiPath(user): ApiPath<i64>,
    ApiJson(body): ApiJson<UserUpdateDto>,
) -> ApiResult<Json<UserDto>> {
    let updated = cx
        .accounts()
        .update_user(
            cx.caller(),
            user,
            UserUpdate {
                display_name: body.display_name,
                role: body.role,
                org: body.org,
                active: body.active,
                version: body.version,
            },
        )
        .await?;
    Ok(Json(updated.into()))
}

/// A new password set by an administrator.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordReset {
    /// The new password.
    pub password: String,
}

/// Set an account's password; its sessions end.
#[utoipa::path(post, path = "/users/{id}/password", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    request_body = PasswordReset,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn reset_password(
    cx: Cx,
    ApiPath(user): ApiPath<i64>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    cx.accounts()
        .reset_password(cx.caller(), user, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
