//! A jurisdiction's policy profile: every number of `POLICY.md`, each with its clause id,
//! versioned per fiscal year. Rules read their parameters from here, never from constants.

mod presets;
mod values;

use serde::{Deserialize, Serialize};

pub use presets::{Preset, preset};
pub use values::{
    Count, GradeCutClause, MarginalPolicy, MonthDay, MonthList, ParamKind, ParamValue, Rate, Score,
};

use crate::error::Refusal;
use crate::library::tier::{Guarantee, SpendingTier};
use crate::money::Money;

/// Calendar of the budget year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Date by which next year's project reserve starts (ZB-15b).
    pub reserve_start: MonthDay,
}

/// Project library rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    /// Longest implementation period of a project in years (ZB-5c).
    pub max_period_years: Count,
    /// Longest period of a pilot project (QJ-3c).
    pub pilot_max_period_years: Count,
    /// Projects unfunded for this many years are cleaned out of the library (ZB-15c).
    pub cleanup_unfunded_years: Count,
    /// Cap of unassigned reserve (待分资金) as a share of project spending (ZB-2b).
    pub unassigned_reserve_cap: Rate,
    /// Yearly reduction of contract staff (编外人员) (ZB-6c, ZX).
    pub contract_staff_yearly_reduction: Rate,
    /// Amount from which a project counts as major (重大) and needs ex-ante assessment (ZB-13a).
    pub major_project_threshold: Money,
}

/// Review rules (ZB-5a, ZB-13a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Focused review when last year's execution rate is below this (ZB-5a).
    pub focused_if_execution_below: Rate,
    /// Focused review when last year's adjustment rate is above this (ZB-5a).
    pub focused_if_adjustment_above: Rate,
    /// Focused review when inspection, evaluation and audit findings reach this count (ZB-5a).
    pub focused_if_findings_at_least: Count,
    /// Ex-ante assessment weight: 立项必要性 (ZB-13a).
    pub ex_ante_weight_necessity: Score,
    /// 投入经济性
    pub ex_ante_weight_economy: Score,
    /// 绩效目标合理性
    pub ex_ante_weight_targets: Score,
    /// 实施方案可行性
    pub ex_ante_weight_feasibility: Score,
    /// 筹资合规性
    pub ex_ante_weight_financing: Score,
    /// Score from which an ex-ante assessment supports the project.
    pub ex_ante_pass_score: Score,
}

/// Allocation rules (ZB-3, QJ-2c, CS-5a, CS-5b, QJ-5b, CS-2b).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// Order of spending tiers (ZB-3).
    pub tier_order: Vec<SpendingTier>,
    /// Order inside the three guarantees (QJ-2c).
    pub guarantee_order: Vec<Guarantee>,
    /// What happens to the marginal project.
    pub marginal_policy: MarginalPolicy,
    /// Cut for a project graded 良 last year (QJ-5b: below 优良 only, so usually 0).
    pub cut_good: Rate,
    /// Cut for a project graded 中 last year (CS-5b, QJ-5b).
    pub cut_fair: Rate,
    /// Cut for a project graded 差 last year (CS-5b, QJ-5b).
    pub cut_poor: Rate,
    /// A project graded 差 is cancelled rather than cut (CS-5b "直至取消").
    pub cancel_on_poor: bool,
    /// The clause the grade-linked cuts apply (PM-13, CS-5b or QJ-5b). Profiles stored before
    /// the parameter existed take their preset's ([`PolicyProfile::from_stored`]).
    #[serde(default)]
    pub grade_cut_clause: GradeCutClause,
    /// Across-the-board cut of key special projects against last year (CS-2b).
    pub across_the_board_cut: Rate,
    /// People-related livelihood projects are exempt from the across-the-board cut (CS-2b).
    pub across_the_board_exempt_livelihood: bool,
    /// CS-5a: execution rate below which a request is cut.
    pub factor_execution_below: Rate,
    /// CS-5a: cut for slow execution.
    pub factor_execution_cut: Rate,
    /// CS-5a: cut for insufficiently detailed cost lines.
    pub factor_detail_cut: Rate,
    /// CS-5a: share of a unit's idle stock funds deducted from its request.
    pub factor_stock_funds_offset: Rate,
    /// CS-5a: cut for unresolved audit findings.
    pub factor_audit_cut: Rate,
}

