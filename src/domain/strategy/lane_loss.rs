//! What a stop really costs between pit entry and pit exit, learned from
//! the race's own stops.
//!
//! The track's `pit_loss_ms` prices a whole stop against a lap at race pace,
//! braking into the lane and accelerating out of it included. A projection
//! made at pit entry needs less than that: the braking is already in the
//! car's gap, and at pit exit the acceleration is still to come. The share
//! depends on the lane, the pit crews and the field's pace today, so it is
//! measured: for each stop, the car's gap to the leader at exit minus its gap
//! at entry. Stops with a neutralisation at either end, or by the leader (no
//! gap of its own), are not used for that; every stop gives its lane time
//! (entry to exit), which no flag changes.
//!
//! The loss is the lane time less what a racing car takes over the same
//! stretch. Under a SC / VSC the lane is no slower but the field is, so a
//! stop then costs less by the extra time the slowed field needs over the
//! stretch (`lane_loss_now_ms`). Scaling the whole green figure by the
//! neutralised pit-loss factor was tried first and put the projection
//! further off: only the racing car's share changes.

use std::collections::HashMap;

use super::degradation::median;
use super::input::RaceInput;
use crate::domain::events::Leaderboard;
use crate::domain::timing::Neutralisation;

/// Observed green stops needed before the estimate replaces the track's
/// figure. One is enough: the estimate is capped by the track's figure (see
/// `lane_loss_now_ms`), so a slow first stop cannot push it above today's
/// guess, and waiting for three left the first stops of every race priced
/// 1-3 s too high.
pub const MIN_STOPS: usize = 1;

#[derive(Debug, Clone, Default)]
pub struct LaneLoss {
    /// Gap to the leader of each car now in the pit lane, at its entry.
    at_entry: HashMap<u32, f64>,
    observed: Vec<f64>,
    /// Race clock at its entry of each car now in the pit lane.
    entry_ts: HashMap<u32, u64>,
    /// Entry-to-exit time of every stop seen, whatever the flag.
    lane_times: Vec<f64>,
}

impl LaneLoss {
    /// A car entered the pit lane at race clock `ts_ms` with `gap_ms` to the
    /// leader (None: it leads, or a neutralisation makes the gap no measure
    /// of the stop).
    pub fn entered(&mut self, car_id: u32, ts_ms: u64, gap_ms: Option<f64>) {
        match gap_ms {
            Some(g) => self.at_entry.insert(car_id, g),
            None => self.at_entry.remove(&car_id),
        };
        self.entry_ts.insert(car_id, ts_ms);
    }

    /// The car left the pit lane at `ts_ms` with `gap_ms` to the leader (None
    /// as above).
    pub fn exited(&mut self, car_id: u32, ts_ms: u64, gap_ms: Option<f64>) {
        if let Some(t) = self.entry_ts.remove(&car_id) {
            self.lane_times.push(ts_ms.saturating_sub(t) as f64);
        }
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
        median(&mut self.observed.clone())
    }

    /// Green-flag time of a racing car from pit entry to pit exit: the
    /// stops' median lane time less their median loss.
    pub fn stretch_ms(&self) -> Option<f64> {
        Some((median(&mut self.lane_times.clone())? - self.estimate_ms()?).max(0.0))
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
        let ts = board.meta.ts_ms;
        for car in entered {
            self.entered(*car, ts, gap(car));
        }
        for car in exited {
            self.exited(*car, ts, gap(car));
        }
    }

    pub fn stops_observed(&self) -> usize {
        self.observed.len()
    }
}

