//! Fund pools 资金池 (ZX-3b, ZB-10, ZB-12) through the API: finance merges three special funds
//! of two departments into a pool, a fund already pooled is refused, a unit applies with its
//! admitted project, an allocation over the pool is refused, the allocation within it opens
//! the project's budget lines, and the export lists the members and the total.

use crate::common::projects::admitted;
use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

/// Registers a special fund led by the department `dept` (an id).
async fn fund(t: &TestApp, fin: &Session, code: &str, name: &str, dept: i64) {
    let body = json!({"code": code, "name": name, "lead_department_id": dept, "start_year": 2026,
        "period_years": 3, "tasks": ["统筹使用"]});
    let r = t
        .call(
            Method::POST,
            "/api/v1/lists/special_funds",
            Some(fin),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

fn problem_codes(r: &Value) -> Vec<(String, String, String)> {
    r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("field"), s("clause"))
        })
        .collect()
}

async fn zx_3b_a_pool_of_several_departments_is_applied_to_and_allocated_once(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let op = t.login("danwei").await;
    let (d101, d102) = (t.org_id("101").await, t.org_id("102").await);
    fund(&t, &fin, "T-HY", "测试会议费专项", d101).await;
    fund(&t, &fin, "T-PX", "测试培训费专项", d101).await;
    fund(&t, &fin, "T-ZS", "测试招商引资专项", d102).await;
    let p = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let year = p["fiscal_year"].as_i64().unwrap();

    let body = json!({"name": "测试统筹资金池", "fiscal_year": year, "lead_department_id": d102,
        "deadline": "2100-12-31", "members": [
            {"fund_code": "T-HY", "amount": "10,000"},
            {"fund_code": "T-PX", "amount": "5000.50"},
            {"fund_code": "T-ZS", "amount": "4999.50"}]});
    let r = t
        .call(Method::POST, "/api/v1/pools", Some(&fin), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let pool = r.json();
    let id = pool["id"].as_i64().unwrap();
    assert_eq!(pool["size"], "20000.00", "the members added up to the fen");
    assert_eq!(pool["members"].as_array().unwrap().len(), 3);
    assert_eq!(pool["departments"].as_array().unwrap().len(), 2);
    assert_eq!(pool["open"], true);

    // A fund already in a pool of the year is refused, by its row, citing ZX-3b; so are a
    // pool of one department and a lead outside the members.
    let again = json!({"name": "另一个资金池", "fiscal_year": year, "lead_department_id": d101,
        "deadline": "2100-12-31", "members": [
            {"fund_code": "ZX-NY01", "amount": "100"},
            {"fund_code": "T-PX", "amount": "100"}]});
    let r = t
        .call(Method::POST, "/api/v1/pools", Some(&fin), Some(again))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let errors = problem_codes(&r.json());
    assert!(
        errors.contains(&(
            "POOL_FUND_TAKEN".into(),
            "members[1].fund_code".into(),
            "ZX-3b".into()
        )),
        "{errors:?}"
    );
    assert!(
        r.text.contains("测试统筹资金池"),
        "names the pool it is in: {}",
        r.text
    );
    let one = json!({"name": "单部门资金池", "fiscal_year": year, "lead_department_id": d102,
        "deadline": "2100-12-31", "members": [{"fund_code": "ZX-NY01", "amount": "100"}]});
    let r = t
        .call(Method::POST, "/api/v1/pools", Some(&fin), Some(one))
        .await;
    let errors = problem_codes(&r.json());
    assert!(
        errors
            .iter()
            .any(|e| e.0 == "POOL_ONE_DEPARTMENT" && e.2 == "ZX-3b"),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.0 == "POOL_LEAD_NOT_MEMBER"),
        "{errors:?}"
    );
    // Units do not create pools.
    let r = t
        .call(
            Method::POST,
            "/api/v1/pools",
            Some(&op),
            Some(json!({"name": "x", "fiscal_year": year,
            "lead_department_id": d101, "deadline": "2100-12-31", "members": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The unit applies to the pool with its project: one gate.
    let path = format!("/api/v1/pools/{id}/applications");
    let ask = json!({"project_id": p["id"], "amount": "20000", "purpose": "会议与培训"});
    let r = t
        .call(Method::POST, &path, Some(&op), Some(ask.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let application = r.json();
    assert!(
        application["unit"].as_str().is_some_and(|u| !u.is_empty()),
        "{application}"
    );
    let r = t.call(Method::POST, &path, Some(&op), Some(ask)).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a project applies once: {}",
        r.text
    );
    let over = json!({"project_id": p["id"], "amount": "20000.01"});
    let r = t.call(Method::POST, &path, Some(&fin), Some(over)).await;
    assert!(r.text.contains("POOL_"), "{}", r.text);

    // Finance allocates: more than the pool is refused, and nothing is written.
    let alloc = format!("/api/v1/pools/{id}/allocate");
    let version = t
        .get(&format!("/api/v1/pools/{id}"), Some(&fin))
        .await
        .json()["version"]
        .clone();
    let too_much = json!({"document": "测财预〔2026〕9号", "version": version,
        "shares": [{"application_id": application["id"], "amount": "20000.01"}]});
    let r = t
        .call(Method::POST, &alloc, Some(&fin), Some(too_much))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let errors = problem_codes(&r.json());
    assert!(
        errors.contains(&("POOL_OVER_SIZE".into(), "shares".into(), "ZX-3b".into())),
        "{errors:?}"
    );
    let r = t
        .call(
            Method::POST,
            &alloc,
            Some(&op),
            Some(json!({"document": "x", "version": version, "shares": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "units do not allocate");

    let within = json!({"document": "测财预〔2026〕9号", "version": version,
        "shares": [{"application_id": application["id"], "amount": "15000"}]});
    let r = t.call(Method::POST, &alloc, Some(&fin), Some(within)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(
        (v["given"].clone(), v["left"].clone()),
        (json!("15000.00"), json!("5000.00"))
    );
    assert_eq!(v["applications"][0]["given"], "15000.00");
    assert_eq!(v["document"], "测财预〔2026〕9号");
    // Once allocated, no second allocation and no more applications.
    let r = t
        .call(
            Method::POST,
            &alloc,
            Some(&fin),
            Some(json!({"document": "再分", "version": v["version"], "shares": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    // The share became the project's budget lines over its cost lines, to the fen.
    let lines = t
        .get(
            &format!("/api/v1/budget-lines?year={year}&limit=1000"),
            Some(&fin),
        )
        .await
        .json();
    let mine: Vec<&Value> = lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["project_id"] == p["id"])
        .collect();
    let fen: i64 = mine
        .iter()
        .map(|l| {
            lingji_domain::Money::parse(l["approved"].as_str().unwrap())
                .unwrap()
                .fen()
        })
        .sum();
    assert_eq!(fen, 1_500_000, "{mine:?}");
    assert!(
        mine.iter()
            .all(|l| l["source_document"] == "测财预〔2026〕9号")
    );
    let project = t
        .get(&format!("/api/v1/projects/{}", p["id"]), Some(&fin))
        .await
        .json();
    assert_eq!(project["state"], "funded");

    // The unit reads the pool and its own application; the export lists members and total.
    let seen = t
        .get(&format!("/api/v1/pools/{id}"), Some(&op))
        .await
        .json();
    assert_eq!(seen["applications"].as_array().unwrap().len(), 1);
    let file = t.get(&format!("/api/v1/pools/{id}/xlsx"), Some(&fin)).await;
    assert_eq!(file.status, StatusCode::OK);
    let limits = lingji_app::workbook::Limits {
        columns: 40,
        rows: 10_000,
        cells: 100_000,
    };
    let mut book = lingji_app::workbook::Book::open(&file.bytes, limits).unwrap();
    let members = book.sheet("成员资金").unwrap().expect("sheet 成员资金");
    let names: Vec<&str> = members.iter().skip(1).map(|(_, r)| r[1].as_str()).collect();
    assert_eq!(
        names,
        ["测试会议费专项", "测试培训费专项", "测试招商引资专项", ""]
    );
    assert_eq!(members.last().unwrap().1[0], "合计");
    assert_eq!(members.last().unwrap().1[3], "20000");
    let shares = book.sheet("申报与分配").unwrap().expect("sheet 申报与分配");
    assert_eq!(shares[1].1[6], "15000");
    let list = t
        .get(&format!("/api/v1/pools?year={year}"), Some(&fin))
        .await
        .json();
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "the demo's pool and this one"
    );
}

/// The pools page for finance: the year's pools with sizes and the total; a refused create
/// keeps what was typed and says why beside the fund.
async fn zx_3b_the_pools_page_shows_sizes_and_refuses_beside_the_fund(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let page = t.get("/pools", Some(&fin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("产业发展统筹资金池"), "{}", page.text);
    assert!(page.text.contains("125,000,000.00"), "the demo pool's size");
    assert!(
        page.text.contains("发展和改革委员会") || page.text.contains("发改"),
        "the lead"
    );
    let r = t
        .form(
            "/pools",
            &fin,
            &[
                ("name", "重复资金池"),
                ("fiscal_year", "2026"),
                ("deadline", "2100-01-31"),
                ("lead_department_id", ""),
                ("fund", "ZX-HY01"),
                ("amount.ZX-HY01", "1,000"),
                ("fund", "ZX-NY01"),
                ("amount.ZX-NY01", "一千"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("value=\"重复资金池\""), "the name is kept");
    assert!(
        r.text.contains("value=\"一千\""),
        "the amount is kept as typed"
    );
    assert!(
        r.text
            .contains("data-testid=\"error-fund-ZX-NY01\">纳入金额"),
        "{}",
        r.text
    );
    let units = t.login("danwei").await;
    let page = t.get("/pools", Some(&units)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text.contains("新建资金池"),
        "units do not create pools"
    );
    let pools = t.get("/api/v1/pools", Some(&units)).await.json();
    let page = t
        .get(&format!("/pools/{}", pools[0]["id"]), Some(&units))
        .await;
    assert!(
        page.text.contains("data-testid=\"apply-form\""),
        "units apply: {}",
        page.text
    );
    assert!(!page.text.contains("data-testid=\"allocate-form\""));
}

backend_tests!(
    zx_3b_a_pool_of_several_departments_is_applied_to_and_allocated_once,
    zx_3b_the_pools_page_shows_sizes_and_refuses_beside_the_fund,
);
