//! Budget execution (issue 6): the budget-line ledger (指标账). More — payment checks, the
//! monitoring rule catalogue, spending plans, adjustments, year-end — builds on it.

mod ledger;
mod payment;

pub use ledger::{Balance, Movement, apply, replay};
pub use payment::{PayeeKind, PaymentDraft, check_draft, within_line};
