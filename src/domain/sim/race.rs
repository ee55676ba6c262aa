//! The race engine: owns the field and the clock, advances every car in
//! substeps of at most 10 ms and emits one sample per car per tick. Within a
//! substep every car reads the others as they were at its start (a Jacobi
//! step), so the result does not depend on the order cars are processed in
//! and a car can never be moved through the one ahead of it. Crossing events
//! (line, sectors, pit lane, DRS) live in `events.rs`.

use super::car::{self, CarSpec};
use super::config::{ConfigError, RaceConfig};
use super::motion::{self, Env};
use super::race_control::RaceControl;
use super::rng::Rng;
use super::state::{CarState, Pass, PitPhase};
use super::strategy_plan::{self, Plan};
use super::telemetry;
use super::traffic::Traffic;
use super::truth::{CarTruth, PeriodKind, Truth};
use super::venue::Track;
use super::{Announcement, Tick};
use crate::domain::records::{self, Entry, RaceControlKind, TrackInfo};

/// Longest internal integration step, seconds.
const MAX_SUBSTEP_S: f64 = 0.010;
/// Where pole position sits after the line, and the gap between grid slots.
const POLE_M: f64 = 160.0;
const GRID_GAP_M: f64 = 8.0;
/// Fuel burn on a 5 km lap, and the most a car may carry.
const BURN_PER_5KM: f64 = 1.6;
const MAX_FUEL_KG: f64 = 100.0;
/// Following distances shrink once the field has less room per car.
const ROOM_PER_CAR_M: f64 = 60.0;

/// Knobs for tests and demos; the defaults give a normal race.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimOptions {
    /// No driver mistakes, mechanical failures or slow pit stops.
    pub no_incidents: bool,
    /// No lap-to-lap driver noise.
    pub no_noise: bool,
    /// Replace the random SC/VSC draw with one period during this lap of the
    /// leader.
    pub forced_period: Option<(PeriodKind, u32)>,
}

pub struct RaceSim {
    pub(super) cfg: RaceConfig,
    pub(super) opts: SimOptions,
    pub(super) track: Track,
    pub(super) entries: Vec<Entry>,
    pub(super) specs: Vec<CarSpec>,
    pub(super) plans: Vec<Plan>,
    pub(super) cars: Vec<CarState>,
    pub(super) traffic: Traffic,
    pub(super) rc: RaceControl,
    pub(super) truth: Truth,
    /// Cars that have completed each lap so far, for the order at the line.
    pub(super) line_counts: Vec<u32>,
    /// Line crossings of the current substep (instant, car), numbered in
    /// crossing-time order once every car has moved (`number_crossings`).
    pub(super) line_pending: Vec<(f64, usize)>,
    pub(super) leader_completed: u32,
    pub(super) chequered: bool,
    pub(super) finished: bool,
    pub(super) pending: Vec<Announcement>,
    pub(super) burn_per_m: f64,
    tick: u64,
    tick_s: f64,
    substeps: u32,
    crowd: f64,
}

impl RaceSim {
    pub fn new(cfg: &RaceConfig) -> Result<RaceSim, ConfigError> {
        RaceSim::with_options(cfg, SimOptions::default())
    }

