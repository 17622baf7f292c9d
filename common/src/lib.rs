//! Code both binaries share, so each rule of running a process is written once: the settings
//! they read alike (`config`), logging (`telemetry`), HTTP stamping (`http`), `/health`
//! (`health`) and `/metrics` (`metrics`), the cause chain of a logged error (`error`), and the
//! background tasks and shutdown token of `serve()` (`tasks`, `shutdown`), the startup
//! checks of secrets (`secrets`). Nothing here knows
//! the business: that is `domain`.

pub mod client_addr;
pub mod config;
pub mod error;
pub mod health;
pub mod http;
pub mod metrics;
pub mod secrets;
pub mod shutdown;
pub mod tasks;
pub mod telemetry;
