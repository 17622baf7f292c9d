//! What is cached and for how long, and what a change makes stale: the one table of policies
//! (TTLs, key prefixes, which tier keeps what) and the namespace every key lives in.

use std::time::Duration;

/// Every key of this API starts with the namespace (`CACHE_NAMESPACE`, default this one);
/// `/cache/clear` removes exactly those keys.
pub const DEFAULT_NAMESPACE: &str = "multimagasin:api:v1:";

/// What can be cached, with its time to live (SPEC section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    ProductList,
    Product,
    StoreList,
    Store,
    Categories,
    Report,
}

impl Policy {
    pub const ALL: [Policy; 6] = [
        Policy::ProductList,
        Policy::Product,
        Policy::StoreList,
        Policy::Store,
        Policy::Categories,
        Policy::Report,
    ];

    pub fn ttl(self) -> Duration {
        Duration::from_secs(match self {
            Policy::ProductList => 5 * 60,
            Policy::Product => 10 * 60,
            Policy::StoreList | Policy::Store | Policy::Categories => 30 * 60,
            Policy::Report => 2 * 60,
        })
    }

    pub(super) fn prefix(self) -> &'static str {
        match self {
            Policy::ProductList => "products:list:",
            Policy::Product => "products:item:",
            Policy::StoreList => "stores:list:",
            Policy::Store => "stores:item:",
            Policy::Categories => "categories:",
            Policy::Report => "reports:",
        }
    }

    /// The key of an entry inside the namespace: policy, then the caller's part (an id, a
    /// code, a normalised query string).
    pub fn key(self, part: &str) -> String {
        format!("{}{part}", self.prefix())
    }

    /// Kept in the memory tier too: everything but reports (every sale makes them stale).
    pub fn in_memory(self) -> bool {
        self != Policy::Report
    }

    pub fn label(self) -> &'static str {
        match self {
            Policy::ProductList => "product_list",
            Policy::Product => "product",
            Policy::StoreList => "store_list",
            Policy::Store => "store",
            Policy::Categories => "categories",
            Policy::Report => "report",
        }
    }
}

/// A change that makes cached answers stale.
#[derive(Clone, Debug)]
pub enum Change<'a> {
    /// A product was created, changed or deleted; `codes` are its old and new codes.
    Product {
        id: i64,
        codes: &'a [&'a str],
    },
    Store {
        id: i64,
    },
    /// Stock or sales moved (a sale, a return): reports change, the catalogue does not.
    Sales,
}

impl Change<'_> {
    /// `(exact keys, key prefixes)` made stale by the change.
    pub fn stale(&self) -> (Vec<String>, Vec<String>) {
        match self {
            Change::Product { id, codes } => {
                let mut keys = vec![Policy::Product.key(&id.to_string())];
                keys.extend(
                    codes
                        .iter()
                        .map(|c| Policy::Product.key(&format!("code:{c}"))),
                );
                (
                    keys,
                    vec![Policy::ProductList.key(""), Policy::Report.key("")],
                )
            }
            Change::Store { id } => (
                vec![Policy::Store.key(&id.to_string())],
                vec![Policy::StoreList.key(""), Policy::Report.key("")],
            ),
            Change::Sales => (Vec::new(), vec![Policy::Report.key("")]),
        }
    }

    /// True when the change makes stale something the memory tier may hold.
    pub(super) fn touches_memory(&self) -> bool {
        !matches!(self, Change::Sales)
    }
}

/// Checks a `CACHE_NAMESPACE`: an empty one would make every key of the Redis database this
/// API's, and clearing the cache would wipe all of it.
pub fn namespace(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        Err(format!(
            "CACHE_NAMESPACE must not be empty: it prefixes every cache key, and clearing the \
             cache removes every key under it (default: {DEFAULT_NAMESPACE})"
        ))
    } else {
        Ok(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_change_invalidates_the_product_its_codes_lists_and_reports() {
        let (keys, prefixes) = Change::Product {
            id: 7,
            codes: &["ALI001"],
        }
        .stale();
        assert_eq!(
            keys,
            [Policy::Product.key("7"), Policy::Product.key("code:ALI001")]
        );
        assert_eq!(
            prefixes,
            [Policy::ProductList.key(""), Policy::Report.key("")]
        );
        assert!(
            prefixes.iter().all(|p| !p.is_empty()),
            "never a prefix matching everything"
        );
    }

    #[test]
    fn ttls_follow_the_contract() {
        assert_eq!(Policy::ProductList.ttl().as_secs(), 300);
        assert_eq!(Policy::Product.ttl().as_secs(), 600);
        assert_eq!(Policy::StoreList.ttl().as_secs(), 1800);
        assert_eq!(Policy::Report.ttl().as_secs(), 120);
    }

    #[test]
    fn an_empty_namespace_is_refused() {
        assert!(namespace("").is_err());
        assert!(namespace("  ").unwrap_err().contains("CACHE_NAMESPACE"));
        assert_eq!(namespace("test:1:").unwrap(), "test:1:");
    }
}
