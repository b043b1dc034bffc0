//! May this project be funded? One answer, used by the project page, the API and the
//! allocation run: every gate that is not satisfied, each with its clause, and the warnings a
//! finance officer should read before arranging money.

use serde::Serialize;

use super::gates::{CapacityResult, ExAnteAssessment, GateKind, GateRecord, ProviderKind};
use super::lists::{ListEntry, negative_hit};
use crate::foundation::fund::FundBook;
use crate::foundation::org::UnitKind;
use crate::foundation::policy::PolicyProfile;
use crate::library::tier::SpendingTier;
use crate::library::{Features, MatterClass, ProjectState};
use crate::{Money, Refusal};

/// The finance lists in force for the project's year (active entries only).
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// 大事要事保障清单 of the year.
    pub key_matters: Vec<ListEntry>,
    /// 节庆论坛展会清单 of the year.
    pub events: Vec<ListEntry>,
    /// 政府购买服务负面清单.
    pub negative: Vec<ListEntry>,
    /// 专项资金目录.
    pub funds: Vec<ListEntry>,
    /// 评估机构.
    pub agencies: Vec<ListEntry>,
}

/// What the gates look at.
#[derive(Debug, Clone)]
pub struct EligibilityFacts<'a> {
    pub state: ProjectState,
    pub fiscal_year: i32,
    /// The request (申报数).
    pub request: Money,
    /// A new project (not a continuing one).
    pub is_new: bool,
    /// Marked major by the unit.
    pub is_major: bool,
    pub tier: Option<SpendingTier>,
    /// ZB-2a class.
    pub matter_class: Option<MatterClass>,
    pub features: Features,
    /// Fund book asked from.
    pub fund_book: Option<FundBook>,
    /// The owning unit's kind (the buyer, ZB-8).
    pub unit_kind: Option<UnitKind>,
    /// The owning unit's own funds available for the year (ZB-11), when recorded.
    pub unit_own_funds: Option<Money>,
    /// Gate records on the project.
    pub gates: &'a [GateRecord],
    /// Finance's lists.
    pub lists: &'a Lists,
}

impl EligibilityFacts<'_> {
    fn gate(&self, kind: GateKind) -> Option<&GateRecord> {
        self.gates.iter().find(|g| g.kind() == kind)
    }

    /// The gates that apply to this project, whether or not they are recorded yet.
    pub fn applicable(&self, p: &PolicyProfile) -> Vec<GateKind> {
        let f = &self.features;
        let class = self.matter_class;
        let mut out = Vec::new();
        let major = self.is_major || self.request >= p.library.major_project_threshold;
        if self.is_new && (major || f.special_fund) {
            out.push(GateKind::ExAnte);
        }
        if f.government_investment || class == Some(MatterClass::GovInvestment) {
            out.push(GateKind::FiscalCapacity);
        }
        if f.industry_fund_eligible || class == Some(MatterClass::IndustrySupport) {
            out.push(GateKind::IndustryFund);
        }
        if f.purchase_of_services {
            out.push(GateKind::PurchaseOfServices);
        }
        if f.event {
            out.push(GateKind::Event);
        }
        // Anyone may find a project not ready; the gate applies once recorded.
        if self.gate(GateKind::NotReady).is_some() {
            out.push(GateKind::NotReady);
        }
        if f.special_fund {
            out.push(GateKind::SpecialFund);
        }
        if f.key_matters_item || self.tier == Some(SpendingTier::KeyPriorities) {
            out.push(GateKind::KeyMatter);
        }
        out
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Eligibility {
    /// The gates that apply, in page order.
    pub gates: Vec<GateStatus>,
    /// What blocks funding, each with its clause. Empty = eligible.
    pub blocks: Vec<Finding>,
    /// What finance should know, not blocking.
    pub warnings: Vec<Finding>,
}

/// One applicable gate and whether it is satisfied.
#[derive(Debug, Clone, Serialize)]
pub struct GateStatus {
    pub gate: GateKind,
    pub label: &'static str,
    pub clause: &'static str,
    pub open: bool,
    /// A record exists.
    pub recorded: bool,
}

/// A block or warning, serialisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub message: String,
    pub clause: &'static str,
}

impl Eligibility {
    /// Nothing blocks funding.
    pub fn eligible(&self) -> bool {
        self.blocks.is_empty()
    }
}

fn finding(code: &'static str, clause: &'static str, message: impl Into<String>) -> Finding {
    Finding {
        code,
        message: message.into(),
        clause,
    }
}

