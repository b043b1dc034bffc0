//! Review and argument (审核论证): how a submitted project is reviewed (ZB-5a), who else must
//! review it (ZB-5e, ZB-2e), what the panel records (ZB-5b) and what each reviewer decides.
//! Pure rules; the use cases store the outcome.

pub mod decision;
pub mod mode;
pub mod panel;
pub mod routing;
