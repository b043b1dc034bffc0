//! Pure decisions of lingji: money, codes, organisations, roles and authorisation, policy
//! profiles, the audit chain. No I/O, no async, no SQL.
#![deny(clippy::float_arithmetic)]

/// An enum with a stable code and a Chinese label: the one interface every such enum of the
/// domain offers (project kinds, fund books, tiers, states, outcomes, comparators, roles, …).
/// The code is what is stored, what serde writes and reads, and what the API sends and
/// accepts; the label is what people read.
pub trait Labelled: Sized + Copy + PartialEq + 'static {
    /// Every value, in form order.
    const ALL: &'static [Self];

    /// Stable code, as stored and as sent.
    fn code(&self) -> &'static str;

    fn label(&self) -> &'static str;

    /// The value of a code, if it is one.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// Declares a [`Labelled`] enum, the one way the domain does: each value with its stable code
/// (what is stored, what serde writes and reads, what the API sends and accepts) and its Chinese
/// label. It gets `ALL` (form order), `as_str`, `label` and a parser chosen after the name:
///
/// - `Name { … }`: `parse(code) -> Option<Self>`;
/// - `Name: refuse("CODE", "what") { … }`: `parse(code or label) -> Result<Self, Refusal>`,
///   the refusal listing every label (for values typed into forms and workbooks);
/// - `Name: custom { … }`: no parser; the enum writes its own.
macro_rules! labelled {
    (
        $(#[$m:meta])*
        $name:ident $(: $how:ident $(($($arg:literal),*))?)? {
            $($(#[$vm:meta])* $v:ident = $code:literal / $label:literal),+ $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $v),+
        }

        impl $name {
            /// Every value, in form order.
            pub const ALL: [$name; <[&str]>::len(&[$(stringify!($v)),+])] = [$($name::$v),+];

            /// Stable code, as stored and as sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label),+ }
            }
        }

        impl $crate::Labelled for $name {
            const ALL: &'static [Self] = &$name::ALL;
            fn code(&self) -> &'static str {
                $name::as_str(*self)
            }
            fn label(&self) -> &'static str {
                $name::label(*self)
            }
        }

        labelled!(@parse $name $($how $(($($arg),*))?)?);
    };
    (@parse $name:ident) => {
        impl $name {
            /// From its stable code.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
    (@parse $name:ident custom) => {};
    (@parse $name:ident refuse($code:literal, $what:literal)) => {
        impl $name {
            /// Parses the code or the Chinese name.
            pub fn parse(s: &str) -> Result<Self, $crate::Refusal> {
                let s = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s || v.label() == s)
                    .ok_or_else(|| {
                        let all: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                        $crate::Refusal::new($code, format!("{}“{s}”未知，应为：{}", $what, all.join("、")))
                    })
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

#[cfg(test)]
mod labelled_tests {
    use super::Labelled;

    /// Codes are unique, labels are given, and serde writes and reads the code: a value the API
    /// sends is one it accepts.
    fn check<T: Labelled + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug>() {
        assert!(!T::ALL.is_empty());
        for (i, v) in T::ALL.iter().enumerate() {
            assert!(!v.label().is_empty(), "{v:?} has no label");
            assert_eq!(serde_json::to_value(v).unwrap(), v.code(), "{v:?}");
            let back: T = serde_json::from_value(serde_json::json!(v.code())).unwrap();
            assert_eq!(back, *v);
            assert_eq!(T::from_code(v.code()), Some(*v));
            assert!(T::ALL[..i].iter().all(|w| w.code() != v.code()));
        }
    }

    #[test]
    fn every_labelled_enum_is_coded_both_ways() {
        use crate::allocation::Grade;
        use crate::allocation::Status;
        use crate::disclosure::PublicationKind;
        use crate::execution::Action;
        use crate::execution::PayeeKind;
        use crate::execution::{AdjustmentKind, AdjustmentStatus};
        use crate::execution::{Disposition, PaymentStatus};
        use crate::execution::{PlanStatus, PlanTier};
        use crate::foundation::codes::{EconomicSet, FunctionLevel};
        use crate::library::cost::StandardCategory;
        use crate::library::targets::{Comparator, IndicatorCategory};
        use crate::library::{MatterClass, ProjectKind, ProjectState};
        use crate::performance::evaluation::Dimension;
        use crate::performance::monitoring::{Decision, Light, Likelihood};
        use crate::performance::scoring::Attainment;
        use crate::review::decision::ReviewStage;
        use crate::review::gates::{
            CapacityResult, ExAnteConclusion, GateKind, NotReadyReason, ProviderKind,
        };
        use crate::review::lists::ListKind;
        use crate::review::mode::ReviewMode;
        use crate::review::routing::JointBody;
        use crate::{
            foundation::authz::Role, foundation::fund::FundBook, foundation::policy::Preset,
        };
        check::<Grade>();
        check::<Status>();
        check::<EconomicSet>();
        check::<FunctionLevel>();
        check::<AdjustmentKind>();
        check::<AdjustmentStatus>();
        check::<PayeeKind>();
        check::<PlanStatus>();
        check::<PlanTier>();
        check::<Action>();
        check::<Disposition>();
        check::<PaymentStatus>();
        check::<PublicationKind>();
        check::<Dimension>();
        check::<Decision>();
        check::<Light>();
        check::<Likelihood>();
        check::<Attainment>();
        check::<StandardCategory>();
        check::<Comparator>();
        check::<IndicatorCategory>();
        check::<MatterClass>();
        check::<ProjectKind>();
        check::<ProjectState>();
        check::<ReviewStage>();
        check::<CapacityResult>();
        check::<ExAnteConclusion>();
        check::<GateKind>();
        check::<NotReadyReason>();
        check::<ProviderKind>();
        check::<ListKind>();
        check::<ReviewMode>();
        check::<JointBody>();
        check::<Role>();
        check::<FundBook>();
        check::<crate::foundation::org::OrgKind>();
        check::<crate::foundation::org::UnitKind>();
        check::<Preset>();
        check::<crate::library::tier::SpendingTier>();
        check::<crate::library::tier::Guarantee>();
        // Names written before the codes were the serde names still read.
        let old: Comparator = serde_json::from_value(serde_json::json!("at_least")).unwrap();
        assert_eq!(old, Comparator::AtLeast);
        let old: crate::foundation::org::UnitKind =
            serde_json::from_value(serde_json::json!("public_welfare2")).unwrap();
        assert_eq!(old, crate::foundation::org::UnitKind::PublicWelfare2);
    }
}
