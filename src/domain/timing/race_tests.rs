//! Tests of the ingest path of `RaceTiming`: laps, sectors, bests, stale
//! samples, pit stops, retirements, the finish and race control.

use super::testkit::{entries, sample, stream, track};
use super::*;
use crate::domain::events::CarStatus;
use crate::domain::records::{
    Compound, PitState, RaceControl, RaceControlKind, Sample, SCHEMA_VERSION,
};

const L: f64 = 5_000.0;

fn feed(rt: &mut RaceTiming, samples: &[Sample]) -> Vec<TimingEvent> {
    samples.iter().flat_map(|s| rt.ingest(s, 7)).collect()
}

fn laps_of(events: &[TimingEvent], car: u32) -> Vec<crate::domain::events::LapCompleted> {
    events
        .iter()
        .filter_map(|e| match e {
            TimingEvent::LapCompleted(l) if l.car_id == car => Some(l.clone()),
            _ => None,
        })
        .collect()
}

fn rc(kind: RaceControlKind, ts_ms: u64, car_id: Option<u32>) -> RaceControl {
    RaceControl {
        v: SCHEMA_VERSION,
        race_id: "r1".into(),
        ts_ms,
        sent_at_us: 9,
        kind,
        car_id,
        message: String::new(),
    }
}

#[test]
fn constant_speed_laps_and_sectors_are_exact_to_a_ms() {
    // 50 m/s at 10 Hz from 17.3 m: line crossings fall between samples.
    let mut rt = RaceTiming::new("r1", &track(L), &entries(1), 10);
    let events = feed(
        &mut rt,
        &stream(&[1], L, 100, 350_000, |_, t| 17.3 + 0.05 * t as f64),
    );
    let laps = laps_of(&events, 1);
    assert_eq!(laps.len(), 3);
    assert_eq!(laps[0].lap, 1);
    assert_eq!(laps[0].lap_ms, 99_654); // (5000 - 17.3) / 0.05
    assert_eq!(laps[0].meta.ts_ms, 99_654);
    assert_eq!(laps[0].meta.event_id, "r1:lap_completed:1:99654");
    assert_eq!(laps[0].sectors_ms, vec![29_654, 40_000, 30_000]);
    for lap in &laps[1..] {
        assert_eq!(lap.lap_ms, 100_000);
        assert_eq!(lap.sectors_ms, vec![30_000, 40_000, 30_000]);
        assert_eq!(lap.compound, Compound::Medium);
    }
    assert_eq!(rt.laps(1).len(), 3);
    assert_eq!(rt.stats().accepted, 3_501);
}

#[test]
fn personal_and_overall_bests() {
    // Car 1 at 50 m/s; car 2 at 49 m/s then 55 m/s from 150 s on.
    let mut rt = RaceTiming::new("r1", &track(L), &entries(2), 10);
    let dist = |id: u32, t: u64| {
        let t = t as f64 / 1_000.0;
        match id {
            1 => 50.0 * t,
            _ if t < 150.0 => 49.0 * t,
            _ => 49.0 * 150.0 + 55.0 * (t - 150.0),
        }
    };
    let events = feed(&mut rt, &stream(&[1, 2], L, 100, 400_000, dist));
    let c1 = laps_of(&events, 1);
    let c2 = laps_of(&events, 2);
    assert!(c1[0].personal_best && c1[0].overall_best);
    assert!(!c1[1].personal_best && !c1[1].overall_best);
    assert!(c2[0].personal_best && !c2[0].overall_best); // 102 s: slower than 100 s
    assert!(c2[1].personal_best && c2[1].overall_best); // part at 55 m/s
    assert!(c2[2].personal_best && c2[2].overall_best); // all at 55 m/s
    assert!(!c1[2].overall_best);
}

#[test]
fn duplicate_stale_and_unknown_samples_are_ignored_and_counted() {
    let mut rt = RaceTiming::new("r1", &track(L), &entries(1), 10);
    let a = sample(1, 5, 1_000, 100.0, L);
    let b = sample(1, 6, 1_100, 105.0, L);
    assert!(rt.ingest(&a, 0).is_empty());
    assert!(rt.ingest(&b, 0).is_empty());
    rt.ingest(&b, 0); // duplicate
    rt.ingest(&a, 0); // stale seq
    rt.ingest(&sample(1, 7, 1_050, 104.0, L), 0); // race clock going back
    rt.ingest(&sample(99, 1, 1_100, 5.0, L), 0);
    let st = rt.stats();
    assert_eq!((st.accepted, st.stale, st.unknown_car), (2, 3, 1));
    assert_eq!(rt.leaderboard(1_100, 0).entries[0].race_distance_m, 105.0);
}

