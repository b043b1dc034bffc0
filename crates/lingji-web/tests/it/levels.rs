//! A province, the demo city and two counties in one deployment (issue 21), on SQLite and
//! PostgreSQL: the province's monitoring rule blocks a payment below it and says it is the
//! province's (ZX-4b); the city reads the rule and cannot change it; the province reads the
//! jurisdictions below — dashboard, drill-down, their lists — and never writes there.

use crate::common::lines::line;
use crate::common::{Session, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lingji_app::foundation::profiles::YearSource;
use lingji_app::foundation::users::NewUser;
use lingji_app::store::{Backend, backend_tests};
use lingji_app::{Caller, Scope};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::policy::Preset;
use serde_json::{Value, json};

/// A request as `s` reading the jurisdiction below with 区划 code `region`.
async fn below(
    t: &TestApp,
    method: Method,
    path: &str,
    s: &Session,
    region: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::COOKIE, format!("lingji_session={}", s.cookie))
        .header("x-lingji-region", region);
    if method != Method::GET {
        b = b.header("x-csrf-token", &s.csrf);
    }
    let request = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    };
    let r = t.send(request.unwrap()).await;
    let json = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    (r.status, json)
}

/// Builds the province 320000 above the demo city (329900) and two counties under the city,
/// through the use cases the CLI's `lingji jurisdiction add … --parent` calls, with a finance
/// officer (shengcai), an auditor (shengshenji) and an administrator (shengadmin) in the province
/// and a finance officer in the first county (xiancai).
pub(crate) async fn province(t: &TestApp) {
    let f = t.app.foundation();
    let system = Caller::System;
    let year = FiscalYear::new(2026).unwrap();
    let p = f
        .create_jurisdiction(&system, "320000", "试验省", &[], None)
        .await
        .unwrap();
    f.start_year(
        &Scope::system(p.id),
        year,
        YearSource::Preset(Preset::LianyungangCity),
        true,
    )
    .await
    .unwrap();
    let city = t.org_id("329900").await;
    f.place_under(&system, city, "320000").await.unwrap();
    for (code, name) in [("329901", "甲县"), ("329902", "乙县")] {
        let c = f
            .create_jurisdiction(&system, code, name, &[], Some("329900"))
            .await
            .unwrap();
        f.start_year(
            &Scope::system(c.id),
            year,
            YearSource::FromUpper(city),
            true,
        )
        .await
        .unwrap();
    }
    let county = t.org_id("329901").await;
    for (username, role, org) in [
        ("shengcai", "finance_officer", p.id),
        ("shengshenji", "auditor", p.id),
        ("shengadmin", "administrator", p.id),
        ("xiancai", "finance_officer", county),
    ] {
        t.app
            .accounts()
            .add_user(
                &system,
                NewUser {
                    username: username.into(),
                    display_name: Some(format!("{username} 财政")),
                    role: role.into(),
                    org: org.to_string(),
                    password: "lingji-demo".into(),
                },
            )
            .await
            .unwrap();
    }
}

