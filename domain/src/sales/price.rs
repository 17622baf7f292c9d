//! Where a checked cart is sold and what it costs: the store (and for a till, its open
//! session), the catalogue's prices, the promotions of the day, the manual discounts and who
//! approved them, the taxes, the tenders and the points. Nothing is written here; `sell.rs`
//! writes what this module priced, and `balances.rs` spends what the tenders take.
//!
//! The money itself is the pure [`pricing`] crate's, so the till, the API, the quotes and the
//! offline till price a cart alike.

use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::PaymentMethod;
use super::cart::{Channel, NewSale, Payment, SaleOptions};
use super::lookup::{Lookups, PricedProduct, Wanted};
use crate::stores::Register;
use crate::{Actor, Error, FieldError, Result, Role};
use pricing::{Cart, Item, PricedCart, Rules, Settlement, Tender, TenderKind};

/// A checked cart and where it is sold.
pub(super) struct Located<'a> {
    pub(super) actor: &'a Actor,
    pub(super) new: &'a NewSale,
    /// Each product once, with its summed quantity.
    pub(super) lines: Vec<(i64, i32)>,
    pub(super) store_id: i64,
    register: Option<Register>,
    session_id: Option<i64>,
}

/// Finds the store (and for a till, its open session) of a cart. The outer error is the
/// database's; the inner one refuses this cart only.
pub(super) async fn locate<'a>(
    conn: &mut PgConnection,
    actor: &'a Actor,
    new: &'a NewSale,
    lines: Vec<(i64, i32)>,
) -> Result<Located<'a>> {
    let (store_id, register, session_id) = match new.channel {
        Channel::Till { register_id } => {
            let register = crate::stores::get_register(&mut *conn, actor, register_id).await?;
            // FOR SHARE: a concurrent closing waits for this sale, and this sale waits for it.
            let session: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM register_sessions
                 WHERE register_id = $1 AND closed_at IS NULL FOR SHARE",
            )
            .bind(register_id)
            .fetch_optional(&mut *conn)
            .await?;
            let session = session.ok_or_else(|| {
                Error::Conflict(format!(
                    "La caisse « {} » n'est pas ouverte.",
                    register.name
                ))
            })?;
            (register.store_id, Some(register), Some(session))
        }
        // the store is read by the sale statement
        Channel::External { store_id } => {
            actor.ensure_store(store_id)?;
            (store_id, None, None)
        }
    };
    Ok(Located {
        actor,
        new,
        lines,
        store_id,
        register,
        session_id,
    })
}

impl<'a> Located<'a> {
    /// What pricing this cart reads.
    pub(super) fn wanted(&self) -> Wanted<'_> {
        Wanted {
            store_id: self.store_id,
            lines: &self.lines,
            options: &self.new.options,
            payment: Some(&self.new.payment),
        }
    }
}

/// One tender as it is recorded: what it pays of the sale (cash net of the change).
pub(super) struct PaidTender {
    pub(super) kind: TenderKind,
    pub(super) amount: Decimal,
    pub(super) reference: Option<String>,
    pub(super) gift_card_id: Option<i64>,
    pub(super) points: Option<i64>,
}

/// A cart ready to be written: its lines priced, its totals, tenders and points.
pub(super) struct Priced<'a, 'p> {
    pub(super) actor: &'a Actor,
    pub(super) client_sale_id: &'a str,
    /// Each product once, with the summed quantity (what the stock must hold).
    pub(super) wanted: Vec<(i64, i32)>,
    pub(super) store_id: i64,
    pub(super) register: Option<Register>,
    pub(super) session_id: Option<i64>,
    /// The catalogue's products, in the order of `cart.lines`.
    pub(super) products: Vec<&'p PricedProduct>,
    pub(super) cart: PricedCart,
    pub(super) customer_id: Option<i64>,
    pub(super) approved_by: Option<i64>,
    pub(super) points_earned: i64,
    pub(super) gift_cards: Vec<Decimal>,
    pub(super) gift_cards_sold: Decimal,
    pub(super) tenders: Vec<PaidTender>,
    pub(super) method: PaymentMethod,
    pub(super) tendered: Option<Decimal>,
    pub(super) change: Option<Decimal>,
}

