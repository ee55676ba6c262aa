//! The changing state of one car during a race. Kept as plain data so the
//! engine can update thousands of cars per substep without indirection.

use super::rng::Rng;
use crate::domain::records::Compound;

/// Where a car is in a pit stop. `Approach` means it will enter at the end
/// of this lap and already brakes for the entry; `OutLap` means it left the
/// lane and is still below racing speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PitPhase {
    None,
    Approach,
    LaneIn,
    Box { until_s: f64 },
    LaneOut,
    OutLap,
}

impl PitPhase {
    /// In the lane or the box: off the racing line, ignored by traffic.
    pub fn in_lane(self) -> bool {
        matches!(
            self,
            PitPhase::LaneIn | PitPhase::LaneOut | PitPhase::Box { .. }
        )
    }
}

/// A pass in progress: the car drives through `target` (side by side) until
/// it is clear ahead or `until_s` passes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pass {
    pub target: u32,
    pub until_s: f64,
    /// Extra speed while passing (late braking, tow); 0 for a car that is
    /// simply let by.
    pub boost: f64,
}

#[derive(Debug, Clone)]
pub struct CarState {
    pub lap: u32,
    pub s: f64,
    pub v: f64,
    /// Acceleration over the last substep, m/s², for throttle and brake.
    pub accel: f64,
    pub compound: Compound,
    pub tyre_age: u32,
    pub wear: f64,
    pub fuel: f64,
    pub pit: PitPhase,
    pub retired: bool,
    pub finished: bool,
    /// Index of the next planned stop.
    pub next_stop: usize,
    /// This lap's consistency noise, seconds.
    pub lap_noise_s: f64,
    pub mistake_at_m: Option<f64>,
    pub mistake_loss_s: f64,
    pub mistake_until_s: f64,
    pub failure_at_m: Option<f64>,
    /// DRS zone this car was within a second at the detection point of.
    pub drs_armed: Option<usize>,
    pub drs_open: bool,
    pub passing: Option<Pass>,
    pub seq: u64,
    pub lap_start_s: f64,
    pub sector_line_s: [Option<f64>; 2],
    pub rng: Rng,
}

impl CarState {
    pub fn new(grid_m: f64, compound: Compound, fuel: f64, rng: Rng) -> CarState {
        CarState {
            lap: 1,
            s: grid_m,
            v: 0.0,
            accel: 0.0,
            compound,
            tyre_age: 0,
            wear: 0.0,
            fuel,
            pit: PitPhase::None,
            retired: false,
            finished: false,
            next_stop: 0,
            lap_noise_s: 0.0,
            mistake_at_m: None,
            mistake_loss_s: 0.0,
            mistake_until_s: 0.0,
            failure_at_m: None,
            drs_armed: None,
            drs_open: false,
            passing: None,
            seq: 0,
            lap_start_s: 0.0,
            sector_line_s: [None, None],
            rng,
        }
    }

    /// Race distance: completed laps plus the distance into this one.
    #[inline]
    pub fn race_distance(&self, lap_m: f64) -> f64 {
        f64::from(self.lap - 1) * lap_m + self.s
    }

    /// Takes part in track traffic (blocks and is blocked).
    #[inline]
    pub fn in_traffic(&self) -> bool {
        !self.retired && !self.finished && !self.pit.in_lane()
    }
}
