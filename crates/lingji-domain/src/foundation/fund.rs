//! Fund books (四本预算) and the other sources a budget line can draw on.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

labelled! {
    /// A fund book or fund source.
    #[derive(PartialOrd, Ord)]
    FundBook: custom {
        GeneralPublic = "general_public" / "一般公共预算",
        GovernmentFund = "government_fund" / "政府性基金预算",
        StateCapital = "state_capital" / "国有资本经营预算",
        SocialInsurance = "social_insurance" / "社会保险基金预算",
        UpperTransfer = "upper_transfer" / "上级转移支付",
        StockFunds = "stock_funds" / "存量资金",
        /// 单位资金 (ZB-11)
        UnitFunds = "unit_funds" / "单位资金",
    }
}

impl FundBook {
    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        let s = s.trim();
        FundBook::ALL
            .into_iter()
            .find(|b| b.as_str() == s || b.label() == s)
            .ok_or_else(|| {
                Refusal::new("FUND_BOOK_UNKNOWN", format!("资金来源“{s}”未知")).field("fund_book")
            })
    }
}
