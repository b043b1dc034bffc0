//! ZX-3b in the browser: finance opens the demo's fund pool from the list, where its size and
//! members are shown, and allocates it to a unit's application by typing the share: a share
//! above what was asked is refused beside its row with the clause and the typed amount kept;
//! then the allocation stands and the page shows what was given and what is left.

#[allow(unused_imports)]
use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zx_3b_finance_opens_the_pool_and_allocates_it_by_clicks() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    // A unit's admitted project applies to the pool (through the API, as a unit would).
    let p = crate::common::projects::admitted(
        &t,
        "全市招商推介会",
        "mandatory",
        "200000.00",
        json!({}),
    )
    .await;
    let fin = t.login("caizheng").await;
    let op = t.login("danwei").await;
    let pools = t.get("/api/v1/pools", Some(&fin)).await.json();
    let pool = pools[0]["id"].as_i64().unwrap();
    let r = t
        .call(
            axum::http::Method::POST,
            &format!("/api/v1/pools/{pool}/applications"),
            Some(&op),
            Some(json!({"project_id": p["id"], "amount": "200000", "purpose": "招商推介"})),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CREATED, "{}", r.text);

    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "caizheng").await;
    c.find(Locator::LinkText("资金池"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "/pools").await;
    let totals = text_of(&c, "pool-totals").await;
    assert!(totals.contains("125,000,000.00"), "{totals}");
    c.find(Locator::LinkText("产业发展统筹资金池"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, &format!("/pools/{pool}")).await;
    assert!(text_of(&c, "pool-size").await.contains("125,000,000.00"));
    let members = text_of(&c, "pool-members").await;
    for fund in ["会议费", "培训费", "产业引导", "项目前期", "招商引资"] {
        assert!(members.contains(fund), "{members}");
    }

    // More than asked: refused beside the row, with the clause; what was typed stays.
    fill(&c, "[data-testid=share-0]", "300,000").await;
    fill(&c, "[data-testid=allocate-document]", "示财预〔2026〕21号").await;
    click(&c, "allocate-save").await;
    let said = wait_text(&c, "error-share-0", "ZX-3b").await;
    assert_eq!(said, "分配金额不能超过申请金额 200,000.00 元（ZX-3b）");
    let kept = c
        .find(Locator::Css("[data-testid=share-0]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("300,000"));

    fill(&c, "[data-testid=share-0]", "180,000").await;
    click(&c, "allocate-save").await;
    let done = wait_text(&c, "pool-allocation", "已分配").await;
    assert!(done.contains("示财预〔2026〕21号"), "{done}");
    assert!(done.contains("180,000.00"), "{done}");
    assert!(done.contains("124,820,000.00"), "what is left: {done}");
    assert!(
        text_of(&c, "pool-applications")
            .await
            .contains("180,000.00")
    );
    c.close().await.unwrap();
}
