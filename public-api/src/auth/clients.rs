//! The API clients stored in PostgreSQL, found by their token without a database round trip on
//! the hot path: each instance remembers the clients it has seen in the cache's memory tier,
//! which the invalidation channel keeps coherent across instances. Revoking a client (`tokens
//! revoke`) broadcasts on that channel, and every subscribed instance forgets its clients at
//! once; an instance that is not subscribed does not remember any (the tier is off), and an
//! entry lives a minute at most whatever happens.

use std::sync::Arc;

use axum::body::Bytes;
use domain::access::Scope;
use serde::{Deserialize, Serialize};

use super::Caller;
use crate::ApiState;
use crate::error::ApiError;

/// What is remembered of a client: what [`Caller`] needs, never the token.
#[derive(Serialize, Deserialize)]
struct Remembered {
    id: i64,
    name: String,
    scopes: Vec<Scope>,
    stores: Option<Vec<i64>>,
}

impl Remembered {
    fn caller(self) -> Caller {
        Caller {
            client_id: Some(self.id),
            name: self.name,
            scopes: self.scopes,
            stores: self.stores.map(Arc::from),
        }
    }
}

/// The active client holding `token` (already shaped like one), from memory when this
/// instance has seen it, else from PostgreSQL (then remembered).
pub(super) async fn find(state: &ApiState, token: &str) -> Result<Option<Caller>, ApiError> {
    let hash = domain::access::hash_token(token);
    let (remembered, ticket) = state.cache.remembered_client(&hash);
    if let Some(caller) = remembered
        .and_then(|bytes| serde_json::from_slice::<Remembered>(&bytes).ok())
        .map(Remembered::caller)
    {
        return Ok(Some(caller));
    }
    let Some(client) = domain::access::find_by_token(&state.pool, token).await? else {
        return Ok(None);
    };
    let remembered = Remembered {
        id: client.id,
        name: client.name.clone(),
        scopes: client.scopes(),
        stores: client.store_ids.clone(),
    };
    if let (Some(ticket), Ok(bytes)) = (ticket, serde_json::to_vec(&remembered)) {
        state
            .cache
            .remember_client(ticket, &hash, Bytes::from(bytes));
    }
    Ok(Some(remembered.caller()))
}
