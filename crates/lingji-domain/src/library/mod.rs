//! Projects of the budget library (项目库): every element ZB-15a asks for, the lifecycle, cost
//! lines against expenditure standards, performance targets and the admission checks.

pub mod admission;
pub mod cost;
pub mod lifecycle;
pub mod targets;
pub mod tier;

use serde::{Deserialize, Serialize};

use crate::money::Money;

pub use lifecycle::ProjectState;

labelled! {
    /// 项目类别 (NAT): 人员类 / 运转类 (公用经费, 其他运转类) / 特定目标类.
    ProjectKind: refuse("PROJECT_KIND_UNKNOWN", "项目类别") {
        Personnel = "personnel" / "人员类",
        /// 运转类：公用经费
        PublicExpense = "public_expense" / "公用经费",
        /// 运转类：其他运转类
        OtherOperating = "other_operating" / "其他运转类",
        SpecificPurpose = "specific_purpose" / "特定目标类",
    }
}

labelled! {
    /// 事项分类 (ZB-2a): five classes, "other" split into its three subclasses.
    MatterClass: refuse("MATTER_CLASS_UNKNOWN", "事项分类") {
        Risk = "risk" / "防范化解风险",
        PublicService = "public_service" / "公共服务",
        IndustrySupport = "industry_support" / "产业扶持",
        GovInvestment = "gov_investment" / "政府投资",
        /// 其他：城市运转保障
        CityOperation = "city_operation" / "城市运转保障",
        /// 其他：信息化建设和运维
        It = "it" / "信息化建设和运维",
        /// 其他：其他
        Misc = "misc" / "其他",
    }
}

/// Features of a project that later gates use (ZB-5e, ZB-2c, ZB-2d, ZB-8, ZB-6a, CS-2a, ZB-12).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Features {
    /// 培训 (organisation department reviews, ZB-5e).
    pub training: bool,
    /// 信息化 (data bureau reviews, ZB-2e).
    pub it: bool,
    /// 政府投资 (development and reform reviews, fiscal capacity, ZB-2c).
    pub government_investment: bool,
    /// 政府购买服务 (ZB-8).
    pub purchase_of_services: bool,
    /// 节庆论坛展会 (ZB-6a).
    pub event: bool,
    /// 可由产业基金支持 (ZB-2d: no budget money).
    pub industry_fund_eligible: bool,
    /// 大事要事保障清单事项 (CS-2a, ZX-1).
    pub key_matters_item: bool,
    /// 专项资金 (ZB-12).
    pub special_fund: bool,
}

/// 政策依据.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyBasis {
    pub title: String,
    /// Document number, e.g. 连政发〔2024〕119号.
    pub number: String,
    /// Date the policy expires, if it does (ZB-5d).
    pub expires_on: Option<chrono::NaiveDate>,
}

/// 实施期限.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start_year: i32,
    pub end_year: i32,
    /// 试点类 (QJ-3c).
    pub pilot: bool,
}

impl Period {
    /// Number of years, counting both ends.
    pub fn years(&self) -> i32 {
        self.end_year - self.start_year + 1
    }

    /// True when it spans more than one year (QJ-2b applies).
    pub fn is_multi_year(&self) -> bool {
        self.end_year > self.start_year
    }
}

/// One year of a multi-year plan (CS-4, QJ-2b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearNeed {
    pub year: i32,
    /// Money needed that year.
    pub amount: Money,
}

/// A project code: 区划 (6) + year (4) + department (3) + serial (5), 18 digits, e.g.
/// `329900` `2026` `101` `00001` → `329900202610100001`.
pub fn project_code(region: &str, year: i32, department: &str, serial: u32) -> String {
    format!("{region}{year:04}{department}{serial:05}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zb_2a_matter_classes_and_project_kinds_parse_from_chinese() {
        assert_eq!(
            MatterClass::parse("信息化建设和运维").unwrap(),
            MatterClass::It
        );
        assert_eq!(
            MatterClass::parse("gov_investment").unwrap(),
            MatterClass::GovInvestment
        );
        assert_eq!(
            MatterClass::parse("别的").unwrap_err().code,
            "MATTER_CLASS_UNKNOWN"
        );
        assert_eq!(
            ProjectKind::parse("特定目标类").unwrap(),
            ProjectKind::SpecificPurpose
        );
        assert_eq!(MatterClass::ALL.len(), 7);
    }

    #[test]
    fn project_codes_follow_the_documented_format() {
        assert_eq!(project_code("329900", 2026, "101", 1), "329900202610100001");
        assert_eq!(project_code("329900", 2026, "101", 1).len(), 18);
    }
}
