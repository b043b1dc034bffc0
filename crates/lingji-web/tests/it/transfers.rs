//! Transfers between levels (issue 21 point 3; PM-10, PM-13b, ZB-10, ZB-7a): a province scores
//! the counties below it, allocates a transfer fund by population and performance, approves it,
//! and each county breaks its receipt down into upper-transfer lines.

use axum::http::{Method, StatusCode};
use lingji_app::Caller;
use lingji_app::Scope;
use lingji_app::foundation::orgs::CreateOrganisation;
use lingji_app::foundation::profiles::YearSource;
use lingji_app::foundation::users::NewUser;
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::org::Staffing;
use lingji_domain::foundation::policy::Preset;
use serde_json::{Value, json};

use crate::common::TestApp;

/// A province (湖南省) with a city (郴州市) and two counties under it (资兴市, 北湖区), built
/// beside the demo city through the real use cases, each with its 2026 profile (the city and
/// counties starting from their upper's), a finance officer bound to each jurisdiction
/// (sheng, shi, zixing, beihu; password lingji-demo) and in each county one unit.
pub struct Province {
    pub province: i64,
    pub city: i64,
    pub zixing: i64,
    pub beihu: i64,
    /// A unit of each county.
    pub zixing_unit: i64,
    #[allow(dead_code)]
    pub beihu_unit: i64,
}

pub async fn province(t: &TestApp) -> Province {
    let system = Caller::System;
    let f = t.app.foundation();
    let year = FiscalYear::new(2026).unwrap();
    let mut ids = Vec::new();
    for (code, name, upper) in [
        ("430000", "湖南省", None),
        ("431000", "郴州市", Some("430000")),
        ("431081", "资兴市", Some("431000")),
        ("431002", "北湖区", Some("431000")),
    ] {
        let j = f
            .create_jurisdiction(&system, code, name, &[], upper)
            .await
            .unwrap();
        let source = match ids.last().copied().filter(|_| upper.is_some()) {
            Some(_) if code.ends_with("1000") => YearSource::FromUpper(ids[0]),
            Some(_) => YearSource::FromUpper(ids[1]),
            None => YearSource::Preset(Preset::LianyungangCity),
        };
        f.start_year(&Scope::system(j.id), year, source, true)
            .await
            .unwrap();
        ids.push(j.id);
    }
    for (username, display, org) in [
        ("sheng", "省财政厅预算处", "430000"),
        ("shi", "郴州市财政局", "431000"),
        ("zixing", "资兴市财政局", "431081"),
        ("beihu", "北湖区财政局", "431002"),
    ] {
        t.app
            .accounts()
            .add_user(
                &system,
                NewUser {
                    username: username.into(),
                    display_name: Some(display.into()),
                    role: "finance_officer".into(),
                    org: org.into(),
                    password: "lingji-demo".into(),
                },
            )
            .await
            .unwrap();
    }
    let mut units = Vec::new();
    for (county, name) in [(ids[2], "资兴市教育局"), (ids[3], "北湖区教育局")] {
        let dept = f
            .create_organisation(
                &system,
                CreateOrganisation {
                    kind: "department".into(),
                    parent_id: county,
                    code: "901".into(),
                    name: name.into(),
                    unit_kind: None,
                    review_body: None,
                    staffing: Staffing::default(),
                },
            )
            .await
            .unwrap();
        let unit = f
            .create_organisation(
                &system,
                CreateOrganisation {
                    kind: "unit".into(),
                    parent_id: dept.id,
                    code: "901001".into(),
                    name: format!("{name}本级"),
                    unit_kind: Some("administrative".into()),
                    review_body: None,
                    staffing: Staffing::default(),
                },
            )
            .await
            .unwrap();
        units.push(unit.id);
    }
    Province {
        province: ids[0],
        city: ids[1],
        zixing: ids[2],
        beihu: ids[3],
        zixing_unit: units[0],
        beihu_unit: units[1],
    }
}

/// A fund of 1,000,000.01 元 by population (50%) and performance score (50%) to `lowers`
/// (id, population).
pub fn fund(lowers: &[(i64, &str, &str)]) -> Value {
    json!({
        "year": 2026,
        "prefix": "湘财预",
        "name": "县级基本财力保障机制奖补资金",
        "total": "1000000.01",
        "fund_book": "general_public",
        "economic_code": "30201",
        "factors": [
            {"name": "常住人口", "kind": "entered", "weight": "50"},
            {"name": "综合绩效得分", "kind": "performance", "weight": "50%"},
        ],
        "lowers": lowers
            .iter()
            .map(|(id, population, share)| json!({"lower_id": id, "values": [population, ""], "cost_share": share}))
            .collect::<Vec<_>>(),
    })
}

fn yuan(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"));
    lingji_domain::Money::parse(s).unwrap().fen()
}

