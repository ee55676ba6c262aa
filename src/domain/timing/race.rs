//! `RaceTiming`: the timing state of one race, fed sample by sample and by
//! race control, and the rules of the ingest path: duplicate and stale
//! samples, line crossings, bests, pit stops, retirements and the finish.
//!
//! The finish: the first car to complete `total_laps` laps takes the
//! chequered flag at its interpolated crossing instant; from that instant
//! every car finishes at its next crossing. Samples of one tick are fed one
//! car at a time, so a car fed before the leader may already have crossed
//! after the flag: setting the flag re-checks every car's last crossing.
//! A `ChequeredFlag` from race control (a shortened race) sets it as well.
//!
//! The ingest path does not allocate per sample: lookups are by index, the
//! crossings buffer is reused and the returned `Vec` allocates only when an
//! event is returned.

use std::collections::HashMap;

use super::car::{CarState, LapFlags, Progress};
use super::control::Neutralisation;
use super::event::{
    CarFinished, CarRetired, LapRecord, PitEntered, PitStopCompleted, Stint, TimingEvent,
};
use super::interp::{kph_to_m_per_ms, round_ms, TracePoint};
use super::laps::Crossing;
use super::line::{Clock, FirstArrival};
use super::pit::PitInput;
use crate::domain::events::{EventMeta, LapCompleted, PitStop};
use crate::domain::records::{Entry, PitState, RaceControlKind, Sample, TrackInfo};

/// Fastest plausible average speed between two samples of one car (540 km/h)
/// plus a slack in metres: a sample further than that is corrupt (a wrong
/// lap number) and would move the car's high-water distance for good.
const MAX_SPEED_M_PER_MS: f64 = 0.15;
const JUMP_SLACK_M: f64 = 10.0;
/// Laps beyond the race distance a sample may be at (the cool-down lap and
/// a margin). Further is corrupt, and would make the timing line record
/// points (and grow) all the way there.
const MAX_EXTRA_LAPS: f64 = 2.0;
/// Highest speed a sample may report, km/h; the interpolation uses it as a
/// slope.
const MAX_SPEED_KPH: f64 = 1_000.0;

/// Counters of the ingest path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    pub accepted: u64,
    /// Sequence number not above the car's last, or race clock going back.
    pub stale: u64,
    /// Car not in the entry list.
    pub unknown_car: u64,
    /// Implied speed beyond anything a car can do, or a distance or speed
    /// that is not a number, negative, or far beyond the race distance.
    pub implausible: u64,
}

#[derive(Debug, Clone)]
pub struct RaceTiming {
    pub(super) race_id: String,
    pub(super) length_m: f64,
    pub(super) total_laps: u32,
    pub(super) cars: Vec<CarState>,
    pub(super) index: HashMap<u32, usize>,
    pub(super) clock: Clock,
    clock_set: bool,
    /// Race clock of the start signal: lap 1 (and its sector 1) of a car
    /// that starts the race is timed from here.
    start_ms: u64,
    pub(super) arrival: FirstArrival,
    best_lap_ms: Option<u64>,
    pub(super) chequer_ms: Option<f64>,
    pub(super) neutral: Neutralisation,
    /// Race clock of the message that started the current neutralisation.
    pub(super) neutral_since_ms: Option<u64>,
    pub(super) flag: &'static str,
    pub(super) stats: IngestStats,
    crossings: Vec<Crossing>,
    /// Race clock of the newest race-control message applied, and the
    /// messages applied at that instant: a repeat is not applied again.
    pub(super) control_ts: Option<u64>,
    pub(super) control_at_ts: Vec<(RaceControlKind, Option<u32>)>,
}

fn race_distance(s: &Sample, length_m: f64) -> f64 {
    f64::from(s.lap.saturating_sub(1)) * length_m + s.lap_distance_m
}

