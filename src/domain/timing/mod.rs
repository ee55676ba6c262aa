//! Live timing: turns each car's stream of `Sample`s into line crossings, lap
//! and sector times, pit stops, retirements, the finish, and a leaderboard
//! whose gaps come from the timing-line method. Pure domain code: no I/O and
//! no wall clock, only the race clock the samples carry.
//!
//! Layout, one job per file:
//! - `interp`: where in time a car passed a distance between two samples;
//! - `line`: the per-car ring of fine timing points and the race's
//!   first-arrival line, and the "when did this car pass distance d" lookup;
//! - `laps`: sector and lap clock of one car (crossings, bests);
//! - `pit`: the pit-lane state machine of one car;
//! - `car`: everything timing keeps per car;
//! - `event`: what `ingest` returns;
//! - `race`: `RaceTiming` and the ingest path (crossings, pit stops, finish);
//! - `control`: race control messages (safety car, flags, retirements);
//! - `board`: the order, gaps and intervals, the leaderboard.

mod board;
mod car;
mod control;
mod event;
mod interp;
mod laps;
mod line;
mod pit;
mod race;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod board_tests;
#[cfg(test)]
mod props_tests;
#[cfg(test)]
mod race_tests;
#[cfg(test)]
pub(crate) mod testkit;

pub use control::Neutralisation;
pub use event::{
    CarFinished, CarRetired, LapRecord, PitEntered, PitStopCompleted, Stint, TimingEvent,
};
pub use line::TIMING_POINT_SPACING_M;
pub use race::{IngestStats, RaceTiming};
