//! One module per page.

pub mod home;
pub mod login;
pub mod receipt;
pub mod reports;
pub mod returns;
pub mod stock;
pub mod store;
pub mod till;
