//! Forms without hand-typed codes (issue 20, point 3), on SQLite and PostgreSQL: the policy
//! parameters one labelled input each with its unit, refused beside the parameter with its
//! clause; a monitoring rule's malformed expression refused beside the editor in Chinese with
//! its place (ZX-4b), the builder's fields and values offered by name.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::json;

macro_rules! app {
    ($backend:expr) => {
        match TestApp::demo($backend).await {
            Some(app) => app,
            None => return,
        }
    };
}

/// The page from the element with `data-testid="id"` on.
fn near<'a>(page: &'a str, testid: &str) -> &'a str {
    let at = page
        .find(&format!("data-testid=\"{testid}\""))
        .unwrap_or_else(|| panic!("no {testid} on the page"));
    &page[at..]
}

async fn a_policy_parameter_is_its_own_input_with_its_unit_and_refused_beside_it(backend: Backend) {
    let t = app!(backend);
    let admin = t.login("admin").await;
    let page = t.get("/policy?year=2026", Some(&admin)).await;
    assert_eq!(page.status, 200);
    let row = near(&page.text, "param-allocation.cut_fair");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("上年评价“中”的压减比例"), "{row}");
    assert!(row.contains("<span class=\"unit\">%</span>"), "{row}");
    assert!(
        !page.text.contains(">allocation.cut_fair<"),
        "no parameter codes on the page"
    );
    let version = {
        let at = page.text.find("name=\"based_on\" value=\"").unwrap() + 23;
        page.text[at..at + page.text[at..].find('"').unwrap()].to_string()
    };
    // Typed in words: refused beside the parameter with its clause, and kept.
    let r = t
        .form(
            "/policy",
            &admin,
            &[
                ("year", "2026"),
                ("based_on", &version),
                ("note", "市财政局 2026 年 3 号文"),
                ("p.allocation.cut_fair", "三十"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let row = near(&r.text, "param-allocation.cut_fair");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("value=\"三十\""), "typed value kept: {row}");
    assert!(
        row.contains("“三十”不是百分比") && row.contains("（CS-5b, QJ-5b）"),
        "{row}"
    );
    // As a number beside its unit: saved, and shown so.
    let r = t
        .form(
            "/policy",
            &admin,
            &[
                ("year", "2026"),
                ("based_on", &version),
                ("note", "市财政局 2026 年 3 号文"),
                ("p.allocation.cut_fair", "30"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = t.get("/policy?year=2026", Some(&admin)).await;
    let row = near(&page.text, "param-allocation.cut_fair");
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("value=\"30\""), "{row}");
}

async fn zx_4b_a_malformed_rule_is_refused_beside_the_editor_in_chinese_with_its_place(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let page = t.get("/monitoring/rules/new", Some(&fin)).await;
    assert_eq!(page.status, 200);
    // The builder offers fields and values by name.
    let builder = near(&page.text, "rb-field");
    assert!(builder.contains("支付经济分类") && builder.contains("支付金额（元）"));
    assert!(near(&page.text, "rb-economic").contains(">30211 差旅费<"));
    assert!(near(&page.text, "rb-join").contains("且（同时满足）"));
    let expression = "(startsWith(payment.economic_code, '30211') and payment.amount > 10000";
    let r = t
        .form(
            "/monitoring/rules/new",
            &fin,
            &[
                ("code", "X09-01"),
                ("class", "差旅"),
                ("name", "大额差旅费"),
                ("expression", expression),
                ("action", "block"),
                ("message", "差旅费单笔超过 1 万元"),
                ("enabled", "on"),
                ("op", "save"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let beside = near(&r.text, "error-expression");
    let beside = &beside[..beside.find("</span>").unwrap()];
    assert!(
        beside.contains(
            "规则表达式有误，第 71 个字符处：缺少右括号“)”（第 1 个字符处的左括号“(”没有结束）（ZX-4b）"
        ),
        "{beside}"
    );
    assert!(
        r.text
            .contains("30211&#39;) and payment.amount &#62; 10000</textarea>"),
        "the expression is kept: {}",
        &r.text[r.text.find("<textarea name=\"expression\"").unwrap()..][..300]
    );
    // Closed, the same rule is saved.
    let r = t
        .form(
            "/monitoring/rules/new",
            &fin,
            &[
                ("code", "X09-01"),
                ("class", "差旅"),
                ("name", "大额差旅费"),
                ("expression", &format!("{expression})")),
                ("action", "block"),
                ("message", "差旅费单笔超过 1 万元"),
                ("enabled", "on"),
                ("op", "save"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
}

/// A 64 KB `not not … false` overflowed a server thread's stack in the parser and aborted the
/// whole process (a new user's check, stop 39): the expression's size and depth are refused
/// before it is parsed, with the place, and the server goes on answering.
async fn zx_4b_an_expression_too_long_or_too_deep_is_refused_and_the_server_stays_up(
    backend: Backend,
) {
    let t = app!(backend);
    let fin = t.login("caizheng").await;
    let rule = |expression: String| {
        json!({
            "class": "测试", "name": "嵌套", "expression": expression, "action": "block",
            "message": "嵌套", "enabled": true, "clause": "ZX-4b",
        })
    };
    let audit_before = t.audit_count().await;
    let saved = t
        .call(
            Method::PUT,
            "/api/v1/monitoring-rules/X09-02",
            Some(&fin),
            Some(rule(format!("{}false", "not ".repeat(20_000)))),
        )
        .await;
    assert_eq!(
        saved.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        saved.text
    );
    // The rule's summary, and the expression's own refusal beside its field.
    let said = saved.json();
    assert_eq!(said["code"], "RULE_INVALID", "{said}");
    let beside = said["errors"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["field"] == "expression"))
        .unwrap_or_else(|| panic!("no refusal beside the expression: {said}"));
    assert_eq!(beside["code"], "RULE_EXPRESSION_INVALID", "{said}");
    assert!(
        saved
            .text
            .contains("第 2001 个字符处：规则表达式过长：最多 2000 个字符"),
        "{said}"
    );
    let tried = t
        .call(
            Method::POST,
            "/api/v1/monitoring-rules/dry-run",
            Some(&fin),
            Some(rule(format!(
                "{}payment.amount > 1{}",
                "(".repeat(40),
                ")".repeat(40)
            ))),
        )
        .await;
    assert_eq!(
        tried.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        tried.text
    );
    assert!(tried.text.contains("嵌套过深"), "{}", tried.text);
    assert_eq!(t.audit_count().await, audit_before, "nothing was saved");
    let rules = t.get("/api/v1/monitoring-rules", Some(&fin)).await;
    assert_eq!(rules.status, StatusCode::OK);
    assert!(!rules.text.contains("X09-02"));
}

backend_tests!(
    a_policy_parameter_is_its_own_input_with_its_unit_and_refused_beside_it,
    zx_4b_a_malformed_rule_is_refused_beside_the_editor_in_chinese_with_its_place,
    zx_4b_an_expression_too_long_or_too_deep_is_refused_and_the_server_stays_up,
);
