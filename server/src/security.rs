//! Sign-in and session settings of the web server (`TRUSTED_PROXIES`, `SIGNIN_*`,
//! `SESSION_MAX_HOURS`, `SECURE_COOKIES`) and the middleware that applies them: the client's
//! address of every request, and HSTS when served over HTTPS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::server::{ClientIp, SignInSettings};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use common::client_addr::TrustedProxies;
use domain::staff::{SessionPolicy, SignInGate, ThrottlePolicy};

/// HSTS of a site served over HTTPS: one year, this host only.
const HSTS: &str = "max-age=31536000";

#[derive(clap::Args, Clone, Debug)]
pub struct SecurityArgs {
    #[command(flatten)]
    pub proxies: common::client_addr::ProxyArgs,
    /// Failed sign-ins in a row for one login before it is locked.
    #[arg(long, env = "SIGNIN_LOGIN_FAILURES", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub signin_login_failures: u32,
    /// Failed sign-ins from one client address before it is locked.
    #[arg(long, env = "SIGNIN_ADDRESS_FAILURES", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub signin_address_failures: u32,
    /// First lock (seconds), doubled by each further failure.
    #[arg(long, env = "SIGNIN_LOCK_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub signin_lock_seconds: u64,
    /// Longest lock (seconds); failures are also forgotten this long after the last one.
    #[arg(long, env = "SIGNIN_MAX_LOCK_SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub signin_max_lock_seconds: u64,
    /// Password verifications (argon2, 19 MiB each) run at once; 0: two per core.
    #[arg(long, env = "SIGNIN_VERIFICATIONS", default_value_t = 0)]
    pub signin_verifications: usize,
    /// How long a sign-in waits for a verification before it is answered 503 (milliseconds).
    #[arg(long, env = "SIGNIN_QUEUE_MS", default_value_t = 2000)]
    pub signin_queue_ms: u64,
    /// A session ends this many hours after sign-in, however active (besides 12 idle hours).
    #[arg(long, env = "SESSION_MAX_HOURS", default_value_t = domain::staff::MAX_HOURS as u64,
          value_parser = clap::value_parser!(u64).range(1..=24 * 365))]
    pub session_max_hours: u64,
    /// Served over HTTPS: the session cookie is `Secure` and named `__Host-mm_session`, and
    /// responses carry HSTS.
    #[arg(long, env = "SECURE_COOKIES")]
    pub secure_cookies: bool,
}

/// The settings once parsed, shared by the router's requests.
#[derive(Clone, Debug, Default)]
pub struct WebSecurity {
    pub sign_in: SignInSettings,
    pub trusted_proxies: Arc<TrustedProxies>,
}

impl SecurityArgs {
    pub fn security(&self) -> WebSecurity {
        let policy = ThrottlePolicy {
            login_failures: self.signin_login_failures,
            address_failures: self.signin_address_failures,
            first_lock: Duration::from_secs(self.signin_lock_seconds),
            max_lock: Duration::from_secs(
                self.signin_max_lock_seconds.max(self.signin_lock_seconds),
            ),
        };
        let verifications = match self.signin_verifications {
            0 => SignInGate::default_verifications(),
            n => n,
        };
        WebSecurity {
            sign_in: SignInSettings {
                gate: SignInGate::new(
                    policy,
                    verifications,
                    Duration::from_millis(self.signin_queue_ms),
                ),
                sessions: SessionPolicy {
                    max_age: Duration::from_secs(self.session_max_hours * 3600),
                    ..SessionPolicy::default()
                },
                secure_cookies: self.secure_cookies,
            },
            trusted_proxies: Arc::new(self.proxies.trusted_proxies.clone()),
        }
    }
}

/// Puts the client's address ([`ClientIp`]) in the request's extensions: the TCP peer, or the
/// `X-Real-IP` of a trusted proxy. Without the peer (a router called in-process) there is none.
pub async fn client_address(
    State(trusted): State<Arc<TrustedProxies>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(address) = trusted.client_address(peer, req.headers()) {
        req.extensions_mut().insert(ClientIp(address));
    }
    next.run(req).await
}

/// `Strict-Transport-Security` on every response (installed only with `SECURE_COOKIES`).
pub async fn strict_transport(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    response
}
