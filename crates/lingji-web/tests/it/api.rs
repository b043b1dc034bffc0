//! Black-box stories against the real router, on SQLite and on PostgreSQL.

use crate::common::TestApp;
use axum::http::{Method, StatusCode, header};
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

async fn wrong_logins_are_refused_then_throttled(backend: Backend) {
    let t = app!(backend);
    let wrong = |user: &'static str| json!({"username": user, "password": "nope-nope"});
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(wrong("caizheng")),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "LOGIN_FAILED".into())
    );
    assert_eq!(r.json()["title"], "用户名或密码错误");
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    // An unknown user gets the same answer: no account enumeration.
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(wrong("nobody")),
        )
        .await;
    assert_eq!(r.code(), "LOGIN_FAILED");
    for _ in 0..4 {
        t.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(wrong("caizheng")),
        )
        .await;
    }
    let right = json!({"username": "caizheng", "password": "lingji-demo"});
    let r = t
        .call(Method::POST, "/api/v1/auth/login", None, Some(right))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::TOO_MANY_REQUESTS, "LOGIN_THROTTLED".into())
    );
    // Another user is not locked out by caizheng's failures.
    t.login("danwei").await;
}

async fn sessions_are_httponly_and_end_at_logout(backend: Backend) {
    let t = app!(backend);
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "danwei", "password": "lingji-demo"})),
        )
        .await;
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let s = t.login("danwei").await;
    assert_eq!(
        t.get("/api/v1/me", Some(&s)).await.json()["username"],
        "danwei"
    );
    assert_eq!(
        t.call(Method::POST, "/api/v1/auth/logout", Some(&s), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = t.get("/api/v1/me", Some(&s)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "LOGIN_REQUIRED".into())
    );
}

async fn unsafe_requests_need_the_csrf_token(backend: Backend) {
    let t = app!(backend);
    let s = t.login("danwei").await;
    let before = t.audit_count().await;
    let body = json!({"authorized_posts": 20, "actual_staff": 18, "retired_staff": 2, "contract_staff": 1, "contract_quota": 3, "version": 1});
    let no_token = crate::common::Session {
        csrf: "forged".into(),
        ..s.clone()
    };
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{}/staffing", s.org_id),
            Some(&no_token),
            Some(body),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "CSRF_TOKEN_INVALID".into())
    );
    let r = t
        .form(
            &format!("/orgs/{}/staffing", s.org_id),
            &s,
            &[("authorized_posts", "20")],
            Some("forged"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.audit_count().await,
        before,
        "a refused request writes nothing"
    );
    let org = t
        .get(&format!("/api/v1/orgs/{}", s.org_id), Some(&s))
        .await
        .json();
    assert_eq!(org["version"], 1);
}

async fn requests_from_other_sites_are_refused(backend: Backend) {
    let t = app!(backend);
    let login = |origin: &str| {
        axum::http::Request::post("/login")
            .header(header::HOST, "lingji.example")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(
                "username=danwei&password=lingji-demo",
            ))
            .unwrap()
    };
    let r = t.send(login("https://evil.example")).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "CSRF_ORIGIN_MISMATCH".into())
    );
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "no session for a forged login"
    );
    let r = t.send(login("https://lingji.example")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers.get(header::SET_COOKIE).is_some());
}

async fn scripts_use_bearer_tokens(backend: Backend) {
    let t = app!(backend);
    let token = t
        .app
        .accounts()
        .issue_token("caizheng", "报表脚本", None)
        .await
        .unwrap()
        .token;
    let r = t
        .send(
            axum::http::Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.json()["role"], "finance_officer");
    let r = t
        .send(
            axum::http::Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, "Bearer lj_forged")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_INVALID".into())
    );
}

