//! The project library: projects, their Excel template and import, attachments.

pub(crate) mod attachments;
pub(crate) mod project_import;
pub(crate) mod projects;
