//! Exact money: the rounding to the cent and the sales taxes live in the pure `pricing` crate
//! (shared with the offline till); re-exported here so the domain keeps its `crate::money` paths.

pub use pricing::money::*;
