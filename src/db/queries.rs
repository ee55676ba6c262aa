//! Reads of the PostgreSQL history, for GraphQL and the control API. Every
//! query runs under the pool's `statement_timeout`.

use deadpool_postgres::Pool;
use serde::Serialize;

use super::DbError;
use crate::domain::downsample::lttb;

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
    // Every GraphQL request starts here: a statement prepared once per
    // connection saves a round trip and PostgreSQL's planning each time.
    let statement = client.prepare_cached(&sql).await?;
    let row = client.query_opt(&statement, &[&race_id]).await?;
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

/// The track a race ran on, as `race_started` announced it.
pub async fn track(pool: &Pool, race_id: &str) -> Result<Option<serde_json::Value>, DbError> {
    let client = pool.get().await?;
    let row = client
        .query_opt("SELECT track FROM races WHERE race_id = $1", &[&race_id])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// One timed lap.
#[derive(Debug, Clone, Serialize)]
pub struct LapRow {
    pub car_id: i32,
    pub lap: i32,
    pub lap_ms: i32,
    pub sectors_ms: Vec<Option<i32>>,
    pub compound: String,
    pub tyre_age_laps: i32,
    pub personal_best: bool,
    pub overall_best: bool,
    pub ts_ms: i64,
}

/// A race's laps ordered by car then lap, `first` of them after the
/// (car, lap) cursor.
pub async fn laps(
    pool: &Pool,
    race_id: &str,
    car_id: Option<i32>,
    after: Option<(i32, i32)>,
    first: i64,
) -> Result<Vec<LapRow>, DbError> {
    let client = pool.get().await?;
    let (after_car, after_lap) = after.unwrap_or((i32::MIN, i32::MIN));
    let rows = client
        .query(
            "SELECT car_id, lap, lap_ms, sector1_ms, sector2_ms, sector3_ms, compound, tyre_age_laps, \
               personal_best, overall_best, ts_ms FROM laps \
             WHERE race_id = $1 AND ($2::int IS NULL OR car_id = $2) AND (car_id, lap) > ($3, $4) \
             ORDER BY car_id, lap LIMIT $5",
            &[&race_id, &car_id, &after_car, &after_lap, &first],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| LapRow {
            car_id: r.get(0),
            lap: r.get(1),
            lap_ms: r.get(2),
            sectors_ms: vec![r.get(3), r.get(4), r.get(5)],
            compound: r.get(6),
            tyre_age_laps: r.get(7),
            personal_best: r.get(8),
            overall_best: r.get(9),
            ts_ms: r.get(10),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct PitStopRow {
    pub car_id: i32,
    pub lap: i32,
    pub entry_ts_ms: i64,
    pub exit_ts_ms: i64,
    pub stationary_ms: i32,
    pub pit_lane_ms: i32,
    pub compound_in: String,
    pub compound_out: String,
}

pub async fn pit_stops(
    pool: &Pool,
    race_id: &str,
    car_id: Option<i32>,
) -> Result<Vec<PitStopRow>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT car_id, lap, entry_ts_ms, exit_ts_ms, stationary_ms, pit_lane_ms, compound_in, \
               compound_out FROM pit_stops WHERE race_id = $1 AND ($2::int IS NULL OR car_id = $2) \
             ORDER BY entry_ts_ms, car_id",
            &[&race_id, &car_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| PitStopRow {
            car_id: r.get(0),
            lap: r.get(1),
            entry_ts_ms: r.get(2),
            exit_ts_ms: r.get(3),
            stationary_ms: r.get(4),
            pit_lane_ms: r.get(5),
            compound_in: r.get(6),
            compound_out: r.get(7),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct StrategyRow {
    pub car_id: i32,
    pub ts_ms: i64,
    pub lap: i32,
    pub kind: String,
    pub rejoin_position: i32,
    pub rejoin_behind: Option<i32>,
    pub pit_loss_ms: i32,
    pub deg_ms_per_lap: f64,
    pub laps_to_cliff: i32,
    pub pit_window_lap: Option<i32>,
    pub next_compound: String,
    pub rival: Option<i32>,
    pub reason: String,
}

/// Strategy calls, newest first.
pub async fn strategy(
    pool: &Pool,
    race_id: &str,
    car_id: Option<i32>,
    first: i64,
) -> Result<Vec<StrategyRow>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT car_id, ts_ms, lap, kind, rejoin_position, rejoin_behind, pit_loss_ms, \
               deg_ms_per_lap, laps_to_cliff, pit_window_lap, next_compound, rival, reason \
             FROM strategy_calls WHERE race_id = $1 AND ($2::int IS NULL OR car_id = $2) \
             ORDER BY ts_ms DESC, car_id LIMIT $3",
            &[&race_id, &car_id, &first],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| StrategyRow {
            car_id: r.get(0),
            ts_ms: r.get(1),
            lap: r.get(2),
            kind: r.get(3),
            rejoin_position: r.get(4),
            rejoin_behind: r.get(5),
            pit_loss_ms: r.get(6),
            deg_ms_per_lap: r.get(7),
            laps_to_cliff: r.get(8),
            pit_window_lap: r.get(9),
            next_compound: r.get(10),
            rival: r.get(11),
            reason: r.get(12),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct RaceControlRow {
    pub ts_ms: i64,
    pub kind: String,
    pub car_id: Option<i32>,
    pub message: String,
}

pub async fn race_control(pool: &Pool, race_id: &str) -> Result<Vec<RaceControlRow>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT ts_ms, kind, car_id, message FROM race_control WHERE race_id = $1 ORDER BY ts_ms, kind",
            &[&race_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let car: i32 = r.get(2);
            RaceControlRow {
                ts_ms: r.get(0),
                kind: r.get(1),
                car_id: (car != 0).then_some(car),
                message: r.get(3),
            }
        })
        .collect())
}

/// The newest leaderboard snapshot of a race (its final classification
/// once it has finished).
pub async fn final_leaderboard(
    pool: &Pool,
    race_id: &str,
) -> Result<Option<serde_json::Value>, DbError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT board FROM leaderboard_snapshots WHERE race_id = $1 ORDER BY ts_ms DESC LIMIT 1",
            &[&race_id],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub ts_ms: i64,
    pub position: i32,
    pub gap_to_leader_ms: Option<i64>,
}

/// A car's position and gap to the leader at each leaderboard snapshot.
pub async fn gap_history(pool: &Pool, race_id: &str, car_id: i32) -> Result<Vec<GapRow>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT s.ts_ms, (e->>'position')::int, (e->>'gap_to_leader_ms')::bigint \
             FROM leaderboard_snapshots s, jsonb_array_elements(s.board->'entries') e \
             WHERE s.race_id = $1 AND (e->>'car_id')::int = $2 ORDER BY s.ts_ms",
            &[&race_id, &car_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| GapRow {
            ts_ms: r.get(0),
            position: r.get(1),
            gap_to_leader_ms: r.get(2),
        })
        .collect())
}

/// One telemetry point of a car.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TelemetryRow {
    pub ts_ms: i64,
    pub speed_kph: f32,
    pub throttle: f32,
    pub brake: f32,
    pub gear: i16,
    pub lap: i32,
    pub lap_distance_m: f32,
    pub x: f32,
    pub y: f32,
}