async fn an_operator_keeps_its_staffing_and_every_change_is_audited(backend: Backend) {
    let t = app!(backend);
    let s = t.login("danwei").await;
    let path = format!("/api/v1/orgs/{}/staffing", s.org_id);
    let before = t.audit_count().await;
    let body = |version: i64, contract: i64| json!({"authorized_posts": 20, "actual_staff": 18, "retired_staff": 6, "contract_staff": contract, "contract_quota": 3, "version": version});
    let r = t.call(Method::PUT, &path, Some(&s), Some(body(1, 2))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (
            r.json()["staffing"]["actual_staff"].as_i64(),
            r.json()["version"].as_i64()
        ),
        (Some(18), Some(2))
    );
    assert_eq!(t.audit_count().await, before + 1);
    let shenji = t.login("shenji").await;
    let log = t
        .get(
            &format!(
                "/api/v1/audit?entity_type=organisation&entity_id={}",
                s.org_id
            ),
            Some(&shenji),
        )
        .await
        .json();
    assert_eq!(log[0]["action"], "org.staffing_update");
    assert_eq!(log[0]["actor"], "danwei");
    assert!(
        log[0]["before"]
            .as_str()
            .unwrap()
            .contains("\"actual_staff\":15")
    );
    assert!(
        log[0]["after"]
            .as_str()
            .unwrap()
            .contains("\"actual_staff\":18")
    );
    // A second editor who read version 1 is told somebody changed it first.
    let r = t.call(Method::PUT, &path, Some(&s), Some(body(1, 1))).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "STALE_VERSION".into())
    );
    // ZB-6c: contract staff above the quota is refused, naming the field and the clause.
    let r = t.call(Method::PUT, &path, Some(&s), Some(body(2, 4))).await;
    let p = r.json();
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (
            p["code"].as_str(),
            p["field"].as_str(),
            p["clause"].as_str()
        ),
        (
            Some("CONTRACT_STAFF_OVER_QUOTA"),
            Some("contract_staff"),
            Some("ZB-6c")
        )
    );
    assert_eq!(t.audit_count().await, before + 1);
    assert_eq!(
        t.get(&format!("/api/v1/orgs/{}", s.org_id), Some(&s))
            .await
            .json()["staffing"]["contract_staff"],
        2
    );
}

