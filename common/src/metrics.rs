//! The process-wide Prometheus recorder both binaries expose on `/metrics`: request metrics by
//! route template come from axum-prometheus' layer, business metrics from `metrics` macros.
//! Installing the recorder starts nothing: histogram samples are folded into their buckets by a
//! scrape, and by the upkeep task each binary's `serve()` spawns ([`upkeep`], `crate::tasks`).

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum_prometheus::metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

/// Latency buckets (seconds) for request and database histograms.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Buckets of `sales_batch_size`: how many API sales one transaction recorded.
const BATCHES: [f64; 6] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once per process and returns its handle (the same one on every call,
/// so routers built by tests share it). If another recorder is already installed (a test
/// harness), a detached handle keeps `/metrics` working.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), &BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full("sales_batch_size".into()), &BATCHES)
                })
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(handle) => handle,
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// One upkeep pass: folds the histogram samples piled up since the last pass (or scrape) into
/// their buckets. Without it an instance nobody scrapes (or whose Prometheus is down) grows by
/// every request it serves.
pub fn upkeep(handle: &PrometheusHandle) {
    handle.run_upkeep();
}

/// The request-metrics layer to put on a router (labels: method, route template, status).
/// Requests that match no route are labelled `unmatched`, never with their raw path, so a
/// scanner cannot blow up the number of series.
pub fn layer() -> axum_prometheus::PrometheusMetricLayer<'static> {
    let _ = install();
    axum_prometheus::PrometheusMetricLayerBuilder::new()
        .with_endpoint_label_type(axum_prometheus::EndpointLabel::MatchedPathWithFallbackFn(
            |_| "unmatched".into(),
        ))
        .build()
}

/// `GET /metrics` of both binaries, in Prometheus' text format: the database pool's use, then
/// everything recorded (requests by route template, business metrics of the binary).
pub async fn endpoint(State(pool): State<PgPool>) -> Response {
    let (size, idle) = (pool.size(), pool.num_idle() as u32);
    axum_prometheus::metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    axum_prometheus::metrics::gauge!("db_pool_connections", "state" => "active")
        .set(f64::from(size.saturating_sub(idle)));
    axum_prometheus::metrics::gauge!("db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        install().render(),
    )
        .into_response()
}
