//! Documents people sign, on SQLite and PostgreSQL: the printed 预算批复 of a department and a
//! unit, the 预算控制数, the 年终结转结余表, the 预算调整方案 and a 支付凭证 show the figures the
//! working pages and the API show, their .xlsx carry the same total to the fen, a role outside
//! the document's unit gets 403; 下达, 批复 and 支付 ask first with the numbers and then say
//! what was done.

use axum::http::{Method, StatusCode};
use calamine::{Data, DataType, Reader, Xlsx};
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::Money;
use serde_json::{Value, json};

use crate::common::projects::admitted;
use crate::common::{Reply, Session, TestApp};

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"))).unwrap()
}

/// The text of the element carrying `data-testid="{id}"` (its first text run).
fn testid(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    rest[start..start + end].trim().to_string()
}

/// Exact 万元 text of an amount (fen / 1,000,000, at least two decimals), as documents print it.
fn wan(m: Money) -> String {
    let fen = m.fen();
    let whole = (fen / 1_000_000).to_string();
    let mut frac = format!("{:06}", fen % 1_000_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{frac}")
}

/// The amount in column `col` of the row of sheet `sheet` whose first cell is `first`.
fn xlsx_amount(reply: &Reply, sheet: &str, first: &str, col: usize) -> Money {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(reply.bytes.clone())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let row = range
        .rows()
        .find(|r| r.first().and_then(|c| c.get_string()) == Some(first))
        .unwrap_or_else(|| panic!("no row {first} in {sheet}"));
    // The cell is the amount's exact decimal text in 元; two decimals give it back.
    match &row[col] {
        Data::Float(f) => Money::parse(&format!("{f:.2}")).unwrap(),
        other => panic!("not an amount: {other:?}"),
    }
}

/// Every row of sheet `sheet` as text.
fn xlsx_rows(reply: &Reply, sheet: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(reply.bytes.clone())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The approved 2026 run's lines (as the API lists them) of department or unit `org`.
async fn approved_lines(t: &TestApp, fin: &Session, field: &str, org: i64) -> Vec<Value> {
    let runs = t
        .get("/api/v1/allocation/runs?year=2026", Some(fin))
        .await
        .json();
    let run = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["approved_at"].is_null())
        .expect("the demo's 2026 budget is approved")["id"]
        .clone();
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = t
            .get(
                &format!("/api/v1/budget-lines?year=2026&limit=1000&after={after}"),
                Some(fin),
            )
            .await
            .json();
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else { break };
        after = last["id"].as_i64().unwrap();
        out.extend(
            page.into_iter()
                .filter(|l| l[field] == json!(org) && l["run_id"] == run),
        );
    }
    out
}

