//! What happens when a car passes a point of the lap during a move: the line
//! (lap count, truth, chequered flag), sector lines, the pit lane points
//! (handled in `pit_lane.rs`), DRS detection and zones (where overtakes are
//! decided), and the points drawn at the start of each lap for a mistake or
//! a failure. Event times are interpolated inside the integration step, so
//! the truth is finer than the samples.

use super::motion::{self, MISTAKE_FACTOR};
use super::profile::PIT_LIMIT_MPS;
use super::race::RaceSim;
use super::state::{Pass, PitPhase};
use super::truth::{Classified, LapTruth, RetiredTruth, Status};
use super::venue::crossing;
use super::Announcement;
use crate::domain::records::RaceControlKind;

const FAILURES: &[&str] = &[
    "engine",
    "gearbox",
    "hydraulics",
    "power unit",
    "brakes",
    "suspension damage",
    "collision damage",
];

impl RaceSim {
    /// Draws what happens to car `i` on the lap it starts now and decides
    /// whether it pits at the end of it.
    pub(super) fn start_lap(&mut self, i: usize) {
        let lap_m = self.track.length();
        let ref_lap = self.track.ref_lap_s;
        let spec = &self.specs[i];
        let car = &mut self.cars[i];
        car.lap_noise_s = if self.opts.no_noise {
            0.0
        } else {
            car.rng.normal() * spec.consistency_frac * ref_lap
        };
        car.mistake_at_m = None;
        car.failure_at_m = None;
        if !self.opts.no_incidents {
            if car.rng.chance(spec.mistake_per_lap) {
                car.mistake_at_m = Some(car.rng.range(0.0, lap_m));
                car.mistake_loss_s = car.rng.range(0.5, 3.0);
            }
            if car.rng.chance(spec.failure_per_lap) {
                car.failure_at_m = Some(car.rng.range(0.0, lap_m));
            }
        }
        if let Some(stop) = self.plans[i].stops.get(car.next_stop) {
            if stop.lap == car.lap && matches!(car.pit, PitPhase::None | PitPhase::OutLap) {
                car.pit = PitPhase::Approach;
            }
        }
    }

    /// Applies a move of car `i` over `h` seconds from `t0`, firing every
    /// event it passes on the way.
    pub(super) fn process_move(
        &mut self,
        i: usize,
        t0: f64,
        h: f64,
        v0: f64,
        v1: f64,
        travel: f64,
    ) {
        let lap_m = self.track.length();
        let s0 = self.cars[i].s;
        // Times come from the planned move; a box stop only cuts it short.
        let (v1_planned, full) = (v1, travel);
        let at = move |x: f64, travel: f64| {
            crossing(s0, travel, x, lap_m)
                .map(|f| t0 + motion::time_to_cover(v0, v1_planned, h, full, f * travel))
        };
        let (mut v1, mut travel) = (v1, travel);
        let mut stopped_in_box = false;
        if self.cars[i].pit == PitPhase::LaneIn {
            if let Some(tc) = at(self.track.pit.box_m, travel) {
                travel = (self.track.pit.box_m - s0).rem_euclid(lap_m);
                v1 = 0.0;
                self.arrive_box(i, tc);
                stopped_in_box = true;
            }
        }
        if self.cars[i].pit == PitPhase::Approach {
            if let Some(tc) = at(self.track.pit.entry_m, travel) {
                self.enter_pit(i, tc);
            }
        }
        if let Some(tc) = at(0.0, travel) {
            self.on_line(i, tc);
        }
        for k in 0..2 {
            if let Some(tc) = at(self.track.sector_starts_m[k], travel) {
                self.cars[i].sector_line_s[k] = Some(tc);
            }
        }
        if self.cars[i].pit == PitPhase::LaneOut {
            if let Some(tc) = at(self.track.pit.exit_m, travel) {
                self.exit_pit(i, tc);
            }
        }
        if !self.cars[i].pit.in_lane() && !self.cars[i].finished {
            for z in 0..self.track.drs.len() {
                let zone = self.track.drs[z];
                if at(zone.detection_m, travel).is_some() {
                    self.drs_detection(i, z);
                }
                if let Some(tc) = at(zone.start_m, travel) {
                    self.drs_zone_start(i, z, tc);
                }
                if at(zone.end_m, travel).is_some() {
                    let car = &mut self.cars[i];
                    car.drs_open = false;
                    if car.drs_armed == Some(z) {
                        car.drs_armed = None;
                    }
                }
            }
            if let Some(x) = self.cars[i].mistake_at_m {
                if let Some(tc) = at(x, travel) {
                    self.mistake(i, tc);
                }
            }
            if let Some(x) = self.cars[i].failure_at_m {
                if let Some(tc) = at(x, travel) {
                    self.retire(i, tc);
                    return;
                }
            }
        }
        let burn = self.burn_per_m;
        let wear_rate =
            super::tyres::wear_per_m(self.cars[i].compound, self.track.tyre_wear_factor);
        let car = &mut self.cars[i];
        car.s += travel;
        if car.s >= lap_m {
            car.s -= lap_m;
        }
        if stopped_in_box {
            car.s = self.track.pit.box_m;
        }
        if car.pit.in_lane() {
            v1 = v1.min(PIT_LIMIT_MPS);
        }
        car.accel = (v1 - v0) / h;
        car.v = v1;
        car.wear = (car.wear + wear_rate * travel).min(1.0);
        car.fuel = (car.fuel - burn * travel).max(0.0);
        if car.pit == PitPhase::OutLap
            && self.track.pit_speed(car.s) >= self.track.speed(car.s) - 1e-6
        {
            car.pit = PitPhase::None;
        }
    }

