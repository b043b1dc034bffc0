//! Budget adjustments through the API and page on SQLite and PostgreSQL: transfers within the
//! rules (ZB-7b), supplements only for library projects and major ones only after their
//! assessments (QJ-2a, ZB-7b), the ledgers moving on approval, and the amendment document as
//! .xlsx (QJ-4c).

use crate::common::lines::line;
use crate::common::projects::{admitted, complete, create, meeting_standard};
use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests, execution::ledger};
use lingji_domain::Money;
use lingji_domain::execution::replay;
use serde_json::{Value, json};

async fn ask(t: &TestApp, s: &Session, body: Value) -> crate::common::Reply {
    t.call(Method::POST, "/api/v1/adjustments", Some(s), Some(body))
        .await
}

async fn decide(
    t: &TestApp,
    s: &Session,
    id: &Value,
    approve: bool,
    note: &str,
) -> crate::common::Reply {
    t.call(
        Method::POST,
        &format!("/api/v1/adjustments/{id}/decision"),
        Some(s),
        Some(json!({ "approve": approve, "note": note })),
    )
    .await
}

fn transfer(from: i64, to: i64, amount: &str) -> Value {
    json!({ "kind": "transfer", "from_line_id": from, "to_line_id": to, "amount": amount,
        "reason": "年中调整支出结构" })
}

/// A line's budget (approved plus adjustments), checked against its entries.
async fn budget(t: &TestApp, line: i64) -> Money {
    let mut c = t.app.store.write().acquire().await.unwrap();
    let b = ledger::balance(&mut c, line).await.unwrap().unwrap();
    assert_eq!(
        replay(&ledger::entries(&mut c, line).await.unwrap()).unwrap(),
        b
    );
    b.budget()
}

