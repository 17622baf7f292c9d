//! How the UI writes numbers and money: the Quebec style, `1 234,56 $`.

use rust_decimal::{Decimal, RoundingStrategy};

/// Non-breaking space: the amount and its `$` never split across lines.
const NBSP: char = '\u{a0}';

/// `1234.5` -> `1 234,50 $`.
pub fn money(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (units, cents) = text.split_once('.').unwrap_or((&text, "00"));
    format!(
        "{}{},{cents}{NBSP}$",
        if negative { "-" } else { "" },
        group_thousands(units)
    )
}

/// `12345` -> `12 345`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    format!(
        "{}{}",
        if n < 0 { "-" } else { "" },
        group_thousands(&digits)
    )
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(NBSP);
        }
        out.push(c);
    }
    out
}

/// An amount typed by a person: `20`, `20,5`, `1 234,56 $` or `20.50`; `None` unless it is a
/// positive-or-zero amount with at most two decimals.
pub fn parse_money(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != NBSP && *c != '$')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let amount: Decimal = cleaned.parse().ok()?;
    (amount.scale() <= 2 || amount.normalize().scale() <= 2).then(|| amount.round_dp(2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_is_written_the_quebec_way() {
        assert_eq!(money(d("1.2")), "1,20\u{a0}$");
        assert_eq!(money(d("1234.5")), "1\u{a0}234,50\u{a0}$");
        assert_eq!(money(d("1234567.891")), "1\u{a0}234\u{a0}567,89\u{a0}$");
        assert_eq!(money(d("-0.5")), "-0,50\u{a0}$");
        assert_eq!(money(d("0")), "0,00\u{a0}$");
        assert_eq!(count(12345), "12\u{a0}345");
    }

    #[test]
    fn amounts_typed_at_the_till_are_read_in_either_style() {
        assert_eq!(parse_money("20"), Some(d("20")));
        assert_eq!(parse_money("20,5"), Some(d("20.5")));
        assert_eq!(parse_money(" 1 234,56 $"), Some(d("1234.56")));
        assert_eq!(parse_money("20.50"), Some(d("20.50")));
        assert_eq!(parse_money("1\u{a0}000,00\u{a0}$"), Some(d("1000")));
        for bad in ["", "abc", "-5", "1,234", "2.345", "+3", "1e3"] {
            assert_eq!(parse_money(bad), None, "{bad}");
        }
    }
}
