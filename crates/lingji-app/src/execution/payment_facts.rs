//! What the monitoring rules read about a payment (ZX-4b), gathered from storage in one place
//! for the payment check, the as-you-type preview and the dry run of a rule; and the
//! jurisdiction's rules, with the default catalogue installed the first time they are needed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use lingji_domain::execution::{
    self, CompiledRule, Facts, Hit, LineFacts, MonitoringRule, PartyFacts, PaymentDraft,
};
use lingji_domain::review::lists::ListKind;
use lingji_store::execution::payments::PayableLine;
use lingji_store::execution::request_context::RequestContext;
use lingji_store::execution::rules;
use lingji_store::review::lists;
use sqlx::{AnyConnection, Connection};

use crate::error::{AppError, AppResult};

/// Whether the line's project is paid from a special fund (read with the line) whose period
/// ended before `year` (ZB-12: special funds stop when their period is over).
async fn special_fund_expired(
    conn: &mut AnyConnection,
    line: &PayableLine,
    fund_code: Option<&str>,
    year: i32,
) -> AppResult<bool> {
    let Some(code) = fund_code else {
        return Ok(false);
    };
    let funds = lists::entries(
        conn,
        line.jurisdiction_id,
        ListKind::SpecialFunds,
        None,
        false,
    )
    .await?;
    Ok(funds
        .iter()
        .find(|f| f.entry.code == code)
        .is_some_and(|f| f.entry.fund.ended_before(year)))
}

/// Besides the rules' facts, what the request's checks need: the reason its project's payments
/// are suspended (PM-9), and whether the profile holds payments to their plan (ZX-4a).
#[derive(Debug, Clone, Default)]
pub(crate) struct Checks {
    pub suspended: Option<String>,
    pub within_plan: bool,
    /// The rule catalogue's stamp, read with the facts.
    pub rules_stamp: Stamp,
}

/// The payment's facts as stored now, and the other checks' inputs, given the context read
/// with its line ([`request_context::line_in_context`]).
pub(crate) async fn facts(
    conn: &mut AnyConnection,
    line: &PayableLine,
    draft: &PaymentDraft,
    context: RequestContext,
) -> AppResult<(Facts, Checks)> {
    let unit_today = u32::try_from(context.today).unwrap_or(u32::MAX);
    let payee_org = context.payee_org;
    let within_plan = context
        .profile
        .as_ref()
        .is_some_and(|p| p.execution.payments_within_plan);
    let class: String = draft.economic_code.chars().take(5).collect();
    let usage = &context.usage;
    let (class_budget, class_used) = usage.of(&[class.as_str()]);
    let (sangong_budget, sangong_used) = usage.sangong();
    let own_funds_available = usage.own_funds_available(&[class.as_str()]);
    let event_listed = match &draft.event_code {
        Some(code) => Some(
            lists::entries(
                conn,
                line.jurisdiction_id,
                ListKind::Events,
                Some(line.fiscal_year),
                true,
            )
            .await?
            .iter()
            .any(|e| e.entry.code == code.trim()),
        ),
        None => None,
    };
    let year = chrono::Datelike::year(&draft.date);
    let facts = Facts {
        payment: draft.clone(),
        line: LineFacts {
            economic_code: line.economic_code.clone(),
            fund_book: line.fund_book.clone(),
            fiscal_year: line.fiscal_year,
            three_guarantees: line.three_guarantees,
            budget: line.balance.budget(),
            available: line.balance.available(),
            source: line.source.clone(),
            special_fund_expired: special_fund_expired(
                conn,
                line,
                context.special_fund.as_deref(),
                year,
            )
            .await?,
        },
        party: PartyFacts {
            own_unit: payee_org == Some(line.unit_id),
            budget_unit: payee_org.is_some_and(|o| o != line.unit_id),
            first_time: context.history.first_time,
            recent_7d: context.history.recent_7d,
            count_30d: context.history.count_30d,
            unit_today,
            class_budget,
            class_used,
            sangong_budget,
            sangong_used,
            event_listed,
            own_funds_available,
        },
    };
    let checks = Checks {
        suspended: context.suspended,
        within_plan,
        rules_stamp: context.rules_stamp,
    };
    Ok((facts, checks))
}

/// Compiles the stored rules that are switched on (screening passes over the others, see
/// `MonitoringRule::applies_on`); one that no longer compiles is reported rather than skipped.
/// A switched-off rule is not compiled: it costs nothing, and one saved before a check was
/// tightened (stop 39: 2,000 characters) cannot stop every payment.
fn compile_all(rules: &[MonitoringRule]) -> AppResult<Vec<CompiledRule>> {
    rules
        .iter()
        .filter(|r| r.enabled)
        .map(|r| {
            execution::compile(r.clone()).map_err(|e| {
                AppError::Internal(format!(
                    "stored rule {} does not compile: {}",
                    r.code, e.message
                ))
            })
        })
        .collect()
}

/// The rules last read per jurisdiction with their catalogue's version: every rule added or
/// edited moves it on, so an unchanged stamp means unchanged rules —
/// on this server or any other sharing the database.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleCache(Arc<Mutex<HashMap<i64, StampedRules>>>);

/// A jurisdiction's rules with the stamp of the catalogue they were read at.
type StampedRules = (Stamp, Arc<Vec<MonitoringRule>>);

/// A catalogue's stamp: its version.
pub(crate) type Stamp = i64;

