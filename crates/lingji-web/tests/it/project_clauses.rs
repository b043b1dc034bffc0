//! The project library's remaining clauses, each by name, on SQLite and PostgreSQL: what a
//! unit or finance officer sees when a rule refuses.

use crate::common::TestApp;
use crate::common::projects::{complete, create, meeting_standard, move_to};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

macro_rules! app {
    ($backend:expr) => {
        match TestApp::demo($backend).await {
            Some(app) => app,
            None => return,
        }
    };
}

fn codes(problems: &Value) -> Vec<(String, String)> {
    problems
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap_or_default().to_string(),
                x["clause"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn check(t: &TestApp, s: &crate::common::Session, p: &Value) -> Vec<(String, String)> {
    codes(
        &t.get(&format!("/api/v1/projects/{}/check", p["id"]), Some(s))
            .await
            .json(),
    )
}

async fn zb_2a_every_project_carries_one_of_the_five_matter_classes(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    for class in [
        "risk",
        "public_service",
        "industry_support",
        "gov_investment",
        "city_operation",
        "it",
        "misc",
    ] {
        let mut body = complete(meeting);
        body["name"] = json!(format!("事项分类{class}"));
        body["matter_class"] = json!(class);
        assert_eq!(create(&t, &op, body).await["matter_class"], class);
    }
    let mut body = complete(meeting);
    body["matter_class"] = json!("招商引资");
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(&op), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = &r.json()["errors"][0];
    assert_eq!(
        (
            e["code"].as_str(),
            e["field"].as_str(),
            e["clause"].as_str()
        ),
        (
            Some("MATTER_CLASS_UNKNOWN"),
            Some("matter_class"),
            Some("ZB-2a")
        )
    );
    // Without a class a project may wait in the reserve but not be submitted.
    let mut body = complete(meeting);
    body["matter_class"] = Value::Null;
    let p = create(&t, &op, body).await;
    assert!(
        check(&t, &op, &p)
            .await
            .contains(&("PROJECT_ELEMENT_MISSING".to_string(), "ZB-15a".to_string()))
    );
}

async fn zb_2b_money_is_detailed_to_a_unit_and_a_project(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let finance = t.login("caizheng").await;
    let mut body = complete(meeting);
    body["unit_id"] = json!(t.org_id("101").await);
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(&finance), Some(body))
        .await;
    assert_eq!(
        (r.status, r.code(), r.json()["clause"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "PROJECT_OWNER_NOT_UNIT".into(),
            Some("ZB-2b")
        ),
        "a department-level lump sum is not a project"
    );
}

async fn qj_2a_only_admitted_library_projects_are_funded(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let p = create(&t, &op, complete(meeting)).await;
    let r = move_to(&t, &op, &p, "submitted", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let finance = t.login("caizheng").await;
    let r = move_to(&t, &finance, &r.json(), "funded", "").await;
    assert_eq!(
        (r.status, r.code(), r.json()["clause"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "PROJECT_NOT_IN_LIBRARY".into(),
            Some("QJ-2a")
        )
    );
}

async fn qj_3c_a_pilot_runs_no_longer_than_the_pilot_limit(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let limit: i32 = t.get("/api/v1/policy/2026", Some(&op)).await.json()["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "library.pilot_max_period_years")
        .expect("the pilot limit is a policy parameter")["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut body = complete(meeting);
    body["pilot"] = json!(true);
    body["end_year"] = json!(2026 + limit);
    body["total_need"] = json!("1000000");
    let p = create(&t, &op, body).await;
    assert!(
        check(&t, &op, &p)
            .await
            .contains(&("PILOT_PERIOD_TOO_LONG".to_string(), "QJ-3c".to_string())),
        "a pilot of {} years",
        limit + 1
    );
}

async fn pm_7_specific_purpose_targets_are_quantified(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut body = complete(meeting);
    body["indicators"] = json!([
        {"category": "quality", "name": "培训质量", "comparator": "qualitative", "target_value": "良好"},
        {"category": "quantity", "name": "培训人次", "comparator": "ge", "target_value": "很多", "unit": ""}
    ]);
    let p = create(&t, &op, body).await;
    let got = check(&t, &op, &p).await;
    for want in [
        "TARGETS_NOT_QUANTIFIED",
        "INDICATOR_VALUE_NOT_NUMBER",
        "INDICATOR_UNIT_MISSING",
    ] {
        assert!(
            got.contains(&(want.to_string(), "PM-7".to_string())),
            "{want} in {got:?}"
        );
    }
}

async fn cs_4_a_multi_year_project_rolls_into_next_year_with_its_plan(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut first = complete(meeting);
    first["year"] = json!(2025);
    first["start_year"] = json!(2025);
    first["end_year"] = json!(2026);
    first["total_need"] = json!("400000");
    first["year_plan"] =
        json!([{"year": 2025, "amount": "221700"}, {"year": 2026, "amount": "178300"}]);
    let old = create(&t, &op, first).await;
    // Next year's form starts from the plan: the period, the total and each year's need.
    let mut draft = t
        .get(&format!("/api/v1/projects/{}/copy", old["id"]), Some(&op))
        .await
        .json();
    assert_eq!(draft["total_need"], "400000.00");
    assert_eq!(draft["year_plan"][1]["amount"], "178300.00");
    // The 2026 request is justified again; it must be the plan's 2026 need (QJ-2b).
    draft["previous_id"] = old["id"].clone();
    draft["cost_lines"][0]["quantity"] = json!("240");
    draft["cost_lines"][1]["quantity"] = json!("1000");
    draft["cost_lines"][1]["unit_amount"] = json!("70");
    let p = create(&t, &op, draft.clone()).await;
    assert_eq!(p["request"], "185200.00");
    let got = check(&t, &op, &p).await;
    assert!(
        got.contains(&("YEAR_PLAN_NOT_REQUEST".to_string(), "QJ-2b".to_string())),
        "{got:?}"
    );
    draft["name"] = json!("全市教育工作会议及教师培训（续）");
    draft["cost_lines"][1]["unit_amount"] = json!("63.10");
    let p = create(&t, &op, draft).await;
    assert_eq!(p["request"], "178300.00");
    assert_eq!(check(&t, &op, &p).await, []);
}

async fn zx_std_the_demo_catalogue_has_wage_public_expense_and_livelihood_standards(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let list = t.get("/api/v1/standards", Some(&op)).await.json();
    let of = |category: &str| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|s| s["category"] == category)
            .cloned()
            .collect()
    };
    assert_eq!(of("wage").len(), 9, "9 wage standards");
    let public = of("public_expense");
    assert!(public.len() >= 8, "8 public-expense standards");
    let classes: std::collections::BTreeSet<String> = public
        .iter()
        .map(|s| {
            s["code"]
                .as_str()
                .unwrap()
                .split('-')
                .nth(1)
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(classes.len() >= 3, "in 3 classes of units: {classes:?}");
    assert!(of("livelihood").len() >= 73, "73 livelihood standards");
}

backend_tests!(
    zb_2a_every_project_carries_one_of_the_five_matter_classes,
    zb_2b_money_is_detailed_to_a_unit_and_a_project,
    qj_2a_only_admitted_library_projects_are_funded,
    qj_3c_a_pilot_runs_no_longer_than_the_pilot_limit,
    pm_7_specific_purpose_targets_are_quantified,
    cs_4_a_multi_year_project_rolls_into_next_year_with_its_plan,
    zx_std_the_demo_catalogue_has_wage_public_expense_and_livelihood_standards,
);
