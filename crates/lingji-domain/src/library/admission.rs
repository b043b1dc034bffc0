//! Admission checks (入库审核): what a project must hold before it may enter the budget
//! library — and so before any money (ZB-15a: 未入库项目不得安排预算). Every failure is
//! reported at once, each with its field and clause.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::targets::TargetTable;
use super::{MatterClass, Period, PolicyBasis, ProjectKind, YearNeed};
use crate::error::Refusal;
use crate::foundation::codes::{EconomicCode, EconomicSet, FunctionCode};
use crate::foundation::fund::FundBook;
use crate::foundation::policy::PolicyProfile;
use crate::library::tier::SpendingTier;
use crate::money::Money;

/// Which codes exist in the official tables of the budget year (ZB-15d).
pub trait CodeBook {
    /// A function code exists.
    fn function_exists(&self, code: &str) -> bool;
    /// An economic code exists.
    fn economic_exists(&self, code: &str) -> bool;
}

/// Everything the checks look at.
#[derive(Debug, Clone)]
pub struct ProjectFacts<'a> {
    pub name: &'a str,
    /// 项目类别.
    pub kind: ProjectKind,
    /// 事项分类 (ZB-2a).
    pub matter_class: Option<MatterClass>,
    /// Proposed spending tier (ZB-3).
    pub tier: Option<SpendingTier>,
    /// 政策依据.
    pub basis: &'a PolicyBasis,
    /// 实施期限.
    pub period: Option<Period>,
    /// 支出功能分类 at 项.
    pub function_code: &'a str,
    /// 政府经济分类 at 款.
    pub government_economic_code: &'a str,
    /// 部门经济分类 of every cost line.
    pub line_economic_codes: Vec<&'a str>,
    /// 资金来源.
    pub fund_book: Option<FundBook>,
    /// 项目负责人.
    pub responsible_person: &'a str,
    /// 联系电话.
    pub responsible_phone: &'a str,
    /// 资金总需求 (multi-year projects).
    pub total_need: Money,
    /// 分年度计划.
    pub year_plan: &'a [YearNeed],
    /// Number of cost lines.
    pub cost_line_count: usize,
    /// Sum of the cost lines: this year's request.
    pub cost_total: Money,
    /// 绩效目标表.
    pub targets: &'a TargetTable,
}

fn missing(field: &str, what: &str) -> Refusal {
    Refusal::new("PROJECT_ELEMENT_MISSING", format!("缺少项目要素：{what}"))
        .field(field)
        .clause("ZB-15a")
}

/// Runs every admission check for the budget year `year`; empty means admissible.
pub fn check_admission(
    f: &ProjectFacts<'_>,
    profile: &PolicyProfile,
    year: i32,
    codes: &dyn CodeBook,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    // ZB-15a: the elements.
    if f.name.trim().is_empty() {
        out.push(missing("name", "项目名称"));
    }
    if f.matter_class.is_none() {
        out.push(missing("matter_class", "事项分类"));
    }
    if f.tier.is_none() {
        out.push(missing("tier", "支出优先序层级"));
    }
    if f.basis.title.trim().is_empty() {
        out.push(missing("basis_title", "政策依据"));
    }
    if f.fund_book.is_none() {
        out.push(missing("fund_book", "资金来源"));
    }
    if f.responsible_person.trim().is_empty() || f.responsible_phone.trim().is_empty() {
        out.push(missing("responsible_person", "项目负责人及联系电话"));
    }
    match f.period {
        None => out.push(missing("period", "实施期限")),
        Some(p) => check_period(&p, profile, year, &mut out),
    }
    // ZB-5d: a policy that has expired before the budget year funds nothing.
    if let Some(expiry) = f.basis.expires_on
        && NaiveDate::from_ymd_opt(year, 1, 1).is_some_and(|start| expiry < start)
    {
        out.push(
            Refusal::new(
                "POLICY_BASIS_EXPIRED",
                format!(
                    "政策依据“{}”已于 {expiry} 到期，到期政策动态清零，项目应予取消",
                    f.basis.title
                ),
            )
            .field("basis_expires_on")
            .clause("ZB-5d"),
        );
    }
    out.extend(check_codes(
        f.function_code,
        f.government_economic_code,
        &f.line_economic_codes,
        codes,
    ));
    // CS-1: detailed cost lines, targets as a precondition.
    if f.cost_line_count == 0 || f.cost_total == Money::ZERO {
        out.push(
            Refusal::new(
                "COST_LINES_MISSING",
                "无明细支出测算的项目一律不予安排，请填写测算明细",
            )
            .field("cost_lines")
            .clause("CS-1"),
        );
    }
    if matches!(
        f.kind,
        ProjectKind::OtherOperating | ProjectKind::SpecificPurpose
    ) {
        check_targets(f, &mut out);
    }
    // QJ-2b / CS-4: multi-year plans add up.
    if let Some(p) = f.period
        && p.is_multi_year()
    {
        check_year_plan(f, &p, year, &mut out);
    }
    out
}

