//! One guard for every text that arrives: the query string, the path, JSON bodies and form
//! bodies are refused with 422 when they carry a control character (NUL, escape, DEL, C1; tab
//! and line breaks are text). Checked once here, before sign-in, identity or any handler, so the
//! answer is the same on SQLite (which would store NUL) and PostgreSQL (which refuses it) and a
//! NUL in the sign-in form is a refusal, not a server error. Uploads (multipart) carry files;
//! their few text fields are checked by the use cases that read them.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lingji_domain::Refusal;
use lingji_domain::text::{control_refusal, first_control, is_control};
use serde_json::Value;

use crate::problem::problem_response;

/// Refuses a request whose query, path or JSON or form body holds a control character.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let api = parts.uri.path().starts_with("/api/");
    if let Some(refusal) = in_query(parts.uri.query()).or_else(|| in_path(parts.uri.path())) {
        return refuse(api, refusal);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let json = content_type.starts_with("application/json") || content_type.contains("+json");
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    if !json && !form {
        return next.run(Request::from_parts(parts, body)).await;
    }
    // Bounded by the body limit layer outside this one.
    let bytes = match to_bytes(body, crate::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return refuse_status(
                api,
                StatusCode::PAYLOAD_TOO_LARGE,
                Refusal::new("BODY_TOO_LARGE", "请求内容过大或未能完整接收"),
            );
        }
    };
    let found = if json {
        in_json(&bytes)
    } else {
        in_form(&bytes)
    };
    if let Some(refusal) = found {
        return refuse(api, refusal);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refuse(api: bool, refusal: Refusal) -> Response {
    refuse_status(api, StatusCode::UNPROCESSABLE_ENTITY, refusal)
}

fn refuse_status(api: bool, status: StatusCode, refusal: Refusal) -> Response {
    if api {
        return problem_response(status, &refusal, Vec::new());
    }
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}。请返回上一页修改后重试。", refusal.message),
    )
        .into_response()
}

fn in_pairs(bytes: &[u8], what: &str) -> Option<Refusal> {
    url::form_urlencoded::parse(bytes).find_map(|(key, value)| {
        let field = if first_control(&key).is_some() {
            what
        } else {
            &key
        };
        first_control(&key)
            .or_else(|| first_control(&value))
            .map(|c| control_refusal(c, field))
    })
}

fn in_query(query: Option<&str>) -> Option<Refusal> {
    in_pairs(query?.as_bytes(), "查询参数")
}

fn in_form(bytes: &[u8]) -> Option<Refusal> {
    in_pairs(bytes, "表单")
}

/// A path segment like `/lists/%00` decodes to NUL before a handler sees it.
fn in_path(path: &str) -> Option<Refusal> {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                decoded.push((hex(h)? * 16 + hex(l)?) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    first_control(&String::from_utf8_lossy(&decoded)).map(|c| control_refusal(c, "网址"))
}

/// A control character in JSON text: raw (JSON allows DEL and C1 raw inside strings) or
/// escaped (`\u0000`, `\b`, `\f`). A byte-level look on every request; the JSON is parsed only
/// when one is found, to name its field.
fn in_json(bytes: &[u8]) -> Option<Refusal> {
    // Not UTF-8: not JSON either, and the JSON extractor refuses it.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut chars = text.chars();
    let mut found = None;
    while let Some(c) = chars.next() {
        let control = match c {
            '\\' => match chars.next() {
                Some('b') => Some('\u{8}'),
                Some('f') => Some('\u{c}'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .filter(|c| is_control(*c))
                }
                _ => None,
            },
            c if is_control(c) => Some(c),
            _ => None,
        };
        if control.is_some() {
            found = control;
            break;
        }
    }
    let c = found?;
    let field = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| field_of(&v, String::new()))
        .unwrap_or_else(|| "请求内容".to_string());
    Some(control_refusal(c, &field))
}

/// The path of the first string (or key) holding a control character: `cost_lines[0].item`.
fn field_of(value: &Value, at: String) -> Option<String> {
    match value {
        Value::String(s) => first_control(s).map(|_| at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| field_of(v, format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if first_control(k).is_some() {
                Some(at.clone())
            } else {
                field_of(v, here)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_and_raw_control_characters_are_found_with_their_field() {
        let r = in_json(br#"{"username":"a\u0000b","password":"x"}"#).unwrap();
        assert_eq!(r.code, "TEXT_CONTROL_CHAR");
        assert_eq!(r.field.as_deref(), Some("username"));
        let r = in_json(r#"{"cost_lines":[{"item":"ok"},{"item":"a"}]}"#.replace("\"a\"", "\"a\u{85}\"").as_bytes()).unwrap();
        assert_eq!(r.field.as_deref(), Some("cost_lines[1].item"));
        assert!(in_json(br#"{"opinion":"line\nnext\ttab"}"#).is_none());
        assert!(
            in_json(br#"{"q":"back\\u0000slash"}"#).is_none(),
            "an escaped backslash"
        );
        assert!(
            in_json(b"{\n  \"a\": 1\r\n}").is_none(),
            "whitespace between tokens"
        );
        assert_eq!(
            in_json(br#"{"a":"\b"}"#).unwrap().field.as_deref(),
            Some("a")
        );
    }

    #[test]
    fn query_form_and_path_are_decoded_before_they_are_checked() {
        assert_eq!(
            in_query(Some("year=2026&q=a%00b"))
                .unwrap()
                .field
                .as_deref(),
            Some("q")
        );
        assert!(in_query(Some("q=%E6%95%99%E8%82%B2&year=2026")).is_none());
        assert!(in_form(b"name=%1B%5B31m&_csrf=x").is_some());
        assert!(in_form(b"opinion=a%0D%0Ab").is_none());
        assert!(in_path("/lists/%00").is_some());
        assert!(in_path("/projects/12/review").is_none());
    }
}
