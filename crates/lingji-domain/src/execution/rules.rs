//! Payment monitoring rules (ZX-4b): rules as data, each a zen-expression over the payment and
//! its context that is true when the rule is hit, with an action — notice 提示, warning 预警
//! (held for a reviewer) or block 拦截. Amounts reach expressions as exact yuan decimals.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zen_expression::expression::Standard;
use zen_expression::scope::Scope;
use zen_expression::variable::{Variable, VariableMap};
use zen_expression::vm::VM;
use zen_expression::{Expression, Isolate};

use super::calendar;
use super::guard::{Guard, guard_of};
use super::payment::{PayeeKind, PaymentDraft};
use crate::error::Refusal;
use crate::money::Money;

labelled! {
    /// What a hit rule does to the payment; ordered from mildest to strictest.
    #[derive(PartialOrd, Ord)]
    Action: custom {
        /// 提示: the payment goes on; the operator is told.
        Notice = "notice" / "提示",
        /// 预警: held until a reviewer confirms it with a reason.
        Warning = "warning" / "预警",
        /// 拦截: not paid.
        Block = "block" / "拦截",
    }
}

impl Action {
    /// From its stable name.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One monitoring rule as finance keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MonitoringRule {
    /// Stable code, e.g. `B05-01`.
    pub code: String,
    /// The rule class (规则大类), e.g. 对个人转账.
    pub class: String,
    pub name: String,
    /// zen-expression, true when the payment hits the rule.
    pub expression: String,
    /// What a hit does.
    pub action: Action,
    /// The clause the rule enforces, when there is one.
    pub clause: Option<String>,
    /// What the operator is told on a hit.
    pub message: String,
    /// First payment date the rule applies to.
    pub effective_from: Option<NaiveDate>,
    /// Last payment date the rule applies to.
    pub effective_to: Option<NaiveDate>,
    pub enabled: bool,
}

impl MonitoringRule {
    /// Enabled and in effect on `date`.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        self.enabled
            && self.effective_from.is_none_or(|f| f <= date)
            && self.effective_to.is_none_or(|t| date <= t)
    }
}

/// The budget line a payment draws on, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineFacts {
    /// Economic code of the line.
    pub economic_code: String,
    pub fund_book: String,
    pub fiscal_year: i32,
    /// A three-guarantees line.
    pub three_guarantees: bool,
    /// Approved + adjusted.
    pub budget: Money,
    pub available: Money,
    /// Where the line came from: `allocation` or `transfer` (upper transfer).
    pub source: String,
    /// The line's special fund has expired (ZB-12).
    pub special_fund_expired: bool,
}

/// The paying unit and the payee, as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyFacts {
    /// The payee is the paying unit itself.
    pub own_unit: bool,
    /// The payee is another budget unit or department of the jurisdiction.
    pub budget_unit: bool,
    /// The unit never paid this payee account before.
    pub first_time: bool,
    /// Amounts paid or pending to the same payee account in the 7 days before (the request
    /// itself excluded).
    pub recent_7d: Vec<Money>,
    /// Payments to the same payee account in the 30 days before.
    pub count_30d: u32,
    /// The unit's payment requests on the same day before this one.
    pub unit_today: u32,
    /// The unit's budget on lines of the payment's 5-digit economic code.
    pub class_budget: Money,
    /// Spent and held on those lines.
    pub class_used: Money,
    /// The unit's 三公 budget (ZB-6b).
    pub sangong_budget: Money,
    /// Spent and held on 三公 lines.
    pub sangong_used: Money,
    /// The event code is on this year's events list (ZB-6a); None without an event code.
    pub event_listed: Option<bool>,
    /// Available on the unit's own-funds lines (单位资金) of the payment's 5-digit economic
    /// code (ZB-11).
    pub own_funds_available: Money,
}

/// Everything a rule may read about one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub payment: PaymentDraft,
    /// Its budget line.
    pub line: LineFacts,
    /// Unit, payee and history.
    pub party: PartyFacts,
}

/// Economic codes of the official-card mandatory settlement catalogue (公务卡强制结算目录).
pub const CARD_CATALOGUE: &[&str] = &[
    "30201", "30202", "30203", "30204", "30205", "30206", "30207", "30209", "30211", "30213",
    "30214", "30215", "30216", "30217", "30218", "30231", "30239", "30299",
];

/// Economic codes of the 三公 expenses (ZB-6b): travel abroad, reception, official cars.
pub const SANGONG: &[&str] = &["30212", "30217", "30231", "31013"];

/// Whether an economic code falls under a list of 5-digit codes.
pub fn in_codes(list: &[&str], code: &str) -> bool {
    list.iter().any(|c| code.starts_with(c))
}

