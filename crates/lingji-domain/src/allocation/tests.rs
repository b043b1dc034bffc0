//! The waterfall on examples a finance officer would check by hand, and its properties on
//! random jurisdictions (proptest).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::foundation::fund::FundBook;
use crate::foundation::policy::{Allocation, MarginalPolicy, Preset, Rate, Score, preset};
use crate::library::tier::{Guarantee, SpendingTier};
use crate::money::Money;

fn profile(marginal: MarginalPolicy) -> Allocation {
    let mut a = preset(Preset::LianyungangCity).allocation;
    a.tier_order = SpendingTier::ALL.to_vec();
    a.marginal_policy = marginal;
    a
}

/// A candidate of `wan` 万元 in `tier`, with nothing else set.
pub(super) fn candidate(id: i64, tier: SpendingTier, wan: i64) -> Candidate {
    Candidate {
        id,
        code: format!("P{id}"),
        name: format!("项目{id}"),
        department_id: 1,
        unit_id: 1,
        fund_book: FundBook::GeneralPublic,
        tier,
        guarantee: None,
        must_fund: false,
        key_matter: false,
        requested: Money::from_yuan(wan * 10_000),
        reviewed: Money::from_yuan(wan * 10_000),
        minimum: None,
        finance_rank: None,
        department_rank: None,
        last_score: None,
        last_grade: None,
        result_cut: None,
        last_year: None,
        key_special: false,
        livelihood: false,
        signals: Signals::default(),
    }
}

fn resources(wan: i64) -> BTreeMap<FundBook, Money> {
    BTreeMap::from([(FundBook::GeneralPublic, Money::from_yuan(wan * 10_000))])
}

fn by_id(r: &RunResult, id: i64) -> &ProjectResult {
    r.projects.iter().find(|p| p.id == id).unwrap()
}

#[test]
fn zb_3_no_money_to_a_tier_while_a_tier_above_is_short() {
    let c = [
        candidate(1, SpendingTier::ThreeGuarantees, 500),
        candidate(2, SpendingTier::KeyPriorities, 400),
        candidate(3, SpendingTier::KeyPriorities, 300),
        candidate(4, SpendingTier::GeneralDevelopment, 10),
    ];
    let r = run(&c, &[], &resources(1_000), &profile(MarginalPolicy::Stop));
    assert_eq!(by_id(&r, 1).status, Status::Funded);
    assert_eq!(by_id(&r, 2).status, Status::Funded);
    // 100 万 left, project 3 needs 300: the tier stops, and the small project below gets
    // nothing although it would fit.
    assert_eq!(by_id(&r, 3).status, Status::Unfunded);
    let small = by_id(&r, 4);
    assert_eq!(small.status, Status::Unfunded);
    assert_eq!(
        small.explanation(),
        "第3层级缺口 300.00 万元，第5层级不予安排（ZB-3）"
    );
    assert_eq!(r.books[0].remaining, Money::from_yuan(1_000_000));
}

#[test]
fn zb_3_the_marginal_project_partial_down_to_its_minimum_or_skip_to_the_next_that_fits() {
    let mut c = vec![
        candidate(1, SpendingTier::Mandatory, 600),
        candidate(2, SpendingTier::Mandatory, 500),
        candidate(3, SpendingTier::Mandatory, 300),
    ];
    c[1].minimum = Some(Money::from_yuan(3_000_000));
    let r = run(
        &c,
        &[],
        &resources(1_000),
        &profile(MarginalPolicy::Partial),
    );
    let p2 = by_id(&r, 2);
    assert_eq!(
        (p2.status, p2.allocated),
        (Status::Partial, Money::from_yuan(4_000_000))
    );
    assert_eq!(by_id(&r, 3).status, Status::Unfunded);
    // Below its minimum: nothing.
    c[1].minimum = Some(Money::from_yuan(4_500_000));
    let r = run(
        &c,
        &[],
        &resources(1_000),
        &profile(MarginalPolicy::Partial),
    );
    assert_eq!(by_id(&r, 2).allocated, Money::ZERO);
    assert!(
        by_id(&r, 2)
            .explanation()
            .contains("低于本项目最低可行额度 450.00 万元")
    );
    // Skip: the next that fits in full is funded.
    let r = run(
        &c,
        &[],
        &resources(1_000),
        &profile(MarginalPolicy::SkipToNextFit),
    );
    assert_eq!(by_id(&r, 2).status, Status::Unfunded);
    assert_eq!(by_id(&r, 3).status, Status::Funded);
}

