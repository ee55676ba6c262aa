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
    /// When the car, now in the pit lane, entered it.
    pub pit_entry_ms: Option<u64>,
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
    /// Green-flag time of a racing car from pit entry to pit exit, as
    /// measured on this race's stops (`LaneLoss`).
    pub pit_stretch_ms: Option<f64>,
    /// Under a SC / VSC: how much longer the field now takes over the same
    /// ground than it did under green (1.5 = half as fast again).
    pub neutral_pace_ratio: Option<f64>,
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
            pit_entry_ms: timing.pit_entry_ms(e.car_id),
            laps: timing.laps(e.car_id),
        })
        .collect();
    RaceInput {
        total_laps: timing.total_laps(),
        track_length_m: timing.track_length_m(),
        pit_loss_ms,
        lane_loss_ms: None,
        pit_stretch_ms: None,
        neutral_pace_ratio: timing
            .neutralised_since_ms()
            .filter(|_| timing.neutralisation() != Neutralisation::None)
            .and_then(|since| neutral_pace_ratio(timing, board, since as f64)),
        neutralisation: timing.neutralisation(),
        neutralised_since_ms: timing.neutralised_since_ms(),
        cars,
    }
}

/// Ground over which a car's pace now is compared with its pace there on
/// an earlier green lap.
const PACE_STRETCH_M: f64 = 300.0;

/// The median over the cars on track of (time over their last
/// `PACE_STRETCH_M`, all of it since `since_ms`) / (time over the same
/// ground on their latest pass before `since_ms`). None until a car has
/// covered that much ground under the neutralisation.
fn neutral_pace_ratio(timing: &RaceTiming, board: &Leaderboard, since_ms: f64) -> Option<f64> {
    let len = timing.track_length_m();
    let mut ratios: Vec<f64> = board
        .entries
        .iter()
        .filter(|e| e.status == CarStatus::Running)
        .filter_map(|e| {
            let at = |d: f64| timing.time_at(e.car_id, d);
            let d = e.race_distance_m;
            let (now, from) = (at(d)?, at(d - PACE_STRETCH_M)?);
            if from < since_ms {
                return None;
            }
            // The latest pass before the neutralisation, within the laps
            // the car's own timing points keep.
            let green = (1..=2).find_map(|k| {
                let back = f64::from(k) * len;
                if d - back - PACE_STRETCH_M <= 0.0 {
                    return None;
                }
                let (a, b) = (at(d - back - PACE_STRETCH_M)?, at(d - back)?);
                (b < since_ms && b > a).then_some(b - a)
            })?;
            Some((now - from) / green)
        })
        .collect();
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    Some(ratios[ratios.len() / 2])
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

    #[test]
    fn the_slowed_fields_pace_is_measured_against_its_green_laps() {
        // 3 cars 1 s apart at 50 m/s on a 5 km lap; a SC at 250 s, after
        // which they run at 25 m/s: twice as long over the same ground.
        let l = 5_000.0;
        let sc_ms = 250_000;
        let dist = |id: u32, t: u64| {
            let t = t as f64 - 1_000.0 * f64::from(id - 1);
            let green = 0.05 * t.clamp(0.0, sc_ms as f64);
            green + 0.025 * (t - sc_ms as f64).max(0.0) + 10.0
        };
        let mut rt = RaceTiming::new("r1", &track(l), &entries(3), 20);
        let control = |ts_ms| RaceControl {
            v: SCHEMA_VERSION,
            race_id: "r1".into(),
            ts_ms,
            sent_at_us: 0,
            kind: RaceControlKind::SafetyCar,
            car_id: None,
            message: "SC deployed".into(),
        };
        let ratio_at = |rt: &mut RaceTiming, samples: &[crate::domain::records::Sample], t| {
            for s in samples {
                rt.ingest(s, 0);
            }
            let board = rt.leaderboard(t, 0);
            from_timing(rt, &board, 22_000.0).neutral_pace_ratio
        };
        let samples = stream(&[1, 2, 3], l, 100, 300_000, dist);
        let (before, after): (Vec<_>, Vec<_>) = samples.into_iter().partition(|s| s.ts_ms <= sc_ms);
        // Under green, no ratio.
        assert_eq!(ratio_at(&mut rt, &before, sc_ms), None);
        rt.race_control(&control(sc_ms));
        // Two seconds in, no car has covered the stretch under the SC yet.
        let (soon, later): (Vec<_>, Vec<_>) = after.into_iter().partition(|s| s.ts_ms <= 252_000);
        assert_eq!(ratio_at(&mut rt, &soon, 252_000), None);
        let k = ratio_at(&mut rt, &later, 300_000).unwrap();
        assert!((k - 2.0).abs() < 0.01, "{k}");
    }
}
