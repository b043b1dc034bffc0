//! Performance target tables (绩效目标表, PM-7): an overall goal and indicators in the national
//! frame 产出 (数量/质量/时效/成本), 效益 (经济/社会/生态/可持续影响), 满意度.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Refusal;

labelled! {
    /// Second-level indicator category; the first level follows from it.
    IndicatorCategory: refuse("INDICATOR_CATEGORY_UNKNOWN", "指标类别") {
        /// 产出：数量
        Quantity = "quantity" / "数量指标",
        /// 产出：质量
        Quality = "quality" / "质量指标",
        /// 产出：时效
        Timeliness = "timeliness" / "时效指标",
        /// 产出：成本
        Cost = "cost" / "成本指标",
        /// 效益：经济
        Economic = "economic" / "经济效益指标",
        /// 效益：社会
        Social = "social" / "社会效益指标",
        /// 效益：生态
        Ecological = "ecological" / "生态效益指标",
        /// 效益：可持续影响
        Sustainable = "sustainable" / "可持续影响指标",
        /// 满意度
        Satisfaction = "satisfaction" / "服务对象满意度指标",
    }
}

/// First level of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorLevel {
    /// 产出指标
    Output,
    /// 效益指标
    Benefit,
    /// 满意度指标
    Satisfaction,
}

impl IndicatorCategory {
    /// The first-level indicator this category belongs to.
    pub fn level(self) -> IndicatorLevel {
        use IndicatorCategory::*;
        match self {
            Quantity | Quality | Timeliness | Cost => IndicatorLevel::Output,
            Economic | Social | Ecological | Sustainable => IndicatorLevel::Benefit,
            Satisfaction => IndicatorLevel::Satisfaction,
        }
    }
}

labelled! {
    /// How an actual value is compared with the target.
    Comparator: refuse("COMPARATOR_UNKNOWN", "指标值比较方式") {
        /// ≥
        #[serde(alias = "at_least")]
        AtLeast = "ge" / "≥",
        /// ≤
        #[serde(alias = "at_most")]
        AtMost = "le" / "≤",
        /// =
        #[serde(alias = "equal")]
        Equal = "eq" / "=",
        Qualitative = "qualitative" / "定性",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub category: IndicatorCategory,
    /// Name, e.g. 培训教师人次.
    pub name: String,
    pub comparator: Comparator,
    /// Target value: a number for ≥ ≤ =, words for 定性.
    pub target_value: String,
    /// Unit of the value, e.g. 人次; empty for 定性.
    pub unit: String,
}

impl Indicator {
    /// True for ≥ ≤ = indicators.
    pub fn is_quantitative(&self) -> bool {
        self.comparator != Comparator::Qualitative
    }

    /// The target as a table shows it: "≥3000人次", or the words of a qualitative one.
    pub fn target_text(&self) -> String {
        if self.is_quantitative() {
            format!(
                "{}{}{}",
                self.comparator.label(),
                self.target_value,
                self.unit
            )
        } else {
            self.target_value.clone()
        }
    }

    /// The numeric target of a quantitative indicator.
    pub fn target_number(&self) -> Option<Decimal> {
        self.is_quantitative()
            .then(|| self.target_value.trim().trim_end_matches('%').parse().ok())
            .flatten()
    }
}

/// A target table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetTable {
    /// 总体目标.
    pub overall_goal: String,
    pub indicators: Vec<Indicator>,
}

impl TargetTable {
    /// Checks each indicator: a name, a number and a unit for quantitative ones, words for
    /// qualitative ones (PM-7). Every problem is reported with its row.
    pub fn check_rows(&self) -> Vec<Refusal> {
        let mut out = Vec::new();
        for (i, ind) in self.indicators.iter().enumerate() {
            let row = format!("indicators[{i}]");
            if ind.name.trim().is_empty() {
                out.push(
                    Refusal::new(
                        "INDICATOR_NAME_MISSING",
                        format!("第 {} 个指标缺少名称", i + 1),
                    )
                    .field(format!("{row}.name"))
                    .clause("PM-7"),
                );
            }
            if ind.is_quantitative() {
                if ind.target_number().is_none() {
                    out.push(
                        Refusal::new(
                            "INDICATOR_VALUE_NOT_NUMBER",
                            format!("指标“{}”为定量指标，指标值须为数字", ind.name),
                        )
                        .field(format!("{row}.target_value"))
                        .clause("PM-7"),
                    );
                }
                if ind.unit.trim().is_empty() {
                    out.push(
                        Refusal::new(
                            "INDICATOR_UNIT_MISSING",
                            format!("指标“{}”缺少计量单位", ind.name),
                        )
                        .field(format!("{row}.unit"))
                        .clause("PM-7"),
                    );
                }
            } else if ind.target_value.trim().is_empty() {
                out.push(
                    Refusal::new(
                        "INDICATOR_VALUE_MISSING",
                        format!("定性指标“{}”须写明目标", ind.name),
                    )
                    .field(format!("{row}.target_value"))
                    .clause("PM-7"),
                );
            }
        }
        out
    }

    /// True when it has a quantitative output indicator.
    pub fn has_quantitative_output(&self) -> bool {
        self.indicators
            .iter()
            .any(|i| i.category.level() == IndicatorLevel::Output && i.is_quantitative())
    }

    /// True when it has a benefit indicator.
    pub fn has_benefit(&self) -> bool {
        self.indicators
            .iter()
            .any(|i| i.category.level() == IndicatorLevel::Benefit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn indicator(
        category: IndicatorCategory,
        comparator: Comparator,
        value: &str,
        unit: &str,
    ) -> Indicator {
        Indicator {
            category,
            name: "培训教师人次".into(),
            comparator,
            target_value: value.into(),
            unit: unit.into(),
        }
    }

    #[test]
    fn pm_7_quantitative_indicators_need_a_number_and_a_unit() {
        let t = TargetTable {
            overall_goal: "提升教师能力".into(),
            indicators: vec![
                indicator(
                    IndicatorCategory::Quantity,
                    Comparator::AtLeast,
                    "一千",
                    "人次",
                ),
                indicator(IndicatorCategory::Quality, Comparator::AtLeast, "95%", ""),
                indicator(IndicatorCategory::Social, Comparator::Qualitative, "", ""),
            ],
        };
        let codes: Vec<_> = t
            .check_rows()
            .iter()
            .map(|r| (r.code, r.field.clone().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                (
                    "INDICATOR_VALUE_NOT_NUMBER",
                    "indicators[0].target_value".to_string()
                ),
                ("INDICATOR_UNIT_MISSING", "indicators[1].unit".to_string()),
                (
                    "INDICATOR_VALUE_MISSING",
                    "indicators[2].target_value".to_string()
                ),
            ]
        );
    }

    #[test]
    fn pm_7_the_frame_puts_each_category_under_its_level() {
        assert_eq!(IndicatorCategory::Cost.level(), IndicatorLevel::Output);
        assert_eq!(
            IndicatorCategory::Sustainable.level(),
            IndicatorLevel::Benefit
        );
        assert_eq!(Comparator::parse("≥").unwrap(), Comparator::AtLeast);
    }
}