fn yuan(m: Money) -> Variable {
    Variable::Number(Decimal::new(m.fen(), 2))
}

fn num(n: impl Into<Decimal>) -> Variable {
    Variable::Number(n.into())
}

fn text(s: &str) -> Variable {
    Variable::String(s.into())
}

fn object(fields: Vec<(&str, Variable)>) -> Variable {
    let mut map = VariableMap::new();
    for (k, v) in fields {
        map.insert_str(k, v);
    }
    Variable::from_object(map)
}

fn optional<T>(v: Option<T>, f: impl FnOnce(T) -> Variable) -> Variable {
    v.map(f).unwrap_or(Variable::Null)
}

/// The facts as the expression environment: `payment`, `line`, `payee`, `unit`, `event`,
/// `calendar`, `catalogue`.
pub fn environment(f: &Facts) -> Variable {
    let p = &f.payment;
    let per_person_day = match (p.headcount, p.days) {
        (Some(h), Some(d)) if h > 0 && d > 0 => Variable::Number(
            Decimal::new(p.amount.fen(), 2) / Decimal::from(u64::from(h) * u64::from(d)),
        ),
        _ => Variable::Null,
    };
    let payment = object(vec![
        ("amount", yuan(p.amount)),
        ("payee_kind", text(p.payee_kind.as_str())),
        ("payee_name", text(&p.payee_name)),
        ("economic_code", text(&p.economic_code)),
        ("purpose", text(&p.purpose)),
        ("has_contract", Variable::Bool(p.contract_no.is_some())),
        ("event_code", optional(p.event_code.as_deref(), text)),
        ("headcount", optional(p.headcount, num)),
        ("days", optional(p.days, num)),
        ("per_person_day", per_person_day),
        ("year", num(p.date.year())),
        ("month", num(p.date.month())),
        ("day", num(p.date.day())),
    ]);
    let l = &f.line;
    let line = object(vec![
        ("economic_code", text(&l.economic_code)),
        ("fund_book", text(&l.fund_book)),
        ("fiscal_year", num(l.fiscal_year)),
        ("three_guarantees", Variable::Bool(l.three_guarantees)),
        ("budget", yuan(l.budget)),
        ("available", yuan(l.available)),
        ("source", text(&l.source)),
        (
            "special_fund_expired",
            Variable::Bool(l.special_fund_expired),
        ),
    ]);
    let q = &f.party;
    let payee = object(vec![
        ("own_unit", Variable::Bool(q.own_unit)),
        ("budget_unit", Variable::Bool(q.budget_unit)),
        ("first_time", Variable::Bool(q.first_time)),
        (
            "recent_7d",
            Variable::from_array(q.recent_7d.iter().map(|m| yuan(*m)).collect()),
        ),
        ("count_30d", num(q.count_30d)),
    ]);
    let unit = object(vec![
        ("today_count", num(q.unit_today)),
        ("class_budget", yuan(q.class_budget)),
        ("class_used", yuan(q.class_used)),
        ("sangong_budget", yuan(q.sangong_budget)),
        ("sangong_used", yuan(q.sangong_used)),
        ("own_funds_available", yuan(q.own_funds_available)),
    ]);
    let event = object(vec![("listed", optional(q.event_listed, Variable::Bool))]);
    let calendar = object(vec![
        ("weekend", Variable::Bool(calendar::is_weekend(p.date))),
        ("holiday", Variable::Bool(calendar::is_holiday(p.date))),
    ]);
    let catalogue = object(vec![
        (
            "card_mandatory",
            Variable::Bool(in_codes(CARD_CATALOGUE, &p.economic_code)),
        ),
        (
            "sangong",
            Variable::Bool(in_codes(SANGONG, &p.economic_code)),
        ),
    ]);
    object(vec![
        ("payment", payment),
        ("line", line),
        ("payee", payee),
        ("unit", unit),
        ("event", event),
        ("calendar", calendar),
        ("catalogue", catalogue),
    ])
}

/// A rule compiled once, evaluated for many payments.
pub struct CompiledRule {
    pub rule: MonitoringRule,
    expression: Expression<Standard>,
    guard: Guard,
}

impl CompiledRule {
    /// The rule without its guard: every payment runs it (tests compare the two).
    #[cfg(test)]
    pub(crate) fn unguarded(mut self) -> Self {
        self.guard = Guard::default();
        self
    }
}

/// A payment that a sample context can be checked against: the syntax check runs the
/// expression once so that unknown functions and non-boolean results are caught before saving.
fn sample() -> Facts {
    Facts {
        payment: PaymentDraft {
            payee_name: "样例单位".into(),
            payee_account: "62220000000000".into(),
            payee_kind: PayeeKind::Unit,
            amount: Money::from_yuan(1000),
            economic_code: "30201".into(),
            line_id: 1,
            purpose: "样例".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
            contract_no: None,
            event_code: None,
            headcount: None,
            days: None,
            idempotency_key: "sample-key".into(),
        },
        line: LineFacts::default(),
        party: PartyFacts::default(),
    }
}

