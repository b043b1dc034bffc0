//! Budget execution (issue 6): the budget-line ledger (指标账), payment requests and the
//! monitoring rules that screen them (ZX-4b). More — spending plans, adjustments, year-end —
//! builds on it.

pub mod calendar;
mod catalogue;
mod guard;
mod ledger;
mod payment;
mod rules;
mod status;

pub use catalogue::default_catalogue;
pub use ledger::{Balance, Movement, apply, replay};
pub use payment::{PayeeKind, PaymentDraft, check_draft, within_line};
pub use rules::{
    Action, CARD_CATALOGUE, CompiledRule, Facts, Hit, LineFacts, MonitoringRule, PartyFacts,
    SANGONG, compile, environment, in_codes, outcome, screen,
};
pub use status::{Decision, Disposition, PaymentStatus};
