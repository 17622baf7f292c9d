//! `server`: serves the employees' web UI; `server migrate` and `server seed` prepare the database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use leptos::config::get_configuration;
use server::AppState;

#[derive(Parser)]
#[command(version, about = "Multi-Magasin web UI for employees")]
struct Cli {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", default_value = common::config::DEFAULT_DATABASE_URL)]
    database_url: String,
    /// Address to listen on (else LEPTOS_SITE_ADDR, else 127.0.0.1:8080).
    #[arg(long, env = "WEB_ADDR")]
    addr: Option<SocketAddr>,
    /// Name of this instance in logs and X-Instance-Id (default: the host name).
    #[arg(long, env = "INSTANCE_ID")]
    instance_id: Option<String>,
    /// Directory of the log files.
    #[arg(long, env = "LOG_DIR", default_value = "logs")]
    log_dir: PathBuf,
    /// Log level or tracing filter (error, warn, info, debug, trace).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    log_level: String,
    /// Maximum database connections of this instance.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 16)]
    pool_size: u32,
    /// PostgreSQL cancels a statement running longer than this (milliseconds; 0 = never).
    #[arg(long, env = "DB_STATEMENT_TIMEOUT_MS", default_value_t = domain::db::DEFAULT_STATEMENT_TIMEOUT_MS)]
    db_statement_timeout_ms: u64,
    /// Password of the `admin` account created on first start when no admin exists
    /// (production installs; the demo data brings its own accounts).
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    #[command(flatten)]
    security: server::security::SecurityArgs,
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

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Migrate) => {
            migrate(&cli.database_url).await?;
            Ok(())
        }
        Some(Command::Seed) => seed(&cli.database_url).await,
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
    if !domain::demo::is_empty(&pool).await? {
        println!("database already holds data: demo data not loaded");
        return Ok(());
    }
    let started = Instant::now();
    let report = domain::demo::seed_demo(&pool, &domain::TaxRates::default()).await?;
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

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let instance_id = common::config::instance_id(cli.instance_id.as_deref());
    let _telemetry = common::telemetry::init(&cli.log_level, &cli.log_dir, &instance_id)
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
        &cli.database_url,
        cli.pool_size,
        cli.db_statement_timeout_ms,
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
    };
    let app = server::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, instance = %instance_id, "web UI listening");
    // with the peer's address: the client of sign-in throttling (see `security`)
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(common::shutdown::signal())
    .await?;
    Ok(())
}
