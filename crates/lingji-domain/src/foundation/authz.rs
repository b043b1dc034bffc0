//! Roles and the one authorisation decision: may this actor read or change this resource at
//! this place in the organisation tree? Every API route and page asks here, through
//! `lingji-app`, and nowhere else.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::foundation::org::OrgPath;

labelled! {
    /// A user's role (DESIGN.md, "Users").
    Role: custom {
        /// 预算单位经办: own unit only.
        UnitOperator = "unit_operator" / "预算单位经办",
        /// 主管部门审核: own department and its units.
        DepartmentReviewer = "department_reviewer" / "主管部门审核",
        /// 财政业务科室: everything in the jurisdiction.
        FinanceOfficer = "finance_officer" / "财政业务科室",
        /// 联审部门: only what is routed to its reviewing body.
        JointReviewer = "joint_reviewer" / "联审部门",
        /// 审计: reads everything, changes nothing.
        Auditor = "auditor" / "审计",
        /// 系统管理员: users, organisations, code tables, policy profile.
        Administrator = "administrator" / "系统管理员",
    }
}

impl Role {
    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
            .ok_or_else(|| {
                Refusal::new(
                    "ROLE_UNKNOWN",
                    format!("角色“{s}”未知，应为 unit_operator、department_reviewer、finance_officer、joint_reviewer、auditor 或 administrator"),
                )
                .field("role")
            })
    }

    /// The organisation level a user of this role must be bound to: units for operators,
    /// departments for reviewers (a joint reviewer's body is a department too), and any level
    /// for finance, audit and administration (usually the finance bureau or the jurisdiction).
    pub fn binds_to(self) -> &'static [crate::foundation::org::OrgKind] {
        use crate::foundation::org::OrgKind::*;
        match self {
            Role::UnitOperator => &[Unit],
            Role::DepartmentReviewer | Role::JointReviewer => &[Department],
            Role::FinanceOfficer | Role::Auditor | Role::Administrator => {
                &[Jurisdiction, Department, Unit]
            }
        }
    }
}

/// What is being touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// An organisation's record and its staffing numbers.
    Organisation,
    /// The organisation tree itself: creating, renaming, moving organisations.
    OrganisationTree,
    User,
    /// The jurisdiction's policy profile.
    PolicyProfile,
    /// The audit log.
    AuditLog,
    /// Classification code tables.
    CodeTable,
    /// Library projects of a unit, with cost lines and targets.
    Project,
    /// The expenditure standards catalogue.
    Standard,
    /// Lists finance maintains for review: key matters, events, the purchase-of-services
    /// negative list, special funds, assessment agencies.
    FinanceList,
    /// Available resources, allocation runs and scenarios, the choice, publication and
    /// approval of control figures, year-on-year statistics, the overlap finder.
    Allocation,
    /// Published control figures and approved budget lines (指标) of a unit or department.
    BudgetLine,
    /// Payment requests on budget lines, their review and payment, rule hits and their
    /// disposition, payment suspensions (PM-9).
    Payment,
    /// The monitoring rule catalogue (ZX-4b).
    MonitoringRule,
    /// Monthly spending plans and their review within the cash limit (ZX-4a).
    SpendingPlan,
    /// Budget adjustments (调剂, 追加) and the amendment document (ZB-7b, QJ-4c).
    Adjustment,
    /// Performance targets of departments and policies, dual-monitoring records and
    /// self-evaluations (PM-2, PM-9, PM-10).
    Performance,
    /// Finance's performance decisions: on monitored projects, key evaluations, results
    /// application and what is published (PM-9, PM-10, PM-13, PM-5).
    PerformanceDecision,
    /// The year in figures (年度报告): the headline figures of a year across allocation,
    /// execution, the year-end close and performance, reconciled with the ledger.
    AnnualReport,
}

impl Resource {
    pub const ALL: [Resource; 18] = [
        Resource::Organisation,
        Resource::OrganisationTree,
        Resource::User,
        Resource::PolicyProfile,
        Resource::AuditLog,
        Resource::CodeTable,
        Resource::Project,
        Resource::Standard,
        Resource::FinanceList,
        Resource::Allocation,
        Resource::BudgetLine,
        Resource::Payment,
        Resource::MonitoringRule,
        Resource::SpendingPlan,
        Resource::Adjustment,
        Resource::Performance,
        Resource::PerformanceDecision,
        Resource::AnnualReport,
    ];