/// Special fund rules (ZB-12, QJ-3b).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialFunds {
    /// Longest period of a special fund (ZB-12, QJ-3b).
    pub max_period_years: Count,
    /// Each department manages one "big special fund" (QJ-3b): warn when it has more.
    pub one_per_department: bool,
}

/// Execution and year-end rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    /// Projects from this amount are under penetrating supervision (ZX-2).
    pub penetrating_supervision_threshold: Money,
    /// Upper-transfer carry-overs are recovered after this many years (QJ-4b).
    pub transfer_carryover_years: Count,
    /// Project carry-overs are recovered after this many years (CS-6).
    pub project_carryover_years: Count,
    /// Balances idle this many years are recovered (ZX-3c).
    pub idle_recovery_years: Count,
    /// Basic expenditure balances are recovered at year end (QJ-4b, CS-6).
    pub recover_basic_at_year_end: bool,
    /// Balances of the jurisdiction's own project money are recovered at year end, carried-over
    /// or not; upper transfers keep their carry-over years (QJ-4b: 本级基本支出和项目支出全部
    /// 作为结余收回). Profiles stored before the parameter existed take their preset's.
    #[serde(default)]
    pub recover_project_at_year_end: bool,
    /// 三公 balances are recovered at year end (CS-6).
    pub recover_three_public_at_year_end: bool,
    /// Operating leftovers are not carried over except contract amounts (ZB-6d).
    pub operating_residual_contracts_only: bool,
    /// A payment may not exceed the approved spending plan of its line and month (ZX-4a).
    /// Profiles saved before the parameter existed read as "not enforced".
    #[serde(default)]
    pub payments_within_plan: bool,
}

/// Performance management rules (PM-9, NAT-10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Performance {
    /// Lowest score of 优 (NAT-10).
    pub grade_excellent_min: Score,
    /// Lowest score of 良.
    pub grade_good_min: Score,
    /// Lowest score of 中; below is 差.
    pub grade_fair_min: Score,
    /// Self-evaluation weight of the execution rate (NAT-10).
    pub weight_execution: Score,
    /// Weight of output indicators.
    pub weight_output: Score,
    /// Weight of benefit indicators.
    pub weight_benefit: Score,
    /// Weight of satisfaction indicators.
    pub weight_satisfaction: Score,
    /// Key evaluation weight of 决策 (PM-10, NAT).
    pub key_weight_decision: Score,
    /// Key evaluation weight of 过程.
    pub key_weight_process: Score,
    /// Key evaluation weight of 产出.
    pub key_weight_output: Score,
    /// Key evaluation weight of 效益.
    pub key_weight_benefit: Score,
    /// Months at which dual monitoring is recorded (PM-9).
    pub monitoring_months: MonthList,
    /// Progress lagging time elapsed by this much shows yellow (PM-9).
    pub monitoring_yellow_gap: Rate,
    /// … and by this much red.
    pub monitoring_red_gap: Rate,
}

/// Every parameter of a jurisdiction for one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyProfile {
    pub calendar: Calendar,
    pub library: Library,
    pub review: Review,
    pub allocation: Allocation,
    pub special_funds: SpecialFunds,
    /// Execution and year end.
    pub execution: Execution,
    pub performance: Performance,
}

/// One parameter as the UI and API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamView {
    /// Dotted key, e.g. `allocation.cut_fair`.
    pub key: &'static str,
    /// Clause ids it implements.
    pub clause: &'static str,
    pub label: &'static str,
    /// Section heading in Chinese.
    pub section: &'static str,
    pub kind: ParamKind,
    /// Value as people read it; the edit form accepts it back.
    pub value: String,
    /// The value when it is a rate, for range checks.
    #[serde(skip)]
    pub rate: Option<Rate>,
}

