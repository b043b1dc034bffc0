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
    assert!(page.contains("<td>申请支付</td>"), "{page}");
    assert!(page.contains("<td>支付申请 "), "{page}");
    assert!(page.contains("<td>教育局机关 张经办</td>"), "{page}");
    assert!(!page.contains("<td>payment.request"), "{page}");
    assert!(!page.contains("<td>danwei</td>"), "{page}");
}

backend_tests!(every_recorded_action_and_object_has_a_chinese_name);
