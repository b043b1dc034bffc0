//! Execution: payments, spending plans, adjustments, monitoring rules and hits, supervision, the
//! year-end and the annual report.

pub mod adjustments;
pub mod annual_report;
pub mod payees;
pub mod payments;
pub mod plans;
pub mod province;
pub mod supervision;
pub mod year_end;
