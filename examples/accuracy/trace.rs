//! A car's reference trace for gaps: every sample's race clock, race
//! distance and speed. Between two samples the car's distance is a cubic
//! Hermite curve through both positions with both speeds as slopes, which
//! follows the simulator's piecewise-quadratic motion to well under a
//! millisecond; the benchmark checks that against the exact line and sector
//! crossing times of the truth before trusting it (the "reference check").

#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub t_ms: f64,
    pub d_m: f64,
    /// Metres per millisecond.
    pub v: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Trace {
    pts: Vec<Point>,
}

fn hermite(a: Point, b: Point, s: f64) -> f64 {
    let h = b.t_ms - a.t_ms;
    let (s2, s3) = (s * s, s * s * s);
    (2.0 * s3 - 3.0 * s2 + 1.0) * a.d_m
        + (s3 - 2.0 * s2 + s) * h * a.v
        + (-2.0 * s3 + 3.0 * s2) * b.d_m
        + (s3 - s2) * h * b.v
}

impl Trace {
    pub fn push(&mut self, p: Point) {
        self.pts.push(p);
    }

    pub fn first(&self) -> Option<Point> {
        self.pts.first().copied()
    }

    pub fn last(&self) -> Option<Point> {
        self.pts.last().copied()
    }

    /// The instants the car reached and left race distance `d_m`: the same
    /// but when it stood there (a pit box), None if it has not reached it.
    pub fn window_at(&self, d_m: f64) -> Option<(f64, f64)> {
        let first = self.time_at(d_m)?;
        let k = self.pts.partition_point(|p| p.d_m <= d_m);
        let last = match k.checked_sub(1).map(|j| self.pts[j]) {
            Some(p) if p.d_m == d_m && p.t_ms > first => p.t_ms,
            _ => first,
        };
        Some((first, last))
    }

    /// The instant the car reached race distance `d_m`; None if it has not
    /// yet. Distances are non-decreasing along the trace.
    pub fn time_at(&self, d_m: f64) -> Option<f64> {
        let k = self.pts.partition_point(|p| p.d_m < d_m);
        if k == self.pts.len() {
            return None;
        }
        if k == 0 {
            return Some(self.pts[0].t_ms);
        }
        let (a, b) = (self.pts[k - 1], self.pts[k]);
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        for _ in 0..48 {
            let mid = 0.5 * (lo + hi);
            if hermite(a, b, mid) < d_m {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(a.t_ms + (b.t_ms - a.t_ms) * 0.5 * (lo + hi))
    }
}
