//! 支出优先序: the spending tiers of the zero-based waterfall (ZB-3) and the order inside the
//! three guarantees (QJ-2c).

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

labelled! {
    /// A spending tier (ZB-3).
    #[derive(PartialOrd, Ord)]
    SpendingTier: custom {
        /// "三保": wages, basic livelihood, operations.
        ThreeGuarantees = "three_guarantees" / "“三保”支出",
        DebtService = "debt_service" / "政府债务还本付息",
        /// 市委市政府年度重点保障事项 (大事要事保障清单, CS-2a, ZX-1)
        KeyPriorities = "key_priorities" / "重点保障事项",
        Mandatory = "mandatory" / "部门必须开展的专项业务",
        GeneralDevelopment = "general_development" / "一般事业发展",
        /// 其他
        Other = "other" / "其他支出",
    }
}

impl SpendingTier {
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

labelled! {
    /// The three guarantees ("三保"), ordered by the profile (QJ-2c).
    Guarantee: custom {
        Wages = "wages" / "保工资",
        Livelihood = "livelihood" / "保基本民生",
        Operations = "operations" / "保运转",
    }
}

impl Guarantee {
    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        Guarantee::ALL
            .into_iter()
            .find(|g| g.as_str() == s || g.label() == s)
            .ok_or_else(|| Refusal::new("GUARANTEE_UNKNOWN", format!("“三保”事项“{s}”未知")))
    }
}