#[test]
fn implausible_jumps_are_dropped() {
    let mut rt = RaceTiming::new("r1", &track(L), &entries(1), 10);
    rt.ingest(&sample(1, 1, 1_000, 100.0, L), 0);
    // Wrong lap number: 5 km in 100 ms.
    assert!(rt.ingest(&sample(1, 2, 1_100, 5_105.0, L), 0).is_empty());
    rt.ingest(&sample(1, 3, 1_200, 110.0, L), 0);
    assert_eq!(rt.stats().implausible, 1);
    assert_eq!(rt.leaderboard(1_200, 0).entries[0].race_distance_m, 110.0);
}

/// Car 1 at 50 m/s from 10 m; pit lane from 190 s to 215 s, in the box from
/// 200 s to 202.5 s (the car is held at its distance meanwhile), soft → hard.
fn pit_stream() -> Vec<Sample> {
    let d = |t: u64| {
        let t = t as f64;
        let moving = if t < 200_000.0 {
            t
        } else if t < 202_500.0 {
            200_000.0
        } else {
            t - 2_500.0
        };
        10.0 + 0.05 * moving
    };
    let mut out = stream(&[1], L, 100, 420_000, |_, t| d(t));
    for s in &mut out {
        let t = s.ts_ms;
        s.pit = match t {
            190_000..200_000 | 202_500..215_000 => PitState::PitLane,
            200_000..202_500 => PitState::PitBox,
            _ => PitState::OnTrack,
        };
        let new = t >= 202_000;
        s.tyre.compound = if new { Compound::Hard } else { Compound::Soft };
        s.tyre.age_laps = if new { s.lap - 3 } else { s.lap + 7 };
    }
    out
}

#[test]
fn pit_stop_gives_entry_stationary_exit_and_new_stint() {
    let mut rt = RaceTiming::new("r1", &track(L), &entries(1), 10);
    let samples = pit_stream();
    let mut status_in_pit = None;
    let mut entry_in_pit = None;
    let mut events = Vec::new();
    for s in &samples {
        events.extend(rt.ingest(s, 7));
        if s.ts_ms == 201_000 {
            status_in_pit = Some(rt.leaderboard(s.ts_ms, 0).entries[0].status);
            entry_in_pit = rt.pit_entry_ms(1);
        }
    }
    assert_eq!(status_in_pit, Some(CarStatus::InPit));
    assert_eq!(entry_in_pit, Some(190_000));
    // Out of the lane again: no entry under way.
    assert_eq!(rt.pit_entry_ms(1), None);
    let entries: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TimingEvent::PitEntered(p) => Some(*p),
            _ => None,
        })
        .collect();
    assert_eq!(
        entries,
        vec![PitEntered {
            car_id: 1,
            lap: 2,
            ts_ms: 190_000
        }],
        "one entry, at the first sample in the lane, on the in-lap"
    );
    let stops: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TimingEvent::PitStop(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(stops.len(), 1);
    let p = &stops[0];
    assert_eq!(p.stop.lap, 2);
    assert_eq!((p.stop.entry_ts_ms, p.stop.exit_ts_ms), (190_000, 215_000));
    assert_eq!(p.stop.stationary_ms, 2_500);
    assert_eq!(p.stop.pit_lane_ms, 25_000);
    assert_eq!(
        (p.stop.compound_in, p.stop.compound_out),
        (Compound::Soft, Compound::Hard)
    );
    assert_eq!(p.stop.meta.event_id, "r1:pit_stop:1:215000");
    assert!(p.tyres_changed);
    let stint = p.new_stint.unwrap();
    assert_eq!(
        (stint.stint, stint.compound, stint.start_lap),
        (2, Compound::Hard, 3)
    );
    assert_eq!(rt.stint(1), Some(stint));
    // The pit lane spans the line at 199.8 s: lap 2 is the in-lap, lap 3
    // the out-lap, and the stationary time is in lap 3.
    let laps = rt.laps(1);
    assert!(laps[1].in_lap && !laps[1].out_lap);
    assert!(laps[2].out_lap && !laps[2].in_lap);
    // The in-lap keeps its pit entry instant; other laps have none.
    assert_eq!(laps[1].pit_entry_ms, Some(190_000));
    assert_eq!((laps[0].pit_entry_ms, laps[2].pit_entry_ms), (None, None));
    assert_eq!(laps[2].lap_ms, 102_500);
    assert_eq!((laps[1].stint, laps[2].stint), (1, 2));
    assert_eq!(laps[1].compound, Compound::Soft);
    assert_eq!(laps[2].compound, Compound::Hard);
    let lb = rt.leaderboard(420_000, 0);
    assert_eq!(lb.entries[0].pit_stops, 1);
    assert_eq!(lb.entries[0].compound, Compound::Hard);
    assert_eq!(lb.entries[0].status, CarStatus::Running);
}

