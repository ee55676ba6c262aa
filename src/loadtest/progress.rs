//! What the load test does while the races run and just after: one
//! progress line a second, and the bounded wait for the readers to see
//! every race's end once the races have stopped.

use std::time::{Duration, Instant};

use log::{info, warn};

use super::generator::Generator;
use super::stats::Shared;
use super::{Options, DRAIN_WITHIN, FIRST_EVENT_WITHIN};

fn ms_of(us: Option<u64>) -> String {
    us.map(|u| format!("{:.1} ms", u as f64 / 1000.0))
        .unwrap_or_else(|| "-".into())
}

/// Logs one line a second until the duration is over.
pub async fn progress(
    generator: &Generator,
    shared: &Shared,
    options: &Options,
    started: Instant,
    first_event_after: &mut Option<Duration>,
) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    let (mut last_samples, mut last_read, mut last_events, mut last_ws) = (0, 0, 0, 0);
    let mut last = Instant::now();
    let mut warned = false;
    while started.elapsed() < options.duration {
        let left = options.duration.saturating_sub(started.elapsed());
        tokio::select! {
            _ = ticker.tick() => {}
            _ = tokio::time::sleep(left) => {}
        }
        let dt = last.elapsed().as_secs_f64().max(1e-3);
        last = Instant::now();
        let samples = generator.delivered();
        let (read, raw_p99) = {
            let raw = shared.raw();
            (raw.samples, raw.path.latency_us.percentile(99.0))
        };
        let (events, p99) = {
            let p = shared.processed();
            (p.events, p.latency_us.percentile(99.0))
        };
        let (ws_events, ws_p99) = {
            let w = shared.ws();
            (w.path.events, w.path.latency_us.percentile(99.0))
        };
        if events > 0 && first_event_after.is_none() {
            *first_event_after = Some(started.elapsed());
        }
        let mut line = format!(
            "loadtest {:>4.0}s: produced {:>7.0} samples/s, read back {:>7.0}/s (p99 {}), processed {:>6.1} events/s (p99 so far {})",
            started.elapsed().as_secs_f64(),
            (samples - last_samples) as f64 / dt,
            (read - last_read) as f64 / dt,
            ms_of(raw_p99),
            (events - last_events) as f64 / dt,
            ms_of(p99),
        );
        if options.ws_clients > 0 {
            line += &format!(
                ", WebSocket {:>6.1} events/s (p99 {})",
                (ws_events - last_ws) as f64 / dt,
                ms_of(ws_p99)
            );
        }
        info!("{line}");
        (last_samples, last_read, last_events, last_ws) = (samples, read, events, ws_events);
        if !warned && events == 0 && started.elapsed() >= FIRST_EVENT_WITHIN {
            warned = true;
            warn!(
                "loadtest: no processed events after {}s; is the pipeline (`pitwall all`) running on the same broker and topics?",
                FIRST_EVENT_WITHIN.as_secs()
            );
        }
    }
}

/// After the stop: waits until the raw read-back has seen every race's
/// `race_finished` and processing has published every race's end, or until
/// the time is up. With no processed events at all it waits only until
/// `FIRST_EVENT_WITHIN` after the start.
pub async fn drain(shared: &Shared, started: Instant, first_event_after: &mut Option<Duration>) {
    let deadline = Instant::now() + DRAIN_WITHIN;
    loop {
        let raw_done = shared.raw().path.all_finished();
        let (events, processed_done) = {
            let p = shared.processed();
            (p.events, p.all_finished())
        };
        if events > 0 && first_event_after.is_none() {
            *first_event_after = Some(started.elapsed());
        }
        let give_up_processed = events == 0 && started.elapsed() >= FIRST_EVENT_WITHIN;
        if raw_done && (processed_done || give_up_processed) {
            return;
        }
        if Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
