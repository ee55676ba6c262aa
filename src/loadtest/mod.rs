//! `pitwall loadtest`: drives a running pipeline with simulated races and
//! measures it end to end. It runs R races of C cars at H Hz in-process (the
//! simulate role's own `SimulatorActor`s and idempotent producer, on a thread
//! of their own so their cost can be measured), reads `telemetry_processed`
//! to time each event from the `sent_at_us` of the newest frame behind it,
//! optionally holds N WebSocket clients on `--server` and times what they
//! receive, and reads `telemetry_raw` back independently to count samples
//! lost or duplicated per (race, car) — alongside the races (timing the raw
//! hop too), or with `read_back_after` once they have stopped, so a
//! throughput run's broker serves only the pipeline. It logs progress once
//! a second and returns a [`report::Report`].
//!
//! Processed events need a pipeline: `pitwall all` (or `process` and
//! `serve`) running against the same broker and topics, which the load test
//! takes from the same settings. Without one, the report says so after 15 s
//! rather than waiting. Every wait is bounded: the run stops by itself.

pub mod cost;
pub mod generator;
pub mod histogram;
pub mod options;
mod progress;
pub mod readers;
pub mod report;
pub mod seqcheck;
pub mod stats;
pub mod ws;

use std::time::{Duration, Instant};

use log::{info, warn};
use tokio::sync::watch;

use crate::config::Settings;
use crate::kafka::admin;
use crate::web::control::mint_race_id;
use generator::Generator;
pub use options::{parse_duration, Options};
use progress::{drain, progress};
use readers::Path;
use report::{
    Check, Cost, Latencies, Processed, Report, RunConfig, Samples, WarmupLatencies, WebSocket,
};
use stats::{Shared, WsStats};