/// The entry-to-exit loss a stop made now is priced at: the race's green
/// figure (the track's whole-stop figure until a green stop was seen, and
/// never above it: that figure holds braking and acceleration the lane loss
/// does not). Under a SC / VSC, less the extra time the slowed field needs
/// over the stretch: (pace ratio - 1) x its green time there.
pub fn lane_loss_now_ms(race: &RaceInput) -> f64 {
    let green = race
        .lane_loss_ms
        .map_or(race.pit_loss_ms, |l| l.min(race.pit_loss_ms));
    match (
        race.neutralisation,
        race.neutral_pace_ratio,
        race.pit_stretch_ms,
    ) {
        (Neutralisation::None, _, _) => green,
        (_, Some(k), Some(stretch)) => (green - (k - 1.0).max(0.0) * stretch).max(0.0),
        _ => green,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::strategy::rejoin::tests::field;

    #[test]
    fn median_of_green_stops_from_the_first() {
        let mut l = LaneLoss::default();
        assert_eq!(l.estimate_ms(), None, "no stop seen yet");
        l.entered(1, 100_000, Some(1_000.0));
        l.exited(1, 130_000, Some(19_000.0));
        assert_eq!(l.estimate_ms(), Some(18_000.0));
        for (car, entry, exit) in [(2, 5_000.0, 25_000.0), (3, 2_000.0, 21_000.0)] {
            l.entered(car, 200_000, Some(entry));
            l.exited(car, 231_000, Some(exit));
        }
        assert_eq!(l.estimate_ms(), Some(19_000.0));
        l.entered(4, 300_000, Some(0.0));
        l.exited(4, 332_000, Some(22_000.0));
        assert_eq!(l.estimate_ms(), Some(19_500.0));
        // Lane times 30, 31, 31, 32 s: a racing car takes 31 - 19.5 s.
        assert_eq!(l.stretch_ms(), Some(11_500.0));
    }

    #[test]
    fn neutralised_leader_and_odd_stops_are_left_out() {
        let mut l = LaneLoss::default();
        // Entered under a SC (None at entry): nothing to pair with.
        l.entered(1, 0, None);
        l.exited(1, 30_000, Some(20_000.0));
        // Entered green, SC at exit.
        l.entered(2, 0, Some(3_000.0));
        l.exited(2, 30_000, None);
        // Gained time (a leader change in between): not a stop's cost.
        l.entered(3, 0, Some(30_000.0));
        l.exited(3, 30_000, Some(10_000.0));
        // An exit without an entry seen (joined mid-stop).
        l.exited(4, 30_000, Some(9_000.0));
        assert_eq!(l.stops_observed(), 0);
        // Their lane times count, but a loss is needed for the stretch.
        assert_eq!(l.lane_times.len(), 3);
        assert_eq!(l.stretch_ms(), None);
    }

    fn race(lane: Option<f64>, n: Neutralisation, k: Option<f64>) -> RaceInput<'static> {
        RaceInput {
            total_laps: 30,
            track_length_m: 5_000.0,
            pit_loss_ms: 22_000.0,
            lane_loss_ms: lane,
            pit_stretch_ms: Some(12_000.0),
            neutral_pace_ratio: k,
            neutralisation: n,
            neutralised_since_ms: None,
            cars: field(&[0, 1_000]),
        }
    }

    #[test]
    fn the_green_figure_is_learned_and_capped_by_the_tracks() {
        let none = Neutralisation::None;
        assert_eq!(lane_loss_now_ms(&race(None, none, None)), 22_000.0);
        assert_eq!(
            lane_loss_now_ms(&race(Some(19_000.0), none, None)),
            19_000.0
        );
        // A slow first stop: no more than the track's figure.
        assert_eq!(
            lane_loss_now_ms(&race(Some(30_000.0), none, None)),
            22_000.0
        );
        // A pace ratio left over from a neutralisation does not apply.
        assert_eq!(
            lane_loss_now_ms(&race(Some(19_000.0), none, Some(1.5))),
            19_000.0
        );
    }

    #[test]
    fn a_slowed_field_makes_the_stop_cheaper() {
        let sc = Neutralisation::SafetyCar;
        // 12 s over the stretch at green pace, the field a third slower: 4 s
        // less than the green 19 s.
        let r = race(Some(19_000.0), sc, Some(4.0 / 3.0));
        assert!((lane_loss_now_ms(&r) - 15_000.0).abs() < 1e-9);
        // Not measured yet: the green figure.
        assert_eq!(lane_loss_now_ms(&race(Some(19_000.0), sc, None)), 19_000.0);
        // Property: a slower field never makes the stop dearer, and the loss
        // never goes below zero.
        let mut last = f64::INFINITY;
        for step in 0..40 {
            let k = 0.5 + f64::from(step) * 0.1;
            let vsc = race(Some(19_000.0), Neutralisation::VirtualSafetyCar, Some(k));
            let l = lane_loss_now_ms(&vsc);
            assert!(l <= last && l >= 0.0, "k {k}: {l}");
            assert!(l <= 19_000.0);
            last = l;
        }
    }
}
