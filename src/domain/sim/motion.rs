//! How fast a car wants to go and how it gets there. Each car drives the
//! track's reference profile scaled by its pace: a lap-time delta `d` on a
//! reference lap `T` becomes the speed factor `T / (T + d)`. Traffic,
//! DRS, mistakes and race control then cap or lift that target, and the car
//! accelerates or brakes toward it within its limits. The limits carry a
//! small margin over the profile's so a car can follow a scaled profile.

use super::car::CarSpec;
use super::profile::{self, PIT_LIMIT_MPS};
use super::state::{CarState, PitPhase};
use super::tyres;
use super::venue::Track;

/// Lap time per kilogram of fuel.
pub const FUEL_S_PER_KG: f64 = 0.03;
/// Straight-line speed gain with the rear wing open.
pub const DRS_GAIN: f64 = 0.03;
/// Speed through corners lost in another car's wake, at zero gap.
const DIRTY_AIR: f64 = 0.015;
/// Straight-line speed gained in another car's tow, at zero gap.
const SLIPSTREAM: f64 = 0.006;
/// Gap (seconds) within which the wake is felt.
pub const WAKE_S: f64 = 1.2;
/// Speed while recovering from a mistake (off track, spin, lock-up).
pub const MISTAKE_FACTOR: f64 = 0.55;
/// Safety car pace, and the pace of the cars closing up to the queue.
const SC_PACE: f64 = 0.6;
const SC_CATCH_UP: f64 = 0.75;
/// VSC: everyone holds a delta about 40 % slower than racing pace.
const VSC_PACE: f64 = 0.7;
/// Cool-down lap pace after the chequered flag.
const COOL_DOWN: f64 = 0.6;
/// How firmly a follower matches the gap it wants, 1/s.
const FOLLOW_GAIN: f64 = 1.0;
/// Closest a passing car runs behind the next car ahead, metres.
const SQUEEZE_GAP_M: f64 = 3.0;
/// The car's limits over the reference profile's.
const LIMIT_MARGIN: f64 = 1.15;

/// The car immediately ahead on track, as seen at the start of the substep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ahead {
    pub idx: u32,
    pub gap_m: f64,
    pub v: f64,
    /// The car ahead is at least half a lap behind in the race.
    pub lapped: bool,
}

impl Ahead {
    /// Gap in time as felt by a follower at speed `v`.
    #[inline]
    pub fn gap_s(&self, v: f64) -> f64 {
        self.gap_m / v.max(5.0)
    }
}

/// What the substep's race situation imposes on every car.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub t_s: f64,
    pub safety_car: bool,
    pub vsc: bool,
    /// Scales following distances down when the field is too dense for the
    /// track (thousands of cars), so the field still moves.
    pub crowd: f64,
}

/// Seconds per lap this car is off the reference right now, traffic aside.
#[inline]
pub fn natural_delta_s(spec: &CarSpec, car: &CarState, ref_lap_s: f64) -> f64 {
    spec.pace_frac * ref_lap_s
        + tyres::penalty_s(car.compound, car.wear, ref_lap_s)
        + FUEL_S_PER_KG * car.fuel
        + car.lap_noise_s
}

/// Gap the follower wants to the car ahead, metres. On a straight it sits
/// in the tow close behind; into a corner the wake pushes it back.
#[inline]
pub fn desired_gap_m(v: f64, straight: bool, env: &Env) -> f64 {
    let g = if env.safety_car || env.vsc {
        0.6 * v + 6.0
    } else if straight {
        0.08 * v + 4.0
    } else {
        0.25 * v + 4.0
    };
    g * env.crowd
}

