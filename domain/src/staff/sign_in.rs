//! Signing in with a login and a password: the throttle is checked and charged first, then the
//! password is verified with argon2 under a bounded number of permits, so a flood of attempts
//! can neither guess quickly nor take the server's memory and threads (19 MiB and one blocking
//! thread per verification).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::{FromRow, PgPool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::throttle::{self, Scope, ThrottlePolicy};
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
///
/// The login's and the address's locks are checked on arrival, and again once a verification
/// permit is held, and the permit is kept until the outcome is counted: a flood waits for
/// permits while its first failures lock it, so fewer than one attempt per permit is verified
/// beyond a threshold. Only failures are counted.
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
    let who = Who {
        // as typed (cut short): the log writers escape its control characters
        login: login.trim().chars().take(64).collect(),
        address: address.map_or_else(|| "-".to_owned(), |a| a.to_string()),
    };
    if let Some((scope, secs)) = throttle::locked(db, &login_key, address_key.as_deref()).await? {
        return Ok(who.throttled(scope, secs));
    }
    // a login nobody could have (control characters, too long) is looked up as nobody
    let found: Option<Credentials> = if login.trim().to_lowercase() == login_key {
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
        tracing::warn!(
            login = %who.login,
            address = %who.address,
            "sign-in refused: every password verification is taken"
        );
        return Ok(SignInOutcome::Busy {
            retry_after_secs: BUSY_RETRY_AFTER_SECS,
        });
    };
    if let Some((scope, secs)) = throttle::locked(db, &login_key, address_key.as_deref()).await? {
        drop(permit);
        return Ok(who.throttled(scope, secs));
    }
    // unknown logins and inactive accounts spend the same verification as the others
    let hash = found
        .as_ref()
        .map_or(DUMMY_HASH, |c| c.password_hash.as_str());
    let (verified, permit) = verify_with(permit, password, hash).await;
    let outcome = match found {
        Some(Credentials { employee, .. }) if verified && employee.active => {
            throttle::clear(db, Scope::Login, &login_key).await?;
            SignInOutcome::SignedIn(employee)
        }
        _ => {
            if let Some(key) = address_key.as_deref() {
                throttle::record_failure(db, policy, Scope::Address, key).await?;
            }
            throttle::record_failure(db, policy, Scope::Login, &login_key).await?;
            SignInOutcome::Refused
        }
    };
    // the next attempt checks the locks with this outcome counted
    drop(permit);
    if outcome == SignInOutcome::Refused {
        refused_event(&who, "credentials");
        throttle::purge_sign_in_throttle(db, PURGE_ON_THE_WAY).await?;
    }
    Ok(outcome)
}

/// Who tried, as logged.
struct Who {
    login: String,
    address: String,
}

impl Who {
    fn throttled(&self, locked: Scope, retry_after_secs: u64) -> SignInOutcome {
        refused_event(self, "locked");
        tracing::warn!(
            login = %self.login,
            address = %self.address,
            locked = locked.as_str(),
            retry_after_secs,
            "sign-in throttled"
        );
        SignInOutcome::Throttled { retry_after_secs }
    }
}

/// The business event of a refused attempt, with the client's address.
fn refused_event(who: &Who, reason: &str) {
    tracing::info!(
        target: "business",
        operation = "sign_in_refused",
        entity_type = "employee",
        entity_id = 0,
        actor = %who.login,
        details = %serde_json::json!({"address": who.address, "reason": reason}),
        "sign-in refused"
    );
}

/// One argon2 verification on a blocking thread, which holds the permit: it is handed back to
/// the caller (to count the outcome before the next attempt checks the locks), or released
/// with the thread's result if the request was abandoned meanwhile.
async fn verify_with(
    permit: OwnedSemaphorePermit,
    password: &str,
    hash: &str,
) -> (bool, Option<OwnedSemaphorePermit>) {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || (verify_blocking(&password, &hash), permit))
        .await
        .map_or((false, None), |(verified, permit)| (verified, Some(permit)))
}
