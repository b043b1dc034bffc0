//! Review and argument (审核论证): how a submitted project is reviewed (ZB-5a), who else must
//! review it (ZB-5e, ZB-2e), what the panel records (ZB-5b), what each reviewer decides, the
//! gates a project must pass before money and the one answer to "may it be funded?".
//! Pure rules; the use cases store the outcome.

pub mod decision;
pub mod eligibility;
pub mod gates;
pub mod lists;
pub mod mode;
pub mod panel;
pub mod routing;
