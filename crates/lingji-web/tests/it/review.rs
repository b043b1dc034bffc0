//! Review and argument (issue 4) on SQLite and PostgreSQL: the review a project faces is
//! decided by rule and shown before anyone reviews it.

use crate::common::TestApp;
use crate::common::projects::{complete, create, meeting_standard};
use lingji_app::store::{Backend, backend_tests};
use serde_json::json;

macro_rules! app {
    ($backend:expr) => {
        match TestApp::demo($backend).await {
            Some(app) => app,
            None => return,
        }
    };
}

async fn zb_5a_the_project_says_which_review_it_faces_and_why(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    // A three-guarantees project priced entirely by standards: simplified.
    let mut body = complete(meeting);
    body["tier"] = json!("three_guarantees");
    body["matter_class"] = json!("city_operation");
    body["features"] = json!({});
    body["cost_lines"] = json!([{"item": "全市教育工作会议（二类）", "economic_code": "30215", "standard_id": meeting, "quantity": "240", "unit_amount": "480"}]);
    let simple = create(&t, &op, body.clone()).await;
    let plan = t
        .get(
            &format!("/api/v1/projects/{}/review-plan", simple["id"]),
            Some(&op),
        )
        .await
        .json();
    assert_eq!(plan["mode"], "simplified", "{plan}");
    assert!(plan["reasons"][0].as_str().unwrap().contains("ZB-5a"));
    // The same line of spending last year spent half of what it got: focused.
    let mut last = body.clone();
    last["year"] = json!(2025);
    last["start_year"] = json!(2025);
    last["end_year"] = json!(2025);
    let old = create(&t, &op, last).await;
    {
        let mut conn = t.app.store.write().acquire().await.unwrap();
        lingji_app::store::library::projects::set_outcome(
            &mut conn,
            old["id"].as_i64().unwrap(),
            lingji_domain::Money::from_yuan(200_000),
            lingji_domain::Money::from_yuan(100_000),
            Some(2025),
        )
        .await
        .unwrap();
    }
    body["name"] = json!("全市教育工作会议（续）");
    body["previous_id"] = old["id"].clone();
    let continued = create(&t, &op, body).await;
    let plan = t
        .get(
            &format!("/api/v1/projects/{}/review-plan", continued["id"]),
            Some(&op),
        )
        .await
        .json();
    assert_eq!(plan["mode"], "focused", "{plan}");
    assert!(
        plan["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("上年执行率 50%"),
        "{plan}"
    );
    // The project page says so.
    let page = t
        .get(&format!("/projects/{}", continued["id"]), Some(&op))
        .await;
    assert!(
        page.text.contains("重点审核论证") && page.text.contains("上年执行率 50%"),
        "{}",
        page.text
    );
}

async fn zb_5e_zb_2e_training_it_and_investment_go_to_joint_review(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut body = complete(meeting);
    body["matter_class"] = json!("it");
    body["features"] = json!({"training": true, "government_investment": true});
    let p = create(&t, &op, body).await;
    let plan = t
        .get(
            &format!("/api/v1/projects/{}/review-plan", p["id"]),
            Some(&op),
        )
        .await
        .json();
    let bodies: Vec<&str> = plan["joint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "organisation_department",
            "data_bureau",
            "development_reform"
        ]
    );
    assert_eq!(plan["mode"], "focused", "government investment is focused");
    let page = t.get(&format!("/projects/{}", p["id"]), Some(&op)).await;
    assert!(page.text.contains("须联审：") && page.text.contains("数据局"));
}

backend_tests!(
    zb_5a_the_project_says_which_review_it_faces_and_why,
    zb_5e_zb_2e_training_it_and_investment_go_to_joint_review,
);