/// A car's telemetry between two instants of race clock, at most
/// `max_points` samples chosen so its speed trace keeps its shape (LTTB),
/// in time order. Only what the choice needs (three columns) is read for
/// every sample in the range; whole rows are read for the chosen ones, by
/// key. Time order is the order of `seq` (it grows with the race clock for
/// each car), which the primary key already holds: nothing is sorted.
///
/// The three columns come back as three arrays in one row: an hour at
/// 10 Hz sent as 36,000 rows cost this server 3× the CPU to decode
/// (docs/storage.md). `array_agg` keeps the order of its input, which the
/// ordered subquery fixes.
pub async fn telemetry(
    pool: &Pool,
    race_id: &str,
    car_id: i32,
    (from_ms, to_ms): (i64, i64),
    max_points: usize,
) -> Result<Vec<TelemetryRow>, DbError> {
    let client = pool.get().await?;
    let trace = client
        .query_one(
            "SELECT coalesce(array_agg(seq), '{}'), coalesce(array_agg(ts_ms), '{}'), \
                    coalesce(array_agg(speed_kph), '{}') \
             FROM (SELECT seq, ts_ms, speed_kph FROM samples \
                   WHERE race_id = $1 AND car_id = $2 AND ts_ms BETWEEN $3 AND $4 \
                   ORDER BY seq) t",
            &[&race_id, &car_id, &from_ms, &to_ms],
        )
        .await?;
    let all_seqs: Vec<i64> = trace.get(0);
    let xs: Vec<f64> = trace
        .get::<_, Vec<i64>>(1)
        .into_iter()
        .map(|ts| ts as f64)
        .collect();
    let ys: Vec<f64> = trace
        .get::<_, Vec<f32>>(2)
        .into_iter()
        .map(f64::from)
        .collect();
    let seqs: Vec<i64> = lttb(&xs, &ys, max_points)
        .into_iter()
        .map(|i| all_seqs[i])
        .collect();
    let rows = client
        .query(
            "SELECT ts_ms, speed_kph, throttle, brake, gear, lap, lap_distance_m, x, y FROM samples \
             WHERE race_id = $1 AND car_id = $2 AND seq = ANY($3) ORDER BY seq",
            &[&race_id, &car_id, &seqs],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| TelemetryRow {
            ts_ms: r.get(0),
            speed_kph: r.get(1),
            throttle: r.get(2),
            brake: r.get(3),
            gear: r.get(4),
            lap: r.get(5),
            lap_distance_m: r.get(6),
            x: r.get(7),
            y: r.get(8),
        })
        .collect())
}