fn invalid(message: String) -> Refusal {
    Refusal::new("RULE_EXPRESSION_INVALID", message)
        .field("expression")
        .clause("ZX-4b")
}

/// What a value is, in words: the result of an expression that is not a condition.
fn value_kind(v: &Variable) -> &'static str {
    match v {
        Variable::Null => "空值",
        Variable::Bool(_) => "条件",
        Variable::Number(_) => "一个数",
        Variable::String(_) => "一段文字",
        Variable::Array(_) => "一组值",
        _ => "一个对象",
    }
}

/// A compiler's refusal in Chinese (the syntax check has already placed every mistake of
/// form; what is left are functions).
fn compile_error(e: &zen_expression::IsolateError) -> String {
    use zen_expression::compiler::CompilerError as C;
    match e {
        zen_expression::IsolateError::CompilerError { source } => match source {
            C::UnknownFunction { name } => format!("规则表达式有误：没有名为“{name}”的函数"),
            C::InvalidFunctionCall { name, .. } | C::ArgumentNotFound { function: name, .. } => {
                format!("规则表达式有误：函数“{name}”的参数不对")
            }
            C::InvalidMethodCall { name, .. } => {
                format!("规则表达式有误：方法“{name}”的用法不对")
            }
            _ => "规则表达式有误：无法理解其中的运算符".to_string(),
        },
        _ => "规则表达式有误，请检查其写法".to_string(),
    }
}

/// Compiles a rule and checks it on a sample payment: the expression must parse and give
/// true or false (RULE_EXPRESSION_INVALID, naming what is wrong).
pub fn compile(rule: MonitoringRule) -> Result<CompiledRule, Refusal> {
    super::rule_syntax::check_syntax(&rule.expression).map_err(|e| {
        invalid(format!(
            "规则表达式有误，{}",
            e.message(rule.expression.trim().contains('\n'))
        ))
    })?;
    let mut isolate = Isolate::new();
    let expression = isolate
        .compile_standard(&rule.expression)
        .map_err(|e| invalid(compile_error(&e)))?;
    match expression.evaluate(environment(&sample())) {
        Ok(Variable::Bool(_)) => Ok(CompiledRule {
            guard: guard_of(&rule.expression),
            rule,
            expression,
        }),
        Ok(other) => Err(invalid(format!(
            "规则表达式应是一个条件（成立或不成立），实际得出{}",
            value_kind(&other)
        ))),
        Err(_) => Err(invalid(
            "规则表达式无法执行：请检查函数的参数和比较的两边是否为同一类值（金额与数字、文字与文字）"
                .to_string(),
        )),
    }
}

/// A rule a payment hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub code: String,
    pub class: String,
    pub name: String,
    /// What the hit does.
    pub action: Action,
    pub clause: Option<String>,
    /// Message for the operator.
    pub message: String,
}

/// Evaluates every rule in effect on the payment's date; a rule that fails at run time counts
/// as a warning hit so that a person looks rather than the payment slipping through.
pub fn screen(rules: &[CompiledRule], facts: &Facts) -> Vec<Hit> {
    // One scope and one machine for all the rules: building them per rule cost as much as
    // running the rule.
    let scope = Scope::new(environment(facts));
    let mut vm = VM::new();
    let mut hits = Vec::new();
    let code = facts.payment.economic_code.as_str();
    let kind = facts.payment.payee_kind.as_str();
    for c in rules
        .iter()
        .filter(|c| c.guard.admits(code, kind) && c.rule.applies_on(facts.payment.date))
    {
        let hit = |action, message| Hit {
            code: c.rule.code.clone(),
            class: c.rule.class.clone(),
            name: c.rule.name.clone(),
            action,
            clause: c.rule.clause.clone(),
            message,
        };
        match c.expression.evaluate_with_scope(&scope, &mut vm) {
            Ok(Variable::Bool(false)) => {}
            Ok(Variable::Bool(true)) => hits.push(hit(c.rule.action, c.rule.message.clone())),
            Ok(other) => hits.push(hit(
                Action::Warning,
                format!("规则结果不是真假值（{}），请人工核实", other.type_name()),
            )),
            Err(e) => hits.push(hit(
                Action::Warning,
                format!("规则无法执行（{e}），请人工核实"),
            )),
        }
    }
    hits
}

/// The strictest action among the hits; None when the payment passes every rule.
pub fn outcome(hits: &[Hit]) -> Option<Action> {
    hits.iter().map(|h| h.action).max()
}
