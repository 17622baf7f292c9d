//! Webhooks (SPEC section 9): a subscription as the contract shows it (never its secret, but in
//! the answer that creates it), what creating and changing one accepts, and the delivery log.

use chrono::{DateTime, Utc};
use domain::webhooks::{DeliveryStatus, Secret};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldProblem};
use crate::extract::{Patch, finish};

/// A subscription: the events of `types` are POSTed to `url`, signed with its secret.
#[derive(Serialize, ToSchema)]
pub struct Webhook {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "https://boutique.exemple.ca/webhooks")]
    pub url: String,
    /// The event types it receives (those of `GET /events`); empty: all of them.
    #[schema(example = json!(["sale.created", "stock.changed"]))]
    pub types: Vec<String>,
    /// `false` once disabled (every delivery failed for 24 h) or deactivated: it receives nothing
    /// until it is re-activated.
    #[schema(example = true)]
    pub actif: bool,
    pub cree_le: DateTime<Utc>,
    /// The first failed attempt since the last delivered one; `null` while deliveries succeed.
    pub en_echec_depuis: Option<DateTime<Utc>>,
    /// When it stopped receiving; `null` while active.
    pub desactive_le: Option<DateTime<Utc>>,
    /// Why it stopped receiving; `null` while active.
    #[schema(example = json!(null))]
    pub raison_desactivation: Option<String>,
}

impl From<domain::webhooks::Subscription> for Webhook {
    fn from(s: domain::webhooks::Subscription) -> Self {
        Webhook {
            id: s.id,
            url: s.url,
            types: s.types,
            actif: s.active,
            cree_le: s.created_at,
            en_echec_depuis: s.failing_since,
            desactive_le: s.disabled_at,
            raison_desactivation: s.disabled_reason,
        }
    }
}

/// The answer to a creation: the subscription and its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The key of the deliveries' HMAC-SHA256 signature. Store it now: it is never shown again.
    #[schema(example = "9f2c4e1a7b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8")]
    pub secret: String,
}

/// A new subscription.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://boutique.exemple.ca/webhooks", "types": ["sale.created", "stock.changed"]}))]
pub struct WebhookInput {
    /// `http://` or `https://`, without credentials.
    #[schema(value_type = String, example = "https://boutique.exemple.ca/webhooks")]
    pub url: Option<String>,
    /// Event types (those of `GET /events`); absent or empty: all of them.
    #[serde(default)]
    pub types: Option<Vec<String>>,
    /// The signature's key, 16 to 256 characters; generated (32 random bytes in hex) when absent.
    #[serde(default)]
    pub secret: Option<String>,
}

impl WebhookInput {
    pub fn into_new(self) -> Result<domain::webhooks::NewSubscription, ApiError> {
        let Some(url) = self.url else {
            return Err(ApiError::invalid("url", "obligatoire"));
        };
        Ok(domain::webhooks::NewSubscription {
            url,
            types: self.types.unwrap_or_default(),
            secret: self.secret.map(Secret::new),
        })
    }
}

/// Changes to a subscription; an absent field is left as it is, `null` is refused.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"actif": true}))]
pub struct WebhookPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "https://boutique.exemple.ca/webhooks/v2")]
    pub url: Patch<String>,
    /// Empty: all types.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, example = json!(["sale.created"]))]
    pub types: Patch<Vec<String>>,
    /// `true` re-activates it (its failures are forgotten and its pending deliveries are due at
    /// once); `false` deactivates it.
    #[serde(default)]
    #[schema(value_type = Option<bool>, example = true)]
    pub actif: Patch<bool>,
}

impl WebhookPatch {
    pub fn into_changes(self) -> Result<domain::webhooks::SubscriptionChanges, ApiError> {
        let mut errors: Vec<FieldProblem> = Vec::new();
        let url = self.url.required("url", &mut errors);
        let types = self.types.required("types", &mut errors);
        let active = self.actif.required("actif", &mut errors);
        finish(errors)?;
        Ok(domain::webhooks::SubscriptionChanges { url, types, active })
    }
}

/// A delivery status as the contract names it.
fn statut(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "en_attente",
        DeliveryStatus::Delivered => "livree",
        DeliveryStatus::Dead => "abandonnee",
    }
}

/// The query of a subscription's delivery log.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only `en_attente`, `livree` or `abandonnee` (the dead letters) deliveries.
    #[param(example = "abandonnee")]
    pub statut: Option<String>,
    /// The cursor: the `next_after` of the previous page (0, the default, for the first).
    #[param(example = 0, minimum = 0)]
    pub after: Option<i64>,
    /// Deliveries per page, 1 to 200 (default 50).
    #[param(example = 50, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