async fn zb_7b_a_transfer_moves_budget_within_the_rules_and_only_what_is_available(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let office = line(&t, "101001", "302", 100_000, None).await;
    let equipment = line(&t, "101001", "31002", 50_000, None).await;
    let wages = line(&t, "101001", "301", 300_000, None).await;
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let audit = t.audit_count().await;
    // Personnel and public expense are not swapped; the same line is no transfer.
    let swap = ask(&t, &unit, transfer(office, wages, "1000.00")).await;
    assert_eq!(
        (swap.json()["code"].clone(), swap.json()["clause"].clone()),
        (json!("ADJUSTMENT_CLASS_SWAP"), json!("ZB-7b"))
    );
    let too_much = ask(&t, &unit, transfer(office, equipment, "100000.01")).await;
    assert_eq!(too_much.json()["code"], "ADJUSTMENT_ABOVE_AVAILABLE");
    let no_reason = ask(&t, &unit, json!({ "kind": "transfer", "from_line_id": office, "to_line_id": equipment, "amount": "1", "reason": " " })).await;
    assert_eq!(no_reason.json()["field"], "reason");
    // Another unit's line is out of reach.
    let other = line(&t, "101002", "302", 10_000, None).await;
    assert_eq!(
        ask(&t, &unit, transfer(other, equipment, "1.00"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(t.audit_count().await, audit, "refusals record nothing");

    let r = ask(&t, &unit, transfer(office, equipment, "20000.00")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].clone();
    assert_eq!(r.json()["status"], "requested");
    // Only finance decides.
    assert_eq!(
        decide(&t, &unit, &id, true, "").await.status,
        StatusCode::FORBIDDEN
    );
    // Meanwhile a payment holds 90,000 of the line: the transfer no longer fits and nothing moves.
    let pay = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({ "payee_name": "示范市办公用品有限公司", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "90000.00", "economic_code": "30201", "line_id": office,
                "purpose": "采购办公家具", "date": "2026-03-10", "idempotency_key": "adjust-0001" })),
        )
        .await;
    assert_eq!(pay.json()["status"], "pending", "{}", pay.text);
    let audit = t.audit_count().await;
    let late = decide(&t, &fin, &id, true, "").await;
    assert_eq!(
        (late.status, late.json()["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("ADJUSTMENT_ABOVE_AVAILABLE")
        )
    );
    assert_eq!(t.audit_count().await, audit);
    assert_eq!(budget(&t, office).await, Money::from_yuan(100_000));
    // Sending back needs a note; the payment released, the transfer goes through.
    assert_eq!(
        decide(&t, &fin, &id, false, "").await.json()["field"],
        "note"
    );
    let payment = pay.json()["id"].clone();
    let released = t
        .call(
            Method::POST,
            &format!("/api/v1/payments/{payment}/decision"),
            Some(&fin),
            Some(json!({ "decision": "reject", "reason": "改为下月支付" })),
        )
        .await;
    assert_eq!(released.status, StatusCode::OK);
    let ok = decide(&t, &fin, &id, true, "同意").await;
    assert_eq!(ok.json()["status"], "approved", "{}", ok.text);
    assert_eq!(budget(&t, office).await, Money::from_yuan(80_000));
    assert_eq!(budget(&t, equipment).await, Money::from_yuan(70_000));
    assert_eq!(
        decide(&t, &fin, &id, true, "").await.status,
        StatusCode::CONFLICT,
        "decided once"
    );
}

async fn qj_2a_zb_7b_supplements_need_the_library_and_major_ones_their_assessments(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let fin = t.login("caizheng").await;
    let draft = create(&t, &unit, complete(meeting_standard(&t).await)).await;
    let outside = ask(
        &t,
        &unit,
        json!({ "kind": "supplement", "project_id": draft["id"], "economic_code": "30215",
        "amount": "1000.00", "reason": "新增会议" }),
    )
    .await;
    assert_eq!(
        (
            outside.json()["code"].clone(),
            outside.json()["clause"].clone()
        ),
        (json!("SUPPLEMENT_NOT_IN_LIBRARY"), json!("QJ-2a"))
    );
    let p = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let major = ask(
        &t,
        &unit,
        json!({ "kind": "supplement", "project_id": p["id"], "economic_code": "30215",
        "amount": "5000000.00", "reason": "扩大培训规模" }),
    )
    .await;
    assert_eq!(
        (major.json()["code"].clone(), major.json()["clause"].clone()),
        (json!("SUPPLEMENT_ASSESSMENT_MISSING"), json!("ZB-7b")),
        "{}",
        major.text
    );
    let bad_code = ask(
        &t,
        &unit,
        json!({ "kind": "supplement", "project_id": p["id"], "economic_code": "3x",
        "amount": "1000.00", "reason": "扩大培训规模" }),
    )
    .await;
    assert_eq!(bad_code.json()["field"], "economic_code");
    let r = ask(
        &t,
        &unit,
        json!({ "kind": "supplement", "project_id": p["id"], "economic_code": "30215",
        "amount": "120000.00", "reason": "增加一期培训" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let done = decide(&t, &fin, &r.json()["id"], true, "").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let new_line = done.json()["to_line_id"].as_i64().expect("a new line");
    assert_eq!(budget(&t, new_line).await, Money::from_yuan(120_000));

    // The amendment document lists it, on the page and in the workbook.
    let a = t
        .get("/api/v1/adjustments/amendment", Some(&fin))
        .await
        .json();
    assert_eq!(
        (a["supplemented"].clone(), a["transferred"].clone()),
        (json!("120000.00"), json!("0.00"))
    );
    let file = t
        .get("/api/v1/adjustments/amendment.xlsx", Some(&fin))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let limits = lingji_app::workbook::Limits {
        columns: 40,
        rows: 10_000,
        cells: 100_000,
    };
    let mut book = lingji_app::workbook::Book::open(&file.bytes, limits).unwrap();
    let changes = book.sheet("调整事项").unwrap().expect("sheet 调整事项");
    assert_eq!(changes[1].1[3], "追加");
    assert_eq!(changes[1].1[6], "120000");
    let sums = book.sheet("部门汇总").unwrap().expect("sheet 部门汇总");
    assert_eq!(sums.last().unwrap().1[..3], ["合计", "0", "120000"]);
    // Units do not read the document.
    assert_eq!(
        t.get("/api/v1/adjustments/amendment", Some(&unit))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = t.get("/adjustments", Some(&fin)).await;
    assert!(
        page.text
            .contains("data-testid=\"amendment-supplemented\">120,000.00"),
        "{}",
        page.text
    );
}

async fn zb_7b_units_ask_and_finance_approves_on_the_page(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let office = line(&t, "101001", "302", 10_000, None).await;
    let wages = line(&t, "101001", "301", 10_000, None).await;
    let unit = t.login("danwei").await;
    let swap = t
        .form(
            "/adjustments",
            &unit,
            &[
                ("kind", "transfer"),
                ("from_line_id", &office.to_string()),
                ("to_line_id", &wages.to_string()),
                ("amount", "100"),
                ("reason", "调整"),
            ],
            None,
        )
        .await;
    assert_eq!(swap.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        swap.text
            .contains("人员经费和公用经费不得相互调剂（ZB-7b）"),
        "{}",
        swap.text
    );
    let equipment = line(&t, "101001", "31002", 10_000, None).await;
    let ok = t
        .form(
            "/adjustments",
            &unit,
            &[
                ("kind", "transfer"),
                ("from_line_id", &office.to_string()),
                ("to_line_id", &equipment.to_string()),
                ("amount", "100"),
                ("reason", "调整"),
            ],
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let fin = t.login("caizheng").await;
    let list = t
        .get("/api/v1/adjustments?status=requested", Some(&fin))
        .await
        .json();
    let id = list[0]["id"].as_i64().unwrap();
    let approved = t
        .form(
            &format!("/adjustments/{id}/decision"),
            &fin,
            &[("approve", "1"), ("note", "")],
            None,
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    assert_eq!(budget(&t, equipment).await, Money::from_yuan(10_100));
}

/// QJ-2a on the page: the supplement's project is picked from the unit's library projects by
/// code or "code name", never typed as a number; a project outside the library, or text that
/// names none, is refused beside the field with what was typed kept.
async fn qj_2a_a_supplement_is_picked_from_the_library_on_the_page(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let unit = t.login("danwei").await;
    let p = admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let draft = create(&t, &unit, complete(meeting_standard(&t).await)).await;
    let (code, name) = (p["code"].as_str().unwrap(), p["name"].as_str().unwrap());
    let page = t.get("/adjustments", Some(&unit)).await.text;
    assert!(
        page.contains(&format!("<option value=\"{code}\">{code} {name}</option>")),
        "the admitted project is in the picker"
    );
    let draft_code = draft["code"].as_str().unwrap();
    assert!(
        !page.contains(&format!("<option value=\"{draft_code}\">")),
        "a project still being prepared is not"
    );
    let ask = |project: String| {
        let t = &t;
        let unit = &unit;
        async move {
            t.form(
                "/adjustments",
                unit,
                &[
                    ("kind", "supplement"),
                    ("project", &project),
                    ("economic_code", "30215"),
                    ("amount", "120,000"),
                    ("reason", "增加一期培训"),
                ],
                None,
            )
            .await
        }
    };
    for wrong in [draft_code.to_string(), "不存在的项目".to_string()] {
        let refused = ask(wrong.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        assert!(
            refused
                .text
                .contains("不是本年度已入库的项目，请从列表中选择（QJ-2a）"),
            "{}",
            refused.text
        );
        assert!(refused.text.contains(&format!("value=\"{wrong}\"")), "kept");
    }
    let done = ask(format!("{code} {name}")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let fin = t.login("caizheng").await;
    let asked = t
        .get("/api/v1/adjustments?status=requested", Some(&fin))
        .await
        .json();
    assert_eq!(asked[0]["project_id"], p["id"]);
    assert_eq!(asked[0]["amount"], "120000.00");
}

backend_tests!(
    zb_7b_a_transfer_moves_budget_within_the_rules_and_only_what_is_available,
    qj_2a_zb_7b_supplements_need_the_library_and_major_ones_their_assessments,
    zb_7b_units_ask_and_finance_approves_on_the_page,
    qj_2a_a_supplement_is_picked_from_the_library_on_the_page,
);