    pub fn with_options(cfg: &RaceConfig, opts: SimOptions) -> Result<RaceSim, ConfigError> {
        cfg.validate()?;
        let track = Track::load(&cfg.track).map_err(|got| ConfigError::UnknownTrack {
            got,
            allowed: super::track_ids().join(", "),
        })?;
        let lap_m = track.length();
        let (entries, specs) = car::generate_field(cfg.cars, cfg.seed);
        let n = cfg.cars as usize;
        // Big fields push pole further up the lap and close the grid up, so
        // every slot stays at or after the line (the first lap is shorter).
        let pole = if n <= 1 {
            POLE_M
        } else {
            POLE_M.max((GRID_GAP_M * (n - 1) as f64).min(0.85 * lap_m))
        };
        let gap = if n <= 1 {
            0.0
        } else {
            GRID_GAP_M.min(pole / (n - 1) as f64)
        };
        let burn_lap =
            (BURN_PER_5KM * lap_m / 5000.0).min((MAX_FUEL_KG - 1.5) / f64::from(cfg.laps));
        let fuel = (burn_lap * f64::from(cfg.laps) + 1.5).min(MAX_FUEL_KG);
        let mut cars = Vec::with_capacity(n);
        let mut plans = Vec::with_capacity(n);
        let mut car_truth = Vec::with_capacity(n);
        for (k, e) in entries.iter().enumerate() {
            let mut rng = Rng::stream(cfg.seed, u64::from(e.car_id));
            let plan = strategy_plan::plan(&mut rng, cfg.laps, lap_m, track.tyre_wear_factor);
            let grid = (pole - gap * k as f64).max(0.0);
            cars.push(CarState::new(grid, plan.start, fuel, rng));
            car_truth.push(CarTruth {
                car_id: e.car_id,
                plan: plan.clone(),
                grid_m: grid,
                laps: Vec::new(),
                pit_stops: Vec::new(),
                retired: None,
                finished_ms: None,
            });
            plans.push(plan);
        }
        let mut rc_rng = Rng::stream(cfg.seed, 0x5AFE_7CA2);
        let rc = RaceControl::new(
            &mut rc_rng,
            cfg.laps,
            cfg.safety_car_probability,
            track.ref_lap_s,
            opts.forced_period,
        );
        let tick_s = 1.0 / cfg.sample_hz;
        let substeps = ((tick_s / MAX_SUBSTEP_S) - 1e-9).ceil().max(1.0) as u32;
        let truth = Truth {
            track_id: track.id.to_owned(),
            length_m: lap_m,
            total_laps: cfg.laps,
            reference_lap_s: track.ref_lap_s,
            pit_loss_s: track.pit.loss_s,
            cars: car_truth,
            periods: Vec::new(),
            chequered_ms: None,
            finished_ms: None,
            classification: Vec::new(),
        };
        let mut sim = RaceSim {
            cfg: cfg.clone(),
            opts,
            crowd: (lap_m / n as f64 / ROOM_PER_CAR_M).min(1.0),
            track,
            entries,
            specs,
            plans,
            cars,
            traffic: Traffic::new(),
            rc,
            truth,
            line_counts: Vec::new(),
            line_pending: Vec::new(),
            leader_completed: 0,
            chequered: false,
            finished: false,
            pending: Vec::new(),
            burn_per_m: burn_lap / lap_m,
            tick: 0,
            tick_s,
            substeps,
        };
        for i in 0..n {
            sim.start_lap(i);
        }
        Ok(sim)
    }

    pub fn track_info(&self) -> TrackInfo {
        self.track.info()
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.entries.clone()
    }

    pub fn config(&self) -> &RaceConfig {
        &self.cfg
    }

