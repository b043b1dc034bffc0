//! Execution: payments, spending plans, adjustments, monitoring rules and hits, supervision, the
//! year-end and the annual report.

pub(crate) mod adjustments;
pub(crate) mod annual_report;
pub(crate) mod monitoring;
pub(crate) mod payment_list;
pub(crate) mod payments;
pub(crate) mod plans;
pub(crate) mod province;
pub(crate) mod supervision;
pub(crate) mod year_end;
