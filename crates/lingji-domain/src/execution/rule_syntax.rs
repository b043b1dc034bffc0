//! The rule language as people meet it (ZX-4b): the fields a rule can read, each with its
//! Chinese name and kind (what the guided builder offers), and the syntax check that says what
//! is wrong in Chinese and where — "第 12 个字符处：缺少右括号".

use bumpalo::Bump;
use zen_expression::lexer::{Bracket, Lexer, LexerError, Operator, Token, TokenKind};
use zen_expression::parser::{AstNodeError, Node, Parser};

/// What a field holds, and so which comparators and values fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An amount in 元.
    Money,
    /// A count or a number without unit.
    Number,
    /// Free text (contains, equals).
    Text,
    /// A government economic code (starts with).
    EconomicCode,
    /// A payee kind (`PayeeKind` codes).
    PayeeKind,
    /// A fund book (`FundBook` codes).
    FundBook,
    /// True or false.
    Flag,
    /// A list of amounts (for functions such as `sum`, not the builder).
    Amounts,
}

impl FieldKind {
    /// The kind's name in the builder's data (`data-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Money => "money",
            FieldKind::Number => "number",
            FieldKind::Text => "text",
            FieldKind::EconomicCode => "economic_code",
            FieldKind::PayeeKind => "payee_kind",
            FieldKind::FundBook => "fund_book",
            FieldKind::Flag => "flag",
            FieldKind::Amounts => "amounts",
        }
    }
}

/// A field of the rule language: its path, Chinese name and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleField {
    pub path: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
}

const fn f(path: &'static str, label: &'static str, kind: FieldKind) -> RuleField {
    RuleField { path, label, kind }
}

use FieldKind as K;

/// Every field `environment` gives a rule, in the builder's order.
pub const RULE_FIELDS: &[RuleField] = &[
    f("payment.amount", "支付金额（元）", K::Money),
    f("payment.economic_code", "支付经济分类", K::EconomicCode),
    f("payment.payee_kind", "收款人类型", K::PayeeKind),
    f("payment.payee_name", "收款人名称", K::Text),
    f("payment.purpose", "用途", K::Text),
    f("payment.has_contract", "已填合同编号", K::Flag),
    f("payment.event_code", "活动清单编号", K::Text),
    f("payment.headcount", "人数", K::Number),
    f("payment.days", "天数", K::Number),
    f("payment.per_person_day", "人均每天金额（元）", K::Money),
    f("payment.year", "支付年份", K::Number),
    f("payment.month", "支付月份", K::Number),
    f("payment.day", "支付日", K::Number),
    f("line.economic_code", "指标经济分类", K::EconomicCode),
    f("line.fund_book", "指标资金来源", K::FundBook),
    f("line.fiscal_year", "指标年度", K::Number),
    f("line.three_guarantees", "三保指标", K::Flag),
    f("line.budget", "指标预算（元）", K::Money),
    f("line.available", "指标可用余额（元）", K::Money),
    f("line.source", "指标来源", K::Text),
    f("line.special_fund_expired", "所属专项资金已到期", K::Flag),
    f("payee.own_unit", "收款人为本单位", K::Flag),
    f("payee.budget_unit", "收款人为预算单位", K::Flag),
    f("payee.first_time", "首次向该收款人支付", K::Flag),
    f("payee.count_30d", "30 日内向该收款人支付笔数", K::Number),
    f("payee.recent_7d", "7 日内向该收款人的各笔金额", K::Amounts),
    f("unit.today_count", "本单位当日支付笔数", K::Number),
    f("unit.class_budget", "本单位该科目年度预算（元）", K::Money),
    f("unit.class_used", "本单位该科目已用（元）", K::Money),
    f("unit.sangong_budget", "本单位三公经费预算（元）", K::Money),
    f("unit.sangong_used", "本单位三公经费已用（元）", K::Money),
    f(
        "unit.own_funds_available",
        "本单位同科目单位资金可用（元）",
        K::Money,
    ),
    f("event.listed", "活动已列入清单", K::Flag),
    f("calendar.weekend", "支付日为周末", K::Flag),
    f("calendar.holiday", "支付日为法定节假日", K::Flag),
    f("catalogue.card_mandatory", "属公务卡强制结算目录", K::Flag),
    f("catalogue.sangong", "属三公经费科目", K::Flag),
];

