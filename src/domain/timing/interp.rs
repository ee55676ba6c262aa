//! Linear interpolation of the race clock between two consecutive samples.
//!
//! Samples arrive every 100 ms or so; a car covers several metres between
//! two of them. Every timing event (a line, a sector boundary, a timing point)
//! is placed at the instant the straight line between the two bracketing
//! samples, distance against time, passes the mark, not at either sample's
//! time: that is what makes lap times exact to well under a millisecond at
//! constant speed.

/// One point of a car's trace: race clock (ms, fractional) and race distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TracePoint {
    pub t_ms: f64,
    pub d_m: f64,
}

/// The instant the segment `a`→`b` reaches distance `d`. `d` is expected in
/// `a.d_m..=b.d_m`; outside it the result is clamped to the segment's ends, so
/// a caller can never get a time outside the two samples.
pub(crate) fn time_at(a: TracePoint, b: TracePoint, d: f64) -> f64 {
    let span = b.d_m - a.d_m;
    if span <= 0.0 || d <= a.d_m {
        return a.t_ms;
    }
    if d >= b.d_m {
        return b.t_ms;
    }
    a.t_ms + (b.t_ms - a.t_ms) * (d - a.d_m) / span
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
        TracePoint { t_ms, d_m }
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

    #[test]
    fn rounds_to_whole_ms_and_never_negative() {
        assert_eq!(round_ms(99_599.6), 99_600);
        assert_eq!(round_ms(-3.0), 0);
        assert_eq!(round_ms(f64::NAN), 0);
    }
}
