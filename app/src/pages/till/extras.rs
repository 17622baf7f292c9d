//! What a store sale adds to the till's cart (SPEC section 6), kept in the same address as its
//! lines (`?panier=12x2.c7.l12p1000.dm500.g2500.te2000`): the customer, the line and cart
//! discounts, the gift cards sold and the tenders keyed so far. Each is one dot-separated
//! piece of letters and whole numbers (amounts in cents, percentages in hundredths), so the
//! address stays readable and a piece that does not parse is dropped, as a line is.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most gift cards sold and tenders keyed in one cart (the domain's own limits).
pub const MAX_GIFT_CARDS: usize = 10;
pub const MAX_TENDERS: usize = 10;
/// Longest gift card code kept in a tender.
const MAX_REFERENCE: usize = 40;

/// A manual discount as typed: a percentage or dollars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Off {
    Percent(Decimal),
    Amount(Decimal),
}

/// The tender modes of the till's list (`TenderKind`'s French names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Cash,
    Card,
    GiftCard,
    Credit,
    Points,
}

impl Mode {
    pub const ALL: [Mode; 5] = [
        Mode::Cash,
        Mode::Card,
        Mode::GiftCard,
        Mode::Credit,
        Mode::Points,
    ];
    /// The form value and the tender's REST name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cash => "especes",
            Mode::Card => "carte",
            Mode::GiftCard => "carte_cadeau",
            Mode::Credit => "credit",
            Mode::Points => "points",
        }
    }
    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == text)
    }
    pub fn label(self) -> &'static str {
        match self {
            Mode::Cash => "Espèces",
            Mode::Card => "Carte",
            Mode::GiftCard => "Carte-cadeau",
            Mode::Credit => "Crédit magasin",
            Mode::Points => "Points",
        }
    }
    fn letter(self) -> char {
        match self {
            Mode::Cash => 'e',
            Mode::Card => 'c',
            Mode::GiftCard => 'g',
            Mode::Credit => 'r',
            Mode::Points => 'p',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paid {
    pub mode: Mode,
    pub amount: Decimal,
    /// The gift card's code.
    pub reference: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extras {
    pub customer: Option<i64>,
    pub line_discounts: Vec<(i64, Off)>,
    pub discount: Option<Off>,
    pub gift_cards: Vec<Decimal>,
    pub tenders: Vec<Paid>,
}

fn cents(text: &str) -> Option<Decimal> {
    let n: i64 = text.parse().ok()?;
    (n > 0).then(|| Decimal::new(n, 2))
}

fn off(text: &str) -> Option<Off> {
    let (kind, value) = text.split_at_checked(1)?;
    match kind {
        "p" => cents(value).map(Off::Percent),
        "m" => cents(value).map(Off::Amount),
        _ => None,
    }
}

/// `12.50` -> `1250`: amounts and percentages kept to the cent.
fn to_cents(value: Decimal) -> String {
    (value * Decimal::ONE_HUNDRED).trunc().to_string()
}

fn encode_off(off: Off) -> String {
    match off {
        Off::Percent(p) => format!("p{}", to_cents(p)),
        Off::Amount(a) => format!("m{}", to_cents(a)),
    }
}

/// A gift card code as the till keeps it: letters, digits and dashes only.
pub fn clean_reference(code: &str) -> Option<String> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (!code.is_empty()
        && code.len() <= MAX_REFERENCE
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    .then_some(code)
}

impl Extras {
    /// Reads one piece of the address; `false` when it is none of the extras.
    pub fn read(&mut self, piece: &str) -> bool {
        let Some((letter, rest)) = piece.split_at_checked(1) else {
            return false;
        };
        match letter {
            "c" => match rest.parse::<i64>() {
                Ok(id) if id > 0 => self.customer = Some(id),
                _ => return false,
            },
            "l" => {
                let Some(at) = rest.find(['p', 'm']) else {
                    return false;
                };
                match (rest[..at].parse::<i64>(), off(&rest[at..])) {
                    (Ok(product), Some(o)) if product > 0 => {
                        self.set_line_discount(product, Some(o))
                    }
                    _ => return false,
                }
            }
            "d" => match off(rest) {
                Some(o) => self.discount = Some(o),
                None => return false,
            },
            "g" => match cents(rest) {
                Some(a) if self.gift_cards.len() < MAX_GIFT_CARDS => self.gift_cards.push(a),
                _ => return false,
            },
            "t" => {
                let Some((m, rest)) = rest.split_at_checked(1) else {
                    return false;
                };
                let Some(mode) = Mode::ALL.into_iter().find(|x| x.letter().to_string() == m) else {
                    return false;
                };
                let (amount, reference) = match rest.split_once('_') {
                    Some((a, r)) => (a, clean_reference(r)),
                    None => (rest, None),
                };
                match cents(amount) {
                    Some(amount)
                        if self.tenders.len() < MAX_TENDERS
                            && (mode == Mode::GiftCard) == reference.is_some() =>
                    {
                        self.tenders.push(Paid {
                            mode,
                            amount,
                            reference,
                        })
                    }
                    _ => return false,
                }
            }
            _ => return false,
        }
        true
    }

    /// The pieces to append to the lines' (`c7`, `l12p1000`…).
    pub fn pieces(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(id) = self.customer {
            out.push(format!("c{id}"));
        }
        for (product, o) in &self.line_discounts {
            out.push(format!("l{product}{}", encode_off(*o)));
        }
        if let Some(o) = self.discount {
            out.push(format!("d{}", encode_off(o)));
        }
        for g in &self.gift_cards {
            out.push(format!("g{}", to_cents(*g)));
        }
        for t in &self.tenders {
            let reference = t
                .reference
                .as_deref()
                .map(|r| format!("_{r}"))
                .unwrap_or_default();
            out.push(format!(
                "t{}{}{reference}",
                t.mode.letter(),
                to_cents(t.amount)
            ));
        }
        out
    }

    /// Sets (or with `None` removes) the discount of a product's line.
    pub fn set_line_discount(&mut self, product_id: i64, discount: Option<Off>) {
        self.line_discounts.retain(|(p, _)| *p != product_id);
        if let Some(o) = discount {
            self.line_discounts.push((product_id, o));
        }
    }

    pub fn line_discount(&self, product_id: i64) -> Option<Off> {
        self.line_discounts
            .iter()
            .find(|(p, _)| *p == product_id)
            .map(|(_, o)| *o)
    }

    /// What the tenders keyed so far pay.
    pub fn tendered(&self) -> Decimal {
        self.tenders.iter().map(|t| t.amount).sum()
    }
}

/// A discount typed in a form: `10` with `%`, or `5,50` with `$`; `None` for anything not a
/// positive number to the cent (the domain then checks it against the line or cart).
pub fn typed_off(value: &str, unit: &str) -> Option<Off> {
    let v = crate::format::parse_money(value).filter(|v| *v > Decimal::ZERO)?;
    match unit {
        "%" | "pourcent" => Some(Off::Percent(v)),
        _ => Some(Off::Amount(v)),
    }
}

#[cfg(feature = "ssr")]
impl Off {
    pub fn to_domain(self) -> domain::sales::Discount {
        match self {
            Off::Percent(p) => domain::sales::Discount::Percent(p),
            Off::Amount(a) => domain::sales::Discount::Amount(a),
        }
    }
}

#[cfg(feature = "ssr")]
impl Extras {
    /// The sale's options (the approver comes from the approval form, never from the address).
    pub fn options(&self, approved_by: Option<i64>) -> domain::sales::SaleOptions {
        domain::sales::SaleOptions {
            customer_id: self.customer,
            line_discounts: self
                .line_discounts
                .iter()
                .map(|(p, o)| (*p, o.to_domain()))
                .collect(),
            discount: self.discount.map(Off::to_domain),
            approved_by,
            gift_cards: self.gift_cards.clone(),
        }
    }

    pub fn domain_tenders(&self) -> Vec<domain::sales::Tender> {
        use domain::sales::TenderKind;
        self.tenders
            .iter()
            .map(|t| domain::sales::Tender {
                kind: match t.mode {
                    Mode::Cash => TenderKind::Cash,
                    Mode::Card => TenderKind::Card,
                    Mode::GiftCard => TenderKind::GiftCard,
                    Mode::Credit => TenderKind::Credit,
                    Mode::Points => TenderKind::Points,
                },
                amount: t.amount,
                reference: t.reference.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extra_round_trips_through_the_address() {
        let mut e = Extras::default();
        for piece in [
            "c7",
            "l12p1000",
            "l3m550",
            "dm500",
            "g2500",
            "te2000",
            "tg1000_1234-5678",
            "tp150",
        ] {
            assert!(e.read(piece), "{piece}");
        }
        assert_eq!(e.customer, Some(7));
        assert_eq!(e.line_discount(12), Some(Off::Percent(Decimal::new(10, 0))));
        assert_eq!(e.discount, Some(Off::Amount(Decimal::new(5, 0))));
        assert_eq!(e.tendered(), Decimal::new(3150, 2));
        let mut back = Extras::default();
        for p in e.pieces() {
            assert!(back.read(&p), "{p}");
        }
        assert_eq!(back, e);
        for bad in [
            "c0", "cx", "l12", "lp10", "d", "g0", "g-5", "tg100", "te100_x", "tz1", "q1",
        ] {
            assert!(!Extras::default().read(bad), "{bad}");
        }
    }
}
