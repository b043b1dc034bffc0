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

/// The demo joint reviewer of a body (ZB-5e).
pub fn joint_reviewer(body: &str) -> &'static str {
    match body {
        "organisation_department" => "zuzhi",
        "data_bureau" => "shuju",
        "development_reform" => "fagai",
        other => panic!("no demo reviewer for {other}"),
    }
}

/// Takes one review step and returns the review record.
pub async fn review(t: &TestApp, s: &Session, id: &Value, body: Value) -> Reply {
    t.call(
        Method::POST,
        &format!("/api/v1/projects/{id}/review"),
        Some(s),
        Some(body),
    )
    .await
}

/// The review record of a project.
pub async fn review_record(t: &TestApp, s: &Session, id: &Value) -> Value {
    t.get(&format!("/api/v1/projects/{id}/review"), Some(s))
        .await
        .json()
}

/// A panel opinion agreeing on all four points (ZB-5b) and recommending `amount`.
pub fn panel_agrees(amount: &str) -> Value {
    let point = |c: &str| json!({"agreed": true, "comment": c});
    json!({
        "necessity": point("确有必要"),
        "basis": point("依据充分"),
        "progress_match": point("与进度匹配"),
        "benefit": point("效益明确"),
        "recommended": amount
    })
}

/// Walks a submitted project through the department, finance (reviewed = `reviewed`), every
/// routed joint body and the panel, and returns the project as finance sees it.
pub async fn review_through(t: &TestApp, p: &Value, reviewed: &str) -> Value {
    let id = &p["id"];
    let dept = t.login("zhuguan").await;
    let v = review_record(t, &dept, id).await["version"].clone();
    let r = review(
        t,
        &dept,
        id,
        json!({"decision": "pass", "rank": 1, "opinion": "同意", "expected_version": v}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fin = t.login("caizheng").await;
    let v = r.json()["version"].clone();
    let r = review(t, &fin, id, json!({"decision": "pass", "reviewed": reviewed, "opinion": "审核通过", "expected_version": v})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut rec = r.json();
    for route in rec["routes"].as_array().unwrap().clone() {
        let s = t
            .login(joint_reviewer(route["body"].as_str().unwrap()))
            .await;
        let v = review_record(t, &s, id).await["version"].clone();
        let r = review(
            t,
            &s,
            id,
            json!({"decision": "agree", "opinion": "同意", "expected_version": v}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        rec = r.json();
    }
    assert_eq!(rec["stage"], "panel", "{rec}");
    let r = review(t, &fin, id, json!({"decision": "admit", "panel": panel_agrees(reviewed), "expected_version": rec["version"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    t.get(&format!("/api/v1/projects/{id}"), Some(&fin))
        .await
        .json()
}

/// A project submitted by the demo unit and admitted at `reviewed`.
pub async fn admitted(t: &TestApp, name: &str, tier: &str, reviewed: &str, extra: Value) -> Value {
    let op = t.login("danwei").await;
    let mut body = complete(meeting_standard(t).await);
    body["name"] = json!(name);
    body["tier"] = json!(tier);
    if let Value::Object(m) = extra {
        for (k, v) in m {
            body[k] = v;
        }
    }
    let p = create(t, &op, body).await;
    let r = move_to(t, &op, &p, "submitted", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = review_through(t, &r.json(), reviewed).await;
    assert_eq!(p["state"], "admitted", "{p}");
    p
}

/// A `complete()` project of the demo unit in `year`, funded with a line of `yuan` 元 on its
/// meeting code: its id and the line's.
pub async fn funded(t: &TestApp, op: &Session, year: i32, yuan: i64) -> (i64, i64) {
    let mut body = complete(meeting_standard(t).await);
    body["year"] = json!(year);
    let p = create(t, op, body).await;
    let id = p["id"].as_i64().unwrap();
    let mut tx = t.app.store.begin().await.unwrap();
    lingji_app::store::library::projects::set_state(
        &mut tx,
        id,
        lingji_domain::library::ProjectState::Funded,
        p["version"].as_i64().unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let line = super::lines::line_in(t, year, "101001", "30215", yuan, Some(id)).await;
    (id, line)
}