impl Priced<'_, '_> {
    /// True when recording the sale also moves a balance that may refuse it (points, credit or
    /// a gift card spent) or creates gift cards: it is then written alone, under a savepoint.
    pub(super) fn moves_balances(&self) -> bool {
        !self.gift_cards.is_empty()
            || self.tenders.iter().any(|t| {
                matches!(
                    t.kind,
                    TenderKind::GiftCard | TenderKind::Credit | TenderKind::Points
                )
            })
    }
}

/// Prices a located cart with what was looked up for its group.
pub(super) fn price<'a, 'p>(
    located: Located<'a>,
    found: &'p Lookups,
    rules: &Rules,
) -> Result<Priced<'a, 'p>> {
    let new = located.new;
    let cart = priced_cart(located.store_id, &located.lines, &new.options, found, rules)
        .map_err(|e| discounts_by_line(e, new))?;
    let products = located
        .lines
        .iter()
        .map(|(id, _)| found.product(*id))
        .collect::<Result<Vec<_>>>()?;
    check_approval(located.actor, new, &cart.1, rules)?;

    let gift_cards_sold: Decimal = new.options.gift_cards.iter().sum();
    let due = cart.1.totals.total + gift_cards_sold;
    if let Payment::Cash {
        tendered: Some(tendered),
    } = new.payment
        && tendered < due
    {
        return Err(Error::invalid(
            "amount_tendered",
            format!("Montant reçu insuffisant : le total est de {due} $."),
        ));
    }
    let tenders = tenders_of(&new.payment, due);
    let settlement = pricing::settle(due, &tenders).map_err(pricing_error)?;
    let tenders = paid_tenders(&tenders, &settlement, found, rules)?;
    let has_cash = tenders.iter().any(|t| t.kind == TenderKind::Cash)
        || matches!(new.payment, Payment::Cash { .. });
    let method = tenders
        .iter()
        .max_by(|a, b| a.amount.cmp(&b.amount))
        .map(|t| PaymentMethod::from(t.kind))
        .unwrap_or(match new.payment {
            Payment::Cash { .. } => PaymentMethod::Especes,
            _ => PaymentMethod::Carte,
        });
    let (tendered, change) = if has_cash {
        (Some(settlement.cash_tendered), Some(settlement.change))
    } else {
        (None, None)
    };
    let points_earned = match new.options.customer_id {
        Some(_) => pricing::points_earned(cart.1.totals.subtotal, rules),
        None => 0,
    };
    Ok(Priced {
        actor: located.actor,
        client_sale_id: new.client_sale_id.trim(),
        wanted: located.lines,
        store_id: located.store_id,
        register: located.register,
        session_id: located.session_id,
        products,
        cart: cart.1,
        customer_id: new.options.customer_id,
        approved_by: new.options.approved_by,
        points_earned,
        gift_cards: new.options.gift_cards.clone(),
        gift_cards_sold,
        tenders,
        method,
        tendered,
        change,
    })
}

/// The cart priced by the money order (promotions, line and cart discounts, taxes), with the
/// store's local date of the promotions.
pub(super) fn priced_cart(
    store_id: i64,
    lines: &[(i64, i32)],
    options: &SaleOptions,
    found: &Lookups,
    rules: &Rules,
) -> Result<(chrono::NaiveDate, PricedCart)> {
    let mut items = Vec::with_capacity(lines.len());
    for (i, (product_id, quantity)) in lines.iter().enumerate() {
        let product = found.product(*product_id)?;
        if !product.active {
            return Err(Error::invalid(
                format!("lines[{i}].product_id"),
                format!("Le produit « {} » n'est plus vendu.", product.name),
            ));
        }
        let discount = options
            .line_discounts
            .iter()
            .rev()
            .find(|(p, _)| p == product_id)
            .map(|(_, d)| *d);
        items.push(Item {
            product_id: product.id,
            category_id: product.category_id,
            unit_price: product.price,
            quantity: *quantity,
            taxable: product.taxable,
            discount,
        });
    }
    if let Some(customer) = options.customer_id {
        found.customer(customer)?;
    }
    let date = found.local_date(store_id);
    let cart = Cart {
        items,
        discount: options.discount,
    };
    let priced = pricing::price_cart(&cart, found.promotions(), store_id, date, rules)
        .map_err(|e| discount_fields(e, lines))?;
    Ok((date, priced))
}

