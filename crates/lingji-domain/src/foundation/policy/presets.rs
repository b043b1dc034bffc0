//! Profiles for the jurisdictions of the source documents. A new jurisdiction starts from one.
//!
//! Where a document gives a number, the preset carries it and the comment cites the clause.
//! Where a document is silent, the preset carries a conservative default marked "default";
//! administrators set their own.

use serde::{Deserialize, Serialize};

use super::*;

labelled! {
    /// A shipped preset.
    Preset: custom {
        /// 连云港市市级 (ZB + PM): 连政发〔2024〕119号 and the 2022 performance plan.
        LianyungangCity = "lianyungang_city" / "连云港市市级（连政发〔2024〕119号、全面实施预算绩效管理实施方案）",
        /// 资兴市 (ZX), 2025.
        Zixing = "zixing" / "资兴市（零基预算改革，2025）",
        /// The city of the 2024 budget explanation (CS).
        CsCity = "cs_city" / "某市本级（2024 年预算说明）",
        /// 淄博市某区 (QJ).
        ZiboDistrict = "zibo_district" / "淄博市某区（深化区级预算管理改革）",
    }
}

impl Preset {
    /// Parses the identifier.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        Preset::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| {
                Refusal::new(
                    "POLICY_PRESET_UNKNOWN",
                    format!("政策参数预设“{s}”不存在，可选：lianyungang_city、zixing、cs_city、zibo_district"),
                )
                .field("preset")
            })
    }
}

/// The base every preset starts from: 连云港市市级 with national defaults.
fn base() -> PolicyProfile {
    PolicyProfile {
        calendar: Calendar {
            // ZB-15b: 每年6月30日前启动下年度项目储备.
            reserve_start: MonthDay { month: 6, day: 30 },
        },
        library: Library {
            max_period_years: Count(5),                           // ZB-5c
            pilot_max_period_years: Count(5), // ZB sets no pilot limit: same as projects
            cleanup_unfunded_years: Count(2), // default: ZB-15c says "长期"
            unassigned_reserve_cap: Rate::percent(5), // default: ZB-2b "严格控制"
            contract_staff_yearly_reduction: Rate::percent(0), // ZB-6c: quota only
            major_project_threshold: Money::from_yuan(5_000_000), // default
        },
        review: Review {
            focused_if_execution_below: Rate::percent(60), // default
            focused_if_adjustment_above: Rate::percent(30), // default
            focused_if_findings_at_least: Count(2),        // default
            ex_ante_weight_necessity: Score::points(20),
            ex_ante_weight_economy: Score::points(20),
            ex_ante_weight_targets: Score::points(20),
            ex_ante_weight_feasibility: Score::points(20),
            ex_ante_weight_financing: Score::points(20),
            ex_ante_pass_score: Score::points(60),
        },
        allocation: Allocation {
            tier_order: SpendingTier::ALL.to_vec(),   // ZB-3
            guarantee_order: Guarantee::ALL.to_vec(), // QJ-2c
            marginal_policy: MarginalPolicy::Partial,
            cut_good: Rate::percent(0),
            cut_fair: Rate::percent(20), // PM-13 with CS-5b's numbers as default
            cut_poor: Rate::percent(50),
            cancel_on_poor: false,
            grade_cut_clause: GradeCutClause::Cs5b, // the numbers above are CS-5b's
            across_the_board_cut: Rate::percent(0),
            across_the_board_exempt_livelihood: true,
            factor_execution_below: Rate::percent(60),
            factor_execution_cut: Rate::percent(10),
            factor_detail_cut: Rate::percent(10),
            factor_stock_funds_offset: Rate::percent(100),
            factor_audit_cut: Rate::percent(10),
        },
        special_funds: SpecialFunds {
            max_period_years: Count(5), // ZB-12
            one_per_department: false,
        },
        execution: Execution {
            penetrating_supervision_threshold: Money::from_yuan(500_000), // ZX-2 as default
            transfer_carryover_years: Count(2),                           // default
            project_carryover_years: Count(2),                            // default
            idle_recovery_years: Count(2),                                // default
            recover_basic_at_year_end: true,
            recover_project_at_year_end: false, // ZB-6d and CS-6 carry project money
            recover_three_public_at_year_end: true,
            operating_residual_contracts_only: true, // ZB-6d
            payments_within_plan: false,             // default: ZB sets no plan control
        },
        performance: Performance {
            grade_excellent_min: Score::points(90), // NAT-10
            grade_good_min: Score::points(80),
            grade_fair_min: Score::points(60),
            weight_execution: Score::points(10), // NAT-10
            weight_output: Score::points(50),
            weight_benefit: Score::points(30),
            weight_satisfaction: Score::points(10),
            key_weight_decision: Score::points(20), // default
            key_weight_process: Score::points(20),
            key_weight_output: Score::points(30),
            key_weight_benefit: Score::points(30),
            monitoring_months: MonthList(vec![6, 9]), // default: mid-year and Q3
            monitoring_yellow_gap: Rate::percent(10),
            monitoring_red_gap: Rate::percent(20),
        },
    }
}

/// The profile of a preset.
pub fn preset(p: Preset) -> PolicyProfile {
    let mut profile = base();
    match p {
        Preset::LianyungangCity => {}
        Preset::Zixing => {
            profile.library.contract_staff_yearly_reduction = Rate::percent(10); // ZX: 编外每年压缩10%
            profile.execution.penetrating_supervision_threshold = Money::from_yuan(500_000); // ZX-2
            profile.execution.idle_recovery_years = Count(2); // ZX-3c: 连续两年未使用
            profile.execution.payments_within_plan = true; // ZX-4a: 用款计划每月集中审核
        }
        Preset::CsCity => {
            profile.allocation.cut_fair = Rate::percent(20); // CS-5b: 中 削减20%以上
            profile.allocation.cut_poor = Rate::percent(50); // CS-5b: 差 削减50%以上
            profile.allocation.across_the_board_cut = Rate::percent(20); // CS-2b
            profile.execution.project_carryover_years = Count(1); // CS-6: 结转一年以上收回
        }
        Preset::ZiboDistrict => {
            profile.library.pilot_max_period_years = Count(3); // QJ-3c
            profile.allocation.cut_fair = Rate::percent(10); // QJ-5b: 未达优良 不低于10%
            profile.allocation.cut_poor = Rate::percent(10);
            profile.allocation.grade_cut_clause = GradeCutClause::Qj5b;
            profile.special_funds.one_per_department = true; // QJ-3b
            profile.execution.transfer_carryover_years = Count(1); // QJ-4b: 结转1年即收回
            profile.execution.project_carryover_years = Count(1); // QJ-4b
            // QJ-4b: 年终本级基本支出和项目支出全部作为结余收回.
            profile.execution.recover_project_at_year_end = true;
        }
    }
    profile
}
