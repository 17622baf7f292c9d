//! What the sale screen shows of a store sale beyond the lines and totals: the customer (and
//! the customers a search found), the savings, the discounts, the gift cards sold, the tenders
//! keyed with what remains due, whether a manager must approve, and the parked carts.

use serde::{Deserialize, Serialize};

/// A customer as the till shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TillCustomer {
    pub id: i64,
    pub name: String,
    pub card: String,
    pub points: String,
    pub credit: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TillTender {
    pub index: usize,
    pub label: String,
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TillParked {
    pub id: i64,
    pub name: String,
    pub by: String,
    pub at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct More {
    pub customer: Option<TillCustomer>,
    /// What `?client_q=` found (phone, name or email).
    pub customer_hits: Vec<TillCustomer>,
    pub customer_query: String,
    /// Promotions and discounts together; `None` when nothing was saved.
    pub savings: Option<String>,
    pub promotion_savings: Option<String>,
    pub manual_discounts: Option<String>,
    /// The cart discount as typed (`10 %`, `5,00 $`).
    pub cart_discount: Option<String>,
    /// Why the discounts in the address could not be applied (the cart changed under them).
    pub discount_problem: Option<String>,
    pub gift_cards: Vec<(usize, String)>,
    pub gift_cards_total: Option<String>,
    /// The total plus the gift cards sold: what the tenders must pay.
    pub due: String,
    pub tenders: Vec<TillTender>,
    /// What the tenders do not pay yet (`None` when covered).
    pub remaining: Option<String>,
    /// Cash given back when the tenders cover the due with cash over.
    pub change: Option<String>,
    pub covered: bool,
    /// A cashier's discount above the limit: the sale needs a manager's login and password.
    pub needs_approval: bool,
    pub points_earned: i64,
    pub parked: Vec<TillParked>,
}

/// `10 %` or `5,00 $`.
#[cfg(feature = "ssr")]
pub fn describe(off: super::extras::Off) -> String {
    use super::extras::Off;
    match off {
        Off::Percent(p) => format!("{} %", p.normalize().to_string().replace('.', ",")),
        Off::Amount(a) => crate::format::money(a),
    }
}

#[cfg(feature = "ssr")]
impl TillCustomer {
    pub fn of(c: domain::customers::Customer) -> Self {
        TillCustomer {
            id: c.id,
            name: c.name.unwrap_or_else(|| "Client sans nom".into()),
            card: c.loyalty_card,
            points: crate::format::count(c.points),
            credit: crate::format::money(c.credit),
        }
    }
}

/// Reads what the sale screen shows beyond the quote (customer, search, parked carts) and
/// sums the tenders against what is due.
#[cfg(feature = "ssr")]
pub async fn load(
    pool: &crate::server::PgPool,
    session: &domain::staff::WebSession,
    time: impl Fn(chrono::DateTime<chrono::Utc>) -> String,
    register_id: i64,
    cart: &super::cart::Cart,
    quote: &domain::sales::Quote,
    client_q: &str,
) -> Result<More, crate::error::AppError> {
    use crate::format::money;
    use crate::server::failure;
    use rust_decimal::Decimal;
    let actor = session.employee.actor();
    let e = &cart.extras;
    let customer = match e.customer {
        Some(id) => match domain::customers::get_customer(pool, id).await {
            Ok(c) if !c.is_anonymized() => Some(TillCustomer::of(c)),
            Ok(_) | Err(domain::Error::NotFound { .. }) => None,
            Err(err) => return Err(failure(err)),
        },
        None => None,
    };
    let customer_hits = if client_q.trim().is_empty() {
        Vec::new()
    } else {
        domain::customers::search_customers(
            pool,
            Some(client_q.trim()),
            domain::PageRequest { page: 1, size: 10 },
        )
        .await
        .map_err(failure)?
        .items
        .into_iter()
        .filter(|c| !c.is_anonymized())
        .map(TillCustomer::of)
        .collect()
    };
    let gift_total: Decimal = e.gift_cards.iter().sum();
    let due = quote.totals.total + gift_total;
    let tendered = e.tendered();
    let cash: Decimal = e
        .tenders
        .iter()
        .filter(|t| t.mode == super::extras::Mode::Cash)
        .map(|t| t.amount)
        .sum();
    let over = tendered - due;
    let rules = crate::server::selling_rules();
    let parked = domain::sales::list_parked(pool, &actor, register_id)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|p| TillParked {
            id: p.id,
            name: p.name,
            by: p.employee_name,
            at: time(p.parked_at),
        })
        .collect();
    let some = |d: Decimal| (d > Decimal::ZERO).then(|| money(d));
    Ok(More {
        customer,
        customer_hits,
        customer_query: client_q.trim().to_owned(),
        savings: some(quote.promotion_savings + quote.manual_discounts),
        promotion_savings: some(quote.promotion_savings),
        manual_discounts: some(quote.manual_discounts),
        cart_discount: e.discount.map(describe),
        discount_problem: None,
        gift_cards: e
            .gift_cards
            .iter()
            .enumerate()
            .map(|(i, g)| (i, money(*g)))
            .collect(),
        gift_cards_total: some(gift_total),
        due: money(due),
        tenders: e
            .tenders
            .iter()
            .enumerate()
            .map(|(index, t)| TillTender {
                index,
                label: match &t.reference {
                    Some(r) => format!("{} {r}", t.mode.label()),
                    None => t.mode.label().to_owned(),
                },
                amount: money(t.amount),
            })
            .collect(),
        remaining: (tendered < due).then(|| money(due - tendered)),
        // only cash gives change: more than due in other tenders is refused by the domain
        change: (over > Decimal::ZERO && cash >= over).then(|| money(over)),
        covered: !e.tenders.is_empty() && tendered >= due,
        needs_approval: session.employee.role() == domain::Role::Caissier
            && quote.manual_discount_rate > rules.cashier_max_discount,
        points_earned: quote.points_earned,
        parked,
    })
}