/// PM-13b, ZB-10, ZB-7a, PM-10: the province scores two counties, allocates by population and
/// performance (refused while a lower included has no score, naming it), approves; each
/// county receives its part under the generated document, the parts add up to the total to the
/// fen, the better-scoring county gets more; the county breaks its receipt down into lines up
/// to what it received and no further; a county sees nothing of the province's funds, and the
/// province reads what the county has broken down.
async fn pm_13b_a_province_allocates_by_performance_and_each_county_breaks_down_its_receipt(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let p = province(&t).await;
    let sheng = t.login("sheng").await;
    let zixing = t.login("zixing").await;
    let beihu = t.login("beihu").await;

    // The jurisdictions below the province, none scored yet.
    let lowers = t
        .get("/api/v1/lower-performance?year=2026", Some(&sheng))
        .await;
    assert_eq!(lowers.status, StatusCode::OK, "{}", lowers.text);
    let names: Vec<String> = lowers
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        vec!["郴州市", "北湖区", "资兴市"],
        "in 区划 code order"
    );

    // Scores, graded by the province's bands (NAT-10); out of range refused (PM-10).
    let bad = t
        .call(
            Method::PUT,
            &format!("/api/v1/lower-performance/{}", p.zixing),
            Some(&sheng),
            Some(json!({"year": 2026, "score": "100.5"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(bad.json()["clause"], "PM-10");
    for (id, score) in [(p.zixing, "92.5"), (p.beihu, "78")] {
        let r = t
            .call(
                Method::PUT,
                &format!("/api/v1/lower-performance/{id}"),
                Some(&sheng),
                Some(json!({"year": 2026, "score": score})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let scored = t
        .get("/api/v1/lower-performance?year=2026", Some(&sheng))
        .await
        .json();
    let zx = scored
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lower_id"] == p.zixing)
        .unwrap();
    assert_eq!(zx["score"], 9250);
    assert_eq!(zx["grade_label"], "优");
    // A county's finance scores nobody (it has nobody below) and cannot score its neighbour.
    let r = t
        .call(
            Method::PUT,
            &format!("/api/v1/lower-performance/{}", p.beihu),
            Some(&zixing),
            Some(json!({"year": 2026, "score": "99"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // The city has no score: with the performance factor weighing, it is refused by name.
    let refused = t
        .call(
            Method::POST,
            "/api/v1/transfers",
            Some(&sheng),
            Some(fund(&[
                (p.zixing, "34.5", "20"),
                (p.beihu, "34.5", "30"),
                (p.city, "10", "0"),
            ])),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert_eq!(refused.code(), "LOWER_SCORE_MISSING");
    assert_eq!(refused.json()["clause"], "PM-13b");
    assert!(
        refused.json()["title"].as_str().unwrap().contains("郴州市"),
        "{}",
        refused.text
    );

    // Weights that do not add up are refused beside the factors.
    let mut wrong = fund(&[(p.zixing, "34.5", "20")]);
    wrong["factors"][0]["weight"] = json!("40");
    let r = t
        .call(Method::POST, "/api/v1/transfers", Some(&sheng), Some(wrong))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("FACTOR_WEIGHTS_NOT_FULL"), "{}", r.text);

    // The two counties: created under the next document number, previewed as a draft.
    let created = t
        .call(
            Method::POST,
            "/api/v1/transfers",
            Some(&sheng),
            Some(fund(&[(p.zixing, "34.5", "20"), (p.beihu, "34.5", "30")])),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let draft = created.json();
    assert_eq!(draft["document"], "湘财预〔2026〕1号");
    assert_eq!(draft["status"], "draft");
    let id = draft["id"].as_i64().unwrap();
    let preview = draft["lowers"].as_array().unwrap();
    assert_eq!(preview.len(), 2);
    assert!(
        yuan(&preview[0]["amount"]) > yuan(&preview[1]["amount"]),
        "{draft}"
    );

    // A county sees nothing of the province's funds.
    let r = t.get("/api/v1/transfers?year=2026", Some(&zixing)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!([]));
    let r = t
        .get(&format!("/api/v1/transfers/{id}"), Some(&zixing))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/transfers/{id}/approve"),
            Some(&zixing),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Approved: each county receives its part; once only.
    let before = t.audit_count().await;
    let approved = t
        .call(
            Method::POST,
            &format!("/api/v1/transfers/{id}/approve"),
            Some(&sheng),
            None,
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    assert_eq!(approved.json()["lowers"], 2);
    // One event in the province, one in each county.
    assert_eq!(t.audit_count().await, before + 3);
    let again = t
        .call(
            Method::POST,
            &format!("/api/v1/transfers/{id}/approve"),
            Some(&sheng),
            None,
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.text
    );
    assert_eq!(again.code(), "TRANSFER_ALREADY_APPROVED");

    let receipt_of = |s: &crate::common::Session| {
        let s = s.clone();
        let t = &t;
        async move {
            let r = t.get("/api/v1/transfer-receipts?year=2026", Some(&s)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let all = r.json();
            assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
            all[0].clone()
        }
    };
    let (zr, br) = (receipt_of(&zixing).await, receipt_of(&beihu).await);
    assert_eq!(zr["document"], "湘财预〔2026〕1号");
    assert_eq!(br["document"], "湘财预〔2026〕1号");
    assert_eq!(zr["upper"], "湖南省");
    assert_eq!(
        yuan(&zr["amount"]) + yuan(&br["amount"]),
        100_000_001,
        "the parts add up to the total"
    );
    assert!(
        yuan(&zr["amount"]) > yuan(&br["amount"]),
        "the better-scoring county gets more"
    );
    // Its counterpart: 20% of its part (ZB-10).
    assert_eq!(yuan(&zr["counterpart"]), (yuan(&zr["amount"]) * 2 + 5) / 10);
    assert_eq!(yuan(&zr["remaining"]), yuan(&zr["amount"]));

    // 资兴 breaks its receipt down into upper-transfer lines: up to what it received (ZB-7a).
    let line = |amount: String| {
        json!({"year": 2026, "unit_id": p.zixing_unit, "name": "义务教育保障", "economic_code": "30201",
               "fund_book": "general_public", "amount": amount, "document": "湘财预〔2026〕1号"})
    };
    let amount = yuan(&zr["amount"]);
    let first = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&zixing),
            Some(line("100000.00".into())),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let over = lingji_domain::Money::from_fen(amount - 10_000_000 + 1).to_plain();
    let beyond = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&zixing),
            Some(line(over)),
        )
        .await;
    assert_eq!(
        beyond.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        beyond.text
    );
    assert_eq!(beyond.code(), "TRANSFER_RECEIPT_EXCEEDED");
    assert_eq!(beyond.json()["clause"], "ZB-7a");
    let rest = lingji_domain::Money::from_fen(amount - 10_000_000).to_plain();
    let last = t
        .call(
            Method::POST,
            "/api/v1/budget-lines",
            Some(&zixing),
            Some(line(rest)),
        )
        .await;
    assert_eq!(last.status, StatusCode::CREATED, "{}", last.text);
    let zr = receipt_of(&zixing).await;
    assert_eq!(yuan(&zr["remaining"]), 0);

    // The lines carry the document and the amounts, in 资兴 only.
    let lines = t
        .get("/api/v1/budget-lines?year=2026", Some(&zixing))
        .await
        .json();
    let under: Vec<&Value> = lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["source_document"] == "湘财预〔2026〕1号")
        .collect();
    assert_eq!(under.len(), 2, "{lines}");
    assert_eq!(
        under.iter().map(|l| yuan(&l["approved"])).sum::<i64>(),
        amount
    );

    // The province reads what each county has broken down; a county cannot read upward.
    let r = t
        .get(
            "/api/v1/transfer-receipts?year=2026&region=431081",
            Some(&sheng),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(yuan(&r.json()[0]["distributed"]), amount);
    let shown = t
        .get(&format!("/api/v1/transfers/{id}"), Some(&sheng))
        .await
        .json();
    assert_eq!(shown["status"], "approved");
    let zx = shown["lowers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lower_id"] == p.zixing)
        .unwrap();
    assert_eq!(yuan(&zx["distributed"]), amount);
    let r = t
        .get(
            "/api/v1/transfer-receipts?year=2026&region=430000",
            Some(&zixing),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .get(
            "/api/v1/transfer-receipts?year=2026&region=431002",
            Some(&zixing),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // 资兴's year-end treats the lines by its own profile's rule for upper transfers (QJ-4b):
    // carried over, nothing recovered (the trial writes nothing).
    let trial = t
        .call(
            Method::POST,
            "/api/v1/year-end",
            Some(&zixing),
            Some(json!({})),
        )
        .await;
    assert_eq!(trial.status, StatusCode::OK, "{}", trial.text);
    let trial = trial.json();
    for reply in [&first, &last] {
        let id = reply.json()["id"].as_i64().unwrap();
        let row = trial["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["line_id"] == id)
            .unwrap_or_else(|| panic!("line {id} not in {trial}"));
        assert_eq!(row["clause"], "QJ-4b", "{row}");
        assert_eq!(row["recovered"], "0.00", "{row}");
    }

    // The next fund of the year takes the next serial.
    let next = t
        .call(
            Method::POST,
            "/api/v1/transfers",
            Some(&sheng),
            Some(fund(&[(p.zixing, "1", "0")])),
        )
        .await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.text);
    assert_eq!(next.json()["document"], "湘财预〔2026〕2号");
    let _ = p.province;
}

backend_tests!(pm_13b_a_province_allocates_by_performance_and_each_county_breaks_down_its_receipt);
