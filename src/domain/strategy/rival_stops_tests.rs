use super::*;
use crate::domain::strategy::rejoin::tests::field;

/// Lap `n` on `compound` with tyres `n - 1` laps old, 90 s each; an in-lap
/// entered the lane 10 s before its end.
pub(crate) fn lap(n: u32, compound: Compound, in_lap: bool) -> LapRecord {
    LapRecord {
        lap: n,
        lap_ms: 90_000,
        end_ts_ms: u64::from(n) * 90_000,
        compound,
        tyre_age_laps: n - 1,
        fuel_kg: 50.0,
        stint: 1,
        in_lap,
        pit_entry_ms: in_lap.then(|| u64::from(n) * 90_000 - 10_000),
        out_lap: false,
        neutralised: false,
    }
}

fn laps(n: u32, compound: Compound, in_lap_at: Option<u32>) -> Vec<LapRecord> {
    (1..=n)
        .map(|k| lap(k, compound, in_lap_at == Some(k)))
        .collect()
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

/// `car` on `compound` tyres `age` laps old, on lap 11.
fn on(mut car: CarInput<'_>, compound: Compound, age: u32) -> CarInput<'_> {
    car.compound = compound;
    car.tyre_age_laps = age;
    car.lap = 11;
    car
}

fn p() -> StrategyParams {
    StrategyParams::default()
}

#[test]
fn green_prior_is_one_stop_per_race_on_new_tyres_and_grows_with_age() {
    let r = race(field(&[0, 1_000]), None);
    let s = RivalStops::of_race(&r, &p());
    assert!(!s.neutralised);
    assert_eq!(s.observed, 0);
    // New mediums on lap 11 of 30: 19 laps left, well within their 28.
    let new = on(r.cars[1].clone(), Compound::Medium, 0);
    assert!((s.for_car(&new) - 1.0 / 30.0).abs() < 1e-9);
    // Property: older tyres, and softer ones at the same age, are likelier
    // to be changed.
    let mut last = 0.0;
    for age in 0..30 {
        let q = s.for_car(&on(r.cars[1].clone(), Compound::Medium, age));
        assert!(q > last && q < 1.0, "age {age}: {q}");
        last = q;
        let soft = s.for_car(&on(r.cars[1].clone(), Compound::Soft, age));
        assert!(soft >= q);
    }
}

#[test]
fn green_hazard_follows_the_races_stops() {
    // Ten cars: five ran softs to the end of lap 8, five hards to lap 10.
    // Had the soft cars all turned in at the end of lap 8, softs 7 laps old
    // look likelier to stop than the prior says; had they all stayed out,
    // less likely.
    let hard = laps(10, Compound::Hard, None);
    let chance = |in_lap_at: Option<u32>| {
        let soft = laps(8, Compound::Soft, in_lap_at);
        let mut cars = field(&[
            0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000,
        ]);
        for (k, c) in cars.iter_mut().enumerate() {
            c.laps = if k < 5 { &soft } else { &hard };
        }
        let r = race(cars, None);
        let s = RivalStops::of_race(&r, &p());
        assert_eq!(s.observed, 90);
        let mut probe = on(r.cars[0].clone(), Compound::Soft, 7);
        probe.lap = 8;
        probe.laps = &[];
        s.for_car(&probe)
    };
    let mut probe = on(field(&[0])[0].clone(), Compound::Soft, 7);
    probe.lap = 8;
    let prior = RivalStops::of_race(&race(field(&[0]), None), &p()).for_car(&probe);
    assert!(chance(Some(8)) > prior && chance(None) < prior);
    assert!(chance(Some(8)) > 1.2 * chance(None));
}

#[test]
fn green_counts_cars_in_the_lane_once() {
    // A car in the lane that has not crossed the line yet is a stop not in
    // its laps; once it has, its in-lap says so and it is not counted again.
    let before = laps(7, Compound::Soft, None);
    let crossed = laps(8, Compound::Soft, Some(8));
    let mut cars = field(&[0, 1_000]);
    cars[1].status = CarStatus::InPit;
    cars[1].pit_entry_ms = Some(8 * 90_000 - 10_000);
    cars[1].laps = &before;
    let s = RivalStops::of_race(&race(cars.clone(), None), &p());
    assert_eq!(s.observed, 8);
    cars[1].laps = &crossed;
    let t = RivalStops::of_race(&race(cars, None), &p());
    assert_eq!(t.observed, 8);
    assert_eq!(s.weights, t.weights);
}

#[test]
fn caution_prior_favours_cars_owing_a_stop_and_on_old_tyres() {
    // SC out at 900 s, when every lap so far had ended: nobody has decided.
    let ten = laps(10, Compound::Soft, None);
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
    let mut cars = field(&[0, 1_000]);
    cars[0].laps = &ten;
    cars[1].laps = &changed;
    let r = race(cars, Some(900_000));
    let s = RivalStops::of_race(&r, &p());
    assert!(s.neutralised);
    assert_eq!(s.observed, 0);
    // At half their life (medium: 14 of 28 laps) with 10 laps left, 70%
    // owing a change, 20% not.
    let mut owes = on(r.cars[0].clone(), Compound::Medium, 14);
    owes.laps = &[];
    owes.lap = 20;
    let mut free = on(r.cars[1].clone(), Compound::Medium, 14);
    free.lap = 20;
    assert!((s.for_car(&owes) - 0.7).abs() < 1e-9);
    assert!((s.for_car(&free) - 0.2).abs() < 1e-9);
    // New tyres make a stop unlikely even for a car owing one; tyres that
    // cannot reach the flag make it likelier even for one that does not.
    assert!(s.for_car(&on(owes.clone(), Compound::Hard, 1)) < 0.5);
    let mut short = free.clone();
    short.lap = 2;
    assert!(s.for_car(&short) > 0.5);
}

#[test]
fn caution_learns_from_decisions_the_field_could_take() {
    // SC out at 890 s; the lane takes 10 s from entry to line (the in-laps
    // below). Lap 10 ends at 900 s: too soon to react, so the cars that
    // stayed out on it have not decided yet, and their lap 11 (990 s)
    // does. Cars 1-4 stayed out on lap 11; car 5 turned in at 985 s and is
    // still in the lane; car 6 stopped on lap 5, long before.
    let stayed = laps(11, Compound::Medium, None);
    let old_stop = {
        let mut l = laps(11, Compound::Medium, Some(5));
        for x in &mut l[5..] {
            x.compound = Compound::Hard;
        }
        l
    };
    let ten = laps(10, Compound::Medium, None);
    let mut cars = field(&[0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000]);
    for c in &mut cars[..4] {
        c.laps = &stayed;
    }
    cars[4].laps = &ten;
    cars[4].status = CarStatus::InPit;
    cars[4].pit_entry_ms = Some(985_000);
    cars[5].laps = &old_stop;
    cars[6].laps = &ten;
    let s = RivalStops::of_race(&race(cars.clone(), Some(890_000)), &p());
    // Cars 1-4 and 6 decided on lap 11, car 5 in the lane; car 7 not yet.
    assert_eq!(s.observed, 6);
    let prior = RivalStops::of_race(&race(cars.clone(), Some(2_000_000)), &p());
    assert_eq!(prior.observed, 0);
    let probe = on(cars[6].clone(), Compound::Medium, 10);
    assert!(s.for_car(&probe) < prior.for_car(&probe));
    // Had cars 1-4 all been in the lane instead, the rush shows.
    for c in &mut cars[..4] {
        c.laps = &ten;
        c.status = CarStatus::InPit;
        c.pit_entry_ms = Some(980_000);
    }
    let rush = RivalStops::of_race(&race(cars, Some(890_000)), &p());
    assert!(rush.for_car(&probe) > prior.for_car(&probe));
}

#[test]
fn chances_stay_probabilities() {
    // Property: whatever the race did, every chance lies in 0..=1.
    let a = laps(12, Compound::Soft, Some(6));
    let b = laps(12, Compound::Hard, None);
    for since in [None, Some(500_000), Some(1_000_000)] {
        let mut cars = field(&[0, 1_000, 2_000, 3_000]);
        cars[0].laps = &a;
        cars[1].laps = &b;
        cars[2].laps = &a;
        let r = race(cars, since);
        let s = RivalStops::of_race(&r, &p());
        for c in &r.cars {
            for age in [0, 5, 20, 60] {
                let q = s.for_car(&on(c.clone(), Compound::Soft, age));
                assert!((0.0..=1.0).contains(&q), "{q}");
            }
        }
    }
}
