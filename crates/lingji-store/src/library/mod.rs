//! Project library storage: projects with their cost lines, targets and history, standards,
//! attachments.

pub mod attachments;
pub mod projects;
pub mod standards;
