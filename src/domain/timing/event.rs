//! What `RaceTiming::ingest` and `race_control` return, and the per-lap
//! record timing keeps for strategy.
//!
//! Lap completions and pit stops are the `events.rs` types themselves, ready
//! to publish. A car finishing or retiring has no event of its own in
//! `events.rs` yet (the leaderboard shows both through `CarStatus`); their
//! structs here carry an `EventMeta` so they can become variants unchanged.

use serde::{Deserialize, Serialize};

use crate::domain::events::{EventMeta, LapCompleted, PitStop, ProcessedEvent};
use crate::domain::records::Compound;

/// One timing event caused by a sample or a race control message.
#[derive(Debug, Clone, PartialEq)]
pub enum TimingEvent {
    LapCompleted(LapCompleted),
    /// A car turned into the pit lane: strategy projects where it will
    /// rejoin. Not published itself; the stop is, when it ends.
    PitEntered(PitEntered),
    PitStop(PitStopCompleted),
    Finished(CarFinished),
    Retired(CarRetired),
}

impl TimingEvent {
    pub fn car_id(&self) -> u32 {
        match self {
            TimingEvent::LapCompleted(e) => e.car_id,
            TimingEvent::PitEntered(e) => e.car_id,
            TimingEvent::PitStop(e) => e.stop.car_id,
            TimingEvent::Finished(e) => e.car_id,
            TimingEvent::Retired(e) => e.car_id,
        }
    }

    /// The event as published on `telemetry_processed`, for the kinds that
    /// `events.rs` has a variant for.
    pub fn to_processed(&self) -> Option<ProcessedEvent> {
        match self {
            TimingEvent::LapCompleted(e) => Some(ProcessedEvent::LapCompleted(e.clone())),
            TimingEvent::PitStop(e) => Some(ProcessedEvent::PitStop(e.stop.clone())),
            TimingEvent::PitEntered(_) | TimingEvent::Finished(_) | TimingEvent::Retired(_) => None,
        }
    }
}

/// A car entered the pit lane (first sample in the lane, as the stop's
/// `entry_ts_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PitEntered {
    pub car_id: u32,
    /// The lap the car is on: the in-lap.
    pub lap: u32,
    pub ts_ms: u64,
}

/// A pit stop (published when the car leaves the pit lane) and, when tyres
/// were changed, the stint it starts. A drive-through keeps its stint.
#[derive(Debug, Clone, PartialEq)]
pub struct PitStopCompleted {
    pub stop: PitStop,
    pub tyres_changed: bool,
    pub new_stint: Option<Stint>,
}

/// A run on one set of tyres. Stint 1 starts at the race start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stint {
    pub car_id: u32,
    pub stint: u32,
    pub compound: Compound,
    /// The lap the car is on when the stint starts (the out-lap).
    pub start_lap: u32,
}

/// A car took the chequered flag. `ts_ms` of the meta is the interpolated
/// line crossing. The classified position is the leaderboard's: a lapped car
/// can take the flag before a car still on its last lap ahead of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarFinished {
    #[serde(flatten)]
    pub meta: EventMeta,
    pub car_id: u32,
    /// Laps completed.
    pub laps: u32,
}

/// A car retired, from its samples (`PitState::Retired`) or race control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarRetired {
    #[serde(flatten)]
    pub meta: EventMeta,
    pub car_id: u32,
    /// The lap the car was on.
    pub lap: u32,
    /// Where it stopped: retired cars are classified by it.
    pub race_distance_m: f64,
    pub reason: String,
}

/// One completed lap of one car, as strategy needs it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LapRecord {
    pub lap: u32,
    pub lap_ms: u64,
    /// Race clock at the end of the lap.
    pub end_ts_ms: u64,
    pub compound: Compound,
    /// Tyre age during the lap, from the car's samples.
    pub tyre_age_laps: u32,
    /// Fuel on board at the end of the lap, from the car's samples.
    pub fuel_kg: f64,
    pub stint: u32,
    /// The car entered the pit lane during this lap.
    pub in_lap: bool,
    /// Race clock at which it did (in-laps only): with `end_ts_ms`, how
    /// long the lane takes from its entry to the line.
    #[serde(default)]
    pub pit_entry_ms: Option<u64>,
    /// The car left the pit lane during this lap.
    pub out_lap: bool,
    /// A safety car or virtual safety car was out at some point of the lap.
    pub neutralised: bool,
}
