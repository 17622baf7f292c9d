//! The money order of a sale, pure (no I/O, no clock, no database) so that the server, the REST
//! API, the quotes and the offline till in the browser (`wasm32-unknown-unknown`) price a cart
//! with the very same code. Every amount is a [`rust_decimal::Decimal`] to the cent.
//!
//! The order (SPEC section 6, "Money order"):
//!
//! 1. **Promotion** ([`promotion`]): among the promotions that [`Promotion::applies`] to a line
//!    (active, in dates in the store's local date, in the store, on the product or its
//!    category), the one whose promoted line amount saves most wins, ties to the lowest id; at
//!    most one per line, and only if it saves something.
//! 2. **Line discount** ([`Discount`]): a percentage of the promoted line amount (rounded to the
//!    cent) or an amount up to it.
//! 3. **Cart discount**: the same on the sum of the lines, spread over the lines pro rata to
//!    their amount by the largest-remainder method, so the shares sum exactly to the discount
//!    and no line goes below zero.
//! 4. **Taxes** (TPS, TVQ): on the sum of the taxable lines' totals, rounded once per sale
//!    ([`TaxRates::totals`]).
//!
//! Then the sale is paid ([`settle`]: several tenders, change in cash only; points at a whole
//! number of points), earns loyalty points ([`points_earned`]), and may be returned
//! ([`refund`]: the returned units' real share of the discounts and taxes, cumulatively so the
//! whole sale refunds exactly its total; [`split_refund`] back to the tenders it came from;
//! [`points_reversed`]).
//!
//! [`Rules`] holds what is configurable; its `Default` is the SPEC's. A refusal is a
//! [`PricingError`]: the faulty fields with their French messages.

pub mod cart;
pub mod error;
pub mod money;
pub mod promotion;
pub mod refund;
pub mod rules;
mod spread;
pub mod tender;

pub use cart::{Cart, Discount, Item, PricedCart, PricedLine, price_cart};
pub use error::{FieldError, PricingError};
pub use money::{TaxRates, Totals};
pub use promotion::{Promotion, PromotionKind};
pub use refund::{SoldLine, points_reversed, refund, split_refund};
pub use rules::Rules;
pub use tender::{Settlement, Tender, TenderKind, points_earned, points_for_amount, settle};
