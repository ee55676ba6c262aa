//! Where in time a car passed a distance between two consecutive samples.
//!
//! Samples arrive every 100 ms or so; a car covers several metres between
//! two of them. Every timing event (a line, a sector boundary, a timing point)
//! is placed at the instant the car's motion between the two bracketing
//! samples passes the mark, not at either sample's time.
//!
//! The motion between two samples is a cubic Hermite curve of distance
//! against time through both samples' positions with both samples' speeds
//! as slopes: it follows a braking or accelerating car to ~0.1 ms where a
//! straight line is off by a few ms. The speeds are used only when they fit
//! the segment (their mean is close to the segment's mean speed, as it is
//! for any smooth motion over 100 ms); otherwise:
//! - a car that ends the segment standing (`b.v` ~ 0, a pit box) stopped
//!   there under constant deceleration from `a.v`, and one that starts it
//!   standing left under constant acceleration to `b.v`;
//! - anything else (speeds missing or inconsistent) is linear, as before.

/// One point of a car's trace: race clock (ms, fractional), race distance
/// and speed in metres per millisecond (NaN when unknown: linear).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TracePoint {
    pub t_ms: f64,
    pub d_m: f64,
    pub v: f64,
}

impl TracePoint {
    /// A point without a known speed (interpolated linearly).
    pub fn at(t_ms: f64, d_m: f64) -> Self {
        TracePoint {
            t_ms,
            d_m,
            v: f64::NAN,
        }
    }
}

/// km/h to metres per millisecond.
pub(crate) fn kph_to_m_per_ms(kph: f64) -> f64 {
    kph / 3_600.0
}

/// Below this a car counts as standing (0.5 m/s).
pub(crate) const STANDING_M_PER_MS: f64 = 0.000_5;

/// How the motion between two samples is modelled.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    Linear,
    Hermite,
    /// Constant deceleration from `a.v`, standing from `a.t + tau`.
    Stops {
        tau: f64,
    },
    /// Standing until `b.t - tau`, then constant acceleration to `b.v`.
    Leaves {
        tau: f64,
    },
}

fn model(a: TracePoint, b: TracePoint) -> Model {
    let h = b.t_ms - a.t_ms;
    let span = b.d_m - a.d_m;
    if h <= 0.0 || span <= 0.0 {
        return Model::Linear;
    }
    let mean = span / h;
    // A car standing at one end covered the segment in less than `h` if it
    // came (or left) faster than twice the mean speed: constant deceleration
    // to the stop (from the stop), exact for the simulator's pit box.
    if b.v.abs() < STANDING_M_PER_MS && a.v > 2.0 * mean {
        return Model::Stops {
            tau: 2.0 * span / a.v,
        };
    }
    if a.v.abs() < STANDING_M_PER_MS && b.v > 2.0 * mean {
        return Model::Leaves {
            tau: 2.0 * span / b.v,
        };
    }
    let ends = 0.5 * (a.v + b.v);
    // 10 % of the mean speed and 0.5 m/s: far above what the speed can
    // change non-linearly within a sample period, far below a stop.
    if a.v >= 0.0 && b.v >= 0.0 && (ends - mean).abs() <= 0.1 * mean + STANDING_M_PER_MS {
        return Model::Hermite;
    }
    Model::Linear
}

/// Distance of the Hermite curve `a`→`b` at fraction `s` of the segment,
/// and its derivative in `s`.
fn hermite(a: TracePoint, b: TracePoint, h: f64, s: f64) -> (f64, f64) {
    let (s2, s3) = (s * s, s * s * s);
    let (ma, mb) = (h * a.v, h * b.v);
    let d = (2.0 * s3 - 3.0 * s2 + 1.0) * a.d_m
        + (s3 - 2.0 * s2 + s) * ma
        + (-2.0 * s3 + 3.0 * s2) * b.d_m
        + (s3 - s2) * mb;
    let dd = (6.0 * s2 - 6.0 * s) * (a.d_m - b.d_m)
        + (3.0 * s2 - 4.0 * s + 1.0) * ma
        + (3.0 * s2 - 2.0 * s) * mb;
    (d, dd)
}

/// The fraction `s` at which the Hermite curve reaches `d`: safeguarded
/// Newton from the linear guess (bisection whenever Newton leaves the
/// bracket), so the first root inside the bracket is found in a few steps.
fn solve_hermite(a: TracePoint, b: TracePoint, h: f64, d: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut s = (d - a.d_m) / (b.d_m - a.d_m);
    for _ in 0..60 {
        let (x, dx) = hermite(a, b, h, s);
        let f = x - d;
        if f.abs() < 1e-7 {
            return s;
        }
        if f < 0.0 {
            lo = s;
        } else {
            hi = s;
        }
        if hi - lo < 1e-12 {
            break;
        }
        let next = s - f / dx;
        s = if dx > 0.0 && next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
    }
    s
}

/// The instant the car going `a`→`b` reaches distance `d`. `d` is expected
/// in `a.d_m..=b.d_m`; outside it the result is clamped to the segment's
/// ends, so a caller can never get a time outside the two samples.
pub(crate) fn time_at(a: TracePoint, b: TracePoint, d: f64) -> f64 {
    passing(a, b, d).t_ms
}

