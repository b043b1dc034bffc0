//! The review path chosen by rule (ZB-5a): simplified for the three guarantees, debt service
//! and basic public services computed by standards; focused for other public services,
//! industry support, government investment and any project whose last year went badly.

use serde::{Deserialize, Serialize};

use crate::foundation::policy::{ParamValue, Rate, Review};
use crate::library::MatterClass;
use crate::library::tier::SpendingTier;

labelled! {
    /// How thoroughly a project is reviewed.
    ReviewMode {
        /// 简化审核论证: checked against the standards.
        Simplified = "simplified" / "简化审核论证",
        /// 常规审核论证: the classes ZB-5a names for neither path.
        Standard = "standard" / "常规审核论证",
        Focused = "focused" / "重点审核论证",
    }
}

/// Last year's record of the same line of spending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastYear {
    /// Spent ÷ approved.
    pub execution_rate: Rate,
    /// Adjusted ÷ approved.
    pub adjustment_rate: Rate,
    /// Findings of inspections, performance evaluations and audits.
    pub findings: u32,
}

/// `part ÷ whole` as a rate, rounded down to the basis point; none when nothing was approved.
/// Integer arithmetic on fen, so 1 fen of 3 is 33 basis points, never a float.
pub fn rate_of(part: crate::Money, whole: crate::Money) -> Option<Rate> {
    if whole.fen() <= 0 {
        return None;
    }
    let bp = i128::from(part.fen().max(0)) * 10_000 / i128::from(whole.fen());
    Some(Rate(u32::try_from(bp).unwrap_or(u32::MAX)))
}

/// What the rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct ModeFacts {
    pub tier: Option<SpendingTier>,
    /// Matter class (ZB-2a).
    pub matter_class: Option<MatterClass>,
    /// Government investment feature (or class).
    pub government_investment: bool,
    /// Every cost line is priced by a standard.
    pub computed_by_standards: bool,
    /// Last year's record, when the project continues one.
    pub last_year: Option<LastYear>,
}

/// The mode with the reasons, each citing ZB-5a.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModeDecision {
    pub mode: ReviewMode,
    /// Why, in Chinese.
    pub reasons: Vec<String>,
}

