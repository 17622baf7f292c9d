//! Code both binaries share, so each rule of running a process is written once: the settings
//! they read alike (`config`), logging (`telemetry`), HTTP stamping (`http`), `/health`
//! (`health`) and `/metrics` (`metrics`), the cause chain of a logged error (`error`), and the
//! background tasks and shutdown token of `serve()` (`tasks`, `shutdown`), the startup
//! checks of secrets (`secrets`), and the HTTP hardening both apply alike: the server loop
//! with its header timeout and connection cap (`serve`), the security headers (`headers`) and
//! the body limit (`body_limit`). Nothing here knows
//! the business: that is `domain`.

pub mod body_limit;
pub mod client_addr;
pub mod config;
pub mod error;
pub mod headers;
pub mod health;
pub mod http;
pub mod metrics;
pub mod secrets;
pub mod serve;
pub mod shutdown;
pub mod tasks;
pub mod telemetry;
