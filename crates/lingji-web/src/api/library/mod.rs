//! The project library: projects, their Excel template and import, attachments.

pub mod attachments;
pub mod project_files;
pub mod projects;
