//! What a stop really costs between pit entry and pit exit, learned from
//! the race's own green-flag stops.
//!
//! The track's `pit_loss_ms` prices a whole stop against a lap at race pace,
//! braking into the lane and accelerating out of it included. A projection
//! made at pit entry needs less than that: the braking is already in the
//! car's gap, and at pit exit the acceleration is still to come. The share
//! depends on the lane, the pit crews and the field's pace today, so it is
//! measured: for each stop, the car's gap to the leader at exit minus its gap
//! at entry. Stops with a neutralisation at either end, or by the leader (no
//! gap of its own), are not used.

use std::collections::HashMap;

use crate::domain::events::Leaderboard;
use crate::domain::timing::Neutralisation;

/// Observed stops needed before the estimate replaces the track's figure.
pub const MIN_STOPS: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct LaneLoss {
    /// Gap to the leader of each car now in the pit lane, at its entry.
    at_entry: HashMap<u32, f64>,
    observed: Vec<f64>,
}

impl LaneLoss {
    /// A car entered the pit lane with `gap_ms` to the leader (None: it
    /// leads, or a neutralisation makes the gap no measure of the stop).
    pub fn entered(&mut self, car_id: u32, gap_ms: Option<f64>) {
        match gap_ms {
            Some(g) => self.at_entry.insert(car_id, g),
            None => self.at_entry.remove(&car_id),
        };
    }

    /// The car left the pit lane with `gap_ms` to the leader (None as above).
    pub fn exited(&mut self, car_id: u32, gap_ms: Option<f64>) {
        if let (Some(entry), Some(exit)) = (self.at_entry.remove(&car_id), gap_ms) {
            let loss = exit - entry;
            // A stop that gained time, or cost over two minutes, measured
            // something else (a leader change, a penalty): not a stop's cost.
            if (0.0..120_000.0).contains(&loss) {
                self.observed.push(loss);
            }
        }
    }

    /// Median entry-to-exit loss of the green-flag stops seen, once there
    /// are `MIN_STOPS` of them.
    pub fn estimate_ms(&self) -> Option<f64> {
        if self.observed.len() < MIN_STOPS {
            return None;
        }
        let mut v = self.observed.clone();
        v.sort_by(f64::total_cmp);
        let mid = v.len() / 2;
        Some(if v.len().is_multiple_of(2) {
            (v[mid - 1] + v[mid]) / 2.0
        } else {
            v[mid]
        })
    }

    /// Records the cars that `entered` and `exited` the pit lane in the tick
    /// of `board`, with their gaps on it.
    pub fn observe(
        &mut self,
        board: &Leaderboard,
        neutralisation: Neutralisation,
        entered: &[u32],
        exited: &[u32],
    ) {
        let gap = |car: &u32| {
            board
                .entries
                .iter()
                .find(|e| e.car_id == *car && e.position > 1)
                .and_then(|e| e.gap_to_leader_ms)
                .filter(|_| neutralisation == Neutralisation::None)
                .map(|g| g as f64)
        };
        for car in entered {
            self.entered(*car, gap(car));
        }
        for car in exited {
            self.exited(*car, gap(car));
        }
    }

    pub fn stops_observed(&self) -> usize {
        self.observed.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_green_stops_once_enough_are_seen() {
        let mut l = LaneLoss::default();
        for (car, entry, exit) in [(1, 1_000.0, 19_000.0), (2, 5_000.0, 25_000.0)] {
            l.entered(car, Some(entry));
            l.exited(car, Some(exit));
        }
        assert_eq!(l.estimate_ms(), None, "two stops are not enough");
        l.entered(3, Some(2_000.0));
        l.exited(3, Some(21_000.0));
        assert_eq!(l.estimate_ms(), Some(19_000.0));
        l.entered(4, Some(0.0));
        l.exited(4, Some(22_000.0));
        assert_eq!(l.estimate_ms(), Some(19_500.0));
    }

    #[test]
    fn neutralised_leader_and_odd_stops_are_left_out() {
        let mut l = LaneLoss::default();
        // Entered under a SC (None at entry): nothing to pair with.
        l.entered(1, None);
        l.exited(1, Some(20_000.0));
        // Entered green, SC at exit.
        l.entered(2, Some(3_000.0));
        l.exited(2, None);
        // Gained time (a leader change in between): not a stop's cost.
        l.entered(3, Some(30_000.0));
        l.exited(3, Some(10_000.0));
        // An exit without an entry seen (joined mid-stop).
        l.exited(4, Some(9_000.0));
        assert_eq!(l.stops_observed(), 0);
    }
}
