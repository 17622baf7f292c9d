//! What the integration tests of `domain`, `server` and `public-api` share, written once: where
//! the test services are (a free port, the URL of a test's own database, Redis) and the small
//! pieces every test world is made of (a store, a category, an employee, a product with stock on
//! a shelf), built through `domain`'s public API, with the stock readings the tests check.
//!
//! Each crate's own world (its actors, its router, its HTTP calls) stays in its tests and is
//! built from these.

mod fixtures;
mod services;

pub use fixtures::*;
pub use services::*;
