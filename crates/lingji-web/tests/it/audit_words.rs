//! The audit log in people's words: after years lived through the use cases, every action and
//! kind of object in the log has a Chinese name, and the page shows those names and people's
//! display names rather than codes and logins.

use std::collections::BTreeSet;

use crate::common::TestApp;
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::foundation::audit::words::{action_label, object_label};

async fn every_recorded_action_and_object_has_a_chinese_name(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let audit = t.login("shenji").await;
    let (mut actions, mut objects) = (BTreeSet::new(), BTreeSet::new());
    let mut before = String::new();
    loop {
        let page = t
            .get(&format!("/api/v1/audit?limit=500{before}"), Some(&audit))
            .await
            .json();
        let events = page.as_array().unwrap_or_else(|| panic!("{page}"));
        for e in events {
            actions.insert(e["action"].as_str().unwrap().to_string());
            objects.insert(e["entity_type"].as_str().unwrap().to_string());
        }
        match events.last() {
            Some(last) if events.len() == 500 => before = format!("&before={}", last["seq"]),
            _ => break,
        }
    }
    assert!(actions.len() > 30, "the lived demo records {actions:?}");
    let unnamed: Vec<_> = actions
        .iter()
        .filter(|a| action_label(a).is_none())
        .collect();
    assert!(
        unnamed.is_empty(),
        "actions without a Chinese name: {unnamed:?}"
    );
    let unnamed: Vec<_> = objects
        .iter()
        .filter(|o| object_label(o).is_none())
        .collect();
    assert!(
        unnamed.is_empty(),
        "objects without a Chinese name: {unnamed:?}"
    );

    // The page: names, not codes; people, not logins.
    let page = t
        .get("/audit?action=payment.request", Some(&audit))
        .await
        .text;
    assert!(
        page.contains("data-testid=\"event-action\">申请支付</td>"),
        "{page}"
    );
    assert!(page.contains("<td>支付申请 "), "{page}");
    assert!(page.contains("<td>教育局机关 张经办</td>"), "{page}");
    assert!(!page.contains("<td>payment.request"), "{page}");
    assert!(!page.contains("<td>danwei</td>"), "{page}");
}

/// The sequence numbers of the events a page of the log lists, in its order.
fn seqs(page: &str) -> Vec<i64> {
    page.split("<tr>\n        <td class=\"num\">")
        .skip(1)
        .filter_map(|s| s.split('<').next()?.parse().ok())
        .collect()
}

/// The text a reader sees of a page: tags dropped, the folded raw records (「原始数据」) and the
/// head left out.
fn visible(page: &str) -> String {
    let body = page
        .split_once("<body")
        .and_then(|(_, b)| b.split_once('>'))
        .map_or(page, |(_, b)| b);
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("<details") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once("</details>").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    let mut text = String::new();
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Latin words in a text as the browser crawl finds them (tokens with a digit are codes).
fn latin_words(text: &str) -> Vec<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || "_-.:/%".contains(c);
    text.split(|c: char| !word(c))
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit()))
        .filter(|t| {
            t.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
                w.len() >= 2 && !["Excel", "CSV", "JSON", "API", "PDF", "OFD"].contains(&w)
            })
        })
        .map(str::to_string)
        .collect()
}

