//! Sign-in throttling: failed attempts counted per login and per client address in PostgreSQL,
//! so every web instance sees the same counts, with an exponential lock past a threshold.
//!
//! Only failures count (a shop's tills signing in together, or one account used by a load
//! test, lock nothing); each is counted in one upsert that also sets the lock, and a count whose
//! time has passed starts again. `sign_in` checks the locks on arrival and again once it holds
//! a verification permit. A success clears the login's count.

use std::net::IpAddr;
use std::time::Duration;

use sqlx::PgPool;

use crate::Result;

/// When attempts are refused before any password is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures in a row for one login before it is locked.
    pub login_failures: u32,
    /// Failures from one client address before it is locked: higher, since a shop's tills share
    /// one address, and an attacker trying many logins shows here.
    pub address_failures: u32,
    /// The lock at the threshold; each further failure doubles it...
    pub first_lock: Duration,
    /// ...up to this. A count is also forgotten this long after its last failure or lock.
    pub max_lock: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            login_failures: 5,
            address_failures: 20,
            first_lock: Duration::from_secs(30),
            max_lock: Duration::from_secs(15 * 60),
        }
    }
}

/// What a count is kept for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Login,
    Address,
}

impl Scope {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scope::Login => "login",
            Scope::Address => "address",
        }
    }

    fn threshold(self, policy: &ThrottlePolicy) -> i32 {
        let n = match self {
            Scope::Login => policy.login_failures,
            Scope::Address => policy.address_failures,
        };
        i32::try_from(n.max(1)).unwrap_or(i32::MAX)
    }
}

/// The key of a login's count: what `authenticate` looks up (trimmed, lowercase), without
/// control characters and cut at 64 characters, so any text typed in the field has one key.
pub fn login_subject(login: &str) -> String {
    login
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}

/// The key of an address's count: an IPv4 address, or the /64 network of an IPv6 one (what a
/// single subscriber is usually given).
pub fn address_subject(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The lock after `n.failures` failures: none below the threshold (`$3`), then `$4` seconds
/// doubled per further failure, at most `$5` seconds.
const LOCK: &str = "SELECT CASE WHEN n.failures >= $3 THEN now() + make_interval(secs => \
     least($4 * power(2, least(n.failures - $3, 30)), $5)) END";

/// Counts one failure for `subject`, locking it past the threshold. A failure that arrives
/// while the subject is locked (it was verified before the lock) is not counted again.
pub(crate) async fn record_failure(
    db: &PgPool,
    policy: &ThrottlePolicy,
    scope: Scope,
    subject: &str,
) -> Result<()> {
    // a row past `expires_at` counts as empty: it restarts at one failure
    sqlx::query(&format!(
        "INSERT INTO sign_in_throttle AS t (scope, subject, failures, locked_until, expires_at)
         SELECT $1, $2, n.failures, l.until, greatest(l.until, now()) + make_interval(secs => $5)
         FROM (VALUES (1)) AS n(failures), LATERAL ({LOCK}) AS l(until)
         ON CONFLICT (scope, subject) DO UPDATE
         SET (failures, locked_until, expires_at) = (
             SELECT n.failures, l.until, greatest(l.until, now()) + make_interval(secs => $5)
             FROM (SELECT CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END)
                  AS n(failures),
                  LATERAL ({LOCK}) AS l(until))
         WHERE t.locked_until IS NULL OR t.locked_until <= now()"
    ))
    .bind(scope.as_str())
    .bind(subject)
    .bind(scope.threshold(policy))
    .bind(policy.first_lock.as_secs_f64())
    .bind(policy.max_lock.as_secs_f64())
    .execute(db)
    .await?;
    Ok(())
}

/// The longest lock on a login or an address (when known): which, and the seconds left.
pub(crate) async fn locked(
    db: &PgPool,
    login: &str,
    address: Option<&str>,
) -> Result<Option<(Scope, u64)>> {
    let found: Option<(String, f64)> = sqlx::query_as(
        "SELECT scope, extract(epoch FROM locked_until - now())::float8 FROM sign_in_throttle
         WHERE locked_until > now()
           AND ((scope = 'login' AND subject = $1) OR (scope = 'address' AND subject = $2))
         ORDER BY locked_until DESC LIMIT 1",
    )
    .bind(login)
    .bind(address)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|(scope, left)| {
        let scope = if scope == "login" {
            Scope::Login
        } else {
            Scope::Address
        };
        (scope, retry_after(Some(left)))
    }))
}

/// Whole seconds to wait, at least one (the lock may have ended between the two queries).
fn retry_after(left: Option<f64>) -> u64 {
    let secs = left.unwrap_or(1.0).ceil();
    if secs.is_finite() && secs >= 1.0 {
        secs as u64
    } else {
        1
    }
}

/// Forgets a login's failures (it signed in).
pub(crate) async fn clear(db: &PgPool, scope: Scope, subject: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_throttle WHERE scope = $1 AND subject = $2")
        .bind(scope.as_str())
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes at most `at_most` counts whose lock and forget window have passed; returns how many.
/// Failed sign-ins call it on the way (a few rows each); a scheduled task may call it with a
/// large bound.
pub async fn purge_sign_in_throttle(db: &PgPool, at_most: i64) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM sign_in_throttle WHERE (scope, subject) IN (
             SELECT scope, subject FROM sign_in_throttle WHERE expires_at <= now() LIMIT $1)",
    )
    .bind(at_most.max(0))
    .execute(db)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_keyed_as_looked_up_and_addresses_by_subscriber() {
        assert_eq!(login_subject("  Gerant1 "), "gerant1");
        assert_eq!(login_subject("a\u{1b}[31m\nb"), "a[31mb");
        assert_eq!(login_subject(&"x".repeat(500)).len(), 64);
        assert_eq!(
            address_subject("203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
        assert_eq!(
            address_subject("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
        assert_eq!(
            address_subject("2001:db8:1:2:aaaa::1".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        assert_eq!(retry_after(Some(29.2)), 30);
        assert_eq!(retry_after(Some(0.0)), 1);
        assert_eq!(retry_after(None), 1);
        assert_eq!(retry_after(Some(f64::NAN)), 1);
    }
}
