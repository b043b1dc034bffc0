//! Gate records on a project (ZB-13a, ZB-2c, ZB-2d, ZB-8, ZB-6a, ZB-5f, ZB-12, CS-2a) and the
//! one answer to "may it be funded?" that the page, the API and the allocation share.

use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::library::ProjectState;
use lingji_domain::review::eligibility::{Eligibility, EligibilityFacts, eligibility};
use lingji_domain::review::gates::{CapacityResult, GateKind, GateRecord, NotReadyReason};
use lingji_domain::review::lists::ListEntry;
use lingji_domain::{Money, Refusal};
use lingji_store::library::projects::ProjectDetail;
use lingji_store::review::{self, StoredGate};
use lingji_store::{foundation::orgs, library::attachments, library::projects};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::library::projects::mover;

/// A project's gates: the records and what they mean for funding.
#[derive(Debug, Clone, Serialize)]
pub struct GateView {
    /// Records, one per kind at most.
    pub records: Vec<StoredGate>,
    /// The answer (ZB-13a … CS-2a, QJ-2a).
    pub eligibility: Eligibility,
    /// The kinds the caller may record now.
    pub recordable: Vec<GateKind>,
}

fn unlisted(code: &'static str, clause: &'static str, field: &str, message: String) -> Refusal {
    Refusal::new(code, message).field(field).clause(clause)
}

fn listed(entries: &[ListEntry], code: &str) -> bool {
    entries.iter().any(|e| e.code == code.trim())
}

/// What the eligibility rules read of a project, its unit, its gate records and the lists.
pub(crate) fn facts_of<'a>(
    h: &lingji_store::library::projects::ProjectHeader,
    unit: Option<&orgs::Organisation>,
    gates: &'a [GateRecord],
    lists: &'a lingji_domain::review::eligibility::Lists,
) -> EligibilityFacts<'a> {
    let own = unit.map(|u| u.own_funds).unwrap_or(Money::ZERO);
    EligibilityFacts {
        state: h.state,
        fiscal_year: h.fiscal_year,
        request: h.request,
        is_new: h.is_new,
        is_major: h.is_major,
        tier: h.tier,
        matter_class: h.matter_class,
        features: h.features,
        fund_book: h.fund_book,
        unit_kind: unit.and_then(|u| u.unit_kind),
        unit_own_funds: (own > Money::ZERO).then_some(own),
        gates,
        lists,
    }
}

