//! The assessments and checks recorded on a project before it may be funded: ex-ante
//! performance assessment (ZB-13a, PM-6, QJ-3a, ZB-12), fiscal capacity (ZB-2c), industry-fund
//! eligibility (ZB-2d), purchase of services (ZB-8), the events list (ZB-6a), "not ready"
//! (ZB-5f) and the special fund a project belongs to (ZB-12, QJ-3b). Each record is checked
//! here when it is entered; [`super::eligibility`] decides what it means for funding.

use serde::{Deserialize, Serialize};

use crate::Refusal;
use crate::foundation::policy::{Review, Score};
use crate::library::lifecycle::Mover;

labelled! {
    /// The kinds of gate record.
    #[derive(PartialOrd, Ord)]
    GateKind: custom {
        ExAnte = "ex_ante" / "事前绩效评估",
        FiscalCapacity = "fiscal_capacity" / "财政承受能力评估",
        IndustryFund = "industry_fund" / "产业基金支持认定",
        PurchaseOfServices = "purchase_of_services" / "政府购买服务",
        /// 节庆论坛展会清单.
        Event = "event" / "节庆论坛展会",
        /// 不具备安排条件.
        NotReady = "not_ready" / "安排条件",
        /// 所属专项资金.
        SpecialFund = "special_fund" / "专项资金",
        /// 大事要事保障清单事项.
        KeyMatter = "key_matter" / "大事要事保障清单",
    }
}

impl GateKind {
    /// The clause the gate implements.
    pub fn clause(self) -> &'static str {
        match self {
            GateKind::ExAnte => "ZB-13a",
            GateKind::FiscalCapacity => "ZB-2c",
            GateKind::IndustryFund => "ZB-2d",
            GateKind::PurchaseOfServices => "ZB-8",
            GateKind::Event => "ZB-6a",
            GateKind::NotReady => "ZB-5f",
            GateKind::SpecialFund => "ZB-12",
            GateKind::KeyMatter => "CS-2a",
        }
    }

    /// Who records it: assessments and findings are finance's (the department may find a
    /// project not ready, ZB-5f); what the project is for (the service bought, the event, the
    /// fund, the key matter) its unit states while it may edit, and reviewers may correct.
    pub fn recorded_by(self, by: Mover, unit_may_edit: bool) -> bool {
        match self {
            GateKind::ExAnte | GateKind::FiscalCapacity | GateKind::IndustryFund => {
                matches!(by, Mover::Finance | Mover::System)
            }
            GateKind::NotReady => matches!(by, Mover::Reviewer | Mover::Finance | Mover::System),
            GateKind::PurchaseOfServices
            | GateKind::Event
            | GateKind::SpecialFund
            | GateKind::KeyMatter => match by {
                Mover::Unit => unit_may_edit,
                Mover::Reviewer | Mover::Finance | Mover::System => true,
                Mover::Review => false,
            },
        }
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Result<GateKind, Refusal> {
        GateKind::ALL
            .into_iter()
            .find(|g| g.as_str() == s.trim())
            .ok_or_else(|| Refusal::new("GATE_UNKNOWN", format!("审核事项“{s}”未知")).field("gate"))
    }
}

labelled! {
    /// 事前绩效评估结论.
    ExAnteConclusion {
        Support = "support" / "予以支持",
        SupportAfterAdjustment = "support_after_adjustment" / "调整后予以支持",
        NoSupport = "no_support" / "不予支持",
    }
}

/// An ex-ante performance assessment (ZB-13a, PM-6, QJ-3a): five dimensions scored 0–100, a
/// conclusion, the report and, when one did it, the third-party agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExAnteAssessment {
    /// 立项必要性, in hundredths of a point (0–10000).
    pub necessity: Score,
    /// 投入经济性.
    pub economy: Score,
    /// 绩效目标合理性.
    pub targets: Score,
    /// 实施方案可行性.
    pub feasibility: Score,
    /// 筹资合规性.
    pub financing: Score,
    pub conclusion: ExAnteConclusion,
    /// The report, an attachment of the project.
    pub report_attachment_id: Option<i64>,
    /// The assessment agency from finance's registry, when a third party assessed.
    pub agency: Option<String>,
}

