//! Rules by level (ZX-4b): a province's or city's monitoring rules screen every payment of the
//! jurisdictions below it and cannot be switched off there; a lower jurisdiction adds its own.
//! An upper rule enters a lower catalogue under the upper's 区划 code (`430000/B05-01`), so a
//! hit and the statistics say whose rule fired.

use crate::execution::MonitoringRule;
use crate::foundation::codes::RegionCode;
use crate::foundation::levels::JurisdictionLevel;

/// The separator between an upper's 区划 code and its rule's code.
const SEPARATOR: char = '/';

/// The rules of one upper jurisdiction, as a lower one inherits them.
pub struct UpperRules {
    pub region: RegionCode,
    pub rules: Vec<MonitoringRule>,
}

/// The catalogue that screens a jurisdiction's payments: every enabled rule of every upper
/// (nearest first), under its upper's code, then the jurisdiction's own. An own rule that is
/// the very rule an upper already applies (the shipped catalogue installed at both levels) is
/// left out, so one payment is not hit twice by the same rule; an own rule that differs in
/// anything (a changed threshold, another action) screens beside the upper's.
pub fn combine(own: Vec<MonitoringRule>, uppers: Vec<UpperRules>) -> Vec<MonitoringRule> {
    let inherited: Vec<MonitoringRule> = uppers
        .into_iter()
        .flat_map(|u| {
            let region = u.region;
            u.rules
                .into_iter()
                .filter(|r| r.enabled)
                .map(move |r| MonitoringRule {
                    code: format!("{}{SEPARATOR}{}", region.as_str(), r.code),
                    ..r
                })
        })
        .collect();
    let shadowed = |r: &MonitoringRule| {
        inherited.iter().any(|u| {
            u.code.split_once(SEPARATOR).map(|(_, c)| c) == Some(r.code.as_str())
                && u.expression == r.expression
                && u.action == r.action
                && u.effective_from == r.effective_from
                && u.effective_to == r.effective_to
        })
    };
    let mut own: Vec<MonitoringRule> = own.into_iter().filter(|r| !shadowed(r)).collect();
    let mut all = inherited;
    all.append(&mut own);
    all
}

/// The level whose rule a hit's code names: an upper's (`430000/B05-01`) or, without an
/// upper's code, the jurisdiction's own level.
pub fn level_of_rule(code: &str, own: JurisdictionLevel) -> JurisdictionLevel {
    code.split_once(SEPARATOR)
        .and_then(|(region, _)| RegionCode::parse(region).ok())
        .map_or(own, |r| JurisdictionLevel::of(&r))
}

/// True when the rule code names an upper jurisdiction's rule, which the lower one reads but
/// cannot edit or switch off.
pub fn is_upper_rule(code: &str) -> bool {
    code.contains(SEPARATOR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::{Action, default_catalogue};

    fn province() -> RegionCode {
        RegionCode::parse("430000").unwrap()
    }

    #[test]
    fn zx_4b_an_upper_rule_applies_below_under_its_code_and_shadows_the_same_own_rule() {
        let catalogue = default_catalogue();
        let first = catalogue[0].clone();
        let mut changed = catalogue[1].clone();
        changed.action = match changed.action {
            Action::Block => Action::Warning,
            _ => Action::Block,
        };
        let mut switched_off = catalogue[2].clone();
        switched_off.enabled = false;
        let own = vec![first.clone(), changed.clone(), switched_off.clone()];
        let uppers = vec![UpperRules {
            region: province(),
            rules: vec![first.clone(), catalogue[1].clone(), catalogue[2].clone()],
        }];
        let all = combine(own, uppers);
        let codes: Vec<&str> = all.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            codes,
            vec![
                format!("430000/{}", first.code).as_str(),
                format!("430000/{}", catalogue[1].code).as_str(),
                format!("430000/{}", catalogue[2].code).as_str(),
                changed.code.as_str(),
            ],
            "the same rule screens once, a changed own one beside the upper's, and switching \
             a rule off below does not switch off the upper's"
        );
        assert!(all[2].enabled);
    }

    #[test]
    fn zx_4b_an_upper_switches_its_own_rule_off_for_everyone_below() {
        let mut off = default_catalogue()[0].clone();
        off.enabled = false;
        let all = combine(
            vec![],
            vec![UpperRules {
                region: province(),
                rules: vec![off],
            }],
        );
        assert!(all.is_empty());
    }

    #[test]
    fn zx_4b_a_hit_says_which_level_set_its_rule() {
        assert_eq!(
            level_of_rule("430000/B05-01", JurisdictionLevel::County),
            JurisdictionLevel::Province
        );
        assert_eq!(
            level_of_rule("431000/B05-01", JurisdictionLevel::County),
            JurisdictionLevel::City
        );
        assert_eq!(
            level_of_rule("B05-01", JurisdictionLevel::County),
            JurisdictionLevel::County
        );
        assert!(is_upper_rule("430000/B05-01"));
        assert!(!is_upper_rule("B05-01"));
    }
}