#[test]
fn cs_2a_zx_1_pm_13_inside_a_tier_key_matters_then_finance_rank_then_department_rank_then_score() {
    let mut c: Vec<Candidate> = (1..=5)
        .map(|i| candidate(i, SpendingTier::GeneralDevelopment, 100))
        .collect();
    c[0].last_score = Some(Score::points(95));
    c[1].department_rank = Some(1);
    c[2].finance_rank = Some(2);
    c[3].finance_rank = Some(1);
    c[4].key_matter = true;
    let r = run(&c, &[], &resources(1_000), &profile(MarginalPolicy::Stop));
    let mut placed: Vec<&ProjectResult> = r.projects.iter().collect();
    placed.sort_by_key(|p| p.position);
    let order: Vec<i64> = placed.iter().map(|p| p.id).collect();
    assert_eq!(order, [5, 4, 3, 2, 1]);
}

#[test]
fn zb_3b_qj_2c_must_fund_items_first_in_the_guarantee_order_and_a_shortfall_stops_everything_else()
{
    let mut wages = candidate(1, SpendingTier::ThreeGuarantees, 600);
    wages.must_fund = true;
    wages.guarantee = Some(Guarantee::Wages);
    let mut ops = candidate(2, SpendingTier::ThreeGuarantees, 300);
    ops.must_fund = true;
    ops.guarantee = Some(Guarantee::Operations);
    let debt = candidate(3, SpendingTier::DebtService, 50);
    let c = [debt, ops, wages];
    let r = run(&c, &[], &resources(800), &profile(MarginalPolicy::Partial));
    assert_eq!(
        r.books[0].must_fund_shortfall,
        Some(Money::from_yuan(1_000_000))
    );
    assert_eq!(
        (by_id(&r, 1).position, by_id(&r, 2).position),
        (1, 2),
        "wages before operations (QJ-2c)"
    );
    assert_eq!(by_id(&r, 1).status, Status::Funded);
    assert_eq!(by_id(&r, 2).status, Status::Unfunded);
    assert!(by_id(&r, 2).explanation().contains("ZB-3b"));
    assert_eq!(by_id(&r, 3).allocated, Money::ZERO);
}

#[test]
fn cs_5b_a_fair_grade_is_cut_before_ranking_and_the_explanation_says_so() {
    let mut p = profile(MarginalPolicy::Stop);
    p.cut_fair = Rate::percent(20);
    let mut c = candidate(1, SpendingTier::Mandatory, 300);
    c.last_grade = Some(Grade::Fair);
    let r = run(&[c], &[], &resources(1_000), &p);
    let x = &r.projects[0];
    assert_eq!(x.allocated, Money::from_yuan(2_400_000));
    assert_eq!(
        x.explanation(),
        "结果应用压减 60.00 万元：上年绩效评价“中”，压减 20%（CS-5b）；第4层级（部门必须开展的专项业务）第1位，足额安排 240.00 万元（ZB-3）"
    );
}

#[test]
fn excluded_projects_are_listed_with_their_reason_and_get_nothing() {
    let c = candidate(9, SpendingTier::Mandatory, 10);
    let r = run(
        &[],
        &[(c, "未通过事前绩效评估（ZB-13a）".into())],
        &resources(10),
        &profile(MarginalPolicy::Stop),
    );
    assert_eq!(r.projects[0].status, Status::Excluded);
    assert_eq!(r.projects[0].explanation(), "未通过事前绩效评估（ZB-13a）");
    assert_eq!(r.books[0].allocated, Money::ZERO);
}

fn arb_candidate() -> impl Strategy<Value = Candidate> {
    (
        0usize..6,
        0usize..2,
        1i64..500_000_000,
        0u32..=100,
        any::<bool>(),
        proptest::option::of(1u32..50),
        proptest::option::of(0usize..4),
        0u32..=100,
        any::<bool>(),
    )
        .prop_map(
            |(tier, book, fen, reviewed_pct, must, rank, grade, min_pct, key)| {
                let requested = Money::from_fen(fen);
                let reviewed = crate::allocation::share(requested, Rate::percent(reviewed_pct));
                Candidate {
                    id: 0,
                    code: String::new(),
                    name: String::new(),
                    department_id: 1,
                    unit_id: 1,
                    fund_book: [FundBook::GeneralPublic, FundBook::GovernmentFund][book],
                    tier: SpendingTier::ALL[tier],
                    guarantee: None,
                    must_fund: must && tier == 0,
                    key_matter: key,
                    requested,
                    reviewed,
                    minimum: Some(crate::allocation::share(reviewed, Rate::percent(min_pct))),
                    finance_rank: rank,
                    department_rank: None,
                    last_score: None,
                    last_grade: grade
                        .map(|g| [Grade::Excellent, Grade::Good, Grade::Fair, Grade::Poor][g]),
                    result_cut: None,
                    last_year: None,
                    key_special: false,
                    livelihood: false,
                    signals: Signals::default(),
                }
            },
        )
}