impl crate::ReviewUseCases<'_> {
    /// The facts and the answer for one loaded project.
    pub(crate) async fn eligibility_in(
        &self,
        conn: &mut AnyConnection,
        d: &ProjectDetail,
        gates: &[GateRecord],
    ) -> AppResult<Eligibility> {
        let h = &d.project.header;
        let profile =
            crate::foundation::profiles::in_force(conn, h.jurisdiction_id, h.fiscal_year).await?;
        let lists =
            crate::review::finance_lists::in_force(conn, h.jurisdiction_id, h.fiscal_year).await?;
        let unit = orgs::get(conn, h.unit_id)
            .await?
            .ok_or_else(|| AppError::not_found("单位"))?;
        let facts = facts_of(h, Some(&unit), gates, &lists);
        Ok(eligibility(&facts, &profile))
    }

    /// A project's gates and funding eligibility.
    #[tracing::instrument(skip_all)]
    pub async fn project_gates(&self, caller: &Caller, id: i64) -> AppResult<GateView> {
        let mut conn = self.store.read().acquire().await?;
        let d = self
            .library()
            .load_for(caller, &mut conn, id, Access::Read)
            .await?;
        let records = review::gates(&mut conn, id).await?;
        let plain: Vec<GateRecord> = records.iter().map(|g| g.record.clone()).collect();
        let eligibility = self.eligibility_in(&mut conn, &d, &plain).await?;
        // Read access is checked; recording needs a mover (never a joint reviewer) in scope.
        let path = crate::library::projects::path_of(&d.project.header);
        let writable = caller
            .authorize(Resource::Project, Access::Write, &path)
            .is_ok();
        let recordable = match mover(caller) {
            Some(by) if writable => GateKind::ALL
                .into_iter()
                .filter(|k| k.recorded_by(by, d.project.header.state.editable_by_unit()))
                .collect(),
            _ => Vec::new(),
        };
        Ok(GateView {
            records,
            eligibility,
            recordable,
        })
    }

    /// Records (or replaces) a gate record on a project. A fiscal-capacity result moves an
    /// admitted project to postponed and back (ZB-2c).
    #[tracing::instrument(skip_all)]
    pub async fn record_gate(
        &self,
        caller: &Caller,
        id: i64,
        record: GateRecord,
    ) -> AppResult<GateView> {
        let mut tx = self.store.begin().await?;
        let d = self
            .library()
            .load_for(caller, &mut tx, id, Access::Write)
            .await?;
        let h = &d.project.header;
        let kind = record.kind();
        let allowed =
            mover(caller).is_some_and(|by| kind.recorded_by(by, h.state.editable_by_unit()));
        if !allowed {
            return Err(AppError::Forbidden(
                Refusal::new("GATE_NOT_YOURS", format!("“{}”不由您记录", kind.label()))
                    .field("gate")
                    .clause(kind.clause()),
            ));
        }
        if matches!(h.state, ProjectState::Completed | ProjectState::Retired) {
            return Err(Refusal::new(
                "PROJECT_CLOSED",
                format!("“{}”的项目不再记录审核事项", h.state.label()),
            )
            .field("state")
            .clause("ZB-15c")
            .into());
        }
        let profile =
            crate::foundation::profiles::in_force(&mut tx, h.jurisdiction_id, h.fiscal_year)
                .await?;
        let mut errors = record.check(&profile.review);
        errors.extend(self.check_against_lists(&mut tx, &d, &record).await?);
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new(
                    "GATE_RECORD_INVALID",
                    format!("{}有 {} 处需补正", kind.label(), errors.len()),
                )
                .clause(kind.clause()),
                errors,
            });
        }
        let before = review::put_gate(&mut tx, id, &record, caller.name()).await?;
        // ZB-2c: a government investment the bureau cannot yet afford waits in 暂缓.
        let to = match (&record, h.state) {
            (
                GateRecord::FiscalCapacity {
                    result: CapacityResult::Postponed,
                    ..
                },
                ProjectState::Admitted,
            ) => Some(ProjectState::Postponed),
            (
                GateRecord::FiscalCapacity {
                    result: CapacityResult::Passed,
                    ..
                },
                ProjectState::Postponed,
            ) => Some(ProjectState::Admitted),
            _ => None,
        };
        if let Some(to) = to {
            projects::set_state(&mut tx, id, to, d.project.version).await?;
        }
        projects::add_history(
            &mut tx,
            id,
            caller.name(),
            "gate",
            to.map(|t| (h.state, t)),
            &format!("记录{}（{}）", kind.label(), kind.clause()),
        )
        .await?;
        let event = caller
            .event(h.jurisdiction_id, "project.gate", "project", id)
            .before_json(&before)
            .after_json(&record);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        self.project_gates(caller, id).await
    }

    /// What only the lists and the project's own files can tell: the event, fund and key
    /// matter are listed; the report is one of the project's attachments; the agency is
    /// registered and not blacklisted (PM-12).
    async fn check_against_lists(
        &self,
        conn: &mut AnyConnection,
        d: &ProjectDetail,
        record: &GateRecord,
    ) -> AppResult<Vec<Refusal>> {
        let h = &d.project.header;
        let lists =
            crate::review::finance_lists::in_force(conn, h.jurisdiction_id, h.fiscal_year).await?;
        let mut out = Vec::new();
        match record {
            GateRecord::Event { event_code } if !listed(&lists.events, event_code) => {
                out.push(unlisted(
                    "EVENT_NOT_LISTED",
                    "ZB-6a",
                    "event_code",
                    format!("“{event_code}”不在 {} 年节庆论坛展会清单内", h.fiscal_year),
                ));
            }
            GateRecord::SpecialFund { fund_code } if !listed(&lists.funds, fund_code) => {
                out.push(unlisted(
                    "SPECIAL_FUND_UNKNOWN",
                    "ZB-12",
                    "fund_code",
                    format!("“{fund_code}”不在专项资金目录内"),
                ));
            }
            GateRecord::KeyMatter { item_code } if !listed(&lists.key_matters, item_code) => {
                out.push(unlisted(
                    "KEY_MATTER_NOT_LISTED",
                    "CS-2a",
                    "item_code",
                    format!("“{item_code}”不在 {} 年大事要事保障清单内", h.fiscal_year),
                ));
            }
            GateRecord::ExAnte(a) => {
                if let Some(att) = a.report_attachment_id
                    && attachments::get(conn, d.project.id, att).await?.is_none()
                {
                    out.push(unlisted(
                        "EX_ANTE_REPORT_MISSING",
                        "PM-6",
                        "report_attachment_id",
                        "评估报告须是本项目的附件".into(),
                    ));
                }
                if let Some(name) = a.agency.as_deref().filter(|n| !n.trim().is_empty()) {
                    match lists.agencies.iter().find(|e| e.name == name.trim()) {
                        None => out.push(unlisted(
                            "AGENCY_UNKNOWN",
                            "ZB-13a",
                            "agency",
                            format!("评估机构“{name}”不在评估机构名录内"),
                        )),
                        Some(e) if e.blacklisted => out.push(unlisted(
                            "AGENCY_BLACKLISTED",
                            "PM-12",
                            "agency",
                            format!("评估机构“{name}”已列入黑名单"),
                        )),
                        Some(_) => {}
                    }
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// Records a unit's own funds available for the coming year (ZB-11).
    #[tracing::instrument(skip_all)]
    pub async fn set_own_funds(
        &self,
        caller: &Caller,
        unit_id: i64,
        amount: &str,
        expected_version: i64,
    ) -> AppResult<Money> {
        let mut tx = self.store.begin().await?;
        let unit = orgs::get(&mut tx, unit_id)
            .await?
            .ok_or_else(|| AppError::not_found("单位"))?;
        caller.authorize(Resource::Organisation, Access::Write, &unit.path)?;
        if unit.kind != lingji_domain::foundation::org::OrgKind::Unit {
            return Err(
                Refusal::new("OWN_FUNDS_UNIT_ONLY", "单位资金只记录在预算单位上")
                    .field("own_funds")
                    .clause("ZB-11")
                    .into(),
            );
        }
        let money = Money::parse_non_negative(amount.trim(), "own_funds")?;
        let before = unit.own_funds;
        orgs::set_own_funds(&mut tx, unit_id, money, expected_version).await?;
        let event = caller
            .event(
                unit.path.jurisdiction,
                "organisation.own_funds",
                "organisation",
                unit_id,
            )
            .before_json(&serde_json::json!({ "own_funds": before.fen() }))
            .after_json(&serde_json::json!({ "own_funds": money.fen() }));
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(money)
    }
}

/// A gate record as a form or the API sends it: `gate` names the kind, the other fields are
/// those of that kind (scores as points, e.g. "85" or "87.5").
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GateInput {
    /// `ex_ante`, `fiscal_capacity`, `industry_fund`, `purchase_of_services`, `event`,
    /// `not_ready`, `special_fund` or `key_matter`.
    pub gate: String,
    /// Ex-ante: 立项必要性 score, 0–100.
    pub necessity: String,
    /// Ex-ante: 投入经济性.
    pub economy: String,
    /// Ex-ante: 绩效目标合理性.
    pub targets: String,
    /// Ex-ante: 实施方案可行性.
    pub feasibility: String,
    /// Ex-ante: 筹资合规性.
    pub financing: String,
    /// Ex-ante: `support`, `support_after_adjustment` or `no_support`.
    pub conclusion: String,
    /// Ex-ante: the report, an attachment id of the project.
    pub report_attachment_id: Option<i64>,
    /// Ex-ante: the third-party agency, by name, when one assessed.
    pub agency: String,
    /// Fiscal capacity: `passed`, `failed` or `postponed`.
    pub result: String,
    /// Fiscal capacity, industry fund, not ready: the explanation.
    pub note: String,
    /// Industry fund: the industry fund can support the project.
    pub fundable: bool,
    /// Purchase of services: the service bought.
    pub item: String,
    /// Purchase of services: the provider.
    pub provider: String,
    /// Purchase of services: provider kind (`social_organisation`, `enterprise`,
    /// `service_institution`, `public_welfare_1`, `funded_mass_org`, `government_organ`).
    #[schema(value_type = crate::schema::ProviderKind)]
    pub provider_kind: String,
    /// Event: code on the events list.
    pub event_code: String,
    /// Not ready: `policy_basis`, `preparation`, `conditions` (none clears it).
    pub reasons: Vec<String>,
    /// Special fund: code in the registry.
    pub fund_code: String,
    /// Key matter: code on the key-matters list.
    pub item_code: String,
}

fn pick<T: Copy>(
    all: &[T],
    id: impl Fn(T) -> &'static str,
    raw: &str,
    field: &str,
    clause: &'static str,
) -> Result<T, Refusal> {
    all.iter()
        .copied()
        .find(|v| id(*v) == raw.trim())
        .ok_or_else(|| {
            Refusal::new("GATE_VALUE_UNKNOWN", format!("“{raw}”不是可选的值"))
                .field(field)
                .clause(clause)
        })
}

impl GateInput {
    /// The record, or every field that does not parse.
    pub fn into_record(self) -> Result<GateRecord, Vec<Refusal>> {
        use lingji_domain::review::gates::ProviderKind;
        let kind = GateKind::parse(&self.gate).map_err(|r| vec![r])?;
        Ok(match kind {
            GateKind::ExAnte => self.ex_ante()?,
            GateKind::FiscalCapacity => GateRecord::FiscalCapacity {
                result: pick(
                    &CapacityResult::ALL,
                    CapacityResult::as_str,
                    &self.result,
                    "result",
                    "ZB-2c",
                )
                .map_err(|r| vec![r])?,
                note: self.note.trim().to_string(),
            },
            GateKind::IndustryFund => GateRecord::IndustryFund {
                fundable: self.fundable,
                note: self.note.trim().to_string(),
            },
            GateKind::PurchaseOfServices => GateRecord::PurchaseOfServices {
                item: self.item.trim().to_string(),
                provider: self.provider.trim().to_string(),
                provider_kind: pick(
                    &ProviderKind::ALL,
                    ProviderKind::as_str,
                    &self.provider_kind,
                    "provider_kind",
                    "ZB-8",
                )
                .map_err(|r| vec![r])?,
            },
            GateKind::Event => GateRecord::Event {
                event_code: self.event_code.trim().to_string(),
            },
            GateKind::NotReady => GateRecord::NotReady {
                reasons: self.not_ready_reasons().map_err(|r| vec![r])?,
                note: self.note.trim().to_string(),
            },
            GateKind::SpecialFund => GateRecord::SpecialFund {
                fund_code: self.fund_code.trim().to_string(),
            },
            GateKind::KeyMatter => GateRecord::KeyMatter {
                item_code: self.item_code.trim().to_string(),
            },
        })
    }

    /// The ex-ante assessment (ZB-13a), every malformed score and the conclusion reported
    /// together.
    fn ex_ante(&self) -> Result<GateRecord, Vec<Refusal>> {
        use lingji_domain::foundation::policy::{ParamValue, Score};
        use lingji_domain::review::gates::{ExAnteAssessment, ExAnteConclusion};
        let mut errors = Vec::new();
        let mut score = |raw: &str, field: &str| match Score::parse_param(raw) {
            Ok(s) => s,
            Err(m) => {
                errors.push(
                    Refusal::new("EX_ANTE_SCORE_MALFORMED", m)
                        .field(field)
                        .clause("ZB-13a"),
                );
                Score(0)
            }
        };
        let necessity = score(&self.necessity, "necessity");
        let economy = score(&self.economy, "economy");
        let targets = score(&self.targets, "targets");
        let feasibility = score(&self.feasibility, "feasibility");
        let financing = score(&self.financing, "financing");
        let conclusion = pick(
            &ExAnteConclusion::ALL,
            ExAnteConclusion::as_str,
            &self.conclusion,
            "conclusion",
            "ZB-13a",
        )
        .map_err(|r| errors.push(r))
        .unwrap_or(ExAnteConclusion::NoSupport);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(GateRecord::ExAnte(ExAnteAssessment {
            necessity,
            economy,
            targets,
            feasibility,
            financing,
            conclusion,
            report_attachment_id: self.report_attachment_id,
            agency: Some(self.agency.trim().to_string()).filter(|a| !a.is_empty()),
        }))
    }

    /// The reasons a project is not ready (ZB-5f), blanks skipped.
    fn not_ready_reasons(&self) -> Result<Vec<NotReadyReason>, Refusal> {
        self.reasons
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| {
                pick(
                    &NotReadyReason::ALL,
                    NotReadyReason::as_str,
                    r,
                    "reasons",
                    "ZB-5f",
                )
            })
            .collect()
    }
}