impl From<Finding> for Refusal {
    fn from(f: Finding) -> Refusal {
        Refusal::new(f.code, f.message).clause(f.clause)
    }
}

/// Decides a project's funding eligibility: every unmet gate with its clause.
pub fn eligibility(f: &EligibilityFacts<'_>, p: &PolicyProfile) -> Eligibility {
    let mut out = Eligibility::default();
    match f.state {
        ProjectState::Admitted | ProjectState::Funded | ProjectState::Executing => {}
        ProjectState::Postponed => out.blocks.push(finding(
            "PROJECT_POSTPONED",
            "ZB-2c",
            "项目因财力不足暂缓安排",
        )),
        s => out.blocks.push(finding(
            "PROJECT_NOT_IN_LIBRARY",
            "QJ-2a",
            format!("项目处于“{}”，未经审核入库不得安排预算", s.label()),
        )),
    }
    for kind in f.applicable(p) {
        let record = f.gate(kind);
        let before = out.blocks.len();
        match record {
            None if kind != GateKind::NotReady => out.blocks.push(missing(kind)),
            None => {}
            Some(r) => judge(r, f, p, &mut out),
        }
        out.gates.push(GateStatus {
            gate: kind,
            label: kind.label(),
            clause: kind.clause(),
            open: out.blocks.len() == before,
            recorded: record.is_some(),
        });
    }
    if f.features.purchase_of_services {
        buyer(f.unit_kind, &mut out);
    }
    if let Some(own) = f.unit_own_funds
        && f.fund_book != Some(FundBook::UnitFunds)
        && f.request > Money::ZERO
        && own >= f.request
    {
        out.warnings.push(finding(
            "UNIT_FUNDS_FIRST",
            "ZB-11",
            format!(
                "单位可用资金 {} 元足以安排申报数 {} 元，应先使用单位资金，不得申请新增财政拨款",
                own.to_yuan_display(),
                f.request.to_yuan_display()
            ),
        ));
    }
    out
}

fn missing(kind: GateKind) -> Finding {
    let (code, message) = match kind {
        GateKind::ExAnte => (
            "EX_ANTE_MISSING",
            "新增重大项目（政策）须经事前绩效评估，未评估不得纳入预算",
        ),
        GateKind::FiscalCapacity => (
            "FISCAL_CAPACITY_MISSING",
            "政府投资项目须通过财政承受能力评估方可安排预算",
        ),
        GateKind::IndustryFund => (
            "INDUSTRY_FUND_UNDETERMINED",
            "产业扶持项目须认定是否符合产业基金支持条件",
        ),
        GateKind::PurchaseOfServices => (
            "PURCHASE_DETAIL_MISSING",
            "政府购买服务须写明购买事项和承接主体",
        ),
        GateKind::Event => ("EVENT_NOT_LINKED", "节庆论坛展会支出须对应清单内的活动"),
        GateKind::NotReady => ("NOT_READY", "项目不具备安排条件"),
        GateKind::SpecialFund => (
            "SPECIAL_FUND_NOT_LINKED",
            "专项资金项目须对应专项资金目录中的专项",
        ),
        GateKind::KeyMatter => (
            "KEY_MATTER_NOT_LINKED",
            "重点保障事项须对应大事要事保障清单中的事项",
        ),
    };
    finding(code, kind.clause(), message)
}

fn judge(r: &GateRecord, f: &EligibilityFacts<'_>, p: &PolicyProfile, out: &mut Eligibility) {
    let lists = f.lists;
    match r {
        GateRecord::ExAnte(a) => ex_ante(a, lists, p, out),
        GateRecord::FiscalCapacity { result, .. } => match result {
            CapacityResult::Passed => {}
            CapacityResult::Failed => out.blocks.push(finding(
                "FISCAL_CAPACITY_FAILED",
                "ZB-2c",
                "未通过财政承受能力评估，不得安排预算",
            )),
            CapacityResult::Postponed => out.blocks.push(finding(
                "FISCAL_CAPACITY_POSTPONED",
                "ZB-2c",
                "财力不足，政府投资项目暂缓安排",
            )),
        },
        GateRecord::IndustryFund { fundable, .. } => {
            if *fundable {
                out.blocks.push(finding(
                    "INDUSTRY_FUND_ELIGIBLE",
                    "ZB-2d",
                    "符合产业基金扶持条件的，财政资金不再安排",
                ));
            }
        }
        GateRecord::PurchaseOfServices {
            item,
            provider,
            provider_kind,
        } => purchase(item, provider, *provider_kind, lists, out),
        GateRecord::Event { event_code } => {
            if !lists.events.iter().any(|e| &e.code == event_code) {
                out.blocks.push(finding(
                    "EVENT_NOT_LISTED",
                    "ZB-6a",
                    format!(
                        "活动“{event_code}”不在 {} 年节庆论坛展会清单内，不得安排支出",
                        f.fiscal_year
                    ),
                ));
            }
        }
        GateRecord::NotReady { reasons, note } => {
            if !reasons.is_empty() {
                let why: Vec<&str> = reasons.iter().map(|r| r.label()).collect();
                out.blocks.push(finding(
                    "NOT_READY",
                    "ZB-5f",
                    format!("{}：{}，一律不予安排", why.join("、"), note.trim()),
                ));
            }
        }
        GateRecord::SpecialFund { fund_code } => special_fund(fund_code, f, p, out),
        GateRecord::KeyMatter { item_code } => {
            if !lists.key_matters.iter().any(|e| &e.code == item_code) {
                out.blocks.push(finding(
                    "KEY_MATTER_NOT_LISTED",
                    "CS-2a",
                    format!(
                        "事项“{item_code}”不在 {} 年大事要事保障清单内",
                        f.fiscal_year
                    ),
                ));
            }
        }
    }
}

