//! The public API in-process: the real router over real PostgreSQL (a fresh database per test)
//! and real Redis (a namespace per test, so parallel tests never share keys); and the real
//! binary on a random port (`binary`). One test binary, a module per subject.

mod auth;
mod binary;
mod bounds;
mod cache;
mod catalog;
mod contract;
mod customers;
mod events;
mod fuzz;
mod hardening;
mod helpers;
mod promotions;
mod reports;
mod robustness;
mod sales;
mod sales_list;
mod scoping;
mod selling;
mod stores;
mod throttle;
mod webhooks;