impl ExAnteAssessment {
    /// The dimensions with their field names, Chinese names, scores and profile weights.
    pub fn dimensions(&self, p: &Review) -> [(&'static str, &'static str, Score, Score); 5] {
        [
            (
                "necessity",
                "立项必要性",
                self.necessity,
                p.ex_ante_weight_necessity,
            ),
            (
                "economy",
                "投入经济性",
                self.economy,
                p.ex_ante_weight_economy,
            ),
            (
                "targets",
                "绩效目标合理性",
                self.targets,
                p.ex_ante_weight_targets,
            ),
            (
                "feasibility",
                "实施方案可行性",
                self.feasibility,
                p.ex_ante_weight_feasibility,
            ),
            (
                "financing",
                "筹资合规性",
                self.financing,
                p.ex_ante_weight_financing,
            ),
        ]
    }

    /// The weighted total: Σ score × weight ÷ Σ weights, in hundredths, rounded half up.
    pub fn total(&self, p: &Review) -> Score {
        let dims = self.dimensions(p);
        let weights: u64 = dims.iter().map(|d| u64::from(d.3.0)).sum();
        if weights == 0 {
            return Score(0);
        }
        let weighted: u64 = dims
            .iter()
            .map(|d| u64::from(d.2.0) * u64::from(d.3.0))
            .sum();
        Score(u32::try_from((weighted * 2 + weights) / (weights * 2)).unwrap_or(u32::MAX))
    }

    /// True when the assessment supports the project: a supporting conclusion at or above
    /// the profile's pass score.
    pub fn supports(&self, p: &Review) -> bool {
        self.conclusion != ExAnteConclusion::NoSupport && self.total(p) >= p.ex_ante_pass_score
    }

    /// Checks the record: every score within 0–100, the report attached, and a supporting
    /// conclusion only at or above the pass score.
    pub fn check(&self, p: &Review) -> Vec<Refusal> {
        let mut out = Vec::new();
        for (field, name, score, _) in self.dimensions(p) {
            if score > Score::points(100) {
                out.push(
                    Refusal::new(
                        "EX_ANTE_SCORE_OUT_OF_RANGE",
                        format!("“{name}”得分应在 0–100 之间"),
                    )
                    .field(field)
                    .clause("ZB-13a"),
                );
            }
        }
        if self.report_attachment_id.is_none() {
            out.push(
                Refusal::new(
                    "EX_ANTE_REPORT_MISSING",
                    "请在附件中上传事前绩效评估报告并选中",
                )
                .field("report_attachment_id")
                .clause("PM-6"),
            );
        }
        if out.is_empty()
            && self.conclusion != ExAnteConclusion::NoSupport
            && self.total(p) < p.ex_ante_pass_score
        {
            out.push(
                Refusal::new(
                    "EX_ANTE_CONCLUSION_INCONSISTENT",
                    format!(
                        "加权得分 {} 低于 {}，结论应为“不予支持”",
                        show(self.total(p)),
                        show(p.ex_ante_pass_score)
                    ),
                )
                .field("conclusion")
                .clause("ZB-13a"),
            );
        }
        out
    }
}

/// A score as 87.5 分.
pub fn show(s: Score) -> String {
    crate::foundation::policy::ParamValue::display(&s)
}

labelled! {
    /// 财政承受能力评估结果 (ZB-2c).
    CapacityResult {
        Passed = "passed" / "通过",
        Failed = "failed" / "未通过",
        /// 财力不足，暂缓.
        Postponed = "postponed" / "暂缓",
    }
}

labelled! {
    /// Why a project is not ready (ZB-5f).
    NotReadyReason {
        PolicyBasis = "policy_basis" / "政策依据不充分",
        Preparation = "preparation" / "前期工作不成熟",
        Conditions = "conditions" / "实施条件不具备",
    }
}

