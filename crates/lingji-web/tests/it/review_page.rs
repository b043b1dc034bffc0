//! The review page a reviewer decides on (issue 20, point 6), on SQLite and PostgreSQL: the
//! cost lines with their total, the targets, last year's figures of the unit lived through the
//! demo's years, refusals beside their field keeping what was typed, people by name.

use crate::common::TestApp;
use lingji_app::store::{Backend, backend_tests};
use serde_json::Value;

/// The text between `<… data-testid="id"…>` and the end of the page, for a look near it.
fn near<'a>(page: &'a str, testid: &str) -> &'a str {
    let at = page
        .find(&format!("data-testid=\"{testid}\""))
        .unwrap_or_else(|| panic!("no {testid} on the page"));
    &page[at..]
}

async fn zb_5a_a_reviewer_sees_what_they_decide_on_and_is_refused_beside_the_field(
    backend: Backend,
) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let dept = t.login("zhuguan").await;
    let q = t.get("/api/v1/reviews/queue", Some(&dept)).await.json();
    let item: &Value = &q["items"][0];
    let id = item["id"]
        .as_i64()
        .expect("a project waits for the department");
    let path = format!("/projects/{id}/review");
    let page = t.get(&path, Some(&dept)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = &page.text;
    // The cost lines add up to the request, to the fen.
    let request = t
        .get(&format!("/api/v1/projects/{id}"), Some(&dept))
        .await
        .json()["request"]
        .as_str()
        .unwrap()
        .to_string();
    let total = near(text, "cost-total");
    let shown = total[total.find('>').unwrap() + 1..total.find('<').unwrap()].to_string();
    assert_eq!(shown.replace(',', ""), request, "{total:.200}");
    assert!(text.contains("测算明细") && text.contains("数量 × 单价"));
    assert!(near(text, "targets").contains("产出指标"), "targets shown");
    // Last year (2025, lived through the use cases): the unit's projects, budget, payments and
    // execution rate.
    let last = near(text, "last-year");
    assert!(last.contains("上年情况（2025 年）"), "{last:.600}");
    let unit = near(text, "last-year-unit");
    assert!(
        unit.contains("预算") && unit.contains("执行率") && unit.contains('%'),
        "{unit:.600}"
    );
    assert!(
        !unit.contains("<dd>0 个</dd>"),
        "the unit had projects in 2025: {unit:.600}"
    );

    // A rank that is not a number is refused beside the rank, and the opinion stays.
    let version = item["version"].as_i64().unwrap().to_string();
    let r = t
        .form(
            &path,
            &dept,
            &[
                ("version", &version),
                ("rank", "一"),
                ("opinion", "符合部门重点"),
                ("decision", "pass"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let beside = near(&r.text, "rank-error");
    assert!(
        beside.starts_with("data-testid=\"rank-error\">部门排序“一”应为 1 起的整数（ZB-5a）"),
        "{beside:.200}"
    );
    assert!(r.text.contains("符合部门重点</textarea>"), "opinion kept");
    // A return without its reason is refused beside the opinion.
    let r = t
        .form(
            &path,
            &dept,
            &[("version", &version), ("decision", "return")],
            None,
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert!(
        !near(&r.text, "opinion-error").starts_with("data-testid=\"opinion-error\"></span>"),
        "the opinion's refusal stands beside it"
    );
    // Passed with its rank: the step names the reviewer, in Beijing time.
    let r = t
        .form(
            &path,
            &dept,
            &[
                ("version", &version),
                ("rank", "1"),
                ("opinion", "符合部门重点"),
                ("decision", "pass"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get(&path, Some(&dept)).await;
    let steps = near(&page.text, "review-steps");
    assert!(steps.contains("教育局财务科 李审核"), "{steps:.800}");
    assert!(
        !steps.contains("zhuguan") && !steps.contains("UTC"),
        "{steps:.800}"
    );
}

backend_tests!(zb_5a_a_reviewer_sees_what_they_decide_on_and_is_refused_beside_the_field,);
