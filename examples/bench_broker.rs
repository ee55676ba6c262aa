//! The broker's raw ceiling on this machine: simulator frames produced by the
//! project's idempotent producer and read back by a consumer at the same
//! time, with no processing in between. The full pipeline is compared with
//! this rate (docs/benchmarks.md), so it uses the same records: each tick's
//! frame of one race, chunked as `SimulatorActor` chunks it, on a fresh
//! one-partition topic (one race lives on one partition).
//!
//!     cargo run --example bench_broker [-- SAMPLES_PER_CASE]
//!
//! Settings (broker) come from `PITWALL__…` as for `pitwall`. The frames are
//! generated before the clock starts; the clock stops when the consumer has
//! read the last record. Prints one table row per field size.
//!
//! Then the floor under every latency figure: one hop (produce, acknowledged,
//! fetched by a consumer) at the end-to-end scenario's pace, 50 twenty-car
//! frames a second, with the latency paths' `fetch.wait.max.ms` and with 0.
//! A WebSocket event crosses the broker twice (raw, then processed).

#[path = "common/bench_kafka.rs"]
mod bench_kafka;

use std::time::{Duration, Instant};

use bench_kafka::{fresh_topic, send_waiting};
use pitwall::actors::simulator::MAX_SAMPLES_PER_CHUNK;
use pitwall::config::Settings;
use pitwall::domain::records::{Frame, RawRecord, SCHEMA_VERSION};
use pitwall::domain::sim::{RaceConfig, RaceSim};
use pitwall::kafka::{consumer_config, FetchProfile};
use pitwall::loadtest::histogram::Histogram;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::FutureProducer;
use rdkafka::{Message, Offset, TopicPartitionList};

const FIELDS: [u32; 2] = [20, 5000];
/// The end-to-end scenario's record rate (20 cars × 50 Hz, one frame a tick).
const HOP_RECORDS_PER_S: u64 = 50;
/// Five seconds at that rate, per fetch wait.
const HOP_RECORDS: usize = 250;
/// A case that has not finished by then is reported as such.
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// Every frame record of `ticks` ticks of a race of `cars`, and the samples
/// in each.
fn frames(cars: u32, samples_wanted: u64) -> Vec<(String, u64)> {
    let mut sim = RaceSim::new(&RaceConfig {
        track: pitwall::domain::sim::track_ids()[0].into(),
        cars,
        laps: 200,
        sample_hz: 10.0,
        seed: 1,
        safety_car_probability: 0.0,
        name: "Broker benchmark".into(),
    })
    .expect("a valid race");
    let mut out = Vec::new();
    let mut samples = 0u64;
    while samples < samples_wanted && !sim.finished() {
        let tick = sim.step();
        let chunks = tick.samples.chunks(MAX_SAMPLES_PER_CHUNK);
        let count = chunks.len().max(1) as u32;
        for (i, chunk) in chunks.enumerate() {
            let json = serde_json::to_string(&RawRecord::Frame(Frame {
                v: SCHEMA_VERSION,
                race_id: "r-broker-bench".into(),
                tick: tick.tick,
                ts_ms: tick.ts_ms,
                sent_at_us: pitwall::kafka::now_us(),
                chunk: i as u32,
                chunks: count,
                samples: chunk.to_vec(),
            }))
            .expect("a frame serialises");
            samples += chunk.len() as u64;
            out.push((json, chunk.len() as u64));
        }
    }
    out
}

/// A latency-path consumer of `topic`'s only partition from its start,
/// whose fetches wait `wait_ms`; it commits nothing.
fn reader(settings: &Settings, topic: &str, wait_ms: u32) -> BaseConsumer {
    let group = format!("{}-bench-broker", settings.kafka.group_prefix);
    let mut config = consumer_config(&settings.kafka, &group, FetchProfile::Latency);
    config
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", wait_ms.to_string());
    let consumer: BaseConsumer = config.create().expect("consumer");
    let mut assignment = TopicPartitionList::new();
    assignment
        .add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&assignment).expect("assign");
    consumer
}

/// Reads `records` records of `topic` from its start on a thread of its own;
/// returns when it has them all (or at the limit) with how many it read.
fn consume(settings: &Settings, topic: &str, records: u64) -> std::thread::JoinHandle<u64> {
    let consumer = reader(settings, topic, settings.kafka.fetch_wait_ms);
    std::thread::spawn(move || {
        let deadline = Instant::now() + CASE_LIMIT;
        let mut read = 0u64;
        while read < records && Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                if m.payload().is_some() {
                    read += 1;
                }
            }
        }
        read
    })
}

struct Outcome {
    samples: u64,
    records: u64,
    bytes: u64,
    acked: Duration,
    consumed: Duration,
    read: u64,
    failed: u64,
}

