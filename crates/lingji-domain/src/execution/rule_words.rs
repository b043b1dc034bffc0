//! A rule expression read out in Chinese (ZX-4b): the catalogue keeps the expression finance
//! edits; the rule list shows it with each field by its Chinese name, 且/或/非 for the joins,
//! and payee kinds and fund books by their labels, so the page has no rule-language words.

use crate::Labelled;
use crate::execution::PayeeKind;
use crate::execution::rule_syntax::RULE_FIELDS;
use crate::foundation::fund::FundBook;

/// Words of the rule language besides the fields: keywords and functions.
const WORDS: [(&str, &str); 18] = [
    ("and", "且"),
    ("or", "或"),
    ("not", "非"),
    ("in", "属于"),
    ("true", "是"),
    ("false", "否"),
    ("null", "空"),
    ("startsWith", "开头为"),
    ("endsWith", "结尾为"),
    ("contains", "包含"),
    ("len", "个数"),
    ("sum", "合计"),
    ("filter", "筛选"),
    ("count", "计数"),
    ("max", "最大值"),
    ("min", "最小值"),
    ("abs", "绝对值"),
    ("round", "取整"),
];

/// Operators written as people write them.
const OPERATORS: [(&str, &str); 4] = [("==", "＝"), ("!=", "≠"), (">=", "≥"), ("<=", "≤")];

/// A name of the expression (field, keyword, function) in Chinese; itself when unknown.
fn name(word: &str) -> String {
    if let Some(f) = RULE_FIELDS.iter().find(|f| f.path == word) {
        return format!("〔{}〕", f.label);
    }
    WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or_else(|| word.to_string(), |(_, zh)| zh.to_string())
}

/// A quoted value: a payee kind or fund book by its label, anything else as written.
fn value(text: &str) -> String {
    let label = PayeeKind::ALL
        .iter()
        .find(|k| k.code() == text)
        .map(|k| k.label())
        .or_else(|| {
            FundBook::ALL
                .iter()
                .find(|b| b.code() == text)
                .map(|b| b.label())
        });
    format!("“{}”", label.unwrap_or(text))
}

/// `expression` read out in Chinese.
pub fn in_words(expression: &str) -> String {
    let chars: Vec<char> = expression.chars().collect();
    let mut out = String::with_capacity(expression.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let end = chars[i + 1..]
                .iter()
                .position(|&d| d == c)
                .map_or(chars.len(), |p| i + 1 + p);
            out.push_str(&value(&chars[i + 1..end].iter().collect::<String>()));
            i = end + 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push_str(&name(&chars[start..i].iter().collect::<String>()));
        } else if let Some((op, zh)) = OPERATORS
            .iter()
            .find(|(op, _)| chars[i..].starts_with(&op.chars().collect::<Vec<_>>()))
        {
            out.push_str(zh);
            i += op.len();
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::default_catalogue;

    #[test]
    fn zx_4b_a_rule_reads_in_chinese() {
        assert_eq!(
            in_words("payment.payee_kind == 'individual' and payment.amount > 50000"),
            "〔收款人类型〕 ＝ “个人” 且 〔支付金额（元）〕 > 50000"
        );
        assert_eq!(
            in_words("startsWith(payment.economic_code, '30217')"),
            "开头为(〔支付经济分类〕, “30217”)"
        );
    }

    #[test]
    fn zx_4b_every_catalogue_rule_reads_without_a_latin_word() {
        for rule in default_catalogue() {
            let words = in_words(&rule.expression);
            assert!(
                !words.chars().any(|c| c.is_ascii_alphabetic()),
                "{}: {words}",
                rule.code
            );
        }
    }
}