impl RaceTiming {
    pub fn new(race_id: &str, track: &TrackInfo, entries: &[Entry], total_laps: u32) -> Self {
        let length_m = track.length_m;
        let cars: Vec<CarState> = entries
            .iter()
            .map(|e| CarState::new(e, length_m, track.sector_starts_m))
            .collect();
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.car_id, i))
            .collect();
        RaceTiming {
            race_id: race_id.to_owned(),
            length_m,
            total_laps,
            cars,
            index,
            clock: Clock::new(0),
            clock_set: false,
            start_ms: 0,
            arrival: FirstArrival::new((f64::from(total_laps) + 1.0) * length_m),
            best_lap_ms: None,
            chequer_ms: None,
            neutral: Neutralisation::None,
            neutral_since_ms: None,
            flag: "green",
            stats: IngestStats::default(),
            crossings: Vec::with_capacity(4),
            control_ts: None,
            control_at_ts: Vec::new(),
        }
    }

    /// The same timing with the start signal at race clock `start_ms`
    /// (`RaceStarted.ts_ms`; `new` assumes 0). Lap 1 runs from the start
    /// signal to the first line crossing, whatever the first sample's time.
    pub fn with_start(mut self, start_ms: u64) -> Self {
        self.start_ms = start_ms;
        self
    }

    /// Race clock of the start signal.
    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }

    pub fn stats(&self) -> IngestStats {
        self.stats
    }

    pub fn neutralisation(&self) -> Neutralisation {
        self.neutral
    }

    /// Race clock at which the current SC / VSC was announced (None when
    /// green): stops since then were made under it.
    pub fn neutralised_since_ms(&self) -> Option<u64> {
        self.neutral_since_ms
    }

    /// The current flag: green, yellow, safety_car, virtual_safety_car, chequered.
    pub fn flag(&self) -> &'static str {
        self.flag
    }

    pub fn total_laps(&self) -> u32 {
        self.total_laps
    }

    pub fn track_length_m(&self) -> f64 {
        self.length_m
    }

    /// Race clock of the chequered flag, once shown.
    pub fn chequered_at_ms(&self) -> Option<u64> {
        self.chequer_ms.map(round_ms)
    }

    /// The completed laps of a car, oldest first.
    pub fn laps(&self, car_id: u32) -> &[LapRecord] {
        self.index
            .get(&car_id)
            .map_or(&[], |&i| self.cars[i].laps.as_slice())
    }

    /// When the car, now in the pit lane, entered it (None on track).
    pub fn pit_entry_ms(&self, car_id: u32) -> Option<u64> {
        self.index
            .get(&car_id)
            .and_then(|&i| self.cars[i].pit.entry_ms())
    }

    /// The car's current stint.
    pub fn stint(&self, car_id: u32) -> Option<Stint> {
        self.index.get(&car_id).map(|&i| self.cars[i].stint)
    }

    /// Feeds one sample. Returns the events it caused; a duplicate, stale,
    /// unknown or implausible sample returns nothing and is counted in
    /// `stats()`.
    pub fn ingest(&mut self, s: &Sample, sent_at_us: u64) -> Vec<TimingEvent> {
        let Some(&i) = self.index.get(&s.car_id) else {
            self.stats.unknown_car += 1;
            return Vec::new();
        };
        let d_m = race_distance(s, self.length_m);
        let max_d_m = (f64::from(self.total_laps) + MAX_EXTRA_LAPS) * self.length_m;
        let speed_ok = s.speed_kph.is_finite() && (0.0..=MAX_SPEED_KPH).contains(&s.speed_kph);
        // NaN fails both comparisons, so it is refused here too.
        if !(speed_ok && d_m >= 0.0 && d_m <= max_d_m) {
            self.stats.implausible += 1;
            return Vec::new();
        }
        let car = &mut self.cars[i];
        if car.last_seq.is_some_and(|q| s.seq <= q) || (car.seen && s.ts_ms < car.last_ts_ms) {
            self.stats.stale += 1;
            return Vec::new();
        }
        if !self.clock_set {
            // Timing points are stored relative to the race's first sample
            // (or the start signal, if that came first).
            self.clock = Clock::new(s.ts_ms.min(self.start_ms));
            self.clock_set = true;
        }
        let now = TracePoint {
            t_ms: s.ts_ms as f64,
            d_m,
            v: kph_to_m_per_ms(s.speed_kph),
        };
        let mut events = Vec::new();
        if !car.seen {
            car.seen = true;
            car.line.start(now);
            // A car first seen on lap 1 started the race at the start signal
            // (from its grid slot, or the pit lane): lap 1 and its first
            // sector are timed from there, not from the first sample.
            let lap_start_ms = if s.lap <= 1 && s.ts_ms >= self.start_ms {
                self.start_ms as f64
            } else {
                now.t_ms
            };
            car.clock.start(now, lap_start_ms);
            car.take_sample_state(s);
            car.stint.compound = s.tyre.compound;
            car.stint.start_lap = s.lap;
            car.flags.neutralised = self.neutral != Neutralisation::None;
            self.stats.accepted += 1;
            if s.pit == PitState::Retired {
                self.retire(i, s.ts_ms, sent_at_us, "stopped", &mut events);
            }
            return events;
        }
        if !car.is_running() {
            // Frozen: the cool-down lap or a stopped car's telemetry.
            car.take_sample_state(s);
            self.stats.accepted += 1;
            return events;
        }
        let head = car.line.head();
        let reach = JUMP_SLACK_M + MAX_SPEED_M_PER_MS * (now.t_ms - head.t_ms);
        if now.d_m - head.d_m > reach {
            car.last_seq = Some(s.seq);
            self.stats.implausible += 1;
            return events;
        }
        self.stats.accepted += 1;

        let mut crossings = std::mem::take(&mut self.crossings);
        if now.d_m > head.d_m {
            car.clock.advance(head, now, |c| crossings.push(c));
        }
        // Also a sample that did not move the car: it stands (a pit box).
        car.line.advance(now, self.clock, &mut self.arrival);
        for c in crossings.drain(..) {
            self.on_line(i, c, sent_at_us, &mut events);
        }
        self.crossings = crossings;

        self.on_pit_state(i, s, sent_at_us, &mut events);
        let car = &mut self.cars[i];
        car.take_sample_state(s);
        if s.pit == PitState::Retired {
            self.retire(i, s.ts_ms, sent_at_us, "stopped", &mut events);
        }
        events
    }

    /// The pit-lane state of a sample: in-lap and out-lap flags, and the
    /// stop with its new stint when the car leaves the pit lane.
    fn on_pit_state(
        &mut self,
        i: usize,
        s: &Sample,
        sent_at_us: u64,
        events: &mut Vec<TimingEvent>,
    ) {
        let car = &mut self.cars[i];
        if car.is_running() {
            let was_in = car.pit.in_pit();
            let prev = car.pit_input(car.last_ts_ms, s.lap);
            let closed = car.pit.update(prev, PitInput::of_sample(s));
            if !was_in && car.pit.in_pit() {
                car.flags.in_lap = true;
                events.push(TimingEvent::PitEntered(PitEntered {
                    car_id: car.entry.car_id,
                    lap: s.lap,
                    ts_ms: s.ts_ms,
                }));
            }
            if let Some(stop) = closed {
                car.flags.out_lap = true;
                car.pit_stops += 1;
                let new_stint = stop.tyres_changed.then(|| {
                    car.stint = Stint {
                        car_id: car.entry.car_id,
                        stint: car.stint.stint + 1,
                        compound: stop.compound_out,
                        start_lap: s.lap,
                    };
                    car.stint
                });
                let meta = EventMeta::new(
                    &self.race_id,
                    "pit_stop",
                    Some(car.entry.car_id),
                    stop.exit_ts_ms,
                    sent_at_us,
                );
                events.push(TimingEvent::PitStop(PitStopCompleted {
                    stop: PitStop {
                        meta,
                        car_id: car.entry.car_id,
                        lap: stop.lap,
                        entry_ts_ms: stop.entry_ts_ms,
                        exit_ts_ms: stop.exit_ts_ms,
                        stationary_ms: stop.stationary_ms,
                        pit_lane_ms: stop.exit_ts_ms - stop.entry_ts_ms,
                        compound_in: stop.compound_in,
                        compound_out: stop.compound_out,
                    },
                    tyres_changed: stop.tyres_changed,
                    new_stint,
                }));
            }
        }
    }

    /// A line crossing of car `i`: the lap event, bests, lap record, finish.
    fn on_line(&mut self, i: usize, c: Crossing, sent_at_us: u64, events: &mut Vec<TimingEvent>) {
        let car = &mut self.cars[i];
        if !car.is_running() {
            return;
        }
        let overall_best = self.best_lap_ms.is_none_or(|b| c.lap_ms < b);
        if overall_best {
            self.best_lap_ms = Some(c.lap_ms);
        }
        let ts_ms = round_ms(c.t_ms);
        let car_id = car.entry.car_id;
        events.push(TimingEvent::LapCompleted(LapCompleted {
            meta: EventMeta::new(
                &self.race_id,
                "lap_completed",
                Some(car_id),
                ts_ms,
                sent_at_us,
            ),
            car_id,
            lap: c.lap,
            lap_ms: c.lap_ms,
            sectors_ms: c.sectors().to_vec(),
            compound: car.compound,
            tyre_age_laps: car.tyre_age_laps,
            personal_best: c.personal_best,
            overall_best,
        }));
        car.laps.push(LapRecord {
            lap: c.lap,
            lap_ms: c.lap_ms,
            end_ts_ms: ts_ms,
            compound: car.compound,
            tyre_age_laps: car.tyre_age_laps,
            fuel_kg: car.fuel_kg,
            stint: car.stint.stint,
            in_lap: car.flags.in_lap,
            pit_entry_ms: car.flags.in_lap.then(|| car.pit.entry_ms()).flatten(),
            out_lap: car.flags.out_lap,
            neutralised: car.flags.neutralised,
        });
        car.flags = LapFlags {
            neutralised: self.neutral != Neutralisation::None,
            ..Default::default()
        };
        car.last_crossing = Some((c.lap, c.t_ms));

        let flag_shown = self.chequer_ms.is_some_and(|ch| c.t_ms >= ch);
        if c.lap >= self.total_laps || flag_shown {
            self.finish(i, c.lap, c.t_ms, sent_at_us, events);
        }
        if c.lap >= self.total_laps && self.chequer_ms.is_none_or(|ch| c.t_ms < ch) {
            self.show_chequer(c.t_ms, sent_at_us, events);
        }
    }

    /// Shows the chequered flag at `t_ms` (or earlier, if already shown
    /// later) and finishes every car whose last crossing was at or after it.
    pub(super) fn show_chequer(
        &mut self,
        t_ms: f64,
        sent_at_us: u64,
        events: &mut Vec<TimingEvent>,
    ) {
        let t_ms = self.chequer_ms.map_or(t_ms, |ch| ch.min(t_ms));
        self.chequer_ms = Some(t_ms);
        self.flag = "chequered";
        for j in 0..self.cars.len() {
            let car = &self.cars[j];
            if let (true, Some((laps, t))) = (car.is_running(), car.last_crossing) {
                if t >= t_ms {
                    self.finish(j, laps, t, sent_at_us, events);
                }
            }
        }
    }

    fn finish(
        &mut self,
        i: usize,
        laps: u32,
        t_ms: f64,
        sent_at_us: u64,
        events: &mut Vec<TimingEvent>,
    ) {
        let length_m = self.length_m;
        let car = &mut self.cars[i];
        if !car.is_running() {
            return;
        }
        car.progress = Progress::Finished {
            laps,
            at: TracePoint::at(t_ms, f64::from(laps) * length_m),
        };
        let car_id = car.entry.car_id;
        events.push(TimingEvent::Finished(CarFinished {
            meta: EventMeta::new(
                &self.race_id,
                "car_finished",
                Some(car_id),
                round_ms(t_ms),
                sent_at_us,
            ),
            car_id,
            laps,
        }));
    }

    pub(super) fn retire(
        &mut self,
        i: usize,
        ts_ms: u64,
        sent_at_us: u64,
        reason: &str,
        events: &mut Vec<TimingEvent>,
    ) {
        let car = &mut self.cars[i];
        if !car.is_running() {
            return;
        }
        let head = car.line.head();
        car.progress = Progress::Retired {
            at: TracePoint::at(ts_ms as f64, head.d_m),
        };
        let car_id = car.entry.car_id;
        events.push(TimingEvent::Retired(CarRetired {
            meta: EventMeta::new(
                &self.race_id,
                "car_retired",
                Some(car_id),
                ts_ms,
                sent_at_us,
            ),
            car_id,
            lap: car.clock.laps_done + 1,
            race_distance_m: head.d_m,
            reason: reason.to_owned(),
        }));
    }
}