/// Chooses the review mode (ZB-5a). Any warning sign of last year makes the review focused,
/// whatever the class.
pub fn review_mode(f: &ModeFacts, p: &Review) -> ModeDecision {
    let mut focused = Vec::new();
    if let Some(last) = f.last_year {
        if last.execution_rate < p.focused_if_execution_below {
            focused.push(format!(
                "上年执行率 {}，低于 {}（ZB-5a）",
                last.execution_rate.display(),
                p.focused_if_execution_below.display()
            ));
        }
        if last.adjustment_rate > p.focused_if_adjustment_above {
            focused.push(format!(
                "上年调整率 {}，高于 {}（ZB-5a）",
                last.adjustment_rate.display(),
                p.focused_if_adjustment_above.display()
            ));
        }
        if last.findings >= p.focused_if_findings_at_least.0 {
            focused.push(format!(
                "监督检查、绩效评价和审计发现问题 {} 个，达到 {} 个（ZB-5a）",
                last.findings, p.focused_if_findings_at_least.0
            ));
        }
    }
    let class = f.matter_class;
    if f.government_investment || class == Some(MatterClass::GovInvestment) {
        focused.push("政府投资项目（ZB-5a）".into());
    }
    if class == Some(MatterClass::IndustrySupport) {
        focused.push("产业扶持项目（ZB-5a）".into());
    }
    let public_by_standards = class == Some(MatterClass::PublicService) && f.computed_by_standards;
    if class == Some(MatterClass::PublicService) && !f.computed_by_standards {
        focused.push("公共服务项目未全部按支出标准测算（ZB-5a）".into());
    }
    if !focused.is_empty() {
        return ModeDecision {
            mode: ReviewMode::Focused,
            reasons: focused,
        };
    }
    let simplified = match f.tier {
        Some(SpendingTier::ThreeGuarantees) => Some("“三保”项目，按支出标准简化审核（ZB-5a）"),
        Some(SpendingTier::DebtService) => Some("政府债务还本付息项目（ZB-5a）"),
        _ if public_by_standards => Some("基本公共服务项目，全部按支出标准测算（ZB-5a）"),
        _ => None,
    };
    match simplified {
        Some(why) => ModeDecision {
            mode: ReviewMode::Simplified,
            reasons: vec![why.into()],
        },
        None => ModeDecision {
            mode: ReviewMode::Standard,
            reasons: vec!["不属于简化或重点审核论证的情形（ZB-5a）".into()],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Preset, preset};

    fn facts() -> ModeFacts {
        ModeFacts {
            tier: Some(SpendingTier::ThreeGuarantees),
            matter_class: Some(MatterClass::CityOperation),
            government_investment: false,
            computed_by_standards: true,
            last_year: None,
        }
    }

    fn review() -> Review {
        preset(Preset::LianyungangCity).review
    }

    #[test]
    fn rates_are_exact_to_the_basis_point() {
        use crate::Money;
        assert_eq!(
            rate_of(Money::from_fen(1), Money::from_fen(3)),
            Some(Rate(3_333))
        );
        assert_eq!(
            rate_of(Money::from_yuan(150_321), Money::from_yuan(200_000)),
            Some(Rate(7_516))
        );
        assert_eq!(rate_of(Money::from_yuan(1), Money::ZERO), None);
    }

    #[test]
    fn zb_5a_three_guarantees_debt_and_basic_public_services_are_simplified() {
        assert_eq!(
            review_mode(&facts(), &review()).mode,
            ReviewMode::Simplified
        );
        let debt = ModeFacts {
            tier: Some(SpendingTier::DebtService),
            ..facts()
        };
        assert_eq!(review_mode(&debt, &review()).mode, ReviewMode::Simplified);
        let public = ModeFacts {
            tier: Some(SpendingTier::GeneralDevelopment),
            matter_class: Some(MatterClass::PublicService),
            ..facts()
        };
        assert_eq!(review_mode(&public, &review()).mode, ReviewMode::Simplified);
    }

    #[test]
    fn zb_5a_other_public_services_industry_support_and_investment_are_focused() {
        let r = review();
        for f in [
            ModeFacts {
                matter_class: Some(MatterClass::PublicService),
                computed_by_standards: false,
                ..facts()
            },
            ModeFacts {
                matter_class: Some(MatterClass::IndustrySupport),
                ..facts()
            },
            ModeFacts {
                government_investment: true,
                ..facts()
            },
        ] {
            let d = review_mode(&f, &r);
            assert_eq!(d.mode, ReviewMode::Focused, "{d:?}");
            assert!(d.reasons.iter().all(|x| x.contains("ZB-5a")));
        }
        let other = ModeFacts {
            tier: Some(SpendingTier::GeneralDevelopment),
            ..facts()
        };
        assert_eq!(review_mode(&other, &r).mode, ReviewMode::Standard);
    }

    #[test]
    fn zb_5a_a_bad_last_year_makes_any_review_focused_at_the_profiles_thresholds() {
        let r = review();
        let at = |execution: u32, adjustment: u32, findings: u32| {
            review_mode(
                &ModeFacts {
                    last_year: Some(LastYear {
                        execution_rate: Rate(execution),
                        adjustment_rate: Rate(adjustment),
                        findings,
                    }),
                    ..facts()
                },
                &r,
            )
        };
        let exec = r.focused_if_execution_below.0;
        let adj = r.focused_if_adjustment_above.0;
        let findings = r.focused_if_findings_at_least.0;
        assert_eq!(at(exec, adj, findings - 1).mode, ReviewMode::Simplified);
        let d = at(exec - 1, adj, 0);
        assert_eq!(d.mode, ReviewMode::Focused);
        assert!(d.reasons[0].starts_with("上年执行率"), "{d:?}");
        assert_eq!(at(exec, adj + 1, 0).mode, ReviewMode::Focused);
        assert_eq!(at(exec, adj, findings).mode, ReviewMode::Focused);
        assert_eq!(at(exec - 1, adj + 1, findings).reasons.len(), 3);
    }
}
