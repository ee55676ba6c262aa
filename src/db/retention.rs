//! Retention of the history. Samples are the bulk (5,000 cars at 10 Hz is
//! ~180 M rows an hour) and leaderboard snapshots the next (one whole board
//! a second); both grow with field size × race length. So a race that ended
//! more than `storage.retention_days` ago loses its samples partition
//! (a DROP TABLE, instant whatever its size) and every leaderboard snapshot
//! but the final classification. What is small and what analysts compare
//! across races stays: the race, its entries, laps, pit stops, strategy
//! calls and race control. Races still running are never touched.

use deadpool_postgres::Pool;

use super::DbError;

/// Races handled per run, so one run holds its locks briefly.
const RACES_PER_RUN: i64 = 20;

/// How long a run waits for the exclusive lock on `samples` that dropping a
/// partition needs; while it waits, flushes queue behind it. Past this the
/// run gives up and the next one tries again.
const LOCK_TIMEOUT: &str = "2s";

/// Drops the samples (and all but the final leaderboard snapshot) of races
/// that ended more than `days` days ago; `days == 0` keeps everything.
/// Returns the ids of the races it cleared. Several storage instances may
/// run this at once: one does the work, the others return at once.
pub async fn drop_expired(pool: &Pool, days: u32) -> Result<Vec<String>, DbError> {
    if days == 0 {
        return Ok(Vec::new());
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mine: bool = tx
        .query_one(
            "SELECT pg_try_advisory_xact_lock(hashtext('pitwall-retention'))",
            &[],
        )
        .await?
        .get(0);
    if !mine {
        return Ok(Vec::new());
    }
    tx.batch_execute(&format!("SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        .await?;
    let expired = tx
        .query(
            "SELECT race_id, samples_partition_name(race_id) FROM races \
             WHERE status <> 'running' AND samples_dropped_at IS NULL \
               AND finished_at < now() - make_interval(days => $1) \
             ORDER BY finished_at LIMIT $2",
            &[&(days as i32), &RACES_PER_RUN],
        )
        .await?;
    let mut cleared = Vec::with_capacity(expired.len());
    for row in expired {
        let (race_id, partition): (String, String) = (row.get(0), row.get(1));
        // The name is [a-z0-9_] by construction (samples_partition_name).
        tx.batch_execute(&format!("DROP TABLE IF EXISTS \"{partition}\""))
            .await?;
        tx.execute(
            "DELETE FROM leaderboard_snapshots WHERE race_id = $1 AND ts_ms < \
             (SELECT max(ts_ms) FROM leaderboard_snapshots WHERE race_id = $1)",
            &[&race_id],
        )
        .await?;
        tx.execute(
            "UPDATE races SET samples_dropped_at = now() WHERE race_id = $1",
            &[&race_id],
        )
        .await?;
        cleared.push(race_id);
    }
    // Rows of cleared races that reached the default partition instead of
    // one of their own (a replay after the drop: see ensure_samples_partition).
    tx.execute(
        "DELETE FROM samples_default d USING races r \
         WHERE r.race_id = d.race_id AND r.samples_dropped_at IS NOT NULL",
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(cleared)
}
