//! Web sessions: shared by every instance (in PostgreSQL), sliding expiry, sign-out, deactivation.

use crate::world::*;
use domain::staff;
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_session_is_found_by_its_cookie_until_signed_out(db: PgPool) {
    let _w = world(&db).await;
    let employee = staff::authenticate(&db, "caissier", "secret")
        .await
        .unwrap()
        .unwrap();
    let (cookie, session) = staff::open_web_session(&db, &employee).await.unwrap();
    assert!(session.csrf_token.len() >= 32);
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM web_sessions")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_ne!(stored, cookie, "only the hash is stored");

    let found = staff::find_web_session(&db, &cookie)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.employee.login, "caissier");
    assert_eq!(found.csrf_token, session.csrf_token);
    assert!(
        staff::find_web_session(&db, "mm_forged")
            .await
            .unwrap()
            .is_none()
    );

    staff::close_web_session(&db, &cookie).await.unwrap();
    assert!(
        staff::find_web_session(&db, &cookie)
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn expired_sessions_and_deactivated_employees_are_refused(db: PgPool) {
    let _w = world(&db).await;
    let employee = staff::authenticate(&db, "gerant", "secret")
        .await
        .unwrap()
        .unwrap();
    let (cookie, _) = staff::open_web_session(&db, &employee).await.unwrap();
    sqlx::query("UPDATE web_sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    assert!(
        staff::find_web_session(&db, &cookie)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert_eq!(staff::purge_expired_web_sessions(&db).await.unwrap(), 1);

    let (cookie, _) = staff::open_web_session(&db, &employee).await.unwrap();
    sqlx::query("UPDATE employees SET active = FALSE WHERE login = 'gerant'")
        .execute(&db)
        .await
        .unwrap();
    assert!(
        staff::find_web_session(&db, &cookie)
            .await
            .unwrap()
            .is_none(),
        "deactivated"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_idle_expiry_slides_at_most_once_a_minute(db: PgPool) {
    let _w = world(&db).await;
    let employee = staff::authenticate(&db, "caissier", "secret")
        .await
        .unwrap()
        .unwrap();
    let (cookie, _) = staff::open_web_session(&db, &employee).await.unwrap();
    let expiry = || async {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            "SELECT expires_at FROM web_sessions",
        )
        .fetch_one(&db)
        .await
        .unwrap()
    };
    // used again within the minute: read, not written
    sqlx::query("UPDATE web_sessions SET expires_at = now() + interval '1 hour'")
        .execute(&db)
        .await
        .unwrap();
    let before = expiry().await;
    assert!(
        staff::find_web_session(&db, &cookie)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(expiry().await, before, "no write within the minute");
    // used after more than a minute: the expiry moves to the full idle time again
    sqlx::query("UPDATE web_sessions SET last_seen_at = now() - interval '2 minutes'")
        .execute(&db)
        .await
        .unwrap();
    assert!(
        staff::find_web_session(&db, &cookie)
            .await
            .unwrap()
            .is_some()
    );
    let slid = expiry().await;
    assert!(
        slid > before + chrono::Duration::hours(staff::IDLE_HOURS - 2),
        "{before} -> {slid}"
    );
}