async fn zx_4b_a_province_rule_blocks_a_payment_below_and_the_province_reads_what_happened(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    province(&t).await;
    let sheng = t.login("shengcai").await;
    let xian = t.login("xiancai").await;
    let city = t.login("caizheng").await;
    let unit = t.login("danwei").await;

    // A level that does not fit is refused naming the parent.
    let wrong = t
        .app
        .foundation()
        .create_jurisdiction(&Caller::System, "329903", "丙县", &[], Some("430000"))
        .await
        .unwrap_err();
    assert!(
        format!("{wrong:?}").contains("UPPER_JURISDICTION_UNKNOWN"),
        "{wrong:?}"
    );

    let rule = json!({
        "class": "大额支付", "name": "单笔超过五万元", "expression": "payment.amount > 50000",
        "action": "block", "message": "省定：单笔超过五万元须先报批", "clause": "ZX-4b", "enabled": true,
    });
    let r = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/S01-01",
            Some(&sheng),
            Some(rule),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The city's catalogue shows the province's rule as the province's, not to be edited.
    let rules = t.get("/api/v1/monitoring-rules", Some(&city)).await.json();
    let inherited = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "320000/S01-01")
        .unwrap_or_else(|| panic!("{rules}"));
    assert_eq!(
        (
            inherited["inherited"].as_bool(),
            inherited["level_label"].as_str()
        ),
        (Some(true), Some("省级"))
    );
    let own = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "B01-01")
        .unwrap();
    assert_eq!(
        (own["inherited"].as_bool(), own["level_label"].as_str()),
        (Some(false), Some("市级"))
    );
    // Nor switched off below: the code names the province's rule and is refused.
    let off = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/320000%2FS01-01",
            Some(&city),
            Some(json!({"class": "大额支付", "name": "x", "expression": "false", "action": "notice", "message": "x", "enabled": false, "version": 1})),
        )
        .await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", off.text);
    assert_eq!(off.json()["code"], "RULE_SET_ABOVE");
    assert_eq!(off.json()["clause"], "ZX-4b");

    // A unit of the city pays 60,000 元: the province's rule blocks it and says so.
    let id = line(&t, "101001", "302", 100_000, None).await;
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({
                "payee_name": "示范市办公用品有限公司", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "60000.00", "economic_code": "30201", "line_id": id,
                "purpose": "采购办公设备", "date": "2026-03-10", "contract_no": "HT-2026-009",
                "idempotency_key": "province-rule-1",
            })),
        )
        .await
        .json();
    assert_eq!(p["status"], "blocked", "{p}");
    assert!(
        p["refusal"]["message"]
            .as_str()
            .unwrap()
            .contains("320000/S01-01"),
        "{p}"
    );
    let hits = t
        .get("/api/v1/rule-hits?year=2026", Some(&city))
        .await
        .json();
    let hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["code"] == "320000/S01-01")
        .unwrap_or_else(|| panic!("{hits}"));
    assert_eq!(hit["level_label"], "省级");
    let stats = t
        .get("/api/v1/rule-hits/stats?year=2026", Some(&city))
        .await
        .json();
    let by_rule = stats["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "320000/S01-01")
        .unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(
        (
            by_rule["level_label"].as_str(),
            by_rule["hits"].as_i64(),
            by_rule["stopped"].as_i64()
        ),
        (Some("省级"), Some(1), Some(1))
    );
    // The province's first edit installed the shipped catalogue there, so from now on those
    // rules screen the city as the province's: every hit of this payment is a province hit.
    let levels: Vec<&str> = stats["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["class"].as_str().unwrap())
        .collect();
    assert_eq!(levels, vec!["省级"], "{stats}");
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .all(|h| h["level_label"] == "省级"),
        "{hits}"
    );

    // The province reads the city's payments by naming it, and writes nothing there.
    let (status, list) = below(
        &t,
        Method::GET,
        "/api/v1/payments?year=2026",
        &sheng,
        "329900",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(
        list.as_array().unwrap().iter().any(|x| x["id"] == p["id"]),
        "{list}"
    );
    let (status, _) = below(
        &t,
        Method::PUT,
        "/api/v1/monitoring-rules/X99-01",
        &sheng,
        "329900",
        Some(json!({"class": "大额支付", "name": "x", "expression": "payment.amount > 1", "action": "notice", "message": "x", "enabled": false})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A county reads nothing of its neighbour or its city; an unknown code reveals nothing.
    for region in ["329902", "329900", "329999"] {
        let (status, _) = below(&t, Method::GET, "/api/v1/payments", &xian, region, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{region}");
    }

    // The dashboard gathers all four; the city's stopped payment shows on its row.
    let d = t
        .get("/api/v1/province-dashboard?year=2026", Some(&sheng))
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    let d = d.json();
    let regions: Vec<&str> = d["jurisdictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, vec!["320000", "329900", "329901", "329902"]);
    let city_row = &d["jurisdictions"][1];
    assert_eq!(
        (city_row["level_label"].as_str(), city_row["upper"].as_str()),
        (Some("市级"), Some("320000"))
    );
    assert_eq!(city_row["stopped"], 1);
    assert_eq!(city_row["stopped_amount"], "60000.00");
    assert_eq!(d["stopped"], 1);

    // The figures are gathered upward daily, not per request: a second payment stopped now
    // shows on the dashboard once gathered again (the server's daily run, or `lingji
    // jurisdiction gather`), and each row says when it was computed.
    let again = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({
                "payee_name": "示范市办公用品有限公司", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "70000.00", "economic_code": "30201", "line_id": id,
                "purpose": "采购办公设备", "date": "2026-03-11", "contract_no": "HT-2026-010",
                "idempotency_key": "province-rule-2",
            })),
        )
        .await
        .json();
    assert_eq!(again["status"], "blocked", "{again}");
    let kept = t
        .get("/api/v1/province-dashboard?year=2026", Some(&sheng))
        .await
        .json();
    assert_eq!(kept["stopped"], 1, "as gathered: {kept}");
    assert_eq!(kept["computed_at"], d["computed_at"]);
    assert_eq!(
        t.app
            .year_end()
            .refresh_province_figures(false)
            .await
            .unwrap(),
        0,
        "every figure was gathered today: the hourly check computes none again"
    );
    assert!(
        t.app
            .year_end()
            .refresh_province_figures(true)
            .await
            .unwrap()
            >= 4
    );
    let d = t
        .get("/api/v1/province-dashboard?year=2026", Some(&sheng))
        .await
        .json();
    assert_eq!(d["stopped"], 2, "gathered again: {d}");
    assert_eq!(d["jurisdictions"][1]["stopped_amount"], "130000.00");
    assert!(
        d["computed_at"].as_str() > kept["computed_at"].as_str(),
        "{d}"
    );
    let county = t
        .get("/api/v1/province-dashboard?year=2026", Some(&xian))
        .await
        .json();
    assert_eq!(
        county["jurisdictions"].as_array().unwrap().len(),
        1,
        "{county}"
    );
    let tree = t.get("/api/v1/jurisdictions", Some(&sheng)).await.json();
    assert_eq!(tree.as_array().unwrap().len(), 4, "{tree}");

    // The pages: the dashboard and the drill-down into a county.
    let page = t.get("/province?year=2026", Some(&sheng)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("甲县") && page.text.contains("/province/329901"),
        "{}",
        page.text
    );
    let one = t.get("/province/329901?year=2026", Some(&sheng)).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert!(one.text.contains("甲县（县级"), "{}", one.text);
    assert_eq!(
        t.get("/province/329900", Some(&xian)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The city's administrator adds a county below it on `/api/v1/jurisdictions`: refused field by
/// field with nothing written; a login already taken refuses the whole (no county left
/// behind); then the county exists under the city with its 2026 opened on the city's profile,
/// and its first administrator signs in there. Others may not add one.
async fn an_administrator_adds_a_county_below_with_its_first_administrator_all_or_nothing(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let admin = t.login("admin").await;
    let add = |region: &str, name: &str, username: &str, password: &str| {
        json!({"region_code": region, "name": name, "admin_username": username,
               "admin_display_name": "丙县财政局 王管理", "admin_password": password})
    };
    let post = |body: Value| {
        let (t, admin) = (&t, &admin);
        async move {
            t.call(
                Method::POST,
                "/api/v1/jurisdictions",
                Some(admin),
                Some(body),
            )
            .await
        }
    };
    let listed = |s: Session| {
        let t = &t;
        async move {
            t.get("/api/v1/jurisdictions", Some(&s))
                .await
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["region"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };

    // Every field wrong at once: every one named, nothing written.
    let bad = post(add("32990", " ", "X", "1")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let refused = bad.json();
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["region_code", "name", "admin_username"],
        "{}",
        bad.text
    );
    // A code outside the city's area is refused beside the code.
    let elsewhere = post(add("430103", "天心区", "tianxin", "lingji-demo")).await;
    assert_eq!(
        elsewhere.json()["field"],
        "region_code",
        "{}",
        elsewhere.text
    );
    // A login taken refuses the whole: the county is not left behind.
    let taken = post(add("329903", "丙县", "caizheng", "lingji-demo")).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text);
    assert_eq!(taken.json()["code"], "USERNAME_TAKEN");
    assert_eq!(taken.json()["field"], "admin_username");
    assert!(!listed(admin.clone()).await.contains(&"329903".to_string()));

    let made = post(add("329903", "丙县", "bingadmin", "lingji-demo")).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let made = made.json();
    assert_eq!(
        (made["region"].as_str(), made["level_label"].as_str()),
        (Some("329903"), Some("县级"))
    );
    assert_eq!(made["upper"], t.org_id("329900").await);
    assert_eq!(listed(admin.clone()).await, ["329900", "329903"]);
    // Its administrator signs in there and finds its year opened on the city's rules.
    let bing = t.login("bingadmin").await;
    let me = t.get("/api/v1/me", Some(&bing)).await.json();
    assert_eq!(me["role"], "administrator", "{me}");
    let policy = t.get("/api/v1/policy/2026", Some(&bing)).await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.text);
    let city_policy = t.get("/api/v1/policy/2026", Some(&admin)).await.json();
    assert_eq!(policy.json()["profile"], city_policy["profile"]);
    assert_eq!(listed(bing).await, ["329903"]);
    // The same code again is taken; a finance officer adds nothing.
    let again = post(add("329903", "丙县", "bingadmin2", "lingji-demo")).await;
    assert_eq!(again.json()["code"], "REGION_CODE_TAKEN", "{}", again.text);
    let finance = t.login("caizheng").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/jurisdictions",
            Some(&finance),
            Some(add("329904", "丁县", "dingadmin", "lingji-demo")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
}

backend_tests!(
    zx_4b_a_province_rule_blocks_a_payment_below_and_the_province_reads_what_happened,
    an_administrator_adds_a_county_below_with_its_first_administrator_all_or_nothing,
);