fn arb_run() -> impl Strategy<Value = (Vec<Candidate>, BTreeMap<FundBook, Money>, Allocation)> {
    (
        proptest::collection::vec(arb_candidate(), 0..40),
        0i64..20_000_000_000,
        0i64..5_000_000_000,
        0usize..3,
        0u32..=100,
    )
        .prop_map(|(mut cs, general, fund, marginal, cut)| {
            for (i, c) in cs.iter_mut().enumerate() {
                c.id = i64::try_from(i).unwrap() + 1;
            }
            let mut p = profile(
                [
                    MarginalPolicy::Partial,
                    MarginalPolicy::SkipToNextFit,
                    MarginalPolicy::Stop,
                ][marginal],
            );
            p.cut_fair = Rate::percent(cut);
            let res = BTreeMap::from([
                (FundBook::GeneralPublic, Money::from_fen(general)),
                (FundBook::GovernmentFund, Money::from_fen(fund)),
            ]);
            (cs, res, p)
        })
}

proptest! {
    #[test]
    fn allocation_properties_hold_on_random_jurisdictions(
        (cs, res, p) in arb_run(),
        reserve in 0i64..2_000_000_000,
        cap in 0u32..=20,
    ) {
        let once = || {
            let mut r = run(&cs, &[], &res, &p);
            let asked = BTreeMap::from([(FundBook::GeneralPublic, Money::from_fen(reserve))]);
            set_aside_reserve(&mut r, &asked, Rate::percent(cap));
            r
        };
        let r = once();
        prop_assert_eq!(r.projects.len(), cs.len());
        // Same inputs, same result.
        prop_assert_eq!(&r, &once());
        for b in &r.books {
            let sum = r.projects.iter().filter(|x| x.fund_book == b.fund_book)
                .fold(Money::ZERO, |s, x| s.checked_add(x.allocated).unwrap());
            // Parts add up to the whole, to the fen, within the resources.
            prop_assert_eq!(sum, b.allocated);
            prop_assert!(b.allocated.checked_add(b.reserve).unwrap() <= b.resources);
            prop_assert_eq!(
                b.allocated.checked_add(b.reserve).unwrap().checked_add(b.remaining).unwrap(),
                b.resources
            );
            // ZB-2b: the reserve within its cap of the project spending.
            prop_assert!(b.reserve <= share(b.allocated, Rate::percent(cap)));
            if b.reserve > Money::ZERO {
                prop_assert!(
                    r.tiers.iter().all(|t| t.fund_book != b.fund_book || t.shortfall == Money::ZERO),
                    "no reserve while a tier is short"
                );
            }
            let tiers = r.tiers.iter().filter(|t| t.fund_book == b.fund_book)
                .fold(Money::ZERO, |s, t| s.checked_add(t.allocated).unwrap());
            prop_assert_eq!(tiers, b.allocated);
        }
        for x in &r.projects {
            let cuts = x.adjustments.iter().fold(Money::ZERO, |s, a| s.checked_add(a.amount).unwrap());
            prop_assert!(cuts <= x.requested, "a cut never exceeds the request");
            prop_assert!(x.adjusted <= x.reviewed);
            prop_assert!(x.allocated <= x.adjusted);
            prop_assert!(x.allocated >= Money::ZERO);
        }
        // Strict waterfall: once a tier of a book is short, nothing below it gets money.
        for b in &r.books {
            let tiers: Vec<&TierResult> = r.tiers.iter().filter(|t| t.fund_book == b.fund_book).collect();
            if let Some(first_short) = tiers.iter().position(|t| t.shortfall > Money::ZERO) {
                for t in &tiers[first_short + 1..] {
                    prop_assert_eq!(t.allocated, Money::ZERO, "tier {:?} funded below a short tier", t.tier);
                }
            }
        }
    }
}

