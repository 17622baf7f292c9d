//! One module per page.

pub mod home;
pub mod login;
pub mod reports;
pub mod stock;
pub mod store;
