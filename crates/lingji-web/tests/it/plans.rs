//! Monthly spending plans through the API and pages on SQLite and PostgreSQL: filing within the
//! line (ZB-7a), the month's review in tier order within the cash limit (ZX-4a), payments held
//! to the plan when the profile says so, and QJ-4a priority subjects first in finance's queue.

use crate::common::lines::line;
use crate::common::projects::{complete, create, meeting_standard};
use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

fn plan(line: i64, month: u32, amount: &str) -> Value {
    json!({ "line_id": line, "month": month, "amount": amount, "purpose": "三月办公及业务支出" })
}

async fn file(t: &TestApp, s: &Session, body: Value) -> crate::common::Reply {
    t.call(Method::POST, "/api/v1/spending-plans", Some(s), Some(body))
        .await
}

async fn review(
    t: &TestApp,
    s: &Session,
    month: u32,
    limit: &str,
    record: bool,
) -> crate::common::Reply {
    t.call(
        Method::POST,
        "/api/v1/spending-plans/review",
        Some(s),
        Some(json!({ "month": month, "cash_limit": limit, "record": record })),
    )
    .await
}

fn payment(line: i64, key: &str, amount: &str, date: &str) -> Value {
    json!({
        "payee_name": "示范市办公用品有限公司", "payee_account": "6222021234567890", "payee_kind": "unit",
        "amount": amount, "economic_code": "30201", "line_id": line, "purpose": "采购办公用品",
        "date": date, "idempotency_key": key,
    })
}