    /// Ticks stepped so far; the last `Tick` returned carried this number.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Race clock of the last tick, milliseconds since the start signal.
    pub fn ts_ms(&self) -> u64 {
        (self.tick as f64 * self.tick_s * 1000.0).round() as u64
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    pub fn truth(&self) -> &super::truth::Truth {
        &self.truth
    }

    /// Time a pit stop costs on this track (nominal stationary time).
    pub fn pit_loss_s(&self) -> f64 {
        self.track.pit.loss_s
    }

    /// Advances the race clock by one tick. Ticks are numbered from 1; once
    /// the race is over, further calls return an empty finished tick.
    pub fn step(&mut self) -> Tick {
        if self.finished {
            return Tick {
                tick: self.tick,
                ts_ms: self.ts_ms(),
                samples: Vec::new(),
                control: Vec::new(),
                finished: true,
            };
        }
        if self.tick == 0 {
            self.pending.push(Announcement {
                kind: RaceControlKind::GreenFlag,
                car_id: None,
                message: "LIGHTS OUT: RACE STARTED".to_owned(),
            });
        }
        let t0 = self.tick as f64 * self.tick_s;
        let h = self.tick_s / f64::from(self.substeps);
        for k in 0..self.substeps {
            self.substep(t0 + f64::from(k) * h, h);
        }
        self.tick += 1;
        let ts_ms = self.ts_ms();
        let samples: Vec<records::Sample> = self
            .cars
            .iter_mut()
            .enumerate()
            .map(|(i, c)| {
                let s = telemetry::sample(i as u32 + 1, c, &self.track, ts_ms);
                c.seq += 1;
                s
            })
            .collect();
        Tick {
            tick: self.tick,
            ts_ms,
            samples,
            control: std::mem::take(&mut self.pending),
            finished: self.finished,
        }
    }

    fn env(&self, t_s: f64) -> Env {
        Env {
            t_s,
            safety_car: self.rc.is_safety_car(),
            vsc: self.rc.is_vsc(),
            crowd: self.crowd,
        }
    }

    fn substep(&mut self, t0: f64, h: f64) {
        let lap_m = self.track.length();
        let was_green = self.rc.is_green();
        self.rc.update(
            t0,
            self.leader_completed + 1,
            &mut self.pending,
            &mut self.truth.periods,
        );
        if was_green && !self.rc.is_green() {
            self.pit_under_caution();
        }
        self.traffic.refresh(&self.cars, lap_m);
        self.maintain_flags(t0, lap_m);
        self.traffic.compute_aheads(&self.cars, lap_m);
        let leader = if self.rc.is_safety_car() {
            self.traffic.leader()
        } else {
            None
        };
        let env = self.env(t0);
        for i in 0..self.cars.len() {
            self.advance_car(i, t0, h, &env, leader == Some(i as u32));
        }
        self.number_crossings();
        if self.chequered && !self.finished && self.cars.iter().all(|c| c.retired || c.finished) {
            self.finish_race(t0 + h);
        }
    }

    /// Ends passes that are complete, expired or no longer possible; under
    /// a safety car or VSC nobody passes and DRS is closed.
    fn maintain_flags(&mut self, t_s: f64, lap_m: f64) {
        let green = self.rc.is_green();
        for i in 0..self.cars.len() {
            if !green {
                let car = &mut self.cars[i];
                car.drs_open = false;
                car.drs_armed = None;
            }
            let Some(p) = self.cars[i].passing else {
                continue;
            };
            let target = &self.cars[p.target as usize];
            let ahead_by = (self.cars[i].s - target.s).rem_euclid(lap_m);
            let done = !green
                || t_s >= p.until_s
                || !target.in_traffic()
                || (ahead_by > 3.0 && ahead_by < 0.5 * lap_m);
            if done {
                self.cars[i].passing = None;
            }
        }
    }

    fn advance_car(&mut self, i: usize, t0: f64, h: f64, env: &Env, is_leader: bool) {
        let (mut t_start, mut h_eff) = (t0, h);
        {
            let car = &mut self.cars[i];
            if car.retired {
                return;
            }
            if let PitPhase::Box { until_s } = car.pit {
                if until_s >= t0 + h {
                    car.v = 0.0;
                    car.accel = 0.0;
                    return;
                }
                t_start = until_s.max(t0);
                h_eff = t0 + h - t_start;
            }
        }
        if t_start > t0 {
            self.leave_box(i, t_start);
        }
        let ahead = self.traffic.aheads.get(i).copied().flatten();
        if let Some(a) = ahead {
            let car = &self.cars[i];
            if a.lapped && !env.safety_car && !env.vsc && car.passing.is_none() {
                // Blue flag: the lapped car lets this one by.
                if a.gap_m < motion::desired_gap_m(car.v, false, env) + 20.0 {
                    self.cars[i].passing = Some(Pass {
                        target: a.idx,
                        until_s: t0 + 8.0,
                        boost: 0.03,
                    });
                }
            }
        }
        let car = &self.cars[i];
        let vt = motion::target_speed(
            &self.track,
            &self.specs[i],
            car,
            ahead.as_ref(),
            is_leader,
            env,
        );
        let in_lane = car.pit.in_lane();
        let v0 = car.v;
        let (mut v1, mut travel) = motion::integrate(v0, vt, h_eff, in_lane);
        if let (Some(a), false) = (ahead, in_lane) {
            let room = (a.gap_m - env.crowd).max(0.0);
            if travel > room {
                travel = room;
                v1 = (2.0 * travel / h_eff - v0).clamp(0.0, v1);
            }
        }
        self.process_move(i, t_start, h_eff, v0, v1, travel);
    }
}
