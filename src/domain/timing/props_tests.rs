//! No-panic properties of timing fed hostile sample streams: sequence
//! numbers in any order and repeated, the race clock going backwards,
//! distances and speeds that are NaN, infinite, negative or huge, lap
//! numbers anywhere in `u32`, pit states at random, race control in
//! between. Processing only ever sees samples the decoder let through, but
//! timing is the last line: whatever it is fed, it must not panic, hang or
//! allocate without bound, and its leaderboard must stay well-formed.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::testkit::{entries, sample, track};
use super::RaceTiming;
use crate::domain::events::CarStatus;
use crate::domain::records::{PitState, RaceControl, RaceControlKind, Sample, SCHEMA_VERSION};

const LENGTH_M: f64 = 3_000.0;
const TOTAL_LAPS: u32 = 3;
const CARS: u32 = 4;

/// Floats a corrupt or hostile producer could send.
fn hostile_f64(normal: std::ops::Range<f64>) -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => normal,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-1.0e9),
        1 => Just(1.0e300),
        1 => Just(f64::MAX),
        1 => Just(-0.0),
    ]
}

fn pit_state() -> impl Strategy<Value = PitState> {
    prop_oneof![
        8 => Just(PitState::OnTrack),
        2 => Just(PitState::PitLane),
        2 => Just(PitState::PitBox),
        1 => Just(PitState::Retired),
    ]
}

/// One input: a sample, or a race control message.
#[derive(Debug, Clone)]
enum Input {
    Sample(Sample),
    Control(RaceControlKind, u64, Option<u32>),
}

/// A sample of a car moving roughly forwards (so laps do get completed),
/// then mangled: `seq` and `ts_ms` jitter back and forth, and any field
/// may be replaced by a hostile value.
fn input() -> impl Strategy<Value = Input> {
    let sample = (
        0..=CARS + 1,
        0u64..400,
        prop_oneof![9 => 0u64..200_000, 1 => any::<u64>()],
        prop_oneof![
            9 => 1u32..=TOTAL_LAPS + 2,
            1 => any::<u32>(),
        ],
        hostile_f64(0.0..LENGTH_M),
        hostile_f64(0.0..350.0),
        pit_state(),
    )
        .prop_map(|(car, seq, ts, lap, dist, speed, pit)| {
            let mut s = sample(car, seq, ts, 0.0, LENGTH_M);
            s.lap = lap;
            s.lap_distance_m = dist;
            s.speed_kph = speed;
            s.pit = pit;
            Input::Sample(s)
        });
    let control = (
        prop_oneof![
            Just(RaceControlKind::SafetyCar),
            Just(RaceControlKind::SafetyCarIn),
            Just(RaceControlKind::VirtualSafetyCar),
            Just(RaceControlKind::YellowFlag),
            Just(RaceControlKind::Retirement),
            Just(RaceControlKind::ChequeredFlag),
        ],
        0u64..200_000,
        proptest::option::of(0..=CARS + 1),
    )
        .prop_map(|(kind, ts, car)| Input::Control(kind, ts, car));
    prop_oneof![30 => sample, 1 => control]
}

/// A stream that is mostly sane (cars advancing tick by tick) with hostile
/// inputs mixed in, so the interesting states (laps completed, finish,
/// pit stops) are reached and then attacked.
fn stream() -> impl Strategy<Value = Vec<Input>> {
    (
        proptest::collection::vec(input(), 0..120),
        proptest::collection::vec(any::<prop::sample::Index>(), 0..120),
    )
        .prop_map(|(hostile, at)| {
            let mut out: Vec<Input> = Vec::new();
            // 3 laps at ~60 m/s, 4 cars, 10 Hz on the race clock.
            for tick in 0..1_600u64 {
                for car in 1..=CARS {
                    let d = tick as f64 * (6.0 + f64::from(car) * 0.1);
                    let mut s = sample(car, tick, tick * 100, d, LENGTH_M);
                    s.speed_kph = (6.0 + f64::from(car) * 0.1) * 36.0;
                    out.push(Input::Sample(s));
                }
            }
            for (input, at) in hostile.into_iter().zip(at) {
                let i = at.index(out.len() + 1);
                out.insert(i, input);
            }
            out
        })
}

