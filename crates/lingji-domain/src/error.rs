//! The one shape every refusal takes, from a malformed amount to a policy rule.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// A decision that refused the input: a stable code for machines, a Chinese message for
/// people, the field or row that is wrong and, when a policy rule refused, its clause id
/// from `POLICY.md`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// Stable machine-readable code, e.g. `MONEY_MALFORMED`.
    pub code: &'static str,
    /// Message for people, in Chinese.
    pub message: String,
    /// The field (or `row N, column C`) that is wrong, when there is one.
    pub field: Option<String>,
    /// The policy clause that refused, e.g. `ZB-3`.
    pub clause: Option<&'static str>,
}

impl Refusal {
    /// A refusal with a code and a Chinese message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            clause: None,
        }
    }

    /// Names the field that is wrong.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Cites the policy clause that refused.
    #[must_use]
    pub fn clause(mut self, clause: &'static str) -> Self {
        self.clause = Some(clause);
        self
    }

    /// A refusal as it was stored (a payment's, read back with it): its code and clause are
    /// [`interned`].
    pub fn stored(
        code: &str,
        clause: Option<&str>,
        message: impl Into<String>,
        field: Option<String>,
    ) -> Self {
        Self {
            code: interned(code),
            message: message.into(),
            field,
            clause: clause.map(interned),
        }
    }
}

/// A code or clause id that is not a constant of the program — one read back from storage, or
/// the clause a monitoring rule cites (finance types it) — as the `'static` text a [`Refusal`]
/// holds. Each distinct text is kept once for the life of the process: codes and clause ids
/// are a small set (the program's codes, `POLICY.md`'s clause ids and the rules' clauses).
pub fn interned(text: &str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(kept) = seen.get(text) {
        return kept;
    }
    let kept: &'static str = Box::leak(text.into());
    seen.insert(kept);
    kept
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " [{field}]")?;
        }
        if let Some(clause) = self.clause {
            write!(f, "（{clause}）")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}