/// ZB-13a: the assessment supports the project; PM-12: by an agency not on the blacklist.
fn ex_ante(a: &ExAnteAssessment, lists: &Lists, p: &PolicyProfile, out: &mut Eligibility) {
    if !a.supports(&p.review) {
        out.blocks.push(finding(
            "EX_ANTE_NOT_SUPPORTED",
            "ZB-13a",
            format!(
                "事前绩效评估加权得分 {}，结论“{}”，未通过评估不得纳入预算",
                super::gates::show(a.total(&p.review)),
                a.conclusion.label()
            ),
        ));
    }
    if let Some(name) = &a.agency
        && lists
            .agencies
            .iter()
            .any(|e| &e.name == name && e.blacklisted)
    {
        out.blocks.push(finding(
            "AGENCY_BLACKLISTED",
            "PM-12",
            format!("评估机构“{name}”已列入黑名单，其评估结论不予采信"),
        ));
    }
}

/// ZB-8: nothing on the negative list is bought, and only a provider that may provide.
fn purchase(
    item: &str,
    provider: &str,
    provider_kind: ProviderKind,
    lists: &Lists,
    out: &mut Eligibility,
) {
    if let Some(hit) = negative_hit(item, &lists.negative) {
        out.blocks.push(finding(
            "PURCHASE_ON_NEGATIVE_LIST",
            "ZB-8",
            format!(
                "“{item}”属于政府购买服务负面清单事项“{}”（{}）",
                hit.name, hit.code
            ),
        ));
    }
    if !provider_kind.may_provide() {
        out.blocks.push(finding(
            "PURCHASE_PROVIDER_NOT_ALLOWED",
            "ZB-8",
            format!(
                "承接主体“{provider}”为{}，不得作为政府购买服务承接主体",
                provider_kind.label()
            ),
        ));
    }
}

fn special_fund(code: &str, f: &EligibilityFacts<'_>, p: &PolicyProfile, out: &mut Eligibility) {
    let Some(fund) = f.lists.funds.iter().find(|e| e.code == code) else {
        out.blocks.push(finding(
            "SPECIAL_FUND_UNKNOWN",
            "ZB-12",
            format!("专项资金“{code}”不在专项资金目录内"),
        ));
        return;
    };
    let terms = &fund.fund;
    match (terms.start_year, terms.last_year()) {
        (Some(start), _) if start > f.fiscal_year => out.blocks.push(finding(
            "SPECIAL_FUND_NOT_STARTED",
            "ZB-12",
            format!("专项资金“{}”自 {start} 年设立，本年度尚未设立", fund.name),
        )),
        (_, Some(last)) if last < f.fiscal_year => out.blocks.push(finding(
            "SPECIAL_FUND_EXPIRED",
            "ZB-12",
            format!(
                "专项资金“{}”执行期限至 {last} 年，期满不再安排（QJ-3b 到期退出）",
                fund.name
            ),
        )),
        _ => {}
    }
    if p.special_funds.one_per_department && terms.big {
        let same: Vec<&str> = f
            .lists
            .funds
            .iter()
            .filter(|e| e.fund.big && e.fund.lead_department_id == terms.lead_department_id)
            .map(|e| e.name.as_str())
            .collect();
        if same.len() > 1 {
            out.warnings.push(finding(
                "SPECIAL_FUND_NOT_ONE_PER_DEPARTMENT",
                "QJ-3b",
                format!(
                    "牵头部门管理 {} 个“大专项”：{}；原则上每个主管部门只管理 1 个",
                    same.len(),
                    same.join("、")
                ),
            ));
        }
    }
}

