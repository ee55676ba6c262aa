//! History objects read from PostgreSQL: laps, stints, pit stops, strategy
//! calls, race control messages, gap history, the track.

use juniper::GraphQLObject;

use super::Context;
use crate::db::queries::{GapRow, LapRow, PitStopRow, RaceControlRow, StrategyRow};

/// One timed lap. Race-clock instants are milliseconds from the start.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct Lap {
    pub car_id: i32,
    pub lap: i32,
    pub lap_ms: i32,
    /// Sector times; null where a sector line was not seen.
    pub sectors_ms: Vec<Option<i32>>,
    pub compound: String,
    pub tyre_age_laps: i32,
    pub personal_best: bool,
    pub overall_best: bool,
    /// Race clock when the lap was completed.
    pub ts_ms: f64,
}

impl From<LapRow> for Lap {
    fn from(r: LapRow) -> Self {
        Lap {
            car_id: r.car_id,
            lap: r.lap,
            lap_ms: r.lap_ms,
            sectors_ms: r.sectors_ms,
            compound: r.compound,
            tyre_age_laps: r.tyre_age_laps,
            personal_best: r.personal_best,
            overall_best: r.overall_best,
            ts_ms: r.ts_ms as f64,
        }
    }
}

/// A run on one set of tyres, from the laps timed on it.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct Stint {
    pub car_id: i32,
    pub stint: i32,
    pub compound: String,
    pub first_lap: i32,
    pub last_lap: i32,
    pub laps: i32,
    /// Mean lap time of the stint's laps.
    pub mean_lap_ms: f64,
}

/// Stints from laps ordered by car and lap: a new stint where the compound
/// changes or the tyre age goes back.
pub fn stints(laps: &[LapRow]) -> Vec<Stint> {
    let mut out: Vec<Stint> = Vec::new();
    let mut prev: Option<&LapRow> = None;
    for lap in laps {
        let same_stint = prev.is_some_and(|p| {
            p.car_id == lap.car_id
                && p.compound == lap.compound
                && p.tyre_age_laps <= lap.tyre_age_laps
        });
        match out.last_mut() {
            Some(stint) if same_stint => {
                stint.mean_lap_ms = (stint.mean_lap_ms * f64::from(stint.laps)
                    + f64::from(lap.lap_ms))
                    / f64::from(stint.laps + 1);
                stint.laps += 1;
                stint.last_lap = lap.lap;
            }
            _ => {
                let number = match prev {
                    Some(p) if p.car_id == lap.car_id => out.last().map_or(1, |s| s.stint + 1),
                    _ => 1,
                };
                out.push(Stint {
                    car_id: lap.car_id,
                    stint: number,
                    compound: lap.compound.clone(),
                    first_lap: lap.lap,
                    last_lap: lap.lap,
                    laps: 1,
                    mean_lap_ms: f64::from(lap.lap_ms),
                });
            }
        }
        prev = Some(lap);
    }
    out
}

#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct PitStop {
    pub car_id: i32,
    pub lap: i32,
    pub entry_ts_ms: f64,
    pub exit_ts_ms: f64,
    pub stationary_ms: i32,
    pub pit_lane_ms: i32,
    pub compound_in: String,
    pub compound_out: String,
}

impl From<PitStopRow> for PitStop {
    fn from(r: PitStopRow) -> Self {
        PitStop {
            car_id: r.car_id,
            lap: r.lap,
            entry_ts_ms: r.entry_ts_ms as f64,
            exit_ts_ms: r.exit_ts_ms as f64,
            stationary_ms: r.stationary_ms,
            pit_lane_ms: r.pit_lane_ms,
            compound_in: r.compound_in,
            compound_out: r.compound_out,
        }
    }
}

/// A strategy call with the numbers behind it.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct StrategyCall {
    pub car_id: i32,
    pub ts_ms: f64,
    pub lap: i32,
    /// pit_now, pit_window_open, stay_out, undercut_threat, overcut_opportunity
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

impl From<StrategyRow> for StrategyCall {
    fn from(r: StrategyRow) -> Self {
        StrategyCall {
            car_id: r.car_id,
            ts_ms: r.ts_ms as f64,
            lap: r.lap,
            kind: r.kind,
            rejoin_position: r.rejoin_position,
            rejoin_behind: r.rejoin_behind,
            pit_loss_ms: r.pit_loss_ms,
            deg_ms_per_lap: r.deg_ms_per_lap,
            laps_to_cliff: r.laps_to_cliff,
            pit_window_lap: r.pit_window_lap,
            next_compound: r.next_compound,
            rival: r.rival,
            reason: r.reason,
        }
    }
}

#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct RaceControlMessage {
    pub ts_ms: f64,
    pub kind: String,
    pub car_id: Option<i32>,
    pub message: String,
}

impl From<RaceControlRow> for RaceControlMessage {
    fn from(r: RaceControlRow) -> Self {
        RaceControlMessage {
            ts_ms: r.ts_ms as f64,
            kind: r.kind,
            car_id: r.car_id,
            message: r.message,
        }
    }
}

/// A car's position and gap at one leaderboard snapshot.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct GapPoint {
    pub ts_ms: f64,
    pub position: i32,
    pub gap_to_leader_ms: Option<f64>,
}

impl From<GapRow> for GapPoint {
    fn from(r: GapRow) -> Self {
        GapPoint {
            ts_ms: r.ts_ms as f64,
            position: r.position,
            gap_to_leader_ms: r.gap_to_leader_ms.map(|g| g as f64),
        }
    }
}

/// The circuit: its length, sector lines and centre line for maps.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct Track {
    pub id: String,
    pub name: String,
    pub length_m: f64,
    pub sector_starts_m: Vec<f64>,
    /// [x, y] points in metres along the lap from the line.
    pub centreline: Vec<Vec<f64>>,
    pub pit_loss_ms: f64,
}

impl From<crate::domain::records::TrackInfo> for Track {
    fn from(t: crate::domain::records::TrackInfo) -> Self {
        Track {
            id: t.id,
            name: t.name,
            length_m: t.length_m,
            sector_starts_m: t.sector_starts_m.to_vec(),
            centreline: t.centreline.iter().map(|p| p.to_vec()).collect(),
            pit_loss_ms: t.pit_loss_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lap(car_id: i32, lap: i32, compound: &str, age: i32, ms: i32) -> LapRow {
        LapRow {
            car_id,
            lap,
            lap_ms: ms,
            sectors_ms: vec![],
            compound: compound.into(),
            tyre_age_laps: age,
            personal_best: false,
            overall_best: false,
            ts_ms: 0,
        }
    }

    #[test]
    fn stints_split_on_compound_or_fresh_tyres_and_per_car() {
        let laps = vec![
            lap(1, 1, "soft", 0, 90_000),
            lap(1, 2, "soft", 1, 92_000),
            lap(1, 3, "hard", 0, 95_000),
            lap(1, 4, "hard", 1, 93_000),
            lap(1, 5, "hard", 0, 94_000),
            lap(2, 1, "medium", 0, 91_000),
        ];
        let s = stints(&laps);
        let shape: Vec<(i32, i32, &str, i32, i32)> = s
            .iter()
            .map(|s| {
                (
                    s.car_id,
                    s.stint,
                    s.compound.as_str(),
                    s.first_lap,
                    s.last_lap,
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (1, 1, "soft", 1, 2),
                (1, 2, "hard", 3, 4),
                (1, 3, "hard", 5, 5),
                (2, 1, "medium", 1, 1)
            ]
        );
        assert_eq!(s[0].mean_lap_ms, 91_000.0);
    }
}
