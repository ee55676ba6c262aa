//! Writes of what processing works out (laps, pit stops, strategy calls,
//! leaderboard snapshots) and of race control: one UNNEST statement per
//! table per batch, idempotent on each table's natural key.

use deadpool_postgres::GenericClient;

use super::DbError;
use crate::domain::events::{LapCompleted, PitStop, StrategyEvent};
use crate::domain::records::RaceControl;

/// The processed part of a storage batch.
#[derive(Debug, Default)]
pub struct EventRows {
    pub laps: Vec<LapCompleted>,
    pub pit_stops: Vec<PitStop>,
    pub strategy: Vec<StrategyEvent>,
    pub race_control: Vec<RaceControl>,
    /// (race_id, ts_ms, leaderboard JSON)
    pub snapshots: Vec<(String, u64, serde_json::Value)>,
}

impl EventRows {
    pub fn is_empty(&self) -> bool {
        self.laps.is_empty()
            && self.pit_stops.is_empty()
            && self.strategy.is_empty()
            && self.race_control.is_empty()
            && self.snapshots.is_empty()
    }
}

fn ms(v: u64) -> i32 {
    v.min(i32::MAX as u64) as i32
}

pub async fn insert(tx: &impl GenericClient, rows: &EventRows) -> Result<(), DbError> {
    if !rows.laps.is_empty() {
        insert_laps(tx, &rows.laps).await?;
    }
    if !rows.pit_stops.is_empty() {
        insert_pit_stops(tx, &rows.pit_stops).await?;
    }
    if !rows.strategy.is_empty() {
        insert_strategy(tx, &rows.strategy).await?;
    }
    if !rows.race_control.is_empty() {
        insert_race_control(tx, &rows.race_control).await?;
    }
    if !rows.snapshots.is_empty() {
        let race: Vec<&str> = rows.snapshots.iter().map(|(r, _, _)| r.as_str()).collect();
        let ts: Vec<i64> = rows.snapshots.iter().map(|(_, t, _)| *t as i64).collect();
        let boards: Vec<&serde_json::Value> = rows.snapshots.iter().map(|(_, _, b)| b).collect();
        tx.execute(
            "INSERT INTO leaderboard_snapshots (race_id, ts_ms, board) \
             SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::jsonb[]) ON CONFLICT DO NOTHING",
            &[&race, &ts, &boards],
        )
        .await?;
    }
    Ok(())
}

async fn insert_laps(tx: &impl GenericClient, laps: &[LapCompleted]) -> Result<(), DbError> {
    let sector = |i: usize| -> Vec<Option<i32>> {
        laps.iter()
            .map(|l| l.sectors_ms.get(i).map(|&v| ms(v)))
            .collect()
    };
    let race: Vec<&str> = laps.iter().map(|l| l.meta.race_id.as_str()).collect();
    let car: Vec<i32> = laps.iter().map(|l| l.car_id as i32).collect();
    let lap: Vec<i32> = laps.iter().map(|l| l.lap as i32).collect();
    let lap_ms: Vec<i32> = laps.iter().map(|l| ms(l.lap_ms)).collect();
    let compound: Vec<&str> = laps.iter().map(|l| l.compound.as_str()).collect();
    let age: Vec<i32> = laps.iter().map(|l| l.tyre_age_laps as i32).collect();
    let pb: Vec<bool> = laps.iter().map(|l| l.personal_best).collect();
    let ob: Vec<bool> = laps.iter().map(|l| l.overall_best).collect();
    let ts: Vec<i64> = laps.iter().map(|l| l.meta.ts_ms as i64).collect();
    tx.execute(
        "INSERT INTO laps (race_id, car_id, lap, lap_ms, sector1_ms, sector2_ms, sector3_ms, \
           compound, tyre_age_laps, personal_best, overall_best, ts_ms) \
         SELECT * FROM UNNEST($1::text[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], \
           $7::int[], $8::text[], $9::int[], $10::bool[], $11::bool[], $12::bigint[]) \
         ON CONFLICT DO NOTHING",
        &[
            &race,
            &car,
            &lap,
            &lap_ms,
            &sector(0),
            &sector(1),
            &sector(2),
            &compound,
            &age,
            &pb,
            &ob,
            &ts,
        ],
    )
    .await?;
    Ok(())
}

