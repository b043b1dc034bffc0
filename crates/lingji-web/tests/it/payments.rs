//! Payments through the API on SQLite and PostgreSQL: the line's balance (ZB-7a), the monitoring
//! rules (ZX-4b) with their disposition and statistics, suspension (PM-9), idempotency and
//! hundreds of simultaneous requests on one line.

use crate::common::TestApp;
use crate::common::lines::line;
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests, execution::ledger};
use lingji_domain::Money;
use lingji_domain::execution::replay;
use lingji_domain::review::gates::GateRecord;
use serde_json::{Value, json};

fn payment(line: i64, key: &str, amount: &str) -> Value {
    json!({
        "payee_name": "示范市办公用品有限公司",
        "payee_account": "6222021234567890",
        "payee_kind": "unit",
        "amount": amount,
        "economic_code": "30201",
        "line_id": line,
        "purpose": "采购办公用品",
        "date": "2026-03-10",
        "contract_no": "HT-2026-001",
        "idempotency_key": key,
    })
}

async fn balance(t: &TestApp, line: i64) -> lingji_domain::execution::Balance {
    let mut c = t.app.store.write().acquire().await.unwrap();
    let b = ledger::balance(&mut c, line).await.unwrap().unwrap();
    assert_eq!(
        replay(&ledger::entries(&mut c, line).await.unwrap()).unwrap(),
        b,
        "the balance is its entries"
    );
    b
}