    pub(super) fn on_line(&mut self, i: usize, tc: f64) {
        let car = &mut self.cars[i];
        car.lap += 1;
        if car.finished {
            return;
        }
        let completed = car.lap - 1;
        car.tyre_age += 1;
        let [a, b] = car.sector_line_s;
        let start = car.lap_start_s;
        let ms = |x: f64| x * 1000.0;
        // The position at the line is numbered at the end of the substep,
        // in the order of the exact crossing instants (`number_crossings`).
        self.line_pending.push((tc, i));
        self.truth.cars[i].laps.push(LapTruth {
            lap: completed,
            line_ms: ms(tc),
            lap_ms: ms(tc - start),
            sector_line_ms: [a.map(ms), b.map(ms)],
            sector_ms: [
                a.map(|a| ms(a - start)),
                a.zip(b).map(|(a, b)| ms(b - a)),
                b.map(|b| ms(tc - b)),
            ],
            position: 0,
            compound: car.compound,
            tyre_age_laps: car.tyre_age,
            in_pit_lane: car.pit.in_lane(),
        });
        car.lap_start_s = tc;
        car.sector_line_s = [None, None];
        if completed > self.leader_completed {
            self.leader_completed = completed;
            self.rc
                .on_leader_line(completed, tc, &mut self.pending, &mut self.truth.periods);
        }
        if self.chequered || completed >= self.cfg.laps {
            if !self.chequered {
                self.chequered = true;
                self.truth.chequered_ms = Some(ms(tc));
                self.rc.finish(tc, &mut self.truth.periods);
                self.pending.push(Announcement {
                    kind: RaceControlKind::ChequeredFlag,
                    car_id: None,
                    message: "CHEQUERED FLAG".to_owned(),
                });
            }
            let car = &mut self.cars[i];
            car.finished = true;
            car.drs_open = false;
            car.passing = None;
            self.truth.cars[i].finished_ms = Some(ms(tc));
            self.traffic.dirty = true;
            return;
        }
        self.start_lap(i);
    }

