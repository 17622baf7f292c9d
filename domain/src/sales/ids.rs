//! Client sale ids: the id under which a sale is recorded once, so that a retry finds the first
//! sale instead of making a second one. Each channel builds its ids here, with its own prefix,
//! so that no channel can make an id another channel uses: the till's are `web:<uuid>` (the
//! page generates the UUID, the server checks it and adds the prefix), the API's
//! `api:<client>:<key>` (its `Idempotency-Key`). Whatever the id, a replay only answers the
//! caller that recorded the sale (see `checkout.rs`).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The field a refused id is reported under.
pub const CLIENT_SALE_ID_FIELD: &str = "client_sale_id";

/// What the conflict of a sale id already used by another channel, store or seller says (the
/// till tells it from its other conflicts by this text).
pub const SALE_ID_TAKEN: &str = "Cet identifiant de vente a déjà servi pour une autre vente.";

/// A client sale id built by its channel's rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientSaleId(String);

impl ClientSaleId {
    /// The prefix of the till's ids.
    pub const TILL_PREFIX: &'static str = "web:";
    /// The prefix of the API's ids.
    pub const API_PREFIX: &'static str = "api:";

    /// The id of a till sale from the UUID its page generated (any UUID notation, kept in the
    /// hyphenated lower-case one, so that a retry finds the same id). Anything else is refused
    /// as a validation error of `client_sale_id`.
    pub fn till(page_id: &str) -> Result<Self> {
        let uuid = uuid::Uuid::try_parse(page_id.trim()).map_err(|_| {
            Error::invalid(
                CLIENT_SALE_ID_FIELD,
                "Identifiant de vente invalide : rechargez la caisse pour en obtenir un nouveau.",
            )
        })?;
        Ok(ClientSaleId(format!(
            "{}{}",
            Self::TILL_PREFIX,
            uuid.hyphenated()
        )))
    }

    /// The id of an API sale: the client's namespace (`env`, `client:<id>`) and its
    /// `Idempotency-Key`, which the API checked.
    pub fn api(client: &str, key: &str) -> Self {
        ClientSaleId(format!("{}{client}:{key}", Self::API_PREFIX))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<ClientSaleId> for String {
    fn from(id: ClientSaleId) -> String {
        id.0
    }
}

impl std::fmt::Display for ClientSaleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn till_ids_are_prefixed_normalised_uuids() {
        let id = ClientSaleId::till(" 67E55044-10B1-426F-9247-BB680E5FE0C8 ").unwrap();
        assert_eq!(id.as_str(), "web:67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(
            ClientSaleId::till("67e5504410b1426f9247bb680e5fe0c8").unwrap(),
            id
        );
    }

    #[test]
    fn till_ids_refuse_anything_else() {
        for bad in [
            "",
            "vente-1",
            "api:env:k",
            "web:67e55044-10b1-426f-9247-bb680e5fe0c8",
        ] {
            match ClientSaleId::till(bad) {
                Err(Error::Validation(errors)) => assert_eq!(errors[0].field, "client_sale_id"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn channels_never_share_an_id() {
        let till = ClientSaleId::till("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap();
        let api = ClientSaleId::api("env", "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_ne!(till, api);
        assert!(api.as_str().starts_with(ClientSaleId::API_PREFIX));
        assert!(!till.as_str().starts_with(ClientSaleId::API_PREFIX));
    }
}