async fn run(settings: &Settings, producer: &FutureProducer, cars: u32, samples: u64) -> Outcome {
    let frames = frames(cars, samples);
    let topic = fresh_topic(&settings.kafka.brokers, "bench_broker").await;
    let records = frames.len() as u64;
    let bytes: u64 = frames.iter().map(|(f, _)| f.len() as u64).sum();
    let samples: u64 = frames.iter().map(|(_, n)| n).sum();
    let reading = consume(settings, &topic, records);
    let mut failed = 0;
    let start = Instant::now();
    let mut deliveries = Vec::with_capacity(frames.len());
    for (payload, _) in &frames {
        deliveries.push(send_waiting(producer, &topic, "r-broker-bench", payload).await);
    }
    for d in futures_util::future::join_all(deliveries).await {
        if !matches!(d, Ok(Ok(_))) {
            failed += 1;
        }
    }
    let acked = start.elapsed();
    let read = tokio::task::spawn_blocking(move || reading.join().unwrap_or(0))
        .await
        .unwrap_or(0);
    Outcome {
        samples,
        records,
        bytes,
        acked,
        consumed: start.elapsed(),
        read,
        failed,
    }
}

/// Microseconds each of `HOP_RECORDS` twenty-car frames took to be
/// acknowledged, and to reach a consumer whose fetches wait `wait_ms`.
struct Hop {
    acked_us: Histogram,
    consumed_us: Histogram,
}

async fn one_hop(settings: &Settings, producer: &FutureProducer, wait_ms: u32) -> Hop {
    let (payload, _) = frames(20, 20).swap_remove(0);
    let topic = fresh_topic(&settings.kafka.brokers, "bench_hop").await;
    let consumer = reader(settings, &topic, wait_ms);
    // The key carries the send instant (the payload is the same frame each
    // time); records keyed `warm-up` are sent until the consumer reads one,
    // so its first fetches are not timed.
    let (warm, warmed) = std::sync::mpsc::channel();
    let reading = std::thread::spawn(move || {
        let deadline = Instant::now() + CASE_LIMIT;
        let mut consumed_us = Histogram::default();
        while consumed_us.count() < HOP_RECORDS as u64 && Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                let key = m.key().and_then(|k| std::str::from_utf8(k).ok());
                match key.map(str::parse::<u64>) {
                    Some(Ok(sent)) => {
                        consumed_us.record(pitwall::kafka::now_us().saturating_sub(sent))
                    }
                    _ => {
                        let _ = warm.send(());
                    }
                }
            }
        }
        consumed_us
    });
    while let Err(std::sync::mpsc::TryRecvError::Empty) = warmed.try_recv() {
        let _ = send_waiting(producer, &topic, "warm-up", &payload)
            .await
            .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut acked_us = Histogram::default();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / HOP_RECORDS_PER_S));
    for _ in 0..HOP_RECORDS {
        tick.tick().await;
        let start = Instant::now();
        let key = pitwall::kafka::now_us().to_string();
        if let Ok(Ok(_)) = send_waiting(producer, &topic, &key, &payload).await.await {
            acked_us.record(start.elapsed().as_micros() as u64);
        }
    }
    let consumed_us = tokio::task::spawn_blocking(move || reading.join().unwrap_or_default())
        .await
        .unwrap_or_default();
    Hop {
        acked_us,
        consumed_us,
    }
}

/// "p50 / p99" in milliseconds, or "—" for no values.
fn p50_p99(us: &Histogram) -> String {
    match (us.percentile(50.0), us.percentile(99.0)) {
        (Some(p50), Some(p99)) => format!("{:.1} / {:.1}", p50 as f64 / 1e3, p99 as f64 / 1e3),
        _ => "—".into(),
    }
}

#[actix_web::main]
async fn main() {
    let per_case: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300_000);
    let settings = Settings::load(None).expect("settings");
    let producer = pitwall::kafka::producer(&settings.kafka).expect("producer");
    println!(
        "Raw broker: produce + consume at once, {} , one partition, {per_case} samples per case",
        settings.kafka.brokers
    );
    println!();
    println!("| cars (frame) | record KB | records | produced, samples/s (acked) | produce + consume, samples/s | records/s | MB/s | read back | failed |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for cars in FIELDS {
        let o = run(&settings, &producer, cars, per_case).await;
        let per_s = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
        println!(
            "| {cars} | {:.1} | {} | {:.0} | {:.0} | {:.0} | {:.1} | {} of {} | {} |",
            o.bytes as f64 / o.records as f64 / 1024.0,
            o.records,
            per_s(o.samples, o.acked),
            per_s(o.samples, o.consumed),
            per_s(o.records, o.consumed),
            per_s(o.bytes, o.consumed) / 1e6,
            o.read,
            o.records,
            o.failed
        );
    }

    println!();
    println!(
        "One hop: {HOP_RECORDS} twenty-car frames, {HOP_RECORDS_PER_S} a second, each \
         acknowledged before the next, to a fresh one-partition topic and its consumer"
    );
    println!();
    println!("| consumer's fetch.wait.max.ms | acknowledged, p50 / p99 ms | produced → consumed, p50 / p99 ms | consumed |");
    println!("|---|---:|---:|---:|");
    let configured = settings.kafka.fetch_wait_ms;
    for (wait, label) in [
        (configured, format!("{configured} (the latency paths')")),
        (0, "0".into()),
    ] {
        let hop = one_hop(&settings, &producer, wait).await;
        println!(
            "| {label} | {} | {} | {} of {HOP_RECORDS} |",
            p50_p99(&hop.acked_us),
            p50_p99(&hop.consumed_us),
            hop.consumed_us.count()
        );
    }
}
