//! PostgreSQL history: what storage writes. Writes go in one transaction per
//! batch, rows through binary COPY or UNNEST (one statement per table, never
//! one per row), idempotent on natural keys.

use deadpool_postgres::{GenericClient, Pool};

use super::history_events::{self, EventRows};
use super::samples;
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

/// From this many samples, a batch's second half goes in over a second
/// connection at the same time as the first: on 2 cores the two backends
/// then share the work (examples/bench_storage, docs/benchmarks.md). Below
/// it the second round trip costs more than it saves.
const SPLIT_FROM_SAMPLES: usize = 10_000;

/// Writes a batch: races, samples and events in one transaction (a large
/// batch's second half of samples in a concurrent one of its own), then the
/// races that ended, after both have committed, so a race shows as
/// finished only with all of its history. A failure anywhere fails the
/// batch, and retrying it is safe: every write is idempotent.
pub async fn write_batch(pool: &Pool, batch: &HistoryBatch) -> Result<(), DbError> {
    let mut client = pool.get().await?;
    samples::ensure_partitions(&client, &batch.samples).await?;
    let all = &batch.samples[..];
    // A pool of one would wait on itself.
    let (first, second) = if all.len() >= SPLIT_FROM_SAMPLES && pool.status().max_size > 1 {
        all.split_at(all.len() / 2)
    } else {
        (all, &all[..0])
    };
    let main = async {
        let mut tx = client.transaction().await?;
        for race in &batch.races {
            insert_race(&tx, race).await?;
        }
        samples::insert(&mut tx, first).await?;
        history_events::insert(&tx, &batch.events).await?;
        if second.is_empty() {
            mark_finished(&tx, &batch.finished).await?;
        }
        tx.commit().await?;
        Ok::<_, DbError>(())
    };
    let (main, other) = futures_util::future::join(main, samples_alone(pool, second)).await;
    main?;
    other?;
    if !second.is_empty() {
        mark_finished(&client, &batch.finished).await?;
    }
    Ok(())
}

/// Samples in a transaction of their own, on a connection of their own.
async fn samples_alone(pool: &Pool, rows: &[(String, Sample)]) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut client = pool.get().await?;
    let mut tx = client.transaction().await?;
    samples::insert(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(())
}

async fn mark_finished(
    client: &impl GenericClient,
    finished: &[(String, u64, &'static str)],
) -> Result<(), DbError> {
    for (race_id, ts_ms, status) in finished {
        client
            .execute(
                "UPDATE races SET status = $2, finished_at = now(), final_ts_ms = $3 \
                 WHERE race_id = $1 AND status = 'running'",
                &[race_id, status, &(*ts_ms as i64)],
            )
            .await?;
    }
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
