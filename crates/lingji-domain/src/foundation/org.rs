//! Organisations: a jurisdiction (区划) → departments (主管部门) → budget units (预算单位).

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

labelled! {
    /// Which level of the tree an organisation is.
    OrgKind: custom {
        /// 区划: a city or district government and its finance bureau.
        Jurisdiction = "jurisdiction" / "区划",
        Department = "department" / "主管部门",
        Unit = "unit" / "预算单位",
    }
}

impl OrgKind {
    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        match s {
            "jurisdiction" => Ok(OrgKind::Jurisdiction),
            "department" => Ok(OrgKind::Department),
            "unit" => Ok(OrgKind::Unit),
            other => Err(Refusal::new(
                "ORG_KIND_UNKNOWN",
                format!("组织类型“{other}”未知"),
            )),
        }
    }
}

labelled! {
    /// 单位类型: decides which standards apply and which purchase-of-service rules bind (ZB-8).
    UnitKind: custom {
        Administrative = "administrative" / "行政单位",
        /// 参照公务员法管理事业单位
        CivilServiceManaged = "civil_service_managed" / "参公事业单位",
        /// 公益一类事业单位
        #[serde(alias = "public_welfare1")]
        PublicWelfare1 = "public_welfare_1" / "公益一类事业单位",
        /// 公益二类事业单位
        #[serde(alias = "public_welfare2")]
        PublicWelfare2 = "public_welfare_2" / "公益二类事业单位",
        Business = "business" / "经营类事业单位",
        MassOrg = "mass_org" / "群团组织",
    }
}

impl UnitKind {
    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
            .ok_or_else(|| {
                Refusal::new(
                    "UNIT_KIND_UNKNOWN",
                    format!("单位类型“{s}”未知，应为：行政单位、参公事业单位、公益一类事业单位、公益二类事业单位、经营类事业单位、群团组织"),
                )
                .field("unit_kind")
            })
    }
}

/// Staffing of a budget unit (编制与实有人数), the basis of basic expenditure (ZB-14, ZB-6c).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staffing {
    /// 编制数: authorised posts.
    pub authorized_posts: i64,
    /// 实有在职人数.
    pub actual_staff: i64,
    /// 离退休人数.
    pub retired_staff: i64,
    /// 编外人员实有数.
    pub contract_staff: i64,
    /// 编外人员核定限额 (ZB-6c).
    pub contract_quota: i64,
}

impl Staffing {
    /// Checks the numbers people can get wrong: negatives and staff above posts or quota.
    pub fn validate(&self) -> Result<(), Refusal> {
        let fields = [
            ("authorized_posts", "编制数", self.authorized_posts),
            ("actual_staff", "实有在职人数", self.actual_staff),
            ("retired_staff", "离退休人数", self.retired_staff),
            ("contract_staff", "编外人员数", self.contract_staff),
            ("contract_quota", "编外人员核定限额", self.contract_quota),
        ];
        for (field, label, n) in fields {
            if !(0..=1_000_000).contains(&n) {
                return Err(Refusal::new(
                    "STAFFING_OUT_OF_RANGE",
                    format!("{label}应为 0 到 1,000,000 之间的整数"),
                )
                .field(field));
            }
        }
        if self.contract_staff > self.contract_quota {
            return Err(Refusal::new(
                "CONTRACT_STAFF_OVER_QUOTA",
                format!(
                    "编外人员 {} 人超过核定限额 {} 人",
                    self.contract_staff, self.contract_quota
                ),
            )
            .field("contract_staff")
            .clause("ZB-6c"));
        }
        Ok(())
    }
}

/// Where an organisation or a record sits in the tree: the ids of its jurisdiction, department
/// and unit. Scope checks compare an actor's organisation with this path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgPath {
    /// The jurisdiction's organisation id.
    pub jurisdiction: i64,
    /// The department's id, when the record is at or below a department.
    pub department: Option<i64>,
    /// The unit's id, when the record belongs to a unit.
    pub unit: Option<i64>,
}

impl OrgPath {
    /// The path of a jurisdiction itself: what jurisdiction-wide permissions are checked on.
    pub fn of_jurisdiction(jurisdiction: i64) -> OrgPath {
        OrgPath {
            jurisdiction,
            department: None,
            unit: None,
        }
    }

    /// The id of the deepest organisation on the path.
    pub fn leaf(&self) -> i64 {
        self.unit.or(self.department).unwrap_or(self.jurisdiction)
    }

    /// True when `org` is on this path (the record is at or below `org`).
    pub fn is_within(&self, org: i64) -> bool {
        self.jurisdiction == org || self.department == Some(org) || self.unit == Some(org)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zb_6c_contract_staff_may_not_exceed_quota() {
        let s = Staffing {
            authorized_posts: 10,
            actual_staff: 9,
            retired_staff: 2,
            contract_staff: 4,
            contract_quota: 3,
        };
        let err = s.validate().unwrap_err();
        assert_eq!(err.clause, Some("ZB-6c"));
        assert_eq!(err.field.as_deref(), Some("contract_staff"));
        assert_eq!(
            Staffing {
                actual_staff: -1,
                ..Default::default()
            }
            .validate()
            .unwrap_err()
            .code,
            "STAFFING_OUT_OF_RANGE"
        );
    }

    #[test]
    fn unit_kind_parses_chinese_names() {
        assert_eq!(
            UnitKind::parse("公益一类事业单位").unwrap(),
            UnitKind::PublicWelfare1
        );
        assert_eq!(UnitKind::parse("mass_org").unwrap(), UnitKind::MassOrg);
        assert_eq!(
            UnitKind::parse("企业").unwrap_err().code,
            "UNIT_KIND_UNKNOWN"
        );
    }
}
