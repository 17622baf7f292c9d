//! API clients limited to some stores (`tokens create --stores 1,3`, SPEC section 9). Anything
//! of another store answers 404, as if it did not exist, so that store ids cannot be probed; the
//! lists keep their own stores' rows; the chain's catalogue, stores and promotions stay
//! readable but are written by head office's clients only.
//!
//! Two places apply it: [`check_path`], in the token middleware, for every route under
//! `/stores/{id}` and for the writes; the handlers of lists, reports, sales and the event feed,
//! through the methods of [`Caller`] below.

use axum::http::Method;

use super::Caller;
use crate::error::{ApiError, ApiResult};

/// The writes a client limited to stores may make (paths inside `/api/v1`): selling and quoting
/// in its stores, enrolling and updating customers, and the custom report (a read sent as a
/// POST).
fn write_allowed(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["stores", _, "sales"]
            | ["stores", _, "sales", "quote"]
            | ["customers"]
            | ["customers", _]
            | ["reports", "custom"]
    )
}

/// The route's path inside `/api/v1`, cut into segments.
fn segments(path: &str) -> Vec<&str> {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Refuses what the path alone says a limited client may not do: another store's resource
/// (404), a write to the chain (403).
pub(super) fn check_path(caller: &Caller, method: &Method, path: &str) -> ApiResult<()> {
    if caller.stores.is_none() {
        return Ok(());
    }
    let segments = segments(path);
    if let ["stores", id, ..] = segments.as_slice()
        && let Ok(id) = id.parse::<i64>()
    {
        caller.ensure_store(id)?;
    }
    let reads = *method == Method::GET || *method == Method::HEAD;
    if !reads && !write_allowed(&segments) {
        return Err(ApiError::Forbidden(format!(
            "Ce client est limité {} : il ne modifie pas la chaîne (catalogue, magasins, \
             promotions), réservé aux clients du siège.",
            caller.stores_label()
        )));
    }
    Ok(())
}

impl Caller {
    /// May this caller see the store's data?
    pub fn sees_store(&self, id: i64) -> bool {
        self.stores.as_deref().is_none_or(|s| s.contains(&id))
    }

    /// A 404 for a store this caller may not see, worded as for a missing one.
    pub fn ensure_store(&self, id: i64) -> ApiResult<()> {
        if self.sees_store(id) {
            Ok(())
        } else {
            Err(domain::Error::not_found("Magasin", id).into())
        }
    }

    /// The stores a list or the event feed is limited to; `None`: every store.
    pub fn store_filter(&self) -> Option<Vec<i64>> {
        self.stores.as_deref().map(<[i64]>::to_vec)
    }

    /// The store of a report that may name one: the named one if visible; when none is named,
    /// the whole network for head office's clients, the client's store when it has only one,
    /// and a 403 asking for one otherwise (a network total would include other stores).
    pub fn report_store(&self, named: Option<i64>) -> ApiResult<Option<i64>> {
        match (named, self.stores.as_deref()) {
            (Some(id), _) => self.ensure_store(id).map(|()| Some(id)),
            (None, None) => Ok(None),
            (None, Some([only])) => Ok(Some(*only)),
            (None, Some(_)) => Err(ApiError::Forbidden(format!(
                "Ce client est limité {} : précisez magasin_id.",
                self.stores_label()
            ))),
        }
    }

    /// The stores of a custom report: the named ones, each visible, or all of the client's.
    pub fn report_stores(&self, named: Option<Vec<i64>>) -> ApiResult<Option<Vec<i64>>> {
        let named = named.filter(|n| !n.is_empty());
        match (named, self.store_filter()) {
            (Some(named), _) => {
                for id in &named {
                    self.ensure_store(*id)?;
                }
                Ok(Some(named))
            }
            (None, own) => Ok(own),
        }
    }

    fn stores_label(&self) -> String {
        match self.stores.as_deref() {
            Some([one]) => format!("au magasin {one}"),
            Some(many) => format!(
                "aux magasins {}",
                many.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "à aucun magasin".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::access::Scope;
    use std::sync::Arc;

    fn limited(stores: &[i64]) -> Caller {
        Caller {
            client_id: Some(7),
            name: "partenaire".into(),
            scopes: vec![Scope::Read, Scope::Write],
            stores: Some(Arc::from(stores)),
        }
    }

    #[test]
    fn another_stores_routes_are_not_found_and_chain_writes_forbidden() {
        let c = limited(&[1, 3]);
        assert!(check_path(&c, &Method::GET, "/api/v1/stores/1/stock").is_ok());
        assert!(check_path(&c, &Method::POST, "/stores/3/sales").is_ok());
        assert!(check_path(&c, &Method::POST, "/stores/3/sales/quote").is_ok());
        assert!(matches!(
            check_path(&c, &Method::GET, "/stores/2"),
            Err(ApiError::Domain(domain::Error::NotFound { .. }))
        ));
        assert!(matches!(
            check_path(&c, &Method::POST, "/stores/2/sales"),
            Err(ApiError::Domain(domain::Error::NotFound { .. }))
        ));
        for (method, path) in [
            (Method::POST, "/products"),
            (Method::PATCH, "/products/4"),
            (Method::PATCH, "/stores/1"),
            (Method::POST, "/promotions"),
        ] {
            assert!(
                matches!(check_path(&c, &method, path), Err(ApiError::Forbidden(_))),
                "{method} {path}"
            );
        }
        assert!(check_path(&c, &Method::POST, "/customers").is_ok());
        assert!(check_path(&c, &Method::GET, "/products").is_ok());
    }

    #[test]
    fn reports_of_a_limited_client_stay_in_its_stores() {
        let one = limited(&[3]);
        assert_eq!(one.report_store(None).ok(), Some(Some(3)));
        assert!(one.report_store(Some(2)).is_err());
        let two = limited(&[1, 3]);
        assert!(matches!(
            two.report_store(None),
            Err(ApiError::Forbidden(_))
        ));
        assert_eq!(two.report_stores(None).ok(), Some(Some(vec![1, 3])));
        assert!(two.report_stores(Some(vec![1, 2])).is_err());
        let chain = Caller {
            stores: None,
            ..limited(&[1])
        };
        assert_eq!(chain.report_store(None).ok(), Some(None));
        assert!(chain.sees_store(99));
    }
}
