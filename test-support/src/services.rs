//! The services a test talks to: a free local port for a spawned binary, the URL of the
//! database `#[sqlx::test]` made for this test, the Redis of the test run, and the wait for a
//! started binary to answer.

use std::time::Duration;

use sqlx::PgPool;

/// A port nothing listens on right now, for a binary the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("no free local port: {e}"))
}

/// The URL of the database behind `pool` (the test's own), for a binary the test starts.
pub fn database_url(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or("postgres")
    )
}

/// The Redis of the test run: `REDIS_URL`, else the local default.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Waits up to ten seconds for `<base>/health` to answer 200 (a binary the test started);
/// whether it did.
pub async fn wait_until_healthy(http: &reqwest::Client, base: &str) -> bool {
    for _ in 0..100 {
        let health = http.get(format!("{base}/health")).send().await;
        if health.is_ok_and(|r| r.status() == 200) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
