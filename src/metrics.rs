//! Prometheus metrics, served as text at `GET /metrics` by every role. One
//! registry per process; the names are the contract with docker/grafana.

use std::sync::LazyLock;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| panic!("metric {name}: {e}"));
    REGISTRY
        .register(Box::new(c.clone()))
        .unwrap_or_else(|e| panic!("metric {name}: {e}"));
    c
}

fn histogram(name: &str, help: &str, labels: &[&str], buckets: Vec<f64>) -> HistogramVec {
    let h = HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels)
        .unwrap_or_else(|e| panic!("metric {name}: {e}"));
    REGISTRY
        .register(Box::new(h.clone()))
        .unwrap_or_else(|e| panic!("metric {name}: {e}"));
    h
}

pub static RECORDS_IN: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "pitwall_records_in_total",
        "Records consumed",
        &["topic", "role"],
    )
});
pub static RECORDS_OUT: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "pitwall_records_out_total",
        "Records produced",
        &["topic", "role"],
    )
});
pub static DLQ: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "pitwall_dlq_total",
        "Records sent to the dead-letter queue",
        &["role"],
    )
});
pub static CONSUMER_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    let g = IntGaugeVec::new(
        Opts::new(
            "pitwall_consumer_lag",
            "High watermark minus this consumer's position",
        ),
        &["topic", "partition", "group"],
    )
    .unwrap_or_else(|e| panic!("metric pitwall_consumer_lag: {e}"));
    REGISTRY
        .register(Box::new(g.clone()))
        .unwrap_or_else(|e| panic!("metric pitwall_consumer_lag: {e}"));
    g
});
/// Sample `sent_at_us` to the event at each stage: processed (delivered to
/// telemetry_processed), stored (committed to PostgreSQL), websocket (handed
/// to the sessions).
pub static E2E_LATENCY: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "pitwall_e2e_latency_seconds",
        "From a sample's publish to each stage",
        &["stage"],
        prometheus::exponential_buckets(0.001, 2.0, 14).unwrap_or_default(),
    )
});
pub static BATCH_SIZE: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "pitwall_batch_size",
        "Rows per storage flush",
        &["sink"],
        prometheus::exponential_buckets(1.0, 4.0, 10).unwrap_or_default(),
    )
});
pub static FLUSH_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "pitwall_flush_seconds",
        "Time of one storage flush",
        &["sink"],
        prometheus::exponential_buckets(0.0005, 2.0, 14).unwrap_or_default(),
    )
});
pub static WS_CLIENTS: LazyLock<IntGauge> = LazyLock::new(|| {
    let g = IntGauge::new("pitwall_ws_clients", "Connected WebSocket sessions")
        .unwrap_or_else(|e| panic!("metric pitwall_ws_clients: {e}"));
    REGISTRY
        .register(Box::new(g.clone()))
        .unwrap_or_else(|e| panic!("metric pitwall_ws_clients: {e}"));
    g
});
pub static WS_DROPPED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "pitwall_ws_dropped_total",
        "Events not sent to a WebSocket client, and clients evicted",
        &["reason"],
    )
});
pub static GRAPHQL_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "pitwall_graphql_requests_total",
        "GraphQL operations",
        &["operation"],
    )
});
pub static GRAPHQL_ERRORS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "pitwall_graphql_errors_total",
        "GraphQL operations answered with errors",
        &["operation"],
    )
});

/// Seconds from `sent_at_us` (wall clock at publish) to now.
pub fn observe_since(stage: &str, sent_at_us: u64) {
    if sent_at_us == 0 {
        return;
    }
    let now = crate::kafka::now_us();
    E2E_LATENCY
        .with_label_values(&[stage])
        .observe(now.saturating_sub(sent_at_us) as f64 / 1e6);
}

/// The registry in Prometheus' text format.
pub fn render() -> String {
    let mut out = Vec::new();
    // Encoding plain counters into a Vec cannot fail.
    let _ = TextEncoder::new().encode(&REGISTRY.gather(), &mut out);
    String::from_utf8(out).unwrap_or_default()
}
