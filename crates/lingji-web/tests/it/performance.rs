//! Performance management through the API on SQLite and PostgreSQL: dual monitoring and the
//! suspension it leads to (PM-9), self and key evaluation (PM-10, PM-12), results application
//! feeding the next allocation run (PM-13, CS-5b) and disclosure to the public (PM-5).

use crate::common::TestApp;
use crate::common::projects::{admitted, funded};
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

fn payment(line: i64, key: &str) -> Value {
    json!({
        "payee_name": "示范市会议服务中心", "payee_account": "6222021234567890", "payee_kind": "unit",
        "amount": "1000.00", "economic_code": "30215", "line_id": line, "purpose": "会议场地",
        "date": "2026-07-10", "contract_no": "HT-2026-009", "idempotency_key": key,
    })
}

async fn pm_9_a_red_project_suspended_by_finance_is_blocked_at_payment_until_lifted(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let (project, line) = funded(&t, &op, 2026, 100_000).await;

    // Mid-year, nothing spent and training a third behind: the unit must say why.
    let checkpoint = |reason: &str| {
        json!({"project_id": project, "month": 6, "note": "",
        "indicators": [
            {"actual": "900", "progress": "30", "likelihood": "possible", "reason": reason},
            {"actual": "初见成效", "progress": "50%", "likelihood": "certain"}
        ]})
    };
    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/checkpoints",
            Some(&op),
            Some(checkpoint("")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let errors = r.json()["errors"].clone();
    assert_eq!(errors[0]["code"], "MONITORING_REASON_REQUIRED", "{errors}");
    assert_eq!(errors[0]["field"], "indicators[0].reason");
    assert_eq!(errors[0]["clause"], "PM-9");
    // Not a checkpoint of the profile (June and September).
    let mut wrong = checkpoint("场地改造推迟");
    wrong["month"] = json!(5);
    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/checkpoints",
            Some(&op),
            Some(wrong),
        )
        .await;
    assert_eq!(
        r.json()["errors"][0]["code"],
        "MONITORING_MONTH_NOT_CHECKPOINT",
        "{}",
        r.text
    );

    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/checkpoints",
            Some(&op),
            Some(checkpoint("场地改造推迟，9月集中培训")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = r.json();
    // Spending 0% against 50% of the year: red, whatever the indicators say.
    assert_eq!(
        (c["light"].as_str(), c["spending_rate"].as_u64()),
        (Some("red"), Some(0)),
        "{c}"
    );
    assert_eq!(c["indicator_rate"], 4_000, "mean of 30% and 50%");
    let again = t
        .call(
            Method::POST,
            "/api/v1/performance/checkpoints",
            Some(&op),
            Some(checkpoint("重复")),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "MONITORING_ALREADY_RECORDED");

    // Finance sees it, red first, and suspends payments; the unit may not decide.
    let list = t
        .get("/api/v1/performance/checkpoints?light=red", Some(&fin))
        .await
        .json();
    assert!(
        list.as_array().unwrap().iter().any(|x| x["id"] == c["id"]),
        "{list}"
    );
    let decision = format!("/api/v1/performance/checkpoints/{}/decision", c["id"]);
    let suspend = json!({"decision": "suspend", "reason": "执行进度严重滞后"});
    let r = t
        .call(Method::POST, &decision, Some(&op), Some(suspend.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .call(Method::POST, &decision, Some(&fin), Some(suspend.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["suspended"], true);
    let r = t
        .call(Method::POST, &decision, Some(&fin), Some(suspend))
        .await;
    assert_eq!(r.json()["code"], "MONITORING_ALREADY_DECIDED");

    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&op),
            Some(payment(line, "perf-0001")),
        )
        .await
        .json();
    assert_eq!(
        (p["status"].as_str(), p["refusal"]["clause"].as_str()),
        (Some("blocked"), Some("PM-9")),
        "{p}"
    );
    assert!(
        p["refusal"]["message"]
            .as_str()
            .unwrap()
            .contains("执行进度严重滞后"),
        "{p}"
    );

    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/projects/{project}/payment-suspension/lift"),
            Some(&fin),
            Some(json!({"reason": "已整改，下半年集中实施"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&op),
            Some(payment(line, "perf-0002")),
        )
        .await
        .json();
    assert_eq!(p["status"], "pending", "{p}");
    let list = t
        .get("/api/v1/performance/checkpoints", Some(&fin))
        .await
        .json();
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == c["id"])
        .unwrap();
    assert_eq!(
        (mine["decision"].as_str(), mine["suspended"].as_bool()),
        (Some("suspend"), Some(false))
    );
    // The auditor's trace of the project shows the checkpoint and the decision (ZX-2).
    let audit = t.login("shenji").await;
    let trace = t
        .get(&format!("/api/v1/supervision/{project}"), Some(&audit))
        .await
        .json();
    assert_eq!(trace["checkpoints"][0]["light"], "red", "{trace}");
    assert_eq!(trace["checkpoints"][0]["decision"], "suspend");
}

/// A self-evaluation of the `complete()` project graded 中: training 2,000 of 3,000, teaching
/// quality partly reached (25 of its 33.75), nothing spent.
fn fair_self_evaluation(project: i64) -> Value {
    json!({"project_id": project,
        "actuals": [
            {"actual": "2000", "reason": "下半年培训推迟", "remedy": "次年一季度补训"},
            {"actual": "部分提升", "attainment": "partly", "score": "25", "reason": "覆盖不足", "remedy": "扩大覆盖"}
        ],
        "execution_reason": "资金未支出", "execution_remedy": "加快支付",
        "summary": "完成主要任务"})
}

async fn pm_10_self_evaluation_scores_every_indicator_and_explains_shortfalls(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let (project, _) = funded(&t, &op, 2026, 100_000).await;
    let mut body = fair_self_evaluation(project);
    body["actuals"][0]["remedy"] = json!("");
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/self",
            Some(&op),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let e = &r.json()["errors"][0];
    assert_eq!(
        (
            e["code"].as_str(),
            e["field"].as_str(),
            e["clause"].as_str()
        ),
        (
            Some("EVALUATION_SHORTFALL_UNEXPLAINED"),
            Some("actuals[0].remedy"),
            Some("PM-10")
        )
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/self",
            Some(&op),
            Some(fair_self_evaluation(project)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ev = r.json();
    // 产出 56.25 × 2000/3000 = 37.50; 效益 25; 执行率 0 → 62.50, 中.
    assert_eq!(
        (ev["score"].as_u64(), ev["grade"].as_str()),
        (Some(6_250), Some("fair")),
        "{ev}"
    );
    assert_eq!(ev["scorecard"]["indicators"][0]["weight"], 5_625);
    let xlsx = t
        .get(
            &format!("/api/v1/evaluations/{}/table.xlsx", ev["id"]),
            Some(&op),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an .xlsx (zip) file");
    // Another unit's operator cannot see it.
    let list = t.get("/api/v1/evaluations", Some(&op)).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn pm_12_a_blacklisted_agency_cannot_be_assigned_a_key_evaluation(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let (project, _) = funded(&t, &op, 2026, 100_000).await;
    for (code, black) in [("AG-GOOD", false), ("AG-BAD", true)] {
        let r = t
            .call(
                Method::POST,
                "/api/v1/lists/agencies",
                Some(&fin),
                Some(json!({"code": code, "name": format!("{code} 评估公司"), "blacklisted": black, "note": if black { "弄虚作假" } else { "" }})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let items = json!([
        {"dimension": "decision", "name": "立项依据充分性", "weight": "20", "score": "18"},
        {"dimension": "process", "name": "资金使用合规性", "weight": "20", "score": "16"},
        {"dimension": "output", "name": "产出数量", "weight": "30", "score": "24"},
        {"dimension": "benefit", "name": "社会效益", "weight": "30", "score": "22"}
    ]);
    let key = |agency: &str| json!({"project_id": project, "agency_code": agency, "items": items, "findings": "培训覆盖面不足"});
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/key",
            Some(&fin),
            Some(key("AG-BAD")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        (
            r.json()["errors"][0]["code"].as_str(),
            r.json()["errors"][0]["clause"].as_str()
        ),
        (Some("AGENCY_BLACKLISTED"), Some("PM-12"))
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/key",
            Some(&op),
            Some(key("AG-GOOD")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The report is one of the project's attachments, nothing else.
    let mut body = key("AG-GOOD");
    body["report_attachment_id"] = json!(999_999);
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/key",
            Some(&fin),
            Some(body),
        )
        .await;
    assert_eq!(
        r.json()["errors"][0]["code"],
        "KEY_REPORT_NOT_ATTACHED",
        "{}",
        r.text
    );
    let up = t
        .upload(
            &format!("/api/v1/projects/{project}/attachments"),
            &fin,
            &[],
            "评价报告.pdf",
            b"%PDF-1.4 report",
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.text);
    let mut body = key("AG-GOOD");
    body["report_attachment_id"] = up.json()["id"].clone();
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/key",
            Some(&fin),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["report_attachment_id"], up.json()["id"]);
    // 18 + 16 + 24 + 22 = 80 → 良.
    assert_eq!(
        (r.json()["score"].as_u64(), r.json()["grade"].as_str()),
        (Some(8_000), Some("good"))
    );
}

async fn pm_13_a_project_graded_fair_in_one_year_is_cut_by_the_profiles_rate_the_next(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let (old, _) = funded(&t, &op, 2025, 300_000).await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/self",
            Some(&op),
            Some(fair_self_evaluation(old)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let results = t
        .get("/api/v1/performance/results?year=2025", Some(&fin))
        .await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.text);
    let row = results.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["project_id"] == old)
        .cloned()
        .unwrap();
    assert_eq!(row["grade"], "fair");
    let rate = row["proposed"]["rate"].as_u64().unwrap();
    assert!(rate >= 2_000, "CS-5b: 中 is cut by 20% or more, got {rate}");
    // Another cut needs a reason; the proposal does not.
    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/results?year=2025",
            Some(&fin),
            Some(json!({"project_id": old, "cut": "35"})),
        )
        .await;
    assert_eq!(
        r.json()["code"],
        "RESULT_OVERRIDE_REASON_REQUIRED",
        "{}",
        r.text
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/results?year=2025",
            Some(&fin),
            Some(json!({"project_id": old})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Confirmed: the unit can no longer change its evaluation, nor finance confirm twice.
    let again = t
        .call(
            Method::POST,
            "/api/v1/evaluations/self",
            Some(&op),
            Some(fair_self_evaluation(old)),
        )
        .await;
    assert_eq!(
        (again.status, again.json()["code"].as_str()),
        (StatusCode::CONFLICT, Some("EVALUATION_RESULT_APPLIED"))
    );
    let twice = t
        .call(
            Method::POST,
            "/api/v1/performance/results?year=2025",
            Some(&fin),
            Some(json!({"project_id": old})),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Next year's project of the same line is cut by that rate before ranking.
    let p = admitted(
        &t,
        "全市教育工作会议",
        "mandatory",
        "200000.00",
        json!({"previous_id": old}),
    )
    .await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/allocation/runs",
            Some(&fin),
            Some(json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let run = r.json();
    let items = t
        .get(
            &format!("/api/v1/allocation/runs/{}?limit=1000", run["id"]),
            Some(&fin),
        )
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .clone();
    let x = items.iter().find(|i| i["result"]["id"] == p["id"]).unwrap();
    let adj = &x["result"]["adjustments"][0];
    assert_eq!(adj["clause"], "CS-5b", "{x}");
    // 200,000.00 × rate, to the fen.
    let expected_fen = 20_000_000 * i64::try_from(rate).unwrap() / 10_000;
    assert_eq!(
        adj["amount"],
        format!("{}.{:02}", expected_fen / 100, expected_fen % 100),
        "{x}"
    );
    assert!(
        adj["label"].as_str().unwrap().contains("上年绩效评价“中”"),
        "{x}"
    );

    // Choose the run: the 2026 results page reports what it took off for 2025's results.
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/allocation/runs/{}/choose", run["id"]),
            Some(&fin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .get("/api/v1/performance/results?year=2026", Some(&fin))
        .await
        .json();
    assert_eq!(r["reductions"]["projects"], 1, "{r}");
    assert_eq!(r["reductions"]["amount"], adj["amount"]);
}

async fn pm_13_finance_may_override_the_proposal_with_a_reason_and_retire_a_project(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let (old, _) = funded(&t, &op, 2025, 300_000).await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/self",
            Some(&op),
            Some(fair_self_evaluation(old)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/results?year=2025",
            Some(&fin),
            Some(json!({"project_id": old, "retire": true, "reason": "政策到期，效益不明显"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = admitted(
        &t,
        "全市教育工作会议",
        "mandatory",
        "200000.00",
        json!({"previous_id": old}),
    )
    .await;
    let run = t
        .call(
            Method::POST,
            "/api/v1/allocation/runs",
            Some(&fin),
            Some(json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}})),
        )
        .await
        .json();
    let items = t
        .get(
            &format!("/api/v1/allocation/runs/{}?limit=1000", run["id"]),
            Some(&fin),
        )
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .clone();
    let x = items.iter().find(|i| i["result"]["id"] == p["id"]).unwrap();
    assert_eq!(
        (
            x["result"]["status"].as_str(),
            x["result"]["adjustments"][0]["clause"].as_str()
        ),
        (Some("cancelled"), Some("PM-13")),
        "{x}"
    );
    assert_eq!(x["result"]["allocated"], "0.00");
}

async fn pm_5_the_public_sees_what_is_published_and_nothing_else(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let (shown, _) = funded(&t, &op, 2026, 100_000).await;
    let (hidden, _) = funded(&t, &op, 2026, 100_000).await;
    let mut ids = Vec::new();
    for p in [shown, hidden] {
        let r = t
            .call(
                Method::POST,
                "/api/v1/evaluations/self",
                Some(&op),
                Some(fair_self_evaluation(p)),
            )
            .await;
        ids.push(r.json()["id"].clone());
    }
    let r = t
        .call(
            Method::POST,
            "/api/v1/publications",
            Some(&op),
            Some(json!({"kind": "self_evaluation", "source": ids[0].to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "units do not publish");
    let r = t
        .call(
            Method::POST,
            "/api/v1/publications",
            Some(&fin),
            Some(json!({"kind": "self_evaluation", "source": ids[0].to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let published = r.json();
    let r = t
        .call(
            Method::POST,
            "/api/v1/publications",
            Some(&fin),
            Some(json!({"kind": "project_targets", "source": shown.to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let targets = r.json();

    // Anonymous: the list, each item, the open data — published copies only.
    let list = t.get("/api/v1/public/publications", None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let list = list.json();
    let mut seen: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    seen.sort_unstable();
    let mut want = vec![
        published["id"].as_i64().unwrap(),
        targets["id"].as_i64().unwrap(),
    ];
    want.sort_unstable();
    assert_eq!(seen, want, "{list}");
    // One 地区 of the deployment (a province's holds many): the same two; an unknown one is
    // refused by name.
    let here = t
        .get("/api/v1/public/publications?region=329900", None)
        .await;
    assert_eq!(here.status, StatusCode::OK, "{}", here.text);
    assert_eq!(here.json(), list);
    let nowhere = t
        .get("/api/v1/public/publications?region=329999", None)
        .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nowhere.json()["code"], "REGION_UNKNOWN", "{}", nowhere.text);
    assert_eq!(nowhere.json()["field"], "region", "{}", nowhere.text);
    let one = t
        .get(
            &format!("/api/v1/public/publications/{}", published["id"]),
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()["body"]["grade"], "中");
    // The hidden evaluation is reachable through no public path.
    let hidden_eval = ids[1].as_i64().unwrap();
    for path in [
        format!("/api/v1/evaluations/{hidden_eval}"),
        "/api/v1/evaluations".to_string(),
        "/api/v1/performance/results".to_string(),
    ] {
        assert_eq!(
            t.get(&path, None).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let csv = t.get("/api/v1/public/open-data.csv", None).await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = String::from_utf8(csv.bytes.to_vec()).unwrap();
    assert!(csv.starts_with('\u{feff}'), "BOM for Excel");
    assert_eq!(csv.lines().count(), 3, "header and two items: {csv}");
    assert!(
        csv.contains("单位自评结果") && csv.contains("项目绩效目标"),
        "{csv}"
    );
    let json_data = t.get("/api/v1/public/open-data.json", None).await.json();
    assert_eq!(json_data.as_array().unwrap().len(), 2);

    // Withdrawn: gone from every public path; a later edit never reaches the copy.
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/publications/{}/withdraw", published["id"]),
            Some(&fin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let gone = t
        .get(
            &format!("/api/v1/public/publications/{}", published["id"]),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let page = t.get(&format!("/public/{}", published["id"]), None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = t.get("/public", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page
            .text
            .contains(&format!("/public/{}\"", published["id"]))
    );
    assert!(page.text.contains(&format!("/public/{}\"", targets["id"])));
    let all = t.get("/api/v1/publications", Some(&fin)).await.json();
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "finance still sees the withdrawn one"
    );
}

/// The department of the demo's unit 101001.
async fn department_of(t: &TestApp, fin: &crate::common::Session) -> Value {
    t.get(
        &format!("/api/v1/orgs/{}", t.org_id("101001").await),
        Some(fin),
    )
    .await
    .json()["department_id"]
        .clone()
}

/// The special fund ZX-EDU led by `department_id`, registered by finance (ZB-12).
async fn special_fund(t: &TestApp, fin: &crate::common::Session, department_id: &Value) {
    let r = t
        .call(Method::POST, "/api/v1/lists/special_funds", Some(fin), Some(json!({"code": "ZX-EDU", "name": "教师培训专项资金",
            "note": "示范市教师队伍建设实施意见", "lead_department_id": department_id, "start_year": 2026, "period_years": 3,
            "tasks": ["培训教师 3000 人次"]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

async fn pm_2_department_and_policy_targets_are_checked_evaluated_from_the_ledger_and_published(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let dept = t.login("zhuguan").await;
    let fin = t.login("caizheng").await;
    let (project, _) = funded(&t, &op, 2026, 100_000).await;
    let department_id = department_of(&t, &fin).await;
    let targets = |subject: &str, value: &str| {
        json!({"subject": subject, "name": "市教育局 2026 年部门整体绩效目标", "budget": "5000000",
            "overall_goal": "保障教育事业平稳运行",
            "indicators": [{"category": "quantity", "name": "培训教师人次", "comparator": "ge", "target_value": value, "unit": "人次"}]})
    };
    let path = "/api/v1/performance/targets?year=2026";
    let r = t
        .call(
            Method::POST,
            path,
            Some(&op),
            Some(targets("department", "3000")),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a unit does not set its department's targets"
    );
    let r = t
        .call(
            Method::POST,
            path,
            Some(&dept),
            Some(targets("department", "很多")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let e = &r.json()["errors"][0];
    assert_eq!(
        (e["field"].as_str(), e["clause"].as_str()),
        (Some("indicators[0].target_value"), Some("PM-7"))
    );
    let r = t
        .call(
            Method::POST,
            path,
            Some(&dept),
            Some(targets("department", "3000")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let department = r.json();
    assert_eq!(department["department_id"], department_id);
    let again = t
        .call(
            Method::POST,
            path,
            Some(&dept),
            Some(targets("department", "3000")),
        )
        .await;
    assert_eq!(
        (again.status, again.json()["code"].as_str()),
        (StatusCode::CONFLICT, Some("TARGET_EXISTS"))
    );

    // The department's self-evaluation reads the department's lines: 100,000.00 budgeted, none spent.
    let r = t
        .call(Method::POST, "/api/v1/evaluations/self", Some(&dept), Some(json!({"target_id": department["id"],
            "actuals": [{"actual": "3000"}], "execution_reason": "年中", "execution_remedy": "加快"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ev = r.json();
    assert_eq!(
        (ev["budget"].as_str(), ev["score"].as_u64()),
        (Some("100000.00"), Some(9_000)),
        "{ev}"
    );

    // A policy: a special fund led by the department, carried out by the funded project.
    special_fund(&t, &fin, &department_id).await;
    let code = t
        .get(&format!("/api/v1/projects/{project}"), Some(&fin))
        .await
        .json()["code"]
        .clone();
    let mut policy = targets("policy", "3000");
    policy["policy_code"] = json!("ZX-EDU");
    policy["name"] = json!("教师培训专项资金绩效目标");
    policy["projects"] = json!([code]);
    let r = t.call(Method::POST, path, Some(&dept), Some(policy)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let policy = r.json();
    assert_eq!(policy["projects"], json!([project]));
    let list = t
        .get("/api/v1/performance/targets?year=2026", Some(&dept))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        t.get("/api/v1/performance/targets?year=2026", Some(&op))
            .await
            .json(),
        json!([])
    );

    // Evaluated poorly, the policy's fund is retired from the registry (PM-13).
    let r = t
        .call(
            Method::POST,
            "/api/v1/evaluations/self",
            Some(&dept),
            Some(json!({"target_id": policy["id"],
            "actuals": [{"actual": "900", "reason": "覆盖不足", "remedy": "调整政策"}],
            "execution_reason": "年中", "execution_remedy": "加快"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["grade"], "poor", "{}", r.text);
    let retire = json!({"target_id": policy["id"], "reason": "效益不明显，予以取消"});
    let r = t
        .call(
            Method::POST,
            "/api/v1/performance/results/policies?year=2026",
            Some(&fin),
            Some(retire.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["retired"], true);
    let funds = t
        .get("/api/v1/lists/special_funds", Some(&fin))
        .await
        .json();
    let fund = funds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["entry"]["code"] == "ZX-EDU")
        .unwrap()
        .clone();
    assert_eq!(fund["active"], false, "{fund}");
    let again = t
        .call(
            Method::POST,
            "/api/v1/performance/results/policies?year=2026",
            Some(&fin),
            Some(retire),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    // Published: the public reads the table as it was.
    let r = t
        .call(
            Method::POST,
            "/api/v1/publications",
            Some(&fin),
            Some(json!({"kind": "targets", "source": policy["id"].to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let item = t
        .get(
            &format!("/api/v1/public/publications/{}", r.json()["id"]),
            None,
        )
        .await
        .json();
    assert_eq!(item["body"]["policy_code"], "ZX-EDU");
    assert_eq!(item["body"]["indicators"][0]["target"], "≥3000人次");
}

fn workbook(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "项目编码",
        "监控月份",
        "指标名称",
        "实际完成",
        "完成进度(%)",
        "完成可能性",
        "原因及措施",
    ];
    for (r, row) in std::iter::once(&header).chain(rows.iter()).enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet
                .write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *v)
                .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn pm_9_a_monitoring_workbook_is_recorded_whole_or_refused_by_cell(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let (a, _) = funded(&t, &op, 2026, 100_000).await;
    let (b, _) = funded(&t, &op, 2026, 100_000).await;
    let code = |id: i64| {
        let t = &t;
        let op = &op;
        async move {
            t.get(&format!("/api/v1/projects/{id}"), Some(op))
                .await
                .json()["code"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let (ca, cb) = (code(a).await, code(b).await);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let path = "/api/v1/performance/checkpoints/import";
    // A bad progress cell refuses the whole file, naming the cell.
    let bad = workbook(&[
        [&ca, "6", "培训教师人次", "1600", "60", "确定能", ""],
        [&ca, "6", "教学质量", "初见成效", "60", "确定能", ""],
        [&cb, "6", "培训教师人次", "1500", "很多", "确定能", ""],
        [&cb, "6", "教学质量", "初见成效", "60", "确定能", ""],
    ]);
    let r = t.raw(path, &op, xlsx, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let e = &r.json()["errors"][0];
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("MONITORING_PROGRESS_INVALID"), Some("第 4 行 E 列"))
    );
    // Behind without a reason: refused for that project, nothing of the other kept.
    let behind = workbook(&[
        [&ca, "6", "培训教师人次", "1600", "60", "确定能", ""],
        [&ca, "6", "教学质量", "初见成效", "60", "确定能", ""],
        [&cb, "6", "培训教师人次", "300", "10", "有可能", ""],
        [&cb, "6", "教学质量", "初见成效", "60", "确定能", ""],
    ]);
    let r = t.raw(path, &op, xlsx, behind).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.json()["errors"][0]["code"],
        "MONITORING_REASON_REQUIRED",
        "{}",
        r.text
    );
    assert!(
        r.json()["title"].as_str().unwrap().contains(&cb),
        "the refusal names the project: {}",
        r.text
    );
    let list = t
        .get("/api/v1/performance/checkpoints", Some(&op))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing kept: {list}");
    let good = workbook(&[
        [&ca, "6", "培训教师人次", "1600", "60", "确定能", ""],
        [&ca, "6", "教学质量", "初见成效", "60", "确定能", ""],
        [&cb, "6", "教学质量", "初见成效", "60", "确定能", ""],
        [
            &cb,
            "6",
            "培训教师人次",
            "300",
            "10",
            "有可能",
            "师资紧张，9月补齐",
        ],
    ]);
    // A name the target table does not have is refused by its row.
    let unknown = workbook(&[
        [&ca, "6", "培训教师人次", "1600", "60", "确定能", ""],
        [&ca, "6", "教学水平", "初见成效", "60", "确定能", ""],
    ]);
    let r = t.raw(path, &op, xlsx, unknown).await;
    let e = &r.json()["errors"][0];
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("MONITORING_INDICATOR_UNKNOWN"), Some("第 3 行 C 列")),
        "{}",
        r.text
    );
    let r = t.raw(path, &op, xlsx, good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["recorded"], 2);
    // Rows in another order than the table land on their own indicators.
    let list = t
        .get("/api/v1/performance/checkpoints", Some(&op))
        .await
        .json();
    let of_b = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["project_id"] == b)
        .unwrap()
        .clone();
    assert_eq!(
        (
            of_b["indicators"][0]["name"].as_str(),
            of_b["indicators"][0]["progress"].as_u64()
        ),
        (Some("培训教师人次"), Some(1_000)),
        "{of_b}"
    );
    let r = t.raw(path, &op, xlsx, b"not a workbook".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
}

/// PM-2 on the page: a policy's projects are picked from the library by code or name, one per
/// row; a code that names no project is refused beside its row with the rows kept, and the saved
/// policy shows its projects again by code.
async fn pm_2_a_policys_projects_are_picked_on_the_page(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let dept = t.login("zhuguan").await;
    let (project, _) = funded(&t, &op, 2026, 100_000).await;
    let p = t
        .get(&format!("/api/v1/projects/{project}"), Some(&dept))
        .await
        .json();
    let (code, name) = (p["code"].as_str().unwrap(), p["name"].as_str().unwrap());
    let fin = t.login("caizheng").await;
    special_fund(&t, &fin, &department_of(&t, &fin).await).await;
    let page = t
        .get("/performance/targets?year=2026", Some(&dept))
        .await
        .text;
    assert!(
        page.contains(&format!("<option value=\"{code}\">{code} {name}</option>")),
        "the funded project is in the picker"
    );
    assert!(
        page.contains("<option value=\"ZX-EDU\">ZX-EDU 教师培训专项资金</option>"),
        "so is the special fund"
    );
    assert!(!page.contains("逗号或换行分隔"), "no list of codes to type");
    let picked = format!("{code} {name}");
    let post = |rows: Vec<(&'static str, String)>| {
        let (t, dept) = (&t, &dept);
        async move {
            let mut form: Vec<(&str, String)> = vec![
                ("year", "2026".into()),
                ("subject", "policy".into()),
                ("policy_code", "ZX-EDU".into()),
                ("name", "教师培训专项资金绩效目标".into()),
                ("budget", "3,000".into()),
                ("overall_goal", "培训教师".into()),
                ("indicators[0].category", "quantity".into()),
                ("indicators[0].name", "培训教师人次".into()),
                ("indicators[0].comparator", "ge".into()),
                ("indicators[0].target_value", "3000".into()),
                ("indicators[0].unit", "人次".into()),
            ];
            form.extend(rows);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form("/performance/targets", dept, &pairs, None).await
        }
    };
    // Rows 1 and 3 filled, the first with a code no project has.
    let refused = post(vec![
        ("projects[1]", "XX2026-9999".into()),
        ("projects[3]", picked.clone()),
    ])
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    let row0 = refused
        .text
        .find("data-testid=\"target-project-0\"")
        .expect("row 0");
    let row1 = refused
        .text
        .find("data-testid=\"target-project-1\"")
        .unwrap();
    let first = &refused.text[row0..row1];
    assert!(first.contains("项目编码“XX2026-9999”不存在"), "{first}");
    assert!(
        refused.text[row1..].contains(&format!("value=\"{code}\"")),
        "the picked project is kept in the next row"
    );
    let saved = post(vec![("projects[3]", picked)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let list = t
        .get("/api/v1/performance/targets?year=2026", Some(&dept))
        .await
        .json();
    let policy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["subject"] == "policy")
        .expect("the policy");
    assert_eq!(policy["projects"], json!([project]));
    let edit = t
        .get(
            &format!("/performance/targets?year=2026&edit={}", policy["id"]),
            Some(&dept),
        )
        .await
        .text;
    let row0 = edit.find("data-testid=\"target-project-0\"").unwrap();
    let tag = &edit[edit[..row0].rfind('<').unwrap()..row0];
    assert!(tag.contains(&format!("value=\"{code}\"")), "{tag}");
}

/// After finance suspends or stops a red project's payments on the monitoring page, the page
/// says what happened, read from the stored checkpoint and the project's lines (PM-9): the
/// project by code and name, how many lines and how much they still had, not 已保存.
async fn pm_9_the_monitoring_page_says_whose_payments_were_suspended_and_how_much(
    backend: Backend,
) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    for (decision, verb) in [("suspend", "暂缓"), ("stop", "停止")] {
        let (project, _) = funded(&t, &op, 2026, 350_000).await;
        let r = t
            .call(
                Method::POST,
                "/api/v1/performance/checkpoints",
                Some(&op),
                Some(json!({"project_id": project, "month": 6, "note": "",
                "indicators": [
                    {"actual": "900", "progress": "30", "likelihood": "possible", "reason": "场地改造推迟"},
                    {"actual": "初见成效", "progress": "50%", "likelihood": "certain"}
                ]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let checkpoint = r.json()["id"].as_i64().unwrap();
        let p = t
            .get(&format!("/api/v1/projects/{project}"), Some(&fin))
            .await
            .json();
        let named = format!(
            "{} {}",
            p["code"].as_str().unwrap(),
            p["name"].as_str().unwrap()
        );
        let r = t
            .form(
                &format!("/performance/monitoring/{checkpoint}/decision"),
                &fin,
                &[("decision", decision), ("reason", "执行进度严重滞后")],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let to = r.headers["location"].to_str().unwrap().to_string();
        let page = t.get(&to, Some(&fin)).await.text;
        let said = format!("已{verb} {named} 的拨款，涉及 1 条指标 35.00 万元");
        assert!(page.contains(&said), "{said} in {page}");
        assert!(!page.contains("已保存"), "{page}");
    }
    // The message is computed from the store: a forged or foreign record says nothing.
    let page = t
        .get(
            "/performance/monitoring?done=decided&record=999999",
            Some(&fin),
        )
        .await
        .text;
    assert!(!page.contains("的拨款，涉及"), "{page}");
}

backend_tests!(
    pm_9_a_monitoring_workbook_is_recorded_whole_or_refused_by_cell,
    pm_2_department_and_policy_targets_are_checked_evaluated_from_the_ledger_and_published,
    pm_2_a_policys_projects_are_picked_on_the_page,
    pm_9_a_red_project_suspended_by_finance_is_blocked_at_payment_until_lifted,
    pm_10_self_evaluation_scores_every_indicator_and_explains_shortfalls,
    pm_12_a_blacklisted_agency_cannot_be_assigned_a_key_evaluation,
    pm_13_a_project_graded_fair_in_one_year_is_cut_by_the_profiles_rate_the_next,
    pm_13_finance_may_override_the_proposal_with_a_reason_and_retire_a_project,
    pm_5_the_public_sees_what_is_published_and_nothing_else,
    pm_9_the_monitoring_page_says_whose_payments_were_suspended_and_how_much,
);
