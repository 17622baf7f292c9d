//! The retail chain's business core: entities, PostgreSQL repositories and the rules of
//! SPEC section 2. Both binaries (the web UI and the public API) call these functions; nothing
//! here knows about HTTP, Leptos or Redis.
//!
//! Operations take a `&PgPool` (or anything that can begin a transaction) and return typed
//! results or an [`Error`] in business terms.

pub mod access;
pub mod backfill;
pub mod catalog;
pub mod customers;
pub mod db;
pub mod error;
pub mod events;
pub mod gift_cards;
pub mod idempotency;
pub mod inventory;
pub mod money;
pub mod outbox;
pub mod page;
pub mod promotions;
pub mod reporting;
pub mod sales;
pub mod staff;
pub mod stores;
pub mod webhooks;

pub use error::{Error, FieldError, Result};
pub use money::TaxRates;
pub use page::{Page, PageRequest};
pub use pricing::Rules;

use serde::{Deserialize, Serialize};

/// The migrations of `migrations/`, embedded so every binary can bring a database up to date.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Employee roles, from the narrowest to the widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Caissier,
    Gerant,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caissier => "caissier",
            Role::Gerant => "gerant",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "caissier" => Some(Role::Caissier),
            "gerant" => Some(Role::Gerant),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who performs an operation: recorded on every change, and checked against the rules of who
/// may do what (a cashier sells in their own store only, the warehouse approves requests, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Employee {
        id: i64,
        role: Role,
        store_id: Option<i64>,
    },
    /// An external system authenticated by an API token; its scopes are checked by the API.
    ApiClient { id: Option<i64> },
    /// The platform itself (demo data, migrations).
    System,
}

impl Actor {
    pub fn employee_id(&self) -> Option<i64> {
        match self {
            Actor::Employee { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn api_client_id(&self) -> Option<i64> {
        match self {
            Actor::ApiClient { id } => *id,
            _ => None,
        }
    }

    /// A short label for logs: `employee:12`, `api:3`, `api:env`, `system`.
    pub fn label(&self) -> String {
        match self {
            Actor::Employee { id, .. } => format!("employee:{id}"),
            Actor::ApiClient { id: Some(id) } => format!("api:{id}"),
            Actor::ApiClient { id: None } => "api:env".to_owned(),
            Actor::System => "system".to_owned(),
        }
    }

    /// Head office: admins, API clients and the platform act on every store and the warehouse.
    pub fn is_head_office(&self) -> bool {
        !matches!(
            self,
            Actor::Employee {
                role: Role::Caissier | Role::Gerant,
                ..
            }
        )
    }

    /// May this actor work in this store at all (sell, take returns, read its stock)?
    pub fn ensure_store(&self, store_id: i64) -> Result<()> {
        match self {
            Actor::Employee {
                store_id: Some(own),
                role: Role::Caissier | Role::Gerant,
                ..
            } if *own != store_id => Err(Error::Forbidden(
                "Vous ne travaillez pas dans ce magasin.".into(),
            )),
            Actor::Employee {
                store_id: None,
                role: Role::Caissier | Role::Gerant,
                ..
            } => Err(Error::Forbidden(
                "Aucun magasin ne vous est attribué.".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Is a resource of this store (a sale, a return, a register, a session, a request) one
    /// this actor may know of? Store staff see their own store's only; for them another
    /// store's resource is [`Error::NotFound`], exactly like a missing id, so ids cannot be
    /// probed. Role refusals inside their store stay `Forbidden`.
    pub fn ensure_visible(&self, store_id: i64, entity: &'static str, id: i64) -> Result<()> {
        self.ensure_store(store_id)
            .map_err(|_| Error::not_found(entity, id))
    }

    /// May this actor manage this store (stock, requests, closing registers, store reports)?
    pub fn ensure_manager_of(&self, store_id: i64) -> Result<()> {
        self.ensure_store(store_id)?;
        match self {
            Actor::Employee {
                role: Role::Caissier,
                ..
            } => Err(Error::Forbidden("Réservé au gérant du magasin.".into())),
            _ => Ok(()),
        }
    }

    /// Head-office operations: warehouse, catalogue, network-wide figures.
    pub fn ensure_head_office(&self) -> Result<()> {
        if self.is_head_office() {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "Réservé au siège (administrateur).".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cashier_is_confined_to_their_store() {
        let cashier = Actor::Employee {
            id: 1,
            role: Role::Caissier,
            store_id: Some(2),
        };
        assert!(cashier.ensure_store(2).is_ok());
        assert!(matches!(cashier.ensure_store(3), Err(Error::Forbidden(_))));
        assert!(matches!(
            cashier.ensure_manager_of(2),
            Err(Error::Forbidden(_))
        ));
        assert!(cashier.ensure_head_office().is_err());
    }

    #[test]
    fn another_store_s_resources_are_not_found_for_store_staff() {
        let cashier = Actor::Employee {
            id: 1,
            role: Role::Caissier,
            store_id: Some(2),
        };
        assert!(cashier.ensure_visible(2, "Vente", 7).is_ok());
        assert!(matches!(
            cashier.ensure_visible(3, "Vente", 7),
            Err(Error::NotFound {
                entity: "Vente",
                ..
            })
        ));
        let unassigned = Actor::Employee {
            id: 2,
            role: Role::Gerant,
            store_id: None,
        };
        assert!(matches!(
            unassigned.ensure_visible(3, "Caisse", 1),
            Err(Error::NotFound { .. })
        ));
        assert!(
            Actor::ApiClient { id: None }
                .ensure_visible(3, "Vente", 7)
                .is_ok()
        );
    }

    #[test]
    fn manager_manages_only_their_store_and_admin_everything() {
        let manager = Actor::Employee {
            id: 1,
            role: Role::Gerant,
            store_id: Some(2),
        };
        assert!(manager.ensure_manager_of(2).is_ok());
        assert!(manager.ensure_manager_of(3).is_err());
        assert!(manager.ensure_head_office().is_err());
        let admin = Actor::Employee {
            id: 9,
            role: Role::Admin,
            store_id: None,
        };
        assert!(admin.ensure_manager_of(3).is_ok());
        assert!(admin.ensure_head_office().is_ok());
    }
}
