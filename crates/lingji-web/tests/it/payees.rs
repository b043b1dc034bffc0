//! Known payees (`GET /api/v1/payees`, the payment form's 收款人 picker) on SQLite and
//! PostgreSQL: distinct name, type and account of the payments the caller may see, most
//! recently used first, filtered by a text in the name, bounded.

use crate::common::lines::line;
use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

async fn pay(t: &TestApp, s: &Session, line: i64, payee: (&str, &str, &str), key: &str) {
    let (name, kind, account) = payee;
    let r = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(s),
            Some(json!({
                "payee_name": name, "payee_account": account, "payee_kind": kind,
                "amount": "100.00", "economic_code": "30201", "line_id": line,
                "purpose": "办公用品", "date": "2026-03-10", "idempotency_key": format!("payee-key-{key}"),
            })),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["payee_name"].as_str().unwrap().to_string())
        .collect()
}

async fn known_payees_are_the_callers_most_recent_first_and_searchable(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let own = line(&t, "101001", "30201", 100_000, None).await;
    let other = line(&t, "102001", "30201", 100_000, None).await;
    let unit = t.login("danwei").await;
    let supplier = ("示范市办公用品有限公司", "unit", "6222021234567890");
    let printer = ("示范市印刷厂", "unit", "6222021234567891");
    pay(&t, &unit, own, supplier, "p1").await;
    pay(&t, &unit, own, printer, "p2").await;
    pay(&t, &unit, own, supplier, "p3").await;
    // Another department's unit pays its own supplier.
    let admin = t.login("admin").await;
    let r = t
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "op102", "role": "unit_operator", "org": "102001", "display_name": "二部门单位 经办", "password": "lingji-demo"})))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let elsewhere = t.login("op102").await;
    pay(
        &t,
        &elsewhere,
        other,
        ("示范市五金公司", "unit", "6222021234567899"),
        "q1",
    )
    .await;

    // The unit: its own payees once each, the latest first, with type and account.
    let mine = t.get("/api/v1/payees", Some(&unit)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    let mine = mine.json();
    assert_eq!(names(&mine), ["示范市办公用品有限公司", "示范市印刷厂"]);
    assert_eq!(
        (
            mine[0]["payee_kind"].as_str(),
            mine[0]["payee_kind_label"].as_str(),
            mine[0]["payee_account"].as_str()
        ),
        (Some("unit"), Some("单位"), Some("6222021234567890"))
    );
    // A text in the name; a `%` is text, not a wildcard.
    let found = t
        .get("/api/v1/payees?q=%E5%8D%B0%E5%88%B7", Some(&unit))
        .await
        .json();
    assert_eq!(names(&found), ["示范市印刷厂"]);
    let none = t.get("/api/v1/payees?q=%25", Some(&unit)).await.json();
    assert_eq!(names(&none).len(), 2, "a lone % searches nothing: {none}");
    // Finance sees the jurisdiction's; the department reviewer of 101 not the other's.
    let fin = t.login("caizheng").await;
    let all = t.get("/api/v1/payees", Some(&fin)).await.json();
    assert_eq!(names(&all)[0], "示范市五金公司");
    assert_eq!(names(&all).len(), 3);
    let dept = t.login("zhuguan").await;
    let theirs = t.get("/api/v1/payees", Some(&dept)).await.json();
    assert!(
        !names(&theirs).contains(&"示范市五金公司".to_string()),
        "{theirs}"
    );
    // Bounded: a search text longer than 50 characters is refused naming the field.
    let long = "长".repeat(51);
    let r = t
        .get(&format!("/api/v1/payees?q={long}"), Some(&unit))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["field"].as_str(), Some("q"));

    // The payment form offers them to pick, with the type each one sets.
    let page = t.get("/payments/new", Some(&unit)).await;
    assert!(
        page.text.contains(
            "<option value=\"示范市印刷厂\" data-payee-kind=\"unit\" data-payee-account=\"6222021234567891\">"
        ),
        "{}",
        page.text
    );
}

backend_tests!(known_payees_are_the_callers_most_recent_first_and_searchable);
