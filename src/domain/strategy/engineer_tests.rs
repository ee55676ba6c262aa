//! Tests of the engineer's calls: safety car, pit window, cliff, undercut,
//! overcut, cars without a call, and the whole chain from `RaceTiming`.

use super::degradation::tests::stint_laps;
use super::rejoin::tests::field;
use super::*;
use crate::domain::events::CarStatus;
use crate::domain::records::Compound;
use crate::domain::timing::{LapRecord, Neutralisation};

fn race<'a>(cars: Vec<CarInput<'a>>, n: Neutralisation) -> RaceInput<'a> {
    RaceInput {
        total_laps: 60,
        track_length_m: 5_000.0,
        pit_loss_ms: 22_400.0,
        lane_loss_ms: None,
        pit_stretch_ms: None,
        neutral_pace_ratio: None,
        neutralisation: n,
        neutralised_since_ms: None,
        cars,
    }
}

/// Medium laps 2..lap-1 of stint 1 at `deg` ms/lap, age = lap - 1.
fn history(lap: u32, deg: f64) -> Vec<LapRecord> {
    stint_laps(2, lap - 2, 1, 1, Compound::Medium, deg, 15.0)
}

#[test]
fn safety_car_calls_a_stop_at_half_the_pit_loss() {
    let laps = history(21, 60.0);
    let mut cars = field(&[0, 3_000, 6_000, 9_000, 14_000, 20_000]);
    for c in &mut cars {
        c.lap = 21;
        c.tyre_age_laps = 20;
        c.laps = &laps;
    }
    let p = StrategyParams::default();
    let sc = race(cars.clone(), Neutralisation::SafetyCar);
    let call = evaluate_car(&sc, 2, &p).unwrap();
    assert_eq!(call.kind, CallKind::PitNow);
    assert_eq!(call.pit_loss_ms, 11_200);
    // 6 s + 11.2 s = 17.2 s. Every car needs a stop, so every car is
    // told to box under the SC: cars 1 and 2 rejoin at 11.2 s and 14.2 s,
    // car 4 at 20.2 s: P3 behind car 2. Alone it would have been P5, behind
    // car 5 (14 s).
    assert_eq!((call.rejoin_position, call.rejoin_behind), (3, Some(2)));
    assert!(
        call.reason.starts_with(
            "Box now: SC reduces pit loss to 11.2 s, rejoin P3 behind #12 (3.0 s back)"
        ),
        "{}",
        call.reason
    );
    let vsc = race(cars.clone(), Neutralisation::VirtualSafetyCar);
    let call = evaluate_car(&vsc, 2, &p).unwrap();
    assert_eq!((call.kind, call.pit_loss_ms), (CallKind::PitNow, 15_680));
    // Green flag, same cars: no "box now".
    let green = race(cars, Neutralisation::None);
    assert_ne!(evaluate_car(&green, 2, &p).unwrap().kind, CallKind::PitNow);
}

#[test]
fn no_safety_car_stop_on_fresh_tyres_or_near_the_flag() {
    let p = StrategyParams::default();
    let mut cars = field(&[0, 3_000]);
    cars[1].tyre_age_laps = 1;
    let sc = race(cars.clone(), Neutralisation::SafetyCar);
    assert_eq!(evaluate_car(&sc, 1, &p).unwrap().kind, CallKind::StayOut);
    cars[1].tyre_age_laps = 20;
    cars[1].lap = 59;
    let sc = race(cars, Neutralisation::SafetyCar);
    assert_ne!(evaluate_car(&sc, 1, &p).unwrap().kind, CallKind::PitNow);
}

#[test]
fn pit_window_opens_at_the_expected_lap() {
    // 100 ms/lap fitted from the car's own laps, compounds equally fast, no
    // compound rule, 20 s pit loss: the stint has cost 20 s at age 20, which
    // is lap 21 (age = lap - 1).
    let p = StrategyParams {
        compound_offset_ms: [0.0; 3],
        two_compound_rule: false,
        ..StrategyParams::default()
    };
    let mut seen = Vec::new();
    for lap in [12u32, 20, 21, 24] {
        let laps = history(lap, 100.0);
        let mut cars = field(&[0]);
        cars[0].lap = lap;
        cars[0].tyre_age_laps = lap - 1;
        cars[0].laps = &laps;
        let mut r = race(cars, Neutralisation::None);
        r.pit_loss_ms = 20_000.0;
        let call = evaluate_car(&r, 0, &p).unwrap();
        assert!((call.deg_ms_per_lap - 100.0).abs() < 3.0, "{call:?}");
        assert_eq!(call.pit_window_lap, Some(21), "lap {lap}: {call:?}");
        seen.push(call.kind);
    }
    use CallKind::*;
    assert_eq!(seen, vec![StayOut, StayOut, PitWindowOpen, PitWindowOpen]);
}

#[test]
fn past_the_cliff_means_box_now() {
    let p = StrategyParams::default();
    let laps = history(32, 70.0);
    let mut cars = field(&[0, 4_000]);
    cars[1].lap = 32;
    cars[1].tyre_age_laps = 31; // medium cliff 28 on 5 km
    cars[1].laps = &laps;
    let call = evaluate_car(&race(cars, Neutralisation::None), 1, &p).unwrap();
    assert_eq!((call.kind, call.laps_to_cliff), (CallKind::PitNow, -3));
    assert!(call.reason.contains("past the cliff"), "{}", call.reason);
}

