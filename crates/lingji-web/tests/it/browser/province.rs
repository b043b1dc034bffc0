//! The province's dashboard by clicks (issue 21 point 5): the province's finance opens 下级汇总
//! from the menu and sees itself, the demo city and the two counties below it with their
//! budgets computed from their ledgers, totalled; drills down into the city's year and back;
//! a county's finance, with nothing below it, is offered no menu entry, reads only itself
//! there, and is refused its neighbour's year in Chinese.

use super::*;

fn wan(text: &str) -> i64 {
    // 万元 with two decimals, as shown: compared in hundredths of 万元.
    let t = text.trim().replace(',', "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, "0"));
    whole.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap()
}

/// True when `text` holds a time as `2026-12-06T08:00`.
fn has_iso_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(11).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            _ => c.is_ascii_digit(),
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zx_4b_the_province_reads_every_jurisdiction_below_and_drills_into_the_city() {
    if !browser_available() {
        return;
    }
    // The lived demo: 示范市 has lived 2025 and approved 2026.
    let t = crate::common::TestApp::demo_with_projects(Backend::Sqlite)
        .await
        .unwrap();
    crate::levels::province(&t).await;
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;

    login(&c, &base, "shengcai").await;
    tab(&c, "下级汇总").await;
    wait_for_url(&c, "/province").await;
    let summary = text_of(&c, "province-summary").await;
    assert!(summary.contains("2026 年度"), "{summary}");
    // One row per jurisdiction: the province itself, the city and both counties.
    let mut regions = Vec::new();
    for row in c
        .find_all(Locator::Css("[data-testid=province-table] tbody tr"))
        .await
        .unwrap()
    {
        regions.push(row.attr("data-region").await.unwrap().unwrap_or_default());
    }
    regions.sort();
    assert_eq!(regions, ["320000", "329900", "329901", "329902"]);
    let cell = |region: &str, n: usize| {
        format!("[data-testid=province-table] tr[data-region='{region}'] td:nth-child({n})")
    };
    assert_eq!(text_at(&c, &cell("329901", 2)).await, "县级");
    assert_eq!(text_at(&c, &cell("329900", 2)).await, "市级");
    // The city's approved 2026 budget is there; the new counties have none yet.
    let city_budget = wan(&text_at(&c, &cell("329900", 3)).await);
    assert!(city_budget > 0, "the demo city's budget");
    assert_eq!(wan(&text_at(&c, &cell("329902", 3)).await), 0);
    let total = wan(&text_of(&c, "province-budget").await);
    let mut rows = 0;
    for region in ["320000", "329900", "329901", "329902"] {
        rows += wan(&text_at(&c, &cell(region, 3)).await);
    }
    // Each row and the total are rounded to 0.01 万元 on their own.
    assert!((total - rows).abs() <= 2, "total {total}, rows {rows}");
    let shown = text_at(&c, "main").await;
    assert!(!has_iso_time(&shown), "no ISO timestamp: {shown}");

    // Drill down into the city: its year, read only, and back.
    c.find(Locator::Css(&format!("{} a", cell("329900", 1))))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "/province/329900").await;
    let one = text_of(&c, "province-one").await;
    assert!(one.contains("示范市") && one.contains("市级"), "{one}");
    let execution = text_of(&c, "province-one-execution").await;
    assert!(execution.contains("执行率"), "{execution}");
    assert!(
        c.find_all(Locator::Css(
            "main form[method=post], main form[method=POST]"
        ))
        .await
        .unwrap()
        .is_empty(),
        "the upper only reads the city's year"
    );
    tab(&c, "返回下级汇总").await;
    wait_for_url(&c, "/province?year=2026").await;

    // A county's finance has nothing below it: no menu entry, and the address is refused.
    sign_in_as(&c, &base, "xiancai").await;
    assert!(
        c.find(Locator::LinkText("下级汇总")).await.is_err(),
        "a county is not offered the dashboard"
    );
    c.goto(&format!("{base}/province")).await.unwrap();
    let mut seen = Vec::new();
    for row in c
        .find_all(Locator::Css("[data-testid=province-table] tbody tr"))
        .await
        .unwrap()
    {
        seen.push(row.attr("data-region").await.unwrap().unwrap_or_default());
    }
    assert_eq!(seen, ["329901"], "the county reads only itself");
    c.goto(&format!("{base}/province/329902")).await.unwrap();
    let refused = text_at(&c, "main").await;
    assert!(!refused.contains("执行率"), "{refused}");
    assert!(
        refused
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
        "refused in Chinese: {refused}"
    );
    c.close().await.unwrap();
}

/// The city's administrator adds a county on 区划: a code outside the city is refused beside
/// the field with the form kept (the password excepted); corrected, the page says what was
/// added and lists it under the city; its administrator signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_adds_a_county_on_the_jurisdictions_page() {
    if !browser_available() {
        return;
    }
    let (base, _db) = serve_demo().await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "admin").await;
    tab(&c, "区划").await;
    wait_for_url(&c, "/jurisdictions").await;
    fill(&c, "[data-testid=jurisdiction-region]", "430103").await;
    fill(&c, "[data-testid=jurisdiction-name]", "丙县").await;
    fill(&c, "[data-testid=jurisdiction-admin]", "bingadmin").await;
    fill(&c, "input[name=admin_display_name]", "丙县 王管理").await;
    fill(&c, "[data-testid=jurisdiction-password]", "lingji-demo").await;
    let asked = click_confirmed(&c, "jurisdiction-submit").await;
    assert!(asked.contains("下级区划"), "{asked}");
    let beside = wait_text(&c, "error-region_code", "329900").await;
    assert!(beside.contains("范围"), "{beside}");
    let kept = c
        .find(Locator::Css("[data-testid=jurisdiction-name]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("丙县"));

    fill(&c, "[data-testid=jurisdiction-region]", "329903").await;
    fill(&c, "[data-testid=jurisdiction-password]", "lingji-demo").await;
    click_confirmed(&c, "jurisdiction-submit").await;
    wait_for_url(&c, "added=329903").await;
    let said = text_at(&c, ".flash").await;
    assert!(
        said.contains("丙县") && said.contains("县级") && said.contains("329903"),
        "{said}"
    );
    let row = text_at(&c, "[data-testid=jurisdictions] tr[data-region='329903']").await;
    assert!(row.contains("丙县") && row.contains("示范市"), "{row}");

    sign_in_as(&c, &base, "bingadmin").await;
    assert_eq!(text_of(&c, "current-user").await, "丙县 王管理");
    c.close().await.unwrap();
}