#[test]
fn retirements_from_samples_and_race_control_go_last_by_distance() {
    let mut rt = RaceTiming::new("r1", &track(L), &entries(4), 10);
    let samples = stream(&[1, 2, 3, 4], L, 100, 60_000, |id, t| {
        f64::from(id) * 10.0 + 0.05 * t as f64
    });
    let mut retired = Vec::new();
    for mut s in samples {
        // Car 4 stops at 20 s: its samples say Retired from then on.
        if s.car_id == 4 && s.ts_ms >= 20_000 {
            s.pit = PitState::Retired;
            s.lap_distance_m = 40.0 + 1_000.0;
        }
        retired.extend(rt.ingest(&s, 0));
        if s.ts_ms == 30_000 && s.car_id == 4 {
            retired.extend(rt.race_control(&rc(RaceControlKind::Retirement, 30_000, Some(3))));
        }
    }
    let ids: Vec<_> = retired.iter().map(TimingEvent::car_id).collect();
    assert_eq!(ids, vec![4, 3]);
    if let TimingEvent::Retired(r) = &retired[1] {
        assert_eq!(r.meta.event_id, "r1:car_retired:3:30000");
        assert_eq!(r.race_distance_m, 30.0 + 1_500.0);
    }
    // 3 stopped further than 4: 2, 1 running, then 3, then 4.
    assert_eq!(rt.positions(), vec![2, 1, 3, 4]);
    let lb = rt.leaderboard(60_000, 0);
    assert_eq!(lb.entries[2].status, CarStatus::Retired);
    assert_eq!(lb.entries[2].gap_to_leader_ms, None);
    assert_eq!(lb.entries[3].interval_ms, None);
}

