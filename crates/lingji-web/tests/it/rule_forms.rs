//! Forms without hand-typed codes (issue 20, point 3), on SQLite and PostgreSQL: the policy
//! parameters one labelled input each with its unit, refused beside the parameter with its
//! clause; a monitoring rule's malformed expression refused beside the editor in Chinese with
//! its place (ZX-4b), the builder's fields and values offered by name.

use crate::common::TestApp;
use lingji_app::store::{Backend, backend_tests};

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

backend_tests!(
    a_policy_parameter_is_its_own_input_with_its_unit_and_refused_beside_it,
    zx_4b_a_malformed_rule_is_refused_beside_the_editor_in_chinese_with_its_place,
);
