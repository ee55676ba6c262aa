//! Pit stops as the race engine runs them: entering the lane, the
//! stationary time at the box (which varies, and now and then goes wrong),
//! fitting the planned compound, rejoining without running into the cars
//! already on track, and bringing a stop forward under a safety car or VSC.

use super::race::RaceSim;
use super::state::{Pass, PitPhase};
use super::truth::PitTruth;

impl RaceSim {
    /// A stop under a safety car or VSC costs far less time, so cars due to
    /// stop within a few laps bring their stop forward to this lap (or the
    /// next one when they are already too close to the pit entry).
    pub(super) fn pit_under_caution(&mut self) {
        const WINDOW_LAPS: u32 = 5;
        const ENTRY_MARGIN_M: f64 = 400.0;
        let entry = self.track.pit.entry_m;
        for i in 0..self.cars.len() {
            let car = &mut self.cars[i];
            if car.retired || car.finished || car.pit != PitPhase::None {
                continue;
            }
            let Some(stop) = self.plans[i].stops.get_mut(car.next_stop) else {
                continue;
            };
            if stop.lap < car.lap || stop.lap > car.lap + WINDOW_LAPS {
                continue;
            }
            let this_lap = car.s < entry - ENTRY_MARGIN_M;
            let lap = if this_lap { car.lap } else { car.lap + 1 };
            if lap >= self.cfg.laps {
                continue;
            }
            stop.lap = lap;
            if this_lap {
                car.pit = PitPhase::Approach;
            }
        }
    }

    pub(super) fn enter_pit(&mut self, i: usize, tc: f64) {
        let to = self.plans[i]
            .stops
            .get(self.cars[i].next_stop)
            .map_or(self.cars[i].compound, |s| s.compound);
        let car = &mut self.cars[i];
        car.pit = PitPhase::LaneIn;
        car.drs_open = false;
        car.drs_armed = None;
        car.passing = None;
        self.traffic.dirty = true;
        self.truth.cars[i].pit_stops.push(PitTruth {
            in_lap: car.lap,
            entry_ms: tc * 1000.0,
            box_in_ms: None,
            stationary_ms: None,
            box_out_ms: None,
            exit_ms: None,
            from: car.compound,
            to,
            slow_stop: false,
        });
    }

    pub(super) fn arrive_box(&mut self, i: usize, tc: f64) {
        let incidents = !self.opts.no_incidents;
        let car = &mut self.cars[i];
        let mut stationary = car.rng.range(2.0, 3.5);
        let slow = incidents && car.rng.chance(0.03);
        if slow {
            stationary += car.rng.range(3.0, 10.0);
        }
        car.pit = PitPhase::Box {
            until_s: tc + stationary,
        };
        if let Some(p) = self.truth.cars[i].pit_stops.last_mut() {
            p.box_in_ms = Some(tc * 1000.0);
            p.stationary_ms = Some(stationary * 1000.0);
            p.slow_stop = slow;
        }
    }

    pub(super) fn leave_box(&mut self, i: usize, t: f64) {
        let next = self.plans[i].stops.get(self.cars[i].next_stop).copied();
        let car = &mut self.cars[i];
        if let Some(stop) = next {
            car.compound = stop.compound;
            car.next_stop += 1;
        }
        car.wear = 0.0;
        car.tyre_age = 0;
        car.pit = PitPhase::LaneOut;
        if let Some(p) = self.truth.cars[i].pit_stops.last_mut() {
            p.box_out_ms = Some(t * 1000.0);
        }
    }

    pub(super) fn exit_pit(&mut self, i: usize, tc: f64) {
        self.cars[i].pit = PitPhase::OutLap;
        self.traffic.dirty = true;
        if let Some(p) = self.truth.cars[i].pit_stops.last_mut() {
            p.exit_ms = Some(tc * 1000.0);
        }
        // Cars alongside the exit have the line: they drive on past the
        // joining car instead of running into it.
        let lap_m = self.track.length();
        for other in self.traffic.near(self.track.pit.exit_m, 25.0, 3.0, lap_m) {
            let o = &mut self.cars[other as usize];
            if o.passing.is_none() {
                o.passing = Some(Pass {
                    target: i as u32,
                    until_s: tc + 4.0,
                    boost: 0.0,
                });
            }
        }
    }
}
