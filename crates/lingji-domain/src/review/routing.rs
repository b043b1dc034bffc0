//! Joint review (ZB-5e, ZB-2e): training goes to the organisation department, IT construction
//! and upkeep to the data bureau, government investment to the development and reform
//! commission. Which department acts as each body is set per jurisdiction.

use serde::{Deserialize, Serialize};

use crate::library::{Features, MatterClass};

labelled! {
    /// A joint-review body.
    #[derive(PartialOrd, Ord)]
    JointBody: custom {
        /// 组织部: training.
        OrganisationDepartment = "organisation_department" / "组织部",
        /// 数据局: IT construction and upkeep.
        DataBureau = "data_bureau" / "数据局",
        /// 发展和改革委员会: government investment.
        DevelopmentReform = "development_reform" / "发展和改革委员会",
    }
}

impl JointBody {
    /// Parses an identifier.
    pub fn parse(s: &str) -> Option<JointBody> {
        JointBody::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }

    /// Why a project comes to this body, with the clause.
    pub fn reason(self) -> &'static str {
        match self {
            JointBody::OrganisationDepartment => "含培训费，须组织部联审（ZB-5e）",
            JointBody::DataBureau => "信息化建设和运维项目，须数据局联审（ZB-5e、ZB-2e）",
            JointBody::DevelopmentReform => "政府投资项目，须发展改革委联审（ZB-5e）",
        }
    }
}

/// The bodies a project must pass before the panel, in a fixed order.
pub fn routed_bodies(features: &Features, matter_class: Option<MatterClass>) -> Vec<JointBody> {
    let mut out = Vec::new();
    if features.training {
        out.push(JointBody::OrganisationDepartment);
    }
    if features.it || matter_class == Some(MatterClass::It) {
        out.push(JointBody::DataBureau);
    }
    if features.government_investment || matter_class == Some(MatterClass::GovInvestment) {
        out.push(JointBody::DevelopmentReform);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zb_5e_features_route_to_their_bodies() {
        let none = Features::default();
        assert!(routed_bodies(&none, Some(MatterClass::PublicService)).is_empty());
        let all = Features {
            training: true,
            it: true,
            government_investment: true,
            ..Features::default()
        };
        assert_eq!(routed_bodies(&all, None), JointBody::ALL);
        for b in JointBody::ALL {
            assert_eq!(JointBody::parse(b.as_str()), Some(b));
            assert!(b.reason().contains("ZB-5e"));
        }
    }

    #[test]
    fn zb_2e_it_projects_need_the_data_bureau_by_class_too() {
        assert_eq!(
            routed_bodies(&Features::default(), Some(MatterClass::It)),
            [JointBody::DataBureau]
        );
        assert_eq!(
            routed_bodies(&Features::default(), Some(MatterClass::GovInvestment)),
            [JointBody::DevelopmentReform]
        );
    }
}
