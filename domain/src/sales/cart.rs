//! What a sale is asked to record, and the rules a cart obeys before anything is read: at least
//! one line (or a gift card sold), whole quantities from 1 to [`MAX_LINE_QUANTITY`] per product,
//! a client sale id, amounts to the cent, discounts and tenders well formed. Every caller (the till, the public API) gets these rules and their
//! field-named errors from here, so a form and an API problem name the same field.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::Validator;
use crate::money::is_valid_amount;
use pricing::{Discount, Tender, TenderKind};

/// Largest quantity of one product in one sale.
pub const MAX_LINE_QUANTITY: i64 = 10_000;

/// Most lines in one cart: a larger one is refused before any line is read.
pub const MAX_CART_LINES: usize = 200;

/// Longest client sale id (the `sales.client_sale_id` column's bound).
pub const MAX_CLIENT_SALE_ID_LEN: usize = 200;

/// Most tenders on one sale.
pub const MAX_TENDERS: usize = 10;

/// Most gift cards sold with one sale, and the largest amount of one.
pub const MAX_GIFT_CARDS: usize = 10;
pub const MAX_GIFT_CARD_AMOUNT: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// Longest tender reference (a gift card code, a card terminal's authorisation).
pub const MAX_REFERENCE_LEN: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: i64,
    pub quantity: i32,
}

