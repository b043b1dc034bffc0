//! Disclosure storage: publications.

pub mod publications;
