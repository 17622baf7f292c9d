//! The refund of a return shown before it is confirmed (« Aperçu du remboursement »): worked
//! out by the return's own computation, [`plan_return`], in a transaction rolled back.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use super::PaymentMethod;
use super::returns::{NewReturn, plan_return};
use crate::money::Totals;
use crate::{Actor, Error, Result};

/// One line of a return worked out before it is recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub sale_line_id: i64,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price: Decimal,
    pub taxable: bool,
    /// `quantity * unit_price`, before taxes.
    pub amount: Decimal,
}

/// What [`create_return`] would record for these choices now: lines, the refund's subtotal,
/// taxes and total, and how it is paid back (as the sale was paid).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnPreview {
    pub sale_id: i64,
    pub store_id: i64,
    pub lines: Vec<PreviewLine>,
    pub refund: Totals,
    pub refund_method: PaymentMethod,
}

/// The refund of a return before it is confirmed. Checks and computes exactly as
/// [`create_return`] (one function, [`plan_return`], serves both) inside a transaction that is
/// rolled back: nothing is written. The figures hold unless another return of the same sale is
/// recorded in between (the confirmation computes them again under the sale's lock).
pub async fn preview_return(db: &PgPool, actor: &Actor, new: &NewReturn) -> Result<ReturnPreview> {
    let mut tx = db.begin().await?;
    let plan = plan_return(&mut tx, actor, new).await?;
    tx.rollback().await?;
    let refund_method =
        PaymentMethod::try_from(plan.sale.payment_method.clone()).map_err(Error::Internal)?;
    let lines = plan
        .asked
        .iter()
        .filter_map(|(line_id, quantity)| {
            let l = plan.lines.iter().find(|l| l.id == *line_id)?;
            Some(PreviewLine {
                sale_line_id: l.id,
                product_id: l.product_id,
                product_code: l.product_code.clone(),
                product_name: l.product_name.clone(),
                quantity: *quantity,
                unit_price: l.unit_price,
                taxable: l.taxable,
                amount: l.unit_price * Decimal::from(*quantity),
            })
        })
        .collect();
    Ok(ReturnPreview {
        sale_id: new.sale_id,
        store_id: plan.sale.store_id,
        lines,
        refund: plan.refund,
        refund_method,
    })
}
