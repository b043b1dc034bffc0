//! A payment entered with pickers, previewed live and refused before it is submitted.

#[allow(unused_imports)]
use super::*;

/// The unit operator picks its line by name (the economic code and the available balance come
/// with it), types `60,000` to the unit itself: the live check says 拦截 with B06-01 and its
/// clause and the submit button is disabled; paid to a supplier instead, it passes and is sent,
/// and the list shows 60,000.00 (ZX-4b, ZB-7a).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zx_4b_a_unit_picks_its_line_by_name_sees_a_block_before_submitting_and_pays_a_supplier() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let line = crate::common::lines::line(&t, "101001", "30201", 200_000, None).await;
    let unit_name = {
        let mut conn = t.app.store.write().acquire().await.unwrap();
        lingji_app::store::foundation::orgs::get(&mut conn, t.org_id("101001").await)
            .await
            .unwrap()
            .unwrap()
            .name
    };
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "danwei").await;
    c.goto(&format!("{base}/payments/new")).await.unwrap();

    // Picked by its name: the one line left is chosen, its code filled and fixed.
    fill(&c, "[data-testid=payment-line-filter]", "测试指标 30201").await;
    let picked = c
        .find(Locator::Css("[data-testid=payment-line]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(picked.as_deref(), Some(line.to_string().as_str()));
    let code = c
        .find(Locator::Css("[data-testid=payment-code]"))
        .await
        .unwrap();
    assert_eq!(code.prop("value").await.unwrap().as_deref(), Some("30201"));
    assert_eq!(
        code.attr("readonly").await.unwrap().as_deref(),
        Some("true")
    );

    // To the unit itself, typed with a separator: blocked before it is sent.
    fill(&c, "[data-testid=payee-name]", &unit_name).await;
    fill(&c, "[data-testid=payee-account]", "6222021234567890").await;
    fill(&c, "[data-testid=payment-purpose]", "采购办公用品").await;
    fill(&c, "[data-testid=payment-date]", "2026-03-10").await;
    fill(&c, "[data-testid=payment-amount]", "60,000").await;
    wait_text(&c, "payment-check", "拦截").await;
    let check = text_of(&c, "payment-check").await;
    assert!(
        check.contains("200,000.00") && check.contains("140,000.00") && check.contains("B06-01"),
        "{check}"
    );
    assert!(check.contains("30201"), "the code from the line: {check}");
    let reason = wait_text(&c, "payment-block-reason", "B06-01").await;
    assert!(reason.contains("ZX-4b"), "{reason}");
    let submit = c
        .find(Locator::Css("[data-testid=payment-submit]"))
        .await
        .unwrap();
    assert!(
        !submit.is_enabled().await.unwrap(),
        "a block cannot be sent"
    );

    // To a supplier: it passes, the button comes back, and it is sent.
    fill(&c, "[data-testid=payee-name]", "示范市办公用品有限公司").await;
    wait_text(&c, "payment-check", "放行").await;
    for _ in 0..50 {
        if submit.is_enabled().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(text_of(&c, "payment-block-reason").await, "");
    assert_eq!(
        c.find(Locator::Css("[data-testid=payment-amount]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("60,000.00"),
        "the amount is shown formatted"
    );
    click(&c, "payment-submit").await;
    assert_eq!(wait_text(&c, "payment-status", "待支付").await, "待支付");
    c.goto(&format!("{base}/payments")).await.unwrap();
    let list = text_of(&c, "payments").await;
    assert!(list.contains("60,000.00"), "{list}");
    c.close().await.unwrap();
}
