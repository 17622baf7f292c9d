//! Signing in with a login and a password: the throttle is checked and charged first, then the
//! password is verified with argon2 under a bounded number of permits, so a flood of attempts
//! can neither guess quickly nor take the server's memory and threads (19 MiB and one blocking
//! thread per verification).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::{FromRow, PgPool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::throttle::{self, Admission, Scope, ThrottlePolicy};
use super::{DUMMY_HASH, EMPLOYEE_COLUMNS, Employee, verify_blocking};
use crate::Result;

/// Seconds a client is told to wait when no verification permit freed up in time.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// Expired throttle rows a refused attempt deletes on the way.
const PURGE_ON_THE_WAY: i64 = 50;

/// The throttle policy and the verification permits of one server process. Cloning shares the
/// permits: build one per process.
#[derive(Clone, Debug)]
pub struct SignInGate {
    policy: ThrottlePolicy,
    permits: Arc<Semaphore>,
    queue_wait: Duration,
}

impl SignInGate {
    /// `verifications` argon2 checks at most run at once (at least one); an attempt waits up to
    /// `queue_wait` for its turn, then is answered "busy".
    pub fn new(policy: ThrottlePolicy, verifications: usize, queue_wait: Duration) -> Self {
        SignInGate {
            policy,
            permits: Arc::new(Semaphore::new(verifications.max(1))),
            queue_wait,
        }
    }

    /// Two verifications per core: enough to keep the cores busy, no more memory than that.
    pub fn default_verifications() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
    }

    pub fn policy(&self) -> &ThrottlePolicy {
        &self.policy
    }
}

impl Default for SignInGate {
    fn default() -> Self {
        SignInGate::new(
            ThrottlePolicy::default(),
            SignInGate::default_verifications(),
            Duration::from_secs(2),
        )
    }
}

/// How an attempt ended. Unknown logins, wrong passwords and inactive accounts are all
/// `Refused`, after the same work; a lock is the same for a known and an unknown login.
#[derive(Clone, Debug, PartialEq)]
pub enum SignInOutcome {
    SignedIn(Employee),
    Refused,
    /// Too many failures for this login or from this address: nothing was verified.
    Throttled {
        retry_after_secs: u64,
    },
    /// Every verification permit stayed taken: nothing was verified nor counted.
    Busy {
        retry_after_secs: u64,
    },
}

#[derive(FromRow)]
struct Credentials {
    password_hash: String,
    #[sqlx(flatten)]
    employee: Employee,
}

/// Checks a login and password for a client at `address` (when known).
pub async fn sign_in(
    db: &PgPool,
    gate: &SignInGate,
    login: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<SignInOutcome> {
    let policy = &gate.policy;
    let login_key = throttle::login_subject(login);
    let address_key = address.map(throttle::address_subject);
    let address_text = address.map_or_else(|| "-".to_owned(), |a| a.to_string());
    // as typed (cut short): the log writers escape its control characters
    let shown: String = login.trim().chars().take(64).collect();
    // the address first: a locked address does not count against the login it tries
    let mut charged = Vec::with_capacity(2);
    for (scope, key) in [
        (Scope::Address, address_key.as_deref()),
        (Scope::Login, Some(login_key.as_str())),
    ] {
        let Some(key) = key else { continue };
        match throttle::charge(db, policy, scope, key).await? {
            Admission::Admitted => charged.push((scope, key)),
            Admission::Locked { retry_after_secs } => {
                refused_event(&shown, &address_text, "locked");
                tracing::warn!(
                    login = %shown,
                    address = %address_text,
                    locked = scope.as_str(),
                    retry_after_secs,
                    "sign-in throttled"
                );
                return Ok(SignInOutcome::Throttled { retry_after_secs });
            }
        }
    }
    // a login nobody could have (control characters, too long) is looked up as nobody
    let looked_up = login.trim().to_lowercase();
    let found: Option<Credentials> = if looked_up == login_key {
        sqlx::query_as(&format!(
            "SELECT password_hash, {EMPLOYEE_COLUMNS} FROM employees WHERE login = $1"
        ))
        .bind(&login_key)
        .fetch_optional(db)
        .await?
    } else {
        None
    };
    let Ok(Ok(permit)) =
        tokio::time::timeout(gate.queue_wait, gate.permits.clone().acquire_owned()).await
    else {
        for (scope, key) in charged {
            throttle::refund(db, policy, scope, key).await?;
        }
        tracing::warn!(
            login = %shown,
            address = %address_text,
            "sign-in refused: every password verification is taken"
        );
        return Ok(SignInOutcome::Busy {
            retry_after_secs: BUSY_RETRY_AFTER_SECS,
        });
    };
    // unknown logins and inactive accounts spend the same verification as the others
    let hash = found
        .as_ref()
        .map_or(DUMMY_HASH, |c| c.password_hash.as_str());
    let verified = verify_with(permit, password, hash).await;
    match found {
        Some(Credentials { employee, .. }) if verified && employee.active => {
            throttle::clear(db, Scope::Login, &login_key).await?;
            if let Some(key) = address_key.as_deref() {
                throttle::refund(db, policy, Scope::Address, key).await?;
            }
            Ok(SignInOutcome::SignedIn(employee))
        }
        _ => {
            refused_event(&shown, &address_text, "credentials");
            throttle::purge_sign_in_throttle(db, PURGE_ON_THE_WAY).await?;
            Ok(SignInOutcome::Refused)
        }
    }
}

/// The business event of a refused attempt, with the client's address.
fn refused_event(login: &str, address: &str, reason: &str) {
    tracing::info!(
        target: "business",
        operation = "sign_in_refused",
        entity_type = "employee",
        entity_id = 0,
        actor = %login,
        details = %serde_json::json!({"address": address, "reason": reason}),
        "sign-in refused"
    );
}

/// One argon2 verification on a blocking thread; the permit is released when the thread is
/// done, even if the request that asked was abandoned meanwhile.
async fn verify_with(permit: OwnedSemaphorePermit, password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        let verified = verify_blocking(&password, &hash);
        drop(permit);
        verified
    })
    .await
    .unwrap_or(false)
}