#[test]
fn zb_2b_the_unassigned_reserve_is_capped_by_the_profile_and_takes_only_what_is_left() {
    let c = [candidate(1, SpendingTier::GeneralDevelopment, 1_000)];
    let mut r = run(
        &c,
        &[],
        &resources(1_200),
        &profile(MarginalPolicy::Partial),
    );
    let asked = BTreeMap::from([(FundBook::GeneralPublic, Money::from_yuan(800_000))]);
    set_aside_reserve(&mut r, &asked, Rate::percent(5));
    let b = &r.books[0];
    assert_eq!(b.reserve, Money::from_yuan(500_000), "5% of 1,000 万元");
    assert_eq!(b.remaining, Money::from_yuan(1_500_000));
    assert_eq!(
        b.reserve_note.as_deref(),
        Some(
            "申请待分资金 80.00 万元，超过项目支出 1,000.00 万元的 5% 上限，按上限预留 50.00 万元（ZB-2b）"
        )
    );
    // With nothing left after the tiers, the reserve gets nothing.
    let mut r = run(
        &c,
        &[],
        &resources(1_000),
        &profile(MarginalPolicy::Partial),
    );
    set_aside_reserve(&mut r, &asked, Rate::percent(5));
    assert_eq!(r.books[0].reserve, Money::ZERO);
    assert_eq!(r.projects[0].allocated, Money::from_yuan(10_000_000));
    // ZB-3: money left over while a tier is short (a skipped project) is not reserved.
    let c = [
        candidate(1, SpendingTier::GeneralDevelopment, 1_000),
        candidate(2, SpendingTier::GeneralDevelopment, 900),
    ];
    let mut r = run(
        &c,
        &[],
        &resources(1_800),
        &profile(MarginalPolicy::SkipToNextFit),
    );
    set_aside_reserve(&mut r, &asked, Rate::percent(5));
    assert_eq!(r.books[0].reserve, Money::ZERO);
    assert_eq!(r.books[0].remaining, Money::from_yuan(8_000_000));
    assert_eq!(
        r.books[0].reserve_note.as_deref(),
        Some("第5层级缺口 900.00 万元，不预留待分资金（ZB-3、ZB-2b）")
    );
}

#[test]
fn two_runs_compare_by_project_and_by_tier() {
    let c = [
        candidate(1, SpendingTier::ThreeGuarantees, 500),
        candidate(2, SpendingTier::GeneralDevelopment, 400),
    ];
    let p = profile(MarginalPolicy::SkipToNextFit);
    let a = run(&c, &[], &resources(600), &p);
    let b = run(&c, &[], &resources(900), &p);
    let d = compare((&a.projects, &a.tiers), (&b.projects, &b.tiers));
    assert_eq!(d.projects.len(), 1, "only project 2 ends differently");
    assert_eq!(d.projects[0].id, 2);
    assert_eq!(d.projects[0].change, Money::from_yuan(4_000_000));
    assert_eq!(d.projects[0].status_a, Some(Status::Unfunded));
    assert_eq!(d.projects[0].status_b, Some(Status::Funded));
    let general = d
        .tiers
        .iter()
        .find(|t| t.tier == SpendingTier::GeneralDevelopment)
        .unwrap();
    assert_eq!(general.shortfall_a, Money::from_yuan(4_000_000));
    assert_eq!(general.shortfall_b, Money::ZERO);
}

#[test]
fn zx_3a_year_on_year_counts_cut_cancelled_new_and_increased_with_the_ratio() {
    let row = |dept, last: Option<i64>, now: i64, status| YearRow {
        department_id: dept,
        last_year: last.map(|w| Money::from_yuan(w * 10_000)),
        allocated: Money::from_yuan(now * 10_000),
        status,
    };
    let rows = [
        row(1, Some(100), 80, Status::Partial), // cut 20
        row(1, Some(50), 0, Status::Cancelled), // cancelled 50
        row(2, None, 30, Status::Funded),       // new 30
        row(2, Some(40), 60, Status::Funded),   // increased 20
        row(2, Some(10), 10, Status::Funded),   // unchanged
        row(2, None, 0, Status::Unfunded),      // neither
    ];
    let y = year_on_year(&rows);
    let o = y.overall;
    assert_eq!((o.cut.count, o.cut.amount), (1, Money::from_yuan(200_000)));
    assert_eq!(
        (o.cancelled.count, o.cancelled.amount),
        (1, Money::from_yuan(500_000))
    );
    assert_eq!((o.new.count, o.new.amount), (1, Money::from_yuan(300_000)));
    assert_eq!(
        (o.increased.count, o.increased.amount),
        (1, Money::from_yuan(200_000))
    );
    assert_eq!(o.unchanged, 1);
    assert_eq!(o.reduction, Money::from_yuan(700_000));
    // 70 / 200 last year = 35%.
    assert_eq!(o.ratio, Rate::percent(35));
    assert_eq!(y.by_department.len(), 2);
    assert_eq!(
        y.by_department[0].1.ratio,
        Rate::ratio(Money::from_yuan(70), Money::from_yuan(150))
    );
    assert_eq!(y.by_department[0].1.ratio.to_percent_display(), "46.67%");
}

