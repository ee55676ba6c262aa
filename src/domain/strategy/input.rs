//! The plain inputs of strategy: per car its place, gaps, tyres and
//! completed laps; per race the laps, track length, pit loss and safety car
//! state. `from_timing` builds them from `RaceTiming` and its leaderboard;
//! tests build them by hand.

use crate::domain::events::{CarStatus, Leaderboard};
use crate::domain::records::Compound;
use crate::domain::timing::{LapRecord, Neutralisation, RaceTiming};

#[derive(Debug, Clone, PartialEq)]
pub struct CarInput<'a> {
    pub car_id: u32,
    /// Race number, used in the reasons ("#16").
    pub number: u32,
    pub position: u32,
    /// The lap the car is on.
    pub lap: u32,
    /// None for the leader (and retired cars).
    pub gap_to_leader_ms: Option<u64>,
    pub compound: Compound,
    pub tyre_age_laps: u32,
    pub stint: u32,
    pub status: CarStatus,
    pub laps: &'a [LapRecord],
}

impl CarInput<'_> {
    /// Gap to the leader as a number: 0 for the leader, None if unknown or
    /// out of the race.
    pub fn race_gap_ms(&self) -> Option<f64> {
        match self.status {
            CarStatus::Retired | CarStatus::Finished => None,
            _ if self.position == 1 => Some(0.0),
            _ => self.gap_to_leader_ms.map(|g| g as f64),
        }
    }

    /// Compounds run so far, current last (for the two-compound rule).
    pub fn compounds_used(&self) -> Vec<Compound> {
        let mut used: Vec<Compound> = Vec::with_capacity(3);
        for c in self.laps.iter().map(|l| l.compound).chain([self.compound]) {
            if !used.contains(&c) {
                used.push(c);
            }
        }
        used
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RaceInput<'a> {
    pub total_laps: u32,
    pub track_length_m: f64,
    /// Green-flag time lost by a stop (pit lane at its limit + stationary,
    /// against a lap at race pace), measured per track.
    pub pit_loss_ms: f64,
    /// Green-flag time lost between pit entry and pit exit, as measured on
    /// this race's stops (`LaneLoss`); None until enough were seen.
    pub lane_loss_ms: Option<f64>,
    pub neutralisation: Neutralisation,
    /// Race clock at which the current SC / VSC began (None under green).
    pub neutralised_since_ms: Option<u64>,
    /// In race order.
    pub cars: Vec<CarInput<'a>>,
}

/// The inputs from live timing: the leaderboard gives the order and gaps,
/// timing the laps and stints.
pub fn from_timing<'a>(
    timing: &'a RaceTiming,
    board: &Leaderboard,
    pit_loss_ms: f64,
) -> RaceInput<'a> {
    let cars = board
        .entries
        .iter()
        .map(|e| CarInput {
            car_id: e.car_id,
            number: e.number,
            position: e.position,
            lap: e.lap,
            gap_to_leader_ms: e.gap_to_leader_ms,
            compound: e.compound,
            tyre_age_laps: e.tyre_age_laps,
            stint: timing.stint(e.car_id).map_or(1, |s| s.stint),
            status: e.status,
            laps: timing.laps(e.car_id),
        })
        .collect();
    RaceInput {
        total_laps: timing.total_laps(),
        track_length_m: timing.track_length_m(),
        pit_loss_ms,
        lane_loss_ms: None,
        neutralisation: timing.neutralisation(),
        neutralised_since_ms: timing.neutralised_since_ms(),
        cars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::{RaceControl, RaceControlKind, SCHEMA_VERSION};
    use crate::domain::strategy::{evaluate_race, CallKind, StrategyParams};
    use crate::domain::timing::testkit::{entries, stream, track};

    #[test]
    fn from_live_timing_to_calls() {
        // 3 cars 1 s apart at 50 m/s on a 5 km lap, 20 laps; a safety car at
        // 12 laps in, with tyres as old as the laps (testkit: medium, age = laps).
        let l = 5_000.0;
        let mut rt = RaceTiming::new("r1", &track(l), &entries(3), 20);
        let samples = stream(&[1, 2, 3], l, 100, 1_210_000, |id, t| {
            0.05 * (t as f64 - 1_000.0 * f64::from(id - 1)).max(0.0) + 10.0
        });
        for s in &samples {
            rt.ingest(s, 0);
        }
        rt.race_control(&RaceControl {
            v: SCHEMA_VERSION,
            race_id: "r1".into(),
            ts_ms: 1_210_000,
            sent_at_us: 0,
            kind: RaceControlKind::SafetyCar,
            car_id: None,
            message: "SC deployed".into(),
        });
        let board = rt.leaderboard(1_210_000, 0);
        let input = from_timing(&rt, &board, 22_000.0);
        assert_eq!(input.cars.len(), 3);
        assert_eq!(input.cars[1].gap_to_leader_ms, Some(1_000));
        assert_eq!(input.cars[0].laps.len(), 12);
        assert_eq!(input.neutralisation, Neutralisation::SafetyCar);
        let calls = evaluate_race(&input, &StrategyParams::default());
        assert_eq!(
            calls.iter().map(|c| c.car_id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        // One compound so far: everyone must stop, and the SC makes it cheap.
        assert!(
            calls.iter().all(|c| c.kind == CallKind::PitNow),
            "{calls:#?}"
        );
        assert_eq!(calls[0].pit_loss_ms, 11_000);
        // All three stop under the SC: the leader keeps the lead.
        assert_eq!(
            (calls[0].rejoin_position, calls[0].rejoin_behind),
            (1, None)
        );
    }
}
