//! The monitoring rule catalogue finance keeps (ZX-4b): rules edited with a syntax check and
//! tried on past payments before they are switched on; the hits with their disposition
//! (核实 → 正常 / 违规 → 整改) and their statistics ("止付 369 笔 5710 万元"); and the suspension of
//! a project's payments by performance monitoring (PM-9).

use crate::Scope;
use lingji_domain::execution::{
    self, Disposition, Hit, MonitoringRule, PaymentStatus, rule_levels,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::codes::RegionCode;
use lingji_domain::foundation::levels::JurisdictionLevel;
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::{Money, Refusal};
use lingji_store::StoreError;
use lingji_store::execution::hits::{self, RuleStat, StoredHit};
use lingji_store::execution::payments::{self as store};
use lingji_store::execution::request_context;
use lingji_store::execution::rules::{self, StoredRule};
use lingji_store::execution::suspensions;
use serde::Serialize;

use crate::error::{AppError, AppResult, required_note};
use crate::execution::payment_facts::facts;

/// Past payments a dry run tries a rule on, newest first.
pub const DRY_RUN_PAYMENTS: i64 = 2_000;

/// What a rule would have done to past payments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DryRun {
    pub checked: usize,
    /// Payments the rule hits.
    pub hits: usize,
    #[schema(value_type = String)]
    pub amount: Money,
    /// Up to 20 of the hit payments' ids.
    pub examples: Vec<i64>,
}

/// Hit statistics of a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HitStats {
    pub rules: Vec<RuleStatView>,
    /// Per class: class, hits, amount, stopped, stopped amount.
    pub classes: Vec<RuleStatView>,
    /// Per level that set the rules (省级, 市级, 县级; ZX-4b), in `class`: hits, amount,
    /// stopped, stopped amount.
    pub levels: Vec<RuleStatView>,
    pub hits: i64,
    /// Payments stopped (blocked or released) among the hit ones.
    pub stopped: i64,
    #[schema(value_type = String)]
    pub stopped_amount: Money,
}

/// One row of the statistics.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleStatView {
    pub class: String,
    /// The level that set the rule: 省级, 市级 or 县级 (ZX-4b).
    pub level_label: &'static str,
    /// Rule code (empty on class rows).
    pub code: String,
    /// Rule name (empty on class rows).
    pub name: String,
    pub hits: i64,
    /// Sum of the hit payments.
    #[schema(value_type = String)]
    pub amount: Money,
    pub stopped: i64,
    #[schema(value_type = String)]
    pub stopped_amount: Money,
}

/// A rule as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleRow {
    #[serde(flatten)]
    #[schema(value_type = crate::schema::domain::MonitoringRule)]
    pub rule: MonitoringRule,
    /// 提示 / 预警 / 拦截.
    pub action_label: &'static str,
    /// Version for edits.
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    pub updated_at: String,
    /// The level that set the rule: 省级, 市级 or 县级 (ZX-4b).
    pub level_label: &'static str,
    /// Set by an upper jurisdiction: it screens this jurisdiction's payments and only the
    /// upper may change or switch it off (ZX-4b). Its code carries the upper's 区划 code.
    pub inherited: bool,
}

impl RuleRow {
    fn new(s: &StoredRule, level: JurisdictionLevel) -> Self {
        RuleRow {
            rule: s.rule.clone(),
            action_label: s.rule.action.label(),
            version: s.version,
            updated_by: s.updated_by.clone(),
            updated_at: s.updated_at.clone(),
            level_label: level.label(),
            inherited: rule_levels::is_upper_rule(&s.rule.code),
        }
    }
}

/// The level of the jurisdiction `jurisdiction_id`, read off its 区划 code.
async fn level_of(
    conn: &mut sqlx::AnyConnection,
    jurisdiction_id: i64,
) -> AppResult<JurisdictionLevel> {
    let j = lingji_store::foundation::orgs::get(conn, jurisdiction_id)
        .await?
        .ok_or_else(|| AppError::not_found("区划"))?;
    Ok(JurisdictionLevel::of(&RegionCode::parse(&j.code)?))
}