#[test]
fn finish_order_follows_laps_then_crossing_order() {
    // 2-lap race, 1 km lap. Car 1 at 50 m/s, car 2 at 49 m/s, car 3 at 24 m/s:
    // the flag falls at 40 s; car 2 finishes at 40.816 s; car 3, a lap down,
    // finishes at its next crossing (41.667 s) with 1 lap.
    let l = 1_000.0;
    let mut rt = RaceTiming::new("r1", &track(l), &entries(3), 2);
    let speeds = [0.0, 0.05, 0.049, 0.024];
    let samples = stream(&[1, 2, 3], l, 100, 120_000, |id, t| {
        speeds[id as usize] * t as f64
    });
    let events = feed(&mut rt, &samples);
    let fin: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TimingEvent::Finished(f) => Some((f.car_id, f.laps, f.meta.ts_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(fin, vec![(1, 2, 40_000), (2, 2, 40_816), (3, 1, 41_667)]);
    assert_eq!(rt.chequered_at_ms(), Some(40_000));
    assert_eq!(rt.positions(), vec![1, 2, 3]);
    let lb = rt.leaderboard(120_000, 0);
    assert!(lb.entries.iter().all(|e| e.status == CarStatus::Finished));
    assert_eq!(lb.entries[1].gap_to_leader_ms, Some(816));
    assert_eq!(lb.entries[2].laps_down, 1);
    assert_eq!(lb.entries[2].lap, 1);
    assert_eq!(lb.leader_lap, 2);
    // Frozen after the flag: the cool-down lap does not move anyone.
    assert_eq!(lb.entries[0].race_distance_m, 2_000.0);
}

#[test]
fn a_lapped_car_taking_the_flag_first_stays_behind_a_car_on_its_last_lap() {
    // Car 2 at 40 m/s finishes its 2nd lap at 50 s; car 3 at 26 m/s crosses
    // the line (1 lap) at 38.5 s, before the flag: not finished yet; its next
    // crossing at 76.9 s (2 laps) finishes it. Car 4 at 19 m/s crosses at
    // 52.6 s after the flag: finished with 1 lap, but behind car 2.
    let l = 1_000.0;
    let mut rt = RaceTiming::new("r1", &track(l), &entries(4), 2);
    let speeds = [0.0, 0.05, 0.04, 0.026, 0.019];
    let samples = stream(&[1, 2, 3, 4], l, 100, 100_000, |id, t| {
        speeds[id as usize] * t as f64
    });
    let mut order_at_52s = Vec::new();
    for s in &samples {
        rt.ingest(s, 0);
        if s.ts_ms == 52_700 && s.car_id == 4 {
            order_at_52s = rt.positions();
        }
    }
    // At 52.7 s: 1 finished (2 laps), 2 finished (2 laps), 3 running on lap
    // 2 at 1370 m, 4 finished with 1 lap.
    assert_eq!(order_at_52s, vec![1, 2, 3, 4]);
    let lb = rt.leaderboard(100_000, 0);
    let laps: Vec<_> = lb.entries.iter().map(|e| (e.car_id, e.lap)).collect();
    assert_eq!(laps, vec![(1, 2), (2, 2), (3, 2), (4, 1)]);
}

#[test]
fn a_car_fed_before_the_leader_in_the_flag_tick_still_finishes_on_that_crossing() {
    // Car 2 (a lap down, 25 m/s) is fed first in each tick. In the tick from
    // 40.0 s to 40.1 s it crosses the line (1 lap) at 40.06 s, then car 1
    // completes the 2 laps at 40.02 s: the flag fell before car 2's crossing,
    // so car 2 is finished on it although it was fed before the flag.
    let l = 1_000.0;
    let mut rt = RaceTiming::new("r1", &track(l), &entries(2), 2);
    let samples = stream(&[2, 1], l, 100, 60_000, |id, t| {
        let (lag, v) = if id == 1 { (20.0, 0.05) } else { (60.0, 0.025) };
        (v * (t as f64 - lag)).max(0.0)
    });
    let events = feed(&mut rt, &samples);
    let fin: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TimingEvent::Finished(f) => Some((f.car_id, f.laps, f.meta.ts_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(fin, vec![(1, 2, 40_020), (2, 1, 40_060)]);
    assert_eq!(rt.positions(), vec![1, 2]);
}

#[test]
fn race_control_chequered_flag_shortens_the_race() {
    let l = 1_000.0;
    let mut rt = RaceTiming::new("r1", &track(l), &entries(1), 50);
    let samples = stream(&[1], l, 100, 100_000, |_, t| 0.05 * t as f64);
    let mut events = Vec::new();
    for s in &samples {
        events.extend(rt.ingest(s, 0));
        if s.ts_ms == 30_000 {
            events.extend(rt.race_control(&rc(RaceControlKind::ChequeredFlag, 30_000, None)));
        }
    }
    assert!(events
        .iter()
        .any(|e| matches!(e, TimingEvent::Finished(f) if f.laps == 2)));
    assert_eq!(rt.flag(), "chequered");
}

#[test]
fn safety_car_marks_laps_neutralised() {
    let mut rt = RaceTiming::new("r1", &track(L), &entries(1), 10);
    let samples = stream(&[1], L, 100, 420_000, |_, t| 0.05 * t as f64);
    for s in &samples {
        rt.ingest(s, 0);
        match s.ts_ms {
            150_000 => {
                rt.race_control(&rc(RaceControlKind::SafetyCar, s.ts_ms, None));
            }
            250_000 => {
                rt.race_control(&rc(RaceControlKind::SafetyCarIn, s.ts_ms, None));
            }
            _ => {}
        }
        if s.ts_ms == 150_000 {
            assert_eq!(rt.neutralisation(), Neutralisation::SafetyCar);
            assert_eq!(rt.flag(), "safety_car");
        }
        if (150_000..250_000).contains(&s.ts_ms) {
            assert_eq!(rt.neutralised_since_ms(), Some(150_000));
        }
    }
    let n: Vec<_> = rt.laps(1).iter().map(|l| l.neutralised).collect();
    // SC from 150 s to 250 s: laps 2 (100-200 s) and 3 (200-300 s).
    assert_eq!(n, vec![false, true, true, false]);
    assert_eq!(rt.neutralisation(), Neutralisation::None);
    assert_eq!(rt.neutralised_since_ms(), None);
}

#[test]
fn a_vsc_turned_into_a_safety_car_keeps_its_start() {
    let mut rt = RaceTiming::new("r1", &track(L), &entries(1), 10);
    assert_eq!(rt.neutralised_since_ms(), None);
    rt.race_control(&rc(RaceControlKind::VirtualSafetyCar, 10_000, None));
    rt.race_control(&rc(RaceControlKind::SafetyCar, 20_000, None));
    assert_eq!(rt.neutralisation(), Neutralisation::SafetyCar);
    assert_eq!(rt.neutralised_since_ms(), Some(10_000));
    rt.race_control(&rc(RaceControlKind::GreenFlag, 30_000, None));
    rt.race_control(&rc(RaceControlKind::VirtualSafetyCar, 40_000, None));
    assert_eq!(rt.neutralised_since_ms(), Some(40_000));
}
