//! A payment request as a unit operator enters it, checked before it may touch a budget line:
//! every field named when wrong, and the economic code within the line's (ZB-7a: no payment
//! outside its budget).

use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::money::Money;

labelled! {
    /// Who is paid (ZB-7a, the 公务卡 rules later).
    PayeeKind: custom {
        Unit = "unit" / "单位",
        Individual = "individual" / "个人",
        OfficialCard = "official_card" / "公务卡",
    }
}

impl PayeeKind {
    /// From its stable name.
    pub fn parse(s: &str) -> Option<PayeeKind> {
        PayeeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A payment request as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDraft {
    /// 收款人.
    pub payee_name: String,
    /// 收款账号 (bank account or card number).
    pub payee_account: String,
    /// 收款人类型.
    pub payee_kind: PayeeKind,
    pub amount: Money,
    /// Government economic code of the spending.
    pub economic_code: String,
    /// The budget line paid from.
    pub line_id: i64,
    /// 用途.
    pub purpose: String,
    pub date: chrono::NaiveDate,
    /// 合同编号, when there is one.
    pub contract_no: Option<String>,
    /// The events-list code when the payment is for a festival, forum or exhibition (ZB-6a).
    #[serde(default)]
    pub event_code: Option<String>,
    /// Participants, for meeting and training spend against the standard.
    #[serde(default)]
    pub headcount: Option<u32>,
    /// Days, likewise.
    #[serde(default)]
    pub days: Option<u32>,
    /// The client's key: the same key again is the same request, never a second payment.
    pub idempotency_key: String,
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Every field that is wrong, each named; empty when the draft may be checked against its line.
pub fn check_draft(d: &PaymentDraft) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut wrong = |code: &'static str, field: &str, message: &str| {
        out.push(Refusal::new(code, message).field(field));
    };
    let name = d.payee_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        wrong(
            "PAYEE_NAME_INVALID",
            "payee_name",
            "请填写收款人（不超过 100 个字）",
        );
    }
    let account: String = d.payee_account.chars().filter(|c| *c != ' ').collect();
    let account_ok = match d.payee_kind {
        PayeeKind::OfficialCard => digits(&account) && (16..=19).contains(&account.len()),
        _ => digits(&account) && (6..=34).contains(&account.len()),
    };
    if !account_ok {
        wrong(
            "PAYEE_ACCOUNT_INVALID",
            "payee_account",
            match d.payee_kind {
                PayeeKind::OfficialCard => "公务卡卡号应为 16–19 位数字",
                _ => "收款账号应为 6–34 位数字",
            },
        );
    }
    if d.amount <= Money::ZERO {
        wrong("PAYMENT_AMOUNT_NOT_POSITIVE", "amount", "支付金额须大于零");
    }
    if !(digits(&d.economic_code) && matches!(d.economic_code.len(), 3 | 5 | 7)) {
        wrong(
            "ECONOMIC_CODE_MALFORMED",
            "economic_code",
            "经济分类科目应为 3、5 或 7 位数字",
        );
    }
    let purpose = d.purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > 200 {
        wrong(
            "PURPOSE_INVALID",
            "purpose",
            "请填写用途（不超过 200 个字）",
        );
    }
    if d.contract_no
        .as_deref()
        .is_some_and(|c| c.chars().count() > 64)
    {
        wrong(
            "CONTRACT_NO_TOO_LONG",
            "contract_no",
            "合同编号不超过 64 个字符",
        );
    }
    if d.event_code
        .as_deref()
        .is_some_and(|c| c.trim().is_empty() || c.chars().count() > 32)
    {
        wrong(
            "EVENT_CODE_INVALID",
            "event_code",
            "活动清单编号不超过 32 个字符",
        );
    }
    if d.headcount.is_some_and(|h| h == 0 || h > 100_000) {
        wrong("HEADCOUNT_INVALID", "headcount", "人数应为 1–100000");
    }
    if d.days.is_some_and(|n| n == 0 || n > 366) {
        wrong("DAYS_INVALID", "days", "天数应为 1–366");
    }
    let key = &d.idempotency_key;
    if !(8..=64).contains(&key.len())
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        wrong(
            "IDEMPOTENCY_KEY_INVALID",
            "idempotency_key",
            "请求标识应为 8–64 位字母、数字、“-”或“_”",
        );
    }
    // The payee is compared with earlier payments (split payments, first transfers to a
    // person): a look-alike name must not pass as another payee.
    out.extend(crate::text::check_name(name, "payee_name").err());
    out.extend(crate::dates::check(d.date, "date").err());
    out
}

/// The payment's economic code lies within the line's (a line of 302 pays 30215; a line of
/// 30215 pays only 30215…); otherwise it is spending outside its budget (ZB-7a).
pub fn within_line(line_code: &str, payment_code: &str) -> Result<(), Refusal> {
    if payment_code.starts_with(line_code) {
        Ok(())
    } else {
        Err(Refusal::new(
            "ECONOMIC_CODE_OUTSIDE_LINE",
            format!(
                "经济分类 {payment_code} 不在该指标的经济分类 {line_code} 范围内，不得无预算列支"
            ),
        )
        .field("economic_code")
        .clause("ZB-7a"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PaymentDraft {
        PaymentDraft {
            payee_name: "示范市会议中心".into(),
            payee_account: "6222 0212 3456 7890".into(),
            payee_kind: PayeeKind::Unit,
            amount: Money::from_yuan(12_000),
            economic_code: "30215".into(),
            line_id: 1,
            purpose: "全市教育工作会议场租".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
            contract_no: Some("HT-2026-001".into()),
            event_code: None,
            headcount: Some(80),
            days: Some(1),
            idempotency_key: "pay-2026-0001".into(),
        }
    }

    #[test]
    fn a_complete_request_passes_and_every_wrong_field_is_named() {
        assert!(check_draft(&draft()).is_empty());
        let mut d = draft();
        d.payee_name = " ".into();
        d.payee_account = "12ab".into();
        d.amount = Money::from_fen(-1);
        d.economic_code = "3021".into();
        d.purpose = String::new();
        d.idempotency_key = "短".into();
        let fields: Vec<String> = check_draft(&d)
            .into_iter()
            .map(|r| r.field.unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "payee_name",
                "payee_account",
                "amount",
                "economic_code",
                "purpose",
                "idempotency_key"
            ]
        );
    }

    #[test]
    fn an_official_card_number_has_16_to_19_digits() {
        let mut d = draft();
        d.payee_kind = PayeeKind::OfficialCard;
        d.payee_account = "6222021234567890".into();
        assert!(check_draft(&d).is_empty());
        d.payee_account = "622202123456".into();
        assert_eq!(check_draft(&d)[0].code, "PAYEE_ACCOUNT_INVALID");
    }

    #[test]
    fn zb_7a_the_payment_stays_within_the_lines_economic_code() {
        assert!(within_line("302", "30215").is_ok());
        assert!(within_line("30215", "30215").is_ok());
        let r = within_line("30215", "30216").unwrap_err();
        assert_eq!(
            (r.code, r.clause),
            ("ECONOMIC_CODE_OUTSIDE_LINE", Some("ZB-7a"))
        );
        assert!(
            within_line("301", "30215").is_err(),
            "personnel money is not public expense"
        );
    }
}