impl RuleCache {
    fn get(&self, jurisdiction_id: i64, stamp: Stamp) -> Option<Arc<Vec<MonitoringRule>>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&jurisdiction_id)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, r)| Arc::clone(r))
    }

    fn put(&self, jurisdiction_id: i64, stamp: Stamp, rules: Arc<Vec<MonitoringRule>>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(jurisdiction_id, (stamp, rules));
    }
}

/// Compiled rules with the rules they came from, held so that the same `Arc` cannot be freed
/// and its address given to other rules while the compiled ones are kept.
type Compiled = (Arc<Vec<MonitoringRule>>, Rc<Vec<CompiledRule>>);

thread_local! {
    /// Compiled rules by jurisdiction with the rules they came from. Compiled expressions are
    /// not shareable across threads, so each worker thread keeps its own. The [`RuleCache`]
    /// hands out one `Arc` per catalogue version, so the same `Arc` means the same rules: a
    /// request compares a pointer instead of hashing the whole catalogue (206 rules in the
    /// benchmark) every time; an edited rule comes as another `Arc` and is compiled again.
    static COMPILED: RefCell<HashMap<i64, Compiled>> = RefCell::new(HashMap::new());
}

/// Screens a payment against the jurisdiction's rules, compiling them once per thread and
/// catalogue version.
pub(crate) fn screen(
    jurisdiction_id: i64,
    rules: &Arc<Vec<MonitoringRule>>,
    facts: &Facts,
) -> AppResult<Vec<Hit>> {
    let cached = COMPILED.with_borrow(|c| {
        c.get(&jurisdiction_id)
            .filter(|(from, _)| Arc::ptr_eq(from, rules))
            .map(|(_, r)| Rc::clone(r))
    });
    let compiled = match cached {
        Some(c) => c,
        None => {
            let c = Rc::new(compile_all(rules)?);
            COMPILED
                .with_borrow_mut(|m| m.insert(jurisdiction_id, (Arc::clone(rules), Rc::clone(&c))));
            c
        }
    };
    Ok(execution::screen(&compiled, facts))
}

/// The enabled rules of every jurisdiction above `jurisdiction_id`, nearest first (ZX-4b).
pub(crate) async fn upper_rules(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
) -> AppResult<Vec<execution::rule_levels::UpperRules>> {
    let mut out = Vec::new();
    for upper in lingji_store::foundation::levels::uppers(conn, jurisdiction_id).await? {
        out.push(execution::rule_levels::UpperRules {
            region: lingji_domain::foundation::codes::RegionCode::parse(&upper.code)?,
            rules: rules::rules(conn, upper.id)
                .await?
                .into_iter()
                .map(|s| s.rule)
                .collect(),
        });
    }
    Ok(out)
}

impl crate::ExecutionUseCases<'_> {
    /// The jurisdiction's rules, installing the default catalogue (ZX-4b) the first time.
    pub(crate) async fn rules_in_force(
        &self,
        jurisdiction_id: i64,
    ) -> AppResult<Arc<Vec<MonitoringRule>>> {
        self.rules_at(jurisdiction_id, None).await
    }

    /// As [`App::rules_in_force`], given the catalogue's stamp when it was read already.
    pub(crate) async fn rules_at(
        &self,
        jurisdiction_id: i64,
        stamp: Option<Stamp>,
    ) -> AppResult<Arc<Vec<MonitoringRule>>> {
        if let Some(rules) = stamp.and_then(|s| self.rule_cache.get(jurisdiction_id, s)) {
            return Ok(rules);
        }
        let mut conn = self.store.write().acquire().await?;
        self.rules_on(&mut conn, jurisdiction_id, None).await
    }

    /// As [`App::rules_at`] on a connection of the write pool the caller holds already (one
    /// writer on SQLite: acquiring another would wait for ever).
    pub(crate) async fn rules_on(
        &self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        stamp: Option<Stamp>,
    ) -> AppResult<Arc<Vec<MonitoringRule>>> {
        if let Some(rules) = stamp.and_then(|s| self.rule_cache.get(jurisdiction_id, s)) {
            return Ok(rules);
        }
        let stamp = rules::rules_stamp(conn, jurisdiction_id).await?;
        if let Some(rules) = self.rule_cache.get(jurisdiction_id, stamp) {
            return Ok(rules);
        }
        // The stamp is read before the rules: an edit in between is cached under the older
        // stamp and read again by the next request, never the other way round.
        let mut stamp = stamp;
        let mut stored = rules::rules(conn, jurisdiction_id).await?;
        if stored.is_empty() {
            let mut tx = conn.begin().await?;
            for r in execution::default_catalogue() {
                rules::add_rule(
                    &mut tx,
                    &rules::RuleWrite {
                        jurisdiction_id,
                        rule: &r,
                        actor: "system",
                    },
                )
                .await?;
            }
            stamp = rules::rules_stamp(&mut tx, jurisdiction_id).await?;
            stored = rules::rules(&mut tx, jurisdiction_id).await?;
            tx.commit().await?;
        }
        let own = stored.into_iter().map(|s| s.rule).collect::<Vec<_>>();
        let rules = Arc::new(execution::rule_levels::combine(
            own,
            upper_rules(conn, jurisdiction_id).await?,
        ));
        self.rule_cache
            .put(jurisdiction_id, stamp, Arc::clone(&rules));
        Ok(rules)
    }
}