fn check_period(p: &Period, profile: &PolicyProfile, year: i32, out: &mut Vec<Refusal>) {
    if p.end_year < p.start_year {
        out.push(
            Refusal::new("PERIOD_INVALID", "实施期限的结束年度早于开始年度")
                .field("period")
                .clause("ZB-15a"),
        );
        return;
    }
    if p.end_year < year {
        out.push(
            Refusal::new(
                "PERIOD_ENDED",
                format!(
                    "实施期限已于 {} 年结束，不能申请 {year} 年度预算",
                    p.end_year
                ),
            )
            .field("period")
            .clause("ZB-15c"),
        );
    }
    let limit = profile.library.max_period_years.0;
    if p.years() > i32::try_from(limit).unwrap_or(i32::MAX) {
        out.push(
            Refusal::new(
                "PROJECT_PERIOD_TOO_LONG",
                format!(
                    "项目执行期限 {} 年，超过上限 {limit} 年；确需延长的按新项目重新评审",
                    p.years()
                ),
            )
            .field("period")
            .clause("ZB-5c"),
        );
    }
    let pilot = profile.library.pilot_max_period_years.0;
    if p.pilot && p.years() > i32::try_from(pilot).unwrap_or(i32::MAX) {
        out.push(
            Refusal::new(
                "PILOT_PERIOD_TOO_LONG",
                format!("试点类项目执行期限 {} 年，超过上限 {pilot} 年", p.years()),
            )
            .field("period")
            .clause("QJ-3c"),
        );
    }
}

/// ZB-15d: the function code at 项, the government economic code and every cost line's
/// department economic code at 款, each in the budget year's tables.
pub fn check_codes(
    function_code: &str,
    government_economic_code: &str,
    line_economic_codes: &[&str],
    codes: &dyn CodeBook,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    let not_in_table = |field: &str, code: &str| {
        Refusal::new(
            "CODE_NOT_IN_TABLE",
            format!("科目“{code}”不在本年度政府收支分类科目表中"),
        )
        .field(field)
        .clause("ZB-15d")
    };
    match FunctionCode::parse_item(function_code) {
        Err(r) => out.push(r.field("function_code").clause("ZB-15d")),
        Ok(c) if !codes.function_exists(c.as_str()) => {
            out.push(not_in_table("function_code", c.as_str()))
        }
        Ok(_) => {}
    }
    match EconomicCode::parse_section(government_economic_code, EconomicSet::Government) {
        Err(r) => out.push(r.field("government_economic_code").clause("ZB-15d")),
        Ok(c) if !codes.economic_exists(c.as_str()) => {
            out.push(not_in_table("government_economic_code", c.as_str()))
        }
        Ok(_) => {}
    }
    for (i, code) in line_economic_codes.iter().enumerate() {
        let field = format!("cost_lines[{i}].economic_code");
        match EconomicCode::parse_section(code, EconomicSet::Department) {
            Err(r) => out.push(r.field(field).clause("ZB-15d")),
            Ok(c) if !codes.economic_exists(c.as_str()) => {
                out.push(not_in_table(&field, c.as_str()))
            }
            Ok(_) => {}
        }
    }
    out
}

