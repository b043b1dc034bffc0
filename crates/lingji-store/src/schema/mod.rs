//! OpenAPI schemas of the domain's labelled enums, built from [`Labelled`]: the codes are the
//! schema's `enum` values (what the API sends and accepts), the Chinese labels stand beside them
//! in the description and in `x-enum-descriptions`. The domain knows nothing of OpenAPI; a field
//! of such an enum names its schema here with `#[schema(value_type = schema::ProjectKind)]`.
//! [`domain`] does the same for the domain's structs the API sends.
//!
//! It lives in the store, the lowest crate whose rows the API sends, so that the store's rows,
//! the application's views and the web's bodies all name the same schemas
//! (`lingji_app::schema` re-exports it).

use lingji_domain::Labelled;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The schema of a labelled enum: a string, one of the codes, each label described.
pub fn labelled_schema<T: Labelled>(what: &str) -> Schema {
    let codes: Vec<&str> = T::ALL.iter().map(|v| v.code()).collect();
    let labels: Vec<&str> = T::ALL.iter().map(|v| v.label()).collect();
    let listed: Vec<String> = T::ALL
        .iter()
        .map(|v| format!("`{}` {}", v.code(), v.label()))
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes.clone()))
        .description(Some(format!("{what}：{}", listed.join("，"))))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-enum-varnames", codes)
                .add("x-enum-descriptions", labels)
                .build(),
        ))
        .into()
}

pub mod domain;
mod enums;

pub use enums::*;
