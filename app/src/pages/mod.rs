//! One module per page.

pub mod central;
pub mod home;
pub mod login;
pub mod products;
pub mod stock;
pub mod store;
