//! Managing subscriptions: create (with a generated secret when none is given), list, read,
//! change (url, types, active) and delete. Deactivating parks the pending deliveries (never due),
//! re-activating makes them due at once and forgets the failures.

use rand::RngCore;
use sqlx::PgPool;

use super::{Secret, Subscription};
use crate::error::FieldError;
use crate::outbox::EVENT_TYPES;
use crate::{Error, Page, PageRequest, Result};

/// What a new subscription is made of.
#[derive(Clone, Debug, Default)]
pub struct NewSubscription {
    pub url: String,
    /// Empty: every type.
    pub types: Vec<String>,
    /// Generated when `None`.
    pub secret: Option<Secret>,
}

/// Changes to a subscription; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionChanges {
    pub url: Option<String>,
    pub types: Option<Vec<String>>,
    pub active: Option<bool>,
}

const COLUMNS: &str =
    "id, url, types, active, created_at, failing_since, disabled_at, disabled_reason";

const ENTITY: &str = "Webhook";

/// Longest URL accepted.
const MAX_URL_CHARS: usize = 2000;
/// Bounds of a secret given by the client (characters).
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=256;

/// Why a subscription was deactivated through the API.
const DEACTIVATED: &str = "désactivé par un administrateur";

/// A new secret: 32 bytes from the OS generator, in hex.
pub fn generate_secret() -> Secret {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The URL as it is stored (scheme and host lower-cased), or why it cannot be one: http or
/// https, a host, and no credentials (the deliveries are signed; a URL is shown to every admin).
fn normalize_url(url: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let url = url.trim();
    let problem = if url.chars().count() > MAX_URL_CHARS {
        "2000 caractères au plus"
    } else {
        match url::Url::parse(url) {
            Err(_) => "URL absolue attendue, p. ex. https://exemple.ca/webhooks",
            Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
                "http:// ou https:// seulement"
            }
            Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => "l'hôte manque",
            Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
                "pas d'identifiants dans l'URL : chaque livraison est signée avec le secret"
            }
            Ok(parsed) => return Some(parsed.to_string()),
        }
    };
    errors.push(FieldError::new("url", problem));
    None
}

/// The types, each one of [`EVENT_TYPES`], without repeats; empty means every type.
fn check_types(types: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for (i, kind) in types.iter().enumerate() {
        let kind = kind.trim();
        if !EVENT_TYPES.contains(&kind) {
            errors.push(FieldError::new(
                format!("types[{i}]"),
                format!(
                    "type d'événement inconnu « {} » (types : {})",
                    kind.chars().take(60).collect::<String>(),
                    EVENT_TYPES.join(", ")
                ),
            ));
        } else if !kept.iter().any(|k| k == kind) {
            kept.push(kind.to_owned());
        }
    }
    kept
}

fn check_secret(secret: &Secret, errors: &mut Vec<FieldError>) {
    let text = secret.expose();
    if !SECRET_CHARS.contains(&text.chars().count()) || text.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "secret",
            "16 à 256 caractères, sans caractère de contrôle",
        ));
    }
}

fn finish(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

/// Creates a subscription; it receives the events put in the feed from now on. Returns it with
/// its secret, which nothing shows again.
pub async fn create_subscription(
    db: &PgPool,
    new: &NewSubscription,
) -> Result<(Subscription, Secret)> {
    let mut errors = Vec::new();
    let url = normalize_url(&new.url, &mut errors);
    let types = check_types(&new.types, &mut errors);
    let secret = match &new.secret {
        Some(secret) => {
            check_secret(secret, &mut errors);
            secret.clone()
        }
        None => generate_secret(),
    };
    finish(errors)?;
    let subscription = sqlx::query_as(&format!(
        "INSERT INTO webhook_subscriptions (url, types, secret) VALUES ($1, $2, $3)
         RETURNING {COLUMNS}"
    ))
    .bind(url)
    .bind(&types)
    .bind(secret.expose())
    .fetch_one(db)
    .await?;
    Ok((subscription, secret))
}

/// The subscriptions, oldest first.
pub async fn list_subscriptions(db: &PgPool, page: PageRequest) -> Result<Page<Subscription>> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_subscriptions")
        .fetch_one(db)
        .await?;
    let items = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_subscriptions ORDER BY id LIMIT $1 OFFSET $2"
    ))
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db)
    .await?;
    Ok(Page::new(items, total, page))
}

