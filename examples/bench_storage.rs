//! Sustained ingest into PostgreSQL with the Redis live view updated
//! alongside, at several batch sizes, for the samples layout and write path
//! storage uses (a partition per race, BRIN on ts_ms, binary COPY) and the
//! alternatives it was chosen over, all in one run so they share whatever
//! else the machine is doing:
//!
//! - `v2 unpartitioned, UNNEST`: the layout before migrations/V3 (one table,
//!   primary key plus a (race_id, car_id, ts_ms) B-tree), UNNEST … ON
//!   CONFLICT — the baseline the ratios are taken against;
//! - `v3 partition, UNNEST`: the new layout, the old statement;
//! - `v3 partition, COPY`: binary COPY, one connection;
//! - `v3 COPY, synchronous_commit off`: the same, not waiting for the WAL flush;
//! - `v3 storage path`: `history::write_batch`, what storage runs (COPY, and
//!   from 10,000 samples the batch split over two connections at once);
//! - `v3 + (car_id, ts_ms) B-tree, COPY`: the index BRIN replaced, back
//!   (a partitioned table of its own, `samples_btree`), one connection.
//!
//!     cargo run --example bench_storage [-- SAMPLES_PER_RUN [ROUNDS]]
//!
//! Every round runs every write path at every batch size, interleaved, so
//! a burst of load elsewhere hits them alike; each run writes a race of its
//! own (a fresh partition, as a new race gets). Prints, per path and batch
//! size, the median over the rounds of samples/s, of the ratio to the
//! baseline in the same round, and of the flush time per batch, and the
//! load average before and after. Uses a fresh database
//! `pitwall_bench_<pid>` on 127.0.0.1:5432 (dropped at the end) and Redis
//! keys under `bench_<pid>:`.

use std::collections::HashMap;
use std::time::Instant;

use deadpool_postgres::Pool;
use pitwall::config::Settings;
use pitwall::db::history::{self, HistoryBatch};
use pitwall::db::live::{self, LiveBatch};
use pitwall::db::{self, samples, Keys};
use pitwall::domain::records::Sample;
use pitwall::domain::sim::{RaceConfig, RaceSim};

const ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    UnpartitionedUnnest,
    PartitionUnnest,
    PartitionCopy,
    CopyAsyncCommit,
    StoragePath,
    CopyWithBtree,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::UnpartitionedUnnest => "v2 unpartitioned, UNNEST",
            Mode::PartitionUnnest => "v3 partition, UNNEST",
            Mode::PartitionCopy => "v3 partition, COPY",
            Mode::CopyAsyncCommit => "v3 COPY, synchronous_commit off",
            Mode::StoragePath => "v3 storage path (COPY, 2 connections from 10k)",
            Mode::CopyWithBtree => "v3 + (car_id, ts_ms) B-tree, COPY",
        }
    }
}

const MODES: [Mode; 6] = [
    Mode::UnpartitionedUnnest,
    Mode::PartitionUnnest,
    Mode::PartitionCopy,
    Mode::CopyAsyncCommit,
    Mode::StoragePath,
    Mode::CopyWithBtree,
];

const BATCHES: [usize; 3] = [1_000, 5_000, 20_000];

type Rows = [(String, Sample)];

/// One flush of `rows` as `mode` writes it.
async fn write(pool: &Pool, mode: Mode, rows: &Rows) {
    match mode {
        Mode::UnpartitionedUnnest => plain_tx(pool, rows, "samples_v2", false, false).await,
        Mode::PartitionUnnest => plain_tx(pool, rows, "samples", false, false).await,
        Mode::CopyAsyncCommit => plain_tx(pool, rows, "samples", true, true).await,
        Mode::CopyWithBtree => plain_tx(pool, rows, "samples_btree", true, false).await,
        Mode::PartitionCopy => plain_tx(pool, rows, "samples", true, false).await,
        Mode::StoragePath => history::write_batch(pool, &batch(rows))
            .await
            .expect("postgres write"),
    }
}

fn batch(rows: &Rows) -> HistoryBatch {
    HistoryBatch {
        samples: rows.to_vec(),
        ..Default::default()
    }
}

/// A transaction of its own around one samples statement, for the modes
/// that are not storage's own path.
async fn plain_tx(pool: &Pool, rows: &Rows, table: &str, copy: bool, async_commit: bool) {
    let mut client = pool.get().await.expect("connection");
    if table == "samples" {
        samples::ensure_partitions(&client, rows)
            .await
            .expect("partition");
    }
    let tx = client.transaction().await.expect("transaction");
    if async_commit {
        tx.batch_execute("SET LOCAL synchronous_commit = off")
            .await
            .expect("set");
    }
    if copy {
        samples::copy_in(&tx, table, rows).await.expect("copy");
    } else {
        samples::upsert(&tx, table, rows).await.expect("insert");
    }
    tx.commit().await.expect("commit");
}

