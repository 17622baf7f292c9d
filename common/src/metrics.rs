//! The process-wide Prometheus recorder both binaries expose on `/metrics`: request metrics by
//! route template come from axum-prometheus' layer, business metrics from `metrics` macros.

use std::sync::OnceLock;

use axum_prometheus::metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets (seconds) for request and database histograms.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Buckets of `sales_batch_size`: how many API sales one transaction recorded.
const BATCHES: [f64; 6] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// How often histogram samples are folded into their buckets.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The recorder's handle, installing the recorder on first use. If another recorder is already
/// installed (a test harness), a detached handle keeps `/metrics` working.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), &BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full("sales_batch_size".into()), &BATCHES)
                })
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let handle = match builder.install_recorder() {
                Ok(handle) => handle,
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            };
            // Histogram samples pile up in the recorder until they are folded into buckets: a
            // scrape does it, and so does this thread, so that an instance nobody scrapes (or
            // whose Prometheus is down) does not grow by every request it serves.
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_EVERY);
                        upkeep.run_upkeep();
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "no metrics upkeep thread: histograms grow until scraped");
            }
            handle
        })
        .clone()
}

/// The request-metrics layer to put on a router (labels: method, route template, status).
/// Requests that match no route are labelled `unmatched`, never with their raw path, so a
/// scanner cannot blow up the number of series.
pub fn layer() -> axum_prometheus::PrometheusMetricLayer<'static> {
    let _ = handle();
    axum_prometheus::PrometheusMetricLayerBuilder::new()
        .with_endpoint_label_type(axum_prometheus::EndpointLabel::MatchedPathWithFallbackFn(
            |_| "unmatched".into(),
        ))
        .build()
}