/// The objects a rule reads fields of.
const ROOTS: [&str; 7] = [
    "payment",
    "line",
    "payee",
    "unit",
    "event",
    "calendar",
    "catalogue",
];

/// A mistake in an expression and where it is: the character (from 1), line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub line: usize,
    pub column: usize,
    /// What is wrong, without the place.
    pub what: String,
}

impl SyntaxError {
    fn at_byte(source: &str, byte: usize, what: String) -> SyntaxError {
        let byte = byte.min(source.len());
        let before = source.get(..byte).unwrap_or(source);
        let at = before.chars().count() + 1;
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SyntaxError {
            at,
            line,
            column,
            what,
        }
    }

    /// "第 12 个字符处：缺少右括号", or with its line when the expression has several.
    pub fn message(&self, multiline: bool) -> String {
        if multiline {
            format!(
                "第 {} 行第 {} 个字符处：{}",
                self.line, self.column, self.what
            )
        } else {
            format!("第 {} 个字符处：{}", self.at, self.what)
        }
    }
}

fn token_text(t: &str) -> String {
    if t.is_empty() {
        "（空）".into()
    } else {
        format!("“{t}”")
    }
}

fn of_node_error(e: &AstNodeError<'_>) -> (usize, String) {
    let start = |s: &(u32, u32)| s.0 as usize;
    match e {
        AstNodeError::UnknownBuiltIn { name, span } => {
            (start(span), format!("没有名为{}的函数", token_text(name)))
        }
        AstNodeError::UnknownMethod { name, span } => {
            (start(span), format!("没有名为{}的方法", token_text(name)))
        }
        AstNodeError::UnexpectedIdentifier { received, span, .. } => {
            (start(span), format!("此处不应出现{}", token_text(received)))
        }
        AstNodeError::UnexpectedToken { received, span, .. } => (
            start(span),
            match *received {
                ")" | "]" => format!("多余的右括号{}", token_text(received)),
                _ => format!("此处不应出现{}", token_text(received)),
            },
        ),
        AstNodeError::InvalidNumber { number, span } => {
            (start(span), format!("{}不是有效的数字", token_text(number)))
        }
        AstNodeError::InvalidBoolean { boolean, span } => (
            start(span),
            format!("{}不是 true 或 false", token_text(boolean)),
        ),
        AstNodeError::InvalidProperty { property, span } => (
            start(span),
            format!("{}不是有效的字段名", token_text(property)),
        ),
        AstNodeError::MissingToken { expected, position } => (
            *position,
            match *expected {
                ")" => "缺少右括号".to_string(),
                "]" => "缺少右方括号".to_string(),
                e => format!("缺少{}", token_text(e)),
            },
        ),
        AstNodeError::ExpectedProperty { span } => (start(span), "“.”之后缺少字段名".into()),
        AstNodeError::ExpectedLiteral { span } => (start(span), "此处缺少数值、文字或字段".into()),
        AstNodeError::UnexpectedEnd { span } => (start(span), "表达式不完整".into()),
        AstNodeError::Custom { span, .. } => (start(span), "此处语法有误".into()),
    }
}

/// The first field of a known object that the language does not have, with where it is.
fn unknown_field(node: &Node<'_>) -> Option<String> {
    let found = std::cell::RefCell::new(None);
    node.walk(|n| {
        if found.borrow().is_some() {
            return;
        }
        if let Node::Member { node, property } = n
            && let (Node::Identifier(root), Node::String(p)) = (node, property)
            && ROOTS.contains(root)
        {
            let path = format!("{root}.{p}");
            if !RULE_FIELDS.iter().any(|f| f.path == path) {
                *found.borrow_mut() = Some(path);
            }
        }
    });
    found.into_inner()
}

