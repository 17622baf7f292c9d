//! Finding a customer: the search of the customers' page and of the API (name, phone, email or
//! card, in one box), and the till's scan of a loyalty card.

use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};

use super::{CUSTOMER_COLUMNS, Customer};
use crate::catalog::escape_like;
use crate::{Error, Page, PageRequest, Result};

/// Adds the condition of a search text: part of the name or of the email (case-insensitive;
/// the name through its trigram index), or, when the text is a phone number or a card as typed
/// (digits, spaces, `+-.()`), part of the phone or the whole card.
fn push_search(qb: &mut QueryBuilder<'_, Postgres>, q: Option<&str>) {
    qb.push(" WHERE TRUE");
    // control characters cannot match (and PostgreSQL's text refuses NUL)
    let q: Option<String> = q.map(|q| q.chars().filter(|c| !c.is_control()).collect());
    let Some(q) = q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return;
    };
    let pattern = format!("%{}%", escape_like(q));
    qb.push(" AND (name ILIKE ")
        .push_bind(pattern.clone())
        .push(" OR email ILIKE ")
        .push_bind(pattern);
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if phone_like && digits.len() >= 3 {
        qb.push(" OR phone LIKE ")
            .push_bind(format!("%{digits}%"))
            .push(" OR loyalty_card = ")
            .push_bind(digits);
    }
    qb.push(")");
}

/// A page of customers matching `q` (every customer without it), by name then id; anonymised
/// customers (no name) come last.
pub async fn search_customers(
    db: &PgPool,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<Customer>> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM customers");
    push_search(&mut count, q);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut qb = QueryBuilder::new(format!("SELECT {CUSTOMER_COLUMNS} FROM customers"));
    push_search(&mut qb, q);
    qb.push(" ORDER BY lower(name) NULLS LAST, id LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let items = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::new(items, total, page))
}

/// The customer of a scanned or typed loyalty card (spaces ignored); a text that cannot be a
/// card is not found without a query.
pub async fn find_by_card(db: impl PgExecutor<'_>, code: &str) -> Result<Customer> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::not_found("Carte de fidélité", code));
    }
    sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE loyalty_card = $1"
    ))
    .bind(&code)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Carte de fidélité", code))
}