    /// Chinese name, for refusals.
    pub fn label(self) -> &'static str {
        match self {
            Resource::Organisation => "单位信息",
            Resource::OrganisationTree => "组织机构",
            Resource::User => "用户",
            Resource::PolicyProfile => "政策参数",
            Resource::AuditLog => "审计日志",
            Resource::CodeTable => "分类科目代码表",
            Resource::Project => "项目",
            Resource::Standard => "支出标准",
            Resource::FinanceList => "审核清单",
            Resource::Allocation => "预算编制测算",
            Resource::BudgetLine => "预算控制数与指标",
            Resource::Payment => "支付申请",
            Resource::MonitoringRule => "监控规则",
            Resource::SpendingPlan => "用款计划",
            Resource::Adjustment => "预算调整",
            Resource::Performance => "绩效目标、监控与自评",
            Resource::PerformanceDecision => "绩效处理、重点评价与结果应用",
            Resource::AnnualReport => "年度报告",
        }
    }
}

/// Reading or changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

/// How far a permission reaches from the actor's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Not at all.
    None,
    /// The actor's own organisation and what lies below it.
    Subtree,
    /// Only what the review workflow routed to the actor's joint-review body (ZB-5e).
    Routed,
    /// The whole jurisdiction.
    Jurisdiction,
}

/// True when `role` may `access` a `resource` somewhere (what a page offers; the use case
/// still checks the organisation).
pub fn may(role: Role, resource: Resource, access: Access) -> bool {
    reach(role, resource, access) != Reach::None
}

/// True when `role` may create a `resource` somewhere: creating needs a place in the tree, so a
/// reach limited to what is routed to the actor creates nothing.
pub fn may_create(role: Role, resource: Resource) -> bool {
    matches!(
        reach(role, resource, Access::Write),
        Reach::Subtree | Reach::Jurisdiction
    )
}

/// The decision table: how far `role` may `access` a `resource`.
pub fn reach(role: Role, resource: Resource, access: Access) -> Reach {
    use Access::*;
    use Reach::{Jurisdiction as J, None as N, Routed as R, Subtree as S};
    use Resource::*;
    use Role::*;
    match (resource, access, role) {
        // Own unit's (or department's) record and staffing; finance and audit see all.
        (Organisation, Read, UnitOperator | DepartmentReviewer | JointReviewer) => S,
        (Organisation, Read, FinanceOfficer | Auditor | Administrator) => J,
        (Organisation, Write, UnitOperator | DepartmentReviewer) => S,
        (Organisation, Write, FinanceOfficer | Administrator) => J,
        (Organisation, Write, JointReviewer | Auditor) => N,
        (OrganisationTree, Read, _) => J,
        (OrganisationTree, Write, Administrator) => J,
        (OrganisationTree, Write, _) => N,
        (User, Read, Administrator | Auditor) => J,
        (User, Write, Administrator) => J,
        (User, _, _) => N,
        // Everyone may read the rules that bind them; only administrators change them.
        (PolicyProfile, Read, _) => J,
        (PolicyProfile, Write, Administrator) => J,
        (PolicyProfile, Write, _) => N,
        (AuditLog, Read, Auditor) => J,
        (AuditLog, _, _) => N,
        (CodeTable, Read, _) => J,
        (CodeTable, Write, Administrator) => J,
        (CodeTable, Write, _) => N,
        // Units prepare their projects; departments review theirs; finance sees all. Joint
        // reviewers see and answer only projects routed to their body (ZB-5e).
        (Project, _, UnitOperator | DepartmentReviewer) => S,
        (Project, _, FinanceOfficer) => J,
        (Project, _, JointReviewer) => R,
        (Project, Read, Auditor) => J,
        (Project, _, Auditor | Administrator) => N,
        (Standard, Read, _) => J,
        (Standard, Write, FinanceOfficer | Administrator) => J,
        (Standard, Write, _) => N,
        // Everyone picks from the lists (an event, a fund, a key matter); finance keeps them.
        (FinanceList, Read, _) => J,
        (FinanceList, Write, FinanceOfficer) => J,
        (FinanceList, Write, _) => N,
        // Finance arranges the money; audit reads how it was arranged.
        (Allocation, _, FinanceOfficer) => J,
        (Allocation, Read, Auditor) => J,
        (Allocation, _, _) => N,
        // Units and departments read their own control figures and budget lines once published;
        // lines are written by approval, or by finance for an upper transfer.
        (BudgetLine, Read, UnitOperator | DepartmentReviewer) => S,
        (BudgetLine, Read, FinanceOfficer | Auditor) => J,
        // Finance enters the lines that come from upper transfers by their document.
        (BudgetLine, Write, FinanceOfficer) => J,
        (BudgetLine, _, _) => N,
        // Units request payments on their own lines; departments follow theirs; finance reviews,
        // pays and disposes of rule hits; audit reads everything.
        (Payment, _, UnitOperator) => S,
        (Payment, Read, DepartmentReviewer) => S,
        (Payment, _, FinanceOfficer) => J,
        (Payment, Read, Auditor) => J,
        (Payment, _, _) => N,
        // Everyone may read the rules that screen their payments; finance keeps them.
        (MonitoringRule, Read, _) => J,
        (MonitoringRule, Write, FinanceOfficer) => J,
        (MonitoringRule, Write, _) => N,
        // Units file their plans; departments follow theirs; finance reviews a month's plans
        // within the cash limit; audit reads.
        (SpendingPlan, _, UnitOperator) => S,
        (SpendingPlan, Read, DepartmentReviewer) => S,
        (SpendingPlan, _, FinanceOfficer) => J,
        (SpendingPlan, Read, Auditor) => J,
        (SpendingPlan, _, _) => N,
        // Units ask for adjustments of their lines and projects; departments follow theirs;
        // finance approves and compiles the amendment document; audit reads.
        (Adjustment, _, UnitOperator) => S,
        (Adjustment, Read, DepartmentReviewer) => S,
        (Adjustment, _, FinanceOfficer) => J,
        (Adjustment, Read, Auditor) => J,
        (Adjustment, _, _) => N,
        // Units monitor and evaluate their projects; departments their own targets and
        // their units'; finance everything; audit reads.
        (Performance, _, UnitOperator | DepartmentReviewer) => S,
        (Performance, _, FinanceOfficer) => J,
        (Performance, Read, Auditor) => J,
        (Performance, _, _) => N,
        // Finance decides, evaluates and publishes; units and departments read what concerns
        // them; audit reads.
        (PerformanceDecision, Read, UnitOperator | DepartmentReviewer) => S,
        (PerformanceDecision, _, FinanceOfficer) => J,
        (PerformanceDecision, Read, Auditor) => J,
        (PerformanceDecision, _, _) => N,
        // The year in figures spans every department's money: finance and audit read it, as
        // they read the statistics and the close it is made of; it is computed, never written.
        (AnnualReport, Read, FinanceOfficer | Auditor) => J,
        (AnnualReport, _, _) => N,
    }
}