/// The log as a list an auditor works in: chosen filters (an action by its Chinese name, a
/// person by name, Beijing dates), page numbers over the lived demo, oldest first on request,
/// a malformed date refused beside its field, and each event's changes as a table in Chinese.
async fn the_log_filters_pages_and_reads_in_chinese(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let audit = t.login("shenji").await;

    // Page numbers and the count; page 2 exists on the lived demo.
    let first = t.get("/audit", Some(&audit)).await;
    assert_eq!(first.status, 200);
    let page = &first.text;
    assert!(page.contains("共 "), "{page}");
    assert!(page.contains("第 1/"), "{page}");
    assert!(page.contains("data-testid=\"page-2\""), "{page}");
    let second = t.get("/audit?page=2", Some(&audit)).await.text;
    assert!(second.contains("第 2/"), "{second}");
    let (one, two) = (seqs(page), seqs(&second));
    assert_eq!(one.len(), 50, "{page}");
    assert!(one.windows(2).all(|w| w[0] > w[1]), "newest first: {one:?}");
    assert!(one.last() > two.first(), "page 2 goes on where page 1 ends");
    let oldest = seqs(&t.get("/audit?sort=at", Some(&audit)).await.text);
    assert!(
        oldest.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {oldest:?}"
    );
    assert_eq!(oldest.first(), Some(&1));

    // The filters are choices in Chinese, never typed codes.
    assert!(
        page.contains("<option value=\"payment.request\">申请支付</option>"),
        "{page}"
    );
    assert!(page.contains(">教育局机关 张经办</option>"), "{page}");
    assert!(page.contains("<option value=\"project\">"), "{page}");

    // Filter by an action: only those events, the choice kept.
    let paid = t
        .get("/audit?action=payment.request", Some(&audit))
        .await
        .text;
    let shown = paid.matches("data-testid=\"event-action\">").count();
    assert!(shown > 0, "{paid}");
    assert_eq!(
        paid.matches("data-testid=\"event-action\">申请支付</td>")
            .count(),
        shown,
        "{paid}"
    );
    assert!(paid.contains("<option value=\"payment.request\" selected>申请支付</option>"));
    // Its changes as a table with Chinese field names, the raw record behind 原始数据.
    assert!(
        paid.contains("<th>字段</th><th>原值</th><th>新值</th>"),
        "{paid}"
    );
    assert!(paid.contains("<th>收款人</th>"), "{paid}");
    assert!(paid.contains("<summary>原始数据</summary>"), "{paid}");

    // By person: only what they did.
    let theirs = t.get("/audit?actor=danwei", Some(&audit)).await.text;
    assert!(theirs.contains("<td>教育局机关 张经办</td>"), "{theirs}");
    assert!(!theirs.contains("<td>系统</td>"), "{theirs}");

    // Beijing dates: today holds the lived demo, tomorrow nothing.
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let today = chrono::Utc::now().with_timezone(&east8).date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let none = t
        .get(&format!("/audit?from={tomorrow}"), Some(&audit))
        .await
        .text;
    assert!(none.contains("没有符合条件的事件"), "{none}");
    assert!(none.contains("共 0 条"), "{none}");
    let some = t
        .get(&format!("/audit?from={today}&to={today}"), Some(&audit))
        .await
        .text;
    assert_eq!(seqs(&some).len(), 50, "{some}");

    // Every page of the lived demo's log reads in Chinese, the raw records folded away.
    let pages: usize = page
        .split("共 ")
        .nth(1)
        .and_then(|s| s.split("第 1/").nth(1))
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{page}"));
    for n in 1..=pages {
        let text = visible(&t.get(&format!("/audit?page={n}"), Some(&audit)).await.text);
        assert!(text.contains("序号") && text.contains("字段"), "{text}");
        let latin = latin_words(&text);
        assert!(latin.is_empty(), "page {n}: {latin:?}");
    }

    // A malformed date is refused beside its field, the rest of the page still answers.
    let bad = t.get("/audit?from=2026-02-30&to=x", Some(&audit)).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text
            .contains("data-testid=\"error-from\">起始日期“2026-02-30”不是日期"),
        "{}",
        bad.text
    );
    assert!(
        bad.text
            .contains("data-testid=\"error-to\">截止日期“x”不是日期")
    );
    assert!(
        bad.text.contains("value=\"2026-02-30\""),
        "the typed date is kept"
    );
}

backend_tests!(
    every_recorded_action_and_object_has_a_chinese_name,
    the_log_filters_pages_and_reads_in_chinese
);
