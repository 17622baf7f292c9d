//! One module per page.

pub mod central;
pub mod customers;
pub mod gift_cards;
pub mod home;
pub mod login;
pub mod products;
pub mod promotions;
pub mod receipt;
pub mod reports;
pub mod returns;
pub mod stock;
pub mod store;
pub mod till;
