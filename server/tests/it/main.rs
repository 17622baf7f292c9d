//! The web UI against a real PostgreSQL: the router in-process (a database per test,
//! `#[sqlx::test]`) page by page, and the real binary as production starts it. One test binary,
//! a module per subject; `support` holds the browser-like calls and re-exports `test-support`.

mod binary;
mod central;
mod customers;
mod hardening;
mod products;
mod promotions;
mod refunds;
mod refusals;
mod reports;
mod shift;
mod sign_in;
mod stock;
mod store_till;
mod support;
mod till;
mod web;
