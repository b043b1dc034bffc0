//! The project library through the API, on SQLite and PostgreSQL: a unit prepares a project
//! from zero, every amount computed or justified, checked against the policy and moved along.

use crate::common::projects::{
    complete, create, meeting_standard, move_to, review, review_record, review_through,
};
use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::Money;
use serde_json::{Value, json};

macro_rules! app {
    ($backend:expr) => {
        match TestApp::demo($backend).await {
            Some(app) => app,
            None => return,
        }
    };
}

async fn a_unit_prepares_submits_and_finance_admits(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let p = create(&t, &op, complete(meeting)).await;
    // ZB-4: the amount is what the cost lines compute, nothing carried over.
    assert_eq!(p["request"], "221700.00"); // 240 × 480 + 3000 × 35.50
    assert_eq!(p["state"], "reserve");
    assert_eq!(p["code"], "329900202610100001");
    assert!(
        t.get(&format!("/api/v1/projects/{}/check", p["id"]), Some(&op))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = move_to(&t, &op, &p, "submitted", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = r.json();
    // The unit can no longer edit a submitted project.
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{}", p["id"]),
            Some(&op),
            Some(json!({"version": p["version"], "name": "改", "kind": "specific_purpose"})),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("PROJECT_NOT_EDITABLE".into(), Some("ZB-15c"))
    );
    // The department returns it with comments (ZB-5a); the unit sees them in the history.
    let rev = t.login("zhuguan").await;
    let r = review(
        &t,
        &rev,
        &p["id"],
        json!({"decision": "return", "opinion": " ", "expected_version": p["version"]}),
    )
    .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("REVIEW_OPINION_MISSING".into(), Some("ZB-5a"))
    );
    let r = review(&t, &rev, &p["id"], json!({"decision": "return", "opinion": "请细化培训教材的测算依据", "expected_version": p["version"]})).await;
    assert_eq!(r.json()["state"], "returned", "{}", r.text);
    let p = t
        .get(&format!("/api/v1/projects/{}", p["id"]), Some(&op))
        .await
        .json();
    assert!(
        p["history"].as_array().unwrap().last().unwrap()["note"]
            .as_str()
            .unwrap()
            .contains("请细化培训教材的测算依据")
    );
    let p = move_to(&t, &op, &p, "submitted", "已细化").await.json();
    // Nobody admits by a bare move: only the review decides (ZB-5a).
    let fin = t.login("caizheng").await;
    let r = move_to(&t, &fin, &p, "admitted", "").await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("REVIEW_REQUIRED".into(), Some("ZB-5a"))
    );
    let p = review_through(&t, &p, "200000.00").await;
    assert_eq!(p["state_label"], "入库");
    // ZB-15c: an admitted project cannot go back to the reserve.
    let r = move_to(&t, &fin, &p, "reserve", "").await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("PROJECT_TRANSITION_NOT_ALLOWED".into(), Some("ZB-15c"))
    );
    let moves: Vec<_> = p["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["to_state"].as_str())
        .collect();
    assert_eq!(moves, ["submitted", "returned", "submitted", "admitted"]);
    // The resubmission is round 2; both rounds' steps are kept.
    let rec = review_record(&t, &fin, &p["id"]).await;
    assert_eq!(
        (rec["round"].as_i64(), rec["reviewed"].as_str()),
        (Some(2), Some("200000.00"))
    );
    let rounds: Vec<_> = rec["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["round"].as_i64().unwrap())
        .collect();
    assert_eq!(rounds, [1, 2, 2, 2, 2]);
}

async fn zb_14_a_cost_line_above_its_standard_is_refused(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut body = complete(meeting);
    body["cost_lines"][0]["unit_amount"] = json!("520");
    body["cost_lines"][1]["basis"] = json!("");
    let before = t.audit_count().await;
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(&op), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(
        (
            errors[0]["code"].as_str(),
            errors[0]["clause"].as_str(),
            errors[0]["field"].as_str()
        ),
        (
            Some("COST_ABOVE_STANDARD"),
            Some("ZB-14"),
            Some("cost_lines[0].unit_amount")
        )
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("二类会议综合定额")
    );
    assert_eq!(
        (errors[1]["code"].as_str(), errors[1]["clause"].as_str()),
        (Some("COST_BASIS_MISSING"), Some("ZB-14"))
    );
    assert_eq!(t.audit_count().await, before, "nothing saved");
    assert!(
        t.get("/api/v1/projects", Some(&op))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn admission_checks_refuse_with_their_clauses(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut body = complete(meeting);
    body["basis_title"] = json!("");
    body["basis_expires_on"] = json!("2025-06-30");
    body["start_year"] = json!(2026);
    body["end_year"] = json!(2031);
    body["indicators"] = json!([]);
    // A code typed in is checked on save, as the import checks it (ZB-15d).
    let mut wrong = body.clone();
    wrong["function_code"] = json!("20508");
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(&op), Some(wrong))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["errors"][0]["code"], "FUNCTION_CODE_NOT_ITEM");
    assert_eq!(r.json()["errors"][0]["field"], "function_code");
    let p = create(&t, &op, body).await;
    let problems = t
        .get(&format!("/api/v1/projects/{}/check", p["id"]), Some(&op))
        .await
        .json();
    let got: Vec<(String, String)> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().into(),
                x["clause"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    for want in [
        ("PROJECT_ELEMENT_MISSING", "ZB-15a"),
        ("PROJECT_PERIOD_TOO_LONG", "ZB-5c"),
        ("POLICY_BASIS_EXPIRED", "ZB-5d"),
        ("TARGETS_MISSING", "CS-1"),
        ("YEAR_PLAN_MISSING", "QJ-2b"),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} missing in {got:?}"
        );
    }
    let r = move_to(&t, &op, &p, "submitted", "").await;
    assert_eq!(
        (r.status, r.code(), r.json()["clause"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "PROJECT_NOT_ADMISSIBLE".into(),
            Some("ZB-15a")
        )
    );
    assert_eq!(
        r.json()["errors"].as_array().unwrap().len(),
        problems.as_array().unwrap().len()
    );
    assert_eq!(
        t.get(&format!("/api/v1/projects/{}", p["id"]), Some(&op))
            .await
            .json()["state"],
        "reserve"
    );
}

async fn qj_2b_multi_year_projects_plan_every_year(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut body = complete(meeting);
    body["end_year"] = json!(2028);
    body["total_need"] = json!("50万");
    body["year_plan"] = json!([{"year": 2026, "amount": "221700"}, {"year": 2027, "amount": "150000"}, {"year": 2028, "amount": "128300"}]);
    let p = create(&t, &op, body.clone()).await;
    assert!(
        t.get(&format!("/api/v1/projects/{}/check", p["id"]), Some(&op))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    body["year_plan"][2]["amount"] = json!("100000");
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{}", p["id"]),
            Some(&op),
            Some(
                json!({"version": p["version"]})
                    .as_object()
                    .unwrap()
                    .clone()
                    .into_iter()
                    .chain(body.as_object().unwrap().clone())
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let problems = t
        .get(&format!("/api/v1/projects/{}/check", p["id"]), Some(&op))
        .await
        .json();
    assert_eq!(problems[0]["code"], "YEAR_PLAN_NOT_TOTAL");
    assert_eq!(problems[0]["clause"], "QJ-2b");
}

async fn units_see_only_their_projects(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mine = create(&t, &op, complete(meeting)).await;
    let other_unit = t.org_id("102001").await;
    let fin = t.login("caizheng").await;
    let theirs = create(
        &t,
        &fin,
        json!({"unit_id": other_unit, "name": "卫健委项目", "kind": "other_operating"}),
    )
    .await;
    assert_eq!(theirs["code"], "329900202610200001");
    let list = t.get("/api/v1/projects", Some(&op)).await.json();
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect::<Vec<_>>(),
        [mine["id"].clone()]
    );
    let r = t
        .get(&format!("/api/v1/projects/{}", theirs["id"]), Some(&op))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .call(
            Method::POST,
            "/api/v1/projects",
            Some(&op),
            Some(json!({"unit_id": other_unit, "name": "越权", "kind": "other_operating"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get("/api/v1/projects", Some(&fin))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let rev = t.login("zhuguan").await;
    assert_eq!(
        t.get("/api/v1/projects", Some(&rev))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let filtered = t
        .get(
            "/api/v1/projects?state=reserve&matter_class=public_service&q=教师",
            Some(&fin),
        )
        .await
        .json();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let r = t.get("/api/v1/projects?state=flying", Some(&fin)).await;
    assert_eq!(
        (r.code(), r.json()["field"].as_str()),
        ("PROJECT_STATE_UNKNOWN".into(), Some("state"))
    );
}

async fn the_project_form_keeps_input_and_shows_errors_beside_rows(backend: Backend) {
    let t = app!(backend);
    // The 支出标准 picker submits the standard's code (P-MEET-2 is the demo's 二类会议).
    meeting_standard(&t).await;
    let meeting = "P-MEET-2".to_string();
    let op = t.login("danwei").await;
    let page = t.get("/projects/new", Some(&op)).await;
    assert!(
        page.text.contains("测算明细") && page.text.contains("二类会议综合定额"),
        "{}",
        page.text
    );
    let fields = |unit_amount: &'static str| {
        vec![
            ("name", "全市教育工作会议".to_string()),
            ("kind", "other_operating".into()),
            ("matter_class", "public_service".into()),
            ("tier", "mandatory".into()),
            ("basis_title", "示范市教育工作要点".into()),
            ("start_year", "2026".into()),
            ("end_year", "2026".into()),
            ("function_code", "2050101".into()),
            ("government_economic_code", "50202".into()),
            ("fund_book", "general_public".into()),
            ("responsible_person", "张经办".into()),
            ("responsible_phone", "0518-85550101".into()),
            ("is_new", "on".into()),
            ("overall_goal", "按期召开全市教育工作会议".into()),
            ("line.item", "全市教育工作会议（二类）".into()),
            ("line.economic_code", "30215".into()),
            ("line.standard", meeting.clone()),
            ("line.quantity", "200".into()),
            ("line.unit_amount", unit_amount.into()),
            ("line.basis", String::new()),
            ("line.item", String::new()),
            ("line.economic_code", String::new()),
            ("line.standard", String::new()),
            ("line.quantity", String::new()),
            ("line.unit_amount", String::new()),
            ("line.basis", String::new()),
            ("ind.category", "quantity".into()),
            ("ind.name", "参会人数".into()),
            ("ind.comparator", "ge".into()),
            ("ind.target_value", "200".into()),
            ("ind.unit", "人".into()),
        ]
    };
    let over = fields("650");
    let r = t
        .form(
            "/projects/new",
            &op,
            &over
                .iter()
                .map(|(k, x)| (*k, x.as_str()))
                .collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("超过支出标准“二类会议综合定额”") && r.text.contains("ZB-14"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("value=\"650\""),
        "what was typed stays in the form"
    );
    // A standard the catalogue does not know is refused beside its cell, citing ZB-14, and
    // stays as typed.
    let unknown: Vec<(&str, String)> = fields("480")
        .into_iter()
        .map(|(k, v)| match k {
            "line.standard" if v == meeting => (k, "P-MEET-9".to_string()),
            _ => (k, v),
        })
        .collect();
    let r = t
        .form(
            "/projects/new",
            &op,
            &unknown
                .iter()
                .map(|(k, x)| (*k, x.as_str()))
                .collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let beside = r
        .text
        .split("data-testid=\"error-line-0-standard\">")
        .nth(1)
        .unwrap_or_default();
    assert!(
        beside.starts_with("第 1 行支出标准“P-MEET-9”不在支出标准库中") && beside.contains("ZB-14"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("value=\"P-MEET-9\""),
        "the typed code stays"
    );
    let ok = fields("480");
    let r = t
        .form(
            "/projects/new",
            &op,
            &ok.iter().map(|(k, x)| (*k, x.as_str())).collect::<Vec<_>>(),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.headers["location"].to_str().unwrap().to_string();
    let page = t.get(&location, Some(&op)).await;
    assert!(
        page.text.contains("96,000.00") && page.text.contains("已创建"),
        "{}",
        page.text
    );
    let project_path = location.split('?').next().unwrap().to_string();
    let checked = t.get(&format!("{project_path}?check=1"), Some(&op)).await;
    assert!(checked.text.contains("入库检查通过"), "{}", checked.text);
    let r = t
        .form(
            &format!("{project_path}/move"),
            &op,
            &[("to", "submitted"), ("version", "1"), ("note", "")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(
        t.get(&project_path, Some(&op))
            .await
            .text
            .contains("已申报")
    );
    let list = t.get("/projects?state=submitted", Some(&op)).await;
    assert!(list.text.contains("全市教育工作会议"));
}

async fn zb_4_last_year_is_a_reference_never_the_base(backend: Backend) {
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let mut last_year = complete(meeting);
    last_year["year"] = json!(2025);
    last_year["start_year"] = json!(2025);
    last_year["end_year"] = json!(2025);
    let old = create(&t, &op, last_year).await;
    {
        let mut conn = t.app.store.write().acquire().await.unwrap();
        let (approved, spent) = (
            lingji_domain::Money::from_yuan(200_000),
            lingji_domain::Money::from_yuan(150_321),
        );
        lingji_app::store::library::projects::set_outcome(
            &mut conn,
            old["id"].as_i64().unwrap(),
            approved,
            spent,
            Some(2025),
        )
        .await
        .unwrap();
    }
    // Copying last year's structure keeps items and codes, empties every quantity.
    let draft = t
        .get(&format!("/api/v1/projects/{}/copy", old["id"]), Some(&op))
        .await
        .json();
    assert_eq!(draft["cost_lines"].as_array().unwrap().len(), 2);
    assert!(
        draft["cost_lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["quantity"] == "")
    );
    assert_eq!(draft["cost_lines"][0]["item"], "全市教育工作会议（二类）");
    // The new request is what this year's lines compute, whatever last year got.
    let mut this_year = complete(meeting);
    this_year["previous_id"] = old["id"].clone();
    this_year["cost_lines"] = json!([{"item": "全市教育工作会议（二类）", "economic_code": "30215", "standard_id": meeting, "quantity": "100", "unit_amount": "450"}]);
    let new = create(&t, &op, this_year).await;
    assert_eq!(new["request"], "45000.00");
    assert_eq!(
        (
            new["previous"]["approved"].as_str(),
            new["previous"]["spent"].as_str()
        ),
        (Some("200000.00"), Some("150321.00"))
    );
    let page = t.get(&format!("/projects/{}", new["id"]), Some(&op)).await;
    assert!(
        page.text.contains("200,000.00") && page.text.contains("ZB-4"),
        "{}",
        page.text
    );
    // A project of another unit, or of the same year, is no "last year".
    let mut bad = complete(meeting);
    bad["previous_id"] = new["id"].clone();
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(&op), Some(bad))
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("PREVIOUS_PROJECT_INVALID".into(), Some("ZB-4"))
    );
}

async fn the_demo_library_is_realistic_and_consistent(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = t
            .get(
                &format!("/api/v1/projects?limit=500&after={after}"),
                Some(&fin),
            )
            .await
            .json();
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else { break };
        after = last["id"].as_i64().unwrap();
        all.extend(page);
    }
    assert!(
        all.len() >= 200,
        "a few hundred projects, got {}",
        all.len()
    );
    let distinct = |key: &str| {
        all.iter()
            .map(|p| p[key].as_str().unwrap_or("").to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(distinct("kind").len(), 4);
    assert_eq!(distinct("matter_class").len(), 7);
    assert_eq!(distinct("tier").len(), 6);
    // Lived years leave projects reserved, submitted, returned, rejected, admitted and funded.
    assert!(distinct("state").len() >= 6, "{:?}", distinct("state"));
    // Every project the demo shows as submitted or admitted really passes the admission checks.
    for p in all.iter().filter(|p| {
        p["fiscal_year"] == 2026 && (p["state"] == "admitted" || p["state"] == "submitted")
    }) {
        let problems = t
            .get(&format!("/api/v1/projects/{}/check", p["id"]), Some(&fin))
            .await
            .json();
        assert!(
            problems.as_array().unwrap().is_empty(),
            "{} {}: {problems}",
            p["code"],
            p["name"]
        );
    }
    // Last year's lines carry their outcome as reference (ZB-4).
    let continuing = all
        .iter()
        .find(|p| p["fiscal_year"] == 2026 && p["state"] == "admitted")
        .unwrap();
    let full = t
        .get(
            &format!("/api/v1/projects/{}", continuing["id"]),
            Some(&fin),
        )
        .await
        .json();
    if !full["previous"].is_null() {
        assert_ne!(full["previous"]["approved"], "0.00");
    }
    let op = t.login("danwei").await;
    let mine = t.get("/api/v1/projects?year=2026", Some(&op)).await.json();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|p| p["unit_id"] == op.org_id)
    );
}

async fn zb_14_basic_expenditure_is_staffing_times_quota_and_zb_6c_caps_contract_staff(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    // 市教育局机关 (administrative): 15 in service, 2 contract staff within a quota of 3.
    let path = format!("/api/v1/orgs/{}/basic-expenditure?year=2026", op.org_id);
    let b = t.get(&path, Some(&op)).await.json();
    // Wage standards for administrative units: 36,000 + 42,000 + 6,000 + 13,000 + 6,500 + 7,000
    // + 9,800 + 1,200 = 121,500 per person × 15; public expense 12,000 + 1,800 + 1,200 = 15,000
    // per person × (15 + 2).
    assert_eq!(
        (b["in_service"].as_i64(), b["contract_funded"].as_i64()),
        (Some(15), Some(2))
    );
    assert_eq!(b["total"], "2077500.00");
    assert_eq!(b["lines"].as_array().unwrap().len(), 11);
    // ZB-6c: with a 50% yearly reduction the quota of 3 funds only 1 contract staff.
    let admin = t.login("admin").await;
    let r = t
        .call(Method::PUT, "/api/v1/policy/2026", Some(&admin), Some(json!({"based_on": 1, "note": "测试", "changes": {"library.contract_staff_yearly_reduction": "50%"}})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = t.get(&path, Some(&op)).await.json();
    assert_eq!(
        (b["contract_funded"].as_i64(), b["total"].as_str()),
        (Some(1), Some("2062500.00"))
    );
    let page = t.get(&format!("/orgs/{}", op.org_id), Some(&op)).await;
    assert!(
        page.text.contains("2,062,500.00") && page.text.contains("ZB-6c"),
        "{}",
        page.text
    );
}

async fn zb_15c_and_zb_5d_the_library_is_cleaned_on_confirmation(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let unit = t.org_id("101001").await;
    let stale = create(&t, &fin, json!({"unit_id": unit, "year": 2023, "name": "2023 年储备未获安排", "kind": "other_operating"})).await;
    let expired = create(&t, &fin, json!({"unit_id": unit, "name": "到期政策项目", "kind": "other_operating", "basis_title": "三年行动方案", "basis_expires_on": "2025-12-31"})).await;
    let fresh = create(
        &t,
        &fin,
        json!({"unit_id": unit, "name": "本年新项目", "kind": "other_operating"}),
    )
    .await;
    let list = t
        .get("/api/v1/projects/cleanup?year=2026", Some(&fin))
        .await
        .json();
    let by_id = |id: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["project"]["id"] == *id)
            .cloned()
    };
    assert!(
        by_id(&stale["id"]).unwrap()["reasons"][0]
            .as_str()
            .unwrap()
            .contains("ZB-15c")
    );
    assert!(
        by_id(&expired["id"]).unwrap()["reasons"][0]
            .as_str()
            .unwrap()
            .contains("ZB-5d")
    );
    assert!(by_id(&fresh["id"]).is_none());
    // The department may not clean the library; a project that is no candidate stops it all.
    let rev = t.login("zhuguan").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/projects/cleanup",
            Some(&rev),
            Some(json!({"year": 2026, "ids": [stale["id"]]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .call(
            Method::POST,
            "/api/v1/projects/cleanup",
            Some(&fin),
            Some(json!({"year": 2026, "ids": [stale["id"], fresh["id"]]})),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("NOT_A_CLEANUP_CANDIDATE".into(), Some("ZB-15c"))
    );
    assert_eq!(
        t.get(&format!("/api/v1/projects/{}", stale["id"]), Some(&fin))
            .await
            .json()["state"],
        "reserve"
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/projects/cleanup",
            Some(&fin),
            Some(
                json!({"year": 2026, "ids": [stale["id"], expired["id"]], "note": "2026 年度清理"}),
            ),
        )
        .await;
    assert_eq!(r.json(), json!(2));
    let p = t
        .get(&format!("/api/v1/projects/{}", expired["id"]), Some(&fin))
        .await
        .json();
    assert_eq!(p["state"], "retired");
    assert!(
        p["history"].as_array().unwrap().last().unwrap()["note"]
            .as_str()
            .unwrap()
            .contains("ZB-5d")
    );
    assert!(
        t.get("/api/v1/projects/cleanup?year=2026", Some(&fin))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn pm_4_units_pick_indicators_from_a_common_and_sector_library(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let library = t.get("/api/v1/indicators", Some(&op)).await.json();
    let library = library.as_array().unwrap();
    let common = library.iter().filter(|i| i["sector"] == "通用").count();
    let sectors: std::collections::BTreeSet<_> = library
        .iter()
        .map(|i| i["sector"].as_str().unwrap().to_string())
        .collect();
    assert!(
        common >= 8 && sectors.len() >= 8,
        "{common} common, sectors {sectors:?}"
    );
    assert_eq!(library[0]["sector"], "通用", "the common frame comes first");
    let teaching = library
        .iter()
        .find(|i| i["name"] == "培训教师人次")
        .unwrap();
    assert_eq!(
        (
            teaching["category"].as_str(),
            teaching["comparator"].as_str(),
            teaching["unit"].as_str()
        ),
        (Some("quantity"), Some("ge"), Some("人次"))
    );
    let form = t.get("/projects/new", Some(&op)).await;
    assert!(
        form.text.contains("<datalist id=\"indicator-library\">")
            && form.text.contains("培训教师人次")
    );
    assert!(
        t.get("/indicators", Some(&op))
            .await
            .text
            .contains("服务对象满意度")
    );
}

async fn a_units_request_exports_to_excel_with_numbers_in_yuan(backend: Backend) {
    use calamine::{Data, Reader};
    let t = app!(backend);
    let meeting = meeting_standard(&t).await;
    let op = t.login("danwei").await;
    let p = create(&t, &op, complete(meeting)).await;
    let r = t
        .get("/api/v1/projects/export?year=&state=", Some(&op))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let raw = r.bytes;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(raw)).unwrap();
    assert_eq!(book.sheet_names(), ["项目", "测算明细"]);
    let projects = book.worksheet_range("项目").unwrap();
    assert_eq!(
        projects.get((0, 8)),
        Some(&Data::String("本年申请（元）".into()))
    );
    assert_eq!(
        projects.get((1, 0)),
        Some(&Data::String(p["code"].as_str().unwrap().into()))
    );
    assert_eq!(
        projects.get((1, 8)),
        Some(&Data::Float(221_700.0)),
        "amounts are numbers in 元"
    );
    let lines = book.worksheet_range("测算明细").unwrap();
    assert_eq!(lines.height(), 3, "a header and the project's two lines");
    assert_eq!(lines.get((2, 5)), Some(&Data::Float(106_500.0)));
    // The list page's own links (blank filters included) answer.
    assert_eq!(
        t.get("/projects?year=&state=&after=", Some(&op))
            .await
            .status,
        StatusCode::OK
    );
}

async fn the_project_page_offers_only_the_callers_moves(backend: Backend) {
    let t = match TestApp::demo_with_projects(backend).await {
        Some(app) => app,
        None => return,
    };
    let op = t.login("danwei").await;
    let submitted = t
        .get("/api/v1/projects?state=submitted&limit=1", Some(&op))
        .await
        .json()[0]["id"]
        .as_i64()
        .expect("a submitted demo project of 101001");
    let page = |who: Session| {
        let t = &t;
        async move {
            t.get(&format!("/projects/{submitted}"), Some(&who))
                .await
                .text
        }
    };
    let unit = page(op.clone()).await;
    assert!(
        !unit.contains("move-admitted") && !unit.contains("decide-pass"),
        "a unit neither admits nor reviews"
    );
    // The department's first review is the department reviewer's (ZB-5a), not finance's.
    let finance = page(t.login("caizheng").await).await;
    assert!(!finance.contains("move-admitted") && finance.contains("move-retired"));
    assert!(finance.contains("review-link"));
    let dept = t.login("zhuguan").await;
    let review = t
        .get(&format!("/projects/{submitted}/review"), Some(&dept))
        .await
        .text;
    assert!(
        review.contains("decide-pass") && review.contains("decide-return"),
        "{review}"
    );
    let finance = t
        .get(
            &format!("/projects/{submitted}/review"),
            Some(&t.login("caizheng").await),
        )
        .await
        .text;
    assert!(!finance.contains("decide-pass"));
}

/// 示范市's 2025 was lived through the use cases, not seeded (issue 18): requested, reviewed,
/// approved, paid with rule hits and stopped payments, closed, evaluated and its results
/// applied; 2026 requested again from zero, reviewed and approved, so a unit pays at once.
async fn the_demo_is_a_lived_2025_and_an_approved_2026(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let amount = |v: &Value| Money::parse(v.as_str().unwrap()).unwrap();
    let count = |v: &Value| v["count"].as_u64().unwrap();
    let last = t.get("/api/v1/annual-report?year=2025", Some(&fin)).await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.text);
    let last = last.json();
    // 2025 is closed and every yuan of it is accounted for by the ledger.
    assert_eq!(last["recovered"]["closed"], true, "{last}");
    assert_eq!(last["execution"]["agrees"], true, "{last}");
    assert!(amount(&last["execution"]["paid"]) > Money::ZERO, "{last}");
    // Rules stopped payments (ZX-4b) and poor results cut 2026's budget (CS-5b).
    assert!(count(&last["stopped"]["by_rules"]) > 0, "{last}");
    assert!(count(&last["evaluation_cuts"]["next_year"]) > 0, "{last}");
    // 2026's budget was made from 2025's facts: continuing projects are cut, kept or raised
    // against 2025's base (ZX-3a), the rest new.
    let this = t
        .get("/api/v1/annual-report?year=2026", Some(&fin))
        .await
        .json();
    assert!(
        this["projects"]["base_count"].as_u64().unwrap() > 0,
        "{this}"
    );
    assert!(count(&this["projects"]["new"]) > 0, "{this}");
    assert_eq!(this["recovered"]["closed"], false, "{this}");
    // 教育局机关's operator pays on an approved 2026 line at once; a 2025 line refuses: the
    // year is closed (ZB-7a).
    let op = t.login("danwei").await;
    let line_of = |year: i32| {
        let t = &t;
        let op = &op;
        async move {
            let lines = t
                .get(&format!("/api/v1/budget-lines?year={year}"), Some(op))
                .await
                .json();
            lines
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["economic_code"].as_str().unwrap().starts_with("302"))
                .unwrap_or_else(|| panic!("a 302 line of {year}: {lines}"))["id"]
                .as_i64()
                .unwrap()
        }
    };
    let payment = |line: i64, date: &str, key: &str| {
        json!({
            "payee_name": "示范市办公用品有限公司",
            "payee_account": "6222021234567890",
            "payee_kind": "unit",
            "amount": "100.00",
            "economic_code": "30201",
            "line_id": line,
            "purpose": "采购办公用品",
            "date": date,
            "contract_no": "HT-2026-001",
            "idempotency_key": key,
        })
    };
    let now = line_of(2026).await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/payments/check",
            Some(&op),
            Some(payment(now, "2026-03-10", "lived-0001")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_ne!(r.json()["status"], "blocked", "{}", r.text);
    let closed = line_of(2025).await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&op),
            Some(payment(closed, "2025-12-30", "lived-0002")),
        )
        .await;
    assert_eq!(r.code(), "YEAR_CLOSED", "{}", r.text);
}

/// Issue 20: what is typed is never dropped. A year in words (二〇二六), an amount with a letter
/// O (12O,000) and a code the table does not know are refused beside their fields, naming them,
/// with what was typed kept; `120,000` and full-width digits are read as they are meant, and
/// the form offers the code tables as pickers (编码 名称).
async fn typed_years_amounts_and_codes_are_refused_beside_their_fields_never_dropped(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let page = t.get("/projects/new", Some(&op)).await.text;
    assert!(
        page.contains("<datalist id=\"function-codes\">")
            && page.contains("<option value=\"2050101\">2050101 ")
            && page.contains("list=\"economic-codes\""),
        "the pickers"
    );
    let fields = |start: &str, total: &str, function: &str, plan_year: &str| {
        vec![
            ("name", "示范市教育信息化三年行动".to_string()),
            ("kind", "specific_purpose".into()),
            ("matter_class", "public_service".into()),
            ("tier", "mandatory".into()),
            ("basis_title", "示范市教育信息化行动计划".into()),
            ("start_year", start.into()),
            ("end_year", "2028".into()),
            ("total_need", total.into()),
            ("function_code", function.into()),
            ("government_economic_code", "50202".into()),
            ("fund_book", "general_public".into()),
            ("responsible_person", "张经办".into()),
            ("overall_goal", "建成全市教育专网".into()),
            ("line.item", "专网租用".into()),
            ("line.economic_code", "30213".into()),
            ("line.standard", String::new()),
            ("line.quantity", "1".into()),
            ("line.unit_amount", "１２０,０００".into()),
            ("line.basis", "三家运营商询价，取最低报价".into()),
            ("plan.year", plan_year.into()),
            ("plan.amount", "120,000".into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let t = &t;
        let op = op.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form("/projects/new", &op, &pairs, None).await
        }
    };
    let r = post(fields("二〇二六", "12O,000", "2059998", "二〇二六")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let beside = |field: &str| {
        r.text
            .split(&format!("data-testid=\"error-{field}\">"))
            .nth(1)
            .unwrap_or_default()
            .split("</span>")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        beside("start_year").starts_with("开始年度“二〇二六”格式不正确"),
        "{}",
        beside("start_year")
    );
    assert!(
        beside("total_need").starts_with("资金总需求“12O,000”格式不正确"),
        "{}",
        beside("total_need")
    );
    assert!(
        beside("function_code").contains("“2059998”不在本年度科目表中"),
        "{}",
        beside("function_code")
    );
    assert!(
        beside("year_plan").contains("分年度计划第 1 行年度“二〇二六”"),
        "{}",
        beside("year_plan")
    );
    assert!(
        r.text.contains("value=\"二〇二六\"") && r.text.contains("value=\"12O,000\""),
        "what was typed stays in the form"
    );
    // Written as people write them, the same project is saved, to the fen.
    let r = post(fields("2026", "360,000", "2050101", "2026")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.headers["location"].to_str().unwrap().to_string();
    let page = t.get(&location, Some(&op)).await.text;
    assert!(page.contains("120,000.00"), "{page}");
    let id = location
        .trim_start_matches("/projects/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let p = t
        .get(&format!("/api/v1/projects/{id}"), Some(&op))
        .await
        .json();
    assert_eq!(p["detail"]["total_need"], "360000.00", "{p}");
}

backend_tests!(
    typed_years_amounts_and_codes_are_refused_beside_their_fields_never_dropped,
    the_demo_is_a_lived_2025_and_an_approved_2026,
    the_project_page_offers_only_the_callers_moves,
    a_units_request_exports_to_excel_with_numbers_in_yuan,
    pm_4_units_pick_indicators_from_a_common_and_sector_library,
    zb_15c_and_zb_5d_the_library_is_cleaned_on_confirmation,
    zb_14_basic_expenditure_is_staffing_times_quota_and_zb_6c_caps_contract_staff,
    the_demo_library_is_realistic_and_consistent,
    zb_4_last_year_is_a_reference_never_the_base,
    the_project_form_keeps_input_and_shows_errors_beside_rows,
    a_unit_prepares_submits_and_finance_admits,
    zb_14_a_cost_line_above_its_standard_is_refused,
    admission_checks_refuse_with_their_clauses,
    qj_2b_multi_year_projects_plan_every_year,
    units_see_only_their_projects,
);
