//! Sustained ingest into PostgreSQL with the Redis live view updated
//! alongside, the way the storage actor flushes (one UNNEST insert per batch,
//! one pipeline of latest samples per race), at several batch sizes.
//!
//!     cargo run --example bench_storage [-- SAMPLES_PER_SIZE]
//!
//! Uses a fresh database `pitwall_bench_<pid>` on 127.0.0.1:5432 (dropped at
//! the end) and Redis keys under `bench_<pid>:`. Prints samples/s per batch
//! size and the flush time per batch.

use std::collections::HashMap;
use std::time::Instant;

use pitwall::config::Settings;
use pitwall::db::history::{self, HistoryBatch};
use pitwall::db::live::{self, LiveBatch};
use pitwall::db::{self, Keys};
use pitwall::domain::sim::{RaceConfig, RaceSim};

const ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[actix_web::main]
async fn main() {
    let per_size: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let pid = std::process::id();
    let name = format!("pitwall_bench_{pid}");
    let (admin, conn) = tokio_postgres::connect(ADMIN, tokio_postgres::NoTls)
        .await
        .expect("postgres up");
    actix_web::rt::spawn(conn);
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("database");
    let mut settings = Settings::load_from(None, Vec::new()).expect("settings");
    settings.postgres.url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    db::migrate(&settings.postgres).await.expect("migrate");
    let pg = db::pg_pool(&settings.postgres).expect("pool");
    let redis = db::redis_pool(&settings.redis).expect("redis");
    let keys = Keys::new(&format!("bench_{pid}:"));

    // 500 cars of one race: realistic rows, generated before the clock runs.
    let mut sim = RaceSim::new(&RaceConfig {
        track: "power".into(),
        cars: 500,
        laps: 50,
        sample_hz: 10.0,
        seed: 1,
        safety_car_probability: 0.0,
        name: "bench".into(),
    })
    .expect("race");
    let ticks = per_size.div_ceil(500);
    let samples: Vec<_> = (0..ticks).flat_map(|_| sim.step().samples).collect();

    println!("| batch (samples) | samples/s | flush p50 ms | flush max ms |");
    println!("|---:|---:|---:|---:|");
    for (round, batch_size) in [1_000usize, 5_000, 20_000].into_iter().enumerate() {
        let race_id = format!("bench-{round}");
        let mut flush_ms = Vec::new();
        let started = Instant::now();
        for chunk in samples.chunks(batch_size) {
            let t = Instant::now();
            let history = HistoryBatch {
                samples: chunk.iter().map(|s| (race_id.clone(), s.clone())).collect(),
                ..Default::default()
            };
            history::write_batch(&pg, &history)
                .await
                .expect("postgres write");
            let latest: HashMap<u32, _> = chunk.iter().map(|s| (s.car_id, s.clone())).collect();
            let live = LiveBatch {
                samples: HashMap::from([(race_id.clone(), latest)]),
                ..Default::default()
            };
            live::write_batch(&redis, &keys, &live, 60)
                .await
                .expect("redis write");
            flush_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let rate = samples.len() as f64 / started.elapsed().as_secs_f64();
        flush_ms.sort_by(f64::total_cmp);
        println!(
            "| {batch_size} | {rate:.0} | {:.1} | {:.1} |",
            flush_ms[flush_ms.len() / 2],
            flush_ms[flush_ms.len() - 1]
        );
    }

    drop(pg);
    let _ = admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await;
    if let Ok(mut conn) = redis.get().await {
        let _: Result<(), _> = deadpool_redis::redis::cmd("DEL")
            .arg(keys.samples("bench-0"))
            .arg(keys.samples("bench-1"))
            .arg(keys.samples("bench-2"))
            .query_async(&mut conn)
            .await;
    }
}
