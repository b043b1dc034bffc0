//! What people may type. Control characters (NUL, backspace, escape, DEL, the C1 range) have no
//! business in a budget: PostgreSQL refuses NUL where SQLite stores it, and they hide in exports.
//! In names that people compare by eye — payees, projects, organisations, attachment names —
//! bidirectional overrides and zero-width characters are refused too: `invoice` + U+202E +
//! `fdp.exe` reads as `invoiceexe.pdf`, and `某某公司` with a zero-width space is another payee
//! that looks the same.

use crate::error::Refusal;

/// A control character other than tab and line breaks (which multi-line text keeps).
pub fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A character that changes how text reads without being seen: bidirectional marks,
/// embeddings, overrides and isolates; zero-width spaces and joiners; the byte-order mark; the
/// soft hyphen; blank fillers that render as nothing (Hangul fillers, the braille blank, the
/// combining grapheme joiner, Khmer vowel inherents) and variation selectors.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// The first control character of `s`, if any.
pub fn first_control(s: &str) -> Option<char> {
    s.chars().find(|c| is_control(*c))
}

/// Refuses text with a control character, naming the field.
pub fn check_text(s: &str, field: &str) -> Result<(), Refusal> {
    match first_control(s) {
        Some(c) => Err(control_refusal(c, field)),
        None => Ok(()),
    }
}

/// The refusal of a control character `c` in `field`.
pub fn control_refusal(c: char, field: &str) -> Refusal {
    Refusal::new(
        "TEXT_CONTROL_CHAR",
        format!(
            "“{field}”中含有不可见的控制字符（U+{:04X}），请删去后重试",
            u32::from(c)
        ),
    )
    .field(field)
}

/// Refuses a name that people compare by eye when it holds a control, line-break,
/// bidirectional or zero-width character, naming the field.
pub fn check_name(s: &str, field: &str) -> Result<(), Refusal> {
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(control_refusal(c, field));
    }
    match s.chars().find(|c| is_invisible(*c)) {
        Some(c) => Err(Refusal::new(
            "NAME_INVISIBLE_CHAR",
            format!(
                "名称中含有看不见的方向控制或零宽字符（U+{:04X}），会让两个名称看起来相同或改变阅读顺序，请删去后重试",
                u32::from(c)
            ),
        )
        .field(field)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_line_breaks_kept() {
        assert!(check_text("第一行\n第二行\t制表\r", "opinion").is_ok());
        for bad in ["a\0b", "\u{1b}[31m", "x\u{7f}", "\u{85}", "\u{8}"] {
            let r = check_text(bad, "opinion").unwrap_err();
            assert_eq!(r.code, "TEXT_CONTROL_CHAR", "{bad:?}");
            assert_eq!(r.field.as_deref(), Some("opinion"));
        }
        assert!(
            check_text("a\0b", "x")
                .unwrap_err()
                .message
                .contains("U+0000")
        );
    }

    #[test]
    fn names_refuse_what_changes_how_they_read() {
        assert!(check_name("某某建设工程有限公司", "payee_name").is_ok());
        assert!(check_name("ABC (中国) 有限公司 · 分公司", "payee_name").is_ok());
        for bad in [
            "某某公司\u{200B}",
            "invoice\u{202E}fdp.exe",
            "\u{FEFF}市教育局",
            "a\u{2066}b\u{2069}",
            "软\u{00AD}件",
            "市教育局\u{3164}",
            "测试\u{115F}项目",
            "好\u{FE0F}",
        ] {
            assert_eq!(
                check_name(bad, "name").unwrap_err().code,
                "NAME_INVISIBLE_CHAR",
                "{bad:?}"
            );
        }
        // A name is one line.
        assert_eq!(
            check_name("第一行\n第二行", "name").unwrap_err().code,
            "TEXT_CONTROL_CHAR"
        );
    }
}