/// A cashier gives up to the rules' limit alone; beyond it, a manager of the store must have
/// approved at the till. Managers, head office and API clients (whose scopes the API checks)
/// give discounts without approval.
fn check_approval(actor: &Actor, new: &NewSale, cart: &PricedCart, rules: &Rules) -> Result<()> {
    let cashier = matches!(
        actor,
        Actor::Employee {
            role: Role::Caissier,
            ..
        }
    );
    if cashier && cart.needs_approval(rules) && new.options.approved_by.is_none() {
        return Err(Error::Forbidden(format!(
            "Une remise de plus de {} % demande l'accord d'un gérant du magasin.",
            rules.cashier_max_discount.normalize()
        )));
    }
    Ok(())
}

/// The tenders a payment stands for: the contract's single cash or card payment of the total
/// (cash handed over defaults to the exact total), or the tenders given.
fn tenders_of(payment: &Payment, due: Decimal) -> Vec<Tender> {
    let one = |kind, amount: Decimal| {
        if amount.is_zero() {
            Vec::new()
        } else {
            vec![Tender {
                kind,
                amount,
                reference: None,
            }]
        }
    };
    match payment {
        Payment::Card => one(TenderKind::Card, due),
        Payment::Cash { tendered } => one(TenderKind::Cash, tendered.unwrap_or(due)),
        Payment::Tenders(tenders) => tenders.clone(),
    }
}

/// What each tender pays, with its gift card or points resolved; a tender that cannot pay
/// (an unknown gift card, a whole number of points) is refused naming it. Whether a balance
/// holds enough is checked when it is spent (`balances.rs`), under the row's lock.
fn paid_tenders(
    tenders: &[Tender],
    settlement: &Settlement,
    found: &Lookups,
    rules: &Rules,
) -> Result<Vec<PaidTender>> {
    let mut paid = Vec::with_capacity(tenders.len());
    let mut problems = Vec::new();
    for (i, (t, amount)) in tenders.iter().zip(&settlement.paid).enumerate() {
        if amount.is_zero() {
            // cash entirely given back as change
            continue;
        }
        let reference = t
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let mut tender = PaidTender {
            kind: t.kind,
            amount: *amount,
            reference: reference.map(str::to_owned),
            gift_card_id: None,
            points: None,
        };
        match t.kind {
            TenderKind::GiftCard => match reference.and_then(|code| found.gift_card(code)) {
                Some(id) => tender.gift_card_id = Some(id),
                None => problems.push(FieldError {
                    field: format!("paiements[{i}].reference"),
                    message: "Carte-cadeau inconnue.".into(),
                }),
            },
            TenderKind::Points => match pricing::points_for_amount(*amount, rules) {
                Ok(points) => tender.points = Some(points),
                Err(e) => problems.extend(e.errors.into_iter().map(|e| FieldError {
                    field: format!("paiements[{i}].montant"),
                    message: e.message,
                })),
            },
            TenderKind::Credit | TenderKind::Cash | TenderKind::Card => {}
        }
        paid.push(tender);
    }
    if problems.is_empty() {
        Ok(paid)
    } else {
        Err(Error::Validation(problems))
    }
}

/// The pricing's field errors as the domain's validation error.
pub(super) fn pricing_error(e: pricing::PricingError) -> Error {
    Error::Validation(
        e.errors
            .into_iter()
            .map(|e| FieldError {
                field: e.field,
                message: e.message,
            })
            .collect(),
    )
}

/// The pricing names a line discount by its line in the merged cart; the caller gave it per
/// product: `discounts[<product id>]`.
fn discount_fields(e: pricing::PricingError, lines: &[(i64, i32)]) -> Error {
    let mut e = pricing_error(e);
    if let Error::Validation(errors) = &mut e {
        for error in errors {
            let line = error
                .field
                .strip_prefix("lines[")
                .and_then(|rest| rest.strip_suffix("].discount"))
                .and_then(|i| i.parse::<usize>().ok());
            if let Some((product, _)) = line.and_then(|i| lines.get(i)) {
                error.field = format!("discounts[{product}]");
            }
        }
    }
    e
}

/// A sale names a line discount by the first line of its product: `lines[i].discount`.
fn discounts_by_line(mut e: Error, new: &NewSale) -> Error {
    if let Error::Validation(errors) = &mut e {
        for error in errors {
            let product = error
                .field
                .strip_prefix("discounts[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|p| p.parse::<i64>().ok());
            if let Some(i) = product.and_then(|p| new.lines.iter().position(|l| l.product_id == p))
            {
                error.field = format!("lines[{i}].discount");
            }
        }
    }
    e
}
