//! Every default rule (ZX-4b) with a payment it hits and a near miss it lets pass.

use chrono::NaiveDate;

use super::default_catalogue;
use crate::execution::rules::{Action, Facts, LineFacts, PartyFacts, compile, outcome, screen};
use crate::execution::{CompiledRule, PayeeKind, PaymentDraft};
use crate::money::Money;

fn y(yuan: i64) -> Money {
    Money::from_yuan(yuan)
}

/// A clean office-supplies payment on a Tuesday that no default rule hits.
fn clean() -> Facts {
    Facts {
        payment: PaymentDraft {
            payee_name: "示范市办公用品有限公司".into(),
            payee_account: "6222021234567890".into(),
            payee_kind: PayeeKind::Unit,
            amount: y(12_000),
            economic_code: "30201".into(),
            line_id: 1,
            purpose: "采购办公用品".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            contract_no: Some("HT-2026-001".into()),
            event_code: None,
            headcount: None,
            days: None,
            idempotency_key: "pay-2026-0001".into(),
        },
        line: LineFacts {
            economic_code: "302".into(),
            fund_book: "general".into(),
            fiscal_year: 2026,
            three_guarantees: false,
            budget: y(500_000),
            available: y(300_000),
            source: "allocation".into(),
            special_fund_expired: false,
        },
        party: PartyFacts {
            own_unit: false,
            budget_unit: false,
            first_time: false,
            recent_7d: vec![],
            count_30d: 1,
            unit_today: 0,
            class_budget: y(100_000),
            class_used: y(20_000),
            sangong_budget: y(50_000),
            sangong_used: y(10_000),
            event_listed: None,
            own_funds_available: Money::ZERO,
        },
    }
}

type Change = fn(&mut Facts);

fn code(f: &mut Facts, c: &str) {
    f.payment.economic_code = c.into();
}

fn individual(f: &mut Facts, c: &str, fen: i64) {
    code(f, c);
    f.payment.payee_kind = PayeeKind::Individual;
    f.payment.amount = Money::from_fen(fen);
}

fn meeting(f: &mut Facts, c: &str, fen: i64) {
    code(f, c);
    f.payment.headcount = Some(80);
    f.payment.days = Some(1);
    f.payment.amount = Money::from_fen(fen);
}

