//! The tabs of a section (支付与监控, 绩效管理): which pages belong together and which of them
//! the signed-in role can open. A tab is shown only when the role's reach lets it read what the
//! page shows — the same table the use cases check — so nobody is offered a page that answers
//! 403.

use lingji_domain::foundation::authz::{Access, Reach, Resource, Role, reach};

use super::NavItem;

/// Who may open a tab: anyone signed in, a role that reads the resource somewhere, or one that
/// reads it across the whole jurisdiction (pages that show every unit's figures).
#[derive(Clone, Copy)]
enum Needs {
    Anyone,
    Some(Resource),
    Jurisdiction(Resource),
}

impl Needs {
    fn met_by(self, role: Role) -> bool {
        match self {
            Needs::Anyone => true,
            Needs::Some(r) => reach(role, r, Access::Read) != Reach::None,
            Needs::Jurisdiction(r) => reach(role, r, Access::Read) == Reach::Jurisdiction,
        }
    }
}

/// A section: its name, the paths that belong to it and its tabs.
struct Section {
    label: &'static str,
    paths: &'static [&'static str],
    tabs: &'static [(&'static str, &'static str, Needs)],
}

const SECTIONS: [Section; 2] = [
    Section {
        label: "支付与监控",
        paths: &[
            "/payments",
            "/spending-plans",
            "/adjustments",
            "/year-end",
            "/monitoring",
        ],
        tabs: &[
            ("/payments", "支付申请", Needs::Some(Resource::Payment)),
            (
                "/spending-plans",
                "用款计划",
                Needs::Some(Resource::SpendingPlan),
            ),
            (
                "/adjustments",
                "预算调整",
                Needs::Some(Resource::Adjustment),
            ),
            (
                "/year-end",
                "年终结转",
                Needs::Jurisdiction(Resource::BudgetLine),
            ),
            (
                "/monitoring/rules",
                "监控规则",
                Needs::Some(Resource::MonitoringRule),
            ),
            (
                "/monitoring/hits",
                "预警处理与统计",
                Needs::Jurisdiction(Resource::Payment),
            ),
        ],
    },
    Section {
        label: "绩效管理",
        paths: &["/performance", "/evaluations", "/publications"],
        tabs: &[
            (
                "/performance",
                "绩效概览",
                Needs::Some(Resource::Performance),
            ),
            (
                "/performance/targets",
                "部门与政策目标",
                Needs::Some(Resource::Performance),
            ),
            (
                "/performance/monitoring",
                "运行监控",
                Needs::Some(Resource::Performance),
            ),
            (
                "/evaluations",
                "绩效评价",
                Needs::Some(Resource::Performance),
            ),
            (
                "/performance/results",
                "结果应用",
                Needs::Jurisdiction(Resource::PerformanceDecision),
            ),
            (
                "/publications",
                "信息公开",
                Needs::Jurisdiction(Resource::PerformanceDecision),
            ),
            ("/public", "公开页面", Needs::Anyone),
        ],
    },
];

/// True when `path` is `href` or a page below it.
fn under(path: &str, href: &str) -> bool {
    path == href
        || path
            .strip_prefix(href)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The section `path` belongs to: its name and the tabs `role` can open, the one for `path`
/// marked (the longest that contains it). None outside a section.
pub fn tabs(role: Role, path: &str) -> Option<(&'static str, Vec<NavItem>)> {
    let section = SECTIONS
        .iter()
        .find(|s| s.paths.iter().any(|p| under(path, p)))?;
    let current = section
        .tabs
        .iter()
        .filter(|(href, ..)| under(path, href))
        .map(|(href, ..)| *href)
        .max_by_key(|href| href.len());
    let tabs = section
        .tabs
        .iter()
        .filter(|(.., needs)| needs.met_by(role))
        .map(|&(href, label, _)| NavItem {
            href,
            label,
            active: Some(href) == current,
        })
        .collect();
    Some((section.label, tabs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hrefs(role: Role, path: &str) -> Vec<&'static str> {
        tabs(role, path).unwrap().1.iter().map(|t| t.href).collect()
    }

    #[test]
    fn zx_4b_a_unit_is_not_offered_the_jurisdiction_wide_pages_finance_is() {
        let unit = hrefs(Role::UnitOperator, "/payments");
        assert!(!unit.contains(&"/year-end") && !unit.contains(&"/monitoring/hits"));
        assert!(unit.contains(&"/spending-plans"));
        let finance = hrefs(Role::FinanceOfficer, "/payments/12");
        assert!(finance.contains(&"/year-end") && finance.contains(&"/monitoring/hits"));
        let perf = hrefs(Role::DepartmentReviewer, "/evaluations/3");
        assert!(!perf.contains(&"/performance/results") && !perf.contains(&"/publications"));
    }

    #[test]
    fn the_tab_of_the_page_is_marked_and_pages_outside_a_section_have_none() {
        let (_, t) = tabs(Role::FinanceOfficer, "/performance/targets").unwrap();
        let active: Vec<_> = t.iter().filter(|t| t.active).map(|t| t.href).collect();
        assert_eq!(active, ["/performance/targets"]);
        assert!(tabs(Role::FinanceOfficer, "/projects").is_none());
        assert!(tabs(Role::FinanceOfficer, "/paymentsx").is_none());
    }
}