/// A rule hit as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HitRow {
    pub id: i64,
    pub payment_id: i64,
    /// The paying unit.
    pub unit_id: i64,
    /// The payment's amount.
    #[schema(value_type = String)]
    pub amount: Money,
    /// The payment's state.
    #[schema(value_type = crate::schema::PaymentStatus)]
    pub payment_status: PaymentStatus,
    /// Its Chinese name.
    pub payment_status_label: &'static str,
    #[serde(flatten)]
    #[schema(value_type = crate::schema::domain::Hit)]
    pub hit: Hit,
    /// 提示 / 预警 / 拦截.
    pub action_label: &'static str,
    #[schema(value_type = crate::schema::Disposition)]
    pub disposition: Disposition,
    /// Its Chinese name.
    pub disposition_label: &'static str,
    /// Note of the last step.
    pub note: Option<String>,
    pub disposed_by: Option<String>,
    pub disposed_at: Option<String>,
    /// The level whose rule fired: 省级, 市级 or 县级 (ZX-4b).
    pub level_label: &'static str,
}

impl HitRow {
    /// A hit in a jurisdiction of level `own`.
    fn new(h: &StoredHit, own: JurisdictionLevel) -> Self {
        HitRow {
            level_label: rule_levels::level_of_rule(&h.hit.code, own).label(),
            id: h.id,
            payment_id: h.payment_id,
            unit_id: h.unit_id,
            amount: h.amount,
            payment_status: h.payment_status,
            payment_status_label: h.payment_status.label(),
            hit: h.hit.clone(),
            action_label: h.hit.action.label(),
            disposition: h.disposition,
            disposition_label: h.disposition.label(),
            note: h.note.clone(),
            disposed_by: h.disposed_by.clone(),
            disposed_at: h.disposed_at.clone(),
        }
    }
}

impl RuleStatView {
    /// A rule's row in a jurisdiction of level `own`.
    fn new(r: &RuleStat, own: JurisdictionLevel) -> Self {
        RuleStatView {
            level_label: rule_levels::level_of_rule(&r.code, own).label(),
            class: r.class.clone(),
            code: r.code.clone(),
            name: r.name.clone(),
            hits: r.hits,
            amount: r.amount,
            stopped: r.stopped,
            stopped_amount: r.stopped_amount,
        }
    }
}

/// The rule rows summed by `key` (a class, a level) into rows named by it in `class`, in the
/// order each key first appears.
fn grouped(
    rules: &[RuleStatView],
    key: impl Fn(&RuleStatView) -> String,
) -> AppResult<Vec<RuleStatView>> {
    let mut out: Vec<RuleStatView> = Vec::new();
    for r in rules {
        let k = key(r);
        match out.iter_mut().find(|c| c.class == k) {
            Some(c) => {
                c.hits += r.hits;
                c.amount = sum(c.amount, r.amount)?;
                c.stopped += r.stopped;
                c.stopped_amount = sum(c.stopped_amount, r.stopped_amount)?;
            }
            None => out.push(RuleStatView {
                class: k,
                code: String::new(),
                name: String::new(),
                ..r.clone()
            }),
        }
    }
    Ok(out)
}

fn sum(a: Money, b: Money) -> AppResult<Money> {
    a.checked_add(b)
        .ok_or_else(|| AppError::Internal("hit statistics overflow".into()))
}