/// Who is asking: the signed-in user with role and organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The organisation the user is bound to, with its place in the tree.
    pub org: OrgPath,
    /// The jurisdictions below the user's own (a province's cities and counties), which a
    /// finance officer or auditor bound to the jurisdiction itself reads and never writes.
    #[serde(default)]
    pub below: Vec<i64>,
}

impl Actor {
    /// Decides whether this actor may `access` `resource` located at `target`.
    pub fn authorize(
        &self,
        resource: Resource,
        access: Access,
        target: &OrgPath,
    ) -> Result<(), Refusal> {
        self.authorize_routed(resource, access, target, false)
    }

    /// As [`Actor::authorize`], for a target that the review workflow has (`routed_here`) or
    /// has not routed to the actor's joint-review body.
    pub fn authorize_routed(
        &self,
        resource: Resource,
        access: Access,
        target: &OrgPath,
        routed_here: bool,
    ) -> Result<(), Refusal> {
        let allowed = if target.jurisdiction == self.org.jurisdiction {
            match reach(self.role, resource, access) {
                Reach::None => false,
                Reach::Subtree => target.is_within(self.org.leaf()),
                Reach::Routed => routed_here,
                Reach::Jurisdiction => true,
            }
        } else {
            self.reads_below(resource, access, target.jurisdiction)
        };
        if allowed {
            Ok(())
        } else {
            let verb = match access {
                Access::Read => "查看",
                Access::Write => "修改",
            };
            Err(Refusal::new(
                "FORBIDDEN",
                format!("{}无权{}该{}", self.role.label(), verb, resource.label()),
            ))
        }
    }
}

impl Actor {
    /// True when this actor reads `resource` in `jurisdiction` as its upper: a finance officer
    /// or auditor of the upper jurisdiction itself (not of one of its departments) reads what
    /// the role reads across its own jurisdiction, in every jurisdiction below; writing there is
    /// the lower government's alone.
    fn reads_below(&self, resource: Resource, access: Access, jurisdiction: i64) -> bool {
        access == Access::Read
            && self.role.reads_below()
            && self.org.department.is_none()
            && self.below.contains(&jurisdiction)
            && reach(self.role, resource, Access::Read) == Reach::Jurisdiction
    }
}