/// The opening quote of a text that does not end, with its byte.
fn open_quote(source: &str) -> Option<(usize, char)> {
    let mut open: Option<(usize, char)> = None;
    let mut escaped = false;
    for (at, c) in source.char_indices() {
        match open {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some((_, q)) if c == q => open = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`') => open = Some((at, c)),
            None => {}
        }
    }
    open
}

/// Checks the syntax of an expression and that every field it reads exists; the first mistake
/// with its place. What the expression gives (true or false) is checked by `compile`.
pub fn check_syntax(source: &str) -> Result<(), SyntaxError> {
    if source.trim().is_empty() {
        return Err(SyntaxError::at_byte(source, 0, "规则表达式为空".into()));
    }
    if let Some((byte, _)) = source.char_indices().nth(MAX_EXPRESSION_CHARS) {
        return Err(SyntaxError::at_byte(
            source,
            byte,
            format!("规则表达式过长：最多 {MAX_EXPRESSION_CHARS} 个字符，请拆成几条规则"),
        ));
    }
    let bump = Bump::new();
    let tokens = Lexer::new().tokenize(&bump, source).map_err(|e| match e {
        LexerError::UnexpectedSymbol { symbol, span } => SyntaxError::at_byte(
            source,
            span.0 as usize,
            format!("无法识别的符号{}", token_text(&symbol)),
        ),
        LexerError::UnmatchedSymbol { symbol, position } => {
            SyntaxError::at_byte(source, position as usize, format!("符号“{symbol}”没有配对"))
        }
        LexerError::UnexpectedEof { position, .. } => match open_quote(source) {
            Some((at, quote)) => SyntaxError::at_byte(source, at, format!("引号“{quote}”没有结束")),
            None => SyntaxError::at_byte(source, position as usize, "表达式不完整".into()),
        },
    })?;
    // Brackets first: the parser's own word for an unclosed one is vaguer.
    check_brackets(source, &tokens)?;
    check_depth(source, &tokens)?;
    let parser = Parser::try_new(&tokens, &bump)
        .map_err(|_| SyntaxError::at_byte(source, 0, "无法读取规则表达式".into()))?
        .standard()
        .with_metadata();
    let result = parser.parse();
    if let Some(e) = result.root.first_error() {
        let (byte, what) = of_node_error(&e);
        return Err(SyntaxError::at_byte(source, byte, what));
    }
    if !result.is_complete {
        // Where the parsed expression ends, the rest is what does not belong.
        let end = result
            .metadata
            .as_ref()
            .and_then(|m| m.get(&(result.root as *const Node as usize)))
            .map_or(0, |m| m.span.1);
        let rest = tokens.iter().find(|t| t.span.0 >= end);
        let (byte, what) = match rest {
            Some(t) => (
                t.span.0 as usize,
                format!(
                    "此处不应出现{}（前面的条件已经完整，是否缺少“and”或“or”？）",
                    token_text(t.value)
                ),
            ),
            None => (end as usize, "此处语法有误".into()),
        };
        return Err(SyntaxError::at_byte(source, byte, what));
    }
    if let Some(path) = unknown_field(result.root) {
        let byte = source.find(&path).unwrap_or(0);
        return Err(SyntaxError::at_byte(
            source,
            byte,
            format!("没有字段“{path}”，可用的字段见规则构建器"),
        ));
    }
    Ok(())
}

/// The longest expression a rule may have, in characters (the default catalogue's longest is
/// under 200). The parser, the compiler and the evaluation each go one call deeper per level of
/// an expression, so its size is bounded before any of them runs: a 64 KB `not not … false`
/// overflowed a server thread's stack and aborted the process.
pub const MAX_EXPRESSION_CHARS: usize = 2_000;

/// How deeply an expression may nest: brackets inside brackets and operators one after another
/// (`not not …`, `- -1`) together.
pub const MAX_EXPRESSION_DEPTH: usize = 32;

/// No more than [`MAX_EXPRESSION_DEPTH`] levels of brackets and operators in a row, else where
/// the limit is passed.
fn check_depth(source: &str, tokens: &[Token<'_>]) -> Result<(), SyntaxError> {
    let mut brackets = 0usize;
    let mut in_a_row = 0usize;
    for t in tokens {
        match t.kind {
            TokenKind::Bracket(
                Bracket::LeftParenthesis | Bracket::LeftSquareBracket | Bracket::LeftCurlyBracket,
            ) => brackets += 1,
            TokenKind::Bracket(_) => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        in_a_row = match t.kind {
            TokenKind::Operator(_) => in_a_row + 1,
            _ => 0,
        };
        if brackets + in_a_row > MAX_EXPRESSION_DEPTH {
            return Err(SyntaxError::at_byte(
                source,
                t.span.0 as usize,
                format!(
                    "嵌套过深：括号和连续的运算符合计最多 {MAX_EXPRESSION_DEPTH} 层，请简化这一部分"
                ),
            ));
        }
    }
    Ok(())
}

/// Every bracket closed by its own kind, else where it goes wrong.
fn check_brackets(source: &str, tokens: &[Token<'_>]) -> Result<(), SyntaxError> {
    let ranges = tokens
        .iter()
        .any(|t| t.kind == TokenKind::Operator(Operator::Range));
    let mut open: Vec<(Bracket, u32)> = Vec::new();
    for t in tokens.iter() {
        let TokenKind::Bracket(b) = t.kind else {
            continue;
        };
        match b {
            Bracket::LeftParenthesis | Bracket::LeftSquareBracket | Bracket::LeftCurlyBracket => {
                open.push((b, t.span.0));
            }
            _ => {
                let Some((left, _)) = open.pop() else {
                    return Err(SyntaxError::at_byte(
                        source,
                        t.span.0 as usize,
                        format!("多余的右括号{}", token_text(t.value)),
                    ));
                };
                let pairs = matches!(
                    (left, b),
                    (Bracket::LeftParenthesis, Bracket::RightParenthesis)
                        | (Bracket::LeftSquareBracket, Bracket::RightSquareBracket)
                        | (Bracket::LeftCurlyBracket, Bracket::RightCurlyBracket)
                );
                // An interval may close "[1..5)" with the other kind.
                if !pairs && !ranges {
                    return Err(SyntaxError::at_byte(
                        source,
                        t.span.0 as usize,
                        format!(
                            "括号不配对，此处应为与前面左括号对应的右括号，而不是{}",
                            token_text(t.value)
                        ),
                    ));
                }
            }
        }
    }
    if let Some((left, at)) = open.pop() {
        let (what, close) = match left {
            Bracket::LeftSquareBracket => ("左方括号“[”", "]"),
            Bracket::LeftCurlyBracket => ("左花括号“{”", "}"),
            _ => ("左括号“(”", ")"),
        };
        let mut e = SyntaxError::at_byte(
            source,
            source.trim_end().len(),
            format!("缺少右括号“{close}”"),
        );
        let opened = SyntaxError::at_byte(source, at as usize, String::new());
        e.what = format!(
            "缺少右括号“{close}”（第 {} 个字符处的{what}没有结束）",
            opened.at
        );
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(source: &str) -> String {
        check_syntax(source)
            .map(|()| "ok".to_string())
            .unwrap_or_else(|e| e.message(source.contains('\n')))
    }

    /// A rule of `expression` compiled as a save compiles it (syntax, compilation, a trial run
    /// on the sample payment), on a thread with a server worker's 2 MiB stack: an overflow
    /// there aborts the whole test binary, as it aborted the server.
    fn compiled_on_a_worker_stack(expression: String) -> Result<(), String> {
        let rule = crate::execution::MonitoringRule {
            expression,
            ..super::super::default_catalogue().remove(0)
        };
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                crate::execution::compile(rule)
                    .map(drop)
                    .map_err(|r| r.message)
            })
            .expect("thread")
            .join()
            .expect("no panic")
    }

    #[test]
    fn zx_4b_a_huge_or_deep_expression_is_refused_before_it_is_parsed() {
        let nots = format!("{}false", "not ".repeat(20_000));
        let long = compiled_on_a_worker_stack(nots).unwrap_err();
        assert!(
            long.contains("第 2001 个字符处：规则表达式过长：最多 2000 个字符"),
            "{long}"
        );
        let deep = format!("{}false", "not ".repeat(40));
        let said_deep = compiled_on_a_worker_stack(deep).unwrap_err();
        assert!(
            said_deep.contains("第 129 个字符处：嵌套过深：括号和连续的运算符合计最多 32 层"),
            "{said_deep}"
        );
        let brackets = format!("{}payment.amount > 1{}", "(".repeat(33), ")".repeat(33));
        assert!(
            compiled_on_a_worker_stack(brackets)
                .unwrap_err()
                .contains("嵌套过深")
        );
        // At the limits, the shapes that go one level deeper per operator compile and run.
        // Thirty-one brackets and the field's dot: 32 levels.
        let at_depth = format!("{}payment.amount > 1{}", "(".repeat(31), ")".repeat(31));
        assert_eq!(compiled_on_a_worker_stack(at_depth), Ok(()));
        let chain = |unit: &str, last: &str| {
            let mut e = unit.repeat((MAX_EXPRESSION_CHARS - last.len()) / unit.len());
            e.push_str(last);
            e
        };
        for (shape, runs) in [
            (chain("1 + ", "1 > 0"), true),
            (chain("true and ", "true"), true),
            (chain("true ? true : ", "false"), true),
            (chain("payment.amount > 0 or ", "true"), true),
            // 2 ^ 2 ^ … overflows the number: refused as an expression that cannot run.
            (chain("2 ^ ", "1 > 0"), false),
        ] {
            assert!(shape.chars().count() > MAX_EXPRESSION_CHARS - 25);
            let answer = compiled_on_a_worker_stack(shape.clone());
            assert_eq!(answer.is_ok(), runs, "{answer:?} for {}…", &shape[..40]);
        }
    }

    #[test]
    fn zx_4b_every_default_rule_reads_only_known_fields() {
        for rule in super::super::default_catalogue() {
            assert_eq!(said(&rule.expression), "ok", "{}", rule.code);
        }
    }

    #[test]
    fn zx_4b_mistakes_are_said_in_chinese_with_their_place() {
        assert_eq!(
            said("(payment.amount > 100"),
            "第 22 个字符处：缺少右括号“)”（第 1 个字符处的左括号“(”没有结束）"
        );
        assert_eq!(
            said("payment.amount > 100)"),
            "第 21 个字符处：多余的右括号“)”"
        );
        assert_eq!(
            said("payment.amount > 100 payment.days"),
            "第 22 个字符处：此处不应出现“payment”（前面的条件已经完整，是否缺少“and”或“or”？）"
        );
        assert_eq!(
            said("payment.amout > 100"),
            "第 1 个字符处：没有字段“payment.amout”，可用的字段见规则构建器"
        );
        assert_eq!(
            said("payment.purpose == '会议"),
            "第 20 个字符处：引号“'”没有结束"
        );
        assert_eq!(said("  "), "第 1 个字符处：规则表达式为空");
        assert_eq!(
            said("payment.amount > 1\nand (payee.first_time"),
            "第 2 行第 22 个字符处：缺少右括号“)”（第 24 个字符处的左括号“(”没有结束）"
        );
        assert_eq!(said("payment.amount >"), "第 17 个字符处：表达式不完整");
    }
}
