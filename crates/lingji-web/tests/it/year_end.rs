//! The year-end close through the API and page on SQLite and PostgreSQL: every line's balance
//! carried over or recovered by the profile (ZB-6d, QJ-4b, CS-6), next year's lines opened, the
//! ledgers balancing, and a second run changing nothing.

use crate::common::TestApp;
use crate::common::lines::line;
use crate::common::projects::{complete, create, meeting_standard};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests, execution::ledger};
use lingji_domain::Money;
use lingji_domain::execution::replay;
use serde_json::{Value, json};

async fn close(t: &TestApp, who: &crate::common::Session, body: Value) -> crate::common::Reply {
    t.call(Method::POST, "/api/v1/year-end", Some(who), Some(body))
        .await
}

fn row(report: &Value, line: i64) -> (String, String, String) {
    let l = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line_id"] == line)
        .unwrap_or_else(|| panic!("line {line} not in {report}"));
    (
        l["carried"].as_str().unwrap().to_string(),
        l["recovered"].as_str().unwrap().to_string(),
        l["clause"].as_str().unwrap().to_string(),
    )
}

fn owned(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

async fn ledger_count(t: &TestApp) -> i64 {
    let mut c = t.app.store.write().acquire().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger_entries")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    n
}

async fn zb_6d_cs_6_the_year_end_carries_or_recovers_every_balance_once(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let project = create(&t, &unit, complete(meeting_standard(&t).await)).await["id"].as_i64();
    let sangong = line(&t, "101001", "30217", 10_000, None).await;
    let basic = line(&t, "101001", "30201", 20_000, None).await;
    let meeting = line(&t, "101001", "30215", 30_000, project).await;
    let capital = line(&t, "101001", "31002", 40_000, project).await;
    let unit_id = t.org_id("101001").await;
    let transfer = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&fin),
            Some(json!({"year": 2026, "unit_id": unit_id, "name": "上级补助设备购置", "economic_code": "31002",
                "fund_book": "upper_transfer", "amount": "5000", "document": "财教〔2026〕8号"})),
        )
        .await;
    assert_eq!(transfer.status, StatusCode::CREATED, "{}", transfer.text);
    let transfer = transfer.json()["id"].as_i64().unwrap();
    // A payment held on the capital line at year-end stays held; only what is available moves.
    let pay = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({ "payee_name": "示范市设备有限公司", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "1000.00", "economic_code": "31002", "line_id": capital,
                "purpose": "设备尾款", "date": "2026-12-20", "contract_no": "HT-2026-9", "idempotency_key": "year-end-01" })),
        )
        .await;
    assert_eq!(pay.json()["status"], "pending", "{}", pay.text);

    // Wrong contract claims are refused by field and clause.
    let bad = close(
        &t,
        &fin,
        json!({"contracts": [{"line_id": meeting, "contract_no": "", "amount": "1"}]}),
    )
    .await;
    assert_eq!(
        (bad.json()["code"].clone(), bad.json()["clause"].clone()),
        (json!("CONTRACT_CLAIM_INVALID"), json!("ZB-6d"))
    );
    let unknown = close(
        &t,
        &fin,
        json!({"contracts": [{"line_id": 999_999, "contract_no": "HT-1", "amount": "1"}]}),
    )
    .await;
    assert_eq!(unknown.json()["code"], "CONTRACT_LINE_UNKNOWN");
    assert_eq!(
        close(&t, &unit, json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get("/api/v1/year-end?year=2026", Some(&fin)).await.status,
        StatusCode::NOT_FOUND
    );

    // The trial shows every line's fate and writes nothing.
    let contracts = json!([{"line_id": meeting, "contract_no": "HT-2026-5", "amount": "12000"}]);
    let audit = t.audit_count().await;
    let entries = ledger_count(&t).await;
    let trial = close(&t, &fin, json!({"contracts": contracts})).await;
    assert_eq!(trial.status, StatusCode::OK, "{}", trial.text);
    let trial = trial.json();
    assert_eq!(row(&trial, sangong), owned("0.00", "10000.00", "CS-6"));
    assert_eq!(row(&trial, basic), owned("0.00", "20000.00", "QJ-4b"));
    assert_eq!(row(&trial, meeting), owned("12000.00", "18000.00", "ZB-6d"));
    assert_eq!(row(&trial, capital), owned("39000.00", "0.00", "CS-6"));
    assert_eq!(row(&trial, transfer), owned("5000.00", "0.00", "QJ-4b"));
    assert_eq!(trial["closed"], Value::Null);
    assert_eq!(
        (t.audit_count().await, ledger_count(&t).await),
        (audit, entries)
    );

    let done = close(&t, &fin, json!({"contracts": contracts, "record": true})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let done = done.json();
    assert_eq!(t.audit_count().await, audit + 1);
    // Parts add up: each line, each department and the whole.
    let sum = |key: &str, list: &str| -> Money {
        Money::checked_sum(
            done[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| Money::parse(l[key].as_str().unwrap()).unwrap()),
        )
        .unwrap()
    };
    for key in ["carried", "recovered"] {
        assert_eq!(
            sum(key, "lines"),
            Money::parse(done[key].as_str().unwrap()).unwrap()
        );
        assert_eq!(
            sum(key, "departments"),
            Money::parse(done[key].as_str().unwrap()).unwrap()
        );
    }
    // The old lines are empty but for the held payment; next year's lines hold the carry-over.
    let mut c = t.app.store.write().acquire().await.unwrap();
    for l in [sangong, basic, meeting, capital, transfer] {
        let b = ledger::balance(&mut c, l).await.unwrap().unwrap();
        assert_eq!(b.available(), Money::ZERO, "line {l}");
        assert_eq!(
            replay(&ledger::entries(&mut c, l).await.unwrap()).unwrap(),
            b
        );
    }
    let carried_line = done["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line_id"] == capital)
        .unwrap()["new_line_id"]
        .as_i64()
        .unwrap();
    let next = ledger::balance(&mut c, carried_line)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.available(), Money::from_yuan(39_000));
    let (year, source, age): (i64, String, i64) =
        sqlx::query_as("SELECT fiscal_year, source, carryover_age FROM budget_lines WHERE id = $1")
            .bind(carried_line)
            .fetch_one(&mut *c)
            .await
            .unwrap();
    assert_eq!((year, source.as_str(), age), (2027, "carryover", 1));
    drop(c);

    // Running it again changes nothing and answers with the first report.
    let entries = ledger_count(&t).await;
    let again = close(&t, &fin, json!({"contracts": contracts, "record": true}))
        .await
        .json();
    assert_eq!(again["already_closed"], true);
    assert_eq!(
        (again["carried"].clone(), again["recovered"].clone()),
        (done["carried"].clone(), done["recovered"].clone())
    );
    assert_eq!(
        (t.audit_count().await, ledger_count(&t).await),
        (audit + 1, entries)
    );
    // The held payment is still paid from the closed line.
    let paid = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{}/decision", pay.json()["id"]),
            Some(&fin),
            Some(json!({"decision": "pay"})),
        )
        .await;
    assert_eq!(paid.json()["status"], "paid", "{}", paid.text);
    // Audit reads the report.
    let auditor = t.login("shenji").await;
    let seen = t.get("/api/v1/year-end?year=2026", Some(&auditor)).await;
    assert_eq!(seen.json()["carried"], done["carried"]);
}