async fn printed_documents_show_what_the_working_pages_show(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let unit = t.login("danwei").await;
    let reviewer = t.login("zhuguan").await;

    // 预算批复 of department 101: every approved line there, the total to the fen.
    let department = t.org_id("101").await;
    let lines = approved_lines(&t, &fin, "department_id", department).await;
    assert!(
        lines.len() > 2,
        "the demo approved lines for department 101"
    );
    let total = Money::checked_sum(lines.iter().map(|l| money(&l["approved"]))).unwrap();
    let page = t
        .get(
            &format!("/documents/approval?year=2026&org={department}"),
            Some(&fin),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(testid(&page.text, "doc-issuer"), "示范市财政局");
    assert_eq!(testid(&page.text, "doc-title"), "2026 年度预算批复");
    let document = lines[0]["source_document"].as_str().unwrap();
    assert_eq!(testid(&page.text, "doc-number"), document);
    assert_eq!(testid(&page.text, "doc-total"), total.to_yuan_display());
    assert_eq!(testid(&page.text, "doc-total-wan"), wan(total));
    for l in &lines {
        assert!(
            page.text.contains(&format!("data-line=\"{}\"", l["id"])),
            "line {} printed",
            l["id"]
        );
    }
    assert!(page.text.contains("经办人") && page.text.contains("（盖章）"));
    assert!(page.text.contains("data-print"), "a 打印 button");
    assert!(
        !page.text.contains("class=\"sidebar\""),
        "no navigation on a document"
    );
    let xlsx = t
        .get(
            &format!("/documents/approval.xlsx?year=2026&org={department}"),
            Some(&fin),
        )
        .await;
    assert_eq!(xlsx_amount(&xlsx, "预算批复", "合计", 6), total);

    // A unit's own 批复, read by the unit and its department; not another unit's, and not the
    // department's whole.
    let own = t.org_id("101001").await;
    let unit_lines = approved_lines(&t, &fin, "unit_id", own).await;
    let unit_total = Money::checked_sum(unit_lines.iter().map(|l| money(&l["approved"]))).unwrap();
    for who in [&unit, &reviewer] {
        let page = t
            .get(
                &format!("/documents/approval?year=2026&org={own}"),
                Some(who),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert_eq!(
            testid(&page.text, "doc-total"),
            unit_total.to_yuan_display()
        );
    }
    let other = t.org_id("101002").await;
    let other_department = t.org_id("102").await;
    for (who, org) in [
        (&unit, other),
        (&unit, department),
        (&reviewer, other_department),
    ] {
        for path in ["/documents/approval", "/documents/approval.xlsx"] {
            let r = t
                .get(&format!("{path}?year=2026&org={org}"), Some(who))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} of {org}");
        }
    }

    // 预算控制数: the control-figures page's total, in 万元 exact, and the workbook's in 元.
    let f = t
        .get("/api/v1/control-figures?year=2026", Some(&fin))
        .await
        .json();
    let figures = Money::checked_sum(
        f["figures"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|x| [money(&x["basic"]), money(&x["projects"])]),
    )
    .unwrap();
    let shown = t.get("/control-figures?year=2026", Some(&fin)).await;
    assert_eq!(
        testid(&shown.text, "figures-total"),
        figures.to_yuan_display()
    );
    let page = t
        .get("/documents/control-figures?year=2026", Some(&fin))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(testid(&page.text, "doc-total"), wan(figures));
    let xlsx = t
        .get("/documents/control-figures.xlsx?year=2026", Some(&fin))
        .await;
    assert_eq!(xlsx_amount(&xlsx, "预算控制数", "合计", 5), figures);
    let page = t
        .get("/documents/control-figures?year=2026", Some(&unit))
        .await;
    assert_eq!(page.status, StatusCode::OK);

    // 年终结转结余表 of 2025, as the report says; finance and audit only.
    let report = t.get("/api/v1/year-end?year=2025", Some(&fin)).await.json();
    let carried = money(&report["carried"]);
    let recovered = money(&report["recovered"]);
    let page = t.get("/documents/year-end?year=2025", Some(&fin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(testid(&page.text, "doc-carried"), carried.to_yuan_display());
    assert_eq!(
        testid(&page.text, "doc-recovered"),
        recovered.to_yuan_display()
    );
    let xlsx = t
        .get("/documents/year-end.xlsx?year=2025", Some(&fin))
        .await;
    assert_eq!(xlsx_amount(&xlsx, "年终结转结余表", "合计", 6), carried);
    assert_eq!(xlsx_amount(&xlsx, "部门汇总", "合计", 2), recovered);
    for path in [
        "/documents/year-end",
        "/documents/year-end.xlsx",
        "/documents/adjustments",
    ] {
        let r = t.get(&format!("{path}?year=2025"), Some(&unit)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }

    // 预算调整方案 of 2025: the amendment's totals.
    let a = t
        .get("/api/v1/adjustments/amendment?year=2025", Some(&fin))
        .await
        .json();
    let page = t.get("/documents/adjustments?year=2025", Some(&fin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(
        testid(&page.text, "doc-total"),
        money(&a["supplemented"]).to_yuan_display()
    );
    // Who approved, by the name they go by, in the print layout and the workbook; no login.
    assert_eq!(testid(&page.text, "doc-approver"), "财政局预算科 王会计");
    assert!(!page.text.contains("caizheng"), "{}", page.text);
    let book = t
        .get("/api/v1/adjustments/amendment.xlsx?year=2025", Some(&fin))
        .await;
    assert_eq!(book.status, StatusCode::OK, "{}", book.text);
    let rows = xlsx_rows(&book, "调整事项");
    let approvers: Vec<&str> = rows.iter().skip(1).map(|r| r[9].as_str()).collect();
    assert!(!approvers.is_empty());
    assert!(
        approvers.iter().all(|a| *a == "财政局预算科 王会计"),
        "{approvers:?}"
    );
    assert!(
        rows.iter()
            .skip(1)
            .all(|r| !r[10].contains('T') && r[10].len() == 16),
        "Beijing time to the minute: {:?}",
        rows[1]
    );

    // The index lists what each role may print.
    let index = t.get("/documents?year=2026", Some(&unit)).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.text.contains(&format!("org={own}")));
    assert!(!index.text.contains(&format!("org={other}")));
    assert!(!index.text.contains("年终结转结余表"));
}

async fn approval_and_payment_ask_first_then_say_what_they_did(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    admitted(&t, "全市教育工作会议", "mandatory", "200000.00", json!({})).await;
    let run = t
        .call(
            Method::POST,
            "/api/v1/allocation/runs",
            Some(&fin),
            Some(json!({"year": 2026, "scenario": {"resources": {"general_public": "999999999.00"}}})),
        )
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.text);
    let id = run.json()["id"].clone();
    let r = t
        .form(&format!("/allocation/runs/{id}/choose"), &fin, &[], None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // What the confirmation and the message say: the chosen run's units and total.
    let f = t
        .get("/api/v1/control-figures?year=2026", Some(&fin))
        .await
        .json();
    let figures = f["figures"].as_array().unwrap();
    let total = Money::checked_sum(
        figures
            .iter()
            .flat_map(|x| [money(&x["basic"]), money(&x["projects"])]),
    )
    .unwrap();
    let units: std::collections::BTreeSet<String> =
        figures.iter().map(|x| x["unit_id"].to_string()).collect();
    let n = units.len();

    let page = t.get(&format!("/allocation/runs/{id}"), Some(&fin)).await;
    assert!(
        page.text.contains(&format!(
            "data-confirm=\"将向 {n} 个单位下达预算控制数，合计 {} 万元",
            wan(total)
        )),
        "{}",
        page.text
    );
    let r = t
        .form(&format!("/allocation/runs/{id}/publish"), &fin, &[], None)
        .await;
    let to = r.headers["location"].to_str().unwrap().to_string();
    let after = t.get(&to, Some(&fin)).await;
    assert!(
        after.text.contains(&format!(
            "已向 {n} 个单位下达预算控制数 {} 万元",
            wan(total)
        )),
        "{}",
        after.text
    );
    assert!(after.text.contains(&format!(
        "data-confirm=\"将批复 {n} 个单位，合计 {} 万元，批复后不可修改。确定？\"",
        wan(total)
    )));
    let r = t
        .form(
            &format!("/allocation/runs/{id}/approve"),
            &fin,
            &[("document", "示财预〔2026〕9号")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = r.headers["location"].to_str().unwrap().to_string();
    assert!(!to.contains("万元"), "the link carries no words: {to}");
    let after = t.get(&to, Some(&fin)).await;
    assert!(
        after.text.contains(&format!(
            "已批复 {n} 个单位 {} 万元（示财预〔2026〕9号）",
            wan(total)
        )),
        "{}",
        after.text
    );
    // A link cannot put words on the page: an unknown message says nothing.
    let forged = t
        .get(
            &format!("/allocation/runs/{id}?msg=%E5%B7%B2%E6%89%B9%E5%A4%8D%20forged"),
            Some(&fin),
        )
        .await;
    assert_eq!(forged.status, StatusCode::OK);
    assert!(!forged.text.contains("forged"));

    // A payment the unit asked for: 支付 asks with payee and amount, then says who was paid
    // how much.
    let line = crate::common::lines::line(&t, "101001", "302", 100_000, None).await;
    let p = t
        .call(
            Method::POST,
            "/api/v1/payments",
            Some(&t.login("danwei").await),
            Some(json!({"payee_name": "示范市办公用品有限公司", "payee_account": "6222021234567890",
                "payee_kind": "unit", "amount": "1200.00", "economic_code": "30201", "line_id": line,
                "purpose": "办公用品", "date": "2026-03-10", "contract_no": "HT-1", "idempotency_key": "documents-0001"})),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    let pid = p.json()["id"].clone();
    let page = t.get(&format!("/payments/{pid}"), Some(&fin)).await;
    assert!(page.text.contains(
        "data-confirm=\"将向 示范市办公用品有限公司 支付 1,200.00 元，支付后不可撤销。确定？\""
    ));
    let r = t
        .form(
            &format!("/payments/{pid}/decision"),
            &fin,
            &[("decision", "pay"), ("reason", "")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = r.headers["location"].to_str().unwrap().to_string();
    let after = t.get(&to, Some(&fin)).await;
    assert!(
        after
            .text
            .contains("已支付 示范市办公用品有限公司 1,200.00 元"),
        "{}",
        after.text
    );
    // Its voucher, printed and as .xlsx, by the unit too.
    let unit = t.login("danwei").await;
    let voucher = t
        .get(&format!("/documents/payments/{pid}"), Some(&unit))
        .await;
    assert_eq!(voucher.status, StatusCode::OK, "{}", voucher.text);
    assert_eq!(testid(&voucher.text, "doc-total"), "1,200.00");
    assert_eq!(testid(&voucher.text, "doc-status"), "已支付");
    let xlsx = t
        .get(&format!("/documents/payments/{pid}/xlsx"), Some(&unit))
        .await;
    assert_eq!(
        xlsx_amount(&xlsx, "支付凭证", "金额（元）", 1),
        Money::from_yuan(1_200)
    );
    // The line as 预算指标 names it, not only its number.
    let named = format!("第 {line} 号 测试指标 302（一般公共预算）");
    assert_eq!(testid(&voucher.text, "doc-line"), named);
    let rows = xlsx_rows(&xlsx, "支付凭证");
    assert!(
        rows.iter().any(|r| r[0] == "预算指标" && r[1] == named),
        "{rows:?}"
    );
}

backend_tests!(
    printed_documents_show_what_the_working_pages_show,
    approval_and_payment_ask_first_then_say_what_they_did,
);