impl DeliveryQuery {
    pub fn request(
        &self,
        subscription_id: i64,
    ) -> Result<domain::webhooks::DeliveryLogRequest, ApiError> {
        let status = match self.statut.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                DeliveryStatus::ALL
                    .into_iter()
                    .find(|s| statut(*s) == text)
                    .ok_or_else(|| {
                        ApiError::invalid("statut", "en_attente, livree ou abandonnee")
                    })?,
            ),
        };
        // checked by the domain (a number that fits no page is 0 there, named like the rest)
        let limit = self.limit.map_or(domain::webhooks::DEFAULT_LOG_LIMIT, |l| {
            u32::try_from(l).unwrap_or(0)
        });
        Ok(domain::webhooks::DeliveryLogRequest {
            subscription_id,
            status,
            after: self.after.unwrap_or(0),
            limit,
        })
    }
}

/// One attempt of a delivery.
#[derive(Serialize, ToSchema)]
pub struct DeliveryAttempt {
    pub le: DateTime<Utc>,
    /// The receiver's HTTP status; `null` when it did not answer (see `erreur`).
    #[schema(example = 503)]
    pub code_http: Option<i32>,
    #[schema(example = json!(null))]
    pub erreur: Option<String>,
    #[schema(example = 84)]
    pub duree_ms: i32,
    /// The API instance (and worker) that made it.
    #[schema(example = "api-2/4121/0")]
    pub instance: String,
}

/// The delivery of one event to one subscription, with its attempts.
#[derive(Serialize, ToSchema)]
pub struct WebhookDelivery {
    #[schema(example = 77)]
    pub id: i64,
    #[schema(example = 3)]
    pub webhook_id: i64,
    /// The event (`X-Webhook-Id`), as `GET /events` gives it.
    #[schema(example = 1042)]
    pub evenement_id: i64,
    #[schema(example = "sale.created")]
    pub type_evenement: String,
    /// `en_attente`, `livree`, or `abandonnee` after 24 h of failures (the dead-letter list,
    /// which `POST /webhooks/deliveries/{id}/replay` sends again).
    #[schema(example = "livree")]
    pub statut: &'static str,
    /// Attempts since it was made (or replayed).
    #[schema(example = 2)]
    pub tentatives: i32,
    /// When a pending delivery is next attempted; `null` otherwise, and while its subscription is
    /// inactive.
    pub prochaine_tentative: Option<DateTime<Utc>>,
    pub premiere_tentative: Option<DateTime<Utc>>,
    pub derniere_tentative: Option<DateTime<Utc>>,
    #[schema(example = 200)]
    pub dernier_code_http: Option<i32>,
    #[schema(example = json!(null))]
    pub derniere_erreur: Option<String>,
    pub livree_le: Option<DateTime<Utc>>,
    pub cree_le: DateTime<Utc>,
    /// Every attempt, oldest first (replays included).
    pub journal: Vec<DeliveryAttempt>,
}

impl From<domain::webhooks::Delivery> for WebhookDelivery {
    fn from(d: domain::webhooks::Delivery) -> Self {
        WebhookDelivery {
            id: d.id,
            webhook_id: d.subscription_id,
            evenement_id: d.event_id,
            type_evenement: d.event_type,
            statut: statut(d.status),
            tentatives: d.attempts,
            prochaine_tentative: d.next_attempt_at,
            premiere_tentative: d.first_attempt_at,
            derniere_tentative: d.last_attempt_at,
            dernier_code_http: d.last_status_code,
            derniere_erreur: d.last_error,
            livree_le: d.delivered_at,
            cree_le: d.created_at,
            journal: d
                .log
                .into_iter()
                .map(|a| DeliveryAttempt {
                    le: a.attempted_at,
                    code_http: a.status_code,
                    erreur: a.error,
                    duree_ms: a.duration_ms,
                    instance: a.worker,
                })
                .collect(),
        }
    }
}

/// A page of the delivery log, by increasing id.
#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<WebhookDelivery>,
    /// The `after` of the next page; `null` on the last page.
    #[schema(example = json!(null))]
    pub next_after: Option<i64>,
}

impl From<domain::webhooks::DeliveryLog> for DeliveryPage {
    fn from(log: domain::webhooks::DeliveryLog) -> Self {
        DeliveryPage {
            items: log.items.into_iter().map(WebhookDelivery::from).collect(),
            next_after: log.next_after,
        }
    }
}
