//! `public-api`: serves the REST API; `public-api tokens ...` manages API clients.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use common::shutdown::CancellationToken;
use common::tasks::Tasks;
use public_api::config::{Cli, Command, TokensCommand};
use public_api::{ApiState, Config};

/// How long the background tasks get to stop once the server has.
const TASKS_GRACE: Duration = Duration::from_secs(5);
/// How often an instance numbers the integration events committed since (`domain::outbox`).
const EVENT_SEQUENCER_EVERY: Duration = Duration::from_millis(500);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Tokens(command)) => tokens(&cli.config, command).await,
        Some(Command::Migrate) => {
            domain::db::create_if_missing(&cli.config.database.url)
                .await
                .context("cannot reach PostgreSQL")?;
            let pool = domain::db::connect(&cli.config.database.url, 2).await?;
            domain::db::migrate(&pool).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::Serve) | None => serve(cli.config).await,
    }
}

async fn tokens(config: &Config, command: TokensCommand) -> anyhow::Result<()> {
    let pool = domain::db::connect(&config.database.url, 2)
        .await
        .context("cannot connect to PostgreSQL")?;
    match command {
        TokensCommand::Create {
            name,
            scopes,
            stores,
        } => {
            let scopes = domain::access::Scope::parse_list(&scopes)?;
            let stores = stores
                .as_deref()
                .map(domain::access::parse_store_list)
                .transpose()?;
            let (client, token) =
                domain::access::create_client_for(&pool, &name, &scopes, stores.as_deref()).await?;
            println!(
                "client {} ({}) created with scopes {}, {}",
                client.id,
                client.name,
                client.scopes.join(","),
                stores_label(client.store_ids.as_deref())
            );
            println!("token (shown once, store it now): {token}");
        }
        TokensCommand::List => {
            println!(
                "{:>4}  {:<30} {:<18} {:<16} {:<20} {:<20} revoked",
                "id", "name", "scopes", "stores", "created", "last used"
            );
            for c in domain::access::list_clients(&pool).await? {
                let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "-".into())
                };
                println!(
                    "{:>4}  {:<30} {:<18} {:<16} {:<20} {:<20} {}",
                    c.id,
                    c.name,
                    c.scopes.join(","),
                    stores_label(c.store_ids.as_deref()),
                    c.created_at.format("%Y-%m-%d %H:%M"),
                    fmt(c.last_used_at),
                    fmt(c.revoked_at)
                );
            }
        }
        TokensCommand::Revoke { client } => {
            let c = domain::access::revoke_client(&pool, &client).await?;
            // the instances that remember the client forget it now, not in a minute
            let cache = public_api::cache::Cache::new(
                &config.redis_url,
                &config.cache_namespace,
                1,
                std::time::Duration::from_millis(config.redis_timeout_ms),
                0,
            );
            cache.forget_clients().await;
            println!("client {} ({}) revoked", c.id, c.name);
        }
    }
    Ok(())
}

/// A client's stores as `tokens` prints them.
fn stores_label(stores: Option<&[i64]>) -> String {
    match stores {
        None => "all stores".into(),
        Some(ids) => format!(
            "stores {}",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    }
}

/// Serves until Ctrl-C or SIGTERM, with the background tasks of the API beside the server:
/// the metrics upkeep, the purges of expired idempotency keys and integration events, and the
/// events' sequencer and the webhook deliveries. All stop with the server.
async fn serve(config: Config) -> anyhow::Result<()> {
    common::secrets::check_api_token(config.api_token.as_deref())?;
    let instance = config.instance.resolved_id();
    let _telemetry = config
        .instance
        .init_telemetry(&instance)
        .map_err(anyhow::Error::msg)?;
    let pool = domain::db::connect_lazy(
        &config.database.url,
        config.database.pool_size,
        config.database.statement_timeout_ms,
    )?;
    let addr = SocketAddr::new(config.host, config.port);
    let state = ApiState::new(config, pool);
    if state.config.api_token.as_deref().is_none_or(str::is_empty) {
        tracing::warn!(
            "API_TOKEN is not set: only API clients created with `tokens create` can call the API"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;

    let shutdown = CancellationToken::new();
    tokio::spawn(common::shutdown::cancel_on_signal(shutdown.clone()));
    let mut tasks = Tasks::new(shutdown.clone());
    tasks.metrics_upkeep(state.config.tasks.metrics_upkeep_every());
    let pool = state.pool.clone();
    tasks.purge(
        "idempotency keys",
        state.config.tasks.purge_every(),
        move || {
            let pool = pool.clone();
            async move { domain::idempotency::purge_expired(&pool).await }
        },
    );
    let pool = state.pool.clone();
    tasks.purge(
        "integration events",
        state.config.tasks.purge_every(),
        move || {
            let pool = pool.clone();
            async move { domain::outbox::purge_expired(&pool).await }
        },
    );
    // the feed numbers what committed before each read; this keeps the backlog short between
    // reads (one instance at a time numbers, the others skip)
    let pool = state.pool.clone();
    tasks.every("event sequencer", EVENT_SEQUENCER_EVERY, move || {
        let pool = pool.clone();
        async move {
            if let Err(e) = domain::outbox::try_sequence(&pool).await {
                tracing::warn!(error = %common::error::cause_chain(&e), "could not number the new events");
            }
        }
    });

    // webhook deliveries: each instance claims due ones under a lease in PostgreSQL
    let webhooks = state
        .config
        .webhooks
        .settings()
        .map_err(anyhow::Error::msg)?;
    public_api::webhooks::spawn(&mut tasks, state.pool.clone(), webhooks, &state.instance_id)
        .context("cannot start the webhook worker")?;

    tracing::info!(%addr, instance = %state.instance_id, "API listening");
    // the peer's address is the client's (or its proxy's, see TRUSTED_PROXIES)
    let limits = (&state.config.http).into();
    let served = common::serve::serve(listener, public_api::router(state), limits, shutdown).await;
    tasks.stopped(TASKS_GRACE).await;
    Ok(served?)
}
