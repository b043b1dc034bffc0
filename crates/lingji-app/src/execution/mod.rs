//! Execution: budget lines and their ledger, payments checked by the monitoring rules, spending
//! plans, adjustments, upper transfers, supervision, the year-end and the annual report.

pub mod adjustments;
pub mod annual_report;
pub(crate) mod department_totals;
pub mod documents;
pub mod monitoring;
pub mod payees;
pub(crate) mod payment_decisions;
pub(crate) mod payment_facts;
pub mod payment_list;
pub mod payments;
pub mod plans;
pub mod province;
pub mod supervision;
pub mod transfer_lines;
pub mod year_end;
