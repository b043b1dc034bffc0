//! Levels of jurisdiction: a province (省) holds cities (市) and counties (县), one deployment
//! serving them all. The level is read off the national 区划 code (GB/T 2260): `430000` a
//! province, `431000` a city, `431081` a county (资兴). An upper jurisdiction reads the ones
//! below it and never writes into them (`authz::Actor::authorize`).

use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::foundation::codes::RegionCode;

labelled! {
    /// Which level of government a jurisdiction is.
    JurisdictionLevel: custom {
        Province = "province" / "省级",
        City = "city" / "市级",
        County = "county" / "县级",
    }
}

impl JurisdictionLevel {
    /// The level of a 区划 code: `xx0000` a province, `xxxx00` a city, anything else a county
    /// (a county-level city or district).
    pub fn of(region: &RegionCode) -> JurisdictionLevel {
        let code = region.as_str();
        if code.ends_with("0000") {
            JurisdictionLevel::Province
        } else if code.ends_with("00") {
            JurisdictionLevel::City
        } else {
            JurisdictionLevel::County
        }
    }

    /// How many leading digits of the code name this jurisdiction's area: what every code
    /// below it starts with.
    fn prefix_len(self) -> usize {
        match self {
            JurisdictionLevel::Province => 2,
            JurisdictionLevel::City => 4,
            JurisdictionLevel::County => 6,
        }
    }
}

/// Checks that `upper` may hold `lower`: a higher level whose area contains the lower code (a
/// county sits under its city, or directly under its province where the province governs it
/// directly, 省直管县).
pub fn check_upper(lower: &RegionCode, upper: &RegionCode) -> Result<(), Refusal> {
    let (l, u) = (JurisdictionLevel::of(lower), JurisdictionLevel::of(upper));
    let higher = matches!(
        (u, l),
        (JurisdictionLevel::Province, JurisdictionLevel::City)
            | (JurisdictionLevel::Province, JurisdictionLevel::County)
            | (JurisdictionLevel::City, JurisdictionLevel::County)
    );
    if !higher {
        return Err(Refusal::new(
            "JURISDICTION_LEVEL_INVALID",
            format!(
                "{}（{}）不能隶属于 {}（{}）：上级区划须比下级高一级或两级",
                lower.as_str(),
                l.label(),
                upper.as_str(),
                u.label()
            ),
        )
        .field("parent"));
    }
    let n = u.prefix_len();
    if lower.as_str()[..n] != upper.as_str()[..n] {
        return Err(Refusal::new(
            "JURISDICTION_OUTSIDE_UPPER",
            format!(
                "区划代码 {} 不在上级区划 {} 的范围内（应以 {} 开头）",
                lower.as_str(),
                upper.as_str(),
                &upper.as_str()[..n]
            ),
        )
        .field("parent"));
    }
    Ok(())
}

/// A jurisdiction in the tree of one deployment, as an upper one sees those below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JurisdictionNode {
    pub id: i64,
    pub region: String,
    pub name: String,
    pub level: JurisdictionLevel,
    /// The jurisdiction directly above, if any.
    pub upper: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_level_is_read_off_the_region_code() {
        assert_eq!(
            JurisdictionLevel::of(&code("430000")),
            JurisdictionLevel::Province
        );
        assert_eq!(
            JurisdictionLevel::of(&code("431000")),
            JurisdictionLevel::City
        );
        assert_eq!(
            JurisdictionLevel::of(&code("431081")),
            JurisdictionLevel::County
        );
    }

    #[test]
    fn a_county_sits_under_its_city_or_directly_under_its_province() {
        assert!(check_upper(&code("431081"), &code("431000")).is_ok());
        assert!(check_upper(&code("431081"), &code("430000")).is_ok());
        assert!(check_upper(&code("431000"), &code("430000")).is_ok());
    }

    #[test]
    fn an_upper_must_be_higher_and_contain_the_lower() {
        let same = check_upper(&code("431000"), &code("432000")).unwrap_err();
        assert_eq!(same.code, "JURISDICTION_LEVEL_INVALID");
        assert_eq!(same.field.as_deref(), Some("parent"));
        let upside = check_upper(&code("430000"), &code("431000")).unwrap_err();
        assert_eq!(upside.code, "JURISDICTION_LEVEL_INVALID");
        let elsewhere = check_upper(&code("320703"), &code("431000")).unwrap_err();
        assert_eq!(elsewhere.code, "JURISDICTION_OUTSIDE_UPPER");
        assert!(elsewhere.message.contains("4310"));
        let other_province = check_upper(&code("320700"), &code("430000")).unwrap_err();
        assert_eq!(other_province.code, "JURISDICTION_OUTSIDE_UPPER");
    }
}
