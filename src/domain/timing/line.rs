//! Fine timing points: the instant each car passed every `TIMING_POINT_SPACING_M`
//! of race distance, and the lookup "when did car A pass distance d", which
//! is what the timing-line method of gaps and intervals is made of.
//!
//! Memory choice: each car keeps a ring of the points of its last two laps
//! and more (u32 each, ~1 KB per car on a 5 km track), and the race keeps one
//! *first-arrival* line over the whole distance: the earliest instant any car
//! reached each point. A lookup uses the car's own ring when it still holds
//! the distance (every car on the lead lap or up to two laps down, the cases
//! where exactness matters) and falls back to the first-arrival line for cars
//! further behind, where the two differ only if the lead changed hands at
//! that point of the race. So memory is ~1 KB per car plus 4 bytes per 50 m
//! of race, whatever the field size, and the spacing stays 50 m.
//!
//! Times are stored as u32 quarter-milliseconds from the race's first sample
//! (12 days of range), so rounding adds at most 0.125 ms to a gap.

use super::interp::{time_at, TracePoint};

/// Distance between two fine timing points, metres of race distance.
pub const TIMING_POINT_SPACING_M: f64 = 50.0;

const UNSET: u32 = u32::MAX;

/// Encodes race-clock instants as u32 quarter-milliseconds from an origin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    origin_ms: f64,
}

impl Clock {
    pub fn new(origin_ms: u64) -> Self {
        Clock {
            origin_ms: origin_ms as f64,
        }
    }

    fn encode(self, t_ms: f64) -> u32 {
        let q = ((t_ms - self.origin_ms) * 4.0).round();
        if q.is_nan() || q <= 0.0 {
            0
        } else if q >= (UNSET - 1) as f64 {
            UNSET - 1
        } else {
            q as u32
        }
    }

    fn decode(self, q: u32) -> f64 {
        self.origin_ms + f64::from(q) / 4.0
    }
}

fn point_index(d_m: f64) -> u64 {
    (d_m / TIMING_POINT_SPACING_M).floor().max(0.0) as u64
}

fn point_distance(k: u64) -> f64 {
    k as f64 * TIMING_POINT_SPACING_M
}

/// The earliest instant any car reached each timing point of the race.
#[derive(Debug, Clone)]
pub(crate) struct FirstArrival {
    points: Vec<u32>,
}

impl FirstArrival {
    /// `race_distance_m` sizes the vector up front so the ingest path does not
    /// allocate; it still grows if cars go further (cool-down, extra laps).
    pub fn new(race_distance_m: f64) -> Self {
        let n = point_index(race_distance_m.max(0.0)) as usize + 2;
        FirstArrival {
            points: Vec::with_capacity(n),
        }
    }

    fn record(&mut self, k: u64, q: u32) {
        let i = k as usize;
        if i >= self.points.len() {
            self.points.resize(i + 1, UNSET);
        }
        if q < self.points[i] {
            self.points[i] = q;
        }
    }

    fn get(&self, k: u64) -> Option<u32> {
        self.points.get(k as usize).copied().filter(|&q| q != UNSET)
    }
}

/// One car's trace: where it started, how far it has got and the ring of
/// its recent timing points.
#[derive(Debug, Clone)]
pub(crate) struct CarLine {
    ring: Vec<u32>,
    /// Highest point index recorded, if any.
    last_k: Option<u64>,
    first: TracePoint,
    head: TracePoint,
}

impl CarLine {
    /// A ring long enough for two laps of `lap_length_m` and a margin.
    pub fn new(lap_length_m: f64) -> Self {
        let n = (2.0 * lap_length_m / TIMING_POINT_SPACING_M)
            .ceil()
            .max(1.0) as usize
            + 4;
        let origin = TracePoint {
            t_ms: 0.0,
            d_m: 0.0,
        };
        CarLine {
            ring: vec![UNSET; n],
            last_k: None,
            first: origin,
            head: origin,
        }
    }

    /// The car's first sample: the trace starts here (grid or pit exit).
    pub fn start(&mut self, p: TracePoint) {
        self.first = p;
        self.head = p;
        self.last_k = None;
    }

    /// Furthest point reached and when.
    pub fn head(&self) -> TracePoint {
        self.head
    }

    /// Moves the head forward to `to`, recording every timing point passed on
    /// the way at its interpolated instant. Backward moves are ignored: the
    /// head is a high-water mark.
    pub fn advance(&mut self, to: TracePoint, clock: Clock, arrival: &mut FirstArrival) {
        if to.d_m <= self.head.d_m {
            return;
        }
        let from = self.head;
        let mut k = point_index(from.d_m) + 1;
        while point_distance(k) <= to.d_m {
            let q = clock.encode(time_at(from, to, point_distance(k)));
            let len = self.ring.len() as u64;
            self.ring[(k % len) as usize] = q;
            self.last_k = Some(k);
            arrival.record(k, q);
            k += 1;
        }
        self.head = to;
    }

