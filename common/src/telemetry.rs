//! Tracing subscriber: human-readable lines on stdout, and daily-rotated files under `LOG_DIR`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// Files kept per log kind (daily rotation).
pub const KEPT_FILES: usize = 10;

/// Keeps the log writers alive; drop it last so buffered lines reach the files.
pub struct Telemetry {
    _guards: Vec<WorkerGuard>,
}

/// Installs the global subscriber. `level` is an `EnvFilter` directive (`info`, `debug`, ...);
/// `prefix` names the files (`api`, `web`), written as `<prefix>_YYYY-MM-DD.log`.
pub fn init(level: &str, log_dir: &Path, prefix: &str) -> Result<Telemetry, String> {
    std::fs::create_dir_all(log_dir)
        .map_err(|e| format!("cannot create {}: {e}", log_dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .max_log_files(KEPT_FILES)
        .build(log_dir)
        .map_err(|e| format!("cannot open log files in {}: {e}", log_dir.display()))?;
    let (file, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_new(level).map_err(|e| format!("LOG_LEVEL {level:?}: {e}"))?;
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer())
        .with(fmt::layer().with_ansi(false).with_writer(file))
        .try_init()
        .map_err(|e| format!("tracing already initialised: {e}"))?;
    Ok(Telemetry {
        _guards: vec![guard],
    })
}
