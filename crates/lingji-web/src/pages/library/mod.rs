//! The project library: projects and their form, the Excel template and import, attachments,
//! the yearly clean-up and the catalogues projects are written against.

pub(crate) mod attachments;
pub(crate) mod catalogues;
pub(crate) mod cleanup;
pub(crate) mod picker;
pub(crate) mod project_form;
pub(crate) mod project_import;
pub(crate) mod projects;
