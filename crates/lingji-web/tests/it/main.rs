//! lingji-web's integration tests as one binary (one link instead of one per file): stories through the API, the pages and the browser, on SQLite and PostgreSQL.

mod common;

mod adjustments;
mod allocation;
mod amount_fields;
mod annual_report;
mod api;
mod attachments;
mod audit_words;
mod browser;
mod documents;
mod edge;
mod hostile_input;
mod ledger;
mod list_pages;
mod openapi;
mod payees;
mod payments;
mod payments_list;
mod performance;
mod plans;
mod project_clauses;
mod project_excel;
mod projects;
mod review;
mod review_flow;
mod review_page;
mod rule_forms;
mod scope_matrix;
mod signin;
mod supervision;
mod todo;
mod transfers;
mod year_end;
