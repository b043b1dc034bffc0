//! Times are written by the application as RFC 3339 UTC text with milliseconds, identical on
//! both backends and sortable as text.

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, as stored.
pub fn now_text() -> String {
    to_text(Utc::now())
}

/// A time as stored.
pub fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a stored time back.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
