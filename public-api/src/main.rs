//! `public-api`: serves the REST API for external systems.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use public_api::ApiState;

#[derive(Parser)]
#[command(version, about = "Multi-Magasin public REST API")]
struct Cli {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", default_value = common::config::DEFAULT_DATABASE_URL)]
    database_url: String,
    /// Port to listen on.
    #[arg(long, env = "API_PORT", default_value_t = 8000)]
    port: u16,
    /// Address to bind.
    #[arg(long, env = "API_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let instance_id = common::config::instance_id(cli.instance_id.as_deref());
    let _telemetry =
        common::telemetry::init(&cli.log_level, &cli.log_dir, "api").map_err(anyhow::Error::msg)?;
    let pool = domain::db::connect_lazy(&cli.database_url, cli.pool_size)?;
    let state = ApiState {
        pool,
        instance_id: Arc::from(instance_id.as_str()),
        started: Instant::now(),
    };
    let addr = SocketAddr::new(cli.host, cli.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, instance = %instance_id, "API listening");
    axum::serve(listener, public_api::router(state))
        .with_graceful_shutdown(common::shutdown::signal())
        .await?;
    Ok(())
}
