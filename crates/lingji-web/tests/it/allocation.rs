//! Zero-based allocation through the API on SQLite and PostgreSQL: resources entered and
//! audited, runs over the admitted projects and the units' basic expenditure (ZB-3, ZB-3b),
//! results applied before ranking (CS-5b), scenarios and comparison, control figures published
//! to departments and units, approval into budget lines, year-on-year statistics (ZX-3a) and
//! the overlap finder (ZB-10).

use crate::common::projects::{admitted, complete, create, meeting_standard};
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

async fn put_resources(
    t: &TestApp,
    s: &Session,
    revenue: &str,
    version: i64,
) -> (StatusCode, Value) {
    let r = t
        .call(
            Method::PUT,
            "/api/v1/allocation/resources/general_public",
            Some(s),
            Some(json!({"year": 2026, "revenue": revenue, "transfers": "0", "recovered": "0",
                "debt": "0", "unit_funds": "0", "note": "2026年收入预测", "expected_version": version})),
        )
        .await;
    (r.status, r.json())
}

async fn run(t: &TestApp, s: &Session, body: Value) -> Value {
    let r = t
        .call(Method::POST, "/api/v1/allocation/runs", Some(s), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

async fn items(t: &TestApp, s: &Session, run: &Value) -> Vec<Value> {
    let r = t
        .get(
            &format!("/api/v1/allocation/runs/{}?limit=1000", run["id"]),
            Some(s),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["items"].as_array().unwrap().clone()
}

fn item<'a>(items: &'a [Value], id: &Value) -> &'a Value {
    items
        .iter()
        .find(|i| i["result"]["id"] == *id)
        .unwrap_or_else(|| panic!("item {id} not in the run"))
}

fn fen(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("money string: {v}"));
    let (y, f) = s.split_once('.').unwrap_or((s, "00"));
    y.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The must-fund total of a run: what the basic expenditure needs (ZB-3b).
fn must_fund(items: &[Value]) -> i64 {
    items
        .iter()
        .filter(|i| i["candidate"]["must_fund"] == true)
        .map(|i| fen(&i["result"]["reviewed"]))
        .sum()
}

async fn zb_3_a_run_funds_basic_expenditure_first_then_tiers_in_order_and_explains_each_project(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let mandatory = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let general = admitted(
        &t,
        "教师风采展示活动",
        "general_development",
        "150000.00",
        json!({}),
    )
    .await;
    // ZB-2d: a project industry funds could carry gets no budget money, listed with the clause.
    let industry = admitted(
        &t,
        "教育装备产业扶持",
        "general_development",
        "100000.00",
        json!({"features": {"training": true, "industry_fund_eligible": true}}),
    )
    .await;

    // Resources: a negative part names its field and saves nothing; a stale version is 409.
    let (status, body) = put_resources(&t, &fin, "-1.00", 0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "revenue", "{body}");
    let (status, body) = put_resources(&t, &fin, "999999999.00", 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 1);
    let (status, body) = put_resources(&t, &fin, "1.00", 0).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let audit_before = t.audit_count().await;

    // A first run with plenty learns what the units' basic expenditure needs.
    let plenty = run(&t, &fin, json!({"year": 2026, "name": "摸底"})).await;
    assert_eq!(plenty["number"], 1);
    let all = items(&t, &fin, &plenty).await;
    let basic = must_fund(&all);
    assert!(basic > 0, "the demo units have staff and standards");
    assert!(
        all.iter()
            .filter(|i| i["candidate"]["must_fund"] == true)
            .all(|i| i["result"]["status"] == "funded")
    );
    assert_eq!(
        t.audit_count().await,
        audit_before + 1,
        "the run is audited"
    );

    // Exactly the basic expenditure plus the mandatory project plus 50,000.00.
    let (status, body) = put_resources(&t, &fin, &yuan(basic + 20_000_000 + 5_000_000), 1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tight = run(&t, &fin, json!({"year": 2026, "name": "一上测算"})).await;
    assert_eq!(tight["number"], 2);
    let all = items(&t, &fin, &tight).await;
    let m = item(&all, &mandatory["id"]);
    assert_eq!(m["result"]["status"], "funded");
    assert_eq!(m["result"]["allocated"], "200000.00");
    assert!(
        m["result"]["explanation"]
            .as_str()
            .unwrap()
            .contains("足额安排 20.00 万元（ZB-3）"),
        "{m}"
    );
    let g = item(&all, &general["id"]);
    assert_eq!(g["result"]["status"], "unfunded");
    assert_eq!(g["result"]["allocated"], "0.00");
    assert!(
        g["result"]["explanation"]
            .as_str()
            .unwrap()
            .contains("余额 5.00 万元低于本项目最低可行额度 15.00 万元"),
        "{g}"
    );
    let x = item(&all, &industry["id"]);
    assert_eq!(x["result"]["status"], "excluded");
    assert!(
        x["result"]["explanation"]
            .as_str()
            .unwrap()
            .contains("ZB-2d"),
        "{x}"
    );
    // Parts add up to the whole, to the fen.
    let sum: i64 = all.iter().map(|i| fen(&i["result"]["allocated"])).sum();
    let book = &tight["book_totals"][0];
    assert_eq!(sum, fen(&book["allocated"]));
    assert_eq!(fen(&book["remaining"]), 5_000_000);

    // ZB-3b: resources below the must-fund items fund nothing else, and say so.
    let short = run(
        &t,
        &fin,
        json!({"year": 2026, "base_run_id": tight["id"], "scenario": {"resources": {"general_public": yuan(basic - 100)}}}),
    )
    .await;
    assert_eq!(short["book_totals"][0]["must_fund_shortfall"], "1.00");
    let all = items(&t, &fin, &short).await;
    assert!(
        item(&all, &mandatory["id"])["result"]["explanation"]
            .as_str()
            .unwrap()
            .contains("ZB-3b")
    );

    // Runs are listed newest first; a unit may not see them.
    let list = t
        .get("/api/v1/allocation/runs?year=2026", Some(&fin))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[0]["number"], 3);
    let op = t.login("danwei").await;
    let r = t.get("/api/v1/allocation/runs?year=2026", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn scenarios_rerun_the_same_inputs_with_changes_and_compare_by_project_and_tier(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    // a may be funded in part down to 100,000.00 (its minimum viable level).
    let a = admitted(
        &t,
        "全市教育工作会议",
        "general_development",
        "200000.00",
        json!({"min_viable": "100000.00"}),
    )
    .await;
    let b = admitted(
        &t,
        "教师风采展示活动",
        "general_development",
        "150000.00",
        json!({}),
    )
    .await;
    let plenty = run(
        &t,
        &fin,
        json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}}),
    )
    .await;
    let basic = must_fund(&items(&t, &fin, &plenty).await);
    let (status, body) = put_resources(&t, &fin, &yuan(basic + 30_000_000), 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let base = run(&t, &fin, json!({"year": 2026, "name": "基准"})).await;
    // Same department rank: the earlier id goes first.
    let all = items(&t, &fin, &base).await;
    assert_eq!(item(&all, &a["id"])["result"]["status"], "funded");
    assert_eq!(item(&all, &b["id"])["result"]["status"], "unfunded");

    // Resources entered after the base run do not reach its scenario either.
    let (status, body) = put_resources(&t, &fin, "1.00", 1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A project admitted after the base run is not in its scenario: the same inputs.
    admitted(
        &t,
        "后入库项目",
        "general_development",
        "1000.00",
        json!({}),
    )
    .await;
    // Finance ranks b first (CS-2a order: finance rank before the department's).
    let ranked = run(
        &t,
        &fin,
        json!({"year": 2026, "name": "财政排序", "base_run_id": base["id"],
            "scenario": {"finance_ranks": {b["id"].to_string(): 1}}}),
    )
    .await;
    let all = items(&t, &fin, &ranked).await;
    assert_eq!(
        all.len(),
        items(&t, &fin, &base).await.len(),
        "same inputs as the base"
    );
    assert_eq!(item(&all, &b["id"])["result"]["status"], "funded");
    assert_eq!(item(&all, &a["id"])["result"]["status"], "partial");
    assert_eq!(
        ranked["scenario_changes"]["finance_ranks"][b["id"].to_string()],
        1
    );

    let c = t
        .get(
            &format!(
                "/api/v1/allocation/compare?a={}&b={}",
                base["id"], ranked["id"]
            ),
            Some(&fin),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    let c = c.json();
    let diffs = c["diff"]["projects"].as_array().unwrap();
    assert_eq!(diffs.len(), 2, "{c}");
    assert_eq!(diffs[0]["id"], b["id"], "the largest change first");
    assert_eq!(diffs[0]["change"], "150000.00");
    assert_eq!(diffs[1]["change"], "-50000.00");
    let tier = c["diff"]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["tier"] == "general_development")
        .unwrap();
    assert_eq!(
        (tier["allocated_a"].as_str(), tier["allocated_b"].as_str()),
        (Some("200000.00"), Some("300000.00"))
    );

    // A rank for a project outside the run, or a bad parameter, names its field; nothing saved.
    let r = t
        .call(Method::POST, "/api/v1/allocation/runs", Some(&fin),
            Some(json!({"year": 2026, "base_run_id": base["id"], "scenario": {"finance_ranks": {"999999": 1}}})))
        .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("finance_ranks.999999")
        ),
        "{}",
        r.text
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/allocation/runs",
            Some(&fin),
            Some(json!({"year": 2026, "scenario": {"parameters": {"allocation.cut_fair": "abc"}}})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("parameters.allocation.cut_fair")
        ),
        "{}",
        r.text
    );
    let list = t
        .get("/api/v1/allocation/runs?year=2026", Some(&fin))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

async fn cs_5b_a_fair_grade_last_year_cuts_the_project_before_ranking_and_zx_3a_counts_it(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let op = t.login("danwei").await;
    // Last year's project of the line, approved 300,000.00, spent all, graded 中.
    let mut body = complete(meeting_standard(&t).await);
    body["year"] = json!(2025);
    let old = create(&t, &op, body).await;
    let old_id = old["id"].as_i64().unwrap();
    {
        let mut tx = t.app.store.begin().await.unwrap();
        lingji_app::store::library::projects::set_outcome(
            &mut tx,
            old_id,
            lingji_domain::Money::from_yuan(300_000),
            lingji_domain::Money::from_yuan(300_000),
            Some(2025),
        )
        .await
        .unwrap();
        lingji_app::store::allocation::put_evaluation(&mut tx, old_id, 7_500, "fair", "test")
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let p = admitted(
        &t,
        "全市教育工作会议",
        "mandatory",
        "200000.00",
        json!({"previous_id": old_id}),
    )
    .await;
    let r = run(
        &t,
        &fin,
        json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}}),
    )
    .await;
    let all = items(&t, &fin, &r).await;
    let x = item(&all, &p["id"]);
    // The Lianyungang-style demo profile cuts 中 by its rate: the adjustment names CS-5b.
    let adj = &x["result"]["adjustments"][0];
    assert_eq!(adj["clause"], "CS-5b", "{x}");
    let cut = fen(&adj["amount"]);
    assert!(cut > 0);
    assert_eq!(fen(&x["result"]["allocated"]), 20_000_000 - cut);
    assert!(
        x["result"]["explanation"]
            .as_str()
            .unwrap()
            .contains("上年绩效评价“中”"),
        "{x}"
    );

    // ZX-3a: against last year's 300,000.00 the project is cut by the difference.
    let s = t
        .get("/api/v1/allocation/statistics?year=2026", Some(&fin))
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    let o = &s.json()["stats"]["overall"];
    assert_eq!(o["cut"]["count"], 1, "{o}");
    assert_eq!(fen(&o["cut"]["amount"]), 30_000_000 - (20_000_000 - cut));
    assert_eq!(o["new"]["count"], 0);
    let x = t
        .get("/api/v1/allocation/statistics/xlsx?year=2026", Some(&fin))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.bytes.starts_with(b"PK"), "an .xlsx (zip) file");
}

