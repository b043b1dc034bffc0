//! 待办 through the API and the home page, on the lived demo: what its years leave waiting for
//! the unit, the department's reviewer and finance, and how the list moves as they work.

use crate::common::{Session, TestApp};
use axum::http::Method;
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

/// The caller's to-do: (kind, count) for every kind listed.
async fn todo(t: &TestApp, s: &Session) -> (Value, Vec<(String, u64)>) {
    let r = t.get("/api/v1/todo", Some(s)).await.json();
    let kinds = r["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["count"].as_u64().unwrap(),
            )
        })
        .collect();
    (r, kinds)
}

fn count(kinds: &[(String, u64)], kind: &str) -> Option<u64> {
    kinds.iter().find(|(k, _)| k == kind).map(|(_, n)| *n)
}

fn item<'a>(todo: &'a Value, kind: &str) -> &'a Value {
    todo["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {todo}"))
}

async fn zb_5a_zx_4b_each_role_finds_its_work_waiting_and_counted(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let reviewer = t.login("zhuguan").await;
    let finance = t.login("caizheng").await;
    let audit = t.login("shenji").await;

    // The unit: its project returned with the reason, and nothing of finance's work.
    let (u, kinds) = todo(&t, &unit).await;
    assert_eq!(
        kinds.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["projects_returned", "evaluations_due"],
        "{u}"
    );
    let returned = item(&u, "projects_returned");
    assert_eq!(returned["count"], 1, "{u}");
    assert_eq!(returned["label"], "退回修改的项目");
    let entry = &returned["entries"][0];
    assert!(
        entry["detail"]
            .as_str()
            .unwrap()
            .starts_with("主管部门初审："),
        "the reason comes with it: {entry}"
    );
    assert!(entry["href"].as_str().unwrap().starts_with("/projects/"));

    // The department's reviewer: the request waiting at its step, named by code and name.
    let (r, kinds) = todo(&t, &reviewer).await;
    assert_eq!(
        kinds.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["projects_to_review"]
    );
    let waiting = item(&r, "projects_to_review");
    assert!(waiting["count"].as_u64().unwrap() >= 1, "{r}");
    let queue = t.get("/api/v1/reviews/queue", Some(&reviewer)).await.json();
    assert_eq!(waiting["count"], queue["total"], "the same as the queue");

    // Audit changes nothing and has nothing to do.
    let (a, kinds) = todo(&t, &audit).await;
    assert!(kinds.is_empty(), "{a}");
    assert_eq!(a["total"], 0);

    // Finance: a payment a warning rule holds appears as held and as a hit to verify …
    let (_, before) = todo(&t, &finance).await;
    let lines = t.get("/api/v1/budget-lines", Some(&unit)).await.json();
    let line = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["economic_code"] == "302" && l["fiscal_year"] == 2026)
        .unwrap_or_else(|| panic!("the unit's 2026 公用经费 line in {lines}"));
    let held = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({
                "payee_name": "张三",
                "payee_account": "6222021234567890",
                "payee_kind": "individual",
                "amount": "60000.00",
                "economic_code": "30226",
                "line_id": line["id"],
                "purpose": "专家咨询劳务",
                "date": "2026-03-10",
                "contract_no": "HT-1",
                "idempotency_key": "todo-0001",
            })),
        )
        .await
        .json();
    assert_eq!(held["status"], "held", "{held}");
    let (f, after) = todo(&t, &finance).await;
    assert_eq!(
        count(&after, "held_payments"),
        count(&before, "held_payments").map(|n| n + 1)
    );
    assert_eq!(
        count(&after, "open_hits"),
        count(&before, "open_hits").map(|n| n + 1)
    );
    let entry = &item(&f, "held_payments")["entries"][0];
    assert_eq!(entry["title"], "张三 60,000.00 元", "{entry}");
    assert_eq!(entry["href"], format!("/payments/{}", held["id"]));
    assert_eq!(f["total"], after.iter().map(|(_, n)| n).sum::<u64>());

    // … and once finance confirms it, it waits to be paid instead.
    let id = held["id"].as_i64().unwrap();
    t.call(
        Method::POST,
        &format!("/api/v1/payments/{id}/decision"),
        Some(&finance),
        Some(json!({"decision": "confirm", "reason": "劳务合同已附"})),
    )
    .await;
    let (_, then) = todo(&t, &finance).await;
    assert_eq!(
        count(&then, "held_payments"),
        count(&before, "held_payments")
    );
    assert_eq!(
        count(&then, "payments_to_pay"),
        count(&before, "payments_to_pay").map(|n| n + 1)
    );
    // The unit sees none of it.
    let (_, kinds) = todo(&t, &unit).await;
    assert_eq!(count(&kinds, "held_payments"), None);

    // Every link of the to-do opens a page of the person's.
    for s in [&unit, &reviewer, &finance] {
        let (list, _) = todo(&t, s).await;
        for i in list["items"].as_array().unwrap() {
            let mut hrefs = vec![i["href"].as_str().unwrap().to_string()];
            hrefs.extend(
                i["entries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["href"].as_str().unwrap().to_string()),
            );
            for href in hrefs {
                let page = t.get(&href, Some(s)).await;
                assert_eq!(page.status, 200, "{href} for {}: {}", s.user_id, page.text);
            }
        }
    }

    // The home page says the same.
    let html = t.get("/", Some(&finance)).await.text;
    assert!(html.contains("待办"), "{html}");
    assert!(html.contains("待支付的申请"));
    assert!(html.contains(&format!("href=\"/payments/{id}\"")));
    let home = t.get("/", Some(&unit)).await.text;
    assert!(home.contains("退回修改的项目"));
    assert!(!home.contains("预警待核的支付"));
}

backend_tests!(zb_5a_zx_4b_each_role_finds_its_work_waiting_and_counted);