async fn zb_7a_a_unit_pays_on_its_line_once_per_key_and_finance_settles_it(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 100_000, None).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "pay-0001", "12000.00")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let p = r.json();
    assert_eq!(
        (p["status"].as_str(), p["hits"].as_array().unwrap().len()),
        (Some("pending"), 0)
    );
    assert_eq!(balance(&t, id).await.available(), Money::from_yuan(88_000));
    // The same request again is the same answer, not a second payment.
    let again = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "pay-0001", "12000.00")),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        (again.json()["id"].clone(), again.json()["replayed"].clone()),
        (p["id"].clone(), json!(true))
    );
    let other = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "pay-0001", "13000.00")),
        )
        .await;
    assert_eq!(
        (other.status, other.code()),
        (StatusCode::CONFLICT, "IDEMPOTENCY_KEY_REUSED".into())
    );
    assert_eq!(balance(&t, id).await.available(), Money::from_yuan(88_000));
    // Wrong fields are named; the economic code must lie within the line's (ZB-7a).
    let mut bad = payment(id, "pay-0002", "-5");
    bad["payee_account"] = json!("12ab");
    let r = t
        .call(Method::POST, "/api/v1/payments", Some(&unit), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["payee_account", "amount"]);
    let mut outside = payment(id, "pay-0003", "10");
    outside["economic_code"] = json!("30101");
    let r = t
        .call(Method::POST, "/api/v1/payments", Some(&unit), Some(outside))
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("ECONOMIC_CODE_OUTSIDE_LINE".into(), Some("ZB-7a"))
    );
    // Another unit's operator may not pay from this line; units do not decide payments.
    let pid = p["id"].as_i64().unwrap();
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{pid}/decision"),
            Some(&unit),
            Some(json!({"decision": "pay"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{pid}/decision"),
            Some(&fin),
            Some(json!({"decision": "pay"})),
        )
        .await;
    assert_eq!(r.json()["status"], "paid", "{}", r.text);
    let b = balance(&t, id).await;
    assert_eq!(
        (b.spent, b.reserved),
        (Money::from_yuan(12_000), Money::ZERO)
    );
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{pid}/decision"),
            Some(&fin),
            Some(json!({"decision": "pay"})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "PAYMENT_STATE".into())
    );
    assert_eq!(
        balance(&t, id).await.spent,
        Money::from_yuan(12_000),
        "paid once"
    );
    let listed = t.get("/api/v1/payments", Some(&unit)).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

async fn zx_4b_warnings_hold_blocks_stop_and_finance_disposes_of_the_hits(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 100_000, None).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    // 60,000.00 元 to a person: warning B05-01, held with the money reserved.
    let mut p = payment(id, "pay-1001", "60000.00");
    p["payee_kind"] = json!("individual");
    p["economic_code"] = json!("30226");
    p["payee_name"] = json!("张三");
    let held = t
        .call(Method::POST, "/api/v1/payments", Some(&unit), Some(p))
        .await
        .json();
    assert_eq!(held["status"], "held", "{held}");
    assert!(
        held["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["code"] == "B05-01" && h["action"] == "warning")
    );
    assert_eq!(balance(&t, id).await.reserved, Money::from_yuan(60_000));
    let hid = held["id"].as_i64().unwrap();
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{hid}/decision"),
            Some(&fin),
            Some(json!({"decision": "confirm"})),
        )
        .await;
    assert_eq!(r.code(), "DECISION_REASON_REQUIRED");
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{hid}/decision"),
            Some(&fin),
            Some(json!({"decision": "reject", "reason": "劳务合同未附"})),
        )
        .await;
    assert_eq!(r.json()["status"], "released");
    assert_eq!(balance(&t, id).await.available(), Money::from_yuan(100_000));
    // Paying the unit itself is blocked by B06-01, nothing held.
    let mut own = payment(id, "pay-1002", "5000.00");
    own["payee_name"] = json!("示范市第一中学");
    let unit_name = {
        let mut c = t.app.store.write().acquire().await.unwrap();
        lingji_app::store::foundation::orgs::get(&mut c, t.org_id("101001").await)
            .await
            .unwrap()
            .unwrap()
            .name
    };
    own["payee_name"] = json!(unit_name);
    let blocked = t
        .call(Method::POST, "/api/v1/payments", Some(&unit), Some(own))
        .await
        .json();
    assert_eq!(
        (
            blocked["status"].as_str(),
            blocked["refusal"]["code"].as_str()
        ),
        (Some("blocked"), Some("PAYMENT_RULE_BLOCKED"))
    );
    assert!(
        blocked["refusal"]["message"]
            .as_str()
            .unwrap()
            .contains("B06-01")
    );
    // More than the line has: blocked citing ZB-7a.
    let over = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "pay-1003", "100000.01")),
        )
        .await
        .json();
    assert_eq!(
        (over["status"].as_str(), over["refusal"]["clause"].as_str()),
        (Some("blocked"), Some("ZB-7a"))
    );
    assert_eq!(balance(&t, id).await.available(), Money::from_yuan(100_000));
    // Statistics: three payments stopped — the released one and the two blocked.
    let stats = t
        .get("/api/v1/rule-hits/stats?year=2026", Some(&fin))
        .await
        .json();
    assert_eq!(stats["stopped"], 3, "{stats}");
    assert_eq!(stats["stopped_amount"], "165000.01");
    let classes: Vec<String> = stats["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap().to_string())
        .collect();
    assert!(
        classes.iter().any(|c| c == "对个人转账")
            && classes.iter().any(|c| c == "本单位及关联账户"),
        "{classes:?}"
    );
    // Disposition: 核实 → 违规 → 整改; 正常 cannot be rectified.
    let hits = t
        .get("/api/v1/rule-hits?year=2026", Some(&fin))
        .await
        .json();
    let b06 = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["code"] == "B06-01")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let step = |to: &str| json!({"to": to, "note": "已核实"});
    let path = format!("/api/v1/rule-hits/{b06}/disposition");
    assert_eq!(
        t.call(Method::POST, &path, Some(&fin), Some(step("verifying")))
            .await
            .json()["disposition"],
        "verifying"
    );
    assert_eq!(
        t.call(Method::POST, &path, Some(&fin), Some(step("violation")))
            .await
            .json()["disposition"],
        "violation"
    );
    assert_eq!(
        t.call(Method::POST, &path, Some(&fin), Some(step("rectified")))
            .await
            .json()["disposition"],
        "rectified"
    );
    let r = t
        .call(Method::POST, &path, Some(&fin), Some(step("normal")))
        .await;
    assert_eq!(
        (r.code(), r.json()["clause"].as_str()),
        ("DISPOSITION_STEP".into(), Some("ZX-4b"))
    );
    let r = t
        .call(Method::POST, &path, Some(&unit), Some(step("normal")))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn zx_4b_finance_edits_a_rule_after_its_syntax_check_and_dry_run(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 100_000, None).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    for (n, amount) in ["3000.00", "8000.00", "9000.00"].iter().enumerate() {
        let r = t
            .call(
                Method::POST,
                "/api/v1/payments",
                Some(&unit),
                Some(payment(id, &format!("dry-{n:04}"), amount)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let rules = t.get("/api/v1/monitoring-rules", Some(&unit)).await.json();
    assert!(rules.as_array().unwrap().len() >= 40);
    let rule = |expression: &str| {
        json!({
            "class": "大额支付", "name": "单笔超过 5000 元", "expression": expression, "action": "notice",
            "message": "单笔超过 5000 元", "enabled": false,
        })
    };
    let r = t
        .call(
            Method::POST,
            "/api/v1/monitoring-rules/dry-run",
            Some(&fin),
            Some(rule("payment.amount >")),
        )
        .await;
    assert_eq!(
        (r.code(), r.json()["field"].as_str()),
        ("RULE_EXPRESSION_INVALID".into(), Some("expression"))
    );
    let dry = t
        .call(
            Method::POST,
            "/api/v1/monitoring-rules/dry-run",
            Some(&fin),
            Some(rule("payment.amount > 5000")),
        )
        .await
        .json();
    assert_eq!(
        (
            dry["checked"].as_i64(),
            dry["hits"].as_i64(),
            dry["amount"].as_str()
        ),
        (Some(3), Some(2), Some("17000.00")),
        "{dry}"
    );
    let r = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/X01-01",
            Some(&unit),
            Some(rule("payment.amount > 5000")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let audit_before = t.audit_count().await;
    let r = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/X01-01",
            Some(&fin),
            Some(rule("payment.amount * 2")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        t.audit_count().await,
        audit_before,
        "a refused rule changes nothing"
    );
    let saved = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/X01-01",
            Some(&fin),
            Some(rule("payment.amount > 5000")),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    let mut on = rule("payment.amount > 5000");
    on["enabled"] = json!(true);
    on["version"] = json!(1); // the one name; `expected_version` is still read (allocation tests)
    assert_eq!(
        t.call(
            Method::PUT,
            "/api/v1/monitoring-rules/X01-01",
            Some(&fin),
            Some(on.clone())
        )
        .await
        .json()["version"],
        2
    );
    let stale = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/X01-01",
            Some(&fin),
            Some(on),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "dry-0009", "6000.00")),
        )
        .await
        .json();
    assert!(
        p["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["code"] == "X01-01"),
        "{p}"
    );
    // Switching the rule on and filing the payment are both in the audit log, for the auditor.
    let auditor = t.login("shenji").await;
    let rule_events = t
        .get(
            "/api/v1/audit?entity_type=monitoring_rule&entity_id=X01-01",
            Some(&auditor),
        )
        .await
        .json();
    let actions: Vec<&str> = rule_events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["monitoring_rule.enable", "monitoring_rule.put"]);
    let filed = t
        .get(
            &format!(
                "/api/v1/audit?action=payment.request&entity_type=payment&entity_id={}",
                p["id"]
            ),
            Some(&auditor),
        )
        .await
        .json();
    assert_eq!(filed[0]["actor"], "danwei", "{filed}");
    assert!(filed[0]["after"].to_string().contains("600000"), "{filed}");
    // The check as one types: the same rules, nothing recorded.
    let mut typing = payment(id, "", "6000.00");
    typing["payee_kind"] = json!("individual");
    let c = t
        .call(
            Method::POST,
            "/api/v1/payments/check",
            Some(&unit),
            Some(typing),
        )
        .await
        .json();
    assert_eq!(
        (c["available"].as_str(), c["outcome"].as_str()),
        (Some("74000.00"), Some("warning")),
        "{c}"
    );
    assert_eq!(
        t.get("/api/v1/payments", Some(&fin))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

async fn pm_9_a_suspended_project_is_blocked_at_payment_until_lifted(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let project: i64 = {
        let unit = t.org_id("101001").await;
        let mut c = t.app.store.write().acquire().await.unwrap();
        sqlx::query_as::<_, (i64,)>(
            "SELECT id FROM projects WHERE unit_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(unit)
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .0
    };
    let id = line(&t, "101001", "302", 50_000, Some(project)).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let path = format!("/api/v1/projects/{project}/payment-suspension");
    let r = t
        .call(
            Method::POST,
            &path,
            Some(&unit),
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .call(
            Method::POST,
            &path,
            Some(&fin),
            Some(json!({"reason": "绩效监控红灯：进度严重滞后"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "pm9-0001", "1000.00")),
        )
        .await
        .json();
    assert_eq!(
        (p["status"].as_str(), p["refusal"]["clause"].as_str()),
        (Some("blocked"), Some("PM-9"))
    );
    assert!(
        p["refusal"]["message"]
            .as_str()
            .unwrap()
            .contains("进度严重滞后")
    );
    assert_eq!(balance(&t, id).await.available(), Money::from_yuan(50_000));
    let r = t
        .call(
            Method::POST,
            &format!("{path}/lift"),
            Some(&fin),
            Some(json!({"reason": "已整改"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "pm9-0002", "1000.00")),
        )
        .await
        .json();
    assert_eq!(p["status"], "pending");
}

async fn zb_7a_hundreds_of_simultaneous_payments_never_overdraw_and_each_gets_one_answer(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 1_000, None).await;
    let unit = t.login("danwei").await;
    let t = std::sync::Arc::new(t);
    // 250 requests of 7.00 元 at once on 1,000.00 元, 50 of them retries of another's key.
    let mut tasks = Vec::new();
    for n in 0..250 {
        let t = t.clone();
        let unit = unit.clone();
        let key = format!("conc-{:04}", n % 200);
        tasks.push(tokio::spawn(async move {
            let mut p = payment(id, &key, "7.00");
            p["payee_account"] = json!(format!("62220212345{:05}", n % 200));
            t.call(Method::POST, "/api/v1/payments", Some(&unit), Some(p))
                .await
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert!(
        answers
            .iter()
            .all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::OK),
        "one answer each"
    );
    let mut by_key = std::collections::HashMap::new();
    for r in &answers {
        let j = r.json();
        let prev = by_key.insert(
            j["idempotency_key"].as_str().unwrap().to_string(),
            j["id"].clone(),
        );
        if let Some(prev) = prev {
            assert_eq!(prev, j["id"], "a retry is answered with the first payment");
        }
    }
    assert_eq!(by_key.len(), 200);
    let mut c = t.app.store.write().acquire().await.unwrap();
    let (pending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payments WHERE line_id = $1 AND status = 'pending'")
            .bind(id)
            .fetch_one(&mut *c)
            .await
            .unwrap();
    let (all,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments WHERE line_id = $1")
        .bind(id)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    drop(c);
    assert_eq!((pending, all), (142, 200));
    let b = balance(&t, id).await;
    assert_eq!(
        (b.reserved, b.available()),
        (Money::from_yuan(994), Money::from_yuan(6))
    );
}

async fn the_payment_pages_check_as_one_types_and_finance_decides_and_disposes(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 100_000, None).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let page = t
        .get(&format!("/payments/new?line={id}"), Some(&unit))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("hx-post=\"/payments/check\""));
    let id_text = id.to_string();
    let fields = |amount: &'static str, kind: &'static str, key: &'static str| {
        vec![
            ("line_id", id_text.clone()),
            ("payee_name", "李四".to_string()),
            ("payee_account", "6222021234567890".to_string()),
            ("payee_kind", kind.to_string()),
            ("amount", amount.to_string()),
            ("economic_code", "30226".to_string()),
            ("purpose", "专家咨询劳务".to_string()),
            ("date", "2026-03-10".to_string()),
            ("contract_no", "HT-9".to_string()),
            ("idempotency_key", key.to_string()),
        ]
    };
    let send = |path: &'static str, f: Vec<(&'static str, String)>| {
        let t = &t;
        let unit = unit.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form(path, &unit, &pairs, None).await
        }
    };
    // As one types: the balance and the rule that would hold it, nothing recorded.
    let c = send("/payments/check", fields("60000.00", "individual", "")).await;
    assert!(
        c.text.contains("100,000.00") && c.text.contains("B05-01") && c.text.contains("预警"),
        "{}",
        c.text
    );
    let c = send("/payments/check", fields("abc", "individual", "")).await;
    assert!(c.text.contains("金额"), "{}", c.text);
    // A malformed amount comes back on the form, nothing saved.
    let r = send("/payments", fields("12,34x", "individual", "web-key-0001")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("value=\"12,34x\""),
        "the form keeps what was typed"
    );
    let r = send(
        "/payments",
        fields("60000.00", "individual", "web-key-0001"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let at = r.headers[axum::http::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    // A double click sends the same key: the same payment.
    let again = send(
        "/payments",
        fields("60000.00", "individual", "web-key-0001"),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text);
    assert_eq!(
        again.headers[axum::http::header::LOCATION]
            .to_str()
            .unwrap(),
        at
    );
    let shown = t.get(&at, Some(&unit)).await.text;
    assert!(shown.contains("预警待核") && shown.contains("B05-01"));
    assert!(!shown.contains("decision-form"), "units do not decide");
    // Finance confirms with a reason, then pays; the line's ledger shows every step.
    let pid = at.trim_start_matches("/payments/").to_string();
    let decide = |decision: &'static str, reason: &'static str| {
        let t = &t;
        let fin = fin.clone();
        let path = format!("/payments/{pid}/decision");
        async move {
            t.form(
                &path,
                &fin,
                &[("decision", decision), ("reason", reason)],
                None,
            )
            .await
        }
    };
    let r = decide("confirm", "").await;
    assert!(r.text.contains("请填写处理理由"), "{}", r.status);
    assert_eq!(
        decide("confirm", "已核对劳务合同").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(decide("pay", "").await.status, StatusCode::SEE_OTHER);
    assert!(t.get(&at, Some(&fin)).await.text.contains("已支付"));
    let ledger = t
        .get(&format!("/budget-lines/{id}"), Some(&unit))
        .await
        .text;
    assert!(
        ledger.contains("40,000.00") && ledger.contains("支付占用") && ledger.contains("批复"),
        "{ledger}"
    );
    assert_eq!(
        t.get(
            &format!("/budget-lines/{id}"),
            Some(&t.login("shuju").await)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The rules page and a rule's dry run; a bad expression is named beside its field.
    let rules = t.get("/monitoring/rules", Some(&unit)).await.text;
    assert!(rules.contains("共 46 条规则、15 个大类"), "{rules}");
    let rule = |expression: &'static str, op: &'static str| {
        let t = &t;
        let fin = fin.clone();
        async move {
            t.form(
                "/monitoring/rules/new",
                &fin,
                &[
                    ("code", "X02-01"),
                    ("class", "劳务"),
                    ("name", "劳务费超过 5 万"),
                    ("expression", expression),
                    ("action", "warning"),
                    ("message", "劳务费超过 5 万元"),
                    ("enabled", "on"),
                    ("op", op),
                ],
                None,
            )
            .await
        }
    };
    let r = rule("payment.amount >>", "save").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("规则表达式有误"), "{}", r.text);
    let r = rule(
        "startsWith(payment.economic_code, '30226') and payment.amount > 50000",
        "dry_run",
    )
    .await;
    assert!(
        r.text.contains("将命中 <strong>1</strong> 笔") && r.text.contains("60,000.00"),
        "{}",
        r.text
    );
    assert_eq!(
        rule(
            "startsWith(payment.economic_code, '30226') and payment.amount > 50000",
            "save"
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        t.get("/monitoring/rules/X02-01", Some(&fin))
            .await
            .text
            .contains("劳务费超过 5 万")
    );
    // The dashboard: hits and their disposition.
    let hits = t.get("/monitoring/hits?year=2026", Some(&fin)).await.text;
    assert!(
        hits.contains("data-chart") && hits.contains("对个人转账") && hits.contains("dispose-form"),
        "{hits}"
    );
    let hit = t
        .get("/api/v1/rule-hits?year=2026", Some(&fin))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    let r = t
        .form(
            &format!("/monitoring/hits/{hit}"),
            &fin,
            &[("to", "normal"), ("note", "合同齐全")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = t
        .form(
            &format!("/monitoring/hits/{hit}"),
            &fin,
            &[("to", "rectified"), ("note", "x")],
            None,
        )
        .await;
    assert!(
        r.text.contains("DISPOSITION_STEP") || r.text.contains("不能改为"),
        "{}",
        r.text
    );
}

async fn upper_transfer_lines_are_entered_by_document_and_paid_from_like_any_line(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let unit_id = t.org_id("101001").await;
    let line = |amount: &str, document: &str, code: &str| {
        json!({"year": 2026, "unit_id": unit_id, "name": "中央财政义务教育补助", "economic_code": code,
               "fund_book": "general_public", "amount": amount, "document": document})
    };
    let r = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&unit),
            Some(line("1000", "财教〔2026〕8号", "302")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let before = t.audit_count().await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&fin),
            Some(line("-1", " ", "30x")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["economic_code", "amount", "document"]);
    assert_eq!(
        t.audit_count().await,
        before,
        "a refused line writes nothing"
    );
    let r = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&fin),
            Some(line("80000.00", "财教〔2026〕8号", "302")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(t.audit_count().await, before + 1);
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "transfer-0001", "30000.00")),
        )
        .await
        .json();
    assert_eq!(p["status"], "pending", "{p}");
    let b = balance(&t, id).await;
    assert_eq!(
        (b.approved, b.available()),
        (Money::from_yuan(80_000), Money::from_yuan(50_000))
    );
    let page = t
        .get(&format!("/budget-lines/{id}"), Some(&unit))
        .await
        .text;
    assert!(
        page.contains("财教〔2026〕8号") && page.contains("50,000.00"),
        "{page}"
    );
    // The page form: a malformed amount comes back as typed; the corrected one opens the line.
    let unit_text = unit_id.to_string();
    let form = |amount: &'static str| {
        let t = &t;
        let fin = fin.clone();
        let unit_text = unit_text.clone();
        async move {
            t.form(
                "/budget-lines",
                &fin,
                &[
                    ("year", "2026"),
                    ("unit_id", &unit_text),
                    ("name", "省级专项补助"),
                    ("economic_code", "30201"),
                    ("fund_book", "general_public"),
                    ("amount", amount),
                    ("document", "苏财教〔2026〕3号"),
                ],
                None,
            )
            .await
        }
    };
    let r = form("12,3x").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("value=\"12,3x\"") && r.text.contains("省级专项补助"));
    let r = form("5000").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.headers[axum::http::header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/budget-lines/")
    );
}

async fn zb_11_a_unit_with_own_funds_for_the_code_is_warned_to_spend_them_first(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let unit = t.login("danwei").await;
    let unit_id = t.org_id("101001").await;
    let general = line(&t, "101001", "302", 100_000, None).await;
    let own = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&fin),
            Some(json!({"year": 2026, "unit_id": unit_id, "name": "事业收入安排办公经费", "economic_code": "30201",
                "fund_book": "unit_funds", "amount": "20000", "document": "示财预〔2026〕3号"})),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);
    let own = own.json()["id"].as_i64().unwrap();
    let codes = |p: &Value| -> Vec<String> {
        p["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["code"].as_str().unwrap().to_string())
            .collect()
    };
    // Fiscal money asked for while the unit's own funds of the code could pay: warned (ZB-11).
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(general, "zb11-0001", "12000.00")),
        )
        .await
        .json();
    assert_eq!(
        (p["status"].as_str(), codes(&p)),
        (Some("held"), vec!["B15-01".to_string()])
    );
    assert_eq!(p["hits"][0]["clause"], "ZB-11");
    // From the own-funds line itself, or beyond what it has left, no warning.
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(own, "zb11-0002", "9000.00")),
        )
        .await
        .json();
    assert_eq!(
        (p["status"].as_str(), codes(&p)),
        (Some("pending"), Vec::<String>::new())
    );
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(general, "zb11-0003", "11000.01")),
        )
        .await
        .json();
    assert_eq!(
        codes(&p),
        Vec::<String>::new(),
        "only 11,000.00 of own funds are left"
    );
}

