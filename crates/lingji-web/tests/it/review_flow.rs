//! Review and argument through the API on SQLite and PostgreSQL: the workflow from the
//! department to the panel (ZB-5a, ZB-5e, ZB-5b), joint reviewers seeing only what is routed to
//! them, and every gate blocking funding with its clause until it is satisfied.

use crate::common::projects::{
    complete, create, meeting_standard, move_to, panel_agrees, review, review_record,
    review_through,
};
use crate::common::{Session, TestApp};
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

/// A government-investment IT project with training: routed to all three joint bodies.
async fn investment(t: &TestApp, op: &Session) -> Value {
    let mut body = complete(meeting_standard(t).await);
    body["name"] = json!("全市智慧教育平台建设");
    body["matter_class"] = json!("gov_investment");
    body["features"] = json!({"training": true, "it": true, "government_investment": true});
    let p = create(t, op, body).await;
    let r = move_to(t, op, &p, "submitted", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect()
}

async fn zb_5a_each_reviewer_decides_in_turn_and_the_panel_admits_with_the_reviewed_amount(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let p = investment(&t, &op).await;
    let id = &p["id"];
    let fin = t.login("caizheng").await;
    let dept = t.login("zhuguan").await;
    // Finance cannot take the department's step (ZB-5a).
    let rec = review_record(&t, &fin, id).await;
    assert_eq!(
        (
            rec["stage"].as_str(),
            rec["decisions"].as_array().map(Vec::len)
        ),
        (Some("department"), Some(0))
    );
    let r = review(
        &t,
        &fin,
        id,
        json!({"decision": "pass", "rank": 1, "expected_version": rec["version"]}),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "REVIEW_NOT_YOURS".into())
    );
    // The department must rank what it passes.
    let r = review(
        &t,
        &dept,
        id,
        json!({"decision": "pass", "expected_version": rec["version"]}),
    )
    .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("DEPARTMENT_RANK_MISSING".into(), Some("ZB-5a"))
    );
    let r = review(&t, &dept, id, json!({"decision": "pass", "rank": 2, "opinion": "急需", "expected_version": rec["version"]})).await;
    assert_eq!(r.json()["stage"], "finance", "{}", r.text);
    // A stale page cannot decide twice.
    let r = review(
        &t,
        &dept,
        id,
        json!({"decision": "pass", "rank": 2, "expected_version": rec["version"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // 财政审核数 never above the request.
    let v = review_record(&t, &fin, id).await["version"].clone();
    let r = review(
        &t,
        &fin,
        id,
        json!({"decision": "pass", "reviewed": "221700.01", "expected_version": v}),
    )
    .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("REVIEWED_ABOVE_REQUEST".into(), Some("ZB-5a"))
    );
    let r = review(
        &t,
        &fin,
        id,
        json!({"decision": "pass", "reviewed": "200000", "expected_version": v}),
    )
    .await;
    let rec = r.json();
    assert_eq!(rec["stage"], "joint", "{}", r.text);
    let bodies: Vec<_> = rec["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "data_bureau",
            "development_reform",
            "organisation_department"
        ]
    );
    // Finance cannot skip to the panel while a routed body has not answered (ZB-5e).
    let r = review(&t, &fin, id, json!({"decision": "admit", "panel": panel_agrees("200000"), "expected_version": rec["version"]})).await;
    assert_eq!(r.code(), "REVIEW_NOT_YOURS");
    // Each joint reviewer sees it in its queue and answers once.
    let shuju = t.login("shuju").await;
    let q = t.get("/api/v1/reviews/queue", Some(&shuju)).await.json();
    assert_eq!(
        (q["total"].as_i64(), q["items"][0]["id"].as_i64()),
        (Some(1), id.as_i64())
    );
    for who in ["shuju", "fagai"] {
        let s = t.login(who).await;
        let v = review_record(&t, &s, id).await["version"].clone();
        let r = review(
            &t,
            &s,
            id,
            json!({"decision": "agree", "opinion": "同意", "expected_version": v}),
        )
        .await;
        assert_eq!(r.json()["stage"], "joint", "{}", r.text);
        let r = review(
            &t,
            &s,
            id,
            json!({"decision": "agree", "expected_version": r.json()["version"]}),
        )
        .await;
        assert_eq!(r.code(), "REVIEW_NOT_YOURS", "answered already");
    }
    let zuzhi = t.login("zuzhi").await;
    let v = review_record(&t, &zuzhi, id).await["version"].clone();
    let r = review(
        &t,
        &zuzhi,
        id,
        json!({"decision": "disagree", "expected_version": v}),
    )
    .await;
    assert_eq!(r.code(), "REVIEW_OPINION_MISSING");
    let r = review(&t, &zuzhi, id, json!({"decision": "disagree", "opinion": "培训内容与干部教育计划重复", "expected_version": v})).await;
    let rec = r.json();
    assert_eq!(rec["stage"], "panel", "{}", r.text);
    // The panel answers all four points and stays within the reviewed amount (ZB-5b).
    let mut panel = panel_agrees("200000.01");
    panel["benefit"]["comment"] = json!("");
    let r = review(
        &t,
        &fin,
        id,
        json!({"decision": "admit", "panel": panel, "expected_version": rec["version"]}),
    )
    .await;
    let fields: Vec<_> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["panel.benefit", "panel.recommended"], "{}", r.text);
    let r = review(&t, &fin, id, json!({"decision": "admit", "panel": panel_agrees("180000"), "expected_version": rec["version"]})).await;
    let rec = r.json();
    assert_eq!(
        (rec["state"].as_str(), rec["reviewed"].as_str()),
        (Some("admitted"), Some("180000.00")),
        "{}",
        r.text
    );
    let stages: Vec<_> = rec["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        ["department", "finance", "joint", "joint", "joint", "panel"]
    );
    assert_eq!(rec["steps"][4]["opinion"], "培训内容与干部教育计划重复");
    // Every step is audited.
    let audit = t.login("shenji").await;
    let log = t
        .get("/api/v1/audit?action=project.review", Some(&audit))
        .await
        .json();
    assert!(
        log.to_string().matches("project.review").count() >= 6,
        "{log}"
    );
}

