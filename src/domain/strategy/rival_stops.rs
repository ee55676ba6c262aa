//! Who else stops while a car is in the pit lane, learned from the race.
//!
//! A car just behind the one boxing that stops too stays behind it instead
//! of passing. Which car will stop cannot be read from timing, but what
//! makes a car stop can be learned from the race: each car's chance is a
//! logistic function (`logistic`) of what an engineer looks at on the
//! timing screen:
//! - how much of its tyres' life it has used (tyre age over the compound's
//!   laps to the cliff on this track);
//! - whether it still owes its compulsory change of compound;
//! - how far short of the flag its tyres would fall (tyre age plus laps
//!   left, beyond the tyres' life): a car that cannot make the end on them
//!   must stop again.
//!
//! The weights are learned from the race itself, with a prior that holds
//! them until the race shows otherwise:
//! - under green, from every green lap completed (did the car turn in at
//!   its end?) and the cars in the lane now, whose in-lap is not over yet;
//!   a per-lap hazard, one stop per car per race at the prior;
//! - under a SC / VSC a stop costs far less against the slowed field, so
//!   many cars take it at once, and decide differently: the weights are
//!   learned from the decisions taken since it began. A car decides at the
//!   pit entry; one that reached it before the news could reach the pit
//!   wall had no choice, so its lap only counts if it ended more than the
//!   lane's entry-to-line time (measured on the race's own stops) after the
//!   neutralisation began: a racing car covers that ground in about half
//!   the lane's time, which leaves the rest for the call. The cars that
//!   turned in since, still in the lane, count as stops.
//!
//! One rate for every car would give cars on old tyres and on new ones the
//! same chance; under a SC, the cars already in the lane are the surest
//! sign of a rush.
//!
//! The fit runs at each pit entry, over every lap the race has timed: its
//! cost grows with cars × laps.

use super::input::{CarInput, RaceInput};
use super::logistic::{self, Prior, Sample, N};
use super::params::{compound_index, StrategyParams};
use crate::domain::events::CarStatus;
use crate::domain::records::Compound;
use crate::domain::timing::{LapRecord, Neutralisation};

/// Before the race shows anything, under a SC / VSC: a car at half its
/// tyres' life takes the cheap stop with 70% if it still owes its compound
/// change, 20% if not; the odds grow e⁴-fold from new
/// tyres to tyres at their cliff, and again for every tyre life they would
/// fall short of the flag.
fn caution_prior() -> Prior {
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let per_life = 4.0;
    Prior {
        mean: [
            logit(0.2) - 0.5 * per_life,
            per_life,
            logit(0.7) - logit(0.2),
            per_life,
        ],
        sd: [1.0, 4.0, 1.0, 8.0],
    }
}

