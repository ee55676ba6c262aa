//! Who else stops while a car is in the pit lane, learned from the race.
//!
//! A car just behind the one boxing that stops too stays behind it instead
//! of passing. Which car will stop cannot be read from timing, but how often
//! cars do can, from every car's completed laps:
//! - under green, the race's own rate of green-flag stops per car and lap
//!   (a car closer behind than the lane loss reaches the pit entry during
//!   the stop, so its chance of turning in is one lap's worth). The prior,
//!   worth one lap of the field, is one stop per car per race, the least the
//!   two-compound rule allows. Strategy's own guess of who is due (tyre age
//!   against the cliff, the pit window) was tried first and named a car
//!   that really stopped fewer than one time in ten: a rate does better;
//! - under a SC / VSC a stop costs far less against the slowed field, so
//!   many cars take it at once. Every car that has crossed the line since
//!   the neutralisation began passed the pit entry just before and turned
//!   in or not; the cars still owing their compulsory compound change and
//!   the others decide differently, so the rate is kept for each group,
//!   from a prior (most cars that owe a stop take the half-price one; few
//!   others do) worth `PRIOR_WEIGHT` cars, which the field's choices soon
//!   outweigh.

use super::input::{CarInput, RaceInput};
use crate::domain::timing::Neutralisation;

/// Prior chance that a car still owing its compound change stops under a
/// neutralisation, and that a car which does not owe one does.
const PRIOR_OWING: f64 = 0.7;
const PRIOR_FREE: f64 = 0.2;
/// Weight of the prior, in cars observed.
const PRIOR_WEIGHT: f64 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RivalStops {
    /// Chance that a car still on its first compound stops.
    pub owing: f64,
    /// Chance that a car that has already used two compounds stops.
    pub free: f64,
    /// The rates are those of the current SC / VSC, not green-flag ones.
    pub neutralised: bool,
    /// Car-laps (green) or cars (neutralised) the rates were learned from.
    pub observed: u32,
}

/// Counts of (cars seen, cars that stopped).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    seen: u32,
    stopped: u32,
}

impl Tally {
    fn rate(self, prior: f64) -> f64 {
        (f64::from(self.stopped) + PRIOR_WEIGHT * prior) / (f64::from(self.seen) + PRIOR_WEIGHT)
    }
}

impl RivalStops {
    /// The rates that apply now: the current SC / VSC's, or the green-flag
    /// one.
    pub fn of_race(race: &RaceInput) -> RivalStops {
        match race.neutralised_since_ms {
            Some(since) if race.neutralisation != Neutralisation::None => caution(race, since),
            _ => green(race),
        }
    }

    /// Chance that `car` (on track) turns in at the end of its lap.
    pub fn for_car(&self, car: &CarInput) -> f64 {
        if car.compounds_used().len() < 2 {
            self.owing
        } else {
            self.free
        }
    }
}

/// Green-flag stops per car and lap so far.
fn green(race: &RaceInput) -> RivalStops {
    let mut t = Tally::default();
    for lap in race
        .cars
        .iter()
        .flat_map(|c| c.laps)
        .filter(|l| !l.neutralised)
    {
        t.seen += 1;
        t.stopped += u32::from(lap.in_lap);
    }
    let prior = 1.0 / f64::from(race.total_laps.max(1));
    let weight = race.cars.len() as f64;
    let rate = (f64::from(t.stopped) + weight * prior) / (f64::from(t.seen) + weight).max(1.0);
    RivalStops {
        owing: rate,
        free: rate,
        neutralised: false,
        observed: t.seen,
    }
}

