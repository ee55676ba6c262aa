//! For tests of the PostgreSQL history alone (no broker, no application):
//! a fresh migrated database and simulated races to write into it.

use deadpool_postgres::Pool;
use pitwall::config::Settings;
use pitwall::db;
use pitwall::db::history::{self, HistoryBatch};
use pitwall::domain::records::{RaceStarted, Sample};
use pitwall::domain::sim::{RaceConfig, RaceSim};

/// Settings of an isolated test (its own database, migrated) and a pool on it.
pub async fn migrated_db() -> (Settings, Pool) {
    let settings = super::isolated_settings().await;
    db::migrate(&settings.postgres).await.expect("migrate");
    let pool = db::pg_pool(&settings.postgres).expect("pool");
    (settings, pool)
}

/// A simulated race: its `race_started` and `ticks` ticks of samples of
/// `cars` cars, every sample keyed by the race.
pub fn race(race_id: &str, cars: u32, ticks: usize) -> (RaceStarted, Vec<(String, Sample)>) {
    let config = RaceConfig {
        track: "street".into(),
        cars,
        laps: 3,
        sample_hz: 10.0,
        seed: 7,
        safety_car_probability: 0.0,
        name: race_id.into(),
    };
    let mut sim = RaceSim::new(&config).expect("race");
    let started = RaceStarted {
        v: 1,
        race_id: race_id.into(),
        name: race_id.into(),
        track: sim.track_info(),
        total_laps: config.laps,
        sample_hz: config.sample_hz,
        seed: config.seed,
        entries: sim.entries(),
        ts_ms: 0,
        sent_at_us: 0,
    };
    let samples = (0..ticks)
        .flat_map(|_| sim.step().samples)
        .map(|s| (race_id.to_string(), s))
        .collect();
    (started, samples)
}

/// Writes samples the way storage does.
pub async fn write_samples(pool: &Pool, samples: &[(String, Sample)]) {
    let batch = HistoryBatch {
        samples: samples.to_vec(),
        ..Default::default()
    };
    history::write_batch(pool, &batch).await.expect("write");
}

/// How many samples of the race `samples` holds, in any partition.
pub async fn sample_count(pool: &Pool, race_id: &str) -> i64 {
    let client = pool.get().await.expect("connection");
    client
        .query_one(
            "SELECT count(*) FROM samples WHERE race_id = $1",
            &[&race_id],
        )
        .await
        .expect("count")
        .get(0)
}

/// The partitions the race's samples are in, by name.
pub async fn partitions_of(pool: &Pool, race_id: &str) -> Vec<String> {
    let client = pool.get().await.expect("connection");
    client
        .query(
            "SELECT DISTINCT tableoid::regclass::text FROM samples WHERE race_id = $1",
            &[&race_id],
        )
        .await
        .expect("partitions")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The name of the race's own partition, whether or not it exists.
pub async fn partition_name(pool: &Pool, race_id: &str) -> String {
    let client = pool.get().await.expect("connection");
    client
        .query_one("SELECT samples_partition_name($1)", &[&race_id])
        .await
        .expect("name")
        .get(0)
}

/// Whether a table of that name exists.
pub async fn table_exists(pool: &Pool, name: &str) -> bool {
    let client = pool.get().await.expect("connection");
    client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .await
        .expect("regclass")
        .get(0)
}
