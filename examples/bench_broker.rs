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

#[path = "common/bench_kafka.rs"]
mod bench_kafka;

use std::time::{Duration, Instant};

use bench_kafka::{fresh_topic, send_waiting};
use pitwall::actors::simulator::MAX_SAMPLES_PER_CHUNK;
use pitwall::config::Settings;
use pitwall::domain::records::{Frame, RawRecord, SCHEMA_VERSION};
use pitwall::domain::sim::{RaceConfig, RaceSim};
use pitwall::kafka::{consumer_config, FetchProfile};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::FutureProducer;
use rdkafka::{Message, Offset, TopicPartitionList};

const FIELDS: [u32; 2] = [20, 5000];
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

/// Reads `records` records of `topic` from its start on a thread of its own;
/// returns when it has them all (or at the limit) with how many it read.
fn consume(settings: &Settings, topic: &str, records: u64) -> std::thread::JoinHandle<u64> {
    let group = format!("{}-bench-broker", settings.kafka.group_prefix);
    let mut config = consumer_config(&settings.kafka, &group, FetchProfile::Latency);
    config.set("enable.auto.commit", "false");
    let consumer: BaseConsumer = config.create().expect("consumer");
    let mut assignment = TopicPartitionList::new();
    assignment
        .add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&assignment).expect("assign");
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
    let reader = consume(settings, &topic, records);
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
    let read = tokio::task::spawn_blocking(move || reader.join().unwrap_or(0))
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
}
