//! Turns a car's state into the published sample: speed, pedals derived
//! from the acceleration actually applied (so throttle and brake agree with
//! the speed trace), gear and rpm from speed, and the position on the map
//! (pit lane cars drawn beside the centre line).

use super::profile;
use super::state::{CarState, PitPhase};
use super::venue::Track;
use crate::domain::records::{PitState, Sample, Tyre};

/// Top of each gear's band, km/h; eighth gear runs to top speed.
const GEAR_TOP_KPH: [f64; 8] = [95.0, 130.0, 160.0, 190.0, 222.0, 256.0, 292.0, 360.0];
const RPM_IDLE: f64 = 4000.0;
const RPM_MAX: f64 = 12000.0;

fn gear_and_rpm(kph: f64) -> (i8, u32) {
    let g = GEAR_TOP_KPH.iter().position(|&top| kph < top).unwrap_or(7);
    let lo = if g == 0 { 0.0 } else { GEAR_TOP_KPH[g - 1] };
    let hi = GEAR_TOP_KPH[g];
    // Upshifts happen near the limiter and drop the revs by the band ratio,
    // so each gear sweeps from roughly 8,500 to 12,000 rpm (first from idle).
    let low_rpm = if g == 0 { RPM_IDLE } else { RPM_MAX * lo / hi };
    let frac = ((kph - lo) / (hi - lo)).clamp(0.0, 1.0);
    let rpm = (low_rpm + (RPM_MAX - low_rpm) * frac).clamp(RPM_IDLE, RPM_MAX);
    (g as i8 + 1, rpm.round() as u32)
}

/// Rolling and cornering resistance, which the throttle must also cover.
const RESISTANCE: f64 = 1.5;
/// Share of the full drive force a car normally uses flat out: cars slower
/// than the reference still show full throttle on the straights.
const FLAT_OUT: f64 = 0.85;

/// Throttle and brake (0..=1) that produce acceleration `a` at speed `v`.
fn pedals(v: f64, a: f64) -> (f64, f64) {
    let drag = profile::drag(v);
    let need = a + drag + RESISTANCE;
    if need >= 0.0 {
        (
            (need / (profile::drive_force() * FLAT_OUT)).clamp(0.0, 1.0),
            0.0,
        )
    } else {
        let available = (profile::brake_limit(v) - drag).max(1.0);
        (0.0, (-need / available).clamp(0.0, 1.0))
    }
}

/// Rounds to `1 / scale`: enough for any consumer, a third of the JSON, and
/// short decimals read back to exactly the same `f64`.
#[inline]
fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

pub fn sample(car_id: u32, car: &CarState, track: &Track, ts_ms: u64) -> Sample {
    let pit = if car.retired {
        PitState::Retired
    } else {
        match car.pit {
            PitPhase::LaneIn | PitPhase::LaneOut => PitState::PitLane,
            PitPhase::Box { .. } => PitState::PitBox,
            _ => PitState::OnTrack,
        }
    };
    let lateral = if car.pit.in_lane() {
        track.pit.lateral_m
    } else {
        0.0
    };
    let (x, y) = track.geo.position(car.s, lateral);
    // Rounding must not push a car onto the line it has not crossed yet.
    let mut lap_distance = round(car.s, 1000.0);
    if lap_distance >= track.length() {
        lap_distance = (car.s * 1000.0).floor() / 1000.0;
    }
    let kph = car.v * 3.6;
    let moving = !car.retired && !matches!(car.pit, PitPhase::Box { .. });
    let (gear, rpm) = if moving {
        gear_and_rpm(kph)
    } else if car.retired {
        (0, 0)
    } else {
        (0, RPM_IDLE as u32)
    };
    let (throttle, brake) = if moving {
        pedals(car.v, car.accel)
    } else {
        (0.0, 0.0)
    };
    Sample {
        car_id,
        seq: car.seq,
        ts_ms,
        lap: car.lap,
        lap_distance_m: lap_distance,
        speed_kph: round(kph, 1000.0),
        throttle: round(throttle, 1000.0),
        brake: round(brake, 1000.0),
        gear,
        rpm,
        drs: car.drs_open,
        tyre: Tyre {
            compound: car.compound,
            age_laps: car.tyre_age,
            wear: round(car.wear, 100_000.0),
        },
        fuel_kg: round(car.fuel, 1000.0),
        x: round(x, 1000.0),
        y: round(y, 1000.0),
        pit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gears_and_revs_follow_speed() {
        assert_eq!(gear_and_rpm(0.0), (1, 4000));
        let (g, r) = gear_and_rpm(340.0);
        assert_eq!(g, 8);
        assert!(r > 10_000);
        let mut last = 0;
        for kph in (0..350).step_by(5) {
            let (g, r) = gear_and_rpm(f64::from(kph));
            assert!(g >= last && (1..=8).contains(&g));
            assert!((4000..=12000).contains(&r));
            last = g;
        }
    }

    #[test]
    fn pedals_match_acceleration() {
        assert_eq!(pedals(50.0, 5.0).1, 0.0);
        assert!(pedals(50.0, 5.0).0 > 0.5);
        assert_eq!(pedals(80.0, -30.0).0, 0.0);
        assert!(pedals(80.0, -30.0).1 > 0.5);
        assert!((pedals(95.0, 0.0).0 - 1.0).abs() < 1e-9);
    }
}
