//! Code both binaries share: tracing setup (stdout plus daily-rotated log files) and small
//! configuration helpers, the startup checks of secrets. Kept tiny on purpose; each binary owns
//! its own settings.

pub mod client_addr;
pub mod config;
pub mod http;
pub mod metrics;
pub mod secrets;
pub mod shutdown;
pub mod telemetry;
