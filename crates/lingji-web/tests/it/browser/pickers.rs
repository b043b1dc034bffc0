//! Pickers instead of typing from memory: a known payee picked on the payment form sets its
//! type and account; a 支出标准 picked on a project's cost line fills 单价.

#[allow(unused_imports)]
use super::*;

/// Types `part` into the input `css` and picks the first suggestion its list offers for it.
/// The suggestion popup is the browser's own (WebDriver cannot click it), so the pick is what
/// the browser does on a click: the option's value in the field and an `input` event. Returns
/// the suggestion's text as the person reads it.
async fn pick(c: &Client, css: &str, part: &str) -> String {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(part).await.unwrap();
    let shown = c
        .execute(
            "const [input, part] = arguments;
             const option = [...input.list.options].find((o) => o.value.includes(part) || o.label.includes(part));
             if (!option) return null;
             input.value = option.value;
             input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
             return option.label;",
            vec![serde_json::to_value(&e).unwrap(), json!(part)],
        )
        .await
        .unwrap();
    shown
        .as_str()
        .unwrap_or_else(|| panic!("no suggestion for {part} in the list of {css}"))
        .to_string()
}

async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The value of `css` once it is `want` (the page's script sets it), or what it is after 5 s.
async fn wait_value(c: &Client, css: &str, want: &str) -> String {
    let mut v = String::new();
    for _ in 0..50 {
        v = value_of(c, css).await;
        if v == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    v
}

/// The unit operator paid 王五 (a person, by bank card) before; on a new payment they type 王,
/// pick 王五 from the list and the form sets 个人 and the card number. Then on a new project's
/// cost line they type 二类会议, pick the standard and 单价 shows its 500.00.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_picks_a_known_payee_and_a_standard_instead_of_typing_them() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let line = crate::common::lines::line(&t, "101001", "30201", 200_000, None).await;
    let unit = t.login("danwei").await;
    let paid = t
        .call(
            axum::http::Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({
                "payee_name": "王五", "payee_account": "6222021234567895",
                "payee_kind": "individual", "amount": "300.00", "economic_code": "30201",
                "line_id": line, "purpose": "劳务费", "date": "2026-03-10",
                "idempotency_key": "pickers-story-1",
            })),
        )
        .await;
    assert!(paid.status.is_success(), "{}", paid.text);
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "danwei").await;

    // 收款人: picked from the payees paid before; its type and account come with it.
    c.goto(&format!("{base}/payments/new")).await.unwrap();
    assert_eq!(value_of(&c, "[data-testid=payee-kind]").await, "unit");
    let offered = pick(&c, "[data-testid=payee-name]", "王").await;
    assert!(offered.contains("王五（个人）"), "{offered}");
    assert_eq!(value_of(&c, "[data-testid=payee-name]").await, "王五");
    assert_eq!(
        wait_value(&c, "[data-testid=payee-kind]", "individual").await,
        "individual",
        "picking the payee sets 个人"
    );
    assert_eq!(
        value_of(&c, "[data-testid=payee-account]").await,
        "6222021234567895"
    );

    // 支出标准: picked by part of its name; 单价 is filled with the standard's amount.
    c.goto(&format!("{base}/projects/new")).await.unwrap();
    tab(&c, "测算明细").await;
    let offered = pick(&c, "input[name='line.standard']", "二类会议").await;
    assert!(
        offered.contains("P-MEET-2 二类会议综合定额 500.00元/人·天"),
        "{offered}"
    );
    assert_eq!(
        value_of(&c, "input[name='line.standard']").await,
        "P-MEET-2"
    );
    assert_eq!(
        wait_value(&c, "input[name='line.unit_amount']", "500.00").await,
        "500.00",
        "picking the standard fills 单价"
    );
    c.close().await.unwrap();
}