/// The speed this car aims for at its current position.
pub fn target_speed(
    track: &Track,
    spec: &CarSpec,
    car: &CarState,
    ahead: Option<&Ahead>,
    is_leader: bool,
    env: &Env,
) -> f64 {
    if env.t_s < spec.reaction_s {
        return 0.0;
    }
    let s = car.s;
    if car.pit.in_lane() {
        return track.pit_speed(s).min(PIT_LIMIT_MPS);
    }
    let race = track.speed(s);
    let base = match car.pit {
        PitPhase::Approach if s > track.pit.exit_m => track.pit_speed(s),
        PitPhase::OutLap => track.pit_speed(s),
        _ => race,
    };
    let mut vt = if car.finished {
        base * COOL_DOWN
    } else {
        let ref_lap = track.ref_lap_s;
        base * ref_lap / (ref_lap + natural_delta_s(spec, car, ref_lap))
    };
    if car.drs_open {
        vt *= 1.0 + DRS_GAIN;
    }
    if let Some(p) = car.passing {
        vt *= 1.0 + p.boost;
    }
    if env.t_s < car.mistake_until_s {
        vt *= MISTAKE_FACTOR;
    }
    let green = !env.safety_car && !env.vsc;
    let corner = track.in_corner(s);
    if let Some(a) = ahead {
        let gap_s = a.gap_s(car.v);
        if green && gap_s < WAKE_S && car.passing.is_none() {
            let w = 1.0 - gap_s / WAKE_S;
            if corner {
                vt *= 1.0 - DIRTY_AIR * w;
            } else {
                vt *= 1.0 + SLIPSTREAM * w;
            }
        }
    }
    if base < race {
        // Braking for the pit entry or leaving the lane: no tow or DRS may
        // carry the car over the pit profile (and the limit at the line).
        vt = vt.min(base);
    }
    if env.safety_car {
        vt = vt.min(race * if is_leader { SC_PACE } else { SC_CATCH_UP });
    } else if env.vsc {
        vt = vt.min(race * VSC_PACE);
    }
    if let Some(a) = ahead {
        // A car making a pass squeezes into whatever room there is ahead of
        // the car it passes, so a pass in a train can complete.
        let gap = if car.passing.is_some() {
            SQUEEZE_GAP_M * env.crowd
        } else {
            desired_gap_m(car.v, !corner, env)
        };
        let follow = a.v + FOLLOW_GAIN * (a.gap_m - gap);
        vt = vt.min(follow.max(0.0));
    }
    vt
}

/// New speed and distance covered over `h` seconds, aiming for `vt`.
#[inline]
pub fn integrate(v0: f64, vt: f64, h: f64, in_lane: bool) -> (f64, f64) {
    let mut v1 = if vt > v0 {
        vt.min(v0 + profile::accel_limit(v0) * LIMIT_MARGIN * h)
    } else {
        vt.max(v0 - profile::brake_limit(v0) * LIMIT_MARGIN * h)
    };
    if in_lane {
        v1 = v1.min(PIT_LIMIT_MPS);
    }
    let v1 = v1.max(0.0);
    (v1, 0.5 * (v0 + v1) * h)
}

/// Time into a move at which `d` metres of it have been covered, assuming
/// constant acceleration from `v0` to `v1` over `h` (falls back to a linear
/// share of `travel` when a traffic clamp broke that assumption).
pub fn time_to_cover(v0: f64, v1: f64, h: f64, travel: f64, d: f64) -> f64 {
    if travel <= 0.0 {
        return 0.0;
    }
    let consistent = (0.5 * (v0 + v1) * h - travel).abs() < 1e-9 * travel.max(1.0);
    if consistent {
        let a = (v1 - v0) / h;
        let tau = if a.abs() < 1e-9 {
            d / v0.max(1e-9)
        } else {
            let disc = (v0 * v0 + 2.0 * a * d).max(0.0);
            (disc.sqrt() - v0) / a
        };
        if tau.is_finite() {
            return tau.clamp(0.0, h);
        }
    }
    (d / travel).clamp(0.0, 1.0) * h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_time_inside_a_step_is_exact_for_constant_acceleration() {
        let (v0, v1, h) = (50.0, 52.0, 0.01);
        let travel = 0.5 * (v0 + v1) * h;
        let tau = time_to_cover(v0, v1, h, travel, 0.3);
        let a = (v1 - v0) / h;
        assert!((v0 * tau + 0.5 * a * tau * tau - 0.3).abs() < 1e-9);
        assert_eq!(time_to_cover(v0, v1, h, travel, travel), h);
    }

    #[test]
    fn integration_respects_limits_and_pit_speed() {
        let (v1, _) = integrate(10.0, 100.0, 0.01, false);
        assert!(v1 > 10.0 && v1 < 10.2);
        let (v1, _) = integrate(40.0, 100.0, 0.01, true);
        assert!(v1 <= PIT_LIMIT_MPS);
    }
}
