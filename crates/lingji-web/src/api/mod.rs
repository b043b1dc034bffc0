//! `/api/v1`: every route registered through `OpenApiRouter` + `routes!`, so the OpenAPI
//! document cannot drift from the code.

pub mod allocation;
pub mod cx;
pub use cx::{Cx, Year, YearQuery};
pub mod disclosure;
pub mod execution;
pub mod foundation;
pub mod library;
pub mod performance;
pub mod review;
pub mod todo;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use lingji_app::AppError;
use lingji_domain::Refusal;

use crate::problem::{ApiError, RequestProblem, bad_request};

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
        (name = "reports", description = "年度报告：全年主要数字，与指标账核对"),
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
            .merge(foundation::auth::router())
            .merge(todo::router())
            .merge(foundation::orgs::router())
            .merge(foundation::users::router())
            .merge(foundation::policy::router())
            .merge(foundation::codes::router())
            .merge(foundation::audit::router())
            .merge(library::projects::router())
            .merge(library::project_files::router())
            .merge(library::attachments::router())
            .merge(review::router())
            .merge(review::lists::router())
            .merge(allocation::router())
            .merge(allocation::transfers::router())
            .merge(execution::payments::router())
            .merge(execution::payees::router())
            .merge(execution::plans::router())
            .merge(execution::adjustments::router())
            .merge(execution::year_end::router())
            .merge(execution::supervision::router())
            .merge(performance::router())
            .merge(execution::annual_report::router())
            .merge(execution::province::router())
            .merge(disclosure::public::router()),
    )
}

/// The API routes and their finished OpenAPI document (see [`document_errors`]).
pub fn split() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = router().split_for_parts();
    document_errors(&mut openapi);
    keys_are_text(&mut openapi);
    (router, openapi)
}

/// A map keyed by id (organisation names by id, finance's ranks by project id) is a JSON object
/// whose keys are the ids written as text; utoipa documents the key as an integer, which no
/// JSON object key is. Every integer `propertyNames` becomes digits as text.
fn keys_are_text(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, SchemaType, Type};

    fn walk(schema: &mut Schema) {
        let parts = match schema {
            Schema::Object(o) => {
                if let Some(keys) = &o.property_names
                    && matches!(&**keys, Schema::Object(k) if k.schema_type == SchemaType::Type(Type::Integer))
                {
                    o.property_names = Some(Box::new(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some("^-?[0-9]+$"))
                            .into(),
                    ));
                }
                o.properties.values_mut().collect::<Vec<_>>()
            }
            Schema::Array(a) => match &mut a.items {
                ArrayItems::RefOrSchema(item) => vec![&mut **item],
                _ => Vec::new(),
            },
            Schema::OneOf(x) => x.items.iter_mut().collect(),
            Schema::AllOf(x) => x.items.iter_mut().collect(),
            Schema::AnyOf(x) => x.items.iter_mut().collect(),
            _ => Vec::new(),
        };
        for part in parts {
            if let RefOr::T(s) = part {
                walk(s);
            }
        }
    }
    if let Some(components) = openapi.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let RefOr::T(s) = schema {
                walk(s);
            }
        }
    }
}

/// The errors every operation can answer besides the ones it documents itself, as shared
/// responses: 400 when it reads parameters or a body (a value of the wrong shape), 401 and
/// 403 when it needs a login, 404 when its input names something (by path, query or body),
/// 413 and 415 when it reads a body, 422 when it reads any input (a value the rules refuse). Every problem is `application/problem+json`,
/// which is what the server sends.
pub fn document_errors(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    const PROBLEM: &str = "application/problem+json";
    let shared: [(&str, &str, &str); 7] = [
        (
            "400",
            "BadRequest",
            "请求格式不正确：参数或内容无法读取（code 指明原因，field 指明参数）",
        ),
        ("401", "Unauthenticated", "未登录或令牌无效"),
        ("403", "Forbidden", "无权执行此操作"),
        ("404", "NotFound", "对象不存在或不在可见范围内"),
        ("413", "BodyTooLarge", "请求内容超过允许的大小"),
        ("415", "MediaTypeUnsupported", "不支持该请求内容类型"),
        (
            "422",
            "Refused",
            "请求被拒绝：字段错误或政策不允许（含 code、field、clause）",
        ),
    ];
    let components = openapi.components.get_or_insert_with(Default::default);
    for (_, name, description) in shared {
        components.responses.insert(
            name.to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
    let problem_ref = "#/components/schemas/Problem";
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            // What an operation documented as a Problem in JSON is sent as problem+json.
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response
                    && let Some(content) = r.content.shift_remove("application/json")
                {
                    let is_problem = matches!(
                        &content,
                        RefOr::T(c) if matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location == problem_ref)
                    );
                    let key = if is_problem {
                        PROBLEM
                    } else {
                        "application/json"
                    };
                    r.content.insert(key.to_string(), content);
                }
            }
            let params = op.parameters.as_deref().unwrap_or_default();
            let param_in = |place: ParameterIn| {
                params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
            };
            let has_path = param_in(ParameterIn::Path);
            let has_query = param_in(ParameterIn::Query);
            let has_body = op.request_body.is_some();
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let reads_input = has_path || has_query || has_body;
            let wanted = [
                reads_input,
                secured,
                secured,
                reads_input,
                has_body,
                has_body,
                reads_input,
            ];
            for ((status, name, _), want) in shared.iter().zip(wanted) {
                if want && !op.responses.responses.contains_key(*status) {
                    op.responses.responses.insert(
                        status.to_string(),
                        RefOr::Ref(Ref::from_response_name(*name)),
                    );
                }
            }
        }
    }
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

