//! Code both binaries share: tracing setup (stdout plus daily-rotated log files) and small
//! configuration helpers. Kept tiny on purpose; each binary owns its own settings.

pub mod client_ip;
pub mod config;
pub mod http;
pub mod metrics;
pub mod shutdown;
pub mod telemetry;