async fn zb_5e_a_joint_reviewer_sees_only_what_is_routed_to_it(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let p = investment(&t, &op).await;
    let id = p["id"].as_i64().unwrap();
    let shuju = t.login("shuju").await;
    // Not routed yet (finance has not reviewed it): invisible.
    let r = t.get(&format!("/api/v1/projects/{id}"), Some(&shuju)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        t.get("/api/v1/projects", Some(&shuju))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A training-only project never reaches the data bureau.
    let mut other = complete(meeting_standard(&t).await);
    other["name"] = json!("教师培训");
    let other = create(&t, &op, other).await;
    let other = move_to(&t, &op, &other, "submitted", "").await.json();
    for p in [&p, &other] {
        let dept = t.login("zhuguan").await;
        let v = review_record(&t, &dept, &p["id"]).await["version"].clone();
        review(
            &t,
            &dept,
            &p["id"],
            json!({"decision": "pass", "rank": 1, "expected_version": v}),
        )
        .await;
        let fin = t.login("caizheng").await;
        let v = review_record(&t, &fin, &p["id"]).await["version"].clone();
        let r = review(
            &t,
            &fin,
            &p["id"],
            json!({"decision": "pass", "reviewed": "1000", "expected_version": v}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = t.get(&format!("/api/v1/projects/{id}"), Some(&shuju)).await;
    assert_eq!(r.status, StatusCode::OK, "routed now");
    let other_id = other["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/projects/{other_id}"),
        format!("/api/v1/projects/{other_id}/review"),
        format!("/api/v1/projects/{other_id}/gates"),
        format!("/api/v1/projects/{other_id}/attachments"),
    ] {
        let r = t.get(&path, Some(&shuju)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
    }
    let listed: Vec<_> = t
        .get("/api/v1/projects", Some(&shuju))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [id]);
    // The organisation department sees both; a joint reviewer edits nothing.
    let zuzhi = t.login("zuzhi").await;
    assert_eq!(
        t.get("/api/v1/projects", Some(&zuzhi))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}"),
            Some(&shuju),
            Some(json!({"version": 1, "name": "改", "kind": "specific_purpose"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}

async fn gate(t: &TestApp, s: &Session, id: i64, body: Value) -> crate::common::Reply {
    t.call(
        Method::PUT,
        &format!("/api/v1/projects/{id}/gates"),
        Some(s),
        Some(body),
    )
    .await
}

async fn blocks(t: &TestApp, s: &Session, id: i64) -> Vec<String> {
    let e = t
        .get(&format!("/api/v1/projects/{id}/eligibility"), Some(s))
        .await
        .json();
    assert_eq!(
        e["eligible"].as_bool(),
        Some(e["blocks"].as_array().unwrap().is_empty())
    );
    codes(&e["blocks"])
}

async fn add_entry(t: &TestApp, s: &Session, list: &str, body: Value) {
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/lists/{list}"),
            Some(s),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

async fn every_gate_blocks_funding_with_its_clause_until_satisfied(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let mut body = complete(meeting_standard(&t).await);
    body["name"] = json!("全市智慧教育平台建设");
    body["matter_class"] = json!("gov_investment");
    body["tier"] = json!("key_priorities");
    body["is_new"] = json!(true);
    body["is_major"] = json!(true);
    body["features"] = json!({
        "government_investment": true, "purchase_of_services": true, "event": true,
        "industry_fund_eligible": true, "key_matters_item": true, "special_fund": true
    });
    let p = create(&t, &op, body).await;
    let id = p["id"].as_i64().unwrap();
    // Not in the library yet (QJ-2a), and every gate that applies is unmet.
    let all = [
        "PROJECT_NOT_IN_LIBRARY",
        "EX_ANTE_MISSING",
        "FISCAL_CAPACITY_MISSING",
        "INDUSTRY_FUND_UNDETERMINED",
        "PURCHASE_DETAIL_MISSING",
        "EVENT_NOT_LINKED",
        "SPECIAL_FUND_NOT_LINKED",
        "KEY_MATTER_NOT_LINKED",
    ];
    assert_eq!(blocks(&t, &fin, id).await, all);
    let e = t
        .get(&format!("/api/v1/projects/{id}/eligibility"), Some(&fin))
        .await
        .json();
    let clauses: Vec<_> = e["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["clause"].as_str().unwrap())
        .collect();
    assert_eq!(
        clauses,
        [
            "QJ-2a", "ZB-13a", "ZB-2c", "ZB-2d", "ZB-8", "ZB-6a", "ZB-12", "CS-2a"
        ]
    );
    // The unit states what the project is for while it may edit; the lists decide.
    add_entry(
        &t,
        &fin,
        "events",
        json!({"code": "JQ2026-01", "name": "海洋文化节", "year": 2026}),
    )
    .await;
    add_entry(
        &t,
        &fin,
        "negative_list",
        json!({"code": "FM-01", "name": "行政决策"}),
    )
    .await;
    add_entry(
        &t,
        &fin,
        "key_matters",
        json!({"code": "DS-03", "name": "教育数字化", "year": 2026}),
    )
    .await;
    let dept_101 = t.org_id("101").await;
    add_entry(&t, &fin, "special_funds", json!({"code": "ZX-OLD", "name": "老专项", "lead_department_id": dept_101, "start_year": 2020, "period_years": 5, "tasks": ["收尾"]})).await;
    add_entry(&t, &fin, "special_funds", json!({"code": "ZX-EDU", "name": "教育发展专项", "lead_department_id": dept_101, "start_year": 2024, "period_years": 5, "big": true, "tasks": ["智慧教育"]})).await;
    let r = gate(
        &t,
        &op,
        id,
        json!({"gate": "event", "event_code": "JQ2026-99"}),
    )
    .await;
    assert_eq!(
        (
            r.status,
            r.json()["errors"][0]["code"].as_str(),
            r.json()["errors"][0]["clause"].as_str()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("EVENT_NOT_LISTED"),
            Some("ZB-6a")
        )
    );
    assert_eq!(
        gate(
            &t,
            &op,
            id,
            json!({"gate": "event", "event_code": "JQ2026-01"})
        )
        .await
        .status,
        StatusCode::OK
    );
    gate(
        &t,
        &op,
        id,
        json!({"gate": "key_matter", "item_code": "DS-03"}),
    )
    .await;
    gate(
        &t,
        &op,
        id,
        json!({"gate": "special_fund", "fund_code": "ZX-OLD"}),
    )
    .await;
    gate(&t, &op, id, json!({"gate": "purchase_of_services", "item": "重大行政决策咨询", "provider": "某咨询公司", "provider_kind": "enterprise"})).await;
    // Assessments are finance's, not the unit's.
    let r = gate(
        &t,
        &op,
        id,
        json!({"gate": "fiscal_capacity", "result": "passed", "note": "x"}),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "GATE_NOT_YOURS".into())
    );
    let p = move_to(&t, &op, &p, "submitted", "").await.json();
    let p = review_through(&t, &p, "200000").await;
    assert_eq!(p["state"], "admitted");
    let left = [
        "EX_ANTE_MISSING",
        "FISCAL_CAPACITY_MISSING",
        "INDUSTRY_FUND_UNDETERMINED",
        "PURCHASE_ON_NEGATIVE_LIST",
        "SPECIAL_FUND_EXPIRED",
    ];
    assert_eq!(blocks(&t, &fin, id).await, left);
    // ZB-8: a service not on the negative list opens it.
    gate(&t, &fin, id, json!({"gate": "purchase_of_services", "item": "平台运维服务", "provider": "某科技公司", "provider_kind": "enterprise"})).await;
    assert!(
        !blocks(&t, &fin, id)
            .await
            .contains(&"PURCHASE_ON_NEGATIVE_LIST".into())
    );
    let r = gate(&t, &fin, id, json!({"gate": "purchase_of_services", "item": "平台运维服务", "provider": "市第一中学", "provider_kind": "public_welfare_1"})).await;
    assert!(
        codes(&r.json()["eligibility"]["blocks"]).contains(&"PURCHASE_PROVIDER_NOT_ALLOWED".into())
    );
    gate(&t, &fin, id, json!({"gate": "purchase_of_services", "item": "平台运维服务", "provider": "某科技公司", "provider_kind": "enterprise"})).await;
    // ZB-12: a fund in its period opens it.
    gate(
        &t,
        &fin,
        id,
        json!({"gate": "special_fund", "fund_code": "ZX-EDU"}),
    )
    .await;
    // ZB-2d: the industry fund cannot support it.
    let r = gate(
        &t,
        &fin,
        id,
        json!({"gate": "industry_fund", "fundable": true, "note": "符合产业基金投向"}),
    )
    .await;
    assert!(codes(&r.json()["eligibility"]["blocks"]).contains(&"INDUSTRY_FUND_ELIGIBLE".into()));
    gate(
        &t,
        &fin,
        id,
        json!({"gate": "industry_fund", "fundable": false, "note": "不属于产业基金投向"}),
    )
    .await;
    // ZB-13a: the report is one of the project's files; a low score cannot support.
    let upload = t
        .upload(
            &format!("/api/v1/projects/{id}/attachments"),
            &fin,
            &[("note", "事前绩效评估报告")],
            "评估报告.pdf",
            b"%PDF-1.4 report",
        )
        .await;
    assert_eq!(upload.status, StatusCode::CREATED, "{}", upload.text);
    let report = upload.json()["id"].as_i64().unwrap();
    let scores = |s: &str, conclusion: &str| json!({"gate": "ex_ante", "necessity": s, "economy": s, "targets": s, "feasibility": s, "financing": s, "conclusion": conclusion, "report_attachment_id": report});
    let r = gate(&t, &fin, id, scores("55", "support")).await;
    assert_eq!(
        (
            r.json()["errors"][0]["code"].as_str(),
            r.json()["errors"][0]["clause"].as_str()
        ),
        (Some("EX_ANTE_CONCLUSION_INCONSISTENT"), Some("ZB-13a")),
        "{}",
        r.text
    );
    let r = gate(&t, &fin, id, scores("55", "no_support")).await;
    assert!(codes(&r.json()["eligibility"]["blocks"]).contains(&"EX_ANTE_NOT_SUPPORTED".into()));
    gate(&t, &fin, id, scores("86.5", "support")).await;
    // ZB-2c: postponed waits in 暂缓; passed returns it to the library.
    let r = gate(
        &t,
        &fin,
        id,
        json!({"gate": "fiscal_capacity", "result": "postponed", "note": "本年财力不足"}),
    )
    .await;
    assert_eq!(
        blocks(&t, &fin, id).await,
        ["PROJECT_POSTPONED", "FISCAL_CAPACITY_POSTPONED"],
        "{}",
        r.text
    );
    let state = t
        .get(&format!("/api/v1/projects/{id}"), Some(&fin))
        .await
        .json()["state"]
        .clone();
    assert_eq!(state, "postponed");
    gate(
        &t,
        &fin,
        id,
        json!({"gate": "fiscal_capacity", "result": "passed", "note": "纳入中期财政规划"}),
    )
    .await;
    assert!(blocks(&t, &fin, id).await.is_empty());
    // ZB-5f: the department finds it not ready; clearing reopens it.
    let dept = t.login("zhuguan").await;
    let r = gate(
        &t,
        &dept,
        id,
        json!({"gate": "not_ready", "reasons": ["preparation"], "note": "可研未批复"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(blocks(&t, &fin, id).await, ["NOT_READY"]);
    gate(
        &t,
        &fin,
        id,
        json!({"gate": "not_ready", "reasons": [], "note": "可研已批复"}),
    )
    .await;
    assert!(blocks(&t, &fin, id).await.is_empty());
    // ZB-11: a unit whose own funds cover the request is warned, not blocked.
    let unit = t.org_id("101001").await;
    let r = t.call(Method::PUT, &format!("/api/v1/orgs/{unit}/own-funds"), Some(&fin), Some(json!({"amount": "300000", "expected_version": t.get(&format!("/api/v1/orgs/{unit}"), Some(&fin)).await.json()["version"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let e = t
        .get(&format!("/api/v1/projects/{id}/eligibility"), Some(&fin))
        .await
        .json();
    assert_eq!(
        (e["eligible"].as_bool(), codes(&e["warnings"])),
        (Some(true), vec!["UNIT_FUNDS_FIRST".to_string()])
    );
    // Every gate record is in the history.
    let history = t
        .get(&format!("/api/v1/projects/{id}"), Some(&fin))
        .await
        .json()["history"]
        .to_string();
    assert!(
        history.contains("记录财政承受能力评估（ZB-2c）"),
        "{history}"
    );
}

async fn finance_lists_keep_every_change_and_refuse_bad_entries(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/lists/special_funds",
            Some(&fin),
            Some(json!({"code": "ZX-1", "name": "专项", "start_year": 2026, "period_years": 6})),
        )
        .await;
    let got: Vec<_> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_string(),
                e["clause"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("FUND_LEAD_MISSING".into(), "QJ-3b".into()),
            ("FUND_PERIOD_INVALID".into(), "ZB-12".into()),
            ("FUND_TASKS_MISSING".into(), "QJ-3b".into())
        ]
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/lists/agencies",
            Some(&fin),
            Some(json!({"code": "JG-1", "name": "某评估公司"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let e = r.json();
    let r = t
        .call(
            Method::POST,
            "/api/v1/lists/agencies",
            Some(&fin),
            Some(json!({"code": "JG-1", "name": "重复"})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "LIST_CODE_TAKEN".into())
    );
    let r = t.call(Method::PUT, &format!("/api/v1/lists/entries/{}", e["id"]), Some(&fin), Some(json!({"entry": {"code": "JG-1", "name": "某评估公司", "blacklisted": true, "note": "报告弄虚作假"}, "active": true, "expected_version": e["version"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t.call(Method::PUT, &format!("/api/v1/lists/entries/{}", e["id"]), Some(&fin), Some(json!({"entry": {"code": "JG-1", "name": "x"}, "active": true, "expected_version": e["version"]}))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "stale version");
    let h = t
        .get(&format!("/api/v1/lists/entries/{}", e["id"]), Some(&fin))
        .await
        .json();
    let actions: Vec<_> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(h["entry"]["blacklisted"], true);
    // Units read the lists; only finance changes them.
    let op = t.login("danwei").await;
    let seen = t.get("/api/v1/lists/agencies", Some(&op)).await.json();
    let jg = seen
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entry"]["code"] == "JG-1");
    assert_eq!(
        jg.map(|e| e["entry"]["blacklisted"].clone()),
        Some(json!(true)),
        "{seen}"
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/lists/agencies",
            Some(&op),
            Some(json!({"code": "JG-2", "name": "y"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_department_passes_dozens_at_once_or_none(backend: Backend) {
    let t = match TestApp::demo_with_projects(backend).await {
        Some(app) => app,
        None => return,
    };
    let dept = t.login("zhuguan").await;
    let q = t.get("/api/v1/reviews/queue", Some(&dept)).await.json();
    let total = q["total"].as_i64().unwrap();
    assert!(total >= 2, "{q}");
    let items: Vec<Value> = q["items"].as_array().unwrap().iter().enumerate().map(|(i, p)| json!({"project_id": p["id"], "decision": "pass", "rank": i + 1, "expected_version": p["version"]})).collect();
    // One without a rank: nothing is saved and the refusal names it.
    let mut bad = items.clone();
    bad[1]["rank"] = Value::Null;
    let r = t
        .call(
            Method::POST,
            "/api/v1/reviews/bulk",
            Some(&dept),
            Some(json!({"items": bad})),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["errors"][0]["field"].as_str()),
        ("BULK_REVIEW_REFUSED".into(), Some("items[1].rank")),
        "{}",
        r.text
    );
    assert_eq!(
        t.get("/api/v1/reviews/queue", Some(&dept)).await.json()["total"].as_i64(),
        Some(total)
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/reviews/bulk",
            Some(&dept),
            Some(json!({"items": items})),
        )
        .await;
    assert_eq!(
        r.json()["done"].as_i64(),
        Some(total.min(100)),
        "{}",
        r.text
    );
    assert_eq!(
        t.get("/api/v1/reviews/queue", Some(&dept)).await.json()["total"].as_i64(),
        Some(total - total.min(100))
    );
    // The home page counts what waits for finance now.
    let fin = t.login("caizheng").await;
    let waiting = t.get("/api/v1/reviews/queue", Some(&fin)).await.json()["total"]
        .as_i64()
        .unwrap();
    assert!(
        waiting >= total.min(100),
        "the passed projects now wait for finance"
    );
    let home = t.get("/", Some(&fin)).await.text;
    assert!(
        home.contains(&format!("<strong>{waiting}</strong> 个项目")),
        "{home}"
    );
}

/// The list pages: finance adds and changes entries in forms, a refusal comes back beside the
/// field with its clause, every change is listed on the entry; others only read.
async fn finance_keeps_the_lists_in_pages_with_history(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let dept_107 = t.org_id("107").await.to_string();
    let fund = |period: &'static str| {
        vec![
            ("code", "ZX-PAGE".to_string()),
            ("name", "页面专项".to_string()),
            ("lead_department_id", dept_107.clone()),
            ("start_year", "2026".to_string()),
            ("period_years", period.to_string()),
            ("tasks", "任务一\n任务二".to_string()),
        ]
    };
    let fields = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    let send = |f: Vec<(&'static str, String)>, path: String, who: Session| {
        let t = &t;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form(&path, &who, &pairs, None).await
        }
    };
    // Nine years is past the profile's limit: refused beside the field, with its clause.
    let r = send(
        fields(&fund("9")),
        "/lists/special_funds".into(),
        fin.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("专项资金须明确执行期限，1–5 年（ZB-12）"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("value=\"ZX-PAGE\""),
        "the form keeps what was typed"
    );
    let r = send(
        fields(&fund("x")),
        "/lists/special_funds".into(),
        fin.clone(),
    )
    .await;
    assert!(r.text.contains("执行期限应为整数"), "{}", r.text);
    let before = t
        .get("/api/v1/lists/special_funds", Some(&fin))
        .await
        .json();
    assert!(
        !before.to_string().contains("ZX-PAGE"),
        "nothing saved on a refusal"
    );
    let r = send(
        fields(&fund("3")),
        "/lists/special_funds".into(),
        fin.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let at = r.headers["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = t.get(&at, Some(&fin)).await.text;
    assert!(page.contains("2026 年起 3 年，最后安排年度 2028"), "{page}");
    assert!(
        page.contains("107 市农业农村局"),
        "the lead department is named"
    );
    // Retire it with a form: the entry stays, marked, and both changes are listed.
    let mut retire = fields(&fund("3"));
    retire.push(("version", "1".into()));
    let r = send(retire.clone(), at.clone(), fin.clone()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = send(retire, at.clone(), fin.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale form is refused");
    let page = t.get(&at, Some(&fin)).await.text;
    assert!(
        page.contains("data-testid=\"entry-status\">已停用"),
        "{page}"
    );
    let history = page.split("entry-history").nth(1).unwrap();
    // Who did it, by the name they go by.
    assert_eq!(
        history.matches("财政局预算科 王会计").count(),
        2,
        "{history}"
    );
    assert!(!history.contains("caizheng"), "{history}");
    assert!(history.contains("新增") && history.contains("修改"));
    // A unit reads the list and the entry, names included, without a form; it cannot post.
    let op = t.login("danwei").await;
    let list = t.get("/lists/special_funds", Some(&op)).await.text;
    assert!(
        list.contains("ZX-PAGE") && list.contains("107 市农业农村局"),
        "{list}"
    );
    assert!(!list.contains("entry-form"));
    let r = send(
        fields(&fund("3")),
        "/lists/special_funds".into(),
        op.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.get("/lists/nonsense", Some(&op)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// A unit's own funds (ZB-11) are kept on its page; a refused amount stays beside the field.
async fn zb_11_a_unit_records_its_own_funds_on_its_page(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let unit = t.org_id("101001").await;
    let version = t
        .get(&format!("/api/v1/orgs/{unit}"), Some(&op))
        .await
        .json()["version"]
        .to_string();
    let path = format!("/orgs/{unit}/own-funds");
    let r = t
        .form(
            &path,
            &op,
            &[("own_funds", "-5"), ("version", &version)],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text
            .contains("data-testid=\"error-own_funds\">金额“-5”不能为负数"),
        "{}",
        r.text
    );
    let r = t
        .form(
            &path,
            &op,
            &[("own_funds", "120000.50"), ("version", &version)],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let o = t
        .get(&format!("/api/v1/orgs/{unit}"), Some(&op))
        .await
        .json();
    assert_eq!(o["own_funds"], "120000.50");
    // Read-only for the audit office.
    let audit = t.login("shenji").await;
    let page = t.get(&format!("/orgs/{unit}"), Some(&audit)).await.text;
    assert!(page.contains("120,000.50 元"), "{page}");
}

backend_tests!(
    finance_keeps_the_lists_in_pages_with_history,
    zb_11_a_unit_records_its_own_funds_on_its_page,
    zb_5a_each_reviewer_decides_in_turn_and_the_panel_admits_with_the_reviewed_amount,
    zb_5e_a_joint_reviewer_sees_only_what_is_routed_to_it,
    every_gate_blocks_funding_with_its_clause_until_satisfied,
    finance_lists_keep_every_change_and_refuse_bad_entries,
    a_department_passes_dozens_at_once_or_none,
);