/// Turns on ZX-4a's plan control in the 2026 profile.
async fn plans_control_payments(t: &TestApp) {
    let admin = t.login("admin").await;
    let version = t.get("/api/v1/policy/2026", Some(&admin)).await.json()["version"].clone();
    let r = t
        .call(
            Method::PUT,
            "/api/v1/policy/2026",
            Some(&admin),
            Some(json!({ "based_on": version, "note": "执行用款计划管理",
                "changes": { "execution.payments_within_plan": "是" } })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// A line of a three-guarantees budget for the demo unit.
async fn guaranteed_line(t: &TestApp, yuan: i64) -> i64 {
    let id = line(t, "101001", "301", yuan, None).await;
    let mut c = t.app.store.write().acquire().await.unwrap();
    sqlx::query("UPDATE budget_lines SET three_guarantees = 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *c)
        .await
        .unwrap();
    id
}

async fn zx_4a_a_months_plans_are_reviewed_in_tier_order_within_the_cash_limit(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let general = line(&t, "101001", "302", 100_000, None).await;
    let wages = guaranteed_line(&t, 200_000).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let a = file(&t, &unit, plan(general, 3, "60000.00")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(
        (a.json()["tier"].clone(), a.json()["status"].clone()),
        (json!("general"), json!("filed"))
    );
    let b = file(&t, &unit, plan(wages, 3, "50000.00")).await;
    assert_eq!(b.json()["tier"], "three_guarantees", "{}", b.text);

    // Planned and not paid may not pass what the line has (60,000 filed + 50,000 > 100,000).
    let audit = t.audit_count().await;
    let over = file(&t, &unit, plan(general, 4, "50000.00")).await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (
            over.json()["code"].clone(),
            over.json()["clause"].clone(),
            over.json()["field"].clone()
        ),
        (
            json!("PLAN_ABOVE_AVAILABLE"),
            json!("ZX-4a"),
            json!("amount")
        )
    );
    let bad = file(
        &t,
        &unit,
        json!({ "line_id": general, "month": 13, "amount": "-5", "purpose": "" }),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let bad = bad.json();
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["month", "amount", "purpose"]);
    // Only units file, only finance reviews.
    let dept = t.login("zhuguan").await;
    assert_eq!(
        file(&t, &dept, plan(general, 3, "1.00")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        review(&t, &unit, 3, "1.00", false).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(t.audit_count().await, audit, "refusals record nothing");

    // The dry run: the 三保 plan first in full, the general one gets what is left.
    let dry = review(&t, &fin, 3, "80000.00", false).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    let d = dry.json();
    let order: Vec<(i64, &str, &str)> = d["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line_id"].as_i64().unwrap(),
                l["granted"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (wages, "50000.00", "approved"),
            (general, "30000.00", "partial")
        ]
    );
    assert_eq!(
        (d["approved_total"].clone(), d["review_id"].clone()),
        (json!("80000.00"), Value::Null)
    );
    assert_eq!(t.audit_count().await, audit, "a dry run records nothing");
    let listed = t
        .get(
            "/api/v1/spending-plans?year=2026&month=3&status=filed",
            Some(&fin),
        )
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 2);

    let done = review(&t, &fin, 3, "80000.00", true).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert!(done.json()["review_id"].as_i64().is_some());
    assert_eq!(t.audit_count().await, audit + 1);
    let again = review(&t, &fin, 3, "80000.00", true).await;
    assert_eq!(again.json()["code"], "PLAN_NONE_FILED", "{}", again.text);
    let mine = t
        .get("/api/v1/spending-plans?month=3", Some(&unit))
        .await
        .json();
    let approved: Vec<(&str, &str)> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["status"].as_str().unwrap(),
                p["approved"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        approved,
        [("partial", "30000.00"), ("approved", "50000.00")]
    );
    let reviews = t
        .get("/api/v1/spending-plans/reviews", Some(&fin))
        .await
        .json();
    assert_eq!(reviews[0]["cash_limit"], "80000.00");
    // A joint reviewer has no business with plans.
    let other = t.login("shuju").await;
    assert_eq!(
        t.get("/api/v1/spending-plans?month=3", Some(&other))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn zx_4a_payments_stay_within_the_months_approved_plan(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    plans_control_payments(&t).await;
    let id = line(&t, "101001", "302", 100_000, None).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    assert_eq!(
        file(&t, &unit, plan(id, 3, "30000.00")).await.status,
        StatusCode::CREATED
    );
    // Before the review there is no plan to pay from.
    let early = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "plan-key-early", "100.00", "2026-03-05")),
        )
        .await
        .json();
    assert_eq!(
        (early["status"].clone(), early["refusal"]["code"].clone()),
        (json!("refused"), json!("PLAN_BALANCE_INSUFFICIENT"))
    );
    assert_eq!(
        review(&t, &fin, 3, "1000000.00", true).await.status,
        StatusCode::OK
    );
    let check = t
        .call(
            Method::POST,
            "/api/v1/payments/check",
            Some(&unit),
            Some(payment(id, "", "30000.01", "2026-03-10")),
        )
        .await
        .json();
    assert_eq!(check["plan_available"], "30000.00", "{check}");
    assert_eq!(check["errors"][0]["code"], "PLAN_BALANCE_INSUFFICIENT");

    // Forty requests of 1,000 at once on a 30,000 plan: exactly thirty get through.
    let t = std::sync::Arc::new(t);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let t = t.clone();
        let unit = unit.clone();
        tasks.push(tokio::spawn(async move {
            t.call(
                Method::POST,
                "/api/v1/payments",
                Some(&unit),
                Some(payment(
                    id,
                    &format!("plan-key-{i}"),
                    "1000.00",
                    "2026-03-10",
                )),
            )
            .await
            .json()["status"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut pending = 0;
    for task in tasks {
        if task.await.unwrap() == "pending" {
            pending += 1;
        }
    }
    assert_eq!(pending, 30);
    // April has no plan; a released March payment gives its plan back.
    let april = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(payment(id, "plan-april", "10.00", "2026-04-01")),
        )
        .await
        .json();
    assert_eq!(april["refusal"]["clause"], "ZX-4a");
    let first = t
        .get("/api/v1/payments?status=pending&limit=1", Some(&fin))
        .await
        .json()[0]["id"]
        .clone();
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{first}/decision"),
            Some(&fin),
            Some(json!({ "decision": "reject", "reason": "重复申请" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let after = t
        .call(
            Method::POST,
            "/api/v1/payments/check",
            Some(&unit),
            Some(payment(id, "", "1000.00", "2026-03-10")),
        )
        .await
        .json();
    assert_eq!(after["plan_available"], "1000.00");
}

async fn qj_4a_priority_subjects_come_first_in_finances_queue(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let plain = line(&t, "101001", "302", 100_000, None).await;
    // An education project (function 2050803): its payments are a QJ-4a priority.
    let project = create(&t, &unit, complete(meeting_standard(&t).await)).await;
    let school = line(&t, "101001", "302", 100_000, project["id"].as_i64()).await;
    for (key, l) in [
        ("queue-01", plain),
        ("queue-02", school),
        ("queue-03", plain),
    ] {
        let r = t
            .call(
                Method::POST,
                "/api/v1/payments",
                Some(&unit),
                Some(payment(l, key, "100.00", "2026-03-10")),
            )
            .await;
        assert_eq!(r.json()["status"], "pending", "{}", r.text);
    }
    let keys = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["idempotency_key"].as_str().unwrap().to_string())
            .collect()
    };
    let queue = t
        .get("/api/v1/payments?status=pending&queue=true", Some(&fin))
        .await
        .json();
    assert_eq!(queue[0]["priority"], "教育");
    assert_eq!(keys(queue), ["queue-02", "queue-01", "queue-03"]);
    let newest = t
        .get("/api/v1/payments?status=pending", Some(&fin))
        .await
        .json();
    assert_eq!(keys(newest), ["queue-03", "queue-02", "queue-01"]);
    let page = t.get("/payments?status=pending", Some(&fin)).await;
    assert!(
        page.text.contains("data-testid=\"priority\">教育"),
        "{}",
        page.text
    );
    // The project's plan sits with the general tier, marked as a priority.
    let p = file(&t, &unit, plan(school, 5, "100.00")).await.json();
    assert_eq!(
        (p["tier"].clone(), p["priority"].clone()),
        (json!("general"), json!("教育"))
    );
}

async fn zx_4a_units_file_and_finance_reviews_on_the_page(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = line(&t, "101001", "302", 100_000, None).await;
    let unit = t.login("danwei").await;
    let page = t.get("/spending-plans?month=3", Some(&unit)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("data-testid=\"plan-form\""));
    assert!(!page.text.contains("data-testid=\"review-form\""));
    // Typed wrong: the form comes back with the field's message and what was typed.
    let wrong = t
        .form(
            "/spending-plans",
            &unit,
            &[
                ("line_id", &id.to_string()),
                ("month", "3"),
                ("amount", "120000"),
                ("purpose", "办公"),
            ],
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text.contains("超过该指标可计划余额"),
        "{}",
        wrong.text
    );
    assert!(wrong.text.contains("value=\"120000\""));
    let ok = t
        .form(
            "/spending-plans",
            &unit,
            &[
                ("line_id", &id.to_string()),
                ("month", "3"),
                ("amount", "2000"),
                ("purpose", "办公"),
            ],
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let fin = t.login("caizheng").await;
    let tried = t
        .form(
            "/spending-plans/review",
            &fin,
            &[("month", "3"), ("cash_limit", "1500"), ("record", "0")],
            None,
        )
        .await;
    assert_eq!(tried.status, StatusCode::OK);
    assert!(
        tried
            .text
            .contains("data-testid=\"preview-approved\">1,500.00"),
        "{}",
        tried.text
    );
    let recorded = t
        .form(
            "/spending-plans/review",
            &fin,
            &[("month", "3"), ("cash_limit", "1500"), ("record", "1")],
            None,
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER);
    let after = t
        .get("/spending-plans?month=3&msg=reviewed", Some(&fin))
        .await;
    assert!(after.text.contains("部分批准"));
    assert!(after.text.contains("data-testid=\"plan-reviews\""));
}

backend_tests!(
    zx_4a_a_months_plans_are_reviewed_in_tier_order_within_the_cash_limit,
    zx_4a_payments_stay_within_the_months_approved_plan,
    qj_4a_priority_subjects_come_first_in_finances_queue,
    zx_4a_units_file_and_finance_reviews_on_the_page,
);