/// Writes `rows` in batches of `batch_size` as storage flushes (PostgreSQL,
/// then the newest sample per car to Redis). Returns samples/s and the
/// median and longest flush in ms.
async fn run(
    pg: &Pool,
    redis: &deadpool_redis::Pool,
    keys: &Keys,
    mode: Mode,
    rows: &Rows,
    batch_size: usize,
) -> (f64, f64, f64) {
    let race_id = &rows[0].0;
    let mut flush_ms = Vec::new();
    let started = Instant::now();
    for chunk in rows.chunks(batch_size) {
        let t = Instant::now();
        write(pg, mode, chunk).await;
        let latest: HashMap<u32, _> = chunk.iter().map(|(_, s)| (s.car_id, s.clone())).collect();
        let live = LiveBatch {
            samples: HashMap::from([(race_id.clone(), latest)]),
            ..Default::default()
        };
        live::write_batch(redis, keys, &live, 60)
            .await
            .expect("redis write");
        flush_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let rate = rows.len() as f64 / started.elapsed().as_secs_f64();
    flush_ms.sort_by(f64::total_cmp);
    (
        rate,
        flush_ms[flush_ms.len() / 2],
        flush_ms[flush_ms.len() - 1],
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[actix_web::main]
async fn main() {
    let per_run: usize = std::env::args()
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
    pg.get()
        .await
        .expect("connection")
        .batch_execute(
            "CREATE TABLE samples_v2 (LIKE samples); \
             ALTER TABLE samples_v2 ADD PRIMARY KEY (race_id, car_id, seq); \
             CREATE INDEX samples_v2_car_time ON samples_v2 (race_id, car_id, ts_ms); \
             CREATE TABLE samples_btree (LIKE samples, PRIMARY KEY (race_id, car_id, seq)) \
               PARTITION BY LIST (race_id); \
             CREATE INDEX ON samples_btree USING brin (ts_ms); \
             CREATE INDEX ON samples_btree (car_id, ts_ms);",
        )
        .await
        .expect("the tables compared with samples");

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
    let ticks = per_run.div_ceil(500);
    let generated: Vec<Sample> = (0..ticks).flat_map(|_| sim.step().samples).collect();

    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    println!("load average at start: {}", load_average());
    // (mode, batch) -> per round: samples/s, ratio to the baseline, flush p50 and max.
    let mut results: HashMap<(usize, usize), Vec<[f64; 4]>> = HashMap::new();
    let mut race_ids = Vec::new();
    for _ in 0..rounds {
        for batch_size in BATCHES {
            let mut baseline = 0.0;
            for (m, mode) in MODES.into_iter().enumerate() {
                let race_id = format!("bench-{}", race_ids.len());
                if mode == Mode::CopyWithBtree {
                    pg.get()
                        .await
                        .expect("connection")
                        .execute(
                            &format!(
                                "CREATE TABLE \"{race_id}\" PARTITION OF samples_btree \
                                 FOR VALUES IN ('{race_id}')"
                            ),
                            &[],
                        )
                        .await
                        .expect("partition");
                }
                let rows: Vec<(String, Sample)> = generated
                    .iter()
                    .map(|s| (race_id.clone(), s.clone()))
                    .collect();
                let (rate, p50, max) = run(&pg, &redis, &keys, mode, &rows, batch_size).await;
                if m == 0 {
                    baseline = rate;
                }
                results
                    .entry((m, batch_size))
                    .or_default()
                    .push([rate, rate / baseline, p50, max]);
                race_ids.push(race_id);
            }
        }
    }
    println!("load average at end: {}", load_average());
    println!("| layout, write | batch | samples/s | vs v2 | flush p50 ms | flush max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (m, mode) in MODES.into_iter().enumerate() {
        for batch_size in BATCHES {
            let runs = &results[&(m, batch_size)];
            let median = |i: usize| {
                let mut v: Vec<f64> = runs.iter().map(|r| r[i]).collect();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            println!(
                "| {} | {batch_size} | {:.0} | {:.2} | {:.1} | {:.1} |",
                mode.label(),
                median(0),
                median(1),
                median(2),
                median(3)
            );
        }
    }

    drop(pg);
    let _ = admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await;
    if let Ok(mut conn) = redis.get().await {
        let mut del = deadpool_redis::redis::cmd("DEL");
        for race_id in &race_ids {
            del.arg(keys.samples(race_id));
        }
        let _: Result<(), _> = del.query_async(&mut conn).await;
    }
}
