//! Race simulator for Pitwall: a deterministic, seedable race on one of the
//! built-in circuits that produces the telemetry samples a real timing feed
//! would carry, plus the ground truth (exact line crossings, pit stops,
//! classification) that timing and strategy downstream should recover.
//!
//! Conventions the samples follow:
//! - Race distance is `(lap - 1) * length_m + lap_distance_m`. All cars start
//!   on lap 1 at grid slots at or after the line (pole 160 m after it, then
//!   8 m apart; large fields close up so no slot falls behind the line), so
//!   the first lap is shorter than the others by the grid offset.
//! - `lap` increments exactly when `lap_distance_m` wraps past the line; the
//!   race is `laps` line crossings of the leader, then every other car
//!   finishes at its next crossing.
//! - Tick `n` (from 1) is at `n * 1000 / sample_hz` ms of race clock; the
//!   start signal is at 0 ms.

mod car;
mod circuits;
mod config;
mod events;
mod motion;
mod pit_lane;
mod profile;
mod race;
mod race_control;
mod rng;
mod state;
mod strategy_plan;
mod telemetry;
mod track;
mod traffic;
mod truth;
mod tyres;
mod venue;

#[cfg(test)]
mod tests;

pub use config::{ConfigError, RaceConfig};
pub use race::{RaceSim, SimOptions};
pub use strategy_plan::{Plan, PlannedStop};
pub use truth::{
    CarTruth, Classified, ControlPeriod, LapTruth, PeriodKind, PitTruth, RetiredTruth, Status,
    Truth,
};

use crate::domain::records;

/// The ids of the built-in tracks.
pub fn track_ids() -> &'static [&'static str] {
    circuits::TRACK_IDS
}

/// One tick of the race.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub tick: u64,
    pub ts_ms: u64,
    /// One per car, sorted by `car_id`.
    pub samples: Vec<records::Sample>,
    /// Race control announcements made during this tick.
    pub control: Vec<Announcement>,
    pub finished: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    pub kind: records::RaceControlKind,
    pub car_id: Option<u32>,
    pub message: String,
}