/// Where the sale happens: at a till (which must have an open session) or through an external
/// channel (e-commerce, partner) that sells from a store's stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    Till { register_id: i64 },
    External { store_id: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payment {
    /// Cash; `tendered` defaults to the exact total.
    Cash {
        tendered: Option<Decimal>,
    },
    Card,
    /// One or more tenders that together pay the total (only cash may exceed it, giving
    /// change). A gift card's `reference` is its code; points and credit need a customer.
    Tenders(Vec<Tender>),
}

/// What a store sale adds to the cart (SPEC section 6); `Default` is a plain sale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleOptions {
    /// The customer, who earns points and may pay with points or store credit.
    pub customer_id: Option<i64>,
    /// Manual discounts per product (the product's lines are summed into one).
    pub line_discounts: Vec<(i64, Discount)>,
    /// A manual discount on the whole cart, spread over its lines.
    pub discount: Option<Discount>,
    /// The store's manager who approved discounts above the cashier's limit, verified by
    /// [`approve_discount`](crate::staff::approve_discount).
    pub approved_by: Option<i64>,
    /// Gift cards sold with the sale, by amount: not revenue and not taxed.
    pub gift_cards: Vec<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSale {
    /// Generated once per sale and sent again on every retry; the till and the API build it
    /// with [`ClientSaleId`](super::ClientSaleId), each channel with its own prefix.
    pub client_sale_id: String,
    pub channel: Channel,
    pub lines: Vec<CartLine>,
    pub payment: Payment,
    pub options: SaleOptions,
}

impl NewSale {
    /// Checks the sale without reading anything: every problem at once, each naming its field
    /// (`client_sale_id`, `lines`, `lines[0].quantity`, `amount_tendered`). Recording a sale
    /// checks it again; callers use this to report a cart's problems with their own.
    pub fn validate(&self) -> Result<()> {
        merge_cart(self).map(drop)
    }
}

/// Validates the sale and sums the quantities per product, keeping the order in which products
/// first appear.
pub(super) fn merge_cart(new: &NewSale) -> Result<Vec<(i64, i32)>> {
    let mut v = Validator::default();
    let id = new.client_sale_id.trim();
    v.check(
        !id.is_empty() && id.len() <= MAX_CLIENT_SALE_ID_LEN,
        "client_sale_id",
        "Identifiant de vente manquant ou trop long.",
    );
    let options = &new.options;
    let merged = if new.lines.is_empty() && !options.gift_cards.is_empty() {
        Vec::new()
    } else {
        check_lines(&mut v, &new.lines)
    };
    match &new.payment {
        Payment::Cash { tendered: Some(t) } => {
            v.check(
                is_valid_amount(*t),
                "amount_tendered",
                "Le montant reçu doit être positif, au cent près.",
            );
        }
        Payment::Cash { tendered: None } | Payment::Card => {}
        Payment::Tenders(tenders) => check_tenders(&mut v, tenders, options),
    }
    for (product_id, _) in &options.line_discounts {
        v.check(
            merged.iter().any(|(p, _)| p == product_id),
            "discounts",
            &format!("La remise vise le produit {product_id}, absent du panier."),
        );
    }
    v.check(
        options.gift_cards.len() <= MAX_GIFT_CARDS,
        "gift_cards",
        &format!("Au plus {MAX_GIFT_CARDS} cartes-cadeaux par vente."),
    );
    for (i, amount) in options.gift_cards.iter().enumerate() {
        v.check(
            is_valid_amount(*amount) && !amount.is_zero() && *amount <= MAX_GIFT_CARD_AMOUNT,
            &format!("gift_cards[{i}]"),
            &format!(
                "Le montant d'une carte-cadeau va de 0,01 $ à {MAX_GIFT_CARD_AMOUNT} $, au cent près."
            ),
        );
    }
    v.finish()?;
    Ok(merged)
}

/// The tenders' own rules; whether they pay the total is the pricing's ([`pricing::settle`]).
fn check_tenders(v: &mut Validator, tenders: &[Tender], options: &SaleOptions) {
    v.check(
        tenders.len() <= MAX_TENDERS,
        "paiements",
        &format!("Au plus {MAX_TENDERS} paiements par vente."),
    );
    for (i, t) in tenders.iter().enumerate() {
        let reference = t.reference.as_deref().map(str::trim).unwrap_or("");
        v.check(
            reference.len() <= MAX_REFERENCE_LEN,
            &format!("paiements[{i}].reference"),
            "Référence trop longue.",
        );
        match t.kind {
            TenderKind::GiftCard => {
                v.check(
                    !reference.is_empty(),
                    &format!("paiements[{i}].reference"),
                    "Indiquez le numéro de la carte-cadeau.",
                );
                v.check(
                    options.gift_cards.is_empty(),
                    &format!("paiements[{i}].mode"),
                    "Une carte-cadeau ne paie pas une autre carte-cadeau.",
                );
            }
            TenderKind::Points | TenderKind::Credit => {
                v.check(
                    options.customer_id.is_some(),
                    &format!("paiements[{i}].mode"),
                    "Les points et le crédit demandent un client associé à la vente.",
                );
            }
            TenderKind::Cash | TenderKind::Card => {}
        }
    }
}

/// Validates cart lines and sums the quantities per product, in first-seen order (the till
/// prices a cart with it before it becomes a sale).
pub(crate) fn merge_lines(lines: &[CartLine]) -> Result<Vec<(i64, i32)>> {
    let mut v = Validator::default();
    let merged = check_lines(&mut v, lines);
    v.finish()?;
    Ok(merged)
}

fn check_lines(v: &mut Validator, lines: &[CartLine]) -> Vec<(i64, i32)> {
    v.check(!lines.is_empty(), "lines", "Le panier est vide.");
    if lines.len() > MAX_CART_LINES {
        v.check(
            false,
            "lines",
            &format!("Le panier compte {MAX_CART_LINES} lignes au plus."),
        );
        return Vec::new();
    }
    let mut order = Vec::new();
    let mut sums: BTreeMap<i64, i64> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        if line.quantity < 1 {
            v.check(
                false,
                &format!("lines[{i}].quantity"),
                "La quantité doit être un entier d'au moins 1.",
            );
            continue;
        }
        if i64::from(line.quantity) > MAX_LINE_QUANTITY {
            v.check(
                false,
                &format!("lines[{i}].quantity"),
                &format!("La quantité doit être de {MAX_LINE_QUANTITY} au plus."),
            );
            continue;
        }
        let sum = sums.entry(line.product_id).or_insert_with(|| {
            order.push(line.product_id);
            0
        });
        *sum += i64::from(line.quantity);
    }
    for (product, sum) in &sums {
        v.check(
            *sum <= MAX_LINE_QUANTITY,
            "lines",
            &format!(
                "Quantité trop grande pour le produit {product} ({MAX_LINE_QUANTITY} au plus)."
            ),
        );
    }
    order
        .into_iter()
        .map(|p| (p, sums[&p].min(MAX_LINE_QUANTITY) as i32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn sale(lines: &[(i64, i32)]) -> NewSale {
        NewSale {
            client_sale_id: "x".into(),
            channel: Channel::External { store_id: 1 },
            lines: lines
                .iter()
                .map(|&(product_id, quantity)| CartLine {
                    product_id,
                    quantity,
                })
                .collect(),
            payment: Payment::Card,
            options: SaleOptions::default(),
        }
    }

    fn fields(result: Result<()>) -> Vec<String> {
        match result {
            Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn sums_quantities_per_product_in_first_seen_order() {
        assert_eq!(
            merge_cart(&sale(&[(7, 1), (3, 2), (7, 4)])).unwrap(),
            vec![(7, 5), (3, 2)]
        );
    }

    #[test]
    fn refuses_empty_carts_and_zero_quantities() {
        assert!(matches!(merge_cart(&sale(&[])), Err(Error::Validation(_))));
        assert!(matches!(
            merge_cart(&sale(&[(1, 0)])),
            Err(Error::Validation(_))
        ));
        assert!(matches!(
            merge_cart(&sale(&[(1, 6000), (1, 6000)])),
            Err(Error::Validation(_))
        ));
    }

    #[test]
    fn every_problem_names_its_field() {
        assert_eq!(fields(sale(&[]).validate()), ["lines"]);
        assert_eq!(
            fields(sale(&[(1, 2), (2, 0), (3, -4), (4, i32::MAX)]).validate()),
            [
                "lines[1].quantity",
                "lines[2].quantity",
                "lines[3].quantity"
            ]
        );
        assert_eq!(fields(sale(&[(1, 6000), (1, 6000)]).validate()), ["lines"]);
        let mut cash = sale(&[(1, 1)]);
        cash.payment = Payment::Cash {
            tendered: Some(Decimal::new(-1, 0)),
        };
        cash.client_sale_id = "x".repeat(MAX_CLIENT_SALE_ID_LEN + 1);
        assert_eq!(
            fields(cash.validate()),
            ["client_sale_id", "amount_tendered"]
        );
        assert!(sale(&[(1, 10_000), (2, 1)]).validate().is_ok());
    }

    #[test]
    fn a_cart_has_at_most_200_lines() {
        let lines: Vec<(i64, i32)> = (1..=MAX_CART_LINES as i64).map(|p| (p, 1)).collect();
        assert!(sale(&lines).validate().is_ok());
        let mut more = lines.clone();
        more.push((0, -1));
        assert_eq!(fields(sale(&more).validate()), ["lines"]);
    }
}
