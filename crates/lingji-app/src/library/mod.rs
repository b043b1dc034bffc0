//! The project library: projects with their cost lines and targets, standards, attachments, Excel
//! import and export.

pub mod attachments;
pub mod export;
pub mod project_excel;
pub mod projects;
pub mod standards;