/// Declares the parameter table once; generates the listing and the setter from it.
macro_rules! profile_parameters {
    ($( $section:ident . $field:ident => $clause:literal, $label:literal; )*) => {
        impl PolicyProfile {
            /// Every parameter with its clause, label and current value, in table order.
            pub fn parameters(&self) -> Vec<ParamView> {
                vec![$(
                    ParamView {
                        key: concat!(stringify!($section), ".", stringify!($field)),
                        clause: $clause,
                        label: $label,
                        section: section_label(stringify!($section)),
                        kind: kind_of(&self.$section.$field),
                        value: ParamValue::display(&self.$section.$field),
                        rate: ParamValue::as_rate(&self.$section.$field),
                    },
                )*]
            }

            /// Sets one parameter from what an administrator typed. The profile as a whole is
            /// checked by [`PolicyProfile::validate`] before it is saved.
            pub fn set_parameter(&mut self, key: &str, raw: &str) -> Result<(), Refusal> {
                match key {
                    $(
                        concat!(stringify!($section), ".", stringify!($field)) => {
                            self.$section.$field = ParamValue::parse_param(raw).map_err(|msg| {
                                Refusal::new("POLICY_PARAMETER_INVALID", format!("{}：{}", $label, msg))
                                    .field(key)
                                    .clause($clause)
                            })?;
                            Ok(())
                        }
                    )*
                    other => Err(Refusal::new(
                        "POLICY_PARAMETER_UNKNOWN",
                        format!("政策参数“{other}”不存在"),
                    )
                    .field(other)),
                }
            }
        }
    };
}