/// One gate record, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "gate", rename_all = "snake_case")]
pub enum GateRecord {
    /// ZB-13a, PM-6, QJ-3a.
    ExAnte(ExAnteAssessment),
    /// ZB-2c.
    FiscalCapacity {
        result: CapacityResult,
        note: String,
    },
    /// ZB-2d: finance's finding whether the industry fund can support the project.
    IndustryFund {
        /// The industry fund can support it, so the budget does not.
        fundable: bool,
        /// Basis of the finding.
        note: String,
    },
    /// ZB-8: what is bought and who provides it.
    PurchaseOfServices {
        /// The service bought, as the guidance catalogue names it.
        item: String,
        /// 承接主体.
        provider: String,
        /// 承接主体类型 (a unit kind or another kind of provider).
        provider_kind: ProviderKind,
    },
    /// ZB-6a: the listed event the expense is for.
    Event {
        /// Code of the entry on the events list.
        event_code: String,
    },
    /// ZB-5f: not ready for funding, until finance clears it.
    NotReady {
        /// Why; empty once cleared.
        reasons: Vec<NotReadyReason>,
        note: String,
    },
    /// ZB-12: the registered special fund the project belongs to.
    SpecialFund {
        /// Code of the fund in the registry.
        fund_code: String,
    },
    /// CS-2a, ZX-1: the key-matters item the project carries out.
    KeyMatter {
        /// Code of the item on the key-matters list.
        item_code: String,
    },
}

impl GateRecord {
    pub fn kind(&self) -> GateKind {
        match self {
            GateRecord::ExAnte(_) => GateKind::ExAnte,
            GateRecord::FiscalCapacity { .. } => GateKind::FiscalCapacity,
            GateRecord::IndustryFund { .. } => GateKind::IndustryFund,
            GateRecord::PurchaseOfServices { .. } => GateKind::PurchaseOfServices,
            GateRecord::Event { .. } => GateKind::Event,
            GateRecord::NotReady { .. } => GateKind::NotReady,
            GateRecord::SpecialFund { .. } => GateKind::SpecialFund,
            GateRecord::KeyMatter { .. } => GateKind::KeyMatter,
        }
    }

