//! The sales list for accounting (`GET /sales`): the sales of a period of local days, whole
//! (lines, tenders, gift cards sold, returns), a page at a time by id. The cursor is the last
//! id of the previous page (keyset, never an offset), so a sale recorded while an export runs
//! neither shifts nor repeats what the following pages hold.

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::{SALE_SELECT, Sale, attach_details};
use crate::reporting::{Period, SCOPE_CTES, snapshot};
use crate::{Actor, Error, FieldError, Result};

/// Sales per page when the request says nothing.
pub const DEFAULT_SALES_LIMIT: i64 = 100;
/// Most sales per page: each comes whole, so a page stays a few megabytes at most.
pub const MAX_SALES_LIMIT: i64 = 500;

/// Which sales, and which page of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesListRequest {
    /// Local days, both included, each store's in its own time zone (as the reports read them).
    pub period: Period,
    /// One store; `None`: every store the caller may see.
    pub store_id: Option<i64>,
    /// The only stores the caller may see (a client limited to some stores); `None`: all.
    pub stores: Option<Vec<i64>>,
    /// The last id of the previous page (0 for the first page).
    pub after: i64,
    /// Sales per page, 1 to [`MAX_SALES_LIMIT`].
    pub limit: i64,
}

impl SalesListRequest {
    /// The first page of a period's sales, for every store.
    pub fn new(period: Period) -> Self {
        Self {
            period,
            store_id: None,
            stores: None,
            after: 0,
            limit: DEFAULT_SALES_LIMIT,
        }
    }

    /// Every problem at once: the period's (order, length, range), the limit's and the cursor's.
    pub fn validate(&self) -> Result<()> {
        let mut errors = match self.period.validate() {
            Ok(()) => Vec::new(),
            Err(Error::Validation(errors)) => errors,
            Err(other) => return Err(other),
        };
        if !(1..=MAX_SALES_LIMIT).contains(&self.limit) {
            errors.push(FieldError::new("limit", "La limite va de 1 à 500."));
        }
        if self.after < 0 {
            errors.push(FieldError::new(
                "after",
                "Le curseur ne peut pas être négatif (0 pour la première page).",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// One page of sales, by increasing id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesList {
    pub items: Vec<Sale>,
    /// The `after` of the next page: the last id of a full page, `None` on the last page.
    pub next_after: Option<i64>,
}

/// A page of the sales of a period, whole, in a constant number of queries. Store staff read
/// their own store's only (another store is [`Error::NotFound`], as for one sale); admins and
/// API clients read every store, or the `stores` they are limited to.
///
/// The page is read in one snapshot (the reports' read-only transaction, with their statement
/// timeout), so each sale's lines agree with its returns. A cursor is exact for days already
/// over; on the current day, a sale committed just after a page was read may carry a smaller
/// id than that page's last one (ids are taken before commit), so an export of today is read
/// again once the day is over.
pub async fn list_sales(
    db: &PgPool,
    actor: &Actor,
    request: &SalesListRequest,
) -> Result<SalesList> {
    request.validate()?;
    let mut tx = snapshot(db).await?;
    let stores = visible_stores(&mut tx, actor, request).await?;
    // each store's period is a range of instants in its time zone (`scope_stores`)
    let mut items: Vec<Sale> = sqlx::query_as(&format!(
        "WITH {SCOPE_CTES}
         {SALE_SELECT}
         JOIN scope_stores ss ON ss.id = sa.store_id
                             AND sa.sold_at >= ss.starts_at AND sa.sold_at < ss.ends_at
         WHERE sa.id > $4
         ORDER BY sa.id
         LIMIT $5"
    ))
    .bind(request.period.from)
    .bind(request.period.to)
    .bind(&stores)
    .bind(request.after)
    .bind(request.limit)
    .fetch_all(&mut *tx)
    .await?;
    attach_details(&mut tx, &mut items).await?;
    tx.commit().await?;
    let full = i64::try_from(items.len()).is_ok_and(|n| n == request.limit);
    let next_after = items.last().filter(|_| full).map(|s| s.id);
    Ok(SalesList { items, next_after })
}

/// The stores whose sales the caller reads: `None` for every store. A store named but not
/// visible (another store for store staff, outside `stores` for a limited client) or missing
/// is [`Error::NotFound`], so that store ids cannot be probed.
async fn visible_stores(
    conn: &mut PgConnection,
    actor: &Actor,
    request: &SalesListRequest,
) -> Result<Option<Vec<i64>>> {
    let allowed = |id: i64| request.stores.as_ref().is_none_or(|s| s.contains(&id));
    if let Some(id) = request.store_id {
        actor.ensure_visible(id, "Magasin", id)?;
        if !allowed(id) {
            return Err(Error::not_found("Magasin", id));
        }
        crate::stores::get_store(&mut *conn, id).await?;
        return Ok(Some(vec![id]));
    }
    if actor.is_head_office() {
        return Ok(request.stores.clone());
    }
    match actor {
        Actor::Employee {
            store_id: Some(own),
            ..
        } => Ok(Some(if allowed(*own) {
            vec![*own]
        } else {
            Vec::new()
        })),
        _ => Err(Error::Forbidden(
            "Aucun magasin ne vous est attribué.".into(),
        )),
    }
}