fn control(kind: RaceControlKind, ts_ms: u64, car_id: Option<u32>) -> RaceControl {
    RaceControl {
        v: SCHEMA_VERSION,
        race_id: "r".into(),
        ts_ms,
        sent_at_us: 1,
        kind,
        car_id,
        message: String::new(),
    }
}

/// The leaderboard is well-formed: positions 1..n, every car once, gaps
/// no larger than the race clock, the gap column non-decreasing down the
/// order, distances finite and not negative. Returns (car, lap, finished).
fn check_board(rt: &RaceTiming, max_ts: u64) -> Result<Vec<(u32, u32, bool)>, TestCaseError> {
    let board = rt.leaderboard(max_ts, 1);
    let n = board.entries.len();
    let mut ids = HashSet::new();
    let mut last_gap = 0;
    for (i, e) in board.entries.iter().enumerate() {
        prop_assert_eq!(e.position as usize, i + 1);
        prop_assert!(ids.insert(e.car_id), "car {} listed twice", e.car_id);
        prop_assert!(
            e.race_distance_m.is_finite() && e.race_distance_m >= 0.0,
            "car {} at distance {}",
            e.car_id,
            e.race_distance_m
        );
        if let Some(gap) = e.gap_to_leader_ms {
            prop_assert!(gap <= max_ts, "gap {} beyond race clock {}", gap, max_ts);
            prop_assert!(
                gap >= last_gap,
                "gap column falls: {} after {}",
                gap,
                last_gap
            );
            last_gap = gap;
        }
        if let Some(interval) = e.interval_ms {
            prop_assert!(
                interval <= max_ts,
                "interval {} beyond {}",
                interval,
                max_ts
            );
        }
    }
    prop_assert!(n <= CARS as usize);
    Ok(board
        .entries
        .iter()
        .map(|e| (e.car_id, e.lap, e.status == CarStatus::Finished))
        .collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn hostile_streams_never_break_timing(inputs in stream()) {
        let mut rt = RaceTiming::new("r", &track(LENGTH_M), &entries(CARS), TOTAL_LAPS);
        let mut max_ts = 0u64;
        let mut shown: HashMap<u32, (u32, bool)> = HashMap::new();
        for (n, input) in inputs.iter().enumerate() {
            match input {
                Input::Sample(s) => {
                    rt.ingest(s, 1);
                    max_ts = max_ts.max(s.ts_ms);
                }
                Input::Control(kind, ts, car) => {
                    rt.race_control(&control(*kind, *ts, *car));
                    max_ts = max_ts.max(*ts);
                }
            }
            if n % 97 == 0 || n + 1 == inputs.len() {
                for (car, lap, finished) in check_board(&rt, max_ts)? {
                    let (before, was_finished) = shown.insert(car, (lap, finished)).unwrap_or((0, false));
                    if was_finished {
                        prop_assert_eq!(lap, before, "car {} finished, then its laps changed", car);
                    } else if finished {
                        // A car running a lap it will not be timed on (it
                        // crossed after the flag, fed before the leader in
                        // the same tick) shows its laps completed instead.
                        prop_assert!(lap + 1 >= before, "car {} finished on lap {} after {}", car, lap, before);
                    } else {
                        prop_assert!(lap >= before, "car {} went from lap {} to {}", car, before, lap);
                    }
                }
            }
        }
        for car in 1..=CARS {
            let laps: Vec<u32> = rt.laps(car).iter().map(|l| l.lap).collect();
            prop_assert!(
                laps.windows(2).all(|w| w[0] < w[1]),
                "car {} completed laps out of order: {:?}", car, laps
            );
            prop_assert!(laps.iter().all(|&l| l <= TOTAL_LAPS), "car {}: {:?}", car, laps);
        }
    }

    /// Only hostile samples, no sane backbone: the first sample of a car
    /// may be anything at all.
    #[test]
    fn a_car_first_seen_anywhere_never_breaks_timing(
        inputs in proptest::collection::vec(input(), 1..200)
    ) {
        let mut rt = RaceTiming::new("r", &track(LENGTH_M), &entries(CARS), TOTAL_LAPS);
        let mut max_ts = 0u64;
        for input in &inputs {
            if let Input::Sample(s) = input {
                rt.ingest(s, 1);
                max_ts = max_ts.max(s.ts_ms);
            }
        }
        check_board(&rt, max_ts)?;
    }
}
