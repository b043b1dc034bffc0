//! What a rule's expression can only hit, read from its syntax tree: the economic-code prefixes
//! (`startsWith(payment.economic_code, '30217')`) and payee kinds (`payment.payee_kind ==
//! 'individual'`) that every hit must have. Screening skips a rule whose guard a payment fails
//! without running it — most rules concern a few codes or one kind of payee. Only conditions
//! joined by `and` (or alternatives joined by `or`) count, so a guard never skips a hit.

use bumpalo::Bump;
use zen_expression::functions::{FunctionKind, InternalFunction};
use zen_expression::lexer::{ComparisonOperator, Lexer, LogicalOperator, Operator};
use zen_expression::parser::{Node, Parser};

/// Necessary conditions of a rule; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// The payment's economic code starts with one of these.
    pub codes: Option<Vec<String>>,
    /// The payee kind is one of these.
    pub kinds: Option<Vec<String>>,
}

impl Guard {
    /// Whether a payment of this code and payee kind may hit the rule.
    pub fn admits(&self, code: &str, kind: &str) -> bool {
        self.codes
            .as_ref()
            .is_none_or(|c| c.iter().any(|p| code.starts_with(p.as_str())))
            && self
                .kinds
                .as_ref()
                .is_none_or(|k| k.iter().any(|x| x == kind))
    }

    fn both(self, other: Guard) -> Guard {
        Guard {
            codes: self.codes.or(other.codes),
            kinds: self.kinds.or(other.kinds),
        }
    }

    fn either(self, other: Guard) -> Guard {
        let join = |a: Option<Vec<String>>, b: Option<Vec<String>>| match (a, b) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
        Guard {
            codes: join(self.codes, other.codes),
            kinds: join(self.kinds, other.kinds),
        }
    }
}

fn is_field(node: &Node<'_>, field: &str) -> bool {
    match node {
        Node::Member { node, property } => {
            matches!(node, Node::Identifier("payment"))
                && matches!(property, Node::String(p) | Node::Identifier(p) if *p == field)
        }
        _ => false,
    }
}

fn of_node(node: &Node<'_>) -> Guard {
    match node {
        Node::Parenthesized(inner) => of_node(inner),
        Node::Binary {
            left,
            operator: Operator::Logical(LogicalOperator::And),
            right,
        } => of_node(left).both(of_node(right)),
        Node::Binary {
            left,
            operator: Operator::Logical(LogicalOperator::Or),
            right,
        } => of_node(left).either(of_node(right)),
        Node::FunctionCall {
            kind: FunctionKind::Internal(InternalFunction::StartsWith),
            arguments: [field, Node::String(prefix)],
        } if is_field(field, "economic_code") => Guard {
            codes: Some(vec![(*prefix).to_string()]),
            kinds: None,
        },
        Node::Binary {
            left,
            operator: Operator::Comparison(ComparisonOperator::Equal),
            right: Node::String(kind),
        } if is_field(left, "payee_kind") => Guard {
            codes: None,
            kinds: Some(vec![(*kind).to_string()]),
        },
        _ => Guard::default(),
    }
}

/// The guard of an expression; no guard when it does not parse.
pub fn guard_of(source: &str) -> Guard {
    let bump = Bump::new();
    let mut lexer = Lexer::new();
    let Ok(tokens) = lexer.tokenize(&bump, source) else {
        return Guard::default();
    };
    let Ok(parser) = Parser::try_new(&tokens, &bump) else {
        return Guard::default();
    };
    let parsed = parser.standard().parse();
    if parsed.error().is_err() {
        return Guard::default();
    }
    of_node(parsed.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_come_from_conditions_every_hit_must_meet() {
        let g = guard_of(
            "startsWith(payment.economic_code, '30217') and payment.payee_kind == 'individual'",
        );
        assert_eq!(g.codes, Some(vec!["30217".to_string()]));
        assert_eq!(g.kinds, Some(vec!["individual".to_string()]));
        assert!(g.admits("3021701", "individual") && !g.admits("30201", "individual"));
        let g = guard_of(
            "(startsWith(payment.economic_code, '30215') or startsWith(payment.economic_code, '30216')) and payment.amount > 1",
        );
        assert!(g.admits("30216", "unit") && !g.admits("30211", "unit"));
        // An alternative without a code condition admits every code.
        let g = guard_of("startsWith(payment.economic_code, '302') or payment.amount > 1");
        assert_eq!(g, Guard::default());
        assert_eq!(
            guard_of("not startsWith(payment.economic_code, '302')"),
            Guard::default()
        );
        assert_eq!(guard_of("payment.amount >"), Guard::default());
    }
}
