//! The settings both binaries read alike, as clap groups each binary flattens into its own
//! command line (`#[command(flatten)]`): the database, this instance's name and logs, and the
//! pace of the background tasks. One definition keeps the flags, the environment variables and
//! their defaults identical in the two binaries. Fields are named for their group (`database.url`),
//! while `long` and `value_name` keep the flags and help text as they always were.

use std::path::PathBuf;
use std::time::Duration;

use crate::telemetry::{self, Telemetry};

/// The local development database `make run` creates when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/multimagasin";

/// Default of `DB_STATEMENT_TIMEOUT_MS`: far above any request of the applications, far below
/// a client's patience.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 10_000;

/// Where PostgreSQL is and how much of it one instance may use.
#[derive(clap::Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL.
    #[arg(
        long = "database-url",
        value_name = "DATABASE_URL",
        env = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL
    )]
    pub url: String,
    /// Maximum database connections of this instance.
    #[arg(long = "pool-size", env = "DATABASE_POOL_SIZE", default_value_t = 16)]
    pub pool_size: u32,
    /// PostgreSQL cancels a statement running longer than this (milliseconds; 0 = never); the
    /// request then answers 503 with `Retry-After`.
    #[arg(
        long = "db-statement-timeout-ms",
        value_name = "DB_STATEMENT_TIMEOUT_MS",
        env = "DB_STATEMENT_TIMEOUT_MS",
        default_value_t = DEFAULT_STATEMENT_TIMEOUT_MS
    )]
    pub statement_timeout_ms: u64,
}

/// This instance's name and where and how much it logs.
#[derive(clap::Args, Debug, Clone)]
pub struct InstanceArgs {
    /// Name of this instance in logs and X-Instance-Id (default: the host name).
    #[arg(long = "instance-id", value_name = "INSTANCE_ID", env = "INSTANCE_ID")]
    pub id: Option<String>,
    /// Directory of the log files.
    #[arg(long = "log-dir", env = "LOG_DIR", default_value = "logs")]
    pub log_dir: PathBuf,
    /// Log level or tracing filter (error, warn, info, debug, trace).
    #[arg(long = "log-level", env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,
}

impl InstanceArgs {
    /// The name this instance goes by: `INSTANCE_ID`, else the host name.
    pub fn resolved_id(&self) -> String {
        instance_id(self.id.as_deref())
    }

    /// Installs logging to stdout and the daily files (see [`telemetry`]) under this name.
    pub fn init_telemetry(&self, instance: &str) -> Result<Telemetry, String> {
        telemetry::init(&self.log_level, &self.log_dir, instance)
    }
}

/// How often the background tasks each `serve()` spawns run (`crate::tasks`).
#[derive(clap::Args, Debug, Clone)]
pub struct TaskArgs {
    /// Seconds between two purges of expired rows (the API's idempotency keys, the web UI's
    /// sessions); every instance purges, each purge is one indexed DELETE.
    #[arg(
        long = "purge-every-secs",
        env = "PURGE_EVERY_SECS",
        default_value_t = 600,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub purge_every_secs: u64,
    /// Seconds between two foldings of the metrics' histogram samples into their buckets, so an
    /// instance nobody scrapes does not grow by every request it serves.
    #[arg(
        long = "metrics-upkeep-secs",
        env = "METRICS_UPKEEP_SECS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub metrics_upkeep_secs: u64,
}

impl TaskArgs {
    pub fn purge_every(&self) -> Duration {
        Duration::from_secs(self.purge_every_secs)
    }

    pub fn metrics_upkeep_every(&self) -> Duration {
        Duration::from_secs(self.metrics_upkeep_secs)
    }
}

/// This instance's name in logs and `X-Instance-Id`: `INSTANCE_ID`, else the host name.
pub fn instance_id(configured: Option<&str>) -> String {
    if let Some(id) = configured.map(str::trim).filter(|s| !s.is_empty()) {
        return id.to_owned();
    }
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "local".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        instance: InstanceArgs,
        #[command(flatten)]
        tasks: TaskArgs,
    }

    /// The flags, environment variables and defaults as both binaries have always spelled them
    /// (read from clap's own description: the test process has DATABASE_URL set).
    #[test]
    fn flags_variables_and_defaults_keep_their_names() {
        use clap::CommandFactory;
        let command = Cli::command();
        let expected = [
            ("database-url", "DATABASE_URL", Some(DEFAULT_DATABASE_URL)),
            ("pool-size", "DATABASE_POOL_SIZE", Some("16")),
            (
                "db-statement-timeout-ms",
                "DB_STATEMENT_TIMEOUT_MS",
                Some("10000"),
            ),
            ("instance-id", "INSTANCE_ID", None),
            ("log-dir", "LOG_DIR", Some("logs")),
            ("log-level", "LOG_LEVEL", Some("info")),
            ("purge-every-secs", "PURGE_EVERY_SECS", Some("600")),
            ("metrics-upkeep-secs", "METRICS_UPKEEP_SECS", Some("5")),
        ];
        for (long, env, default) in expected {
            let arg = command
                .get_arguments()
                .find(|a| a.get_long() == Some(long))
                .unwrap_or_else(|| panic!("--{long} missing"));
            assert_eq!(
                arg.get_env().and_then(|e| e.to_str()),
                Some(env),
                "--{long}"
            );
            let defaults: Vec<_> = arg
                .get_default_values()
                .iter()
                .filter_map(|v| v.to_str())
                .collect();
            assert_eq!(defaults.first().copied(), default, "--{long}");
        }
    }

    #[test]
    fn flags_fill_the_groups() {
        let cli = Cli::parse_from([
            "x",
            "--database-url",
            "postgres://db/x",
            "--pool-size",
            "3",
            "--db-statement-timeout-ms",
            "0",
            "--instance-id",
            "api-7",
            "--log-dir",
            "/tmp/l",
            "--log-level",
            "debug",
            "--purge-every-secs",
            "2",
            "--metrics-upkeep-secs",
            "1",
        ]);
        assert_eq!(cli.database.url, "postgres://db/x");
        assert_eq!(cli.database.pool_size, 3);
        assert_eq!(cli.database.statement_timeout_ms, 0);
        assert_eq!(cli.instance.resolved_id(), "api-7");
        assert_eq!(cli.instance.log_dir, PathBuf::from("/tmp/l"));
        assert_eq!(cli.instance.log_level, "debug");
        assert_eq!(cli.tasks.purge_every(), Duration::from_secs(2));
        assert_eq!(cli.tasks.metrics_upkeep_every(), Duration::from_secs(1));
        assert!(
            Cli::try_parse_from(["x", "--purge-every-secs", "0"]).is_err(),
            "a task never runs in a busy loop"
        );
    }

    #[test]
    fn a_blank_instance_id_falls_back_to_the_host_name() {
        assert_eq!(instance_id(Some(" web-2 ")), "web-2");
        assert!(!instance_id(Some("  ")).is_empty());
    }
}
