//! `/api/v1`: every route registered through `OpenApiRouter` + `routes!`, so the OpenAPI
//! document cannot drift from the code.

pub mod adjustments;
pub mod allocation;
pub mod attachments;
pub mod audit;
mod auth;
pub mod codes;
pub mod lists;
mod orgs;
pub mod payments;
pub mod performance;
pub mod plans;
pub mod policy;
pub mod project_files;
pub mod projects;
pub mod public;
pub mod review;
pub mod supervision;
mod users;
pub mod year_end;

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use lingji_app::AppError;
use lingji_domain::Refusal;

use crate::problem::{ApiError, bad_request};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lingji 零基 API",
        description = "零基预算与全过程预算绩效管理平台的 JSON 接口。金额以字符串表示的元（如 \"1234.56\"）传递；错误以 RFC 9457 problem+json 返回，含稳定的 code、出错字段 field 与政策条款 clause。浏览器会话调用修改类接口须带 X-CSRF-Token 头；脚本使用 `lingji user token` 签发的 Bearer 令牌。",
        version = "1"
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "登录与会话"),
        (name = "organisations", description = "组织机构与编制人数"),
        (name = "users", description = "用户与角色"),
        (name = "policy", description = "政策参数"),
        (name = "codes", description = "政府收支分类科目"),
        (name = "audit", description = "审计日志"),
        (name = "projects", description = "项目库、测算明细、绩效目标与支出标准"),
        (name = "allocation", description = "可用财力、零基测算、情景比较、控制数下达与预算批复"),
        (name = "payments", description = "支付申请、用款计划、预算调整、年终结转、监控规则、预警处理与暂缓拨款"),
        (name = "performance", description = "绩效运行监控、单位自评、重点评价、结果应用与信息公开"),
        (name = "public", description = "向社会公开的绩效信息（无需登录）"),
    )
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::identity::SESSION_COOKIE,
            ))),
        );
    }
}

/// The API routes with their OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(
        "/api/v1",
        OpenApiRouter::new()
            .merge(auth::router())
            .merge(orgs::router())
            .merge(users::router())
            .merge(policy::router())
            .merge(codes::router())
            .merge(audit::router())
            .merge(projects::router())
            .merge(project_files::router())
            .merge(attachments::router())
            .merge(review::router())
            .merge(lists::router())
            .merge(allocation::router())
            .merge(payments::router())
            .merge(plans::router())
            .merge(adjustments::router())
            .merge(year_end::router())
            .merge(supervision::router())
            .merge(performance::router())
            .merge(public::router()),
    )
}

/// A `status` query parameter read by the state's own parser; empty means all, anything else
/// unknown is a 422 naming the field (`code`, e.g. PAYMENT_STATUS_UNKNOWN; `what`, e.g. 支付).
pub(crate) fn state_param<T>(
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    code: &'static str,
    what: &str,
) -> crate::problem::ApiResult<Option<T>> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            parse(s).ok_or_else(|| {
                AppError::from(Refusal::new(code, format!("未知的{what}状态：{s}")).field("status"))
                    .into()
            })
        })
        .transpose()
}

/// The media type of .xlsx files.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download: `ascii` names it for old clients, `name` (UTF-8, e.g. 项目库.xlsx) for the
/// rest.
pub fn download(
    bytes: Vec<u8>,
    content_type: &str,
    ascii: &str,
    name: &str,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded = url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A JSON body whose rejection is a problem+json in Chinese rather than axum's plain text.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

/// Money is parsed while the body is read; its refusal comes back inside the reader's English
/// text (`…target type: amount: MONEY_MALFORMED: 金额… at line 1 column 15`). That text is
/// taken apart so the client gets the refusal itself with its field, and other shape errors a
/// Chinese message naming the field rather than the reader's English.
fn data_error(text: &str) -> Refusal {
    let detail = text
        .split_once("target type: ")
        .map_or(text, |(_, rest)| rest);
    let detail = detail
        .rsplit_once(" at line ")
        .map_or(detail, |(head, _)| head);
    const VALUE_CODES: [&str; 3] = ["MONEY_MALFORMED", "MONEY_TOO_PRECISE", "MONEY_OUT_OF_RANGE"];
    for code in VALUE_CODES {
        if let Some((path, message)) = detail.split_once(&format!(": {code}: ")) {
            return Refusal::new(code, message).field(path);
        }
    }
    let (path, what) = detail.split_once(": ").unwrap_or(("", detail));
    let field = match what.split('`').nth(1) {
        Some(missing) if what.starts_with("missing field") => {
            if path.is_empty() {
                missing.to_string()
            } else {
                format!("{path}.{missing}")
            }
        }
        _ if path.is_empty() => "请求内容".to_string(),
        _ => path.to_string(),
    };
    let message = if what.starts_with("missing field") {
        format!("缺少字段“{field}”")
    } else if what.starts_with("unknown variant") {
        format!("字段“{field}”的取值不在允许的范围内")
    } else {
        format!("字段“{field}”缺失或类型不符")
    };
    Refusal::new("JSON_FIELDS_INVALID", message).field(field)
}

fn json_rejection(e: JsonRejection) -> ApiError {
    match e {
        JsonRejection::MissingJsonContentType(_) => {
            bad_request("CONTENT_TYPE_NOT_JSON", "请求须为 application/json")
        }
        JsonRejection::JsonSyntaxError(_) => {
            bad_request("JSON_MALFORMED", "请求内容不是有效的 JSON")
        }
        JsonRejection::JsonDataError(d) => ApiError(AppError::Refused(data_error(&d.body_text()))),
        other => bad_request(
            "JSON_INVALID",
            format!("无法读取请求内容：{}", other.body_text()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::data_error;

    #[test]
    fn shape_errors_name_their_field_in_chinese_and_money_keeps_its_refusal() {
        let r = data_error(
            "Failed to deserialize the JSON body into the target type: amount: MONEY_MALFORMED: 金额“1,5”格式不正确 at line 1 column 15",
        );
        assert_eq!(
            (r.code, r.field.as_deref()),
            ("MONEY_MALFORMED", Some("amount"))
        );
        assert_eq!(r.message, "金额“1,5”格式不正确");
        let r = data_error(
            "Failed to deserialize the JSON body into the target type: missing field `name` at line 1 column 2",
        );
        assert_eq!(
            (r.code, r.field.as_deref()),
            ("JSON_FIELDS_INVALID", Some("name"))
        );
        assert_eq!(r.message, "缺少字段“name”");
        let r = data_error(
            "Failed to deserialize the JSON body into the target type: cost_lines[0].quantity: invalid type: integer `3`, expected a string at line 1 column 40",
        );
        assert_eq!(r.field.as_deref(), Some("cost_lines[0].quantity"));
        assert!(!r.message.contains("invalid"), "{}", r.message);
    }
}
