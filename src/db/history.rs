//! PostgreSQL history: what storage writes and what GraphQL reads. Writes go
//! in one transaction per batch, rows through UNNEST (one statement per table,
//! never one per row), idempotent on natural keys.

use deadpool_postgres::{GenericClient, Pool};

use super::history_events::{self, EventRows};
use super::DbError;
use crate::domain::records::{RaceStarted, Sample};

/// Everything one storage flush writes to PostgreSQL.
#[derive(Debug, Default)]
pub struct HistoryBatch {
    pub races: Vec<RaceStarted>,
    pub samples: Vec<(String, Sample)>,
    /// Laps, pit stops, strategy, race control, leaderboard snapshots.
    pub events: EventRows,
    /// (race_id, final race clock, status)
    pub finished: Vec<(String, u64, &'static str)>,
}

impl HistoryBatch {
    pub fn is_empty(&self) -> bool {
        self.races.is_empty()
            && self.samples.is_empty()
            && self.events.is_empty()
            && self.finished.is_empty()
    }
}

/// Writes a batch in one transaction: races first, then samples and events,
/// then the races that ended, so a race shows as finished only with all of
/// its history.
pub async fn write_batch(pool: &Pool, batch: &HistoryBatch) -> Result<(), DbError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    for race in &batch.races {
        insert_race(&tx, race).await?;
    }
    insert_samples(&tx, &batch.samples).await?;
    history_events::insert(&tx, &batch.events).await?;
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
