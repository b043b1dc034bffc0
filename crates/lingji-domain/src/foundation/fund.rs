//! Fund books (四本预算) and the other sources a budget line can draw on.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;

/// A fund book or fund source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundBook {
    /// 一般公共预算
    GeneralPublic,
    /// 政府性基金预算
    GovernmentFund,
    /// 国有资本经营预算
    StateCapital,
    /// 社会保险基金预算
    SocialInsurance,
    /// 上级转移支付
    UpperTransfer,
    /// 存量资金
    StockFunds,
    /// 单位资金 (ZB-11)
    UnitFunds,
}

impl FundBook {
    /// Every book, in the order reports list them.
    pub const ALL: [FundBook; 7] = [
        FundBook::GeneralPublic,
        FundBook::GovernmentFund,
        FundBook::StateCapital,
        FundBook::SocialInsurance,
        FundBook::UpperTransfer,
        FundBook::StockFunds,
        FundBook::UnitFunds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FundBook::GeneralPublic => "general_public",
            FundBook::GovernmentFund => "government_fund",
            FundBook::StateCapital => "state_capital",
            FundBook::SocialInsurance => "social_insurance",
            FundBook::UpperTransfer => "upper_transfer",
            FundBook::StockFunds => "stock_funds",
            FundBook::UnitFunds => "unit_funds",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FundBook::GeneralPublic => "一般公共预算",
            FundBook::GovernmentFund => "政府性基金预算",
            FundBook::StateCapital => "国有资本经营预算",
            FundBook::SocialInsurance => "社会保险基金预算",
            FundBook::UpperTransfer => "上级转移支付",
            FundBook::StockFunds => "存量资金",
            FundBook::UnitFunds => "单位资金",
        }
    }

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

labelled!(FundBook);
