//! Lists that add up: filters, sorting, totals, pages, select-all, input kept after a bulk error.

#[allow(unused_imports)]
use super::*;

/// The values of a kind of inputs on the page.
async fn inputs(c: &Client, css: &str) -> Vec<fantoccini::elements::Element> {
    c.find_all(Locator::Css(css)).await.unwrap()
}

/// ZB-5a: the department's reviewer ticks the whole page with one box and passes it with an
/// opinion, but one row lost its rank: nothing is done, the refusal stands beside that project
/// by code and name with its clause, and every tick and the opinion are still there. Then
/// finance works the project library: filters by state and unit, sorts by amount, watches the
/// total follow, and pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zb_5a_a_bulk_review_refused_for_one_project_keeps_the_input_and_the_library_adds_up() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo_with_projects(Backend::Sqlite)
        .await
        .unwrap();
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;

    login(&c, &base, "zhuguan").await;
    c.goto(&format!("{base}/reviews")).await.unwrap();
    let waiting = text_of(&c, "queue-total").await;
    click(&c, "select-all").await;
    let picks = inputs(&c, "input[name=pick]").await;
    assert!(picks.len() >= 2, "a queue to pass");
    for p in &picks {
        assert!(p.is_selected().await.unwrap(), "select-all ticks every row");
    }
    // The second row's rank is cleared by mistake.
    let ranks = inputs(&c, "input[name^=rank_]").await;
    let name = ranks[1].attr("name").await.unwrap().unwrap();
    let missing = name.trim_start_matches("rank_").to_string();
    ranks[1].clear().await.unwrap();
    fill(&c, "[data-testid=bulk-opinion]", "材料齐全，同意报送").await;
    click(&c, "bulk-pass").await;

    let dept = t.login("zhuguan").await;
    let project = t
        .get(&format!("/api/v1/projects/{missing}"), Some(&dept))
        .await
        .json();
    let said = wait_text(&c, &format!("row-error-{missing}"), "ZB-5a").await;
    assert_eq!(
        said,
        format!(
            "{} {}：主管部门初审通过须给出部门排序（1 为最优先）（ZB-5a）",
            project["code"].as_str().unwrap(),
            project["name"].as_str().unwrap()
        )
    );
    assert!(text_of(&c, "bulk-error").await.contains("所选项目均未办理"));
    assert_eq!(
        text_of(&c, "queue-total").await,
        waiting,
        "nothing was done"
    );
    let picks = inputs(&c, "input[name=pick]").await;
    for p in &picks {
        assert!(p.is_selected().await.unwrap(), "the ticks are kept");
    }
    assert!(
        c.find(Locator::Css("[data-testid=select-all]"))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    );
    let opinion = c
        .find(Locator::Css("[data-testid=bulk-opinion]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(opinion.as_deref(), Some("材料齐全，同意报送"));

    // Finance in the project library.
    sign_in_as(&c, &base, "caizheng").await;
    c.goto(&format!("{base}/projects")).await.unwrap();
    let all_count = text_of(&c, "pager-count").await;
    let all_total = text_of(&c, "projects-total").await;
    assert!(
        all_count.starts_with("共 ") && all_count.contains("第 1/"),
        "{all_count}"
    );
    click(&c, "page-next").await;
    wait_for_url(&c, "page=2").await;
    assert!(text_of(&c, "pager-count").await.contains("第 2/"));

    // Funded projects of one unit.
    let fin = t.login("caizheng").await;
    let funded = t
        .get("/api/v1/projects?state=funded&limit=500", Some(&fin))
        .await
        .json();
    let unit = funded[0]["unit_id"].as_i64().unwrap();
    let of_unit: Vec<&serde_json::Value> = funded
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["unit_id"].as_i64() == Some(unit))
        .collect();
    choose(&c, "[data-testid=filter-state]", "funded").await;
    choose(&c, "[data-testid=filter-unit]", &unit.to_string()).await;
    click(&c, "filter-submit").await;
    wait_for_url(&c, "state=funded").await;
    let count = text_of(&c, "pager-count").await;
    assert!(
        count.starts_with(&format!("共 {} 条", of_unit.len())),
        "{count}"
    );
    let total = text_of(&c, "projects-total").await;
    assert_ne!(total, all_total, "the total follows the filter");
    let expected = of_unit
        .iter()
        .map(|p| lingji_domain::Money::parse(p["request"].as_str().unwrap()).unwrap())
        .try_fold(
            lingji_domain::Money::ZERO,
            lingji_domain::Money::checked_add,
        )
        .unwrap();
    assert_eq!(total, expected.to_yuan_display());

    // Sorted by amount, largest first: the filters stay, the first row is the largest.
    click(&c, "sort-amount").await;
    wait_for_url(&c, "sort=amount").await;
    click(&c, "sort-amount").await;
    wait_for_url(&c, "dir=desc").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("state=funded")
    );
    let largest = of_unit
        .iter()
        .map(|p| lingji_domain::Money::parse(p["request"].as_str().unwrap()).unwrap())
        .max()
        .unwrap();
    let first = text_at(
        &c,
        "[data-testid=project-table] tbody tr:first-child td.num",
    )
    .await;
    assert_eq!(first, largest.to_yuan_display());
    assert_eq!(text_of(&c, "projects-total").await, total);
    c.close().await.unwrap();
}