/// Processed events must start within this long, or the report says the
/// pipeline is not running.
const FIRST_EVENT_WITHIN: Duration = Duration::from_secs(15);
/// Waits after the races stop: for the simulators and the broker's
/// acknowledgements, then for the readers to see each race's end.
const STOP_WITHIN: Duration = Duration::from_secs(60);
const DRAIN_WITHIN: Duration = Duration::from_secs(30);
/// Frames sent in the first seconds (connections and the pipeline's first
/// sight of the races) are timed apart from the steady state.
const WARMUP: Duration = Duration::from_secs(2);
/// How long the clients' subscribes may take to be answered.
const SUBSCRIBED_WITHIN: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum LoadtestError {
    #[error("loadtest options: {0}")]
    Options(String),
    #[error("loadtest set-up: {0}")]
    Setup(String),
    #[error(transparent)]
    Kafka(#[from] crate::kafka::KafkaError),
    #[error("kafka client: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    #[error("simulator: {0}")]
    Simulator(#[from] crate::domain::sim::ConfigError),
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Runs the load test and returns its report. Must run inside an actix
/// system.
pub async fn run(settings: Settings, options: Options) -> Result<Report, LoadtestError> {
    options.validate(settings.simulator.max_cars)?;
    let kafka = &settings.kafka;
    admin::ensure_topics(kafka).await?;
    let race_ids: Vec<String> = (0..options.races).map(|_| mint_race_id()).collect();
    let shared = Shared::new(&race_ids, options.cars);
    let (stop_tx, stop_rx) = watch::channel(false);

    // Readers first, positioned at the current ends, so nothing of this run
    // is missed.
    let raw_start = readers::end_offsets(kafka, &kafka.topics.raw).await?;
    let processed_start = readers::end_offsets(kafka, &kafka.topics.processed).await?;
    let mut raw_reader = if options.read_back_after {
        None
    } else {
        Some(readers::spawn(
            kafka,
            Path::Raw,
            raw_start.clone(),
            shared.clone(),
            stop_rx.clone(),
        )?)
    };
    let (processed_arbiter, processed_done) = readers::spawn(
        kafka,
        Path::Processed,
        processed_start,
        shared.clone(),
        stop_rx.clone(),
    )?;
    let connecting = Instant::now();
    let mut subscribed_after = None;
    let ws_clients = if options.ws_clients > 0 {
        let url = ws::ws_url(&options.server)?;
        let clients = ws::spawn_clients(
            &url,
            options.ws_clients,
            &race_ids,
            shared.clone(),
            stop_rx.clone(),
        );
        wait_connected(&shared, options.ws_clients).await;
        info!(
            "loadtest: {} of {} WebSocket clients connected to {url}",
            shared.ws().connected,
            options.ws_clients
        );
        // The races start once every client holds its snapshot: thousands
        // of subscribes still being answered would otherwise be timed as
        // the first events' delivery. How long they took is reported.
        subscribed_after = wait_subscribed(&shared).await.then(|| connecting.elapsed());
        match subscribed_after {
            Some(after) => info!("loadtest: every client subscribed {after:.1?} after the first connect"),
            None => warn!("loadtest: not every client had its snapshot within {SUBSCRIBED_WITHIN:?}; starting anyway"),
        }
        clients
    } else {
        Vec::new()
    };

    let reader_cpu0 = reader_cpu(raw_reader.as_ref().map(|r| &r.0), &processed_arbiter).await;
    let rdk_cpu0 = cost::threads_cpu("rdk:");
    let cpu0 = cost::process_cpu();
    let generator = Generator::start(&settings, &options, &race_ids).await?;
    shared.set_warmup_end_us(crate::kafka::now_us() + WARMUP.as_micros() as u64);
    let sim_cpu0 = generator.thread_cpu().await;
    let started = Instant::now();
    info!(
        "loadtest: {} race(s) x {} cars at {} Hz for {:?}: {}",
        options.races,
        options.cars,
        options.hz,
        options.duration,
        race_ids.join(", ")
    );

    let mut warnings = Vec::new();
    let mut first_event_after: Option<Duration> = None;
    progress(
        &generator,
        &shared,
        &options,
        started,
        &mut first_event_after,
    )
    .await;

    // Rates are over the time the races ran; costs also cover the stop.
    let ran = started.elapsed();
    let delivered = generator.stop(STOP_WITHIN).await;
    let generation = started.elapsed();
    let sim_cpu1 = generator.thread_cpu().await;
    let cpu1 = cost::process_cpu();
    let rdk_cpu1 = cost::threads_cpu("rdk:");
    let reader_cpu1 = reader_cpu(raw_reader.as_ref().map(|r| &r.0), &processed_arbiter).await;
    let (rss, peak_rss) = cost::memory();
    info!(
        "loadtest: races stopped after {:.1} s; {} samples acknowledged",
        secs(generation),
        delivered.samples
    );

    let (raw_arbiter, raw_done) = match raw_reader.take() {
        Some(reader) => reader,
        None => readers::spawn(kafka, Path::Raw, raw_start, shared.clone(), stop_rx.clone())?,
    };
    drain(&shared, started, &mut first_event_after).await;
    let _ = stop_tx.send(true);
    for done in [raw_done, processed_done] {
        let _ = tokio::time::timeout(Duration::from_secs(10), done).await;
    }
    for client in ws_clients {
        let _ = tokio::time::timeout(Duration::from_secs(5), client).await;
    }
    raw_arbiter.stop();
    processed_arbiter.stop();

    let per_race: Vec<u64> = (0..race_ids.len())
        .map(|i| generator.delivered_of(i))
        .collect();
    generator.close();

    let ran_s = secs(ran);
    let rate = |n: u64| if ran_s > 0.0 { n as f64 / ran_s } else { 0.0 };
    let diff = |a: Option<Duration>, b: Option<Duration>| Some(secs(b?.saturating_sub(a?)));
    let raw = shared.raw();
    // A read-back after the stop says nothing about the raw hop's latency.
    let raw_timed = |h: &histogram::Histogram| {
        (!options.read_back_after)
            .then(|| h.summary().map(Into::into))
            .flatten()
    };
    let mut seqs = seqcheck::SeqSummary::default();
    for (i, race) in raw.seqs.iter().enumerate() {
        seqs += race.summary(per_race[i]);
    }
    let processed = shared.processed();
    let ws_stats = shared.ws();
    let simulator_cpu_s = diff(sim_cpu0, sim_cpu1);

    if delivered.records_failed > 0 || delivered.in_flight > 0 {
        warnings.push(format!(
            "{} records failed and {} were unacknowledged when the generator stopped waiting: see the log",
            delivered.records_failed, delivered.in_flight
        ));
    }
    if !raw.path.all_finished() {
        warnings.push(format!(
            "race_finished read back for {} of {} races within {:?}: the read-back is incomplete, so 'lost' may include samples not yet read",
            raw.path.finished.iter().filter(|f| **f).count(),
            race_ids.len(),
            DRAIN_WITHIN
        ));
    }
    if processed.events == 0 {
        warnings.push(format!(
            "no processed events arrived within {}s: is `pitwall all` (or `process` + `serve`) running against brokers {} with topics {} -> {}?",
            FIRST_EVENT_WITHIN.as_secs(),
            kafka.brokers,
            kafka.topics.raw,
            kafka.topics.processed
        ));
    } else if !processed.all_finished() {
        warnings.push(format!(
            "processing published the end of {} of {} races within {:?} of the stop: it is behind (or failed to publish; see its log)",
            processed.finished.iter().filter(|f| **f).count(),
            race_ids.len(),
            DRAIN_WITHIN
        ));
    }
    if !processed.by_type.contains_key("leaderboard") && processed.events > 0 {
        warnings.push(
            "no leaderboard events arrived although other processed events did: check the processing log for 'message too large' (a leaderboard of a large field can exceed the broker's 1 MB record limit)".into(),
        );
    }
    if options.ws_clients > 0 && ws_stats.path.events == 0 {
        warnings.push(format!(
            "no WebSocket events arrived ({} connected, {} failed{})",
            ws_stats.connected,
            ws_stats.failed,
            ws_stats
                .errors
                .first()
                .map(|e| format!(", e.g. {e}"))
                .unwrap_or_default()
        ));
    }
    let target_per_s =
        f64::from(options.races) * f64::from(options.cars) * options.hz * options.time_scale;
    let produced_per_s = rate(delivered.samples);
    if target_per_s > 0.0 && produced_per_s < 0.95 * target_per_s {
        warnings.push(format!(
            "the generator produced {:.0} samples/s, {:.0}% of the {:.0} asked for: the generator or the broker is the bottleneck",
            produced_per_s,
            100.0 * produced_per_s / target_per_s,
            target_per_s
        ));
    }

    Ok(Report {
        config: RunConfig {
            races: options.races,
            cars: options.cars,
            hz: options.hz,
            time_scale: options.time_scale,
            duration_s: secs(options.duration),
            ws_clients: options.ws_clients,
            server: options.server.clone(),
            brokers: kafka.brokers.clone(),
            raw_topic: kafka.topics.raw.clone(),
            processed_topic: kafka.topics.processed.clone(),
        },
        samples: Samples {
            target_per_s,
            produced_per_s,
            delivered: delivered.samples,
            records_failed: delivered.records_failed,
            unacknowledged: delivered.in_flight,
            generation_s: ran_s,
        },
        processed: Processed {
            events: processed.events,
            events_per_s: rate(processed.events),
            by_type: processed.by_type.clone(),
            mb_per_s: rate(processed.bytes) / 1e6,
            races_finished: processed.finished.iter().filter(|f| **f).count(),
            first_event_after_s: first_event_after.map(secs),
        },
        latency_ms: Latencies {
            warmup_s: secs(WARMUP),
            warmup: WarmupLatencies {
                raw: raw_timed(&raw.path.warmup_us),
                processed: processed.warmup_us.summary().map(Into::into),
                websocket: ws_stats.path.warmup_us.summary().map(Into::into),
            },
            raw: raw_timed(&raw.path.latency_us),
            processed: processed.latency_us.summary().map(Into::into),
            websocket: ws_stats.path.latency_us.summary().map(Into::into),
        },
        check: Check {
            seqs,
            races_finished: raw.path.finished.iter().filter(|f| **f).count(),
            undecodable: raw.path.undecodable,
        },
        websocket: (options.ws_clients > 0).then(|| WebSocket {
            clients: options.ws_clients,
            connected: ws_stats.connected,
            failed: ws_stats.failed,
            closed_by_server: ws_stats.closed_by_server,
            snapshots: ws_stats.snapshots,
            subscribed_after_s: subscribed_after.map(secs),
            events: ws_stats.path.events,
            events_per_s: rate(ws_stats.path.events),
            errors: ws_stats.errors.clone(),
        }),
        cost: Cost {
            wall_s: secs(generation),
            process_cpu_s: diff(cpu0, cpu1),
            simulator_cpu_s,
            librdkafka_cpu_s: diff(rdk_cpu0, rdk_cpu1),
            readers_cpu_s: diff(reader_cpu0, reader_cpu1),
            simulator_us_per_sample: simulator_cpu_s
                .filter(|_| delivered.samples > 0)
                .map(|s| s * 1e6 / delivered.samples as f64),
            rss_mb: rss.map(|b| b as f64 / 1048576.0),
            peak_rss_mb: peak_rss.map(|b| b as f64 / 1048576.0),
        },
        warnings,
    })
}

/// CPU time of the reader threads so far (the raw reader's while it runs
/// alongside the races).
async fn reader_cpu(raw: Option<&actix::Arbiter>, processed: &actix::Arbiter) -> Option<Duration> {
    let mut total = Duration::ZERO;
    for arbiter in raw.into_iter().chain([processed]) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        arbiter.spawn_fn(move || {
            let _ = tx.send(cost::thread_cpu());
        });
        total += rx.await.ok().flatten()?;
    }
    Some(total)
}

/// Waits until the clients' counts satisfy `settled`; false if they still
/// did not after `within`.
async fn wait_clients(
    shared: &Shared,
    within: Duration,
    settled: impl Fn(&WsStats) -> bool,
) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if settled(&shared.ws()) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits for every client to connect or fail; thousands take a while to
/// open, a bounded number at a time.
async fn wait_connected(shared: &Shared, n: u32) {
    let within = Duration::from_secs(15 + u64::from(n) / 500);
    wait_clients(shared, within, |ws| {
        ws.connected + ws.failed >= u64::from(n)
    })
    .await;
}

/// Waits until every connected client has had its snapshot, or will not
/// (refused, or gone); false if some were still waiting after
/// `SUBSCRIBED_WITHIN`.
async fn wait_subscribed(shared: &Shared) -> bool {
    wait_clients(shared, SUBSCRIBED_WITHIN, |ws| {
        ws.snapshots + ws.unanswered >= ws.connected
    })
    .await
}
