//! Documents people sign: print layouts, workbooks, confirmations.

use super::*;

/// The amount in a cell's text (`1,234.56`).
fn amount(text: &str) -> lingji_domain::Money {
    lingji_domain::Money::parse(text.trim()).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_approves_after_the_question_and_prints_a_departments_approval() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let base = serve(t.router.clone()).await;
    crate::common::projects::admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({}))
        .await;

    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "caizheng").await;
    tab(&c, "零基测算").await;
    wait_for_url(&c, "/allocation").await;
    fill(
        &c,
        "input[form=res-general_public][name=revenue]",
        "800000000.00",
    )
    .await;
    click(&c, "save-general_public").await;
    wait_for_url(&c, "msg=resources").await;
    fill(&c, "[data-testid=run-name]", "一上测算").await;
    click(&c, "run-submit").await;
    wait_for_url(&c, "msg=run").await;
    let run = c.current_url().await.unwrap().to_string();
    click(&c, "run-choose").await;
    wait_for_url(&c, "msg=choose").await;

    // 下达 asks with the units and the total at stake; dismissed, nothing is published.
    click(&c, "run-publish").await;
    let asked = c.get_alert_text().await.unwrap();
    assert!(
        asked.starts_with("将向 ") && asked.contains("个单位下达预算控制数，合计 "),
        "{asked}"
    );
    c.dismiss_alert().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("msg=publish")
    );
    click_confirmed(&c, "run-publish").await;
    wait_for_url(&c, "msg=publish").await;
    assert!(
        text_at(&c, "p.flash")
            .await
            .contains("个单位下达预算控制数")
    );

    // 批复 asks what it will approve; the message then says it, in the same numbers.
    fill(&c, "[data-testid=run-document]", "示财预〔2026〕1号").await;
    let asked = click_confirmed(&c, "run-approve").await;
    wait_for_url(&c, "msg=approve").await;
    let (units, total) = asked
        .strip_prefix("将批复 ")
        .and_then(|s| s.split_once(" 个单位，合计 "))
        .and_then(|(n, rest)| {
            rest.split_once(" 万元，批复后不可修改。确定？")
                .map(|(w, _)| (n, w))
        })
        .unwrap_or_else(|| panic!("{asked}"));
    let said = text_at(&c, "p.flash").await;
    assert_eq!(
        said,
        format!("已批复 {units} 个单位 {total} 万元（示财预〔2026〕1号），预算指标已生成")
    );
    assert!(run.contains("/allocation/runs/"));

    // The budget lines page, as finance reads it, page by page: amounts by line number.
    let mut shown = std::collections::BTreeMap::new();
    for page in 1.. {
        c.goto(&format!("{base}/budget-lines?year=2026&page={page}"))
            .await
            .unwrap();
        let before = shown.len();
        for row in c
            .find_all(Locator::Css("[data-testid=budget-lines] tbody tr"))
            .await
            .unwrap()
        {
            let cells = row.find_all(Locator::Css("td")).await.unwrap();
            if cells.len() < 7 {
                continue;
            }
            let id = cells[0].text().await.unwrap();
            shown.insert(id, cells[6].text().await.unwrap());
        }
        if shown.len() == before {
            break;
        }
    }

    // 打印与导出 → the 教育局's 预算批复: heading, rows and total as the lines page shows them.
    tab(&c, "打印与导出").await;
    wait_for_url(&c, "/documents").await;
    let department = t.org_id("101").await;
    click(&c, &format!("doc-approval-{department}")).await;
    wait_for_url(&c, "/documents/approval").await;
    assert_eq!(text_of(&c, "doc-issuer").await, "示范市财政局");
    assert_eq!(text_of(&c, "doc-title").await, "2026 年度预算批复");
    assert_eq!(text_of(&c, "doc-number").await, "示财预〔2026〕1号");
    let mut sum = lingji_domain::Money::ZERO;
    let rows = c
        .find_all(Locator::Css("[data-testid=doc-lines] tr[data-line]"))
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let cells = row.find_all(Locator::Css("td")).await.unwrap();
        let id = cells[1].text().await.unwrap();
        let printed = cells[6].text().await.unwrap();
        assert_eq!(shown.get(&id), Some(&printed), "line {id}");
        sum = sum.checked_add(amount(&printed)).unwrap();
    }
    let total_text = text_of(&c, "doc-total").await;
    assert_eq!(amount(&total_text), sum, "the total is the sum of the rows");
    // The sidebar is not on a document; 打印 prints (window.print stubbed to be seen).
    assert!(c.find(Locator::Css("nav.sidebar")).await.is_err());
    c.execute(
        "window.__printed = 0; window.print = function () { window.__printed += 1; };",
        vec![],
    )
    .await
    .unwrap();
    click(&c, "print").await;
    let printed = c.execute("return window.__printed;", vec![]).await.unwrap();
    assert_eq!(printed, json!(1));

    // The .xlsx the 导出 Excel link downloads: the same total, to the fen.
    let href = c
        .find(Locator::Css("[data-testid=doc-xlsx]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let fin = t.login("caizheng").await;
    let xlsx = t.get(&href, Some(&fin)).await;
    assert_eq!(xlsx.status, axum::http::StatusCode::OK);
    use calamine::{Data, DataType, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range("预算批复").unwrap();
    let row = sheet
        .rows()
        .find(|r| r[0].get_string() == Some("合计"))
        .expect("a 合计 row");
    let Data::Float(yuan) = row[6] else {
        panic!("total {:?}", row[6])
    };
    assert_eq!(amount(&format!("{yuan:.2}")), sum);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("lingji-approval.png"), png);
    }
    c.close().await.unwrap();
}
