//! Property tests of the money order: random carts, promotions, tenders and partial returns
//! checked against the invariants every sale must keep, to the cent.

use chrono::NaiveDate;
use pricing::money::{TaxRates, round_cents};
use pricing::{
    Cart, Discount, Item, Promotion, PromotionKind, Rules, SoldLine, Tender, TenderKind,
    points_reversed, price_cart, refund, settle, split_refund,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
}

fn discount() -> impl Strategy<Value = Option<Discount>> {
    prop_oneof![
        2 => Just(None),
        1 => (1i64..=10_000).prop_map(|p| Some(Discount::Percent(cents(p)))),
        1 => (1i64..=300).prop_map(|a| Some(Discount::Amount(cents(a)))),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (
        1i64..=4,
        prop::option::of(1i64..=2),
        0i64..=5_000,
        1i32..=7,
        any::<bool>(),
        discount(),
    )
        .prop_map(
            |(product_id, category_id, price, quantity, taxable, discount)| Item {
                product_id,
                category_id,
                unit_price: cents(price),
                quantity,
                taxable,
                discount,
            },
        )
}

fn promotion() -> impl Strategy<Value = Promotion> {
    let kind = prop_oneof![
        (1i64..=10_000).prop_map(|p| PromotionKind::Percent(cents(p))),
        (1i64..=2_000).prop_map(|a| PromotionKind::AmountOff(cents(a))),
        (0i64..=3_000).prop_map(|a| PromotionKind::FixedPrice(cents(a))),
        (2i32..=5)
            .prop_flat_map(|buy| (Just(buy), 1..buy))
            .prop_map(|(buy, pay)| PromotionKind::Lot { buy, pay }),
    ];
    (
        1i64..=6,
        kind,
        prop::collection::vec(1i64..=4, 0..3),
        prop::collection::vec(1i64..=2, 0..2),
        prop::collection::vec(1i64..=2, 0..2),
        1u32..=6,
        any::<bool>(),
    )
        .prop_map(
            |(id, kind, product_ids, category_ids, store_ids, start, active)| Promotion {
                id,
                name: format!("Promo {id}"),
                kind,
                product_ids,
                category_ids,
                store_ids,
                starts_on: day(start),
                ends_on: day(start + 3),
                active,
            },
        )
}

fn cart() -> impl Strategy<Value = Cart> {
    (prop::collection::vec(item(), 0..6), discount())
        .prop_map(|(items, discount)| Cart { items, discount })
}

proptest! {
    #[test]
    fn a_priced_cart_adds_up_to_the_cent(
        cart in cart(),
        promotions in prop::collection::vec(promotion(), 0..5),
        today in 1u32..=10,
    ) {
        let rules = Rules::default();
        let priced = match price_cart(&cart, &promotions, 1, day(today), &rules) {
            Ok(priced) => priced,
            Err(e) => {
                // Only a discount over what it applies to can be refused here.
                for f in &e.errors {
                    prop_assert!(f.field.ends_with("discount"), "{}", f.field);
                }
                return Ok(());
            }
        };
        let sum: Decimal = priced.lines.iter().map(|l| l.total).sum();
        prop_assert_eq!(priced.totals.subtotal, sum);
        prop_assert_eq!(
            priced.gross - priced.promotion_savings - priced.manual_discounts,
            priced.totals.subtotal
        );
        let before_cart: Decimal = priced
            .lines
            .iter()
            .map(|l| l.total + l.cart_discount)
            .sum();
        let expected_cart_discount = match cart.discount {
            None => Decimal::ZERO,
            Some(Discount::Percent(p)) => round_cents(before_cart * p / Decimal::ONE_HUNDRED),
            Some(Discount::Amount(a)) => a,
        };
        let spread: Decimal = priced.lines.iter().map(|l| l.cart_discount).sum();
        prop_assert_eq!(spread, expected_cart_discount);
        for line in &priced.lines {
            prop_assert!(line.total >= Decimal::ZERO);
            prop_assert!(line.cart_discount >= Decimal::ZERO);
            prop_assert_eq!(line.total.normalize().scale().min(2), line.total.normalize().scale());
            // Each share is within a cent of its exact pro rata share.
            if !before_cart.is_zero() {
                let exact = expected_cart_discount * (line.total + line.cart_discount) / before_cart;
                prop_assert!((line.cart_discount - exact).abs() < cents(1));
            }
        }
        let taxes = TaxRates::default();
        prop_assert_eq!(priced.totals.tps, round_cents(priced.taxable_base * taxes.tps));
        prop_assert_eq!(priced.totals.tvq, round_cents(priced.taxable_base * taxes.tvq));
        prop_assert_eq!(
            priced.totals.total,
            priced.totals.subtotal + priced.totals.tps + priced.totals.tvq
        );
    }

    #[test]
    fn the_promotion_saving_most_wins(
        items in prop::collection::vec(item(), 1..6),
        promotions in prop::collection::vec(promotion(), 0..6),
        today in 1u32..=10,
    ) {
        let items: Vec<Item> = items.into_iter().map(|i| Item { discount: None, ..i }).collect();
        let cart = Cart { items: items.clone(), discount: None };
        let priced = price_cart(&cart, &promotions, 1, day(today), &Rules::default());
        prop_assert!(priced.is_ok());
        let Ok(priced) = priced else { return Ok(()) };
        for (item, line) in items.iter().zip(&priced.lines) {
            let original = item.unit_price * Decimal::from(item.quantity);
            let candidates: Vec<(i64, Decimal)> = promotions
                .iter()
                .filter(|p| p.applies(1, day(today), item))
                .filter_map(|p| Some((p.id, original - p.kind.line_amount(item.unit_price, item.quantity)?)))
                .filter(|(_, saving)| *saving > Decimal::ZERO)
                .collect();
            match &line.promotion {
                None => prop_assert!(candidates.is_empty()),
                Some((id, _)) => {
                    for (other, saving) in &candidates {
                        prop_assert!(
                            line.promotion_saving > *saving
                                || (line.promotion_saving == *saving && id <= other)
                        );
                    }
                    prop_assert!(candidates.contains(&(*id, line.promotion_saving)));
                }
            }
        }
    }

    #[test]
    fn only_cash_gives_change(
        total in 0i64..=10_000,
        tenders in prop::collection::vec((0usize..5, 1i64..=6_000), 0..4),
    ) {
        let total = cents(total);
        let tenders: Vec<Tender> = tenders
            .into_iter()
            .map(|(k, a)| Tender { kind: TenderKind::ALL[k], amount: cents(a), reference: None })
            .collect();
        let sum: Decimal = tenders.iter().map(|t| t.amount).sum();
        let non_cash: Decimal = tenders
            .iter()
            .filter(|t| t.kind != TenderKind::Cash)
            .map(|t| t.amount)
            .sum();
        match settle(total, &tenders) {
            Ok(s) => {
                prop_assert!(sum >= total && non_cash <= total);
                prop_assert_eq!(s.change, sum - total);
                prop_assert!(s.change <= s.cash_tendered);
                prop_assert_eq!(s.paid.iter().copied().sum::<Decimal>(), total);
                for (t, paid) in tenders.iter().zip(&s.paid) {
                    if t.kind == TenderKind::Cash {
                        prop_assert!(*paid >= Decimal::ZERO && *paid <= t.amount);
                    } else {
                        prop_assert_eq!(*paid, t.amount);
                    }
                }
            }
            Err(_) => prop_assert!(sum < total || non_cash > total || (tenders.is_empty() && !total.is_zero())),
        }
    }

    #[test]
    fn returning_everything_refunds_exactly_the_total_to_its_tenders(
        lines in prop::collection::vec((1i32..=5, 0i64..=5_000, any::<bool>()), 1..5),
        tender_weights in prop::collection::vec(1i64..=100, 1..4),
        steps in prop::collection::vec(prop::collection::vec(0i32..=3, 5), 0..6),
    ) {
        let lines: Vec<SoldLine> = lines
            .into_iter()
            .map(|(quantity, total, taxable)| SoldLine { quantity, total: cents(total), taxable })
            .collect();
        let sale = TaxRates::default().totals(lines.iter().map(|l| (l.total, l.taxable)));
        // The sale paid with several tenders (what each paid, summing to the total).
        let weights: Vec<Decimal> = tender_weights.iter().map(|w| cents(*w)).collect();
        let split = split_refund(sale.total, &weights.iter().map(|w| *w * Decimal::from(100_000)).collect::<Vec<_>>());
        prop_assert!(split.is_ok());
        let Ok(mut remaining) = split else { return Ok(()) };

        let mut returned = vec![0i32; lines.len()];
        let mut refunded = Decimal::ZERO;
        let last: Vec<i32> = lines.iter().map(|l| l.quantity).collect();
        for step in steps.iter().map(Vec::as_slice).chain(std::iter::once(last.as_slice())) {
            let now: Vec<i32> = lines
                .iter()
                .zip(&returned)
                .zip(step)
                .map(|((l, r), s)| (*s).min(l.quantity - r))
                .collect();
            let back = refund(&lines, &sale, &returned, &now);
            prop_assert!(back.is_ok());
            let Ok(back) = back else { return Ok(()) };
            prop_assert!(back.subtotal >= Decimal::ZERO && back.tps >= Decimal::ZERO && back.tvq >= Decimal::ZERO);
            let parts = split_refund(back.total, &remaining);
            prop_assert!(parts.is_ok());
            let Ok(parts) = parts else { return Ok(()) };
            prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), back.total);
            for (left, part) in remaining.iter_mut().zip(&parts) {
                prop_assert!(*part >= Decimal::ZERO && *part <= *left);
                *left -= *part;
            }
            refunded += back.total;
            for (r, n) in returned.iter_mut().zip(&now) {
                *r += n;
            }
        }
        prop_assert_eq!(refunded, sale.total);
        prop_assert!(remaining.iter().all(|r| r.is_zero()));
    }

    #[test]
    fn reversing_every_return_takes_back_every_point(
        earned in 0i64..=10_000,
        net in 1i64..=1_000_000,
        cuts in prop::collection::vec(0i64..=1_000_000, 0..6),
    ) {
        let net = cents(net);
        let mut marks: Vec<Decimal> = cuts.into_iter().map(|c| cents(c).min(net)).collect();
        marks.sort();
        marks.push(net);
        let (mut before, mut total) = (Decimal::ZERO, 0i64);
        for after in marks {
            let back = points_reversed(earned, net, before, after);
            prop_assert!(back >= 0);
            total += back;
            before = after;
        }
        prop_assert_eq!(total, earned);
    }
}
