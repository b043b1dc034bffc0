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

/// Makes an enum that already has `ALL`, `as_str` and `label` [`Labelled`] (or, for one with
/// only `label`, its codes given here: the serde names).
macro_rules! labelled {
    ($name:ident { $($v:ident = $code:literal),+ $(,)? }) => {
        impl $crate::Labelled for $name {
            const ALL: &'static [Self] = &[$($name::$v),+];
            fn code(&self) -> &'static str {
                match self { $($name::$v => $code),+ }
            }
            fn label(&self) -> &'static str {
                $name::label(*self)
            }
        }
    };
    (@slice $name:ident) => {
        labelled!(@impl $name, $name::ALL);
    };
    (@impl $name:ident, $all:expr) => {
        impl $crate::Labelled for $name {
            const ALL: &'static [Self] = $all;
            fn code(&self) -> &'static str {
                $name::as_str(*self)
            }
            fn label(&self) -> &'static str {
                $name::label(*self)
            }
        }
    };
    ($($name:ident),+ $(,)?) => {
        $(impl $crate::Labelled for $name {
            const ALL: &'static [Self] = &$name::ALL;
            fn code(&self) -> &'static str {
                $name::as_str(*self)
            }
            fn label(&self) -> &'static str {
                $name::label(*self)
            }
        })+
    };
}

/// An enum with its stable name (as stored) and Chinese label, declared once.
macro_rules! named {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal / $l:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            /// Stable name, as stored.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $l,)+ }
            }

            /// From its stable name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        labelled!(@slice $name);
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
