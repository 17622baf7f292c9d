//! The API's configuration: from the environment or flags (`public-api --help` lists them).
//! The settings the web server reads alike (database, instance and logs, background tasks) are
//! `common::config`'s groups; the API's own (Redis, cache, token, address, rate limit) are here.

use std::net::IpAddr;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug, Clone)]
#[command(version, about = "Multi-Magasin public REST API")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Config {
    #[command(flatten)]
    pub database: common::config::DatabaseArgs,
    /// Redis URL of the shared cache; empty disables the cache.
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    pub redis_url: String,
    /// Prefix of every cache key of this API (shared by all its instances); not empty.
    #[arg(long, env = "CACHE_NAMESPACE", default_value = crate::cache::DEFAULT_NAMESPACE, value_parser = crate::cache::namespace)]
    pub cache_namespace: String,
    /// Maximum Redis connections of this instance.
    #[arg(long, env = "REDIS_POOL_SIZE", default_value_t = 16)]
    pub redis_pool_size: u32,
    /// A Redis answer slower than this (milliseconds) is abandoned and PostgreSQL answers.
    #[arg(long, env = "REDIS_TIMEOUT_MS", default_value_t = 50)]
    pub redis_timeout_ms: u64,
    /// Megabytes of answers each instance keeps in memory in front of Redis (0: none).
    #[arg(long, env = "LOCAL_CACHE_MB", default_value_t = 16)]
    pub local_cache_mb: u64,
    /// Admin token (all scopes); API clients created with `tokens create` have their own.
    #[arg(long, env = "API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// Port to listen on.
    #[arg(long = "port", env = "API_PORT", default_value_t = 8000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long = "host", env = "API_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Requests per minute allowed to each client (token) on this instance; 0 disables the limit.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 6000)]
    pub rate_limit_per_minute: u32,
    #[command(flatten)]
    pub instance: common::config::InstanceArgs,
    #[command(flatten)]
    pub tasks: common::config::TaskArgs,
    #[command(flatten)]
    pub proxies: common::client_addr::ProxyArgs,
    // body limit, connection cap and header timeout (`common::serve`)
    #[command(flatten)]
    pub http: common::serve::ServeArgs,
    /// Wrong tokens allowed per client address and minute, across instances (through Redis);
    /// beyond, 429 until the minute ends, before any lookup. 0 disables the limit.
    #[arg(long, env = "AUTH_FAILURES_PER_MINUTE", default_value_t = 30)]
    pub auth_failures_per_minute: u32,
    /// Reports each caller may have computed at once on this instance (0: no bound); beyond, 429.
    #[arg(long, env = "REPORT_CONCURRENCY", default_value_t = 2)]
    pub report_concurrency: u32,
    /// PostgreSQL cancels a report statement running longer than this (milliseconds; 0: the
    /// general `DB_STATEMENT_TIMEOUT_MS`); the request then answers 503 with `Retry-After`.
    #[arg(long, env = "REPORT_STATEMENT_TIMEOUT_MS", default_value_t = domain::reporting::DEFAULT_STATEMENT_TIMEOUT_MS)]
    pub report_statement_timeout_ms: u64,
    /// Webhook deliveries: timeout, retry window, back-off, lease, poll (`WEBHOOK_*`).
    #[command(flatten)]
    pub webhooks: crate::webhooks::WebhookArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Create the database if it is missing and apply the migrations.
    Migrate,
    /// Manage API clients and their tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
}

#[derive(Subcommand, Debug, Clone)]
pub enum TokensCommand {
    /// Create a client and print its token (shown once, never stored).
    Create {
        /// Name of the client (unique), e.g. "boutique-en-ligne".
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: read, write, admin.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// Comma-separated store ids the client is limited to, e.g. "1,3" (default: the whole
        /// chain). Anything of another store answers 404; not with the admin scope.
        #[arg(long)]
        stores: Option<String>,
    },
    /// List the clients (never their tokens).
    List,
    /// Revoke a client by id or name.
    Revoke {
        /// Id or name of the client.
        client: String,
    },
}

impl Config {
    /// A configuration for tests and tools: defaults plus the given database.
    pub fn for_database(database_url: &str) -> Self {
        let cli = Cli::parse_from(["public-api", "--database-url", database_url]);
        cli.config
    }
}
