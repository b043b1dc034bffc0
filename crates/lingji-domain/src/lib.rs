//! Pure decisions of lingji: money, codes, organisations, roles and authorisation, policy
//! profiles, the audit chain. No I/O, no async, no SQL.
#![deny(clippy::float_arithmetic)]

/// An enum with its stable name (as stored) and Chinese label, declared once.
macro_rules! named {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal / $l:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            /// Stable name, as stored.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }

            /// Chinese name.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $l,)+ }
            }

            /// From its stable name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub mod allocation;
pub mod dates;
pub mod disclosure;
pub mod error;
pub mod execution;
pub mod foundation;
pub mod library;
pub mod money;
pub mod performance;
pub mod review;
pub mod text;

pub use error::Refusal;
pub use money::Money;
