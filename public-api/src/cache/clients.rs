//! The API clients an instance remembers (`auth::clients`): in the memory tier only, never in
//! Redis (a shared store of who holds which token would be one more secret to guard), under
//! `clients:<token hash>`. Forgotten by every instance when a client is revoked.

use axum::body::Bytes;

use super::Cache;
use super::memory::Ticket;

const PREFIX: &str = "clients:";

impl Cache {
    /// The client remembered for this token hash, and the ticket under which a client read now
    /// from PostgreSQL may be remembered (`None`: this instance remembers no clients now).
    pub fn remembered_client(&self, token_hash: &str) -> (Option<Bytes>, Option<Ticket>) {
        let Some(memory) = self.0.memory.as_ref().filter(|m| m.is_live()) else {
            return (None, None);
        };
        let ticket = memory.ticket();
        (
            memory.get_raw(&format!("{PREFIX}{token_hash}")),
            Some(ticket),
        )
    }

    /// Remembers a client read from PostgreSQL, unless a revocation happened since `ticket`.
    pub fn remember_client(&self, ticket: Ticket, token_hash: &str, client: Bytes) {
        if let Some(memory) = self.0.memory.as_ref() {
            memory.put_raw(ticket, &format!("{PREFIX}{token_hash}"), client);
        }
    }

    /// Makes every instance forget the clients it remembers (after a revocation), waiting
    /// until each subscribed instance has done it.
    pub async fn forget_clients(&self) {
        self.broadcast(Vec::new(), vec![PREFIX.to_owned()]).await;
    }
}
