//! Exact figures of the money order on small carts.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::promotion::PromotionKind;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
}

fn item(product_id: i64, unit_price: Decimal, quantity: i32) -> Item {
    Item {
        product_id,
        category_id: Some(7),
        unit_price,
        quantity,
        taxable: true,
        discount: None,
    }
}

fn promo(id: i64, kind: PromotionKind, product_id: i64) -> Promotion {
    Promotion {
        id,
        name: format!("Promo {id}"),
        kind,
        product_ids: vec![product_id],
        category_ids: vec![],
        store_ids: vec![],
        starts_on: day(1),
        ends_on: day(31),
        active: true,
    }
}

fn price(cart: &Cart, promotions: &[Promotion]) -> Result<PricedCart, PricingError> {
    price_cart(cart, promotions, 1, day(4), &Rules::default())
}

fn cart(items: Vec<Item>) -> Cart {
    Cart {
        items,
        discount: None,
    }
}

#[test]
fn three_for_two_on_three_at_one_eighty_costs_three_sixty() -> Result<(), PricingError> {
    let lot = promo(5, PromotionKind::Lot { buy: 3, pay: 2 }, 1);
    let priced = price(&cart(vec![item(1, dec!(1.80), 3)]), &[lot])?;
    let line = &priced.lines[0];
    assert_eq!(line.total, dec!(3.60));
    assert_eq!(line.promotion_saving, dec!(1.80));
    assert_eq!(line.unit_price, dec!(1.20));
    assert_eq!(line.promotion, Some((5, "Promo 5".to_string())));
    assert_eq!(priced.gross, dec!(5.40));
    // 4 units: one lot and one unit at full price.
    let lot = promo(5, PromotionKind::Lot { buy: 3, pay: 2 }, 1);
    let priced = price(&cart(vec![item(1, dec!(1.80), 4)]), &[lot])?;
    assert_eq!(priced.lines[0].total, dec!(5.40));
    assert_eq!(priced.lines[0].unit_price, dec!(1.35));
    Ok(())
}

#[test]
fn each_kind_prices_the_line_as_the_spec_says() -> Result<(), PricingError> {
    let cases = [
        // 15 % of 0.99 = 0.1485 -> 0.15 off each unit: 0.84 x 3
        (PromotionKind::Percent(dec!(15)), dec!(0.99), 3, dec!(2.52)),
        (
            PromotionKind::AmountOff(dec!(0.50)),
            dec!(2.00),
            2,
            dec!(3.00),
        ),
        // never below zero
        (PromotionKind::AmountOff(dec!(2.00)), dec!(1.50), 2, dec!(0)),
        (
            PromotionKind::FixedPrice(dec!(1.00)),
            dec!(2.50),
            4,
            dec!(4.00),
        ),
        (
            PromotionKind::Lot { buy: 2, pay: 1 },
            dec!(3.00),
            5,
            dec!(9.00),
        ),
    ];
    for (kind, unit, quantity, expected) in cases {
        let priced = price(&cart(vec![item(1, unit, quantity)]), &[promo(1, kind, 1)])?;
        assert_eq!(priced.lines[0].total, expected, "{kind:?}");
        assert_eq!(
            priced.promotion_savings,
            unit * Decimal::from(quantity) - expected
        );
    }
    Ok(())
}

#[test]
fn the_promotion_saving_most_wins_ties_to_the_lowest_id() -> Result<(), PricingError> {
    let one = cart(vec![item(1, dec!(10.00), 1)]);
    let promotions = [
        promo(3, PromotionKind::Percent(dec!(10)), 1),   // 9.00
        promo(2, PromotionKind::AmountOff(dec!(2)), 1),  // 8.00
        promo(4, PromotionKind::FixedPrice(dec!(8)), 1), // 8.00, a later id
        promo(1, PromotionKind::FixedPrice(dec!(12)), 1), // saves nothing
    ];
    let priced = price(&one, &promotions)?;
    assert_eq!(priced.lines[0].promotion.as_ref().map(|p| p.0), Some(2));
    assert_eq!(priced.lines[0].total, dec!(8.00));
    // A promotion that saves nothing is not applied at all.
    let priced = price(&one, &promotions[3..])?;
    assert_eq!(priced.lines[0].promotion, None);
    assert_eq!(priced.lines[0].unit_price, dec!(10.00));
    Ok(())
}

#[test]
fn ten_percent_off_a_line_of_two_fifty_leaves_two_twenty_five() -> Result<(), PricingError> {
    let mut line = item(1, dec!(2.50), 1);
    line.discount = Some(Discount::Percent(dec!(10)));
    let priced = price(&cart(vec![line]), &[])?;
    assert_eq!(priced.lines[0].line_discount, dec!(0.25));
    assert_eq!(priced.lines[0].total, dec!(2.25));
    assert_eq!(priced.manual_discount_rate, dec!(10));
    assert!(!priced.needs_approval(&Rules::default()));
    Ok(())
}