async fn control_figures_are_published_to_departments_and_approval_makes_budget_lines(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let p = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let r = run(
        &t,
        &fin,
        json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}}),
    )
    .await;
    let id = r["id"].clone();
    let post = |path: String, body: Option<Value>| {
        let t = &t;
        let fin = fin.clone();
        async move { t.call(Method::POST, &path, Some(&fin), body).await }
    };
    // Order: choose → publish → approve; each step out of order is refused by name.
    let x = post(format!("/api/v1/allocation/runs/{id}/publish"), None).await;
    assert_eq!(
        (x.status, x.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "RUN_NOT_CHOSEN".into())
    );
    let x = post(
        format!("/api/v1/allocation/runs/{id}/approve"),
        Some(json!({"document": "示财预〔2026〕1号"})),
    )
    .await;
    assert_eq!(x.code(), "CONTROL_FIGURES_NOT_PUBLISHED");
    let x = post(format!("/api/v1/allocation/runs/{id}/choose"), None).await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.text);

    // Before publication a unit sees no figures; finance sees the draft.
    let op = t.login("danwei").await;
    let f = t
        .get("/api/v1/control-figures?year=2026", Some(&op))
        .await
        .json();
    assert!(f["run"].is_null(), "{f}");
    let f = t
        .get("/api/v1/control-figures?year=2026", Some(&fin))
        .await
        .json();
    assert!(f["figures"].as_array().unwrap().len() > 1);

    let x = post(format!("/api/v1/allocation/runs/{id}/publish"), None).await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.text);
    let x = post(format!("/api/v1/allocation/runs/{id}/choose"), None).await;
    assert_eq!(x.code(), "CONTROL_FIGURES_PUBLISHED");
    // The unit sees its own figures only; its project money is there.
    let unit_id = p["unit_id"].clone();
    let f = t
        .get("/api/v1/control-figures?year=2026", Some(&op))
        .await
        .json();
    let figures = f["figures"].as_array().unwrap();
    assert!(!figures.is_empty());
    assert!(figures.iter().all(|x| x["unit_id"] == unit_id), "{f}");
    assert_eq!(
        figures.iter().map(|x| fen(&x["projects"])).sum::<i64>(),
        20_000_000
    );
    // The department reviewer sees every unit of his department, none of another.
    let dept = t.login("zhuguan").await;
    let f = t
        .get("/api/v1/control-figures?year=2026", Some(&dept))
        .await
        .json();
    assert!(
        f["figures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["department_id"] == p["department_id"])
    );
    // A joint reviewer has no control figures.
    let joint = t.login("shuju").await;
    assert_eq!(
        t.get("/api/v1/control-figures?year=2026", Some(&joint))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let x = post(
        format!("/api/v1/allocation/runs/{id}/approve"),
        Some(json!({"document": "  "})),
    )
    .await;
    assert_eq!(
        (x.code(), x.json()["field"].as_str()),
        ("APPROVAL_DOCUMENT_REQUIRED".into(), Some("document"))
    );
    let x = post(
        format!("/api/v1/allocation/runs/{id}/approve"),
        Some(json!({"document": "示财预〔2026〕1号"})),
    )
    .await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.text);
    assert_eq!(x.json()["approval_document"], "示财预〔2026〕1号");

    // Budget lines: the project's 200,000.00 spread over its cost lines' economic codes
    // (115,200 : 106,500, remainder fen to the larger share), to the fen; basic expenditure under 301/302 with the 三保 flag.
    let lines = t
        .get("/api/v1/budget-lines?year=2026&limit=1000", Some(&fin))
        .await
        .json();
    let lines = lines.as_array().unwrap();
    let mine: Vec<&Value> = lines
        .iter()
        .filter(|l| l["project_id"] == p["id"])
        .collect();
    let codes: Vec<(&str, &str)> = mine
        .iter()
        .map(|l| {
            (
                l["economic_code"].as_str().unwrap(),
                l["approved"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, [("30215", "103924.22"), ("30216", "96075.78")]);
    assert!(
        mine.iter()
            .all(|l| l["three_guarantees"] == false && l["source_document"] == "示财预〔2026〕1号")
    );
    // Each line's ledger opens with its approval: every stored balance replays from its
    // entries (`lingji audit verify`'s ledger check).
    let ledgers = t.app.foundation().verify_ledger().await.unwrap();
    assert!(matches!(ledgers, Ok(n) if n >= lines.len()), "{ledgers:?}");
    let basic: Vec<&Value> = lines.iter().filter(|l| l["project_id"].is_null()).collect();
    assert!(!basic.is_empty());
    assert!(basic.iter().all(|l| l["three_guarantees"] == true));
    assert!(
        basic
            .iter()
            .all(|l| l["economic_code"] == "301" || l["economic_code"] == "302")
    );
    let project = t
        .get(&format!("/api/v1/projects/{}", p["id"]), Some(&fin))
        .await
        .json();
    assert_eq!(
        (
            project["state"].as_str(),
            project["detail"]["approved"].as_str()
        ),
        (Some("funded"), Some("200000.00"))
    );
    // The unit reads its own lines only; the year is closed to further approval.
    let own = t
        .get("/api/v1/budget-lines?year=2026&limit=1000", Some(&op))
        .await
        .json();
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .all(|l| l["unit_id"] == unit_id)
    );
    let x = post(
        format!("/api/v1/allocation/runs/{id}/approve"),
        Some(json!({"document": "再次"})),
    )
    .await;
    assert_eq!(x.code(), "ALLOCATION_YEAR_APPROVED");
}

async fn zb_10_overlapping_projects_of_two_departments_are_listed(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let a = admitted(
        &t,
        "农村人居环境整治专项资金",
        "general_development",
        "1000.00",
        json!({}),
    )
    .await;
    // Another department's unit with the same function code and a similar name.
    let other = t
        .get("/api/v1/orgs", Some(&fin))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "unit" && o["department_id"] != a["department_id"])
        .cloned()
        .expect("a unit of another department");
    let mut body = complete(meeting_standard(&t).await);
    body["name"] = json!("农村人居环境整治项目");
    body["unit_id"] = other["id"].clone();
    let r = t
        .call(Method::POST, "/api/v1/projects", Some(&fin), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let b = r.json();
    let list = t
        .get("/api/v1/allocation/overlaps?year=2026", Some(&fin))
        .await
        .json();
    assert!(
        list.as_array().unwrap().is_empty(),
        "a project not admitted is not compared: {list}"
    );
    // Its own department's review is another story's; here it is admitted directly.
    {
        let mut tx = t.app.store.begin().await.unwrap();
        lingji_app::store::library::projects::set_state(
            &mut tx,
            b["id"].as_i64().unwrap(),
            lingji_domain::library::ProjectState::Admitted,
            b["version"].as_i64().unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let list = t
        .get("/api/v1/allocation/overlaps?year=2026", Some(&fin))
        .await
        .json();
    let pairs = list.as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{list}");
    assert_eq!(
        (&pairs[0]["a"]["id"], &pairs[0]["b"]["id"]),
        (&a["id"], &b["id"])
    );
    assert_eq!(pairs[0]["pair"]["function_code"], "2050803");
    assert!(
        pairs[0]["pair"]["reason"]
            .as_str()
            .unwrap()
            .contains("ZB-10")
    );
    // Units may not look.
    let op = t.login("danwei").await;
    assert_eq!(
        t.get("/api/v1/allocation/overlaps?year=2026", Some(&op))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn approval_of_a_stale_run_is_refused_and_writes_nothing(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let p = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let r = run(
        &t,
        &fin,
        json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}}),
    )
    .await;
    for step in ["choose", "publish"] {
        let x = t
            .call(
                Method::POST,
                &format!("/api/v1/allocation/runs/{}/{step}", r["id"]),
                Some(&fin),
                None,
            )
            .await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.text);
    }
    // The project leaves the library after the run (here by SQL; the lifecycle is issue 3's).
    {
        let mut tx = t.app.store.begin().await.unwrap();
        let now = t
            .get(&format!("/api/v1/projects/{}", p["id"]), Some(&fin))
            .await
            .json();
        lingji_app::store::library::projects::set_state(
            &mut tx,
            p["id"].as_i64().unwrap(),
            lingji_domain::library::ProjectState::Retired,
            now["detail"]["version"].as_i64().unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let before = t.audit_count().await;
    let x = t
        .call(
            Method::POST,
            &format!("/api/v1/allocation/runs/{}/approve", r["id"]),
            Some(&fin),
            Some(json!({"document": "示财预〔2026〕1号"})),
        )
        .await;
    assert_eq!(
        (x.status, x.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "ALLOCATION_STALE".into()),
        "{}",
        x.text
    );
    assert!(
        x.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("全市教育工作会议")
            || x.text.contains("全市教育工作会议")
    );
    // Nothing written: no lines, no funded projects, no approval, no audit event.
    let lines = t
        .get("/api/v1/budget-lines?year=2026", Some(&fin))
        .await
        .json();
    assert!(lines.as_array().unwrap().is_empty(), "{lines}");
    let runs = t
        .get("/api/v1/allocation/runs?year=2026", Some(&fin))
        .await
        .json();
    assert!(runs[0]["approved_at"].is_null());
    assert_eq!(t.audit_count().await, before);
}

async fn zb_2b_the_reserve_asked_is_set_aside_within_its_cap(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let body = |reserve: &str, version: i64| {
        json!({"year": 2026, "revenue": "100000.00", "transfers": "0", "recovered": "0", "debt": "0",
            "unit_funds": "0", "reserve": reserve, "expected_version": version})
    };
    // More reserve than the book has is refused by the field, with the clause.
    let r = t
        .call(
            Method::PUT,
            "/api/v1/allocation/resources/general_public",
            Some(&fin),
            Some(body("100000.01", 0)),
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.json()["field"].as_str(),
            r.json()["clause"].as_str()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reserve"),
            Some("ZB-2b")
        ),
        "{}",
        r.text
    );
    let r = t
        .call(
            Method::PUT,
            "/api/v1/allocation/resources/general_public",
            Some(&fin),
            Some(body("50000.00", 0)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Plenty of money in the scenario; the reserve asked (50,000.00) is capped at the
    // profile's share of the project spending (200,000.00).
    let run = run(
        &t,
        &fin,
        json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}}),
    )
    .await;
    let book = &run["book_totals"][0];
    // The cap as the profile states it, e.g. "5" (percent).
    let cap = t.get("/api/v1/policy/2026", Some(&fin)).await.json()["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "library.unassigned_reserve_cap")
        .expect("the reserve cap is a policy parameter")["value"]
        .as_str()
        .unwrap()
        .to_string();
    let cap_pct: i64 = cap.trim_end_matches('%').parse().unwrap();
    assert!(cap_pct > 0 && cap_pct < 25, "{cap}");
    assert_eq!(fen(&book["reserve"]), 20_000_000 * cap_pct / 100, "{book}");
    assert!(
        book["reserve_note"].as_str().unwrap().contains("上限"),
        "{book}"
    );
    assert!(book["reserve_note"].as_str().unwrap().contains("ZB-2b"));
    assert_eq!(
        fen(&book["allocated"]) + fen(&book["reserve"]) + fen(&book["remaining"]),
        fen(&book["resources"]),
        "parts add up to the whole"
    );
}

async fn the_workbench_answers_a_wrong_form_beside_its_field_and_saves_nothing(backend: Backend) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let p = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let code = p["code"].as_str().unwrap();
    // Resources: a malformed amount comes back on the page, with the row kept as typed.
    let r = t
        .form(
            "/allocation/resources",
            &fin,
            &[
                ("year", "2026"),
                ("fund_book", "general_public"),
                ("revenue", "十万"),
                ("version", "0"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("有 1 处需补正"), "{}", r.text);
    let v = t
        .get("/api/v1/allocation/resources?year=2026", Some(&fin))
        .await
        .json();
    assert_eq!(v["books"][0]["version"], 0, "nothing saved");
    // The workbench lists the admitted project by code and name, with a rank input of its own.
    let html = t.get("/allocation?year=2026", Some(&fin)).await.text;
    let row = &html[html
        .find(&format!("data-testid=\"rank-row-{code}\""))
        .expect("rank row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("全市教育工作会议") && row.contains(&format!("name=\"rank.{code}\"")),
        "{row}"
    );
    // A rank for a project outside the run: the message beside it, no run saved.
    let r = t
        .form(
            "/allocation/runs",
            &fin,
            &[("year", "2026"), ("name", "页面测算"), ("rank.NOPE", "1")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text
            .contains("项目“NOPE”不在本次测算范围内，请先选择其所在的依据方案（ZB-3）"),
        "{}",
        r.text
    );
    assert!(r.text.contains("页面测算"), "the form keeps what was typed");
    // A rank in words: refused beside the project's row, kept as typed.
    let rank = format!("rank.{code}");
    let r = t
        .form(
            "/allocation/runs",
            &fin,
            &[("year", "2026"), ("name", "页面测算"), (&rank, "一")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let row = &r.text[r
        .text
        .find(&format!("data-testid=\"rank-row-{code}\""))
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("value=\"一\"") && row.contains("名次“一”应为 1 起的整数（1 最优先）（ZB-3）"),
        "{row}"
    );
    // A scenario parameter is one labelled row with the value in force beside it; one the
    // profile refuses is said beside that row, kept as typed (ZB-3).
    let html = t.get("/allocation?year=2026", Some(&fin)).await.text;
    let row = &html[html
        .find("data-testid=\"run-param-allocation.cut_fair\"")
        .expect("the 评价一般压减 row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("name=\"param.allocation.cut_fair\""), "{row}");
    assert!(
        !row.contains(">allocation.cut_fair<"),
        "no key shown: {row}"
    );
    let r = t
        .form(
            "/allocation/runs",
            &fin,
            &[
                ("year", "2026"),
                ("name", "页面测算"),
                ("param.allocation.cut_fair", "三十"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let row = &r.text[r
        .text
        .find("data-testid=\"run-param-allocation.cut_fair\"")
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("value=\"三十\""), "{row}");
    assert!(
        row.contains("field-error\">") && !row.contains("field-error\"></span>"),
        "{row}"
    );
    let runs = t
        .get("/api/v1/allocation/runs?year=2026", Some(&fin))
        .await
        .json();
    assert!(runs.as_array().unwrap().is_empty());
    // The same form with a number in the project's row runs, and the run page explains it.
    let r = t
        .form(
            "/allocation/runs",
            &fin,
            &[("year", "2026"), ("name", "页面测算"), (&rank, "1")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = r.headers["location"].to_str().unwrap().to_string();
    let html = t.get(&page, Some(&fin)).await.text;
    assert!(html.contains("测算完成并已保存"));
    assert!(html.contains(&format!("data-item=\"{code}\"")));
    assert!(
        html.contains("data-chart="),
        "the tier chart's data is on the page"
    );
    // Publishing before choosing is refused on the page, by its message.
    let id = page
        .trim_start_matches("/allocation/runs/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = t
        .form(&format!("/allocation/runs/{id}/publish"), &fin, &[], None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("只能下达已选定为控制数依据的测算方案"));
}

/// Resources are refused at input beyond what an amount may be, in a book, across the books and
/// in a scenario; a run stored with a figure beyond it (entered before the limit) is an error on
/// its page naming the run, not a server error.
async fn resources_beyond_one_trillion_are_refused_and_a_stored_one_breaks_no_page(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let (status, body) = put_resources(&t, &fin, "1000000000000.01", 0).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("MONEY_OUT_OF_RANGE")),
        "{body}"
    );
    let (status, body) = put_resources(&t, &fin, "600000000000", 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = t
        .call(
            Method::PUT,
            "/api/v1/allocation/resources/government_fund",
            Some(&fin),
            Some(
                json!({"year": 2026, "revenue": "300000000000", "transfers": "100000000000.01",
                "recovered": "0", "debt": "0", "unit_funds": "0", "expected_version": 0}),
            ),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.json()["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "MONEY_OUT_OF_RANGE".to_string(),
            Some("revenue")
        ),
        "{}",
        r.text
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/allocation/runs",
            Some(&fin),
            Some(json!({"year": 2026, "scenario": {"resources": {"general_public": "900000000000", "government_fund": "900000000000"}}})),
        )
        .await;
    assert_eq!(r.code(), "MONEY_OUT_OF_RANGE", "{}", r.text);
    // A run whose stored book totals hold 5 万亿元, as runs could before the limit.
    let stored = run(&t, &fin, json!({"year": 2026, "name": "基准"})).await;
    let id = stored["id"].as_i64().unwrap();
    {
        let mut c = t.app.store.write().acquire().await.unwrap();
        let (books,): (String,) = sqlx::query_as("SELECT books FROM allocation_runs WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await
            .unwrap();
        let mut books: Value = serde_json::from_str(&books).unwrap();
        books[0]["resources"] = json!("5000000000000.00");
        sqlx::query("UPDATE allocation_runs SET books = $1 WHERE id = $2")
            .bind(books.to_string())
            .bind(id)
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let r = t
        .get(&format!("/api/v1/allocation/runs/{id}"), Some(&fin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "RUN_FIGURE_UNREADABLE");
    assert!(
        r.json()["title"]
            .as_str()
            .unwrap()
            .contains("5000000000000.00"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("line"), "{}", r.text);
    let page = t.get(&format!("/allocation/runs/{id}"), Some(&fin)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("无法读取"), "{}", page.text);
    // The workbench listing the runs still opens.
    assert_eq!(
        t.get("/allocation?year=2026", Some(&fin)).await.status,
        StatusCode::OK
    );
}

backend_tests!(
    resources_beyond_one_trillion_are_refused_and_a_stored_one_breaks_no_page,
    the_workbench_answers_a_wrong_form_beside_its_field_and_saves_nothing,
    zb_2b_the_reserve_asked_is_set_aside_within_its_cap,
    approval_of_a_stale_run_is_refused_and_writes_nothing,
    zb_3_a_run_funds_basic_expenditure_first_then_tiers_in_order_and_explains_each_project,
    scenarios_rerun_the_same_inputs_with_changes_and_compare_by_project_and_tier,
    cs_5b_a_fair_grade_last_year_cuts_the_project_before_ranking_and_zx_3a_counts_it,
    control_figures_are_published_to_departments_and_approval_makes_budget_lines,
    zb_10_overlapping_projects_of_two_departments_are_listed,
);