/// A workbook download: `ascii` names it for old clients, `name` (e.g. 项目库.xlsx) for the rest.
pub fn xlsx(bytes: Vec<u8>, ascii: &str, name: &str) -> Response {
    download(bytes, XLSX, ascii, name)
}

/// A 201 answer with what was made.
pub type Created<T> = (StatusCode, Json<T>);

/// Answers 201 with `body`.
pub fn created<T>(body: T) -> crate::problem::ApiResult<Created<T>> {
    Ok((StatusCode::CREATED, Json(body)))
}

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
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(RequestProblem {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                refusal: lingji_domain::Refusal::new(
                    "CONTENT_TYPE_NOT_JSON",
                    "请求须为 application/json",
                ),
            }
            .into_response()),
            Err(e) => Err(json_rejection(e).into_response()),
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
    // A path is a field name or index (`cost_lines[0].item`); serde's own words have spaces.
    let (path, what) = match detail.split_once(": ") {
        Some((path, what)) if !path.contains(' ') => (path, what),
        _ => ("", detail),
    };
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

/// A body over the limit (the length was not announced, so the limit hit while reading).
pub(crate) fn too_large() -> Response {
    RequestProblem {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        refusal: lingji_domain::Refusal::new("BODY_TOO_LARGE", "请求内容超过允许的大小"),
    }
    .into_response()
}

fn json_rejection(e: JsonRejection) -> ApiError {
    match e {
        JsonRejection::JsonSyntaxError(_) => {
            bad_request("JSON_MALFORMED", "请求内容不是有效的 JSON")
        }
        JsonRejection::JsonDataError(d) => ApiError(AppError::Refused(data_error(&d.body_text()))),
        other => {
            tracing::debug!(rejection = %other.body_text(), "JSON body not read");
            bad_request("JSON_INVALID", "无法读取请求内容")
        }
    }
}

/// Query parameters whose rejection is a 400 problem+json naming the parameter
/// (`QUERY_PARAM_INVALID`, `QUERY_PARAM_MISSING`) rather than axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = RequestProblem;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        parse_query(query).map(ApiQuery)
    }
}

/// Reads a query string into `T`; a value that does not fit is refused naming its parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, RequestProblem> {
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(missing) = missing_field(&inner).filter(|_| path == "." || path.is_empty()) {
            return RequestProblem::bad(
                "QUERY_PARAM_MISSING",
                format!("缺少查询参数 {missing}"),
                Some(missing),
            );
        }
        let field = path.split('.').next().unwrap_or_default().to_string();
        let value = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| *k == field)
            .map(|(_, v)| shorten(&v))
            .unwrap_or_default();
        RequestProblem::bad(
            "QUERY_PARAM_INVALID",
            format!("查询参数 {field} 的值“{value}”格式不正确"),
            Some(field).filter(|f| !f.is_empty()),
        )
    })
}

/// The field serde says is missing (its message is "missing field `name`").
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// A value quoted back in a message, cut to a readable length.
fn shorten(v: &str) -> String {
    const MAX: usize = 40;
    let clean: String = v.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > MAX {
        format!("{}…", clean.chars().take(MAX).collect::<String>())
    } else {
        clean
    }
}

/// Path parameters whose rejection is a 400 problem+json naming the parameter
/// (`PATH_PARAM_INVALID`) rather than axum's plain text.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = RequestProblem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let (key, value) = match e.into_kind() {
                    ErrorKind::ParseErrorAtKey { key, value, .. }
                    | ErrorKind::DeserializeError { key, value, .. } => (Some(key), Some(value)),
                    ErrorKind::InvalidUtf8InPathParam { key } => (Some(key), None),
                    ErrorKind::ParseError { value, .. }
                    | ErrorKind::ParseErrorAtIndex { value, .. } => {
                        // One parameter without a key: name it from the route's parameters.
                        let key = RawPathParams::from_request_parts(parts, state)
                            .await
                            .ok()
                            .and_then(|raw| {
                                raw.iter()
                                    .find(|(_, v)| *v == value)
                                    .map(|(k, _)| k.to_string())
                            });
                        (key, Some(value))
                    }
                    _ => (None, None),
                };
                let value = value.as_deref().map(shorten).unwrap_or_default();
                let message = match &key {
                    Some(k) => format!("路径参数 {k} 的值“{value}”格式不正确"),
                    None => "路径参数格式不正确".to_string(),
                };
                Err(RequestProblem::bad("PATH_PARAM_INVALID", message, key))
            }
            Err(_) => Err(RequestProblem::bad(
                "PATH_PARAM_INVALID",
                "路径参数格式不正确",
                None,
            )),
        }
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
        // Without a path (a flattened or whole-body error) no English becomes the field.
        let r = data_error(
            "Failed to deserialize the JSON body into the target type: invalid type: string \"yes\", expected a boolean at line 1 column 30",
        );
        assert_eq!(r.field.as_deref(), Some("请求内容"));
        assert!(!r.message.contains("invalid"), "{}", r.message);
    }
}
