//! The payments list at any size (issue 20 point 4, issue 21): the store counts, sums, sorts
//! and pages every payment the filters find, so past a page — and past the thousand the page
//! once read — the count and the total stay exact to the fen, on SQLite and PostgreSQL.

use crate::common::TestApp;
use crate::common::lines::line;
use crate::list_pages::{body_amounts, money, pager, testid};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::Money;
use serde_json::{Value, json};

/// Every payment of this test carries this in its purpose, so the demo's own payments (if
/// any) do not change what is counted.
const TAG: &str = "列表核对";

struct Made {
    id: i64,
    unit: i64,
    amount: Money,
    status: String,
    payee: String,
}

fn sum<'a>(rows: impl Iterator<Item = &'a Made>) -> Money {
    rows.map(|m| m.amount)
        .try_fold(Money::ZERO, Money::checked_add)
        .unwrap()
}

/// (count, total) of the payments page at `path`: the pager's count and the footer's total.
async fn page_figures(t: &TestApp, path: &str, s: &crate::common::Session) -> (usize, Money) {
    let r = t.get(path, Some(s)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    (pager(&r.text).0, money(testid(&r.text, "payments-total")))
}

/// The payments' amounts on a page, in order (the number and the amount are its numeric cells).
fn amounts(html: &str) -> Vec<Money> {
    body_amounts(html, "payments")
        .chunks(2)
        .map(|c| c[1])
        .collect()
}

async fn the_payments_list_counts_and_sums_every_payment_past_a_page(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let unit = t.login("danwei").await;
    let (a, b) = (t.org_id("101001").await, t.org_id("101002").await);
    let lines = [
        line(&t, "101001", "302", 1_000_000, None).await,
        line(&t, "101002", "302", 1_000_000, None).await,
    ];
    let before = t.get("/api/v1/payments?limit=1", Some(&fin)).await;
    let header = |r: &crate::common::Reply, h: &str| {
        r.headers
            .get(h)
            .unwrap_or_else(|| panic!("no {h}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let base_count: usize = header(&before, "x-total-count").parse().unwrap();
    let base_total = money(&header(&before, "x-total-amount"));

    // 61 payments in two units through the payment use case, one payee named with % and _.
    let mut made = Vec::new();
    for i in 0..61_i64 {
        let payee = if i == 7 {
            "达标率100%_服务公司".to_string()
        } else {
            format!("供应商{i:03}")
        };
        let body = json!({
            "payee_name": payee,
            "payee_account": format!("62220200000{i:05}"),
            "payee_kind": "unit",
            "amount": format!("{}.{:02}", 100 + i * 7, i),
            "economic_code": "30201",
            "line_id": lines[(i % 2) as usize],
            "purpose": format!("{TAG}采购办公用品"),
            "date": "2026-03-10",
            "idempotency_key": format!("list-{i:04}"),
        });
        let r = t
            .call(Method::POST, "/api/v1/payments", Some(&fin), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let p: Value = r.json();
        made.push(Made {
            id: p["id"].as_i64().unwrap(),
            unit: p["unit_id"].as_i64().unwrap(),
            amount: money(p["amount"].as_str().unwrap()),
            status: p["status"].as_str().unwrap().to_string(),
            payee,
        });
    }
    // Another finance officer pays the first twelve that wait for it.
    let treasury = t.second_finance().await;
    for m in made.iter_mut().filter(|m| m.status == "pending").take(12) {
        let r = t
            .call(
                Method::POST,
                &format!("/api/v1/payments/{}/decision", m.id),
                Some(&treasury),
                Some(json!({"decision": "pay"})),
            )
            .await;
        assert_eq!(r.json()["status"], "paid", "{}", r.text);
        m.status = "paid".into();
    }
    let q = format!("q={}", urlencode(TAG));

    // Every payment counted and summed to the fen, the demo's as well; there is a page 2.
    let (count, total) = page_figures(&t, "/payments", &fin).await;
    assert_eq!(count, base_count + 61);
    assert_eq!(
        total,
        base_total.checked_add(sum(made.iter())).unwrap(),
        "the footer adds up every payment, not the page's"
    );
    let mine = format!("/payments?{q}");
    assert_eq!(page_figures(&t, &mine, &fin).await, (61, sum(made.iter())));
    let second = t.get(&format!("{mine}&page=2"), Some(&fin)).await.text;
    assert_eq!(pager(&second), (61, 2, 2));
    assert_eq!(amounts(&second).len(), 11);

    // Filters by unit, state and text change the count and the total.
    let of_b: Vec<&Made> = made.iter().filter(|m| m.unit == b).collect();
    assert_eq!(
        page_figures(&t, &format!("{mine}&unit_id={b}"), &fin).await,
        (of_b.len(), sum(of_b.into_iter()))
    );
    let paid: Vec<&Made> = made.iter().filter(|m| m.status == "paid").collect();
    assert_eq!(paid.len(), 12);
    assert_eq!(
        page_figures(&t, &format!("{mine}&status=paid"), &fin).await,
        (12, sum(paid.into_iter()))
    );
    // A unit's operator sees its own unit's only, counted and summed in the store.
    let of_a: Vec<&Made> = made.iter().filter(|m| m.unit == a).collect();
    assert_eq!(
        page_figures(&t, &mine, &unit).await,
        (of_a.len(), sum(of_a.into_iter()))
    );
    // The number finds its payment exactly.
    let seventh = &made[7];
    let by_number = t
        .get(&format!("/payments?q={}", seventh.id), Some(&fin))
        .await
        .text;
    assert!(by_number.contains(&format!("href=\"/payments/{}\"", seventh.id)));
    // % and _ are taken literally: "%" finds the one payee that has it, "供应商0_0" none
    // (as a wildcard _ would find 供应商000, 供应商010 …).
    let percent = format!("/payments?q={}", urlencode("100%_服务"));
    assert_eq!(
        page_figures(&t, &percent, &fin).await,
        (1, seventh.amount),
        "{}",
        seventh.payee
    );
    assert_eq!(
        page_figures(&t, &format!("/payments?q={}", urlencode("%")), &fin)
            .await
            .0,
        1
    );
    assert_eq!(
        page_figures(&t, &format!("/payments?q={}", urlencode("供应商0_0")), &fin)
            .await
            .0,
        0
    );
    assert_eq!(
        page_figures(&t, &format!("/payments?q={}", urlencode("供应商01")), &fin)
            .await
            .0,
        10
    );
    // A text too long is refused beside its field, nothing silently cut.
    let long = t
        .get(
            &format!("/payments?q={}", urlencode(&"长".repeat(101))),
            Some(&fin),
        )
        .await
        .text;
    assert_eq!(testid(&long, "filter-q-error"), "查询内容最多 100 个字");

    // Sorted by amount, largest first, across pages; the total stays the same.
    let sorted = format!("{mine}&sort=amount&dir=desc");
    let first = t.get(&sorted, Some(&fin)).await.text;
    let top = amounts(&first);
    assert_eq!(top.len(), 50);
    assert_eq!(top[0], made.iter().map(|m| m.amount).max().unwrap());
    assert!(top.windows(2).all(|w| w[0] >= w[1]), "{top:?}");
    assert_eq!(money(testid(&first, "payments-total")), sum(made.iter()));
    let rest = amounts(&t.get(&format!("{sorted}&page=2"), Some(&fin)).await.text);
    assert!(rest.windows(2).all(|w| w[0] >= w[1]), "{rest:?}");
    assert!(rest[0] <= top[49]);
    assert_eq!(rest.last(), made.iter().map(|m| m.amount).min().as_ref());
    // By unit: 101001's before 101002's.
    let by_unit = t.get(&format!("{mine}&sort=unit"), Some(&fin)).await.text;
    let first_id: i64 = {
        let table = &by_unit[by_unit.find("<tbody>").unwrap()..];
        let at = table.find("href=\"/payments/").unwrap() + "href=\"/payments/".len();
        table[at..at + table[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    assert_eq!(made.iter().find(|m| m.id == first_id).unwrap().unit, a);

    // The API pages the same way and gives the count and the total in its headers.
    let api = t
        .get(
            &format!("/api/v1/payments?{q}&sort=amount&dir=desc&limit=10&offset=10"),
            Some(&fin),
        )
        .await;
    assert_eq!(api.status, 200, "{}", api.text);
    let rows = api.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let mut by_amount: Vec<Money> = made.iter().map(|m| m.amount).collect();
    by_amount.sort_by(|x, y| y.cmp(x));
    assert_eq!(money(rows[0]["amount"].as_str().unwrap()), by_amount[10]);
    assert_eq!(header(&api, "x-total-count"), "61");
    assert_eq!(money(&header(&api, "x-total-amount")), sum(made.iter()));
    let bad = t.get("/api/v1/payments?sort=password", Some(&fin)).await;
    assert_eq!(
        (bad.status, bad.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "PAYMENT_SORT_UNKNOWN".into()
        )
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

backend_tests!(the_payments_list_counts_and_sums_every_payment_past_a_page);