/// Puts every value of `top` over `base`, object by object.
fn overlay(base: &mut serde_json::Value, top: serde_json::Value) {
    match (base, top) {
        (serde_json::Value::Object(b), serde_json::Value::Object(t)) => {
            for (k, v) in t {
                match b.get_mut(&k) {
                    Some(slot) => overlay(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn kind_of<T: ParamValue>(_: &T) -> ParamKind {
    T::KIND
}

fn section_label(section: &str) -> &'static str {
    match section {
        "calendar" => "预算编制日历",
        "library" => "项目库管理",
        "review" => "审核论证",
        "allocation" => "预算安排",
        "special_funds" => "专项资金",
        "execution" => "预算执行与年终结算",
        _ => "预算绩效管理",
    }
}

profile_parameters! {
    calendar.reserve_start => "ZB-15b", "下年度项目储备启动日期（不晚于）";
    library.max_period_years => "ZB-5c", "项目执行期限上限（年）";
    library.pilot_max_period_years => "QJ-3c", "试点类项目执行期限上限（年）";
    library.cleanup_unfunded_years => "ZB-15c", "连续未安排预算即清理出库的年数";
    library.unassigned_reserve_cap => "ZB-2b", "待分资金规模上限（占项目支出比例）";
    library.contract_staff_yearly_reduction => "ZB-6c", "编外人员每年压缩比例";
    library.major_project_threshold => "ZB-13a", "重大项目金额标准（须事前绩效评估）";
    review.focused_if_execution_below => "ZB-5a", "上年执行率低于此值转重点审核";
    review.focused_if_adjustment_above => "ZB-5a", "上年调整率高于此值转重点审核";
    review.focused_if_findings_at_least => "ZB-5a", "监督检查、评价、审计问题达到此数转重点审核";
    review.ex_ante_weight_necessity => "ZB-13a", "事前评估权重：立项必要性";
    review.ex_ante_weight_economy => "ZB-13a", "事前评估权重：投入经济性";
    review.ex_ante_weight_targets => "ZB-13a", "事前评估权重：绩效目标合理性";
    review.ex_ante_weight_feasibility => "ZB-13a", "事前评估权重：实施方案可行性";
    review.ex_ante_weight_financing => "ZB-13a", "事前评估权重：筹资合规性";
    review.ex_ante_pass_score => "ZB-13a", "事前评估予以支持的最低分";
    allocation.tier_order => "ZB-3", "支出优先序";
    allocation.guarantee_order => "QJ-2c", "“三保”内部安排次序";
    allocation.marginal_policy => "ZB-3", "边际项目处理方式";
    allocation.cut_good => "QJ-5b", "上年评价“良”的压减比例";
    allocation.cut_fair => "CS-5b, QJ-5b", "上年评价“中”的压减比例";
    allocation.cut_poor => "CS-5b, QJ-5b", "上年评价“差”的压减比例";
    allocation.cancel_on_poor => "CS-5b", "上年评价“差”的直接取消";
    allocation.grade_cut_clause => "PM-13, CS-5b, QJ-5b", "评价结果压减所依据的条款";
    allocation.across_the_board_cut => "CS-2b", "重点专项在上年基础上统一压减比例";
    allocation.across_the_board_exempt_livelihood => "CS-2b", "涉及人的民生项目免于统一压减";
    allocation.factor_execution_below => "CS-5a", "“五个结合”：执行率低于此值压减";
    allocation.factor_execution_cut => "CS-5a", "“五个结合”：执行进度慢的压减比例";
    allocation.factor_detail_cut => "CS-5a", "“五个结合”：细化程度不足的压减比例";
    allocation.factor_stock_funds_offset => "CS-5a", "“五个结合”：存量资金抵减比例";
    allocation.factor_audit_cut => "CS-5a", "“五个结合”：审计问题未整改的压减比例";
    special_funds.max_period_years => "ZB-12, QJ-3b", "专项资金执行期限上限（年）";
    special_funds.one_per_department => "QJ-3b", "每个主管部门原则上只管理 1 个“大专项”";
    execution.penetrating_supervision_threshold => "ZX-2", "全流程穿透式监管的项目金额标准";
    execution.transfer_carryover_years => "QJ-4b", "上级转移支付结转资金结转年限";
    execution.project_carryover_years => "CS-6", "项目支出结转年限（超过即收回）";
    execution.idle_recovery_years => "ZX-3c", "连续未使用即收回的年数";
    execution.recover_basic_at_year_end => "QJ-4b, CS-6", "年终收回基本支出结余";
    execution.recover_project_at_year_end => "QJ-4b", "年终收回本级项目支出结余（上级转移支付除外）";
    execution.recover_three_public_at_year_end => "CS-6", "年终收回“三公”经费结余";
    execution.operating_residual_contracts_only => "ZB-6d", "运转类剩余资金除合同款外不再结转";
    execution.payments_within_plan => "ZX-4a", "支付不得超过当月用款计划余额";
    performance.grade_excellent_min => "NAT-10", "评价等级“优”的最低分";
    performance.grade_good_min => "NAT-10", "评价等级“良”的最低分";
    performance.grade_fair_min => "NAT-10", "评价等级“中”的最低分（以下为“差”）";
    performance.weight_execution => "NAT-10", "自评权重：预算执行率";
    performance.weight_output => "NAT-10", "自评权重：产出指标";
    performance.weight_benefit => "NAT-10", "自评权重：效益指标";
    performance.weight_satisfaction => "NAT-10", "自评权重：满意度指标";
    performance.key_weight_decision => "PM-10", "重点评价权重：决策";
    performance.key_weight_process => "PM-10", "重点评价权重：过程";
    performance.key_weight_output => "PM-10", "重点评价权重：产出";
    performance.key_weight_benefit => "PM-10", "重点评价权重：效益";
    performance.monitoring_months => "PM-9", "绩效运行监控时点";
    performance.monitoring_yellow_gap => "PM-9", "进度落后时间进度达此值亮黄灯";
    performance.monitoring_red_gap => "PM-9", "进度落后时间进度达此值亮红灯";
}

impl PolicyProfile {
    /// Reads a stored profile. A parameter added after the profile was saved is missing from
    /// its body; it takes the value of the preset the profile started from (the base for a
    /// profile of no known preset), so that an old 淄博区 year keeps QJ-4b's recovery and its
    /// QJ-5b label rather than a default that belongs to no document.
    pub fn from_stored(body: &str, preset_id: &str) -> Result<PolicyProfile, serde_json::Error> {
        let stored: serde_json::Value = serde_json::from_str(body)?;
        let from = presets::Preset::parse(preset_id)
            .map(preset)
            .unwrap_or_else(|_| preset(presets::Preset::LianyungangCity));
        let mut merged = serde_json::to_value(from)?;
        overlay(&mut merged, stored);
        serde_json::from_value(merged)
    }

    /// Checks the profile as a whole; the first problem comes back naming the parameter and its
    /// clause.
    pub fn validate(&self) -> Result<(), Refusal> {
        self.check_orders()?;
        self.check_rates()?;
        self.check_periods()?;
        self.check_thresholds()?;
        self.check_grade_bands()?;
        self.check_weights()?;
        self.check_ex_ante_pass()?;
        self.check_monitoring()
    }

    /// ZB-3: every tier exactly once; QJ-2c: the three guarantees each once.
    fn check_orders(&self) -> Result<(), Refusal> {
        let mut tiers = self.allocation.tier_order.clone();
        tiers.sort();
        tiers.dedup();
        if tiers.len() != self.allocation.tier_order.len() || tiers.len() != SpendingTier::ALL.len()
        {
            return bad(
                "allocation.tier_order",
                "ZB-3",
                "支出优先序须完整列出全部 6 个层级且不得重复".into(),
            );
        }
        let mut guarantees: Vec<&str> = self
            .allocation
            .guarantee_order
            .iter()
            .map(|g| g.as_str())
            .collect();
        guarantees.sort_unstable();
        guarantees.dedup();
        if guarantees.len() != self.allocation.guarantee_order.len() || guarantees.len() != 3 {
            return bad(
                "allocation.guarantee_order",
                "QJ-2c",
                "“三保”次序须列出保工资、保基本民生、保运转各一次".into(),
            );
        }
        Ok(())
    }

    /// Rates are shares of something: 0–100%.
    fn check_rates(&self) -> Result<(), Refusal> {
        for p in self.parameters() {
            if p.rate.is_some_and(|r| r > Rate::FULL) {
                return bad(p.key, p.clause, format!("{}应在 0–100% 之间", p.label));
            }
        }
        Ok(())
    }

    /// Periods are 1–50 years, and a pilot's no longer than an ordinary project's.
    fn check_periods(&self) -> Result<(), Refusal> {
        let positive = [
            (
                "library.max_period_years",
                "ZB-5c",
                self.library.max_period_years,
            ),
            (
                "library.pilot_max_period_years",
                "QJ-3c",
                self.library.pilot_max_period_years,
            ),
            (
                "library.cleanup_unfunded_years",
                "ZB-15c",
                self.library.cleanup_unfunded_years,
            ),
            (
                "special_funds.max_period_years",
                "ZB-12",
                self.special_funds.max_period_years,
            ),
            (
                "execution.transfer_carryover_years",
                "QJ-4b",
                self.execution.transfer_carryover_years,
            ),
            (
                "execution.project_carryover_years",
                "CS-6",
                self.execution.project_carryover_years,
            ),
            (
                "execution.idle_recovery_years",
                "ZX-3c",
                self.execution.idle_recovery_years,
            ),
        ];
        for (key, clause, value) in positive {
            if value.0 == 0 || value.0 > 50 {
                return bad(
                    key,
                    clause,
                    format!("年限应为 1–50 之间的整数（当前 {}）", value.0),
                );
            }
        }
        if self.library.pilot_max_period_years > self.library.max_period_years {
            return bad(
                "library.pilot_max_period_years",
                "QJ-3c",
                "试点类项目期限不得长于一般项目期限".into(),
            );
        }
        Ok(())
    }

    /// Amount thresholds are above zero.
    fn check_thresholds(&self) -> Result<(), Refusal> {
        for (key, clause, m) in [
            (
                "library.major_project_threshold",
                "ZB-13a",
                self.library.major_project_threshold,
            ),
            (
                "execution.penetrating_supervision_threshold",
                "ZX-2",
                self.execution.penetrating_supervision_threshold,
            ),
        ] {
            if m.fen() <= 0 {
                return bad(key, clause, "金额标准应大于零".into());
            }
        }
        Ok(())
    }

    /// NAT-10: grade bands descend within 0–100.
    fn check_grade_bands(&self) -> Result<(), Refusal> {
        let p = &self.performance;
        if !(p.grade_excellent_min > p.grade_good_min
            && p.grade_good_min > p.grade_fair_min
            && p.grade_fair_min > Score(0)
            && p.grade_excellent_min <= Score::points(100))
        {
            return bad(
                "performance.grade_excellent_min",
                "NAT-10",
                "评价等级分数线须满足 100 ≥ 优 > 良 > 中 > 0".into(),
            );
        }
        Ok(())
    }

    /// Weights of one scheme add up to 100: self-evaluation (NAT-10), key evaluation (PM-10)
    /// and the ex-ante assessment's five dimensions (ZB-13a).
    fn check_weights(&self) -> Result<(), Refusal> {
        let p = &self.performance;
        let weight_sets: [(&str, &'static str, &str, [Score; 4]); 2] = [
            (
                "performance.weight_execution",
                "NAT-10",
                "自评权重",
                [
                    p.weight_execution,
                    p.weight_output,
                    p.weight_benefit,
                    p.weight_satisfaction,
                ],
            ),
            (
                "performance.key_weight_decision",
                "PM-10",
                "重点评价权重",
                [
                    p.key_weight_decision,
                    p.key_weight_process,
                    p.key_weight_output,
                    p.key_weight_benefit,
                ],
            ),
        ];
        for (key, clause, label, weights) in weight_sets {
            let sum: u32 = weights.iter().map(|w| w.0).sum();
            if sum != Score::points(100).0 {
                return bad(
                    key,
                    clause,
                    format!("{label}之和须为 100（当前 {}）", Score(sum).display()),
                );
            }
        }
        let r = &self.review;
        let ex_ante: u32 = [
            r.ex_ante_weight_necessity,
            r.ex_ante_weight_economy,
            r.ex_ante_weight_targets,
            r.ex_ante_weight_feasibility,
            r.ex_ante_weight_financing,
        ]
        .iter()
        .map(|w| w.0)
        .sum();
        if ex_ante != Score::points(100).0 {
            return bad(
                "review.ex_ante_weight_necessity",
                "ZB-13a",
                format!(
                    "事前绩效评估五个维度权重之和须为 100（当前 {}）",
                    Score(ex_ante).display()
                ),
            );
        }
        Ok(())
    }

    /// ZB-13a: the ex-ante pass score is a score out of 100.
    fn check_ex_ante_pass(&self) -> Result<(), Refusal> {
        if self.review.ex_ante_pass_score > Score::points(100) {
            return bad(
                "review.ex_ante_pass_score",
                "ZB-13a",
                "予以支持的最低分不得超过 100".into(),
            );
        }
        Ok(())
    }

    /// PM-9: at least one monitoring checkpoint, and red further off than yellow.
    fn check_monitoring(&self) -> Result<(), Refusal> {
        let p = &self.performance;
        if p.monitoring_months.0.is_empty() {
            return bad(
                "performance.monitoring_months",
                "PM-9",
                "至少设定一个绩效运行监控时点".into(),
            );
        }
        if p.monitoring_red_gap <= p.monitoring_yellow_gap {
            return bad(
                "performance.monitoring_red_gap",
                "PM-9",
                "红灯偏差须大于黄灯偏差".into(),
            );
        }
        Ok(())
    }
}

/// A profile refused for one parameter, named with its clause.
fn bad(key: &str, clause: &'static str, msg: String) -> Result<(), Refusal> {
    Err(Refusal::new("POLICY_PROFILE_INVALID", msg)
        .field(key)
        .clause(clause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_lists_every_parameter_with_a_clause() {
        for p in Preset::ALL {
            let profile = preset(p);
            profile.validate().unwrap_or_else(|e| panic!("{p:?}: {e}"));
            let params = profile.parameters();
            assert!(params.len() >= 50);
            assert!(params.iter().all(|v| !v.clause.is_empty()));
        }
    }

    #[test]
    fn presets_carry_the_numbers_of_their_documents() {
        let cs = preset(Preset::CsCity);
        assert_eq!(cs.allocation.cut_fair, Rate::percent(20)); // CS-5b
        assert_eq!(cs.allocation.cut_poor, Rate::percent(50)); // CS-5b
        assert_eq!(cs.allocation.across_the_board_cut, Rate::percent(20)); // CS-2b
        let qj = preset(Preset::ZiboDistrict);
        assert_eq!(qj.allocation.cut_fair, Rate::percent(10)); // QJ-5b
        assert_eq!(qj.library.pilot_max_period_years, Count(3)); // QJ-3c
        assert_eq!(qj.execution.transfer_carryover_years, Count(1)); // QJ-4b
        let zx = preset(Preset::Zixing);
        assert_eq!(
            zx.library.contract_staff_yearly_reduction,
            Rate::percent(10)
        ); // ZX
        assert_eq!(
            zx.execution.penetrating_supervision_threshold,
            Money::from_yuan(500_000)
        ); // ZX-2
        assert_eq!(zx.execution.idle_recovery_years, Count(2)); // ZX-3c
        let lyg = preset(Preset::LianyungangCity);
        assert_eq!(lyg.library.max_period_years, Count(5)); // ZB-5c
        assert_eq!(lyg.calendar.reserve_start, MonthDay { month: 6, day: 30 }); // ZB-15b
    }

    #[test]
    fn zb_3_tier_order_must_be_complete() {
        let mut p = preset(Preset::LianyungangCity);
        let typo = p.set_parameter("allocation.tier_order", "三宝, debt_service");
        assert_eq!(typo.unwrap_err().code, "POLICY_PARAMETER_INVALID");
        p.set_parameter("allocation.tier_order", "three_guarantees,debt_service")
            .unwrap();
        let err = p.validate().unwrap_err();
        assert_eq!(err.clause, Some("ZB-3"));
        assert_eq!(err.field.as_deref(), Some("allocation.tier_order"));
    }

    #[test]
    fn nat_10_grade_bands_must_descend() {
        let mut p = preset(Preset::LianyungangCity);
        p.set_parameter("performance.grade_good_min", "95").unwrap();
        let err = p.validate().unwrap_err();
        assert_eq!(err.clause, Some("NAT-10"));
    }

    #[test]
    fn rates_must_lie_within_0_and_100_percent() {
        let mut p = preset(Preset::LianyungangCity);
        p.set_parameter("allocation.cut_fair", "120%").unwrap();
        let err = p.validate().unwrap_err();
        assert_eq!(err.field.as_deref(), Some("allocation.cut_fair"));
        assert_eq!(err.clause, Some("CS-5b, QJ-5b"));
    }

    #[test]
    fn limits_must_be_positive_and_weights_add_to_100() {
        let mut p = preset(Preset::LianyungangCity);
        p.set_parameter("library.max_period_years", "0").unwrap();
        assert_eq!(p.validate().unwrap_err().clause, Some("ZB-5c"));
        let mut p = preset(Preset::LianyungangCity);
        p.set_parameter("performance.weight_output", "40").unwrap();
        assert_eq!(p.validate().unwrap_err().clause, Some("NAT-10"));
    }

    #[test]
    fn unknown_and_malformed_parameters_are_refused() {
        let mut p = preset(Preset::LianyungangCity);
        assert_eq!(
            p.set_parameter("nope.nope", "1").unwrap_err().code,
            "POLICY_PARAMETER_UNKNOWN"
        );
        let err = p
            .set_parameter("allocation.cut_fair", "twenty")
            .unwrap_err();
        assert_eq!(err.code, "POLICY_PARAMETER_INVALID");
        assert_eq!(err.clause, Some("CS-5b, QJ-5b"));
    }

    #[test]
    fn every_displayed_value_can_be_set_back() {
        let original = preset(Preset::ZiboDistrict);
        let mut copy = preset(Preset::LianyungangCity);
        for view in original.parameters() {
            copy.set_parameter(view.key, &view.value).unwrap();
        }
        assert_eq!(copy, original);
    }
}

#[cfg(test)]
mod doc_tests {
    use super::*;

    #[test]
    fn every_parameter_is_documented() {
        let doc = include_str!("../../../../../docs/POLICY-PROFILES.md");
        for p in preset(Preset::LianyungangCity).parameters() {
            assert!(
                doc.contains(&format!("`{}`", p.key)),
                "docs/POLICY-PROFILES.md lacks {}",
                p.key
            );
        }
    }
}