#[test]
fn undercut_threat_from_a_close_car_behind() {
    let p = StrategyParams::default();
    let laps = history(20, 80.0);
    for (gap_behind, threat) in [(1_000, true), (6_000, false)] {
        let mut cars = field(&[0, 10_000, 10_000 + gap_behind, 40_000]);
        for c in &mut cars {
            c.lap = 20;
            c.tyre_age_laps = 19;
            c.laps = &laps;
        }
        let call = evaluate_car(&race(cars, Neutralisation::None), 1, &p).unwrap();
        if threat {
            assert_eq!((call.kind, call.rival), (CallKind::UndercutThreat, Some(3)));
            assert!(
                call.reason.starts_with("Undercut threat: #13 1.0 s behind"),
                "{}",
                call.reason
            );
        } else {
            assert_ne!(call.kind, CallKind::UndercutThreat);
        }
    }
}

#[test]
fn overcut_opportunity_when_the_car_ahead_stops_and_our_tyres_hold() {
    let p = StrategyParams::default();
    // Car 2 on hards losing 20 ms/lap, 0.3 s behind car 1, which is in the
    // pits: car 1's out-lap on new tyres costs more than car 2's wear.
    let hard: Vec<LapRecord> = stint_laps(2, 9, 1, 1, Compound::Hard, 20.0, 5.0);
    let mut cars = field(&[0, 300]);
    cars[0].status = CarStatus::InPit;
    cars[1].compound = Compound::Hard;
    cars[1].tyre_age_laps = 10;
    cars[1].lap = 11;
    cars[1].laps = &hard;
    let r = race(cars, Neutralisation::None);
    let call = evaluate_car(&r, 1, &p).unwrap();
    assert_eq!(
        (call.kind, call.rival),
        (CallKind::OvercutOpportunity, Some(1))
    );
    assert!(
        call.reason.starts_with("Overcut: #11 0.3 s ahead"),
        "{}",
        call.reason
    );
    // The car in the pits gets no call.
    assert_eq!(evaluate_car(&r, 0, &p), None);
    assert_eq!(evaluate_race(&r, &p).len(), 1);
}

#[test]
fn stay_out_says_when_the_window_opens() {
    let p = StrategyParams::default();
    let laps = history(8, 60.0);
    let mut cars = field(&[0]);
    cars[0].lap = 8;
    cars[0].tyre_age_laps = 7;
    cars[0].laps = &laps;
    let call = evaluate_car(&race(cars, Neutralisation::None), 0, &p).unwrap();
    assert_eq!(call.kind, CallKind::StayOut);
    let w = call.pit_window_lap.unwrap();
    assert!(
        call.reason.contains(&format!("window opens lap {w}")),
        "{}",
        call.reason
    );
    assert_eq!(call.laps_to_cliff, 21);
}

#[test]
fn boxing_projects_the_rejoin_with_the_measured_lane_loss() {
    // Gaps 0, 2, 5, 9, 15, 24, 30 s; car 2 (2 s) has just turned in.
    let mut cars = field(&[0, 2_000, 5_000, 9_000, 15_000, 24_000, 30_000]);
    cars[1].status = CarStatus::InPit;
    let p = StrategyParams::default();
    let green = race(cars.clone(), Neutralisation::None);
    // Only a car in the lane gets a projection.
    assert_eq!(project_pit_exit(&green, 0, &p), None);
    assert_eq!(
        evaluate_car(&green, 1, &p),
        None,
        "no pit-wall call in the lane"
    );
    // With the track's whole-stop figure: 2 + 22.4 = 24.4 s, behind car 6
    // (24 s) if cars 3 to 6 all stay out; each may stop this lap (the race's
    // chance, here the prior for mediums 15 laps old), which would keep it
    // behind: P5 is within a place of both.
    let call = project_pit_exit(&green, 1, &p).unwrap();
    assert_eq!(call.kind, CallKind::Boxing);
    assert_eq!((call.rejoin_position, call.rejoin_behind), (5, Some(5)));
    assert_eq!(call.pit_loss_ms, 22_400);
    // The race's stops show 18 s from entry to exit: 20 s, ahead of car 6
    // and behind car 5 (15 s) if nobody else stops: P5, so P4 as above.
    let measured = RaceInput {
        lane_loss_ms: Some(18_000.0),
        pit_stretch_ms: None,
        neutral_pace_ratio: None,
        ..green
    };
    let call = project_pit_exit(&measured, 1, &p).unwrap();
    assert_eq!((call.rejoin_position, call.rejoin_behind), (4, Some(4)));
    assert_eq!(call.pit_loss_ms, 18_000);
    assert_eq!(
        call.reason,
        "Boxing: 18.0 s to lose in the lane, projected to rejoin P4 (P3-P5, 98%) behind #14 (6.4 s back), ahead of #15 (0.0 s)"
    );
    // Under the safety car the lane costs the same race time (the field's
    // gaps stretch with it), but the cars close behind may stop too: with
    // nobody seen at the pit entry yet, each of cars 3-5, still owing a stop
    // on mediums that cannot last the 40 laps left, takes it (the prior
    // says 99%). Car 2 then rejoins two places back give or take one: P3,
    // behind car 3.
    let sc = RaceInput {
        neutralisation: Neutralisation::SafetyCar,
        neutralised_since_ms: Some(0),
        ..measured
    };
    let call = project_pit_exit(&sc, 1, &p).unwrap();
    assert_eq!(call.pit_loss_ms, 18_000);
    assert_eq!((call.rejoin_position, call.rejoin_behind), (3, Some(3)));
    assert!(
        call.reason
            .contains("under the SC 3.0 of the 3 cars that could pass are expected to stop too"),
        "{}",
        call.reason
    );
}