fn buyer(kind: Option<UnitKind>, out: &mut Eligibility) {
    let refusal = match kind {
        Some(UnitKind::PublicWelfare1 | UnitKind::MassOrg) => Some(finding(
            "PURCHASE_BUYER_NOT_ALLOWED",
            "ZB-8",
            "公益一类事业单位和财政拨款的群团组织不得作为政府购买服务的购买主体",
        )),
        Some(UnitKind::PublicWelfare2 | UnitKind::Business) => Some(finding(
            "PURCHASE_BUDGET_NOT_ALLOWED",
            "ZB-8",
            "无行政管理职能的事业单位不得编报政府购买服务预算",
        )),
        _ => None,
    };
    if let Some(r) = refusal {
        out.blocks.push(r);
        if let Some(g) = out
            .gates
            .iter_mut()
            .find(|g| g.gate == GateKind::PurchaseOfServices)
        {
            g.open = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Preset, Score, preset};
    use crate::review::gates::{ExAnteAssessment, ExAnteConclusion, NotReadyReason, ProviderKind};
    use crate::review::lists::SpecialFundTerms;

    fn profile() -> PolicyProfile {
        preset(Preset::LianyungangCity)
    }

    fn facts<'a>(gates: &'a [GateRecord], lists: &'a Lists) -> EligibilityFacts<'a> {
        EligibilityFacts {
            state: ProjectState::Admitted,
            fiscal_year: 2026,
            request: Money::from_yuan(100_000),
            is_new: false,
            is_major: false,
            tier: Some(SpendingTier::GeneralDevelopment),
            matter_class: Some(MatterClass::Misc),
            features: Features::default(),
            fund_book: Some(FundBook::GeneralPublic),
            unit_kind: Some(UnitKind::Administrative),
            unit_own_funds: None,
            gates,
            lists,
        }
    }

    fn codes(e: &Eligibility) -> Vec<&'static str> {
        e.blocks.iter().map(|b| b.code).collect()
    }

    #[test]
    fn qj_2a_only_admitted_projects_are_eligible() {
        let lists = Lists::default();
        let p = profile();
        assert!(eligibility(&facts(&[], &lists), &p).eligible());
        let mut f = facts(&[], &lists);
        f.state = ProjectState::Submitted;
        let e = eligibility(&f, &p);
        assert_eq!(
            (e.blocks[0].code, e.blocks[0].clause),
            ("PROJECT_NOT_IN_LIBRARY", "QJ-2a")
        );
    }

    #[test]
    fn zb_13a_new_major_projects_need_a_supporting_assessment() {
        let lists = Lists::default();
        let p = profile();
        let mut f = facts(&[], &lists);
        f.is_new = true;
        f.request = p.library.major_project_threshold;
        assert_eq!(codes(&eligibility(&f, &p)), ["EX_ANTE_MISSING"]);
        let s = Score::points(85);
        let gates = [GateRecord::ExAnte(ExAnteAssessment {
            necessity: s,
            economy: s,
            targets: s,
            feasibility: s,
            financing: s,
            conclusion: ExAnteConclusion::NoSupport,
            report_attachment_id: Some(1),
            agency: None,
        })];
        f.gates = &gates;
        assert_eq!(codes(&eligibility(&f, &p)), ["EX_ANTE_NOT_SUPPORTED"]);
        f.request = Money::from_fen(p.library.major_project_threshold.fen() - 1);
        assert!(
            eligibility(&f, &p).eligible(),
            "below the threshold, not major"
        );
    }

    #[test]
    fn zb_2c_capacity_passed_failed_postponed() {
        let lists = Lists::default();
        let p = profile();
        for (result, code) in [
            (CapacityResult::Failed, Some("FISCAL_CAPACITY_FAILED")),
            (CapacityResult::Postponed, Some("FISCAL_CAPACITY_POSTPONED")),
            (CapacityResult::Passed, None),
        ] {
            let gates = [GateRecord::FiscalCapacity {
                result,
                note: "评估".into(),
            }];
            let mut f = facts(&gates, &lists);
            f.matter_class = Some(MatterClass::GovInvestment);
            assert_eq!(
                codes(&eligibility(&f, &p)),
                code.into_iter().collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn zb_8_buyer_provider_and_negative_list() {
        let lists = Lists {
            negative: vec![ListEntry {
                code: "FM01".into(),
                name: "行政决策".into(),
                ..ListEntry::default()
            }],
            ..Lists::default()
        };
        let p = profile();
        let gates = [GateRecord::PurchaseOfServices {
            item: "重大行政决策咨询".into(),
            provider: "市第一中学".into(),
            provider_kind: ProviderKind::PublicWelfare1,
        }];
        let mut f = facts(&gates, &lists);
        f.features.purchase_of_services = true;
        f.unit_kind = Some(UnitKind::MassOrg);
        let e = eligibility(&f, &p);
        assert_eq!(
            codes(&e),
            [
                "PURCHASE_ON_NEGATIVE_LIST",
                "PURCHASE_PROVIDER_NOT_ALLOWED",
                "PURCHASE_BUYER_NOT_ALLOWED"
            ]
        );
        assert!(e.blocks.iter().all(|b| b.clause == "ZB-8"));
        f.unit_kind = Some(UnitKind::PublicWelfare2);
        assert!(codes(&eligibility(&f, &p)).contains(&"PURCHASE_BUDGET_NOT_ALLOWED"));
    }

    #[test]
    fn zb_12_special_funds_stop_after_their_period_and_qj_3b_warns_of_a_second_big_fund() {
        let entry = |code: &str, start: i32, years: u32| ListEntry {
            code: code.into(),
            name: format!("专项{code}"),
            fund: SpecialFundTerms {
                lead_department_id: Some(5),
                start_year: Some(start),
                period_years: Some(years),
                big: true,
                tasks: vec!["任务".into()],
                ..SpecialFundTerms::default()
            },
            ..ListEntry::default()
        };
        let lists = Lists {
            funds: vec![entry("A", 2022, 5), entry("B", 2021, 5)],
            ..Lists::default()
        };
        let p = profile();
        let a = [GateRecord::SpecialFund {
            fund_code: "A".into(),
        }];
        let mut f = facts(&a, &lists);
        f.features.special_fund = true;
        let e = eligibility(&f, &p);
        assert!(e.eligible(), "2022–2026 covers 2026");
        assert_eq!(
            e.warnings.len(),
            usize::from(p.special_funds.one_per_department)
        );
        let b = [GateRecord::SpecialFund {
            fund_code: "B".into(),
        }];
        f.gates = &b;
        let e = eligibility(&f, &p);
        assert_eq!(
            (e.blocks[0].code, e.blocks[0].clause),
            ("SPECIAL_FUND_EXPIRED", "ZB-12")
        );
    }

    #[test]
    fn zb_5f_not_ready_blocks_until_cleared_and_zb_11_warns() {
        let lists = Lists::default();
        let p = profile();
        let gates = [GateRecord::NotReady {
            reasons: vec![NotReadyReason::PolicyBasis],
            note: "文件未印发".into(),
        }];
        let mut f = facts(&gates, &lists);
        let e = eligibility(&f, &p);
        assert_eq!(
            (e.blocks[0].code, e.blocks[0].clause),
            ("NOT_READY", "ZB-5f")
        );
        let cleared = [GateRecord::NotReady {
            reasons: vec![],
            note: String::new(),
        }];
        f.gates = &cleared;
        f.unit_own_funds = Some(Money::from_yuan(100_000));
        let e = eligibility(&f, &p);
        assert!(e.eligible());
        assert_eq!(
            (e.warnings[0].code, e.warnings[0].clause),
            ("UNIT_FUNDS_FIRST", "ZB-11")
        );
    }

    #[test]
    fn zb_6a_and_cs_2a_need_a_listed_entry_of_the_year() {
        let listed = |code: &str| ListEntry {
            code: code.into(),
            name: "x".into(),
            year: Some(2026),
            ..ListEntry::default()
        };
        let lists = Lists {
            events: vec![listed("JQ01")],
            key_matters: vec![listed("DS01")],
            ..Lists::default()
        };
        let p = profile();
        let mut f = facts(&[], &lists);
        f.features.event = true;
        f.tier = Some(SpendingTier::KeyPriorities);
        assert_eq!(
            codes(&eligibility(&f, &p)),
            ["EVENT_NOT_LINKED", "KEY_MATTER_NOT_LINKED"]
        );
        let wrong = [
            GateRecord::Event {
                event_code: "JQ99".into(),
            },
            GateRecord::KeyMatter {
                item_code: "DS01".into(),
            },
        ];
        f.gates = &wrong;
        assert_eq!(codes(&eligibility(&f, &p)), ["EVENT_NOT_LISTED"]);
    }
}
