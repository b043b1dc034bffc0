//! Projects as the stories build them: the demo's meeting standard, a complete request, and
//! the API calls to create and move one.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Reply, Session, TestApp};

/// The demo catalogue's 二类会议综合定额 (500 元/人·天), as the API lists it.
pub async fn meeting_standard(t: &TestApp) -> i64 {
    let s = t.login("danwei").await;
    let list = t.get("/api/v1/standards", Some(&s)).await.json();
    let meeting = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "P-MEET-2")
        .expect("P-MEET-2 in the demo")
        .clone();
    assert_eq!(
        (
            meeting["amount"].as_str(),
            meeting["unit_of_measure"].as_str()
        ),
        (Some("500.00"), Some("元/人·天"))
    );
    meeting["id"].as_i64().unwrap()
}

pub fn complete(standard: i64) -> Value {
    json!({
        "name": "全市教育工作会议及教师培训",
        "kind": "specific_purpose",
        "matter_class": "public_service",
        "tier": "mandatory",
        "basis_title": "示范市教师队伍建设实施意见",
        "basis_number": "示政发〔2024〕8号",
        "basis_expires_on": "2028-12-31",
        "start_year": 2026, "end_year": 2026,
        "function_code": "2050803",
        "government_economic_code": "50203",
        "fund_book": "general_public",
        "responsible_person": "张经办", "responsible_phone": "0518-85550101",
        "features": {"training": true},
        "overall_goal": "全年培训教师 3000 人次，教学质量明显提升",
        "cost_lines": [
            {"item": "全市教育工作会议（二类）", "economic_code": "30215", "standard_id": standard, "quantity": "240", "unit_amount": "480"},
            {"item": "教师培训教材", "economic_code": "30216", "quantity": "3000", "unit_amount": "35.50", "basis": "三家询价取最低价"}
        ],
        "indicators": [
            {"category": "quantity", "name": "培训教师人次", "comparator": "ge", "target_value": "3000", "unit": "人次"},
            {"category": "social", "name": "教学质量", "comparator": "qualitative", "target_value": "明显提升"}
        ]
    })
}

pub async fn create(t: &TestApp, s: &Session, body: Value) -> Value {
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(s), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

pub async fn move_to(t: &TestApp, s: &Session, p: &Value, to: &str, note: &str) -> Reply {
    let body = json!({"to": to, "note": note, "version": p["version"]});
    t.call(
        Method::POST,
        &format!("/api/v1/projects/{}/transitions", p["id"]),
        Some(s),
        Some(body),
    )
    .await
}
