//! Business outcomes counted beside goose's request metrics: sales recorded or refused for lack
//! of stock (a legitimate answer, not an error), idempotent retries honoured, returns made.

use std::sync::atomic::{AtomicU64, Ordering};

pub static API_SALES: AtomicU64 = AtomicU64::new(0);
pub static API_SALES_REFUSED: AtomicU64 = AtomicU64::new(0);
pub static API_RETRIES_HONOURED: AtomicU64 = AtomicU64::new(0);
pub static WEB_SALES: AtomicU64 = AtomicU64::new(0);
pub static WEB_SALES_REFUSED: AtomicU64 = AtomicU64::new(0);
pub static WEB_RETURNS: AtomicU64 = AtomicU64::new(0);

pub fn count(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// `(label, value)` of every counter, for the report.
pub fn snapshot() -> Vec<(&'static str, u64)> {
    [
        ("API sales recorded (201)", &API_SALES),
        (
            "API sales refused: insufficient stock (409)",
            &API_SALES_REFUSED,
        ),
        (
            "API retries with the same Idempotency-Key answered with the first result",
            &API_RETRIES_HONOURED,
        ),
        ("till sales recorded (web)", &WEB_SALES),
        (
            "till sales refused: insufficient stock (web)",
            &WEB_SALES_REFUSED,
        ),
        ("returns recorded (web)", &WEB_RETURNS),
    ]
    .into_iter()
    .map(|(label, counter)| (label, counter.load(Ordering::Relaxed)))
    .collect()
}
