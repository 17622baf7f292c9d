//! The cart of the till lives in the page's address (`?panier=12x2.7x1`): the same state with
//! or without JavaScript, kept across a refused sale, a reload or a second tab, and never
//! stored on a server instance.

use serde::{Deserialize, Serialize};

/// Most lines a cart may hold (a longer address would be refused by proxies).
pub const MAX_LINES: usize = 200;
/// Most units of one product in one line.
pub const MAX_QUANTITY: i32 = 10_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    /// `(product_id, quantity)` in the order products were first added.
    pub lines: Vec<(i64, i32)>,
    /// The customer, discounts, gift cards sold and tenders (see [`super::extras`]).
    pub extras: super::extras::Extras,
}

impl Cart {
    /// Reads `12x2.7x1` (and the extras' pieces); pieces that do not parse are skipped,
    /// repeated products summed.
    pub fn parse(text: &str) -> Cart {
        let mut cart = Cart::default();
        for piece in text.split('.').take(MAX_LINES + 40) {
            if piece.starts_with(|c: char| c.is_ascii_lowercase()) {
                cart.extras.read(piece);
            } else if let Some((id, qty)) = piece.split_once('x')
                && let (Ok(id), Ok(qty)) = (id.trim().parse::<i64>(), qty.trim().parse::<i32>())
                && id > 0
                && qty > 0
            {
                cart.add(id, qty);
            }
        }
        cart
    }

    pub fn encode(&self) -> String {
        self.lines
            .iter()
            .map(|(id, qty)| format!("{id}x{qty}"))
            .chain(self.extras.pieces())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// No product and no gift card: nothing to sell.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.extras.gift_cards.is_empty()
    }

    pub fn quantity_of(&self, product_id: i64) -> i32 {
        self.lines
            .iter()
            .find(|(id, _)| *id == product_id)
            .map_or(0, |(_, q)| *q)
    }

    /// Adds units of a product (a new line at the end, or more of an existing line).
    pub fn add(&mut self, product_id: i64, quantity: i32) {
        if let Some((_, q)) = self.lines.iter_mut().find(|(id, _)| *id == product_id) {
            *q = q.saturating_add(quantity).min(MAX_QUANTITY);
        } else if self.lines.len() < MAX_LINES {
            self.lines.push((product_id, quantity.min(MAX_QUANTITY)));
        }
    }

    /// Sets a line's quantity; 0 or less removes the line (and its discount).
    pub fn set(&mut self, product_id: i64, quantity: i32) {
        if quantity <= 0 {
            self.lines.retain(|(id, _)| *id != product_id);
            self.extras.set_line_discount(product_id, None);
        } else if let Some((_, q)) = self.lines.iter_mut().find(|(id, _)| *id == product_id) {
            *q = quantity.min(MAX_QUANTITY);
        } else {
            self.add(product_id, quantity);
        }
    }
}

/// What was typed in the scan field, read as `[quantity*]code`: `3*ALI001`, `3xALI001` or
/// `3X ALI001` add 3 units of the code, anything else 1 unit of all that was typed. `None` when
/// a multiplier is there but is not a whole number from 1 to [`MAX_QUANTITY`] (`0*`, `-2*`,
/// `a*`, `99999x`) or nothing follows it: the till refuses it and adds nothing.
pub fn parse_scan(typed: &str) -> Option<(i32, &str)> {
    fn quantity_of<'a>(number: &str, code: &'a str) -> Option<(i32, &'a str)> {
        match number.trim().parse::<i32>() {
            Ok(n) if (1..=MAX_QUANTITY).contains(&n) && !code.trim().is_empty() => {
                Some((n, code.trim()))
            }
            _ => None,
        }
    }
    let typed = typed.trim();
    if let Some((number, code)) = typed.split_once('*') {
        return quantity_of(number, code);
    }
    // `x` is a multiplier only after a whole number (`BOX12` is a code): digits, perhaps a sign
    if let Some(at) = typed.find(['x', 'X']) {
        let number = typed[..at].trim();
        let digits = number.strip_prefix(['-', '+']).unwrap_or(number);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return quantity_of(number, &typed[at + 1..]);
        }
    }
    Some((1, typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multiplier_before_the_code_is_read_and_a_bad_one_refused() {
        assert_eq!(parse_scan("3*ALI001"), Some((3, "ALI001")));
        assert_eq!(parse_scan(" 3x ALI001 "), Some((3, "ALI001")));
        assert_eq!(parse_scan("12X4006381333931"), Some((12, "4006381333931")));
        assert_eq!(parse_scan("ALI001"), Some((1, "ALI001")));
        assert_eq!(parse_scan("BOX12"), Some((1, "BOX12")));
        assert_eq!(parse_scan("10000*A"), Some((MAX_QUANTITY, "A")));
        for bad in [
            "0*ALI001",
            "-2*ALI001",
            "-2xALI001",
            "a*ALI001",
            "10001*A",
            "3*",
            "2.5*A",
            "0xA",
        ] {
            assert_eq!(parse_scan(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_and_sums_repeated_products() {
        let cart = Cart::parse("12x2.7x1.12x3");
        assert_eq!(cart.lines, vec![(12, 5), (7, 1)]);
        assert_eq!(cart.encode(), "12x5.7x1");
        assert_eq!(Cart::parse(&cart.encode()), cart);
    }

    #[test]
    fn ignores_garbage_and_non_positive_pieces() {
        let cart = Cart::parse("abc.3x0.-4x2.5x-1.6x2..x.9x");
        assert_eq!(cart.lines, vec![(6, 2)]);
        assert!(Cart::parse("").is_empty());
    }

    #[test]
    fn set_changes_removes_and_caps() {
        let mut cart = Cart::parse("1x1.2x2");
        cart.set(1, 4);
        cart.set(2, 0);
        cart.set(3, 99_999);
        assert_eq!(cart.lines, vec![(1, 4), (3, MAX_QUANTITY)]);
        assert_eq!(cart.quantity_of(3), MAX_QUANTITY);
        assert_eq!(cart.quantity_of(8), 0);
    }
}