async fn bad_input_gets_a_clear_error_and_changes_nothing(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let before = t.audit_count().await;
    let user = |name: &str, org: &str| json!({"username": name, "role": "unit_operator", "org": org, "password": "lingji-test-1"});
    // Unknown organisation.
    let r = t
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(user("newop", "999999")),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.json()["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "ORG_UNKNOWN".into(),
            Some("org")
        )
    );
    assert!(r.json()["title"].as_str().unwrap().contains("999999"));
    // Duplicate user.
    let r = t
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(user("danwei", "101001")),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "USERNAME_TAKEN".into())
    );
    // Operator bound to a department instead of a unit.
    let r = t
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(user("newop", "101")),
        )
        .await;
    assert_eq!(r.code(), "ROLE_ORG_MISMATCH");
    // Malformed amount in a money parameter.
    let r = t
        .call(Method::PUT, "/api/v1/policy/2026", Some(&admin), Some(json!({"based_on": 1, "note": "测试", "changes": {"library.major_project_threshold": "12.3.4万"}})))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "POLICY_PARAMETERS_INVALID".into()
        )
    );
    assert_eq!(
        r.json()["errors"][0]["field"],
        "library.major_project_threshold"
    );
    assert_eq!(r.json()["errors"][0]["clause"], "ZB-13a");
    // Wrong code in a code table.
    let bad = "科目编码,科目名称\n201,一般公共服务支出\n2O101,人大事务\n";
    let r = t
        .upload(
            "/api/v1/codes/import",
            &admin,
            &[("kind", "function"), ("year", "2026")],
            "bad.csv",
            bad.as_bytes(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "IMPORT_ROWS_INVALID".into()
        )
    );
    assert_eq!(r.json()["errors"][0]["field"], "第 3 行「科目编码」");
    // Malformed JSON.
    let r = t
        .send(
            axum::http::Request::post("/api/v1/users")
                .header(header::COOKIE, format!("lingji_session={}", admin.cookie))
                .header("x-csrf-token", &admin.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from("{\"username\":"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.code(), "JSON_MALFORMED");
    assert_eq!(t.audit_count().await, before, "nothing was written");
    let codes = t
        .get("/api/v1/codes/function?year=2026&prefix=201", Some(&admin))
        .await
        .json();
    assert!(
        codes.as_array().unwrap().len() > 10,
        "the 2026 table is intact"
    );
    assert_eq!(
        t.get("/api/v1/policy/2026", Some(&admin)).await.json()["version"],
        1
    );
}

async fn administrators_change_the_policy_profile_as_a_new_version(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let change = |based_on: i64, key: &str, value: &str, note: &str| json!({"based_on": based_on, "note": note, "changes": {key: value}});
    let r = t
        .call(
            Method::PUT,
            "/api/v1/policy/2026",
            Some(&admin),
            Some(change(
                1,
                "allocation.cut_fair",
                "25%",
                "市政府常务会议纪要〔2026〕3号",
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["version"], 2);
    let p = t
        .get("/api/v1/policy/2026", Some(&t.login("caizheng").await))
        .await
        .json();
    let fair = p["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == "allocation.cut_fair")
        .unwrap()
        .clone();
    assert_eq!(
        (fair["value"].as_str(), fair["clause"].as_str()),
        (Some("25%"), Some("CS-5b, QJ-5b"))
    );
    // ZB-3: an incomplete tier order is refused with the clause.
    let r = t
        .call(
            Method::PUT,
            "/api/v1/policy/2026",
            Some(&admin),
            Some(change(2, "allocation.tier_order", "三保, 其他", "x")),
        )
        .await;
    assert_eq!(
        (r.json()["code"].as_str(), r.json()["clause"].as_str()),
        (Some("POLICY_PROFILE_INVALID"), Some("ZB-3"))
    );
    // NAT-10 grade bands.
    let r = t
        .call(
            Method::PUT,
            "/api/v1/policy/2026",
            Some(&admin),
            Some(change(2, "performance.grade_good_min", "95", "x")),
        )
        .await;
    assert_eq!(r.json()["clause"], "NAT-10");
    let r = t
        .call(
            Method::PUT,
            "/api/v1/policy/2026",
            Some(&admin),
            Some(change(2, "allocation.cut_poor", "60%", " ")),
        )
        .await;
    assert_eq!(r.code(), "POLICY_NOTE_REQUIRED");
    let r = t
        .call(
            Method::PUT,
            "/api/v1/policy/2026",
            Some(&admin),
            Some(change(1, "allocation.cut_poor", "60%", "旧版本上修改")),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "STALE_VERSION".into())
    );
    let history = t
        .get("/api/v1/policy/2026/history", Some(&admin))
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 2);
    // 2025 is untouched: profiles are per fiscal year.
    assert_eq!(
        t.get("/api/v1/policy/2025", Some(&admin)).await.json()["version"],
        1
    );
}

async fn code_tables_import_from_excel_all_or_nothing(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let good = include_bytes!("../fixtures/function_codes_openpyxl.xlsx");
    let r = t
        .upload(
            "/api/v1/codes/import",
            &admin,
            &[
                ("kind", "function"),
                ("year", "2027"),
                ("source", "openpyxl 样表"),
            ],
            "功能分类.xlsx",
            good,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["rows"], 8);
    let codes = t
        .get("/api/v1/codes/function?year=2027", Some(&admin))
        .await
        .json();
    let item = codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "2010101")
        .unwrap()
        .clone();
    assert_eq!(
        (
            item["name"].as_str(),
            item["parent_code"].as_str(),
            item["level_or_set"].as_str()
        ),
        (Some("行政运行"), Some("20101"), Some("item"))
    );
    let bad = include_bytes!("../fixtures/function_codes_bad_cell.xlsx");
    let r = t
        .upload(
            "/api/v1/codes/import",
            &admin,
            &[("kind", "function"), ("year", "2027")],
            "bad.xlsx",
            bad,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "第 5 行「科目编码」");
    let after = t
        .get("/api/v1/codes/function?year=2027", Some(&admin))
        .await
        .json();
    assert_eq!(
        after.as_array().unwrap().len(),
        8,
        "the 2027 table is as it was"
    );
    // Only administrators load tables.
    let fin = t.login("caizheng").await;
    let r = t
        .upload(
            "/api/v1/codes/import",
            &fin,
            &[("kind", "function"), ("year", "2027")],
            "x.xlsx",
            good,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn changing_a_password_ends_other_sessions(backend: Backend) {
    let t = app!(backend);
    let here = t.login("zhuguan").await;
    let elsewhere = t.login("zhuguan").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&here),
            Some(json!({"current_password": "wrong", "new_password": "new-secret-2026"})),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["field"].as_str()),
        ("PASSWORD_WRONG".into(), Some("current_password"))
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&here),
            Some(json!({"current_password": "lingji-demo", "new_password": "1234"})),
        )
        .await;
    assert_eq!(r.code(), "PASSWORD_TOO_WEAK");
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&here),
            Some(json!({"current_password": "lingji-demo", "new_password": "new-secret-2026"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get("/api/v1/me", Some(&here)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.get("/api/v1/me", Some(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "zhuguan", "password": "new-secret-2026"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn administrators_grow_the_organisation_tree(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let city = t.org_id("329900").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(&admin),
            Some(
                json!({"kind": "department", "parent_id": city, "code": "113", "name": "市审计局"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let dept = r.json()["id"].as_i64().unwrap();
    let unit = |code: &str| {
        json!({"kind": "unit", "parent_id": dept, "code": code, "name": "市审计局机关", "unit_kind": "administrative",
        "staffing": {"authorized_posts": 30, "actual_staff": 28, "retired_staff": 9, "contract_staff": 2, "contract_quota": 4}})
    };
    let r = t
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(&admin),
            Some(unit("101009")),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["field"].as_str()),
        ("ORG_CODE_MALFORMED".into(), Some("code"))
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(&admin),
            Some(unit("113001")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(&admin),
            Some(unit("113001")),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "ORG_CODE_TAKEN".into())
    );
    // ZB-5e: a joint reviewer sits in a department that is a joint-review body.
    let r = t
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "shenji2", "role": "joint_reviewer", "org": "113", "password": "lingji-test-1"})))
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("ROLE_ORG_MISMATCH".into(), Some("ZB-5e"))
    );
    let r = t
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "sjop", "role": "unit_operator", "org": "113001", "display_name": "审计局 经办", "password": "lingji-test-1"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "sjop", "password": "lingji-test-1"})),
        )
        .await;
    assert_eq!(r.json()["user"]["role_label"], "预算单位经办");
}

