//! Execution storage: the ledger, payments and their records, the monitoring rules and their
//! hits, payment suspensions, spending plans, adjustments, the year-end, supervision, the payment
//! request context and the read-only reconciliation sums.

pub mod adjustments;
pub mod figures;
pub mod hits;
pub mod ledger;
pub mod payees;
pub mod payment_list;
pub mod payment_record;
pub mod payments;
pub mod plans;
pub mod reconcile;
pub mod request_context;
pub mod rules;
pub mod supervision;
pub mod suspensions;
pub mod year_end;