    /// Numbers the line crossings of the substep just run by their exact
    /// instants (ties by car index, so it stays deterministic): cars are
    /// moved one after the other within a substep, so the order they were
    /// processed in says nothing about which crossed first. Every crossing
    /// of a later substep is later, so numbering per substep is exact.
    pub(super) fn number_crossings(&mut self) {
        if self.line_pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.line_pending);
        pending.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(_, i) in &pending {
            let Some(lap) = self.truth.cars[i].laps.last_mut() else {
                continue;
            };
            let idx = lap.lap as usize;
            if self.line_counts.len() <= idx {
                self.line_counts.resize(idx + 1, 0);
            }
            self.line_counts[idx] += 1;
            lap.position = self.line_counts[idx];
        }
        pending.clear();
        self.line_pending = pending;
    }

    fn drs_detection(&mut self, i: usize, zone: usize) {
        let car = &self.cars[i];
        let close = self.traffic.aheads[i].is_some_and(|a| a.gap_s(car.v) < 1.0);
        let eligible = self.rc.is_green() && car.lap >= 3 && close;
        self.cars[i].drs_armed = eligible.then_some(zone);
    }

    /// The wing opens for an armed car, and a car close behind another
    /// decides whether it makes a pass on this straight.
    fn drs_zone_start(&mut self, i: usize, zone: usize, tc: f64) {
        if !self.rc.is_green() {
            return;
        }
        if self.cars[i].drs_armed == Some(zone) {
            self.cars[i].drs_open = true;
        }
        let Some(a) = self.traffic.aheads[i] else {
            return;
        };
        let car = &self.cars[i];
        if car.passing.is_some() || a.lapped || a.gap_s(car.v) > 0.6 {
            return;
        }
        let ref_lap = self.track.ref_lap_s;
        let j = a.idx as usize;
        let mut adv = motion::natural_delta_s(&self.specs[j], &self.cars[j], ref_lap)
            - motion::natural_delta_s(&self.specs[i], car, ref_lap);
        adv += if car.drs_open { 0.4 } else { 0.1 } * ref_lap / 90.0;
        let p = 1.0 / (1.0 + (-(adv - self.track.overtake_difficulty_s) / 0.15).exp());
        let car = &mut self.cars[i];
        if car.rng.chance(p) {
            car.passing = Some(Pass {
                target: a.idx,
                until_s: tc + 10.0,
                boost: 0.08,
            });
        }
    }

    fn mistake(&mut self, i: usize, tc: f64) {
        let sector = self.track.sector_of(self.cars[i].s) + 1;
        let car = &mut self.cars[i];
        car.mistake_at_m = None;
        car.mistake_until_s = tc + car.mistake_loss_s / (1.0 - MISTAKE_FACTOR);
        if car.mistake_loss_s > 2.0 {
            let number = self.entries[i].number;
            self.pending.push(Announcement {
                kind: RaceControlKind::YellowFlag,
                car_id: Some(i as u32 + 1),
                message: format!("YELLOW FLAG SECTOR {sector}: CAR {number} OFF TRACK"),
            });
        }
    }

    fn retire(&mut self, i: usize, tc: f64) {
        let car = &mut self.cars[i];
        let reason = FAILURES[car.rng.int(0, FAILURES.len() as u32 - 1) as usize];
        car.retired = true;
        car.v = 0.0;
        car.accel = 0.0;
        car.drs_open = false;
        car.passing = None;
        self.traffic.dirty = true;
        self.truth.cars[i].retired = Some(RetiredTruth {
            ms: tc * 1000.0,
            lap: car.lap,
            lap_distance_m: car.s,
            reason: reason.to_owned(),
        });
        let e = &self.entries[i];
        self.pending.push(Announcement {
            kind: RaceControlKind::Retirement,
            car_id: Some(e.car_id),
            message: format!(
                "CAR {} ({}) RETIRED: {}",
                e.number,
                e.driver,
                reason.to_uppercase()
            ),
        });
    }

    pub(super) fn finish_race(&mut self, t: f64) {
        self.finished = true;
        self.truth.finished_ms = Some(t * 1000.0);
        let lap_m = self.track.length();
        let mut rows: Vec<Classified> = self
            .cars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let t = &self.truth.cars[i];
                let laps = t.laps.len() as u32;
                match (t.finished_ms, &t.retired) {
                    (Some(ms), _) => Classified {
                        position: 0,
                        car_id: t.car_id,
                        laps,
                        status: Status::Finished,
                        time_ms: ms,
                        distance_m: f64::from(laps) * lap_m,
                    },
                    (None, r) => Classified {
                        position: 0,
                        car_id: t.car_id,
                        laps,
                        status: Status::Retired,
                        time_ms: r
                            .as_ref()
                            .map_or(t.laps.last().map_or(0.0, |l| l.line_ms), |r| r.ms),
                        distance_m: c.race_distance(lap_m),
                    },
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            let rank = |c: &Classified| u8::from(c.status == Status::Retired);
            rank(a)
                .cmp(&rank(b))
                .then(b.laps.cmp(&a.laps))
                .then(match a.status {
                    Status::Finished => a.time_ms.total_cmp(&b.time_ms),
                    Status::Retired => b.distance_m.total_cmp(&a.distance_m),
                })
                .then(a.car_id.cmp(&b.car_id))
        });
        for (k, r) in rows.iter_mut().enumerate() {
            r.position = k as u32 + 1;
        }
        self.truth.classification = rows;
    }
}
