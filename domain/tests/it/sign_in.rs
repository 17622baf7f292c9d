//! Sign-in hardening: password length, throttling per login and per address (shared in
//! PostgreSQL, atomic under concurrency), bounded argon2 verifications, session lifetime and
//! rotation.

use std::net::IpAddr;
use std::time::Duration;

use crate::world::*;
use domain::staff::{self, SessionPolicy, SignInGate, SignInOutcome, ThrottlePolicy};
use domain::{Actor, Error, Role};
use sqlx::PgPool;

fn gate(policy: ThrottlePolicy) -> SignInGate {
    SignInGate::new(policy, 8, Duration::from_secs(30))
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

async fn attempt(db: &PgPool, gate: &SignInGate, login: &str, password: &str) -> SignInOutcome {
    staff::sign_in(db, gate, login, password, None)
        .await
        .unwrap()
}

/// Lets every lock of the table run out (as if its time had passed).
async fn locks_run_out(db: &PgPool) {
    sqlx::query("UPDATE sign_in_throttle SET locked_until = now() - interval '1 second' WHERE locked_until IS NOT NULL")
        .execute(db)
        .await
        .unwrap();
}

fn throttled_for(outcome: &SignInOutcome) -> u64 {
    match outcome {
        SignInOutcome::Throttled { retry_after_secs } => *retry_after_secs,
        other => panic!("expected a lock, got {other:?}"),
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn new_and_bootstrap_passwords_need_twelve_characters(db: PgPool) {
    let new = |password: &str| staff::NewEmployee {
        login: "nouveau".into(),
        full_name: "Nouveau".into(),
        password: password.into(),
        role: Role::Admin,
        store_id: None,
    };
    let Err(Error::Validation(errors)) =
        staff::create_employee(&db, &Actor::System, &new("onze-chars!")).await
    else {
        panic!("11 characters are refused");
    };
    assert_eq!(errors[0].field, "password");
    assert_eq!(
        errors[0].message,
        "Le mot de passe doit compter au moins 12 caractères."
    );
    let Err(Error::Validation(errors)) = staff::ensure_admin(&db, "demo").await else {
        panic!("a short ADMIN_PASSWORD is refused");
    };
    assert!(
        errors[0].message.contains("au moins 12 caractères"),
        "{errors:?}"
    );
    assert!(staff::ensure_admin(&db, "Chaîne-2026!").await.unwrap());
    assert!(
        staff::ensure_admin(&db, "court").await.is_err(),
        "refused even once the admin exists"
    );
    staff::create_employee(&db, &Actor::System, &new("douze-chars!"))
        .await
        .unwrap();
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_login_is_locked_after_five_failures_whether_it_exists_or_not(db: PgPool) {
    let _w = world(&db).await;
    let gate = gate(ThrottlePolicy::default());
    for login in ["gerant", "personne"] {
        for _ in 0..5 {
            assert_eq!(
                attempt(&db, &gate, login, "mauvais").await,
                SignInOutcome::Refused
            );
        }
        let locked = attempt(&db, &gate, &login.to_uppercase(), "secret").await;
        assert!(
            (29..=30).contains(&throttled_for(&locked)),
            "30 s, for the right password too and whatever the case: {locked:?}"
        );
    }
    // the lock ran out: one more failure locks again, for twice as long
    locks_run_out(&db).await;
    assert_eq!(
        attempt(&db, &gate, "gerant", "mauvais").await,
        SignInOutcome::Refused
    );
    let again = throttled_for(&attempt(&db, &gate, "gerant", "secret").await);
    assert!((59..=60).contains(&again), "{again}");
    // up to the maximum
    for _ in 0..8 {
        locks_run_out(&db).await;
        attempt(&db, &gate, "gerant", "mauvais").await;
    }
    let longest = throttled_for(&attempt(&db, &gate, "gerant", "secret").await);
    assert!((899..=900).contains(&longest), "{longest}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_success_clears_the_login_count(db: PgPool) {
    let _w = world(&db).await;
    let gate = gate(ThrottlePolicy::default());
    for _ in 0..4 {
        attempt(&db, &gate, "caissier", "mauvais").await;
    }
    let SignInOutcome::SignedIn(employee) = attempt(&db, &gate, "caissier", "secret").await else {
        panic!("signs in");
    };
    assert_eq!(employee.login, "caissier");
    for _ in 0..5 {
        assert_eq!(
            attempt(&db, &gate, "caissier", "mauvais").await,
            SignInOutcome::Refused,
            "counted from zero again"
        );
    }
    throttled_for(&attempt(&db, &gate, "caissier", "mauvais").await);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_address_trying_many_logins_is_locked_but_not_its_neighbours(db: PgPool) {
    let _w = world(&db).await;
    let gate = gate(ThrottlePolicy {
        address_failures: 3,
        ..ThrottlePolicy::default()
    });
    let attacker = ip("203.0.113.9");
    for login in ["a1", "a2", "a3"] {
        let outcome = staff::sign_in(&db, &gate, login, "mauvais", attacker).await;
        assert_eq!(outcome.unwrap(), SignInOutcome::Refused);
    }
    let locked = staff::sign_in(&db, &gate, "gerant", "secret", attacker)
        .await
        .unwrap();
    assert!((29..=30).contains(&throttled_for(&locked)));
    let counted: Option<i32> = sqlx::query_scalar(
        "SELECT failures FROM sign_in_throttle WHERE scope = 'login' AND subject = 'gerant'",
    )
    .fetch_optional(&db)
    .await
    .unwrap();
    assert_eq!(
        counted, None,
        "a locked address does not count against the login"
    );
    // another subscriber signs in; successes do not count against an address
    let office = ip("2001:db8:0:1::10");
    for _ in 0..5 {
        let outcome = staff::sign_in(&db, &gate, "gerant", "secret", office).await;
        assert!(matches!(outcome.unwrap(), SignInOutcome::SignedIn(_)));
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_flood_passes_the_threshold_by_less_than_one_attempt_per_permit(db: PgPool) {
    let _w = world(&db).await;
    let permits = 2;
    let gate = SignInGate::new(ThrottlePolicy::default(), permits, Duration::from_secs(60));
    let outcomes = futures::future::join_all(
        (0..30).map(|_| staff::sign_in(&db, &gate, "gerant", "mauvais", ip("203.0.113.50"))),
    )
    .await;
    let verified = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(SignInOutcome::Refused)))
        .count();
    let throttled = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(SignInOutcome::Throttled { .. })))
        .count();
    assert!((5..5 + permits).contains(&verified), "{outcomes:?}");
    assert_eq!(verified + throttled, 30, "{outcomes:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn many_successes_at_once_from_one_address_lock_nothing(db: PgPool) {
    let _w = world(&db).await;
    // one shared account (a load test) or a whole shop behind one address
    let gate = gate(ThrottlePolicy::default());
    let outcomes = futures::future::join_all(
        (0..25).map(|_| staff::sign_in(&db, &gate, "gerant", "secret", ip("203.0.113.60"))),
    )
    .await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(SignInOutcome::SignedIn(_)))),
        "{outcomes:?}"
    );
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_in_throttle")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(counted, 0);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn verifications_beyond_the_permits_wait_then_are_answered_busy(db: PgPool) {
    let _w = world(&db).await;
    let gate = SignInGate::new(ThrottlePolicy::default(), 1, Duration::from_millis(1));
    let outcomes = futures::future::join_all((0..8).map(|i| {
        let login = format!("inconnu{i}");
        let gate = gate.clone();
        let db = db.clone();
        async move { staff::sign_in(&db, &gate, &login, "mauvais", None).await }
    }))
    .await;
    let busy = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Ok(SignInOutcome::Busy {
                    retry_after_secs: staff::BUSY_RETRY_AFTER_SECS
                })
            )
        })
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(SignInOutcome::Refused)))
        .count();
    assert!(busy >= 1, "{outcomes:?}");
    assert_eq!(busy + refused, 8, "{outcomes:?}");
    let counted: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(failures), 0) FROM sign_in_throttle")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(counted, refused as i64, "a busy answer counts no failure");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn expired_counts_are_purged(db: PgPool) {
    let gate = gate(ThrottlePolicy::default());
    for login in ["x1", "x2", "x3"] {
        staff::sign_in(&db, &gate, login, "mauvais", ip("198.51.100.1"))
            .await
            .unwrap();
    }
    assert_eq!(staff::purge_sign_in_throttle(&db, 100).await.unwrap(), 0);
    sqlx::query("UPDATE sign_in_throttle SET expires_at = now() - interval '1 second' WHERE subject <> 'x3'")
        .execute(&db)
        .await
        .unwrap();
    // x1, x2 and the address expired: one, then the other two
    assert_eq!(staff::purge_sign_in_throttle(&db, 1).await.unwrap(), 1);
    assert_eq!(staff::purge_sign_in_throttle(&db, 100).await.unwrap(), 2);
    let left: Vec<String> = sqlx::query_scalar("SELECT subject FROM sign_in_throttle ORDER BY 1")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(left, ["x3"]);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn sessions_end_at_their_absolute_lifetime_however_active(db: PgPool) {
    let _w = world(&db).await;
    let employee = staff::authenticate(&db, "caissier", "secret")
        .await
        .unwrap()
        .unwrap();
    let policy = SessionPolicy::default();
    let (cookie, opened) =
        staff::rotate_web_session(&db, &employee, None, &policy, ip("192.0.2.4"))
            .await
            .unwrap();
    assert!(opened.expires_at <= chrono::Utc::now() + chrono::Duration::hours(12));
    // used a minute ago, signed in 11 h 30 ago: the idle expiry slides no further than 12 h
    sqlx::query("UPDATE web_sessions SET created_at = now() - interval '11 hours 30 minutes', last_seen_at = now() - interval '2 minutes'")
        .execute(&db)
        .await
        .unwrap();
    let found = staff::find_web_session_with(&db, &cookie, &policy)
        .await
        .unwrap()
        .unwrap();
    let left = found.expires_at - chrono::Utc::now();
    assert!(left <= chrono::Duration::minutes(30), "{left}");
    let stored: bool = sqlx::query_scalar(
        "SELECT expires_at <= created_at + interval '12 hours' FROM web_sessions",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(stored, "the slid expiry is capped in the table too");
    // 13 h after sign-in, still within its idle expiry: over
    sqlx::query("UPDATE web_sessions SET created_at = now() - interval '13 hours', expires_at = now() + interval '1 hour'")
        .execute(&db)
        .await
        .unwrap();
    assert!(
        staff::find_web_session_with(&db, &cookie, &policy)
            .await
            .unwrap()
            .is_none()
    );
    let longer = SessionPolicy {
        max_age: Duration::from_secs(24 * 3600),
        ..policy
    };
    assert!(
        staff::find_web_session_with(&db, &cookie, &longer)
            .await
            .unwrap()
            .is_some(),
        "the lifetime is the policy's"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn signing_in_closes_the_session_the_browser_had(db: PgPool) {
    let _w = world(&db).await;
    let policy = SessionPolicy::default();
    let cashier = staff::authenticate(&db, "caissier", "secret")
        .await
        .unwrap()
        .unwrap();
    let manager = staff::authenticate(&db, "gerant", "secret")
        .await
        .unwrap()
        .unwrap();
    let (planted, _) = staff::open_web_session(&db, &cashier).await.unwrap();
    let (other_device, _) = staff::open_web_session(&db, &cashier).await.unwrap();
    let (fresh, session) = staff::rotate_web_session(&db, &manager, Some(&planted), &policy, None)
        .await
        .unwrap();
    assert_ne!(fresh, planted);
    assert_eq!(session.employee.login, "gerant");
    assert!(
        staff::find_web_session(&db, &planted)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        staff::find_web_session(&db, &fresh)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        staff::find_web_session(&db, &other_device)
            .await
            .unwrap()
            .is_some(),
        "the employee's other devices keep theirs"
    );
}
