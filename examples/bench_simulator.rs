//! How many samples a second the simulator can produce, at 20, 500 and
//! 5,000 cars (10 Hz race clock, the load test's rate):
//!
//! - generate: `RaceSim::step` plus serialising each tick's frames (chunked
//!   as the simulator actor chunks them), no broker;
//! - generate + publish: the same through the project's idempotent producer
//!   to a fresh one-partition topic on the configured broker, timed until
//!   the broker has acknowledged every record.
//!
//! Each case runs for a few seconds of wall time. Run with
//! `cargo run --release --example bench_simulator` (scripts/bench.sh does);
//! settings (broker) come from `PITWALL__…` as for `pitwall`.

#[path = "common/bench_kafka.rs"]
mod bench_kafka;

use std::time::{Duration, Instant};

use bench_kafka::{fresh_topic, send_waiting};
use pitwall::actors::simulator::MAX_SAMPLES_PER_CHUNK;
use pitwall::config::Settings;
use pitwall::domain::records::{Frame, RawRecord, SCHEMA_VERSION};
use pitwall::domain::sim::{RaceConfig, RaceSim, Tick};
use rdkafka::producer::FutureProducer;

const FIELDS: [u32; 3] = [20, 500, 5000];
const HZ: f64 = 10.0;
/// Wall time each case generates for.
const RUN: Duration = Duration::from_secs(3);

fn race(cars: u32) -> RaceSim {
    RaceSim::new(&RaceConfig {
        track: pitwall::domain::sim::track_ids()[0].into(),
        cars,
        laps: 200,
        sample_hz: HZ,
        seed: 1,
        safety_car_probability: 0.3,
        name: "Benchmark".into(),
    })
    .expect("a valid race")
}

/// A tick's frame records, as `SimulatorActor` builds them.
fn frames(race_id: &str, tick: &Tick) -> Vec<String> {
    let chunks = tick.samples.chunks(MAX_SAMPLES_PER_CHUNK);
    let count = chunks.len().max(1) as u32;
    chunks
        .enumerate()
        .map(|(i, samples)| {
            serde_json::to_string(&RawRecord::Frame(Frame {
                v: SCHEMA_VERSION,
                race_id: race_id.to_owned(),
                tick: tick.tick,
                ts_ms: tick.ts_ms,
                sent_at_us: pitwall::kafka::now_us(),
                chunk: i as u32,
                chunks: count,
                samples: samples.to_vec(),
            }))
            .expect("a frame serialises")
        })
        .collect()
}

struct Generated {
    samples: u64,
    bytes: u64,
    step: Duration,
    serialise: Duration,
    wall: Duration,
}

fn generate(cars: u32) -> Generated {
    let mut sim = race(cars);
    let (mut samples, mut bytes) = (0u64, 0u64);
    let (mut step, mut serialise) = (Duration::ZERO, Duration::ZERO);
    let start = Instant::now();
    while start.elapsed() < RUN && !sim.finished() {
        let t = Instant::now();
        let tick = sim.step();
        let t2 = Instant::now();
        let records = frames("r-bench", &tick);
        serialise += t2.elapsed();
        step += t2 - t;
        samples += tick.samples.len() as u64;
        bytes += records.iter().map(|r| r.len() as u64).sum::<u64>();
    }
    Generated {
        samples,
        bytes,
        step,
        serialise,
        wall: start.elapsed(),
    }
}

struct Published {
    samples: u64,
    records: u64,
    bytes: u64,
    wall: Duration,
    failed: u64,
}

async fn publish(producer: &FutureProducer, topic: &str, cars: u32) -> Published {
    let mut sim = race(cars);
    let race_id = format!("r-bench-{cars}");
    let (mut samples, mut records, mut bytes) = (0u64, 0u64, 0u64);
    let mut deliveries = Vec::new();
    let start = Instant::now();
    while start.elapsed() < RUN && !sim.finished() {
        let tick = sim.step();
        samples += tick.samples.len() as u64;
        for payload in frames(&race_id, &tick) {
            bytes += payload.len() as u64;
            records += 1;
            deliveries.push(send_waiting(producer, topic, &race_id, &payload).await);
        }
        // Let delivery reports in now and then, as the actor's loop does.
        if tick.tick.is_multiple_of(16) {
            tokio::task::yield_now().await;
        }
    }
    let mut failed = 0;
    for d in futures_util::future::join_all(deliveries).await {
        if !matches!(d, Ok(Ok(_))) {
            failed += 1;
        }
    }
    Published {
        samples,
        records,
        bytes,
        wall: start.elapsed(),
        failed,
    }
}

#[actix_web::main]
async fn main() {
    let settings = Settings::load(None).expect("settings");
    let per_s = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    };
    println!("Simulator benchmark: {HZ} Hz race clock, {RUN:?} per case, {profile} profile");
    println!();
    println!("generate (RaceSim::step + frame JSON, no broker)");
    println!("| cars | samples/s | step µs/sample | JSON µs/sample | MB/s of JSON |");
    println!("|---:|---:|---:|---:|---:|");
    for cars in FIELDS {
        let g = generate(cars);
        println!(
            "| {cars} | {:.0} | {:.2} | {:.2} | {:.1} |",
            per_s(g.samples, g.wall),
            g.step.as_secs_f64() * 1e6 / g.samples as f64,
            g.serialise.as_secs_f64() * 1e6 / g.samples as f64,
            per_s(g.bytes, g.wall) / 1e6
        );
    }
    println!();
    println!(
        "generate + publish (idempotent producer, {}, 1 partition, until every record is acknowledged)",
        settings.kafka.brokers
    );
    println!("| cars | samples/s | records/s | MB/s | records failed |");
    println!("|---:|---:|---:|---:|---:|");
    let producer = pitwall::kafka::producer(&settings.kafka).expect("producer");
    for cars in FIELDS {
        let topic = fresh_topic(&settings.kafka.brokers, "bench_sim").await;
        let p = publish(&producer, &topic, cars).await;
        println!(
            "| {cars} | {:.0} | {:.0} | {:.1} | {} |",
            per_s(p.samples, p.wall),
            per_s(p.records, p.wall),
            per_s(p.bytes, p.wall) / 1e6,
            p.failed
        );
    }
}
