//! Money in integer fen (分). No floating point anywhere on a money path.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Refusal;

/// An amount of money in fen (1 元 = 100 分). Stored and summed as `i64`; JSON carries it as a
/// string in 元 (`"1234.56"`) so no client ever sees a float.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// The largest amount accepted from input: one trillion 元 (10^12), far above any budget of a
/// city, far below `i64::MAX` fen so that sums of many lines cannot overflow silently.
pub const MAX_INPUT_YUAN: i64 = 1_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Self {
        Money(fen)
    }

    /// From whole 元.
    pub const fn from_yuan(yuan: i64) -> Self {
        Money(yuan * 100)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// True when below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Sum that refuses to overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Difference that refuses to overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Multiply by a whole quantity (headcount, days, vehicles).
    pub fn checked_mul(self, quantity: i64) -> Option<Money> {
        self.0.checked_mul(quantity).map(Money)
    }

    /// Sum of many amounts, `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(items: I) -> Option<Money> {
        items
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }

    /// Parses what people type: `1234.56`, `1,234.56`, `120 000`, `-3.2`, `12.5万`, `12.5万元`,
    /// `800元`, `¥1,000`, and the same in full-width characters (`１２０，０００．５`). At most two
    /// decimal places of 元 (six of 万元, down to the fen); anything finer is refused rather than
    /// rounded.
    pub fn parse(input: &str) -> Result<Money, Refusal> {
        Money::parse_as(input, "金额")
    }

    /// [`Money::parse`], a refusal naming the amount as the form does (`资金总需求“12O,000”
    /// 格式不正确…`), so that the message beside a field says which field it is.
    pub fn parse_as(input: &str, name: &str) -> Result<Money, Refusal> {
        let malformed = || {
            Refusal::new(
                "MONEY_MALFORMED",
                format!(
                    "{name}“{input}”格式不正确，应为元（最多两位小数）或万元，如 120,000、1,234.56 或 12.5万"
                ),
            )
        };
        let typed = half_width(input);
        // Where people write them: the sign, then the currency sign, or the other way round.
        let (outer, s) = sign(typed.trim());
        let s = s.strip_prefix(['¥', '￥']).unwrap_or(s).trim_start();
        let (inner, s) = sign(s);
        let negative = match (outer, inner) {
            (Some(_), Some(_)) => return Err(malformed()),
            (Some(minus), None) | (None, Some(minus)) => minus,
            (None, None) => false,
        };
        let (s, scale_wan) = match s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
            Some(rest) => (rest.trim_end(), true),
            None => (s.strip_suffix('元').unwrap_or(s).trim_end(), false),
        };
        let (grouped, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        // Thousands separators only between groups of three digits: `1,234` but never `1,5`
        // (which a lax reading would store as 15) or `1,0,0`.
        let int_part = ungroup(grouped).ok_or_else(malformed)?;
        let int_part = int_part.as_str();
        let digits = s;
        let max_frac = if scale_wan { 6 } else { 2 };
        if int_part.is_empty() && frac_part.is_empty()
            || !int_part.chars().all(|c| c.is_ascii_digit())
            || !frac_part.chars().all(|c| c.is_ascii_digit())
            || (digits.contains('.') && frac_part.is_empty())
        {
            return Err(malformed());
        }
        if frac_part.len() > max_frac {
            return Err(Refusal::new(
                "MONEY_TOO_PRECISE",
                format!("{name}“{input}”精确到分以下，请最多保留到分"),
            ));
        }
        let too_large = || {
            Refusal::new(
                "MONEY_OUT_OF_RANGE",
                format!("{name}“{input}”超出允许范围（绝对值不超过 1 万亿元）"),
            )
        };
        if int_part.len() > 13 {
            return Err(too_large());
        }
        let whole: i64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| malformed())?
        };
        // Fen per unit of the integer part, and the fraction padded to that many digits.
        let (unit_fen, frac_digits) = if scale_wan { (1_000_000, 6) } else { (100, 2) };
        let mut frac = frac_part.to_string();
        while frac.len() < frac_digits {
            frac.push('0');
        }
        let frac_fen: i64 = frac.parse().map_err(|_| malformed())?;
        let fen = whole
            .checked_mul(unit_fen)
            .and_then(|w| w.checked_add(frac_fen))
            .ok_or_else(too_large)?;
        if fen > MAX_INPUT_YUAN * 100 {
            return Err(too_large());
        }
        Ok(Money(if negative { -fen } else { fen }))
    }

    /// Like [`Money::parse`] but refuses negative amounts, naming the field.
    pub fn parse_non_negative(input: &str, field: &str) -> Result<Money, Refusal> {
        let m = Money::parse(input).map_err(|r| r.field(field))?;
        if m.is_negative() {
            return Err(
                Refusal::new("MONEY_NEGATIVE", format!("金额“{input}”不能为负数")).field(field),
            );
        }
        Ok(m)
    }

    /// Plain 元 with two decimals and no separators, as carried in JSON: `1234.56`.
    pub fn to_plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// 元 with thousands separators for people: `1,234.56`.
    pub fn to_yuan_display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100)
    }

    /// 万元 rounded half away from zero to two decimals, for reports: `12.35`.
    pub fn to_wan_display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        // 1 万元 = 1,000,000 分; two decimals of 万元 = 10,000 分.
        let hundredths = (abs + 5_000) / 10_000;
        format!(
            "{sign}{}.{:02}",
            group_thousands(hundredths / 100),
            hundredths % 100
        )
    }

    /// 万元 exactly, for tables and documents people add up: the fen divided by 1,000,000 as
    /// decimal text with separators, two decimals at least and as many as the fen need
    /// (`1,234.56789`), never rounded.
    pub fn to_wan_exact(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let mut frac = format!("{:06}", abs % 1_000_000);
        while frac.len() > 2 && frac.ends_with('0') {
            frac.pop();
        }
        format!("{sign}{}.{frac}", group_thousands(abs / 1_000_000))
    }
}