#[test]
fn zb_10_zb_12_zx_3b_overlaps_are_pairs_of_different_departments_with_the_same_function_code() {
    let item = |id, dept, name: &str, code: &str, ind: &[&str]| OverlapItem {
        id,
        department_id: dept,
        name: name.into(),
        function_code: code.into(),
        indicators: ind.iter().map(|s| s.to_string()).collect(),
    };
    let items = [
        item(1, 1, "农村人居环境整治专项资金", "2130599", &["整治村庄数"]),
        item(2, 2, "农村人居环境整治项目", "2130599", &["改厕户数"]),
        item(3, 1, "农村人居环境整治提升", "2130599", &[]), // same department as 1
        item(4, 3, "农村人居环境整治", "2080101", &[]),     // other function code
        item(5, 3, "乡村道路养护", "2130599", &["整治村庄数"]), // indicators alike
    ];
    let pairs = find_overlaps(&items, Rate::percent(50));
    let ids: Vec<(i64, i64)> = pairs.iter().map(|p| (p.a, p.b)).collect();
    assert_eq!(ids, [(1, 2), (1, 5), (2, 3)], "most alike first");
    assert!(pairs[0].reason.contains("ZB-10"), "{}", pairs[0].reason);
    assert_eq!(pairs[1].indicator_similarity, Rate::FULL);
}

#[test]
fn budget_lines_spread_to_the_fen_by_the_cost_lines_economic_codes() {
    let w = |c: &str, fen| (c.to_string(), Money::from_fen(fen));
    let parts = spread(
        Money::from_fen(100),
        &[w("30215", 1), w("30216", 1), w("30215", 0), w("31002", 1)],
        "302",
    );
    // 30215 and 30216 and 31002 weigh 1 each: 33 + 33 + 33, the spare fen to the first.
    assert_eq!(parts, [w("30215", 34), w("30216", 33), w("31002", 33)]);
    assert_eq!(spread(Money::from_fen(7), &[], "302"), [w("302", 7)]);
}

proptest! {
    #[test]
    fn spread_parts_add_up_to_the_whole(
        total in 0i64..1_000_000_000_000,
        weights in proptest::collection::vec((0usize..5, 0i64..1_000_000_000), 1..12),
    ) {
        let w: Vec<(String, Money)> = weights
            .iter()
            .map(|(c, f)| (format!("30{c}"), Money::from_fen(*f)))
            .collect();
        let parts = spread(Money::from_fen(total), &w, "302");
        let sum: i64 = parts.iter().map(|p| p.1.fen()).sum();
        prop_assert_eq!(sum, total);
        prop_assert!(parts.iter().all(|p| p.1 >= Money::ZERO));
    }
}

#[test]
fn zb_10_a_large_function_group_still_finds_its_distinctive_pair() {
    let item = |id: i64, dept, name: String| OverlapItem {
        id,
        department_id: dept,
        name,
        function_code: "2130599".into(),
        indicators: Vec::new(),
    };
    // 300 items share "公共服务" (too common to propose pairs), two share rare words.
    let mut items: Vec<OverlapItem> = (1..=300)
        .map(|i| {
            item(
                i,
                i,
                format!("公共服务{}", char::from_u32(0x4e00 + i as u32 * 7).unwrap()),
            )
        })
        .collect();
    items.push(item(1001, 1, "公共服务农村饮水安全巩固".into()));
    items.push(item(1002, 2, "公共服务农村饮水安全提升".into()));
    let pairs = find_overlaps(&items, Rate::percent(50));
    assert!(
        pairs.iter().any(|p| (p.a, p.b) == (1001, 1002)),
        "{:?}",
        pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>()
    );
}

#[test]
fn zb_4_last_year_is_only_a_reference_the_run_funds_this_years_reviewed_amount() {
    let mut small = candidate(1, SpendingTier::GeneralDevelopment, 100);
    small.last_year = Some(Money::from_yuan(10_000_000));
    let mut large = candidate(2, SpendingTier::GeneralDevelopment, 300);
    large.last_year = Some(Money::from_yuan(500_000));
    let r = run(
        &[small, large],
        &[],
        &resources(10_000),
        &profile(MarginalPolicy::Partial),
    );
    // Neither last year's 1,000 万元 nor its 50 万元 is a base: this year's reviewed amounts.
    assert_eq!(by_id(&r, 1).allocated, Money::from_yuan(1_000_000));
    assert_eq!(by_id(&r, 2).allocated, Money::from_yuan(3_000_000));
}
