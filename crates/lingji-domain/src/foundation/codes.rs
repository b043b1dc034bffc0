//! Parsed code newtypes: 政府收支分类科目 function and economic codes, fiscal years, 区划 codes.
//!
//! A value of these types is well formed by construction ("parse, don't validate"); whether a
//! code exists in the official table of a year is the code table's business (`code_table`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

labelled! {
    /// Level of a function classification code: 类 (3 digits), 款 (5), 项 (7).
    #[derive(PartialOrd, Ord)]
    FunctionLevel {
        Class = "class" / "类",
        Section = "section" / "款",
        Item = "item" / "项",
    }
}

/// 支出功能分类科目: 3 digits (类), 5 (款) or 7 (项), e.g. `2010101` 行政运行 under `20101`
/// 人大事务 under `201` 一般公共服务支出. Budgets are made at 项 level (ZB-15d).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FunctionCode(String);

impl FunctionCode {
    /// Parses a 3-, 5- or 7-digit code.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        if all_digits(s) && matches!(s.len(), 3 | 5 | 7) {
            Ok(FunctionCode(s.to_string()))
        } else {
            Err(Refusal::new(
                "FUNCTION_CODE_MALFORMED",
                format!(
                    "支出功能分类科目“{s}”格式不正确，应为 3 位（类）、5 位（款）或 7 位（项）数字"
                ),
            ))
        }
    }

    /// Parses a code that must be at 项 level, as every budgeted project needs (ZB-15d).
    pub fn parse_item(s: &str) -> Result<Self, Refusal> {
        let code = Self::parse(s)?;
        if code.level() != FunctionLevel::Item {
            return Err(Refusal::new(
                "FUNCTION_CODE_NOT_ITEM",
                format!("支出功能分类科目“{code}”须编列到“项”级（7 位）"),
            )
            .clause("ZB-15d"));
        }
        Ok(code)
    }

    /// 类, 款 or 项.
    pub fn level(&self) -> FunctionLevel {
        match self.0.len() {
            3 => FunctionLevel::Class,
            5 => FunctionLevel::Section,
            _ => FunctionLevel::Item,
        }
    }

    /// The code one level up (`2010101` → `20101` → `201`), none for a 类.
    pub fn parent(&self) -> Option<FunctionCode> {
        match self.0.len() {
            7 => Some(FunctionCode(self.0[..5].to_string())),
            5 => Some(FunctionCode(self.0[..3].to_string())),
            _ => None,
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

labelled! {
    /// Which economic classification a code belongs to.
    EconomicSet: custom {
        /// 部门预算支出经济分类 (3xx).
        Department = "department" / "部门预算支出经济分类",
        /// 政府预算支出经济分类 (5xx).
        Government = "government" / "政府预算支出经济分类",
    }
}

impl EconomicSet {
    /// Parses `department` / `government` (or 部门 / 政府).
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        match s.trim() {
            "department" | "部门" | "3" => Ok(EconomicSet::Department),
            "government" | "政府" | "5" => Ok(EconomicSet::Government),
            other => Err(Refusal::new(
                "ECONOMIC_SET_UNKNOWN",
                format!("经济分类体系“{other}”未知，应为 department（部门）或 government（政府）"),
            )),
        }
    }
}

/// 支出经济分类科目: 3 digits (类) or 5 (款); 部门 codes start with 3, 政府 codes with 5.
/// Budgets are made at 款 level (ZB-15d).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EconomicCode(String);

impl EconomicCode {
    /// Parses a 3- or 5-digit code of either set.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        if all_digits(s) && matches!(s.len(), 3 | 5) && matches!(&s[..1], "3" | "5") {
            Ok(EconomicCode(s.to_string()))
        } else {
            Err(Refusal::new(
                "ECONOMIC_CODE_MALFORMED",
                format!(
                    "支出经济分类科目“{s}”格式不正确，应为 3 位（类）或 5 位（款）数字，部门分类以 3 开头、政府分类以 5 开头"
                ),
            ))
        }
    }

    /// Parses a code that must be at 款 level in the given set (ZB-15d).
    pub fn parse_section(s: &str, set: EconomicSet) -> Result<Self, Refusal> {
        let code = Self::parse(s)?;
        if code.set() != set {
            return Err(Refusal::new(
                "ECONOMIC_CODE_WRONG_SET",
                format!("“{code}”不属于{}", set.label()),
            ));
        }
        if !code.is_section() {
            return Err(Refusal::new(
                "ECONOMIC_CODE_NOT_SECTION",
                format!("支出经济分类科目“{code}”须编列到“款”级（5 位）"),
            )
            .clause("ZB-15d"));
        }
        Ok(code)
    }

    /// 部门 (3xx) or 政府 (5xx).
    pub fn set(&self) -> EconomicSet {
        if self.0.starts_with('3') {
            EconomicSet::Department
        } else {
            EconomicSet::Government
        }
    }

    /// True for a 5-digit 款.
    pub fn is_section(&self) -> bool {
        self.0.len() == 5
    }

    /// The 类 of a 款, none for a 类.
    pub fn parent(&self) -> Option<EconomicCode> {
        (self.0.len() == 5).then(|| EconomicCode(self.0[..3].to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $t {
            type Error = Refusal;
            fn try_from(s: String) -> Result<Self, Refusal> {
                <$t>::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(c: $t) -> String {
                c.0
            }
        }
    };
}
string_newtype_impls!(FunctionCode);
string_newtype_impls!(EconomicCode);
string_newtype_impls!(RegionCode);

/// 行政区划代码: six digits, e.g. `320700` 连云港市.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses six digits.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        if all_digits(s) && s.len() == 6 {
            Ok(RegionCode(s.to_string()))
        } else {
            Err(Refusal::new(
                "REGION_CODE_MALFORMED",
                format!("行政区划代码“{s}”应为 6 位数字"),
            ))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fiscal year (财政年度), the calendar year in China.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct FiscalYear(i32);

impl FiscalYear {
    /// Years the system accepts.
    pub const RANGE: std::ops::RangeInclusive<i32> = 2000..=2100;

    /// A year within [`FiscalYear::RANGE`].
    pub fn new(year: i32) -> Result<Self, Refusal> {
        if Self::RANGE.contains(&year) {
            Ok(FiscalYear(year))
        } else {
            Err(Refusal::new(
                "FISCAL_YEAR_OUT_OF_RANGE",
                format!("财政年度 {year} 不在 2000–2100 之间"),
            ))
        }
    }

    /// Parses `2026` or `2026年`.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let t = s.trim().trim_end_matches('年');
        let year: i32 = t.parse().map_err(|_| {
            Refusal::new("FISCAL_YEAR_MALFORMED", format!("财政年度“{s}”格式不正确"))
        })?;
        Self::new(year)
    }

    /// The year as a number.
    pub fn value(self) -> i32 {
        self.0
    }

    /// The year before.
    pub fn previous(self) -> FiscalYear {
        FiscalYear(self.0 - 1)
    }

    /// The year after.
    pub fn next(self) -> FiscalYear {
        FiscalYear(self.0 + 1)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<i32> for FiscalYear {
    type Error = Refusal;
    fn try_from(y: i32) -> Result<Self, Refusal> {
        FiscalYear::new(y)
    }
}

impl From<FiscalYear> for i32 {
    fn from(y: FiscalYear) -> i32 {
        y.0
    }
}

labelled! {
    /// Which classification code table (the API's `kind` of a table).
    CodeKind: custom {
        /// 支出功能分类科目.
        Function = "function" / "功能分类",
        /// 支出经济分类科目 (部门 and 政府, with the crosswalk).
        Economic = "economic" / "经济分类",
    }
}

impl CodeKind {
    /// Parses `function` / `economic`.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        match s.trim() {
            "function" | "功能分类" => Ok(CodeKind::Function),
            "economic" | "经济分类" => Ok(CodeKind::Economic),
            other => Err(Refusal::new(
                "CODE_KIND_UNKNOWN",
                format!("代码表类别“{other}”未知，应为 function 或 economic"),
            )
            .field("kind")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_code_hierarchy() {
        let c = FunctionCode::parse("2010101").unwrap();
        assert_eq!(c.level(), FunctionLevel::Item);
        assert_eq!(c.parent().unwrap().as_str(), "20101");
        assert_eq!(c.parent().unwrap().parent().unwrap().as_str(), "201");
        assert_eq!(c.parent().unwrap().parent().unwrap().parent(), None);
        for bad in ["", "20", "2010", "201010a", "20101011"] {
            assert_eq!(
                FunctionCode::parse(bad).unwrap_err().code,
                "FUNCTION_CODE_MALFORMED"
            );
        }
    }

    #[test]
    fn zb_15d_budgets_use_item_and_section_level_codes() {
        let err = FunctionCode::parse_item("20101").unwrap_err();
        assert_eq!(
            (err.code, err.clause),
            ("FUNCTION_CODE_NOT_ITEM", Some("ZB-15d"))
        );
        let err = EconomicCode::parse_section("302", EconomicSet::Department).unwrap_err();
        assert_eq!(
            (err.code, err.clause),
            ("ECONOMIC_CODE_NOT_SECTION", Some("ZB-15d"))
        );
        assert!(EconomicCode::parse_section("30201", EconomicSet::Department).is_ok());
        assert_eq!(
            EconomicCode::parse_section("50201", EconomicSet::Department)
                .unwrap_err()
                .code,
            "ECONOMIC_CODE_WRONG_SET"
        );
    }

    #[test]
    fn economic_code_sets() {
        assert_eq!(
            EconomicCode::parse("30201").unwrap().set(),
            EconomicSet::Department
        );
        assert_eq!(
            EconomicCode::parse("50201").unwrap().set(),
            EconomicSet::Government
        );
        assert_eq!(
            EconomicCode::parse("40201").unwrap_err().code,
            "ECONOMIC_CODE_MALFORMED"
        );
        assert_eq!(
            EconomicCode::parse("30201")
                .unwrap()
                .parent()
                .unwrap()
                .as_str(),
            "302"
        );
    }

    #[test]
    fn fiscal_year_and_region() {
        assert_eq!(FiscalYear::parse("2026年").unwrap().value(), 2026);
        assert_eq!(
            FiscalYear::parse("1999").unwrap_err().code,
            "FISCAL_YEAR_OUT_OF_RANGE"
        );
        assert_eq!(
            RegionCode::parse("3207").unwrap_err().code,
            "REGION_CODE_MALFORMED"
        );
    }
}
