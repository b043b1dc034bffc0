//! Amount fields refuse what is not an amount beside the field, naming the field (not a
//! generic "金额"), and keep what was typed — on every form that takes one, read by the one
//! parser of `pages/inputs.rs`. Two forms of different contexts stand for them all.

use crate::common::TestApp;
use crate::common::lines::line;
use axum::http::StatusCode;
use lingji_app::store::{Backend, backend_tests};

/// The text of the field error that follows the input marked `testid`.
fn beside(page: &str, testid: &str) -> String {
    page.split(&format!("data-testid=\"{testid}\""))
        .nth(1)
        .and_then(|rest| rest.split("<span class=\"field-error\">").nth(1))
        .and_then(|rest| rest.split("</span>").next())
        .unwrap_or_default()
        .to_string()
}

async fn a_bad_amount_is_refused_beside_its_field_naming_it(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let office = line(&t, "101001", "302", 10_000, None).await;
    let equipment = line(&t, "101001", "31002", 10_000, None).await;
    let unit = t.login("danwei").await;
    // 用款计划: the letter O typed for a zero.
    let plan = t
        .form(
            "/spending-plans",
            &unit,
            &[
                ("line_id", &office.to_string()),
                ("month", "3"),
                ("amount", "12O,000"),
                ("purpose", "办公"),
            ],
            None,
        )
        .await;
    assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = beside(&plan.text, "plan-amount");
    assert!(said.starts_with("计划金额“12O,000”格式不正确"), "{said}");
    assert!(plan.text.contains("value=\"12O,000\""), "typed text kept");
    // 预算调整: an amount in words.
    let adjustment = t
        .form(
            "/adjustments",
            &unit,
            &[
                ("kind", "transfer"),
                ("from_line_id", &office.to_string()),
                ("to_line_id", &equipment.to_string()),
                ("amount", "一百元"),
                ("reason", "调整"),
            ],
            None,
        )
        .await;
    assert_eq!(adjustment.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = beside(&adjustment.text, "adjustment-amount");
    assert!(said.starts_with("调整金额“一百元”格式不正确"), "{said}");
    assert!(
        adjustment.text.contains("value=\"一百元\""),
        "typed text kept"
    );
}

backend_tests!(a_bad_amount_is_refused_beside_its_field_naming_it);