async fn zb_6d_finance_tries_and_runs_the_close_on_the_page(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let unit = t.login("danwei").await;
    let project = create(&t, &unit, complete(meeting_standard(&t).await)).await["id"].as_i64();
    let meeting = line(&t, "101001", "30215", 30_000, project).await;
    let first = t.get("/year-end", Some(&fin)).await;
    assert!(first.text.contains("data-testid=\"year-end-form\""));
    assert!(first.text.contains("data-testid=\"year-end-none\""));
    let wrong = t
        .form(
            "/year-end",
            &fin,
            &[("contracts", "abc"), ("record", "0")],
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text.contains("第 1 行应为"), "{}", wrong.text);
    let claim = format!("{meeting},HT-2026-5,12000");
    let trial = t
        .form(
            "/year-end",
            &fin,
            &[("contracts", &claim), ("record", "0")],
            None,
        )
        .await;
    assert_eq!(trial.status, StatusCode::OK);
    assert!(trial.text.contains("试算（尚未执行）"), "{}", trial.text);
    assert!(trial.text.contains("合同款 12,000.00 元结转"));
    let run = t
        .form(
            "/year-end",
            &fin,
            &[("contracts", &claim), ("record", "1")],
            None,
        )
        .await;
    assert_eq!(run.status, StatusCode::SEE_OTHER);
    // The message says what the close did, read from the stored close.
    let to = run.headers["location"].to_str().unwrap().to_string();
    let after = t.get(&to, Some(&fin)).await;
    assert!(after.text.contains("已结转 "), "{}", after.text);
    assert!(
        after.text.contains("条指标") && after.text.contains("、收回 "),
        "{}",
        after.text
    );
    assert!(
        !after.text.contains("data-testid=\"year-end-form\""),
        "the year is closed"
    );
    let unit = t.login("danwei").await;
    assert_eq!(
        t.get("/year-end", Some(&unit)).await.status,
        StatusCode::FORBIDDEN
    );
}

backend_tests!(
    zb_6d_cs_6_the_year_end_carries_or_recovers_every_balance_once,
    zb_6d_finance_tries_and_runs_the_close_on_the_page,
);
