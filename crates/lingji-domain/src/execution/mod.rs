//! Budget execution (issue 6): the budget-line ledger (指标账), payment requests and the
//! monitoring rules that screen them (ZX-4b). Monthly spending plans (ZX-4a) are
//! reviewed in tier order within the treasury's cash limit; adjustments (ZB-7b) move or add
//! budget; the year-end close (ZB-6d, QJ-4b, ZX-3c, CS-6) carries over or recovers what is left.

mod adjustment;
pub mod calendar;
mod catalogue;
mod figures;
mod guard;
mod judge;
mod ledger;
mod payment;
mod plan;
mod reconcile;
pub mod rule_levels;
mod rule_syntax;
mod rule_words;
mod rules;
mod status;
mod year_end;

pub use adjustment::{
    AdjustmentKind, AdjustmentStatus, ExpenseClass, LineSide, SupplementFacts, above_available,
    check_supplement, check_transfer, check_within_available,
};
pub use catalogue::default_catalogue;
pub use figures::{LineFigures, ProjectExecution};
pub use judge::{Cover, PaymentFacts, Verdict, judge, plan_left};
pub use ledger::{Balance, Movement, apply, replay};
pub use payment::{PayeeKind, PaymentDraft, check_draft, within_line};
pub use plan::{
    PlanClaim, PlanGrant, PlanStatus, PlanTier, plan_tier, priority_subject, review_plans,
};
pub use reconcile::{Disagreement, EntrySums, reconcile};
pub use rule_syntax::{FieldKind, RULE_FIELDS, RuleField, SyntaxError, check_syntax};
pub use rule_words::in_words;
pub use rules::{
    Action, CARD_CATALOGUE, CompiledRule, Facts, Hit, LineFacts, MonitoringRule, PartyFacts,
    SANGONG, compile, environment, in_codes, outcome, screen,
};
pub use status::{Decision, Disposition, PaymentStatus};
pub use year_end::{
    CloseFacts, LineClose, Movement as MoneyMovement, check_contract_claim, close_line,
    closed_year, from_upper_transfer, released_after_close,
};