/// Before the race shows anything, under green: one stop per car per race
/// (the least the two-compound rule allows) on new tyres, rising e²-fold
/// from new tyres to tyres at their cliff and for each tyre life short of
/// the flag; owing a change is no sign of stopping this lap.
fn green_prior(total_laps: u32) -> Prior {
    let rate = 1.0 / f64::from(total_laps.max(2));
    Prior {
        mean: [(rate / (1.0 - rate)).ln(), 2.0, 0.0, 2.0],
        sd: [1.0, 2.0, 2.0, 4.0],
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RivalStops {
    weights: [f64; N],
    /// The chances are those of the current SC / VSC, not green-flag ones.
    pub neutralised: bool,
    /// Laps (green) or decisions (neutralised) the weights were learned from.
    pub observed: u32,
    total_laps: u32,
    /// Laps to the cliff on this track: soft, medium, hard.
    life: [f64; 3],
}

/// The compound change is still owed after these laps.
fn owing(laps: &[LapRecord]) -> bool {
    let first = laps.first().map(|l| l.compound);
    laps.iter().all(|l| Some(l.compound) == first)
}

impl RivalStops {
    /// The chances that apply now: the current SC / VSC's, or green ones.
    pub fn of_race(race: &RaceInput, p: &StrategyParams) -> RivalStops {
        let life = [Compound::Soft, Compound::Medium, Compound::Hard]
            .map(|c| p.cliff_laps(c, race.track_length_m).max(1.0));
        let mut s = RivalStops {
            weights: [0.0; N],
            neutralised: false,
            observed: 0,
            total_laps: race.total_laps,
            life,
        };
        let (samples, prior) = match race.neutralised_since_ms {
            Some(since) if race.neutralisation != Neutralisation::None => {
                s.neutralised = true;
                (s.caution_decisions(race, since), caution_prior())
            }
            _ => (s.green_laps(race), green_prior(race.total_laps)),
        };
        s.observed = u32::try_from(samples.len()).unwrap_or(u32::MAX);
        s.weights = logistic::fit(&samples, &prior);
        s
    }

    /// Chance that `car` (on track) turns in at the end of its lap.
    pub fn for_car(&self, car: &CarInput) -> f64 {
        let owes = car.compounds_used().len() < 2;
        let x = self.features(car.compound, car.tyre_age_laps, car.lap, owes);
        logistic::probability(&self.weights, &x)
    }

    /// [1, share of tyre life used, owes its compound change, tyre lives
    /// short of the flag] for a car on `lap` on tyres `age` laps old.
    fn features(&self, compound: Compound, age: u32, lap: u32, owes: bool) -> [f64; N] {
        let life = self.life[compound_index(compound)];
        let age = f64::from(age);
        let left = f64::from(self.total_laps.saturating_sub(lap));
        [
            1.0,
            age / life,
            f64::from(u8::from(owes)),
            ((age + left - life) / life).max(0.0),
        ]
    }

    /// The features of lap `l` (`owes`: the compound change was still owed
    /// by its end) and whether it was an in-lap.
    fn lap_sample(&self, l: &LapRecord, owes: bool) -> Sample {
        (
            self.features(l.compound, l.tyre_age_laps, l.lap, owes),
            l.in_lap,
        )
    }

    /// A car now in the lane whose in-lap is not over yet, as a stop on the
    /// lap after its last completed one (None for any other car).
    fn lane_sample(&self, car: &CarInput) -> Option<Sample> {
        let entry = car
            .pit_entry_ms
            .filter(|_| car.status == CarStatus::InPit)?;
        let last = car.laps.last()?;
        if last.pit_entry_ms == Some(entry) {
            return None;
        }
        let x = self.features(
            last.compound,
            last.tyre_age_laps + 1,
            last.lap + 1,
            owing(car.laps),
        );
        Some((x, true))
    }

    fn green_laps(&self, race: &RaceInput) -> Vec<Sample> {
        let mut out = Vec::new();
        for car in &race.cars {
            // Whether the change is still owed, lap by lap (`owing` of each
            // prefix, without scanning it again for every lap).
            let first = car.laps.first().map(|l| l.compound);
            let mut owes = true;
            for l in car.laps {
                owes &= Some(l.compound) == first;
                if !l.neutralised {
                    out.push(self.lap_sample(l, owes));
                }
            }
            out.extend(self.lane_sample(car));
        }
        out
    }

    /// Each car's first decision at the pit entry since `since_ms`, and the
    /// cars that turned in since and are still in the lane.
    fn caution_decisions(&self, race: &RaceInput, since_ms: u64) -> Vec<Sample> {
        let react_by = since_ms + entry_to_line_ms(race);
        let mut out = Vec::new();
        for car in &race.cars {
            let decided = car.laps.iter().position(|l| {
                l.end_ts_ms > react_by || l.pit_entry_ms.is_some_and(|e| e >= since_ms)
            });
            match decided {
                Some(k) => out.push(self.lap_sample(&car.laps[k], owing(&car.laps[..=k]))),
                None => out.extend(
                    self.lane_sample(car)
                        .filter(|_| car.pit_entry_ms.is_some_and(|e| e >= since_ms)),
                ),
            }
        }
        out
    }
}

/// Median time from pit entry to the line of the race's in-laps (0 before
/// any car has crossed the line in the lane).
fn entry_to_line_ms(race: &RaceInput) -> u64 {
    let mut t: Vec<u64> = race
        .cars
        .iter()
        .flat_map(|c| c.laps)
        .filter_map(|l| Some(l.end_ts_ms.saturating_sub(l.pit_entry_ms?)))
        .collect();
    if t.is_empty() {
        return 0;
    }
    t.sort_unstable();
    t[t.len() / 2]
}

#[cfg(test)]
#[path = "rival_stops_tests.rs"]
pub(crate) mod tests;
