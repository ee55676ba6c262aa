//! The reference car's limits and the speed profile they produce on a track.
//! Corner speed comes from lateral grip that grows with speed (downforce):
//! a_lat = g * (c0 + c1 * (v / v_top)^2), which is `v = sqrt(a_lat * r)`
//! solved for v. Forward and backward passes then apply the acceleration and
//! braking limits, so the profile brakes before corners instead of hitting
//! them at straight-line speed. Every car drives a scaled copy of it.

/// Top speed of the reference car, m/s (342 km/h).
pub const V_TOP: f64 = 95.0;
/// Pit lane limit, just under 80 km/h so samples never read above it.
pub const PIT_LIMIT_MPS: f64 = 79.9 / 3.6;
/// Speed the pit profile keeps at the box; the car snaps to rest there.
pub const BOX_CRAWL_MPS: f64 = 2.0;

const G: f64 = 9.81;
const GRIP_LOW: f64 = 2.6;
const GRIP_AERO: f64 = 3.2;
/// Full-throttle force per unit mass; drag takes all of it at `V_TOP`.
const DRIVE: f64 = 12.0;

/// Highest steady speed through a corner of curvature `kappa` (1/m).
pub fn corner_speed(kappa: f64) -> f64 {
    if kappa <= 0.0 {
        return V_TOP;
    }
    let r = 1.0 / kappa;
    let denom = 1.0 - r * G * GRIP_AERO / (V_TOP * V_TOP);
    if denom <= 0.0 {
        return V_TOP;
    }
    (r * G * GRIP_LOW / denom).sqrt().min(V_TOP)
}

/// Aerodynamic drag deceleration at `v`.
#[inline]
pub fn drag(v: f64) -> f64 {
    let r = v / V_TOP;
    DRIVE * r * r
}

/// Net full-throttle acceleration at `v`.
#[inline]
pub fn accel_limit(v: f64) -> f64 {
    (DRIVE - drag(v)).max(0.3)
}

/// Full-brake deceleration at `v`: more downforce, harder braking.
#[inline]
pub fn brake_limit(v: f64) -> f64 {
    let r = v / V_TOP;
    G * (2.0 + 3.5 * r * r)
}

/// The force available for acceleration before drag, for throttle estimates.
pub fn drive_force() -> f64 {
    DRIVE
}

/// Applies acceleration and braking limits around a closed lap of speed
/// caps sampled every `ds` metres.
pub fn solve(caps: &[f64], ds: f64) -> Vec<f64> {
    let n = caps.len();
    let mut v = caps.to_vec();
    if n == 0 {
        return v;
    }
    // The slowest cap is certainly reached, so both passes can start there
    // and go once round the loop without knowing the speed elsewhere.
    let start = caps
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    for k in 0..n {
        let i = (start + k) % n;
        let j = (i + 1) % n;
        let reach = (v[i] * v[i] + 2.0 * accel_limit(v[i]) * ds).sqrt();
        v[j] = v[j].min(reach);
    }
    for k in 0..n {
        let j = (start + n - k) % n;
        let i = (j + n - 1) % n;
        let reach = (v[j] * v[j] + 2.0 * brake_limit(v[j]) * ds).sqrt();
        v[i] = v[i].min(reach);
    }
    v
}

/// Time to drive the profile once, seconds.
pub fn lap_time(v: &[f64], ds: f64) -> f64 {
    let n = v.len();
    (0..n)
        .map(|i| 2.0 * ds / (v[i] + v[(i + 1) % n]).max(1e-6))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corner_speeds_are_plausible() {
        let hairpin = corner_speed(1.0 / 20.0) * 3.6;
        assert!((60.0..100.0).contains(&hairpin), "{hairpin}");
        let medium = corner_speed(1.0 / 100.0) * 3.6;
        assert!((180.0..240.0).contains(&medium), "{medium}");
        assert_eq!(corner_speed(1.0 / 400.0), V_TOP);
    }

    #[test]
    fn profile_respects_limits() {
        let mut caps = vec![V_TOP; 1000];
        caps[500] = 20.0;
        let v = solve(&caps, 2.0);
        assert!((v[500] - 20.0).abs() < 1e-9);
        for i in 0..999 {
            let dv2 = v[i + 1] * v[i + 1] - v[i] * v[i];
            assert!(dv2 <= 2.0 * accel_limit(v[i]) * 2.0 + 1e-6);
            assert!(-dv2 <= 2.0 * brake_limit(v[i + 1]) * 2.0 + 1e-6);
        }
    }
}