/// The hit codes of a payment answer.
fn hit_codes(p: &Value) -> Vec<String> {
    p["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap().to_string())
        .collect()
}

/// The rules read what is stored, not what the request says: the payee's history with the unit
/// (split payments, a first transfer to a person), the unit's 三公 budget and use, and whether the
/// line's special fund has ended — read with the line in one statement on both backends.
async fn zx_4b_zb_6b_zb_12_the_rules_see_the_payees_history_the_units_use_and_the_special_fund(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let wide = line(&t, "101001", "302", 5_000_000, None).await;
    let pay = |line: i64, key: &str, amount: &str, date: &str, account: &str| {
        let mut p = payment(line, key, amount);
        p["date"] = json!(date);
        p["payee_account"] = json!(account);
        p
    };
    let answer = async |body: Value| {
        let r = t
            .call(Method::POST, "/api/v1/payments", Some(&fin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    };
    // B08-02: 90,000 and 90,000 to one payee, then 30,000 to it within 7 days reach 200,000.
    for (key, day) in [("split-0001", "2026-03-09"), ("split-0002", "2026-03-10")] {
        let p = answer(pay(wide, key, "90000.00", day, "6222000000000001")).await;
        assert!(!hit_codes(&p).contains(&"B08-02".into()), "{p}");
    }
    let other = answer(pay(
        wide,
        "split-0003",
        "30000.00",
        "2026-03-12",
        "6222000000000002",
    ))
    .await;
    assert!(
        !hit_codes(&other).contains(&"B08-02".into()),
        "another payee"
    );
    let split = answer(pay(
        wide,
        "split-0004",
        "30000.00",
        "2026-03-12",
        "6222000000000001",
    ))
    .await;
    assert!(hit_codes(&split).contains(&"B08-02".into()), "{split}");
    let later = answer(pay(
        wide,
        "split-0005",
        "30000.00",
        "2026-03-20",
        "6222000000000001",
    ))
    .await;
    assert!(
        !hit_codes(&later).contains(&"B08-02".into()),
        "only 30,000.00 paid in the 7 days before: {later}"
    );
    // B05-03: the first transfer of over 10,000 to a person's account is noticed, the second not.
    let mut person = pay(
        wide,
        "person-0001",
        "12000.00",
        "2026-03-11",
        "6222000000000003",
    );
    person["payee_kind"] = json!("individual");
    let first = answer(person.clone()).await;
    assert!(hit_codes(&first).contains(&"B05-03".into()), "{first}");
    // The answer names each hit by the id it is stored under (dispositions go by it).
    let ids = |p: &Value| -> Vec<(String, i64)> {
        let mut v: Vec<_> = p["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["code"].as_str().unwrap().into(),
                    h["id"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    for answered in [&split, &first] {
        let stored = t
            .call(
                Method::GET,
                &format!("/api/v1/payments/{}", answered["id"]),
                Some(&fin),
                None,
            )
            .await
            .json();
        assert_eq!(ids(answered), ids(&stored));
    }
    assert!(ids(&first).len() >= 2, "{first}");
    person["idempotency_key"] = json!("person-0002");
    let second = answer(person).await;
    assert!(!hit_codes(&second).contains(&"B05-03".into()), "{second}");

    // ZB-6b: the unit's 三公 budget is its lines covering 30217 (here the wide 302 line and a
    // 30217 line); what it used is the running sum of its 30217 payments.
    let reception = line(&t, "101002", "30217", 10_000, None).await;
    let mut meal = pay(
        reception,
        "sangong-0001",
        "6000.00",
        "2026-04-01",
        "6222000000000004",
    );
    meal["economic_code"] = json!("30217");
    meal["purpose"] = json!("公务接待工作餐");
    let p = answer(meal.clone()).await;
    assert!(!hit_codes(&p).contains(&"B02-01".into()), "{p}");
    meal["idempotency_key"] = json!("sangong-0002");
    meal["amount"] = json!("4000.01");
    let p = answer(meal.clone()).await;
    assert_eq!(
        (
            p["status"].as_str(),
            hit_codes(&p).contains(&"B02-01".into())
        ),
        (Some("blocked"), true),
        "6,000.00 used + 4,000.01 is over the 10,000.00 三公 budget: {p}"
    );
    meal["idempotency_key"] = json!("sangong-0003");
    meal["amount"] = json!("4000.00");
    let p = answer(meal).await;
    assert!(
        !hit_codes(&p).contains(&"B02-01".into()),
        "exactly the budget: {p}"
    );

    // ZB-12: a line of a project paid from 乡村振兴专项资金 (2024–2028) is blocked once the
    // fund has ended, not before.
    let op = t.login("danwei").await;
    let body =
        crate::common::projects::complete(crate::common::projects::meeting_standard(&t).await);
    let project = crate::common::projects::create(&t, &op, body).await["id"]
        .as_i64()
        .unwrap();
    let mut tx = t.app.store.begin().await.unwrap();
    let fund = GateRecord::SpecialFund {
        fund_code: "ZX-NY01".into(),
    };
    lingji_app::store::review::put_gate(&mut tx, project, &fund, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (year, expired) in [(2028, false), (2029, true)] {
        let id =
            crate::common::lines::line_in(&t, year, "101001", "312", 100_000, Some(project)).await;
        let mut subsidy = pay(
            id,
            &format!("fund-0000{year}"),
            "1000.00",
            &format!("{year}-03-10"),
            "6222000000000005",
        );
        subsidy["economic_code"] = json!("31205");
        subsidy["purpose"] = json!("中小企业贷款贴息");
        let p = answer(subsidy).await;
        assert_eq!(
            hit_codes(&p).contains(&"B13-01".into()),
            expired,
            "{year}: {p}"
        );
    }
}

/// The payment form of issue 20: lines listed by what is available, the economic code taken
/// from the line whatever the form says, amounts read with separators (`120,000` is
/// 120,000.00; `12O,000` refused beside the field, naming it), the balance after the payment
/// previewed, and a payment the rules would block refused beside the button, with its clause,
/// before anything is recorded (ZX-4b).
async fn zx_4b_zb_7a_the_payment_form_takes_the_code_from_the_line_and_refuses_a_block_before_sending(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let kuan = line(&t, "101001", "30201", 200_000, None).await;
    let spent = line(&t, "101001", "30202", 1_000, None).await;
    let unit = t.login("danwei").await;
    // A line with nothing left is listed last, disabled, with 可用 0.00.
    let r = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({
                "payee_name": "示范市印刷厂", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "1000.00", "economic_code": "30202",
                "line_id": spent, "purpose": "印刷", "date": "2026-03-10",
                "idempotency_key": "form-spent-1",
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let page = t.get("/payments/new", Some(&unit)).await.text;
    let (full, empty) = (
        page.find("测试指标 30201（指标")
            .expect("the line is offered"),
        page.find("测试指标 30202（指标")
            .expect("the spent line is shown"),
    );
    assert!(full < empty, "most available first");
    assert!(
        page.contains("经济分类 30201 · 可用 200,000.00 元"),
        "{page}"
    );
    let spent_option = &page[page[..empty].rfind("<option").unwrap()..empty];
    assert!(
        spent_option.contains("disabled")
            && page[empty..].starts_with("测试指标 30202（指标")
            && page.contains("经济分类 30202 · 可用 0.00 元"),
        "{spent_option}"
    );

    let unit_name = {
        let mut conn = t.app.store.write().acquire().await.unwrap();
        lingji_app::store::foundation::orgs::get(&mut conn, t.org_id("101001").await)
            .await
            .unwrap()
            .unwrap()
            .name
    };
    let kuan_text = kuan.to_string();
    let fields = |amount: &str, payee: &str, code: &str, key: &str| {
        vec![
            ("line_id", kuan_text.clone()),
            ("payee_name", payee.to_string()),
            ("payee_account", "6222021234567890".to_string()),
            ("payee_kind", "unit".to_string()),
            ("amount", amount.to_string()),
            ("economic_code", code.to_string()),
            ("purpose", "采购办公用品".to_string()),
            ("date", "2026-03-10".to_string()),
            ("idempotency_key", key.to_string()),
        ]
    };
    let send = |path: &'static str, f: Vec<(&'static str, String)>| {
        let t = &t;
        let unit = unit.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form(path, &unit, &pairs, None).await
        }
    };
    // The check as soon as line and amount are known (no payee yet): the code from the line,
    // the balance before and after.
    let c = send("/payments/check", fields("120,000", "", "", "")).await;
    assert!(
        c.text.contains("30201")
            && c.text.contains("200,000.00")
            && c.text
                .contains("支付后：<strong data-testid=\"check-after\">80,000.00"),
        "{}",
        c.text
    );
    // A letter O for a zero is refused, naming the field; never read as 0 or 12,000.
    let c = send("/payments/check", fields("12O,000", "", "", "")).await;
    assert!(c.text.contains("支付金额“12O,000”格式不正确"), "{}", c.text);
    let r = send(
        "/payments",
        fields("12O,000", "示范市办公用品有限公司", "", "form-key-0001"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let beside = r
        .text
        .split("data-testid=\"error-amount\">")
        .nth(1)
        .unwrap();
    assert!(
        beside.starts_with("支付金额“12O,000”格式不正确"),
        "{beside}"
    );
    assert!(
        r.text.contains("value=\"12O,000\""),
        "the form keeps what was typed"
    );

    // To the unit itself: blocked by B06-01; refused beside the button with the clause and
    // nothing recorded.
    let c = send("/payments/check", fields("60,000", &unit_name, "", "")).await;
    assert!(
        c.text.contains("data-block=") && c.text.contains("B06-01"),
        "{}",
        c.text
    );
    let before = t.get("/api/v1/payments", Some(&unit)).await.json();
    let r = send(
        "/payments",
        fields("60,000", &unit_name, "", "form-key-0002"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let beside = r
        .text
        .split("data-testid=\"payment-block-reason\">")
        .nth(1)
        .unwrap();
    assert!(
        beside.starts_with("拦截，不能提交：B06-01") && beside.contains("（ZX-4b）"),
        "{beside}"
    );
    assert!(
        r.text.contains("value=\"60,000.00\""),
        "the amount is shown formatted back"
    );
    assert_eq!(t.get("/api/v1/payments", Some(&unit)).await.json(), before);

    // To a supplier: sent; `120,000` is 120,000.00 and the code is the line's, whatever the
    // form said.
    let r = send(
        "/payments",
        fields(
            "120,000",
            "示范市办公用品有限公司",
            "30226",
            "form-key-0003",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let at = r.headers[axum::http::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let pid = at.trim_start_matches("/payments/");
    let p = t
        .get(&format!("/api/v1/payments/{pid}"), Some(&unit))
        .await
        .json();
    assert_eq!(p["amount"], "120000.00", "{p}");
    assert_eq!(p["economic_code"], "30201", "{p}");
    assert!(t.get(&at, Some(&unit)).await.text.contains("120,000.00 元"));
}

/// A finance officer may file a payment request, but not confirm or pay it: the request and
/// its approval are two people's, so no one moves money alone (a new user's check, stop 39,
/// created, confirmed and paid one alone). Withdrawing one's own request stays possible.
async fn no_one_confirms_or_pays_a_payment_they_asked_for(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 100_000, None).await;
    let fin = t.login("caizheng").await;
    let filed = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&fin),
            Some(payment(id, "own-0001", "1200.00")),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let pid = filed.json()["id"].as_i64().unwrap();
    assert_eq!(filed.json()["status"], "pending");
    let audit_before = t.audit_count().await;
    let paid = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{pid}/decision"),
            Some(&fin),
            Some(json!({"decision": "pay"})),
        )
        .await;
    assert_eq!(
        (paid.status, paid.code(), paid.json()["field"].as_str()),
        (
            StatusCode::FORBIDDEN,
            "PAYMENT_OWN_REQUEST".into(),
            Some("decision")
        ),
        "{}",
        paid.text
    );
    assert!(paid.text.contains("不能由您“确认支付”"), "{}", paid.text);
    assert_eq!(t.audit_count().await, audit_before, "nothing moved");
    assert_eq!(balance(&t, id).await.spent, Money::ZERO);
    // The page says so instead of offering the button; the form's answer is the same.
    let page = t.get(&format!("/payments/{pid}"), Some(&fin)).await;
    assert!(
        page.text.contains("data-testid=\"decision-own\""),
        "{}",
        page.text
    );
    assert!(!page.text.contains("data-testid=\"decision-pay\""));
    let form = t
        .form(
            &format!("/payments/{pid}/decision"),
            &fin,
            &[("decision", "pay"), ("reason", "")],
            None,
        )
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    assert!(
        form.text.contains("请由另一位财政人员办理"),
        "{}",
        form.text
    );
    // Withdrawn by the one who filed it: the money goes back to the line.
    let withdrawn = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{pid}/decision"),
            Some(&fin),
            Some(json!({"decision": "reject", "reason": "申请有误，撤回"})),
        )
        .await;
    assert_eq!(withdrawn.json()["status"], "released", "{}", withdrawn.text);
    assert_eq!(balance(&t, id).await.reserved, Money::ZERO);
}

backend_tests!(
    no_one_confirms_or_pays_a_payment_they_asked_for,
    zx_4b_zb_7a_the_payment_form_takes_the_code_from_the_line_and_refuses_a_block_before_sending,
    upper_transfer_lines_are_entered_by_document_and_paid_from_like_any_line,
    the_payment_pages_check_as_one_types_and_finance_decides_and_disposes,
    zb_7a_a_unit_pays_on_its_line_once_per_key_and_finance_settles_it,
    zx_4b_warnings_hold_blocks_stop_and_finance_disposes_of_the_hits,
    zx_4b_finance_edits_a_rule_after_its_syntax_check_and_dry_run,
    pm_9_a_suspended_project_is_blocked_at_payment_until_lifted,
    zb_7a_hundreds_of_simultaneous_payments_never_overdraw_and_each_gets_one_answer,
    zb_11_a_unit_with_own_funds_for_the_code_is_warned_to_spend_them_first,
    zx_4b_zb_6b_zb_12_the_rules_see_the_payees_history_the_units_use_and_the_special_fund,
);