async fn insert_pit_stops(tx: &impl GenericClient, stops: &[PitStop]) -> Result<(), DbError> {
    let race: Vec<&str> = stops.iter().map(|s| s.meta.race_id.as_str()).collect();
    let car: Vec<i32> = stops.iter().map(|s| s.car_id as i32).collect();
    let lap: Vec<i32> = stops.iter().map(|s| s.lap as i32).collect();
    let entry: Vec<i64> = stops.iter().map(|s| s.entry_ts_ms as i64).collect();
    let exit: Vec<i64> = stops.iter().map(|s| s.exit_ts_ms as i64).collect();
    let stationary: Vec<i32> = stops.iter().map(|s| ms(s.stationary_ms)).collect();
    let lane: Vec<i32> = stops.iter().map(|s| ms(s.pit_lane_ms)).collect();
    let c_in: Vec<&str> = stops.iter().map(|s| s.compound_in.as_str()).collect();
    let c_out: Vec<&str> = stops.iter().map(|s| s.compound_out.as_str()).collect();
    tx.execute(
        "INSERT INTO pit_stops (race_id, car_id, lap, entry_ts_ms, exit_ts_ms, stationary_ms, \
           pit_lane_ms, compound_in, compound_out) \
         SELECT * FROM UNNEST($1::text[], $2::int[], $3::int[], $4::bigint[], $5::bigint[], \
           $6::int[], $7::int[], $8::text[], $9::text[]) ON CONFLICT DO NOTHING",
        &[
            &race,
            &car,
            &lap,
            &entry,
            &exit,
            &stationary,
            &lane,
            &c_in,
            &c_out,
        ],
    )
    .await?;
    Ok(())
}

async fn insert_strategy(tx: &impl GenericClient, calls: &[StrategyEvent]) -> Result<(), DbError> {
    let race: Vec<&str> = calls.iter().map(|c| c.meta.race_id.as_str()).collect();
    let car: Vec<i32> = calls.iter().map(|c| c.call.car_id as i32).collect();
    let ts: Vec<i64> = calls.iter().map(|c| c.meta.ts_ms as i64).collect();
    let lap: Vec<i32> = calls.iter().map(|c| c.call.lap as i32).collect();
    let kind: Vec<&str> = calls.iter().map(|c| c.call.kind.as_str()).collect();
    let rejoin: Vec<i32> = calls
        .iter()
        .map(|c| c.call.rejoin_position as i32)
        .collect();
    let behind: Vec<Option<i32>> = calls
        .iter()
        .map(|c| c.call.rejoin_behind.map(|v| v as i32))
        .collect();
    let loss: Vec<i32> = calls.iter().map(|c| ms(c.call.pit_loss_ms)).collect();
    let deg: Vec<f64> = calls.iter().map(|c| c.call.deg_ms_per_lap).collect();
    let cliff: Vec<i32> = calls.iter().map(|c| c.call.laps_to_cliff).collect();
    let window: Vec<Option<i32>> = calls
        .iter()
        .map(|c| c.call.pit_window_lap.map(|v| v as i32))
        .collect();
    let next: Vec<&str> = calls
        .iter()
        .map(|c| c.call.next_compound.as_str())
        .collect();
    let rival: Vec<Option<i32>> = calls
        .iter()
        .map(|c| c.call.rival.map(|v| v as i32))
        .collect();
    let reason: Vec<&str> = calls.iter().map(|c| c.call.reason.as_str()).collect();
    tx.execute(
        "INSERT INTO strategy_calls (race_id, car_id, ts_ms, lap, kind, rejoin_position, \
           rejoin_behind, pit_loss_ms, deg_ms_per_lap, laps_to_cliff, pit_window_lap, \
           next_compound, rival, reason) \
         SELECT * FROM UNNEST($1::text[], $2::int[], $3::bigint[], $4::int[], $5::text[], \
           $6::int[], $7::int[], $8::int[], $9::float8[], $10::int[], $11::int[], $12::text[], \
           $13::int[], $14::text[]) ON CONFLICT DO NOTHING",
        &[
            &race, &car, &ts, &lap, &kind, &rejoin, &behind, &loss, &deg, &cliff, &window, &next,
            &rival, &reason,
        ],
    )
    .await?;
    Ok(())
}

async fn insert_race_control(
    tx: &impl GenericClient,
    messages: &[RaceControl],
) -> Result<(), DbError> {
    let race: Vec<&str> = messages.iter().map(|m| m.race_id.as_str()).collect();
    let ts: Vec<i64> = messages.iter().map(|m| m.ts_ms as i64).collect();
    let kind: Vec<String> = messages
        .iter()
        .map(|m| {
            serde_json::to_value(m.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    let car: Vec<i32> = messages
        .iter()
        .map(|m| m.car_id.unwrap_or(0) as i32)
        .collect();
    let text: Vec<&str> = messages.iter().map(|m| m.message.as_str()).collect();
    tx.execute(
        "INSERT INTO race_control (race_id, ts_ms, kind, car_id, message) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[]) \
         ON CONFLICT DO NOTHING",
        &[&race, &ts, &kind, &car, &text],
    )
    .await?;
    Ok(())
}
