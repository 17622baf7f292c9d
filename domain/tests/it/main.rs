//! The domain against a real PostgreSQL: one test binary (one link, one nextest binary), a
//! module per subject, each test on its own database (`#[sqlx::test]`). `world` is the small
//! world most tests start from; the pieces it shares with the other crates' tests come from
//! `test-support`.

mod catalog;
mod custom_reports;
mod customers;
mod daily_aggregates;
mod demo_seed;
mod events;
mod idempotency;
mod limits;
mod parked;
mod promotion_reports;
mod promotions;
mod replenishment;
mod report_limits;
mod reporting;
mod sale_ids;
mod sales;
mod sales_list;
mod schema;
mod selling;
mod sessions;
mod shift;
mod sign_in;
mod web_sessions;
mod webhooks;
mod world;