/// What the cars did at their first pass of the pit entry since `since_ms`.
fn caution(race: &RaceInput, since_ms: u64) -> RivalStops {
    let (mut owing, mut free) = (Tally::default(), Tally::default());
    for car in &race.cars {
        // The first lap the car completed under the neutralisation: it
        // passed the pit entry just before that line and turned in or not.
        let Some(k) = car.laps.iter().position(|l| l.end_ts_ms > since_ms) else {
            continue;
        };
        let lap = &car.laps[k];
        let first = car.laps.first().map_or(lap.compound, |l| l.compound);
        let owed = car.laps[..=k].iter().all(|l| l.compound == first);
        let t = if owed { &mut owing } else { &mut free };
        t.seen += 1;
        t.stopped += u32::from(lap.in_lap);
    }
    RivalStops {
        owing: owing.rate(PRIOR_OWING),
        free: free.rate(PRIOR_FREE),
        neutralised: true,
        observed: owing.seen + free.seen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::Compound;
    use crate::domain::strategy::rejoin::tests::field;
    use crate::domain::timing::LapRecord;

    fn lap(n: u32, compound: Compound, in_lap: bool) -> LapRecord {
        LapRecord {
            lap: n,
            lap_ms: 90_000,
            end_ts_ms: u64::from(n) * 90_000,
            compound,
            tyre_age_laps: n,
            fuel_kg: 50.0,
            stint: 1,
            in_lap,
            out_lap: false,
            neutralised: false,
        }
    }

    fn race<'a>(cars: Vec<CarInput<'a>>, since: Option<u64>) -> RaceInput<'a> {
        RaceInput {
            total_laps: 30,
            track_length_m: 5_000.0,
            pit_loss_ms: 22_000.0,
            lane_loss_ms: None,
            pit_stretch_ms: None,
            neutral_pace_ratio: None,
            neutralisation: if since.is_some() {
                Neutralisation::SafetyCar
            } else {
                Neutralisation::None
            },
            neutralised_since_ms: since,
            cars,
        }
    }

    #[test]
    fn green_flag_rate_is_the_races_stops_per_lap() {
        // Two cars, 28 laps: the prior is one stop in 28 laps, worth two
        // car-laps. With no laps yet, the prior.
        let mut r = race(field(&[0, 1_000]), None);
        r.total_laps = 28;
        let s = RivalStops::of_race(&r);
        assert!(!s.neutralised);
        assert!((s.owing - 1.0 / 28.0).abs() < 1e-12);
        // 18 green laps with one stop, and two neutralised laps with two
        // stops that do not count: (1 + 2/28) / (18 + 2).
        let a: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, n == 4)).collect();
        let mut b: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, n >= 9)).collect();
        b[8].neutralised = true;
        b[9].neutralised = true;
        r.cars[0].laps = &a;
        r.cars[1].laps = &b;
        let s = RivalStops::of_race(&r);
        assert_eq!(s.observed, 18);
        assert!((s.free - (1.0 + 2.0 / 28.0) / 20.0).abs() < 1e-12);
        assert_eq!(s.for_car(&r.cars[0]), s.for_car(&r.cars[1]));
    }

    #[test]
    fn priors_until_cars_pass_the_pit_entry() {
        // SC out at 900 s; the laps end at 90 s multiples, the last at 900 s:
        // nobody has completed a lap since.
        let laps: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, false)).collect();
        let mut cars = field(&[0, 1_000]);
        for c in &mut cars {
            c.laps = &laps;
            c.compound = Compound::Soft;
        }
        let r = RivalStops::of_race(&race(cars.clone(), Some(900_000)));
        assert!(r.neutralised);
        assert_eq!(r.observed, 0);
        assert_eq!((r.owing, r.free), (PRIOR_OWING, PRIOR_FREE));
        assert_eq!(r.for_car(&cars[0]), PRIOR_OWING);
    }

    #[test]
    fn rates_follow_what_the_field_did() {
        // SC out at 850 s. Cars 1-3 still on softs: two turned in at the end
        // of lap 10 (the first lap completed under the SC), one did not. Car
        // 4 had changed to hards on lap 5 and stayed out.
        let stop: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, n == 10)).collect();
        let stay: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, false)).collect();
        let changed: Vec<LapRecord> = (1..=10)
            .map(|n| {
                let c = if n <= 4 {
                    Compound::Soft
                } else {
                    Compound::Hard
                };
                lap(n, c, n == 4)
            })
            .collect();
        let mut cars = field(&[0, 1_000, 2_000, 3_000, 4_000]);
        cars[0].laps = &stop;
        cars[1].laps = &stop;
        cars[2].laps = &stay;
        cars[3].laps = &changed;
        cars[3].compound = Compound::Hard;
        // Car 5 has no laps: it has not been seen.
        let r = RivalStops::of_race(&race(cars.clone(), Some(850_000)));
        assert_eq!(r.observed, 4);
        assert!((r.owing - (2.0 + 2.0 * PRIOR_OWING) / 5.0).abs() < 1e-12);
        assert!((r.free - (2.0 * PRIOR_FREE) / 3.0).abs() < 1e-12);
        assert_eq!(r.for_car(&cars[3]), r.free);
        assert_eq!(r.for_car(&cars[4]), r.owing);
    }

    #[test]
    fn rates_stay_probabilities() {
        // Property: whatever the field did, both rates lie in 0..=1 and move
        // towards what was seen.
        for stopped in 0..=6u32 {
            let t = Tally { seen: 6, stopped };
            for prior in [0.0, PRIOR_FREE, PRIOR_OWING, 1.0] {
                let r = t.rate(prior);
                assert!((0.0..=1.0).contains(&r));
                let seen = f64::from(stopped) / 6.0;
                assert!((r - seen).abs() <= (prior - seen).abs() + 1e-12);
            }
        }
    }
}
