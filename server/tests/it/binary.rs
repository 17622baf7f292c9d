//! The real `server` binary as production starts it: on an empty database it creates only the
//! `admin` account, with the password from `ADMIN_PASSWORD`, and that account signs in.

use std::process::{Command, Stdio};

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
