//! The order of the field and the leaderboard: positions, gaps, intervals
//! and laps down.
//!
//! Order: cars still in the race (running or finished) by race distance,
//! ties (cars finished on the same lap) by the instant they got there;
//! retired cars after them by the distance at which they stopped. A finished
//! car stands at the line it finished on, so a car still on its last lap
//! stays ahead of a lapped car that took the flag before it.
//!
//! Gaps by the timing-line method: the gap of car B to the leader A is the
//! instant B reached its current distance minus the instant A passed that
//! same distance, read from A's timing points (`line`). It is a time even for
//! a lapped car (how long ago the leader was where B is now; `laps_down`
//! says how many whole laps that is) and None only if the leader's trace no
//! longer covers that distance, which the first-arrival line prevents in
//! practice. The interval is the same measure against the car directly
//! ahead. Retired cars get neither.
//!
//! Both are clamped at 0, and the gap column is made non-decreasing down the
//! order: the two can only be broken when the cars' latest samples come
//! from different ticks (a frame split into chunks), by a few ms.

use std::cmp::Ordering;

use super::car::{CarState, Progress};
use super::interp::round_ms;
use super::race::RaceTiming;
use crate::domain::events::{EventMeta, Leaderboard, LeaderboardEntry};

fn is_retired(car: &CarState) -> bool {
    matches!(car.progress, Progress::Retired { .. })
}

fn compare(a: &CarState, b: &CarState) -> Ordering {
    let (pa, pb) = (a.standing(), b.standing());
    is_retired(a)
        .cmp(&is_retired(b))
        .then(pb.d_m.total_cmp(&pa.d_m))
        .then(pa.t_ms.total_cmp(&pb.t_ms))
        .then(a.entry.car_id.cmp(&b.entry.car_id))
}

impl RaceTiming {
    /// Indices of the cars seen so far, in race order.
    fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.cars.len())
            .filter(|&i| self.cars[i].seen)
            .collect();
        order.sort_by(|&a, &b| compare(&self.cars[a], &self.cars[b]));
        order
    }

    /// Car ids in race order (cars without a sample yet are left out).
    pub fn positions(&self) -> Vec<u32> {
        self.order()
            .into_iter()
            .map(|i| self.cars[i].entry.car_id)
            .collect()
    }

    /// When car `car_id` reached race distance `d_m`, read from its timing
    /// points: its latest instant if it is not there yet. None for an
    /// unknown car or a distance its trace no longer covers.
    pub fn time_at(&self, car_id: u32, d_m: f64) -> Option<f64> {
        let car = &self.cars[*self.index.get(&car_id)?];
        car.line.time_at(d_m, self.clock, &self.arrival)
    }

    /// Time car `behind` is behind car `ahead`, by `ahead`'s timing points.
    pub(super) fn time_behind(&self, ahead: &CarState, behind: &CarState) -> Option<u64> {
        let p = behind.standing();
        let passed = ahead.line.time_at(p.d_m, self.clock, &self.arrival)?;
        Some(round_ms(p.t_ms - passed))
    }

    /// The leaderboard at race clock `ts_ms`; `sent_at_us` is the wall clock
    /// of the newest raw frame behind it.
    pub fn leaderboard(&self, ts_ms: u64, sent_at_us: u64) -> Leaderboard {
        let order = self.order();
        let leader = order.first().map(|&i| &self.cars[i]);
        let leader_d = leader.map_or(0.0, |c| c.standing().d_m);
        let mut entries = Vec::with_capacity(order.len());
        let mut floor_gap = 0;
        for (pos, &i) in order.iter().enumerate() {
            let car = &self.cars[i];
            let (gap, interval) = match (pos, leader) {
                (0, _) | (_, None) => (None, None),
                _ if is_retired(car) => (None, None),
                (_, Some(lead)) => {
                    let ahead = &self.cars[order[pos - 1]];
                    let gap = self.time_behind(lead, car).map(|g| {
                        floor_gap = floor_gap.max(g);
                        floor_gap
                    });
                    (gap, self.time_behind(ahead, car))
                }
            };
            let d = car.standing().d_m;
            let laps_down = ((leader_d - d) / self.length_m).floor().max(0.0) as u32;
            let sectors_ms = match car.progress {
                Progress::Running => car.clock.current_sectors().to_vec(),
                _ => Vec::new(),
            };
            entries.push(LeaderboardEntry {
                position: pos as u32 + 1,
                car_id: car.entry.car_id,
                number: car.entry.number,
                driver: car.entry.driver.clone(),
                team: car.entry.team.clone(),
                lap: car.current_lap(),
                race_distance_m: d,
                gap_to_leader_ms: gap,
                interval_ms: interval,
                laps_down,
                last_lap_ms: car.clock.last_lap_ms,
                best_lap_ms: car.clock.best_lap_ms,
                sectors_ms,
                compound: car.compound,
                tyre_age_laps: car.tyre_age_laps,
                pit_stops: car.pit_stops,
                status: car.status(),
            });
        }
        Leaderboard {
            meta: EventMeta::new(&self.race_id, "leaderboard", None, ts_ms, sent_at_us),
            total_laps: self.total_laps,
            leader_lap: leader.map_or(1, |c| c.current_lap().min(self.total_laps)),
            chunk: 0,
            chunks: 1,
            entries,
        }
    }
}