/// Full-width digits, point, signs and space (as a Chinese input method types them) in their
/// ASCII form; every other character as it is, for the parser to judge.
pub fn half_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            '．' => '.',
            '－' => '-',
            '＋' => '+',
            '　' => ' ',
            _ => c,
        })
        .collect()
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A leading `-` or `+` (whether it is a minus), if any, and the rest.
fn sign(s: &str) -> (Option<bool>, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (Some(true), rest.trim_start())
    } else if let Some(rest) = s.strip_prefix('+') {
        (Some(false), rest.trim_start())
    } else {
        (None, s)
    }
}

/// The digits of an integer part written with or without thousands separators (`,`, `，` or a
/// space); `None` when a separator does not stand between groups of three.
pub(crate) fn ungroup(grouped: &str) -> Option<String> {
    let mut groups = grouped.split([',', '，', ' ']);
    let first = groups.next().unwrap_or("");
    let mut out = first.to_string();
    let mut separated = false;
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        separated = true;
        out.push_str(group);
    }
    if separated && !(1..=3).contains(&first.len()) {
        return None;
    }
    Some(out)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_yuan_display())
    }
}

impl FromStr for Money {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_plain())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Money::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_finance_staff_type() {
        assert_eq!(Money::parse("1234.56").unwrap().fen(), 123_456);
        assert_eq!(Money::parse("1,234.56").unwrap().fen(), 123_456);
        assert_eq!(Money::parse("¥1,000").unwrap().fen(), 100_000);
        assert_eq!(Money::parse("12.5万").unwrap().fen(), 12_500_000);
        assert_eq!(Money::parse("0.0001万元").unwrap().fen(), 100);
        assert_eq!(Money::parse("800元").unwrap().fen(), 80_000);
        assert_eq!(Money::parse("-3.2").unwrap().fen(), -320);
        assert_eq!(Money::parse(".5").unwrap().fen(), 50);
    }

    #[test]
    fn refuses_malformed_and_sub_fen_amounts() {
        for bad in [
            "", "abc", "1.2.3", "12,3a", "1.", "--1", "+-1", "1e5", "NaN", "¥", "元",
        ] {
            assert_eq!(
                Money::parse(bad).unwrap_err().code,
                "MONEY_MALFORMED",
                "{bad}"
            );
        }
        assert_eq!(Money::parse("1.234").unwrap_err().code, "MONEY_TOO_PRECISE");
        // The sixth decimal of 万元 is the fen; a seventh is below it.
        assert_eq!(Money::parse("1.000001万").unwrap().fen(), 1_000_001);
        assert_eq!(Money::parse("227.03728万元").unwrap().fen(), 227_037_280);
        assert_eq!(
            Money::parse("1.0000001万").unwrap_err().code,
            "MONEY_TOO_PRECISE"
        );
        assert_eq!(
            Money::parse("99999999999999999999").unwrap_err().code,
            "MONEY_OUT_OF_RANGE"
        );
        assert_eq!(
            Money::parse("1000000000000.01").unwrap_err().code,
            "MONEY_OUT_OF_RANGE"
        );
        assert_eq!(
            Money::parse_non_negative("-1", "amount")
                .unwrap_err()
                .field
                .as_deref(),
            Some("amount")
        );
    }

    #[test]
    fn thousands_separators_only_between_groups_of_three() {
        for (typed, fen) in [
            ("1,234.56", 123_456),
            ("12,345,678", 1_234_567_800),
            ("1，234", 123_400),
            ("1 234 567.01", 123_456_701),
            ("-¥1,000", -100_000),
            ("¥ -1,000.5", -100_050),
            ("1,234.5万", 1_234_500_000),
            ("999", 99_900),
        ] {
            assert_eq!(Money::parse(typed).unwrap().fen(), fen, "{typed}");
        }
        // A lax reading stored 1,5 as 15.00.
        for bad in [
            "1,5",
            "1,0,0",
            "1,23",
            "1,2345",
            ",123",
            "123,",
            "1234,567",
            "1,234.5,6",
            "1,,234",
            "12 3",
        ] {
            assert_eq!(
                Money::parse(bad).unwrap_err().code,
                "MONEY_MALFORMED",
                "{bad}"
            );
        }
    }

    #[test]
    fn full_width_digits_read_as_typed_and_the_field_is_named() {
        for (typed, fen) in [
            ("１２０", 12_000),
            ("１２０，０００", 12_000_000),
            ("１,２３４．５６", 123_456),
            ("１２０　０００", 12_000_000),
            ("－５", -500),
            ("１２．５万", 12_500_000),
            ("120,000", 12_000_000),
            (" 120 000 ", 12_000_000),
        ] {
            assert_eq!(Money::parse(typed).unwrap().fen(), fen, "{typed}");
        }
        // A letter O for a zero, a Chinese numeral: refused, naming the field, never read as 0.
        for bad in ["12O,000", "一百二十", "120,00O", "１２Ｏ"] {
            let r = Money::parse_as(bad, "资金总需求").unwrap_err();
            assert_eq!(r.code, "MONEY_MALFORMED", "{bad}");
            assert!(r.message.starts_with("资金总需求“"), "{}", r.message);
        }
        assert!(
            Money::parse("x")
                .unwrap_err()
                .message
                .starts_with("金额“x”")
        );
    }

    #[test]
    fn wan_exact_keeps_every_fen() {
        assert_eq!(
            Money::from_fen(345_678_000_000).to_wan_exact(),
            "345,678.00"
        );
        assert_eq!(Money::from_fen(1).to_wan_exact(), "0.000001");
        assert_eq!(Money::from_fen(1_234_567_890).to_wan_exact(), "1,234.56789");
        assert_eq!(Money::from_fen(-1_500_000).to_wan_exact(), "-1.50");
        assert_eq!(Money::ZERO.to_wan_exact(), "0.00");
    }

    #[test]
    fn displays_yuan_and_wan() {
        let m = Money::from_fen(123_456_789);
        assert_eq!(m.to_yuan_display(), "1,234,567.89");
        assert_eq!(m.to_plain(), "1234567.89");
        assert_eq!(m.to_wan_display(), "123.46");
        assert_eq!(Money::from_fen(-5).to_plain(), "-0.05");
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"1234567.89\"");
        let back: Money = serde_json::from_str("\"1234567.89\"").unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(
            Money::from_fen(i64::MAX).checked_add(Money::from_fen(1)),
            None
        );
        assert_eq!(
            Money::checked_sum([Money::from_yuan(1), Money::from_fen(50)]),
            Some(Money::from_fen(150))
        );
        assert_eq!(
            Money::from_yuan(3).checked_mul(4),
            Some(Money::from_yuan(12))
        );
    }

    proptest! {
        #[test]
        fn plain_text_round_trips(fen in -100_000_000_000_000i64..100_000_000_000_000i64) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(Money::parse(&m.to_plain()).unwrap(), m);
            prop_assert_eq!(Money::parse(&m.to_yuan_display()).unwrap(), m);
            // A figure read off a table in 万元 is the same money, to the fen.
            prop_assert_eq!(Money::parse(&format!("{}万元", m.to_wan_exact())).unwrap(), m);
        }
    }
}
