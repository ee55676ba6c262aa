//! PostgreSQL history: what storage writes and what GraphQL reads. Writes go
//! in one transaction per batch, rows through UNNEST (one statement per table,
//! never one per row), idempotent on natural keys.

use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;

use super::DbError;
use crate::domain::records::{RaceStarted, Sample};

/// Everything one storage flush writes to PostgreSQL.
#[derive(Debug, Default)]
pub struct HistoryBatch {
    pub races: Vec<RaceStarted>,
    pub samples: Vec<(String, Sample)>,
    /// (race_id, final race clock, status)
    pub finished: Vec<(String, u64, &'static str)>,
}

impl HistoryBatch {
    pub fn is_empty(&self) -> bool {
        self.races.is_empty() && self.samples.is_empty() && self.finished.is_empty()
    }
}

/// Writes a batch in one transaction: races first, then samples, then the
/// races that ended, so a race shows as finished only with all its samples.
pub async fn write_batch(pool: &Pool, batch: &HistoryBatch) -> Result<(), DbError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    for race in &batch.races {
        insert_race(&tx, race).await?;
    }
    insert_samples(&tx, &batch.samples).await?;
    for (race_id, ts_ms, status) in &batch.finished {
        tx.execute(
            "UPDATE races SET status = $2, finished_at = now(), final_ts_ms = $3 \
             WHERE race_id = $1 AND status = 'running'",
            &[race_id, status, &(*ts_ms as i64)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_race(tx: &impl GenericClient, race: &RaceStarted) -> Result<(), DbError> {
    let track = serde_json::to_value(&race.track).map_err(|e| DbError::Data(e.to_string()))?;
    tx.execute(
        "INSERT INTO races (race_id, name, track_id, track, total_laps, sample_hz, seed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (race_id) DO NOTHING",
        &[
            &race.race_id,
            &race.name,
            &race.track.id,
            &track,
            &(race.total_laps as i32),
            &race.sample_hz,
            &(race.seed as i64),
        ],
    )
    .await?;
    let car_ids: Vec<i32> = race.entries.iter().map(|e| e.car_id as i32).collect();
    let numbers: Vec<i32> = race.entries.iter().map(|e| e.number as i32).collect();
    let drivers: Vec<&str> = race.entries.iter().map(|e| e.driver.as_str()).collect();
    let teams: Vec<&str> = race.entries.iter().map(|e| e.team.as_str()).collect();
    tx.execute(
        "INSERT INTO entries (race_id, car_id, number, driver, team) \
         SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::text[], $5::text[]) \
         ON CONFLICT DO NOTHING",
        &[&race.race_id, &car_ids, &numbers, &drivers, &teams],
    )
    .await?;
    Ok(())
}

async fn insert_samples(
    tx: &impl GenericClient,
    samples: &[(String, Sample)],
) -> Result<(), DbError> {
    if samples.is_empty() {
        return Ok(());
    }
    let col = |f: &dyn Fn(&Sample) -> f32| samples.iter().map(|(_, s)| f(s)).collect::<Vec<f32>>();
    let race_ids: Vec<&str> = samples.iter().map(|(r, _)| r.as_str()).collect();
    let car_ids: Vec<i32> = samples.iter().map(|(_, s)| s.car_id as i32).collect();
    let seqs: Vec<i64> = samples.iter().map(|(_, s)| s.seq as i64).collect();
    let ts: Vec<i64> = samples.iter().map(|(_, s)| s.ts_ms as i64).collect();
    let laps: Vec<i32> = samples.iter().map(|(_, s)| s.lap as i32).collect();
    let gears: Vec<i16> = samples.iter().map(|(_, s)| i16::from(s.gear)).collect();
    let rpms: Vec<i32> = samples.iter().map(|(_, s)| s.rpm as i32).collect();
    let drs: Vec<bool> = samples.iter().map(|(_, s)| s.drs).collect();
    let compounds: Vec<&str> = samples
        .iter()
        .map(|(_, s)| s.tyre.compound.as_str())
        .collect();
    let ages: Vec<i32> = samples
        .iter()
        .map(|(_, s)| s.tyre.age_laps as i32)
        .collect();
    let pits: Vec<&str> = samples.iter().map(|(_, s)| s.pit.as_str()).collect();
    tx.execute(
        "INSERT INTO samples (race_id, car_id, seq, ts_ms, lap, lap_distance_m, speed_kph, \
           throttle, brake, gear, rpm, drs, compound, tyre_age_laps, tyre_wear, fuel_kg, x, y, pit) \
         SELECT * FROM UNNEST($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::int[], \
           $6::real[], $7::real[], $8::real[], $9::real[], $10::smallint[], $11::int[], \
           $12::bool[], $13::text[], $14::int[], $15::real[], $16::real[], $17::real[], \
           $18::real[], $19::text[]) \
         ON CONFLICT DO NOTHING",
        &[
            &race_ids,
            &car_ids,
            &seqs,
            &ts,
            &laps,
            &col(&|s| s.lap_distance_m as f32),
            &col(&|s| s.speed_kph as f32),
            &col(&|s| s.throttle as f32),
            &col(&|s| s.brake as f32),
            &gears,
            &rpms,
            &drs,
            &compounds,
            &ages,
            &col(&|s| s.tyre.wear as f32),
            &col(&|s| s.fuel_kg as f32),
            &col(&|s| s.x as f32),
            &col(&|s| s.y as f32),
            &pits,
        ],
    )
    .await?;
    Ok(())
}

/// A race as the history knows it.
#[derive(Debug, Clone, Serialize)]
pub struct RaceRow {
    pub race_id: String,
    pub name: String,
    pub track_id: String,
    pub total_laps: i32,
    pub sample_hz: f64,
    pub status: String,
    pub started_at_ms: i64,
}

const RACE_COLUMNS: &str = "race_id, name, track_id, total_laps, sample_hz, status, \
     (extract(epoch from started_at) * 1000)::bigint";

fn race_row(row: &tokio_postgres::Row) -> RaceRow {
    RaceRow {
        race_id: row.get(0),
        name: row.get(1),
        track_id: row.get(2),
        total_laps: row.get(3),
        sample_hz: row.get(4),
        status: row.get(5),
        started_at_ms: row.get(6),
    }
}

/// Races, newest first, optionally only those with `status`.
pub async fn races(pool: &Pool, status: Option<&str>, limit: i64) -> Result<Vec<RaceRow>, DbError> {
    let client = pool.get().await?;
    let sql = format!(
        "SELECT {RACE_COLUMNS} FROM races WHERE ($1::text IS NULL OR status = $1) \
         ORDER BY started_at DESC, race_id LIMIT $2"
    );
    let rows = client.query(&sql, &[&status, &limit]).await?;
    Ok(rows.iter().map(race_row).collect())
}

pub async fn race(pool: &Pool, race_id: &str) -> Result<Option<RaceRow>, DbError> {
    let client = pool.get().await?;
    let sql = format!("SELECT {RACE_COLUMNS} FROM races WHERE race_id = $1");
    let row = client.query_opt(&sql, &[&race_id]).await?;
    Ok(row.as_ref().map(race_row))
}

/// One entry of a race's entry list.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRow {
    pub car_id: i32,
    pub number: i32,
    pub driver: String,
    pub team: String,
}

pub async fn entries(pool: &Pool, race_id: &str) -> Result<Vec<EntryRow>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT car_id, number, driver, team FROM entries WHERE race_id = $1 ORDER BY car_id",
            &[&race_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| EntryRow {
            car_id: r.get(0),
            number: r.get(1),
            driver: r.get(2),
            team: r.get(3),
        })
        .collect())
}

/// How many samples the history holds for a race.
pub async fn sample_count(pool: &Pool, race_id: &str) -> Result<i64, DbError> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            "SELECT count(*) FROM samples WHERE race_id = $1",
            &[&race_id],
        )
        .await?;
    Ok(row.get(0))
}