fn check_targets(f: &ProjectFacts<'_>, out: &mut Vec<Refusal>) {
    let t = f.targets;
    if t.overall_goal.trim().is_empty() || t.indicators.is_empty() {
        out.push(
            Refusal::new(
                "TARGETS_MISSING",
                format!(
                    "{}项目须编报绩效目标（总体目标和绩效指标），绩效目标是预算安排的前置条件",
                    f.kind.label()
                ),
            )
            .field("targets")
            .clause("CS-1"),
        );
        return;
    }
    out.extend(t.check_rows());
    if f.kind == ProjectKind::SpecificPurpose && !(t.has_quantitative_output() && t.has_benefit()) {
        out.push(
            Refusal::new(
                "TARGETS_NOT_QUANTIFIED",
                "特定目标类项目须至少有一个定量的产出指标和一个效益指标",
            )
            .field("targets")
            .clause("PM-7"),
        );
    }
}

fn check_year_plan(f: &ProjectFacts<'_>, p: &Period, year: i32, out: &mut Vec<Refusal>) {
    let bad = |code: &'static str, msg: String| {
        Refusal::new(code, msg).field("year_plan").clause("QJ-2b")
    };
    if f.year_plan.is_empty() || f.total_need == Money::ZERO {
        out.push(bad(
            "YEAR_PLAN_MISSING",
            "跨年度项目须填写资金总需求和分年度计划".into(),
        ));
        return;
    }
    let mut seen = BTreeSet::new();
    for n in f.year_plan {
        if n.year < p.start_year || n.year > p.end_year {
            out.push(bad(
                "YEAR_PLAN_OUTSIDE_PERIOD",
                format!(
                    "分年度计划中的 {} 年不在实施期限 {}–{} 内",
                    n.year, p.start_year, p.end_year
                ),
            ));
        }
        if !seen.insert(n.year) {
            out.push(bad(
                "YEAR_PLAN_DUPLICATE",
                format!("分年度计划中 {} 年重复", n.year),
            ));
        }
    }
    let sum = Money::checked_sum(f.year_plan.iter().map(|n| n.amount));
    if sum != Some(f.total_need) {
        out.push(bad(
            "YEAR_PLAN_NOT_TOTAL",
            format!(
                "分年度计划合计 {} 元与资金总需求 {} 元不一致",
                sum.map(|m| m.to_yuan_display())
                    .unwrap_or_else(|| "溢出".into()),
                f.total_need
            ),
        ));
    }
    match f.year_plan.iter().find(|n| n.year == year) {
        Some(n) if n.amount != f.cost_total => out.push(bad(
            "YEAR_PLAN_NOT_REQUEST",
            format!(
                "{year} 年计划 {} 元与本年测算明细合计 {} 元不一致",
                n.amount, f.cost_total
            ),
        )),
        None => out.push(bad(
            "YEAR_PLAN_NO_CURRENT_YEAR",
            format!("分年度计划中没有 {year} 年"),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::targets::{Comparator, Indicator, IndicatorCategory};
    use super::*;
    use crate::foundation::policy::{Preset, preset};

    struct Book;
    impl CodeBook for Book {
        fn function_exists(&self, code: &str) -> bool {
            code == "2050803"
        }
        fn economic_exists(&self, code: &str) -> bool {
            matches!(code, "30216" | "50203")
        }
    }

    fn indicator(category: IndicatorCategory, comparator: Comparator, value: &str) -> Indicator {
        Indicator {
            category,
            name: "指标".into(),
            comparator,
            target_value: value.into(),
            unit: "人次".into(),
        }
    }

    struct Owned {
        basis: PolicyBasis,
        plan: Vec<YearNeed>,
        targets: TargetTable,
    }

    fn owned() -> Owned {
        Owned {
            basis: PolicyBasis {
                title: "示范市教师队伍建设实施意见".into(),
                number: "示政发〔2024〕8号".into(),
                expires_on: None,
            },
            plan: vec![
                YearNeed {
                    year: 2026,
                    amount: Money::from_yuan(600_000),
                },
                YearNeed {
                    year: 2027,
                    amount: Money::from_yuan(400_000),
                },
            ],
            targets: TargetTable {
                overall_goal: "全年培训教师 3000 人次".into(),
                indicators: vec![
                    indicator(IndicatorCategory::Quantity, Comparator::AtLeast, "3000"),
                    indicator(
                        IndicatorCategory::Social,
                        Comparator::Qualitative,
                        "教学质量明显提升",
                    ),
                ],
            },
        }
    }

    fn facts(o: &Owned) -> ProjectFacts<'_> {
        ProjectFacts {
            name: "全市教师培训",
            kind: ProjectKind::SpecificPurpose,
            matter_class: Some(MatterClass::PublicService),
            tier: Some(SpendingTier::Mandatory),
            basis: &o.basis,
            period: Some(Period {
                start_year: 2026,
                end_year: 2027,
                pilot: false,
            }),
            function_code: "2050803",
            government_economic_code: "50203",
            line_economic_codes: vec!["30216"],
            fund_book: Some(FundBook::GeneralPublic),
            responsible_person: "李老师",
            responsible_phone: "0518-12345678",
            total_need: Money::from_yuan(1_000_000),
            year_plan: &o.plan,
            cost_line_count: 1,
            cost_total: Money::from_yuan(600_000),
            targets: &o.targets,
        }
    }

    fn clauses(
        f: &ProjectFacts<'_>,
        profile: &PolicyProfile,
    ) -> Vec<(&'static str, Option<&'static str>)> {
        check_admission(f, profile, 2026, &Book)
            .iter()
            .map(|r| (r.code, r.clause))
            .collect()
    }

    #[test]
    fn a_complete_project_is_admissible() {
        let o = owned();
        assert!(
            check_admission(&facts(&o), &preset(Preset::LianyungangCity), 2026, &Book).is_empty()
        );
    }

    #[test]
    fn zb_15a_missing_elements_are_each_named() {
        let o = owned();
        let basis = PolicyBasis::default();
        let f = ProjectFacts {
            basis: &basis,
            matter_class: None,
            period: None,
            fund_book: None,
            ..facts(&o)
        };
        let got = check_admission(&f, &preset(Preset::LianyungangCity), 2026, &Book);
        let fields: Vec<_> = got
            .iter()
            .filter(|r| r.clause == Some("ZB-15a"))
            .map(|r| r.field.clone().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["matter_class", "basis_title", "fund_book", "period"]
        );
    }

    #[test]
    fn cs_1_no_cost_lines_or_no_targets_no_money() {
        let o = owned();
        let empty = TargetTable::default();
        let f = ProjectFacts {
            cost_line_count: 0,
            cost_total: Money::ZERO,
            targets: &empty,
            year_plan: &[],
            period: Some(Period {
                start_year: 2026,
                end_year: 2026,
                pilot: false,
            }),
            ..facts(&o)
        };
        assert_eq!(
            clauses(&f, &preset(Preset::LianyungangCity)),
            [
                ("COST_LINES_MISSING", Some("CS-1")),
                ("TARGETS_MISSING", Some("CS-1"))
            ]
        );
        // Personnel projects need no target table.
        let f = ProjectFacts {
            kind: ProjectKind::Personnel,
            targets: &empty,
            ..facts(&o)
        };
        assert!(clauses(&f, &preset(Preset::LianyungangCity)).is_empty());
    }

    #[test]
    fn pm_7_specific_purpose_needs_quantified_output_and_benefit() {
        let mut o = owned();
        o.targets.indicators.remove(1);
        assert_eq!(
            clauses(&facts(&o), &preset(Preset::LianyungangCity)),
            [("TARGETS_NOT_QUANTIFIED", Some("PM-7"))]
        );
    }

    #[test]
    fn zb_5c_and_qj_3c_period_limits_come_from_the_profile() {
        let o = owned();
        let six = Period {
            start_year: 2026,
            end_year: 2031,
            pilot: false,
        };
        let plan = [
            YearNeed {
                year: 2026,
                amount: Money::from_yuan(600_000),
            },
            YearNeed {
                year: 2031,
                amount: Money::from_yuan(400_000),
            },
        ];
        let f = ProjectFacts {
            period: Some(six),
            year_plan: &plan,
            ..facts(&o)
        };
        assert_eq!(
            clauses(&f, &preset(Preset::LianyungangCity)),
            [("PROJECT_PERIOD_TOO_LONG", Some("ZB-5c"))]
        );
        let four_pilot = Period {
            start_year: 2026,
            end_year: 2029,
            pilot: true,
        };
        let f = ProjectFacts {
            period: Some(four_pilot),
            ..facts(&o)
        };
        assert!(
            clauses(&f, &preset(Preset::LianyungangCity)).is_empty(),
            "连云港 sets no separate pilot limit"
        );
        assert_eq!(
            clauses(&f, &preset(Preset::ZiboDistrict)),
            [("PILOT_PERIOD_TOO_LONG", Some("QJ-3c"))]
        );
    }

    #[test]
    fn zb_5d_expired_policy_basis_is_refused() {
        let mut o = owned();
        o.basis.expires_on = NaiveDate::from_ymd_opt(2025, 12, 31);
        assert_eq!(
            clauses(&facts(&o), &preset(Preset::LianyungangCity)),
            [("POLICY_BASIS_EXPIRED", Some("ZB-5d"))]
        );
        o.basis.expires_on = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert!(clauses(&facts(&o), &preset(Preset::LianyungangCity)).is_empty());
    }

    #[test]
    fn zb_15d_codes_at_item_and_section_level_from_the_table() {
        let o = owned();
        let f = ProjectFacts {
            function_code: "20508",
            government_economic_code: "50299",
            line_economic_codes: vec!["302"],
            ..facts(&o)
        };
        assert_eq!(
            clauses(&f, &preset(Preset::LianyungangCity)),
            [
                ("FUNCTION_CODE_NOT_ITEM", Some("ZB-15d")),
                ("CODE_NOT_IN_TABLE", Some("ZB-15d")),
                ("ECONOMIC_CODE_NOT_SECTION", Some("ZB-15d"))
            ]
        );
    }

    #[test]
    fn qj_2b_multi_year_plans_add_up_to_the_total_and_this_years_request() {
        let mut o = owned();
        o.plan[1].amount = Money::from_yuan(300_000);
        assert_eq!(
            clauses(&facts(&o), &preset(Preset::LianyungangCity)),
            [("YEAR_PLAN_NOT_TOTAL", Some("QJ-2b"))]
        );
        let o = owned();
        let f = ProjectFacts {
            cost_total: Money::from_yuan(500_000),
            ..facts(&o)
        };
        assert_eq!(
            clauses(&f, &preset(Preset::LianyungangCity)),
            [("YEAR_PLAN_NOT_REQUEST", Some("QJ-2b"))]
        );
        let f = ProjectFacts {
            year_plan: &[],
            ..facts(&o)
        };
        assert_eq!(
            clauses(&f, &preset(Preset::LianyungangCity)),
            [("YEAR_PLAN_MISSING", Some("QJ-2b"))]
        );
    }
}