    fn point(&self, k: u64, clock: Clock, arrival: &FirstArrival) -> Option<TracePoint> {
        let d_m = point_distance(k);
        let len = self.ring.len() as u64;
        let held = self
            .last_k
            .is_some_and(|last| k <= last && last - k < len && d_m > self.first.d_m);
        let q = if held {
            Some(self.ring[(k % len) as usize])
        } else {
            arrival.get(k)
        };
        q.filter(|&q| q != UNSET).map(|q| TracePoint {
            t_ms: clock.decode(q),
            d_m,
        })
    }

    /// When this car passed race distance `d_m`: its start time if `d_m` is
    /// behind where it started, its head time if `d_m` is beyond its head,
    /// else interpolated between the two timing points around `d_m`. None
    /// only when neither the ring nor the first-arrival line holds them.
    pub fn time_at(&self, d_m: f64, clock: Clock, arrival: &FirstArrival) -> Option<f64> {
        if d_m >= self.head.d_m {
            return Some(self.head.t_ms);
        }
        if d_m <= self.first.d_m {
            return Some(self.first.t_ms);
        }
        let k = point_index(d_m);
        let lo = if point_distance(k) <= self.first.d_m {
            self.first
        } else {
            self.point(k, clock, arrival)?
        };
        let hi = if point_distance(k + 1) >= self.head.d_m {
            self.head
        } else {
            self.point(k + 1, clock, arrival)?
        };
        Some(time_at(lo, hi, d_m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t_ms: f64, d_m: f64) -> TracePoint {
        TracePoint { t_ms, d_m }
    }

    /// A car at 50 m/s from `d0` at t=0, sampled every 100 ms up to `t_end`.
    fn drive(line: &mut CarLine, arrival: &mut FirstArrival, d0: f64, t_end: u64) {
        let clock = Clock::new(0);
        line.start(p(0.0, d0));
        let mut t = 100;
        while t <= t_end {
            line.advance(p(t as f64, d0 + 0.05 * t as f64), clock, arrival);
            t += 100;
        }
    }

    #[test]
    fn clock_round_trips_to_a_quarter_ms() {
        let c = Clock::new(1_000);
        assert_eq!(c.decode(c.encode(1_234.26)), 1_234.25);
        assert_eq!(c.encode(500.0), 0);
    }

    #[test]
    fn lookup_between_points_and_samples_is_exact_at_constant_speed() {
        let mut arrival = FirstArrival::new(10_000.0);
        let mut line = CarLine::new(1_000.0);
        drive(&mut line, &mut arrival, 20.0, 30_000);
        let clock = Clock::new(0);
        // 20 m + 50 m/s: distance d was passed at (d - 20) / 0.05 ms.
        for d in [20.0, 33.3, 50.0, 777.7, 1_500.01, 1_519.0, 1_520.0] {
            let t = line.time_at(d, clock, &arrival).unwrap();
            assert!((t - (d - 20.0) / 0.05).abs() < 0.2, "d {d} t {t}");
        }
        // Beyond the head: the head time. Behind the start: the start time.
        assert_eq!(line.time_at(5_000.0, clock, &arrival), Some(30_000.0));
        assert_eq!(line.time_at(10.0, clock, &arrival), Some(0.0));
    }

    #[test]
    fn old_points_fall_back_to_the_first_arrival_line() {
        let clock = Clock::new(0);
        let mut arrival = FirstArrival::new(10_000.0);
        let mut leader = CarLine::new(500.0);
        drive(&mut leader, &mut arrival, 0.0, 100_000); // 5 km, ring holds ~1 km
        let mut other = CarLine::new(500.0);
        other.start(p(0.0, 0.0));
        // 300 m is long gone from the leader's ring but on the arrival line.
        let t = leader.time_at(300.0, clock, &arrival).unwrap();
        assert!((t - 6_000.0).abs() < 0.2);
        // A line that never recorded anything answers from the arrival line too.
        other.advance(p(200_000.0, 6_000.0), clock, &mut arrival);
        let t = other.time_at(300.0, clock, &arrival).unwrap();
        assert!((t - 6_000.0).abs() < 0.2);
    }

    #[test]
    fn backward_moves_are_ignored() {
        let clock = Clock::new(0);
        let mut arrival = FirstArrival::new(1_000.0);
        let mut line = CarLine::new(1_000.0);
        line.start(p(0.0, 0.0));
        line.advance(p(1_000.0, 60.0), clock, &mut arrival);
        line.advance(p(1_100.0, 55.0), clock, &mut arrival);
        assert_eq!(line.head(), p(1_000.0, 60.0));
    }
}
