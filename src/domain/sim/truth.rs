//! Ground truth of a simulated race: what timing and strategy downstream
//! should recover from the samples. It is kept apart from the published
//! records and never travels on `telemetry_raw`. Times are race-clock
//! milliseconds as `f64`, interpolated inside the integration step, so they
//! are finer than the samples.

use super::strategy_plan::Plan;
use crate::domain::records::Compound;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    pub track_id: String,
    pub length_m: f64,
    pub total_laps: u32,
    /// Lap time of the reference car on an empty track, seconds.
    pub reference_lap_s: f64,
    /// Time a pit stop costs on this track with a nominal stationary time.
    pub pit_loss_s: f64,
    pub cars: Vec<CarTruth>,
    pub periods: Vec<ControlPeriod>,
    pub chequered_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    /// Filled when the race is over.
    pub classification: Vec<Classified>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CarTruth {
    pub car_id: u32,
    pub plan: Plan,
    /// Lap distance the car started from (the grid slot).
    pub grid_m: f64,
    pub laps: Vec<LapTruth>,
    pub pit_stops: Vec<PitTruth>,
    pub retired: Option<RetiredTruth>,
    pub finished_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LapTruth {
    /// The lap just completed.
    pub lap: u32,
    /// When the car crossed the line ending it.
    pub line_ms: f64,
    /// Lap time; lap 1 runs from the start signal at 0 ms from the grid slot.
    pub lap_ms: f64,
    /// When the car crossed the starts of sectors 2 and 3 on this lap (absent
    /// when a large grid started beyond them).
    pub sector_line_ms: [Option<f64>; 2],
    pub sector_ms: [Option<f64>; 3],
    /// Order at the line: 1 + the cars that completed this lap before.
    pub position: u32,
    pub compound: Compound,
    pub tyre_age_laps: u32,
    /// The car crossed the line in the pit lane.
    pub in_pit_lane: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PitTruth {
    /// The lap at whose end the car entered the pit lane.
    pub in_lap: u32,
    pub entry_ms: f64,
    pub box_in_ms: Option<f64>,
    pub stationary_ms: Option<f64>,
    pub box_out_ms: Option<f64>,
    pub exit_ms: Option<f64>,
    pub from: Compound,
    pub to: Compound,
    /// The stop went wrong (stuck wheel nut and the like).
    pub slow_stop: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetiredTruth {
    pub ms: f64,
    pub lap: u32,
    pub lap_distance_m: f64,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    SafetyCar,
    VirtualSafetyCar,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlPeriod {
    pub kind: PeriodKind,
    pub start_ms: f64,
    pub end_ms: Option<f64>,
    /// The leader's lap when the period began.
    pub leader_lap: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Finished,
    Retired,
}

#[derive(Debug, Clone, Serialize)]
pub struct Classified {
    pub position: u32,
    pub car_id: u32,
    pub laps: u32,
    pub status: Status,
    /// Finish line time for finishers, retirement time otherwise.
    pub time_ms: f64,
    /// Race distance covered, metres from the start line of lap 1.
    pub distance_m: f64,
}