async fn disabled_users_cannot_sign_in(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let victim = t.login("danwei").await;
    let users = t.get("/api/v1/users", Some(&admin)).await.json();
    let danwei = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "danwei")
        .unwrap()
        .clone();
    let body = json!({"display_name": danwei["display_name"], "role": "unit_operator", "org": danwei["org_id"].to_string(), "active": false, "version": danwei["version"]});
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}", danwei["id"]),
            Some(&admin),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        t.get("/api/v1/me", Some(&victim)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "danwei", "password": "lingji-demo"})),
        )
        .await;
    assert_eq!(r.code(), "LOGIN_FAILED");
}

async fn pages_are_in_chinese_and_forms_show_errors_beside_fields(backend: Backend) {
    let t = app!(backend);
    let r = t.get("/", None).await;
    assert_eq!(
        (r.status, r.headers[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login?next=%2F")
    );
    let r = t.get("/login", None).await;
    assert!(r.text.contains("零基预算管理平台") && r.text.contains("lang=\"zh-CN\""));
    let s = t.login("caizheng").await;
    let home = t.get("/", Some(&s)).await;
    assert!(
        home.text.contains("市财政局")
            && home.text.contains("2026 年度")
            && home.text.contains("ZB-15b"),
        "{}",
        home.text
    );
    assert!(home.text.contains("2026-06-30"));
    let op = t.login("danwei").await;
    let r = t
        .form(
            &format!("/orgs/{}/staffing", op.org_id),
            &op,
            &[
                ("authorized_posts", "20"),
                ("actual_staff", "十八"),
                ("retired_staff", "1"),
                ("contract_staff", "1"),
                ("contract_quota", "3"),
                ("version", "1"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("实有在职人数应为整数"), "{}", r.text);
    assert!(
        r.text.contains("value=\"十八\""),
        "the form keeps what was typed"
    );
    let r = t
        .form(
            &format!("/orgs/{}/staffing", op.org_id),
            &op,
            &[
                ("authorized_posts", "20"),
                ("actual_staff", "18"),
                ("retired_staff", "1"),
                ("contract_staff", "1"),
                ("contract_quota", "3"),
                ("version", "1"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = t
        .get(&format!("/orgs/{}?msg=saved", op.org_id), Some(&op))
        .await;
    assert!(page.text.contains("已保存") && page.text.contains("value=\"18\""));
}

async fn health_and_metrics_answer(backend: Backend) {
    let t = app!(backend);
    assert_eq!(t.get("/healthz", None).await.text, "ok");
    t.get("/login", None).await;
    let m = t.get("/metrics", None).await.text;
    assert!(m.contains("lingji_http_requests_total"), "{m}");
    assert_eq!(t.get("/api/docs/", None).await.status, StatusCode::OK);
}

async fn administrators_open_a_fiscal_year_from_a_preset_or_the_last_one(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/years",
            Some(&admin),
            Some(json!({"year": 2027, "copy_from": 2026, "make_current": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.json()["note"].as_str().unwrap().contains("沿用 2026"));
    let r = t
        .call(
            Method::POST,
            "/api/v1/years",
            Some(&admin),
            Some(json!({"year": 2027, "preset": "zixing"})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "FISCAL_YEAR_EXISTS".into())
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/years",
            Some(&admin),
            Some(json!({"year": 2028})),
        )
        .await;
    assert_eq!(r.code(), "YEAR_SOURCE_REQUIRED");
    let r = t
        .call(
            Method::POST,
            "/api/v1/years",
            Some(&admin),
            Some(json!({"year": 2028, "preset": "nowhere"})),
        )
        .await;
    assert_eq!(r.code(), "POLICY_PRESET_UNKNOWN");
    let r = t
        .call(
            Method::POST,
            "/api/v1/years",
            Some(&admin),
            Some(json!({"year": 2028, "preset": "zibo_district"})),
        )
        .await;
    let pilot = r.json()["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "library.pilot_max_period_years")
        .unwrap()
        .clone();
    assert_eq!(
        (pilot["value"].as_str(), pilot["clause"].as_str()),
        (Some("3"), Some("QJ-3c"))
    );
    // 2027 is now the year everyone works in.
    let home = t.get("/", Some(&t.login("danwei").await)).await;
    assert!(home.text.contains("2027 年度"), "{}", home.text);
}

async fn administrators_rename_organisations(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let unit = t.org_id("101002").await;
    let org = t
        .get(&format!("/api/v1/orgs/{unit}"), Some(&admin))
        .await
        .json();
    let body = |name: &str, version: &serde_json::Value, review: Option<&str>| json!({"name": name, "unit_kind": "public_welfare_1", "review_body": review, "version": version});
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{unit}"),
            Some(&admin),
            Some(body("市第一高级中学", &org["version"], None)),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["name"].as_str()),
        (StatusCode::OK, Some("市第一高级中学"))
    );
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{unit}"),
            Some(&admin),
            Some(body("又改名", &org["version"], None)),
        )
        .await;
    assert_eq!(r.code(), "STALE_VERSION");
    let now = t
        .get(&format!("/api/v1/orgs/{unit}"), Some(&admin))
        .await
        .json();
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{unit}"),
            Some(&admin),
            Some(body("市第一高级中学", &now["version"], Some("data_bureau"))),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("REVIEW_BODY_DEPARTMENT_ONLY".into(), Some("ZB-5e"))
    );
}

backend_tests!(
    administrators_open_a_fiscal_year_from_a_preset_or_the_last_one,
    administrators_rename_organisations,
    wrong_logins_are_refused_then_throttled,
    sessions_are_httponly_and_end_at_logout,
    unsafe_requests_need_the_csrf_token,
    requests_from_other_sites_are_refused,
    scripts_use_bearer_tokens,
    an_operator_keeps_its_staffing_and_every_change_is_audited,
    bad_input_gets_a_clear_error_and_changes_nothing,
    administrators_change_the_policy_profile_as_a_new_version,
    code_tables_import_from_excel_all_or_nothing,
    changing_a_password_ends_other_sessions,
    administrators_grow_the_organisation_tree,
    disabled_users_cannot_sign_in,
    pages_are_in_chinese_and_forms_show_errors_beside_fields,
    health_and_metrics_answer,
);
