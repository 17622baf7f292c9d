//! The real `server` binary as production starts it: on an empty database it creates only the
//! `admin` account, with the password from `ADMIN_PASSWORD`, and that account signs in; it purges
//! expired sessions by itself and stops with its background tasks on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use sqlx::PgPool;
use test_support::{database_url, free_port, wait_until_healthy};

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn production_start_creates_only_the_admin_from_the_environment(pool: PgPool) {
    let logs = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(&pool))
        .env("ADMIN_PASSWORD", "Chaîne-2026!")
        .env("LOG_DIR", logs.path())
        .env("LEPTOS_SITE_ROOT", site.path())
        .env("INSTANCE_ID", "web-bin")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let up = wait_until_healthy(&http, &base).await;

    let login = |password: &'static str| {
        http.post(format!("{base}/api/login"))
            .header("accept", "text/html")
            .form(&[("login", "admin"), ("password", password)])
            .send()
    };
    let wrong = login("demo").await.unwrap();
    let right = login("Chaîne-2026!").await.unwrap();
    let employees: Vec<(String, String)> =
        sqlx::query_as("SELECT login, role FROM employees ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let _ = child.kill();
    let _ = child.wait();

    assert!(up, "the server starts");
    assert_eq!(
        employees,
        vec![("admin".to_owned(), "admin".to_owned())],
        "only the admin, no demo accounts"
    );
    assert_eq!(
        wrong.headers().get("location").unwrap(),
        "/connexion?erreur=identifiants"
    );
    assert_eq!(right.headers().get("location").unwrap(), "/");
    assert!(
        right
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );
}

/// The running binary purges expired web sessions by itself (here every second), keeps the
/// live ones, and its background tasks stop with it on SIGTERM.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_binary_purges_expired_sessions_and_stops_its_tasks(pool: PgPool) {
    let logs = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(&pool))
        .env("ADMIN_PASSWORD", "Chaîne-2026!")
        .env("LOG_DIR", logs.path())
        .env("LEPTOS_SITE_ROOT", site.path())
        .env("PURGE_EVERY_SECS", "1")
        .env("METRICS_UPKEEP_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let up = wait_until_healthy(&http, &base).await;
    // a live session through the sign-in, an expired one written beside it
    let signed_in = http
        .post(format!("{base}/api/login"))
        .header("accept", "text/html")
        .form(&[("login", "admin"), ("password", "Chaîne-2026!")])
        .send()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO web_sessions (token_hash, employee_id, csrf_token, created_at, expires_at)
         SELECT repeat('b', 64), id, repeat('c', 32), now() - interval '2 days',
                now() - interval '1 minute'
         FROM employees WHERE login = 'admin'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut sessions: Vec<bool> = Vec::new();
    for _ in 0..100 {
        sessions = sqlx::query_scalar("SELECT expires_at > now() FROM web_sessions")
            .fetch_all(&pool)
            .await
            .unwrap();
        if sessions.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = std::time::Instant::now();
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(code) = child.try_wait().unwrap() {
            exited = Some(code);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = sent.elapsed();
    if exited.is_none() {
        let _ = child.kill();
    }

    assert!(up, "the server starts");
    assert_eq!(signed_in.headers().get("location").unwrap(), "/");
    assert_eq!(
        sessions,
        [true],
        "the expired session purged, the live one kept"
    );
    let exit = exited.expect("the server stops on SIGTERM");
    assert!(exit.success(), "clean exit: {exit:?}");
    assert!(
        took < Duration::from_secs(5),
        "background tasks stop at once: {took:?}"
    );
}