#[test]
fn the_line_discount_applies_after_the_promotion() -> Result<(), PricingError> {
    let mut line = item(1, dec!(1.80), 3);
    line.discount = Some(Discount::Amount(dec!(0.60)));
    let lot = promo(5, PromotionKind::Lot { buy: 3, pay: 2 }, 1);
    let priced = price(&cart(vec![line]), &[lot])?;
    assert_eq!(priced.lines[0].total, dec!(3.00));
    // 0.60 of the promoted 3.60 is 16.67 %: over the cashier's 10 %.
    assert!(priced.manual_discount_rate > dec!(16.66));
    assert!(priced.needs_approval(&Rules::default()));
    Ok(())
}

#[test]
fn a_dollar_off_the_cart_spreads_pro_rata_to_the_cent() -> Result<(), PricingError> {
    let mut c = cart(vec![
        item(1, dec!(0.70), 1),
        item(2, dec!(1.10), 1),
        Item {
            taxable: false,
            ..item(3, dec!(1.20), 1)
        },
    ]);
    c.discount = Some(Discount::Amount(dec!(1.00)));
    let priced = price(&c, &[])?;
    let shares: Vec<Decimal> = priced.lines.iter().map(|l| l.cart_discount).collect();
    assert_eq!(shares, vec![dec!(0.23), dec!(0.37), dec!(0.40)]);
    let totals: Vec<Decimal> = priced.lines.iter().map(|l| l.total).collect();
    assert_eq!(totals, vec![dec!(0.47), dec!(0.73), dec!(0.80)]);
    assert_eq!(priced.manual_discounts, dec!(1.00));
    assert_eq!(priced.taxable_base, dec!(1.20));
    assert_eq!(priced.totals.subtotal, dec!(2.00));
    assert_eq!(priced.totals.tps, dec!(0.06)); // 1.20 x 5 %
    assert_eq!(priced.totals.tvq, dec!(0.12)); // 1.20 x 9.975 % = 0.1197
    assert_eq!(priced.totals.total, dec!(2.18));
    // 1.00 of 3.00 is a third.
    assert!(priced.manual_discount_rate > dec!(33.33));
    Ok(())
}

#[test]
fn the_cart_percentage_is_of_the_lines_after_their_discounts() -> Result<(), PricingError> {
    let mut first = item(1, dec!(10.00), 1);
    first.discount = Some(Discount::Amount(dec!(1.00)));
    let mut c = cart(vec![first, item(2, dec!(1.00), 1)]);
    c.discount = Some(Discount::Percent(dec!(5)));
    let priced = price(&c, &[])?;
    // 5 % of 10.00 = 0.50, spread 9:1 -> 0.45 / 0.05
    assert_eq!(priced.lines[0].cart_discount, dec!(0.45));
    assert_eq!(priced.lines[1].cart_discount, dec!(0.05));
    assert_eq!(priced.totals.subtotal, dec!(9.50));
    assert_eq!(priced.manual_discounts, dec!(1.50));
    assert_eq!(priced.manual_discount_rate, dec!(10));
    Ok(())
}

#[test]
fn refuses_a_discount_over_the_price_naming_the_line() {
    let mut over = item(2, dec!(1.00), 2);
    over.discount = Some(Discount::Amount(dec!(2.01)));
    let mut bad_percent = item(3, dec!(1.00), 1);
    bad_percent.discount = Some(Discount::Percent(dec!(101)));
    let err = price(&cart(vec![item(1, dec!(1), 1), over, bad_percent]), &[]);
    let fields: Vec<String> = err.map_or_else(
        |e| e.errors.into_iter().map(|f| f.field).collect(),
        |_| vec![],
    );
    assert_eq!(fields, vec!["lines[1].discount", "lines[2].discount"]);

    let mut c = cart(vec![item(1, dec!(1.00), 1)]);
    c.discount = Some(Discount::Amount(dec!(1.01)));
    let err = price(&c, &[]).map_err(|e| e.errors[0].field.clone());
    assert_eq!(err, Err("discount".to_string()));
}

#[test]
fn refuses_bad_quantities_and_prices() {
    let err = price(
        &cart(vec![
            item(1, dec!(1.005), 1),
            item(2, dec!(1), 0),
            item(3, dec!(-1), 1),
        ]),
        &[],
    );
    let fields: Vec<String> = err.map_or_else(
        |e| e.errors.into_iter().map(|f| f.field).collect(),
        |_| vec![],
    );
    assert_eq!(
        fields,
        vec![
            "lines[0].unit_price",
            "lines[1].quantity",
            "lines[2].unit_price"
        ]
    );
    let huge = price(&cart(vec![item(1, crate::money::MAX_AMOUNT, 2)]), &[]);
    assert_eq!(
        huge.map_err(|e| e.errors[0].field.clone()),
        Err("lines".into())
    );
}

#[test]
fn an_empty_cart_costs_nothing() -> Result<(), PricingError> {
    let priced = price(&Cart::default(), &[])?;
    assert_eq!(priced.totals.total, Decimal::ZERO);
    assert!(priced.lines.is_empty());
    Ok(())
}