/// (rule, change that hits it, near miss that passes it).
#[rustfmt::skip]
const CASES: &[(&str, Change, Change)] = &[
    ("B01-01", |f| f.payment.amount = Money::from_fen(30_000_001), |f| f.payment.amount = y(300_000)),
    ("B01-02", |f| f.payment.date = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(), |f| f.payment.date = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
    ("B01-03", |f| f.payment.amount = Money::from_fen(25_000_001), |f| f.payment.amount = y(250_000)),
    ("B02-01", |f| { code(f, "30217"); f.payment.amount = Money::from_fen(4_000_001) }, |f| { code(f, "30217"); f.payment.amount = y(40_000) }),
    ("B02-02", |f| { code(f, "30231"); f.party.sangong_budget = Money::ZERO }, |f| code(f, "30231")),
    ("B02-03", |f| { code(f, "30217"); f.payment.purpose = "接待用酒".into() }, |f| { code(f, "30217"); f.payment.purpose = "接待工作餐".into() }),
    ("B02-04", |f| individual(f, "30217", 50_000), |f| code(f, "30217")),
    ("B02-05", |f| individual(f, "30231", 50_000), |f| code(f, "30231")),
    ("B02-06", |f| { code(f, "30212"); f.payment.amount = Money::from_fen(10_000_001); f.party.sangong_budget = y(500_000) }, |f| { code(f, "30212"); f.payment.amount = y(100_000); f.party.sangong_budget = y(500_000) }),
    ("B03-01", |f| { f.payment.event_code = Some("HD-9".into()); f.party.event_listed = Some(false) }, |f| { f.payment.event_code = Some("HD-1".into()); f.party.event_listed = Some(true) }),
    ("B03-02", |f| f.payment.purpose = "茶文化节布展".into(), |f| { f.payment.purpose = "茶文化节布展".into(); f.payment.event_code = Some("HD-1".into()); f.party.event_listed = Some(true) }),
    ("B03-03", |f| { f.payment.event_code = Some("HD-1".into()); f.party.event_listed = Some(true); f.payment.amount = Money::from_fen(20_000_001) }, |f| { f.payment.event_code = Some("HD-1".into()); f.party.event_listed = Some(true); f.payment.amount = y(200_000) }),
    ("B04-01", |f| individual(f, "30211", 100_001), |f| individual(f, "30211", 100_000)),
    ("B04-02", |f| individual(f, "30211", 100_000), |f| individual(f, "30211", 100_001)),
    ("B04-03", |f| { f.payment.payee_kind = PayeeKind::OfficialCard; f.payment.amount = Money::from_fen(5_000_001) }, |f| { f.payment.payee_kind = PayeeKind::OfficialCard; f.payment.amount = y(50_000) }),
    ("B04-04", |f| { f.payment.payee_kind = PayeeKind::OfficialCard; code(f, "30305") }, |f| { f.payment.payee_kind = PayeeKind::OfficialCard; code(f, "30211") }),
    ("B05-01", |f| individual(f, "30226", 5_000_001), |f| individual(f, "30226", 5_000_000)),
    ("B05-02", |f| individual(f, "30226", 20_000_001), |f| individual(f, "30226", 20_000_000)),
    ("B05-03", |f| { individual(f, "30226", 1_000_001); f.party.first_time = true }, |f| { individual(f, "30226", 1_000_000); f.party.first_time = true }),
    ("B05-04", |f| { individual(f, "30226", 500_001); f.payment.contract_no = None }, |f| individual(f, "30226", 500_001)),
    ("B06-01", |f| f.party.own_unit = true, |f| f.party.own_unit = false),
    ("B06-02", |f| { f.party.budget_unit = true; f.payment.contract_no = None }, |f| f.party.budget_unit = true),
    ("B06-03", |f| f.payment.payee_name = "示范市教育局工会委员会".into(), |f| f.payment.payee_name = "示范市会议服务中心".into()),
    ("B07-01", |f| { f.payment.purpose = "提取现金发放慰问".into(); f.payment.amount = Money::from_fen(5_000_001) }, |f| { f.payment.purpose = "提取现金发放慰问".into(); f.payment.amount = y(50_000) }),
    ("B07-02", |f| { f.payment.purpose = "提取现金".into(); f.payment.amount = Money::from_fen(20_000_001) }, |f| { f.payment.purpose = "提取现金".into(); f.payment.amount = y(200_000) }),
    ("B07-03", |f| { f.payment.purpose = "核拨备用金".into(); f.payment.amount = Money::from_fen(2_000_001) }, |f| { f.payment.purpose = "核拨备用金".into(); f.payment.amount = y(20_000) }),
    ("B08-01", |f| { f.payment.amount = y(49_000); f.party.recent_7d = vec![y(48_000), y(47_500)] }, |f| { f.payment.amount = y(49_000); f.party.recent_7d = vec![y(48_000), y(30_000)] }),
    ("B08-02", |f| { f.payment.amount = y(60_000); f.party.recent_7d = vec![y(70_000), y(70_000)] }, |f| { f.payment.amount = y(59_999); f.party.recent_7d = vec![y(70_000), y(70_000)] }),
    ("B09-01", |f| f.party.count_30d = 10, |f| f.party.count_30d = 9),
    ("B09-02", |f| f.party.unit_today = 20, |f| f.party.unit_today = 19),
    ("B09-03", |f| individual(f, "30226", 10_000_000), |f| individual(f, "30226", 10_000_100)),
    ("B10-01", |f| f.payment.date = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(), |f| f.payment.date = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()),
    ("B10-02", |f| f.payment.date = NaiveDate::from_ymd_opt(2026, 10, 2).unwrap(), |f| f.payment.date = NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()),
    ("B10-03", |f| { f.payment.date = NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(); f.payment.amount = Money::from_fen(100_000_001); f.line.budget = y(5_000_000); f.line.available = y(5_000_000) }, |f| { f.payment.date = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(); f.payment.amount = Money::from_fen(100_000_001); f.line.budget = y(5_000_000); f.line.available = y(5_000_000) }),
    ("B11-01", |f| meeting(f, "30215", 4_400_080), |f| meeting(f, "30215", 4_400_000)),
    ("B11-02", |f| meeting(f, "30216", 3_600_080), |f| meeting(f, "30216", 3_600_000)),
    ("B11-03", |f| code(f, "30215"), |f| meeting(f, "30215", 1_200_000)),
    ("B11-04", |f| { meeting(f, "30215", 4_000_000); f.party.class_used = Money::from_fen(6_000_001) }, |f| { meeting(f, "30215", 4_000_000); f.party.class_used = y(60_000) }),
    ("B12-01", |f| f.payment.purpose = "发放加班费".into(), |f| f.payment.purpose = "采购加班用餐".into()),
    ("B12-02", |f| { code(f, "30101"); f.payment.payee_name = "示范市人力资源服务公司".into() }, |f| { code(f, "30101"); f.payment.payee_name = "中国工商银行示范市分行".into() }),
    ("B13-01", |f| f.line.special_fund_expired = true, |f| f.line.special_fund_expired = false),
    ("B13-02", |f| { f.line.three_guarantees = true; code(f, "31002") }, |f| { f.line.three_guarantees = false; code(f, "31002") }),
    ("B14-01", |f| { f.payment.contract_no = None; f.payment.amount = y(100_000) }, |f| { f.payment.contract_no = None; f.payment.amount = Money::from_fen(9_999_999) }),
    ("B14-02", |f| { code(f, "31002"); f.payment.contract_no = None }, |f| code(f, "31002")),
    ("B14-03", |f| { code(f, "30227"); f.payment.contract_no = None; f.payment.amount = Money::from_fen(5_000_001) }, |f| { code(f, "30227"); f.payment.contract_no = None; f.payment.amount = y(50_000) }),
    ("B15-01", |f| f.party.own_funds_available = y(12_000), |f| f.party.own_funds_available = Money::from_fen(1_199_999)),
];

fn compiled() -> Vec<CompiledRule> {
    default_catalogue()
        .into_iter()
        .map(|r| compile(r.clone()).unwrap_or_else(|e| panic!("{}: {}", r.code, e.message)))
        .collect()
}

fn codes_hit(rules: &[CompiledRule], f: &Facts) -> Vec<String> {
    screen(rules, f).into_iter().map(|h| h.code).collect()
}

#[test]
fn zx_4b_the_default_catalogue_has_at_least_40_rules_in_8_classes_and_a_clean_payment_passes() {
    let rules = default_catalogue();
    let classes: std::collections::BTreeSet<&str> =
        rules.iter().map(|r| r.class.as_str()).collect();
    assert!(
        rules.len() >= 40 && classes.len() >= 8,
        "{} rules, {} classes",
        rules.len(),
        classes.len()
    );
    let compiled = compiled();
    assert_eq!(codes_hit(&compiled, &clean()), Vec::<String>::new());
    assert_eq!(outcome(&screen(&compiled, &clean())), None);
}

#[test]
fn zx_4b_each_default_rule_hits_its_payment_and_passes_its_near_miss() {
    let rules = compiled();
    let tested: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    for r in &rules {
        assert!(
            tested.contains(&r.rule.code.as_str()),
            "no case for {}",
            r.rule.code
        );
    }
    for (code, hit, pass) in CASES {
        let mut f = clean();
        hit(&mut f);
        assert!(
            codes_hit(&rules, &f).iter().any(|c| c == code),
            "{code} should hit"
        );
        let mut f = clean();
        pass(&mut f);
        assert!(
            !codes_hit(&rules, &f).iter().any(|c| c == code),
            "{code} should pass: {:?}",
            codes_hit(&rules, &f)
        );
    }
}

#[test]
fn zb_6b_a_reception_over_the_sangong_budget_is_blocked_citing_its_clause() {
    let rules = compiled();
    let mut f = clean();
    code(&mut f, "30217");
    f.payment.amount = y(45_000);
    let hits = screen(&rules, &f);
    assert_eq!(outcome(&hits), Some(Action::Block));
    let h = hits.iter().find(|h| h.code == "B02-01").unwrap();
    assert_eq!(h.clause.as_deref(), Some("ZB-6b"));
}

#[test]
fn a_rule_off_or_out_of_its_dates_is_not_applied() {
    let mut rule = default_catalogue()
        .into_iter()
        .find(|r| r.code == "B10-01")
        .unwrap();
    let mut f = clean();
    f.payment.date = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
    rule.effective_from = NaiveDate::from_ymd_opt(2026, 4, 1);
    assert!(screen(&[compile(rule.clone()).unwrap()], &f).is_empty());
    rule.effective_from = None;
    rule.enabled = false;
    assert!(screen(&[compile(rule.clone()).unwrap()], &f).is_empty());
    rule.enabled = true;
    assert_eq!(screen(&[compile(rule).unwrap()], &f).len(), 1);
}

#[test]
fn zx_4b_a_malformed_or_non_boolean_expression_is_refused_by_field() {
    let mut rule = default_catalogue().remove(0);
    rule.expression = "payment.amount >".into();
    let e = compile(rule.clone()).err().unwrap();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("RULE_EXPRESSION_INVALID", Some("expression"))
    );
    rule.expression = "payment.amount * 2".into();
    let e = compile(rule).err().unwrap();
    assert!(e.message.contains("应是一个条件"), "{}", e.message);
}

#[test]
fn zx_4b_skipping_rules_by_their_guards_finds_exactly_the_same_hits() {
    let guarded = compiled();
    let plain: Vec<CompiledRule> = compiled()
        .into_iter()
        .map(CompiledRule::unguarded)
        .collect();
    let codes = [
        "30201", "30211", "30212", "30215", "30216", "30217", "30226", "30227", "30231", "30101",
        "30305", "31002",
    ];
    let kinds = [
        PayeeKind::Unit,
        PayeeKind::Individual,
        PayeeKind::OfficialCard,
    ];
    let mut checked = 0;
    for code in codes {
        for kind in kinds {
            for fen in [50_000, 100_000, 4_900_000, 6_000_000, 25_000_000] {
                for change in CASES.iter().flat_map(|c| [c.1, c.2]) {
                    let mut f = clean();
                    change(&mut f);
                    f.payment.economic_code = code.into();
                    f.payment.payee_kind = kind;
                    f.payment.amount = Money::from_fen(fen);
                    assert_eq!(
                        screen(&guarded, &f),
                        screen(&plain, &f),
                        "{code} {kind:?} {fen}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000);
}