fn check_rule(r: &MonitoringRule) -> AppResult<()> {
    let mut errors = Vec::new();
    let code_ok = (1..=20).contains(&r.code.len())
        && r.code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !code_ok {
        errors.push(
            Refusal::new(
                "RULE_CODE_INVALID",
                "规则编号应为 1–20 位字母、数字、“-”或“_”",
            )
            .field("code"),
        );
    }
    for (field, value, max) in [
        ("class", &r.class, 30),
        ("name", &r.name, 60),
        ("message", &r.message, 200),
    ] {
        if value.trim().is_empty() || value.chars().count() > max {
            errors.push(
                Refusal::new(
                    "RULE_FIELD_INVALID",
                    format!("请填写此项（不超过 {max} 个字）"),
                )
                .field(field),
            );
        }
    }
    for (date, field) in [
        (r.effective_from, "effective_from"),
        (r.effective_to, "effective_to"),
    ] {
        if let Some(Err(e)) = date.map(|d| lingji_domain::dates::check(d, field)) {
            errors.push(e);
        }
    }
    if let (Some(f), Some(t)) = (r.effective_from, r.effective_to)
        && t < f
    {
        errors.push(
            Refusal::new("RULE_DATES_INVALID", "失效日期不能早于生效日期").field("effective_to"),
        );
    }
    if let Err(e) = execution::compile(r.clone()) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid {
            summary: Refusal::new("RULE_INVALID", "监控规则有误，请按提示修改").clause("ZX-4b"),
            errors,
        })
    }
}

