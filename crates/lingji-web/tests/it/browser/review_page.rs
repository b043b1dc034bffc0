//! The review page a reviewer decides on, and the rule builder.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zb_5a_zx_4b_a_reviewer_decides_beside_the_facts_and_finance_builds_a_rule() {
    if !browser_available() {
        return;
    }
    // The demo with its lived years: 2025 whole, 2026 in review.
    let t = crate::common::TestApp::demo_with_projects(Backend::Sqlite)
        .await
        .unwrap();
    let dept = t.login("zhuguan").await;
    let first = t.get("/api/v1/reviews/queue", Some(&dept)).await.json()["items"][0].clone();
    let code = first["code"].as_str().expect("a project waits").to_string();
    let request = first["request"].as_str().unwrap().to_string();
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;

    // The department's reviewer opens the project from the queue.
    login(&c, &base, "zhuguan").await;
    c.find(Locator::LinkText("待我审核"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "/reviews").await;
    c.find(Locator::LinkText(&code))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "/review").await;
    // Beside the decision: the cost lines adding up to the request, the targets, last year.
    assert_eq!(
        text_of(&c, "cost-total").await.replace(',', ""),
        request,
        "the cost lines add up to the request"
    );
    assert!(text_of(&c, "cost-lines").await.contains("数量"));
    assert!(text_of(&c, "targets").await.contains("产出指标"));
    let last = text_of(&c, "last-year").await;
    assert!(last.contains("上年情况（2025 年）"), "{last}");
    let unit = text_of(&c, "last-year-unit").await;
    assert!(unit.contains("执行率") && unit.contains('%'), "{unit}");
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("lingji-review.png"), png);
    }
    // The decision's buttons each on one line.
    let heights = c
        .execute(
            "return Array.from(document.querySelectorAll('.decision-actions button')).map(b => b.getBoundingClientRect().height)",
            vec![],
        )
        .await
        .unwrap();
    for h in heights.as_array().unwrap() {
        assert!(h.as_f64().unwrap() < 44.0, "a button wraps: {heights}");
    }
    // Decides with an opinion; the history names the reviewer.
    fill(&c, "[data-testid=rank]", "1").await;
    fill(&c, "[data-testid=opinion]", "符合部门重点，同意报送").await;
    click(&c, "decide-pass").await;
    wait_for_url(&c, "msg=saved").await;
    let steps = text_of(&c, "review-steps").await;
    assert!(
        steps.contains("教育局财务科 李审核") && steps.contains("符合部门重点，同意报送"),
        "{steps}"
    );

    // Finance builds a rule with the builder: 经济分类 = 30211 且 金额 > 10,000 → 拦截.
    sign_in_as(&c, &base, "caizheng").await;
    c.goto(&format!("{base}/monitoring/rules/new"))
        .await
        .unwrap();
    fill(&c, "[data-testid=rule-code]", "X09-01").await;
    fill(&c, "[data-testid=rule-class]", "差旅").await;
    fill(&c, "[data-testid=rule-name]", "大额差旅费").await;
    fill(&c, "[data-testid=rule-message]", "差旅费单笔超过 1 万元").await;
    choose(&c, "[data-testid=rb-field]", "payment.economic_code").await;
    choose(&c, "[data-testid=rb-op]", "==").await;
    choose(&c, "[data-testid=rb-economic]", "30211").await;
    click(&c, "rb-add").await;
    choose(&c, "[data-testid=rb-join]", "and").await;
    choose(&c, "[data-testid=rb-field]", "payment.amount").await;
    choose(&c, "[data-testid=rb-op]", ">").await;
    // A value that is not an amount is refused beside the builder, nothing written.
    fill(&c, "[data-testid=rb-number]", "一万").await;
    click(&c, "rb-add").await;
    assert!(text_of(&c, "rb-error").await.contains("请填写金额"));
    fill(&c, "[data-testid=rb-number]", "10,000").await;
    click(&c, "rb-add").await;
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("lingji-rule-builder.png"), png);
    }
    let written = c
        .find(Locator::Css("[data-testid=rule-expression]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        written,
        "payment.economic_code == '30211' and payment.amount > 10000"
    );
    choose(&c, "[data-testid=rule-action]", "block").await;
    click(&c, "rule-save").await;
    wait_for_url(&c, "msg=saved").await;
    assert!(
        c.source().await.unwrap().contains("大额差旅费"),
        "the rule is listed"
    );

    // A malformed expression typed in the editor: refused beside it in Chinese, with where.
    c.goto(&format!("{base}/monitoring/rules/new"))
        .await
        .unwrap();
    fill(&c, "[data-testid=rule-code]", "X09-02").await;
    fill(&c, "[data-testid=rule-class]", "差旅").await;
    fill(&c, "[data-testid=rule-name]", "差旅费付给个人").await;
    fill(&c, "[data-testid=rule-message]", "差旅费付给个人").await;
    fill(
        &c,
        "[data-testid=rule-expression]",
        "(payment.payee_kind == 'individual'",
    )
    .await;
    click(&c, "rule-save").await;
    let said = wait_text(&c, "error-expression", "缺少右括号").await;
    assert_eq!(
        said,
        "规则表达式有误，第 36 个字符处：缺少右括号“)”（第 1 个字符处的左括号“(”没有结束）（ZX-4b）"
    );
    c.close().await.unwrap();
}