impl Role {
    /// The roles of an upper finance bureau that read the jurisdictions below (national
    /// budget-integration rules: data gathered upward, each level writing only its own).
    pub fn reads_below(self) -> bool {
        matches!(self, Role::FinanceOfficer | Role::Auditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: OrgPath) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            org,
            below: vec![],
        }
    }

    const CITY: i64 = 1;
    const DEPT_A: i64 = 10;
    const DEPT_B: i64 = 20;
    const UNIT_A1: i64 = 11;
    const UNIT_A2: i64 = 12;
    const UNIT_B1: i64 = 21;

    fn unit(dept: i64, unit: i64) -> OrgPath {
        OrgPath {
            jurisdiction: CITY,
            department: Some(dept),
            unit: Some(unit),
        }
    }

    #[test]
    fn unit_operator_reaches_only_its_own_unit() {
        let op = actor(Role::UnitOperator, unit(DEPT_A, UNIT_A1));
        for access in [Access::Read, Access::Write] {
            assert!(
                op.authorize(Resource::Organisation, access, &unit(DEPT_A, UNIT_A1))
                    .is_ok()
            );
            assert!(
                op.authorize(Resource::Organisation, access, &unit(DEPT_A, UNIT_A2))
                    .is_err()
            );
            assert!(
                op.authorize(Resource::Organisation, access, &unit(DEPT_B, UNIT_B1))
                    .is_err()
            );
        }
        let dept = OrgPath {
            jurisdiction: CITY,
            department: Some(DEPT_A),
            unit: None,
        };
        assert!(
            op.authorize(Resource::Organisation, Access::Read, &dept)
                .is_err()
        );
    }

    #[test]
    fn department_reviewer_reaches_its_units_only() {
        let rev = actor(
            Role::DepartmentReviewer,
            OrgPath {
                jurisdiction: CITY,
                department: Some(DEPT_A),
                unit: None,
            },
        );
        assert!(
            rev.authorize(Resource::Organisation, Access::Read, &unit(DEPT_A, UNIT_A2))
                .is_ok()
        );
        assert!(
            rev.authorize(Resource::Organisation, Access::Read, &unit(DEPT_B, UNIT_B1))
                .is_err()
        );
    }

    #[test]
    fn nobody_crosses_jurisdictions() {
        let fin = actor(
            Role::FinanceOfficer,
            OrgPath {
                jurisdiction: CITY,
                department: None,
                unit: None,
            },
        );
        let elsewhere = OrgPath {
            jurisdiction: 99,
            department: None,
            unit: None,
        };
        assert!(
            fin.authorize(Resource::Organisation, Access::Read, &elsewhere)
                .is_err()
        );
    }

    #[test]
    fn auditor_reads_everything_and_changes_nothing() {
        let aud = actor(
            Role::Auditor,
            OrgPath {
                jurisdiction: CITY,
                department: None,
                unit: None,
            },
        );
        for r in Resource::ALL {
            assert!(
                aud.authorize(r, Access::Read, &unit(DEPT_B, UNIT_B1))
                    .is_ok(),
                "{r:?}"
            );
            assert!(
                aud.authorize(r, Access::Write, &unit(DEPT_B, UNIT_B1))
                    .is_err(),
                "{r:?}"
            );
        }
    }

    const COUNTY: i64 = 2;

    fn in_county() -> OrgPath {
        OrgPath {
            jurisdiction: COUNTY,
            department: Some(30),
            unit: Some(31),
        }
    }

    fn upper(role: Role, department: Option<i64>) -> Actor {
        Actor {
            below: vec![COUNTY],
            ..actor(
                role,
                OrgPath {
                    jurisdiction: CITY,
                    department,
                    unit: None,
                },
            )
        }
    }

    #[test]
    fn an_upper_finance_bureau_reads_below_and_never_writes_there() {
        for role in [Role::FinanceOfficer, Role::Auditor] {
            let up = upper(role, None);
            for r in Resource::ALL {
                let own = up
                    .authorize(r, Access::Read, &unit(DEPT_B, UNIT_B1))
                    .is_ok();
                assert_eq!(
                    up.authorize(r, Access::Read, &in_county()).is_ok(),
                    own,
                    "{role:?} {r:?}: reads below what it reads at home"
                );
                assert!(
                    up.authorize(r, Access::Write, &in_county()).is_err(),
                    "{role:?} {r:?}"
                );
            }
        }
        let up = upper(Role::FinanceOfficer, None);
        assert!(
            up.authorize(
                Resource::Payment,
                Access::Read,
                &OrgPath::of_jurisdiction(3)
            )
            .is_err(),
            "a jurisdiction not below is out of reach"
        );
    }

    #[test]
    fn only_the_upper_bureau_itself_reads_below() {
        for (role, dept) in [
            (Role::FinanceOfficer, Some(DEPT_A)),
            (Role::DepartmentReviewer, Some(DEPT_A)),
            (Role::Administrator, None),
        ] {
            let up = upper(role, dept);
            for r in Resource::ALL {
                assert!(
                    up.authorize(r, Access::Read, &in_county()).is_err(),
                    "{role:?} {r:?}"
                );
            }
        }
    }
}