pub async fn get_subscription(db: &PgPool, id: i64) -> Result<Subscription> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_subscriptions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found(ENTITY, id))
}

/// Changes a subscription. Deactivating it says so (`disabled_at`, the reason) and parks its
/// pending deliveries; re-activating it clears that and its failures, and its parked deliveries
/// are due at once (those past their retry window get one more attempt).
pub async fn update_subscription(
    db: &PgPool,
    id: i64,
    changes: &SubscriptionChanges,
) -> Result<Subscription> {
    let mut errors = Vec::new();
    let url = match &changes.url {
        Some(url) => normalize_url(url, &mut errors),
        None => None,
    };
    let types = changes
        .types
        .as_deref()
        .map(|types| check_types(types, &mut errors));
    finish(errors)?;
    let mut tx = db.begin().await?;
    let was_active: bool =
        sqlx::query_scalar("SELECT active FROM webhook_subscriptions WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Error::not_found(ENTITY, id))?;
    let active = changes.active.unwrap_or(was_active);
    let subscription: Subscription = sqlx::query_as(&format!(
        "UPDATE webhook_subscriptions SET
             url = coalesce($2, url),
             types = coalesce($3, types),
             active = $4,
             failing_since = CASE WHEN $4 AND NOT $5 THEN NULL ELSE failing_since END,
             disabled_at = CASE WHEN $4 THEN NULL WHEN $5 THEN now() ELSE disabled_at END,
             disabled_reason = CASE WHEN $4 THEN NULL WHEN $5 THEN $6 ELSE disabled_reason END
         WHERE id = $1
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(url)
    .bind(types)
    .bind(active)
    .bind(was_active)
    .bind(DEACTIVATED)
    .fetch_one(&mut *tx)
    .await?;
    if active != was_active {
        sqlx::query(
            "UPDATE webhook_deliveries
             SET next_attempt_at = CASE WHEN $2 THEN now() ELSE 'infinity' END
             WHERE subscription_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(active)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(subscription)
}

/// Deletes a subscription with its deliveries and their log.
pub async fn delete_subscription(db: &PgPool, id: i64) -> Result<()> {
    let deleted = sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(Error::not_found(ENTITY, id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> std::result::Result<String, String> {
        let mut errors = Vec::new();
        normalize_url(text, &mut errors).ok_or_else(|| errors[0].message.clone())
    }

    #[test]
    fn urls_are_http_or_https_with_a_host_and_no_credentials() {
        assert_eq!(
            url(" HTTPS://Exemple.CA/hooks?x=1 ").as_deref(),
            Ok("https://exemple.ca/hooks?x=1")
        );
        assert_eq!(
            url("http://127.0.0.1:8080").as_deref(),
            Ok("http://127.0.0.1:8080/")
        );
        for bad in [
            "",
            "exemple.ca/hooks",
            "ftp://exemple.ca/",
            "mailto:a@b.ca",
            "http://",
            "https://user:pass@exemple.ca/",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
        assert!(url(&format!("https://a.ca/{}", "x".repeat(2000))).is_err());
    }

    #[test]
    fn types_are_known_and_kept_once() {
        let mut errors = Vec::new();
        let types = check_types(
            &[
                "sale.created".into(),
                "sale.created".into(),
                "stock.changed".into(),
                "sale.exploded".into(),
            ],
            &mut errors,
        );
        assert_eq!(types, ["sale.created", "stock.changed"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "types[3]");
        assert!(errors[0].message.contains("sale.exploded"));
    }

    #[test]
    fn generated_secrets_are_64_hex_digits_and_differ() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        let mut errors = Vec::new();
        check_secret(&a, &mut errors);
        check_secret(&Secret::new("short".into()), &mut errors);
        check_secret(&Secret::new("sixteen-chars-\n-x".into()), &mut errors);
        assert_eq!(errors.len(), 2);
    }
}
