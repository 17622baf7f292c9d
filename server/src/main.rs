//! `server`: serves the employees' web UI; `server migrate` and `server seed` prepare the database.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use common::shutdown::CancellationToken;
use common::tasks::Tasks;
use leptos::config::get_configuration;
use server::AppState;

#[derive(Parser)]
#[command(version, about = "Multi-Magasin web UI for employees")]
struct Cli {
    #[command(flatten)]
    database: common::config::DatabaseArgs,
    /// Address to listen on (else LEPTOS_SITE_ADDR, else 127.0.0.1:8080).
    #[arg(long, env = "WEB_ADDR")]
    addr: Option<SocketAddr>,
    #[command(flatten)]
    instance: common::config::InstanceArgs,
    #[command(flatten)]
    tasks: common::config::TaskArgs,
    /// Password of the `admin` account created on first start when no admin exists
    /// (production installs; the demo data brings its own accounts).
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    #[command(flatten)]
    security: server::security::SecurityArgs,
    #[command(flatten)]
    http: common::serve::ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI (the default).
    Serve,
    /// Create the database if it is missing and apply the migrations.
    Migrate,
    /// Migrate, then load the demo data set if the database is empty.
    Seed,
}

/// How long the background tasks get to stop once the server has.
const TASKS_GRACE: Duration = Duration::from_secs(5);

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Migrate) => {
            migrate(&cli.database.url).await?;
            Ok(())
        }
        Some(Command::Seed) => seed(&cli.database.url).await,
        Some(Command::Serve) | None => serve(cli).await,
    }
}

async fn migrate(url: &str) -> anyhow::Result<domain::db::PgPool> {
    if domain::db::create_if_missing(url)
        .await
        .context("cannot reach PostgreSQL")?
    {
        println!("database created");
    }
    let pool = domain::db::connect(url, 4)
        .await
        .context("cannot connect to PostgreSQL")?;
    domain::db::migrate(&pool).await?;
    println!("migrations applied");
    Ok(pool)
}

async fn seed(url: &str) -> anyhow::Result<()> {
    let pool = migrate(url).await?;
    if !demo::is_empty(&pool).await? {
        println!("database already holds data: demo data not loaded");
        return Ok(());
    }
    let started = Instant::now();
    let report = demo::seed_demo(&pool, &domain::Rules::default()).await?;
    // the year of demo sales left dead row versions behind every stock row, and no statistics:
    // clean up and analyse now rather than wait for autovacuum (stock pages were 10x slower)
    domain::db::vacuum_analyze(&pool).await?;
    println!(
        "demo data loaded in {:.1}s: {} stores, {} products, {} employees, {} sales, {} returns, {} requests",
        started.elapsed().as_secs_f64(),
        report.stores,
        report.products,
        report.employees,
        report.sales,
        report.returns,
        report.requests
    );
    Ok(())
}

/// Serves until Ctrl-C or SIGTERM, with the background tasks of the web UI beside the server:
/// the metrics upkeep and the purges of expired sessions and sign-in locks. They stop with the
/// server.
async fn serve(cli: Cli) -> anyhow::Result<()> {
    common::secrets::check_admin_password(cli.admin_password.as_deref())?;
    let instance_id = cli.instance.resolved_id();
    let _telemetry = cli
        .instance
        .init_telemetry(&instance_id)
        .map_err(anyhow::Error::msg)?;
    let conf = get_configuration(None).context("reading the Leptos configuration")?;
    let mut leptos_options = conf.leptos_options;
    if leptos_options.output_name.is_empty() {
        // built without cargo-leptos (plain `cargo build`): the site keeps its usual name
        leptos_options.output_name = "multimagasin".into();
    }
    match cli.addr {
        Some(addr) => leptos_options.site_addr = addr,
        None if std::env::var_os("LEPTOS_SITE_ADDR").is_none() => {
            leptos_options.site_addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        }
        None => {}
    }
    let addr = leptos_options.site_addr;
    let pool = domain::db::connect_lazy(
        &cli.database.url,
        cli.database.pool_size,
        cli.database.statement_timeout_ms,
    )?;
    if let Some(password) = cli.admin_password.as_deref().filter(|p| !p.is_empty()) {
        match domain::staff::ensure_admin(&pool, password).await {
            Ok(true) => tracing::info!("created the admin account"),
            Ok(false) => {}
            // a short ADMIN_PASSWORD is a configuration error: refuse to start
            Err(e @ domain::Error::Validation(_)) => {
                return Err(anyhow::anyhow!("refusing to start: {e}"));
            }
            Err(e) => tracing::warn!(error = %e, "could not ensure the admin account"),
        }
    }
    let state = AppState {
        leptos_options,
        pool,
        instance_id: Arc::from(instance_id.as_str()),
        started: Instant::now(),
        security: cli.security.security(),
        max_body_bytes: cli.http.max_body_bytes,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;

    let shutdown = CancellationToken::new();
    tokio::spawn(common::shutdown::cancel_on_signal(shutdown.clone()));
    let mut tasks = Tasks::new(shutdown.clone());
    tasks.metrics_upkeep(cli.tasks.metrics_upkeep_every());
    let pool = state.pool.clone();
    tasks.purge("web sessions", cli.tasks.purge_every(), move || {
        let pool = pool.clone();
        async move { domain::staff::purge_expired_web_sessions(&pool).await }
    });
    let pool = state.pool.clone();
    tasks.purge("sign-in throttle", cli.tasks.purge_every(), move || {
        let pool = pool.clone();
        async move { domain::staff::purge_sign_in_throttle(&pool, i64::MAX).await }
    });

    tracing::info!(%addr, instance = %instance_id, "web UI listening");
    // with the peer's address: the client of sign-in throttling (see `security`)
    let served = common::serve::serve(
        listener,
        server::router(state),
        (&cli.http).into(),
        shutdown,
    )
    .await;
    tasks.stopped(TASKS_GRACE).await;
    Ok(served?)
}