    /// Checks what can be checked without the finance lists.
    pub fn check(&self, p: &Review) -> Vec<Refusal> {
        let required = |v: &str, field: &'static str, what: &str, clause: &'static str| {
            v.trim().is_empty().then(|| {
                Refusal::new("GATE_FIELD_MISSING", format!("请填写{what}"))
                    .field(field)
                    .clause(clause)
            })
        };
        match self {
            GateRecord::ExAnte(a) => a.check(p),
            GateRecord::FiscalCapacity { note, .. } => required(note, "note", "评估意见", "ZB-2c")
                .into_iter()
                .collect(),
            GateRecord::IndustryFund { note, .. } => required(note, "note", "认定依据", "ZB-2d")
                .into_iter()
                .collect(),
            GateRecord::PurchaseOfServices { item, provider, .. } => [
                required(item, "item", "购买服务事项", "ZB-8"),
                required(provider, "provider", "承接主体", "ZB-8"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            GateRecord::Event { event_code } => {
                required(event_code, "event_code", "清单内的活动", "ZB-6a")
                    .into_iter()
                    .collect()
            }
            GateRecord::NotReady { reasons, note } => {
                if reasons.is_empty() {
                    Vec::new()
                } else {
                    required(note, "note", "不具备安排条件的说明", "ZB-5f")
                        .into_iter()
                        .collect()
                }
            }
            GateRecord::SpecialFund { fund_code } => {
                required(fund_code, "fund_code", "所属专项资金", "ZB-12")
                    .into_iter()
                    .collect()
            }
            GateRecord::KeyMatter { item_code } => {
                required(item_code, "item_code", "大事要事保障清单事项", "CS-2a")
                    .into_iter()
                    .collect()
            }
        }
    }
}

labelled! {
    /// Who provides a purchased service (ZB-8).
    ProviderKind {
        SocialOrganisation = "social_organisation" / "社会组织",
        Enterprise = "enterprise" / "企业",
        ServiceInstitution = "service_institution" / "公益二类或经营类事业单位",
        /// 公益一类事业单位 — may not provide (ZB-8).
        #[serde(alias = "public_welfare1")]
        PublicWelfare1 = "public_welfare_1" / "公益一类事业单位",
        /// 财政拨款的群团组织 — may not provide (ZB-8).
        FundedMassOrg = "funded_mass_org" / "财政拨款的群团组织",
        /// 行政机关 — may not provide.
        GovernmentOrgan = "government_organ" / "行政机关",
    }
}

impl ProviderKind {
    /// May this kind of body take on a purchased service (ZB-8)?
    pub fn may_provide(self) -> bool {
        !matches!(
            self,
            ProviderKind::PublicWelfare1
                | ProviderKind::FundedMassOrg
                | ProviderKind::GovernmentOrgan
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Preset, preset};

    fn review() -> Review {
        preset(Preset::LianyungangCity).review
    }

    fn assessment(points: u32, conclusion: ExAnteConclusion) -> ExAnteAssessment {
        let s = Score::points(points);
        ExAnteAssessment {
            necessity: s,
            economy: s,
            targets: s,
            feasibility: s,
            financing: s,
            conclusion,
            report_attachment_id: Some(1),
            agency: None,
        }
    }

    #[test]
    fn zb_13a_the_five_dimensions_are_weighted_by_the_profile() {
        let mut p = review();
        let mut a = assessment(80, ExAnteConclusion::Support);
        assert_eq!(a.total(&p), Score::points(80));
        a.necessity = Score::points(100);
        p.ex_ante_weight_necessity = Score::points(40);
        p.ex_ante_weight_financing = Score::points(0);
        // (100×40 + 80×20×3) ÷ 100 = 88
        assert_eq!(a.total(&p), Score::points(88));
    }

    #[test]
    fn zb_13a_support_needs_the_pass_score_and_a_report() {
        let p = review();
        let pass = p.ex_ante_pass_score.0 / 100;
        assert!(assessment(pass, ExAnteConclusion::Support).supports(&p));
        assert!(
            assessment(pass, ExAnteConclusion::Support)
                .check(&p)
                .is_empty()
        );
        let low = assessment(pass - 1, ExAnteConclusion::SupportAfterAdjustment);
        assert!(!low.supports(&p));
        let r = low.check(&p);
        assert_eq!(
            (r[0].code, r[0].clause),
            ("EX_ANTE_CONCLUSION_INCONSISTENT", Some("ZB-13a"))
        );
        assert!(
            assessment(pass - 1, ExAnteConclusion::NoSupport)
                .check(&p)
                .is_empty()
        );
        assert!(!assessment(95, ExAnteConclusion::NoSupport).supports(&p));
        let mut no_report = assessment(90, ExAnteConclusion::Support);
        no_report.report_attachment_id = None;
        assert_eq!(no_report.check(&p)[0].clause, Some("PM-6"));
        let over = assessment(101, ExAnteConclusion::Support).check(&p);
        assert_eq!(over.len(), 5);
    }

    #[test]
    fn zb_8_public_welfare_1_units_and_funded_mass_organisations_may_not_provide() {
        assert!(ProviderKind::SocialOrganisation.may_provide());
        assert!(!ProviderKind::PublicWelfare1.may_provide());
        assert!(!ProviderKind::FundedMassOrg.may_provide());
    }

    #[test]
    fn zb_5f_not_ready_needs_an_explanation_and_clears_with_no_reasons() {
        let p = review();
        let r = GateRecord::NotReady {
            reasons: vec![NotReadyReason::Preparation],
            note: " ".into(),
        };
        assert_eq!(r.check(&p)[0].clause, Some("ZB-5f"));
        let cleared = GateRecord::NotReady {
            reasons: vec![],
            note: String::new(),
        };
        assert!(cleared.check(&p).is_empty());
        for g in GateKind::ALL {
            assert_eq!(GateKind::parse(g.as_str()).unwrap(), g);
        }
    }
}