impl crate::SupervisionUseCases<'_> {
    fn authorize_rules(&self, scope: &Scope, access: Access) -> AppResult<()> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        caller.authorize(
            Resource::MonitoringRule,
            access,
            &OrgPath::of_jurisdiction(jurisdiction_id),
        )
    }

    /// The rule catalogue, installing the default one the first time.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn monitoring_rules(&self, scope: &Scope) -> AppResult<Vec<RuleRow>> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_rules(scope, Access::Read)?;
        self.execution().rules_in_force(jurisdiction_id).await?;
        let mut conn = self.store.read().acquire().await?;
        // The uppers' rules first, as they screen first and cannot be switched off here.
        let mut out = Vec::new();
        for upper in lingji_store::foundation::levels::uppers(&mut conn, jurisdiction_id).await? {
            let level = JurisdictionLevel::of(&RegionCode::parse(&upper.code)?);
            for mut stored in rules::rules(&mut conn, upper.id).await? {
                if stored.rule.enabled {
                    stored.rule.code = format!("{}/{}", upper.code, stored.rule.code);
                    out.push(RuleRow::new(&stored, level));
                }
            }
        }
        let own = level_of(&mut conn, jurisdiction_id).await?;
        out.extend(
            rules::rules(&mut conn, jurisdiction_id)
                .await?
                .iter()
                .map(|r| RuleRow::new(r, own)),
        );
        Ok(out)
    }

    /// Adds a rule (`version` None) or changes one at `version` (finance), after the syntax
    /// check; audited with before and after.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn put_monitoring_rule(
        &self,
        scope: &Scope,
        rule: MonitoringRule,
        version: Option<i64>,
    ) -> AppResult<RuleRow> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        self.authorize_rules(scope, Access::Write)?;
        let mut rule = rule;
        rule.code = rule.code.trim().to_string();
        if rule_levels::is_upper_rule(&rule.code) {
            return Err(Refusal::new(
                "RULE_SET_ABOVE",
                format!(
                    "规则 {} 由上级区划设定，对本级的支付一律适用，只能由上级修改或停用",
                    rule.code
                ),
            )
            .field("code")
            .clause("ZX-4b")
            .into());
        }
        rule.expression = rule.expression.trim().to_string();
        check_rule(&rule)?;
        self.execution().rules_in_force(jurisdiction_id).await?;
        let mut tx = self.store.begin().await?;
        let before = rules::rule(&mut tx, jurisdiction_id, &rule.code).await?;
        let write = rules::RuleWrite {
            jurisdiction_id,
            rule: &rule,
            actor: caller.name(),
        };
        match (version, &before) {
            (None, None) => {
                rules::add_rule(&mut tx, &write).await?;
            }
            (None, Some(_)) => {
                return Err(AppError::Conflict(
                    Refusal::new("RULE_CODE_TAKEN", format!("规则编号 {} 已存在", rule.code))
                        .field("code"),
                ));
            }
            (Some(_), None) => return Err(AppError::not_found("监控规则")),
            (Some(v), Some(_)) => match rules::update_rule(&mut tx, &write, v).await {
                Err(StoreError::Stale) => return Err(AppError::stale()),
                other => other?,
            },
        }
        let after = rules::rule(&mut tx, jurisdiction_id, &rule.code)
            .await?
            .ok_or_else(|| AppError::Internal("rule vanished".into()))?;
        // Switching a rule on or off changes what every payment is checked against: the
        // event says so in its action, not only in its JSON.
        let action = match before.as_ref().map(|b| b.rule.enabled) {
            Some(false) if after.rule.enabled => "monitoring_rule.enable",
            Some(true) if !after.rule.enabled => "monitoring_rule.disable",
            _ => "monitoring_rule.put",
        };
        let mut event = caller
            .event(jurisdiction_id, action, "monitoring_rule", &rule.code)
            .after_json(&serde_json::to_value(&after.rule).unwrap_or_default());
        let before_json = before
            .as_ref()
            .map(|b| serde_json::to_value(&b.rule).unwrap_or_default());
        if let Some(b) = &before_json {
            event = event.before_json(b);
        }
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        let level = level_of(&mut tx, jurisdiction_id).await?;
        tx.commit().await?;
        Ok(RuleRow::new(&after, level))
    }

    /// Tries a rule, as entered and not saved, on the jurisdiction's latest past payments
    /// ("would have hit 37 payments, 1,204,300.00 元").
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn dry_run_rule(&self, scope: &Scope, rule: MonitoringRule) -> AppResult<DryRun> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_rules(scope, Access::Write)?;
        let mut rule = rule;
        rule.enabled = true;
        rule.effective_from = None;
        rule.effective_to = None;
        let compiled = execution::compile(rule).map_err(AppError::from)?;
        let mut conn = self.store.read().acquire().await?;
        let past = store::recent(&mut conn, jurisdiction_id, DRY_RUN_PAYMENTS).await?;
        let mut out = DryRun {
            checked: 0,
            hits: 0,
            amount: Money::ZERO,
            examples: vec![],
        };
        for p in past {
            // The line comes with the payment's context; a line gone since is skipped.
            let Some((line, context)) = request_context::line_in_context(
                &mut conn,
                p.draft.line_id,
                p.draft.date,
                &p.draft.payee_name,
                &p.draft.payee_account,
            )
            .await?
            else {
                continue;
            };
            let (f, _) = facts(&mut conn, &line, &p.draft, context).await?;
            out.checked += 1;
            if !execution::screen(std::slice::from_ref(&compiled), &f).is_empty() {
                out.hits += 1;
                out.amount = sum(out.amount, p.draft.amount)?;
                if out.examples.len() < 20 {
                    out.examples.push(p.id);
                }
            }
        }
        Ok(out)
    }

    /// The year's rule hits, newest first, optionally of one disposition (finance and audit).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn rule_hits(
        &self,
        scope: &Scope,
        year: i32,
        disposition: Option<Disposition>,
    ) -> AppResult<Vec<HitRow>> {
        scope.authorize_jurisdiction(Resource::Payment, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        let own = level_of(&mut conn, jurisdiction_id).await?;
        Ok(
            hits::hits(&mut conn, jurisdiction_id, year, disposition, 500)
                .await?
                .iter()
                .map(|h| HitRow::new(h, own))
                .collect(),
        )
    }

    /// Moves a hit on (核实 → 正常 / 违规 → 整改) with a note (finance).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn dispose_hit(
        &self,
        scope: &Scope,
        id: i64,
        to: Disposition,
        note: &str,
    ) -> AppResult<HitRow> {
        scope.authorize_jurisdiction(Resource::Payment, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let note = required_note(note, || {
            Refusal::new(
                "DISPOSITION_NOTE_REQUIRED",
                "请填写核实情况（不超过 500 个字）",
            )
            .field("note")
        })?;
        let mut tx = self.store.begin().await?;
        let hit = hits::hit(&mut tx, jurisdiction_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("规则命中记录"))?;
        if !hit.disposition.may_become(to) {
            return Err(Refusal::new(
                "DISPOSITION_STEP",
                format!(
                    "命中记录当前为“{}”，不能改为“{}”（核实 → 正常 / 违规 → 整改）",
                    hit.disposition.label(),
                    to.label()
                ),
            )
            .clause("ZX-4b")
            .into());
        }
        let decided = store::Decision {
            id,
            from: hit.disposition,
            to,
            by: caller.name(),
            note,
        };
        if !store::dispose(&mut tx, &decided).await? {
            return Err(AppError::stale());
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "rule_hit.dispose", "rule_hit", id)
                .before_json(&serde_json::json!({ "disposition": hit.disposition.as_str() }))
                .after_json(&serde_json::json!({ "disposition": to.as_str(), "note": note })),
        )
        .await?;
        let after = hits::hit(&mut tx, jurisdiction_id, id)
            .await?
            .ok_or_else(|| AppError::Internal("hit vanished".into()))?;
        let level = level_of(&mut tx, jurisdiction_id).await?;
        tx.commit().await?;
        Ok(HitRow::new(&after, level))
    }

    /// Hits and stopped payments of a year by rule and by class (ZX-4b).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn hit_stats(&self, scope: &Scope, year: i32) -> AppResult<HitStats> {
        scope.authorize_jurisdiction(Resource::Payment, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        let own = level_of(&mut conn, jurisdiction_id).await?;
        let rules: Vec<RuleStatView> = hits::rule_stats(&mut conn, jurisdiction_id, year)
            .await?
            .iter()
            .map(|r| RuleStatView::new(r, own))
            .collect();
        let classes = grouped(&rules, |r| r.class.clone())?;
        let levels = grouped(&rules, |r| r.level_label.to_string())?;
        let hits::Stopped {
            payments: stopped,
            amount: stopped_amount,
        } = hits::stopped_payments(&mut conn, jurisdiction_id, year).await?;
        Ok(HitStats {
            hits: rules.iter().map(|r| r.hits).sum(),
            rules,
            classes,
            levels,
            stopped,
            stopped_amount,
        })
    }

    /// Suspends a project's payments (PM-9, finance): every payment on its lines is blocked
    /// until lifted.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn suspend_payments(
        &self,
        scope: &Scope,
        project_id: i64,
        reason: &str,
    ) -> AppResult<()> {
        self.set_suspension(scope, project_id, reason, true).await
    }

    /// Lifts a project's suspension (finance).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn lift_suspension(
        &self,
        scope: &Scope,
        project_id: i64,
        reason: &str,
    ) -> AppResult<()> {
        self.set_suspension(scope, project_id, reason, false).await
    }

    async fn set_suspension(
        &self,
        scope: &Scope,
        project_id: i64,
        reason: &str,
        suspend: bool,
    ) -> AppResult<()> {
        scope.authorize_jurisdiction(Resource::Payment, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let reason = required_note(reason, || {
            Refusal::new(
                "SUSPENSION_REASON_REQUIRED",
                "请填写理由（不超过 500 个字）",
            )
            .field("reason")
        })?;
        let mut tx = self.store.begin().await?;
        let project = lingji_store::library::projects::get(&mut tx, project_id)
            .await?
            .filter(|p| p.header.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("项目"))?;
        let current = suspensions::suspension(&mut tx, project.id).await?;
        let action = match (suspend, current) {
            (true, Some(_)) => {
                return Err(AppError::Conflict(
                    Refusal::new("PAYMENTS_ALREADY_SUSPENDED", "该项目已暂缓拨款").clause("PM-9"),
                ));
            }
            (true, None) => {
                suspensions::suspend(&mut tx, jurisdiction_id, project.id, reason, caller.name())
                    .await?;
                "payments.suspend"
            }
            (false, None) => {
                return Err(AppError::Conflict(
                    Refusal::new("PAYMENTS_NOT_SUSPENDED", "该项目未暂缓拨款").clause("PM-9"),
                ));
            }
            (false, Some(_)) => {
                suspensions::lift(&mut tx, project.id, reason, caller.name()).await?;
                "payments.lift"
            }
        };
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, action, "project", project.id)
                .after_json(&serde_json::json!({ "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
