//! Penetrating supervision (ZX-2) on SQLite and PostgreSQL: projects at or above the threshold
//! are flagged, and finance and audit follow one through its whole trace on one page.

use crate::common::TestApp;
use crate::common::lines::line;
use crate::common::projects::{complete, create, meeting_standard};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

async fn zx_2_projects_at_the_threshold_are_flagged_and_traced_end_to_end(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let standard = meeting_standard(&t).await;
    let big = create(&t, &unit, complete(standard)).await;
    let small = create(&t, &unit, complete(standard)).await;
    // 500,000 元 is the threshold: one project's lines reach it, the other's do not.
    let big_line = line(&t, "101001", "302", 500_000, big["id"].as_i64()).await;
    line(&t, "101001", "302", 499_999, small["id"].as_i64()).await;
    let pay = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({ "payee_name": "示范市会务服务有限公司", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "8000.00", "economic_code": "30215", "line_id": big_line,
                "purpose": "会议场租", "date": "2026-03-10", "contract_no": "HT-2026-3", "idempotency_key": "trace-0001" })),
        )
        .await;
    assert_eq!(pay.status, StatusCode::CREATED, "{}", pay.text);

    let auditor = t.login("shenji").await;
    let list = t.get("/api/v1/supervision", Some(&auditor)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let list = list.json();
    assert_eq!(list["threshold"], "500000.00");
    let ids: Vec<&Value> = list["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert!(ids.contains(&&big["id"]), "{list}");
    assert!(!ids.contains(&&small["id"]), "{list}");

    let trace = t
        .get(
            &format!("/api/v1/supervision/{}", big["id"]),
            Some(&auditor),
        )
        .await
        .json();
    assert_eq!(trace["flagged"], true);
    assert_eq!(trace["lines"][0]["id"], big_line);
    assert_eq!(trace["payments"][0]["id"], pay.json()["id"]);
    assert!(!trace["history"].as_array().unwrap().is_empty(), "{trace}");
    let other = t
        .get(
            &format!("/api/v1/supervision/{}", small["id"]),
            Some(&auditor),
        )
        .await
        .json();
    assert_eq!(other["flagged"], false);
    // Units and departments do not see the supervision; an unknown project is a 404.
    for who in ["danwei", "zhuguan"] {
        let s = t.login(who).await;
        assert_eq!(
            t.get("/api/v1/supervision", Some(&s)).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        t.get("/api/v1/supervision/999999", Some(&auditor))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = t
        .get(&format!("/supervision/{}", big["id"]), Some(&auditor))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("data-testid=\"flagged\""),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("示范市会务服务有限公司"),
        "the payment is on the trace"
    );
    let listing = t.get("/supervision", Some(&auditor)).await;
    assert!(
        listing
            .text
            .contains(&format!("/supervision/{}", big["id"]))
    );
}

backend_tests!(zx_2_projects_at_the_threshold_are_flagged_and_traced_end_to_end,);
