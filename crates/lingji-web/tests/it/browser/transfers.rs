//! Transfers between levels by clicks (issue 21 point 3): the province's finance scores the
//! counties, allocates a fund by population, fiscal gap and performance, is refused while the
//! city has no score (PM-13b), approves after the question; the county's finance sees the
//! receipt and breaks it down on the transfer-line form with the document filled in.

use super::*;

fn amount(text: &str) -> lingji_domain::Money {
    lingji_domain::Money::parse(text.trim()).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pm_13b_the_province_allocates_by_performance_and_the_county_breaks_down_its_receipt() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    crate::transfers::province(&t).await;
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "sheng").await;
    tab(&c, "上下级转移支付").await;
    wait_for_url(&c, "/transfers").await;

    // Scores of the two counties; the grade follows the province's bands.
    fill(&c, "[data-testid=score-input-431081]", "92.5").await;
    click(&c, "score-save-431081").await;
    wait_for_url(&c, "msg=scored").await;
    fill(&c, "[data-testid=score-input-431002]", "78").await;
    click(&c, "score-save-431002").await;
    wait_text(&c, "score-431002", "78").await;
    assert_eq!(text_of(&c, "grade-431081").await, "优");
    assert_eq!(text_of(&c, "score-431000").await, "未评价");

    // The fund: the city included without a score is refused by name, the form kept.
    fill(
        &c,
        "[data-testid=fund-name]",
        "县级基本财力保障机制奖补资金",
    )
    .await;
    fill(&c, "[data-testid=fund-prefix]", "湘财预").await;
    fill(&c, "[data-testid=fund-total]", "100万").await;
    for (region, population, gap, share) in [
        ("431000", "50", "1000", "0"),
        ("431081", "34.5", "5000", "20"),
        ("431002", "60", "3000", "30"),
    ] {
        fill(&c, &format!("[data-testid=value-{region}-0]"), population).await;
        fill(&c, &format!("[data-testid=value-{region}-1]"), gap).await;
        fill(&c, &format!("[data-testid=share-{region}]"), share).await;
    }
    click(&c, "fund-submit").await;
    let refused = wait_text(&c, "fund-errors", "郴州市").await;
    assert!(refused.contains("PM-13b"), "{refused}");
    let kept = c
        .find(Locator::Css("[data-testid=value-431081-0]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("34.5"));

    // Without the city: saved under the generated document, each county's part shown.
    click(&c, "include-431000").await;
    click(&c, "fund-submit").await;
    wait_for_url(&c, "/transfers/").await;
    assert_eq!(text_of(&c, "fund-document").await, "湘财预〔2026〕1号");
    let zixing = amount(&text_of(&c, "amount-431081").await);
    let beihu = amount(&text_of(&c, "amount-431002").await);
    assert_eq!(
        zixing.fen() + beihu.fen(),
        100_000_000,
        "the parts add up to the total"
    );

    // 批准 asks with the lowers and the total at stake, and says what it did.
    let asked = click_confirmed(&c, "fund-approve").await;
    assert!(
        asked.starts_with("将向 2 个下级区划下达 100.00 万元"),
        "{asked}"
    );
    wait_for_url(&c, "msg=approved").await;
    let said = text_at(&c, "p.flash").await;
    assert!(
        said.contains("已批准 湘财预〔2026〕1号：向 2 个下级区划下达 100.00 万元"),
        "{said}"
    );
    assert_eq!(text_of(&c, "fund-state").await, "已批准下达");

    // 资兴's finance sees the receipt and breaks it down with the document filled in.
    sign_in_as(&c, &base, "zixing").await;
    tab(&c, "上下级转移支付").await;
    wait_for_url(&c, "/transfers").await;
    let receipts = text_of(&c, "transfer-receipts").await;
    assert!(
        receipts.contains("湘财预〔2026〕1号") && receipts.contains("湖南省"),
        "{receipts}"
    );
    c.find(Locator::Css("[data-testid^=break-down-]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "receipt=").await;
    let document = c
        .find(Locator::Css("[data-testid=transfer-document]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(document.as_deref(), Some("湘财预〔2026〕1号"));
    let unit = c
        .find(Locator::Css(
            "[data-testid=transfer-unit] option:nth-child(2)",
        ))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    choose(&c, "[data-testid=transfer-unit]", &unit).await;
    click(&c, "transfer-submit").await;
    wait_for_url(&c, "/budget-lines/").await;
    c.goto(&format!("{base}/transfers")).await.unwrap();
    let receipts = text_of(&c, "transfer-receipts").await;
    assert!(receipts.contains("已分解完毕"), "{receipts}");
    c.close().await.unwrap();
}