/// The instant and the speed at which the car going `a`→`b` reaches
/// distance `d` (clamped to the segment like `time_at`).
pub(crate) fn passing(a: TracePoint, b: TracePoint, d: f64) -> TracePoint {
    let span = b.d_m - a.d_m;
    if span <= 0.0 || d <= a.d_m {
        return TracePoint { d_m: d, ..a };
    }
    if d >= b.d_m {
        return TracePoint {
            t_ms: arrival(a, b),
            d_m: d,
            v: b.v,
        };
    }
    let h = b.t_ms - a.t_ms;
    let x = d - a.d_m;
    let (t, v) = match model(a, b) {
        Model::Linear => (a.t_ms + h * x / span, span / h),
        Model::Hermite => {
            let s = solve_hermite(a, b, h, d);
            (a.t_ms + h * s, hermite(a, b, h, s).1 / h)
        }
        Model::Stops { .. } => {
            // x = v t - k t², k = v² / (4 span): the smaller root.
            let v = a.v;
            let k = v * v / (4.0 * span);
            let disc = (v * v - 4.0 * k * x).max(0.0);
            let tau = (v - disc.sqrt()) / (2.0 * k);
            (a.t_ms + tau, v - 2.0 * k * tau)
        }
        Model::Leaves { tau } => {
            // Standing until b.t - tau, then x = k t², k = v² / (4 span).
            let k = b.v * b.v / (4.0 * span);
            let since = (x / k).sqrt();
            (b.t_ms - tau + since, 2.0 * k * since)
        }
    };
    TracePoint {
        t_ms: t.clamp(a.t_ms, b.t_ms),
        d_m: d,
        v: v.max(0.0),
    }
}

/// The instant the car going `a`→`b` reached `b.d_m`: `b.t_ms`, unless it
/// stopped there before the sample (a pit box).
pub(crate) fn arrival(a: TracePoint, b: TracePoint) -> f64 {
    match model(a, b) {
        Model::Stops { tau } => (a.t_ms + tau).min(b.t_ms),
        _ => b.t_ms,
    }
}

/// The instant the car going `a`→`b` left `a.d_m`: `a.t_ms`, unless it
/// stood there after the sample (leaving a pit box).
pub(crate) fn departure(a: TracePoint, b: TracePoint) -> f64 {
    match model(a, b) {
        Model::Leaves { tau } => (b.t_ms - tau).max(a.t_ms),
        _ => a.t_ms,
    }
}

/// Rounds a non-negative millisecond duration to whole milliseconds.
pub(crate) fn round_ms(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        ms.round() as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t_ms: f64, d_m: f64) -> TracePoint {
        TracePoint::at(t_ms, d_m)
    }

    fn pv(t_ms: f64, d_m: f64, v: f64) -> TracePoint {
        TracePoint { t_ms, d_m, v }
    }

    #[test]
    fn interpolates_inside_the_segment() {
        let t = time_at(p(1000.0, 100.0), p(1100.0, 105.0), 102.0);
        assert!((t - 1040.0).abs() < 1e-9);
    }

    #[test]
    fn clamps_outside_and_on_degenerate_segments() {
        assert_eq!(time_at(p(10.0, 5.0), p(20.0, 6.0), 4.0), 10.0);
        assert_eq!(time_at(p(10.0, 5.0), p(20.0, 6.0), 7.0), 20.0);
        assert_eq!(time_at(p(10.0, 5.0), p(20.0, 5.0), 5.0), 10.0);
    }

    /// Braking hard: 80 m/s to 60 m/s in 100 ms (constant deceleration).
    /// The line at 4 m: linear is ~0.9 ms off, Hermite exact.
    #[test]
    fn uses_the_speeds_when_the_car_brakes() {
        let (v0, v1, h) = (0.08, 0.06, 100.0);
        let acc = (v1 - v0) / h;
        let a = pv(0.0, 0.0, v0);
        let b = pv(h, 0.5 * (v0 + v1) * h, v1);
        let d = 4.0;
        let exact = (-v0 + (v0 * v0 + 2.0 * acc * d).sqrt()) / acc;
        let t = time_at(a, b, d);
        assert!((t - exact).abs() < 0.01, "hermite {t} exact {exact}");
        let linear = time_at(p(0.0, 0.0), p(h, b.d_m), d);
        assert!(
            (linear - exact).abs() > 0.5,
            "linear {linear} exact {exact}"
        );
    }

    #[test]
    fn inconsistent_speeds_fall_back_to_linear() {
        // 200 km/h claimed, 10 m/s driven: the speeds do not describe it.
        let v = kph_to_m_per_ms(200.0);
        let t = time_at(pv(0.0, 0.0, v), pv(100.0, 1.0, v), 0.4);
        assert!((t - 40.0).abs() < 1e-9);
    }

    #[test]
    fn a_car_stopping_in_its_box_arrives_before_the_sample() {
        // 20 m/s to standstill over 0.4 m: stopped after 40 ms of 100.
        let a = pv(0.0, 0.0, 0.02);
        let b = pv(100.0, 0.4, 0.0);
        assert!((arrival(a, b) - 40.0).abs() < 1e-9);
        // Half the distance: v t - k t² = 0.2, k = v²/(4 span) = 0.00025.
        let t = time_at(a, b, 0.2);
        let exact = (0.02 - (0.0004_f64 - 0.0002).sqrt()) / 0.0005;
        assert!((t - exact).abs() < 1e-6, "{t} vs {exact}");
        // And leaving it: standing until 60 ms, then 0 to 20 m/s.
        let a = pv(0.0, 0.0, 0.0);
        let b = pv(100.0, 0.4, 0.02);
        assert!((departure(a, b) - 60.0).abs() < 1e-9);
        assert!((time_at(a, b, 0.1) - 80.0).abs() < 1e-6);
    }

    #[test]
    fn rounds_to_whole_ms_and_never_negative() {
        assert_eq!(round_ms(99_599.6), 99_600);
        assert_eq!(round_ms(-3.0), 0);
        assert_eq!(round_ms(f64::NAN), 0);
    }
}
