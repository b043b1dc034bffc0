//! 支出优先序: the spending tiers of the zero-based waterfall (ZB-3) and the order inside the
//! three guarantees (QJ-2c).

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

/// A spending tier (ZB-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendingTier {
    /// "三保": wages, basic livelihood, operations.
    ThreeGuarantees,
    /// 政府债务还本付息
    DebtService,
    /// 市委市政府年度重点保障事项 (大事要事保障清单, CS-2a, ZX-1)
    KeyPriorities,
    /// 部门必须开展的专项业务
    Mandatory,
    /// 一般事业发展
    GeneralDevelopment,
    /// 其他
    Other,
}

impl SpendingTier {
    /// Every tier, in the order ZB-3 gives.
    pub const ALL: [SpendingTier; 6] = [
        SpendingTier::ThreeGuarantees,
        SpendingTier::DebtService,
        SpendingTier::KeyPriorities,
        SpendingTier::Mandatory,
        SpendingTier::GeneralDevelopment,
        SpendingTier::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SpendingTier::ThreeGuarantees => "three_guarantees",
            SpendingTier::DebtService => "debt_service",
            SpendingTier::KeyPriorities => "key_priorities",
            SpendingTier::Mandatory => "mandatory",
            SpendingTier::GeneralDevelopment => "general_development",
            SpendingTier::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SpendingTier::ThreeGuarantees => "“三保”支出",
            SpendingTier::DebtService => "政府债务还本付息",
            SpendingTier::KeyPriorities => "重点保障事项",
            SpendingTier::Mandatory => "部门必须开展的专项业务",
            SpendingTier::GeneralDevelopment => "一般事业发展",
            SpendingTier::Other => "其他支出",
        }
    }

    /// Parses the identifier or the Chinese name, with or without quotes and a trailing 支出
    /// (`三保`, `“三保”支出` and `three_guarantees` are one tier).
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        fn norm(s: &str) -> String {
            let t: String = s
                .trim()
                .chars()
                .filter(|c| !matches!(c, '“' | '”' | '"'))
                .collect();
            t.strip_suffix("支出").map(str::to_string).unwrap_or(t)
        }
        let wanted = norm(s);
        SpendingTier::ALL
            .into_iter()
            .find(|t| t.as_str() == wanted || norm(t.label()) == wanted)
            .ok_or_else(|| {
                Refusal::new(
                    "SPENDING_TIER_UNKNOWN",
                    format!("支出层级“{}”未知，应为：三保、政府债务还本付息、重点保障事项、部门必须开展的专项业务、一般事业发展、其他", s.trim()),
                )
            })
    }
}

labelled!(SpendingTier, Guarantee);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_parse_as_people_write_them() {
        for t in ["三保", "“三保”支出", "three_guarantees"] {
            assert_eq!(
                SpendingTier::parse(t).unwrap(),
                SpendingTier::ThreeGuarantees
            );
        }
        assert_eq!(SpendingTier::parse("其他").unwrap(), SpendingTier::Other);
        assert_eq!(
            SpendingTier::parse("其它事").unwrap_err().code,
            "SPENDING_TIER_UNKNOWN"
        );
    }
}

/// The three guarantees ("三保"), ordered by the profile (QJ-2c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarantee {
    /// 保工资
    Wages,
    /// 保基本民生
    Livelihood,
    /// 保运转
    Operations,
}

impl Guarantee {
    /// Every guarantee, in QJ-2c's order.
    pub const ALL: [Guarantee; 3] = [
        Guarantee::Wages,
        Guarantee::Livelihood,
        Guarantee::Operations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Guarantee::Wages => "wages",
            Guarantee::Livelihood => "livelihood",
            Guarantee::Operations => "operations",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Guarantee::Wages => "保工资",
            Guarantee::Livelihood => "保基本民生",
            Guarantee::Operations => "保运转",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        Guarantee::ALL
            .into_iter()
            .find(|g| g.as_str() == s || g.label() == s)
            .ok_or_else(|| Refusal::new("GUARANTEE_UNKNOWN", format!("“三保”事项“{s}”未知")))
    }
}
