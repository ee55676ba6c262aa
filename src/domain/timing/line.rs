//! Fine timing points: the instant and the speed at which each car passed
//! every `TIMING_POINT_SPACING_M` of race distance, the places it stood
//! still (pit boxes), and the lookup "when did car A pass distance d", which
//! is what the timing-line method of gaps and intervals is made of.
//!
//! Between two timing points the instant is read off a cubic Hermite curve
//! of distance against time through both points with the car's speeds there
//! as slopes (`interp`), so a braking zone or a slow corner inside a cell
//! costs well under a millisecond. A car standing still inside a cell (its
//! pit box) splits the cell: distances up to where it stood are read between
//! the point before and its arrival there, distances past it between its
//! departure and the point after. "When A passed d" is the instant A
//! *reached* d: for the spot where it stood, its arrival.
//!
//! Memory choice: each car keeps a ring of the points of its last two laps
//! and more (u32 time + u16 speed, 6 bytes a point: ~6 KB per car on a 5 km
//! track at 10 m), and the race keeps one *first-arrival* line over the
//! whole distance: the earliest instant any car reached each point. A lookup
//! uses the car's own ring when it still holds the distance (every car on the
//! lead lap or up to two laps down, the cases where exactness matters) and
//! falls back to the first-arrival line for cars further behind, where the
//! two differ only if the lead changed hands at that point of the race. So
//! memory is ~6 KB per car (30 MB for 5,000 cars on a 5 km lap) plus
//! 6 bytes per 10 m of race, whatever the field size.
//!
//! Times are stored as u32 quarter-milliseconds from the race's first sample
//! (12 days of range), so rounding adds at most 0.125 ms to a gap; speeds as
//! u16 hundredths of a metre per second (up to 655 m/s).

use super::interp::{arrival as arrival_ms, departure, passing, time_at, TracePoint};

/// Distance between two fine timing points, metres of race distance.
pub const TIMING_POINT_SPACING_M: f64 = 10.0;

const UNSET: u32 = u32::MAX;
const NO_SPEED: u16 = u16::MAX;
/// Speed unit: 0.01 m/s in metres per millisecond.
const SPEED_UNIT: f64 = 1e-5;

fn encode_speed(v: f64) -> u16 {
    if v.is_finite() && v >= 0.0 {
        (v / SPEED_UNIT).round().min(f64::from(NO_SPEED - 1)) as u16
    } else {
        NO_SPEED
    }
}

fn decode_speed(v: u16) -> f64 {
    if v == NO_SPEED {
        f64::NAN
    } else {
        f64::from(v) * SPEED_UNIT
    }
}

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

/// The earliest instant any car reached each timing point of the race, and
/// that car's speed there.
#[derive(Debug, Clone)]
pub(crate) struct FirstArrival {
    points: Vec<u32>,
    speeds: Vec<u16>,
}

impl FirstArrival {
    /// `race_distance_m` sizes the vectors up front so the ingest path does
    /// not allocate; they still grow if cars go further (cool-down, extra laps).
    pub fn new(race_distance_m: f64) -> Self {
        let n = point_index(race_distance_m.max(0.0)) as usize + 2;
        FirstArrival {
            points: Vec::with_capacity(n),
            speeds: Vec::with_capacity(n),
        }
    }

    fn record(&mut self, k: u64, q: u32, v: u16) {
        let i = k as usize;
        if i >= self.points.len() {
            self.points.resize(i + 1, UNSET);
            self.speeds.resize(i + 1, NO_SPEED);
        }
        if q < self.points[i] {
            self.points[i] = q;
            self.speeds[i] = v;
        }
    }

    fn get(&self, k: u64) -> Option<(u32, u16)> {
        let i = k as usize;
        self.points
            .get(i)
            .copied()
            .filter(|&q| q != UNSET)
            .map(|q| (q, self.speeds[i]))
    }
}

/// A place where the car stood still: when it got there and when it left
/// (the last instant it was seen there while it still stands).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stand {
    d_m: f64,
    arrive_ms: f64,
    depart_ms: f64,
}

/// Stands kept per car: pit stops of the last laps.
const MAX_STANDS: usize = 4;

/// One car's trace: where it started, how far it has got, the ring of its
/// recent timing points and where it stood still.
#[derive(Debug, Clone)]
pub(crate) struct CarLine {
    ring: Vec<u32>,
    ring_v: Vec<u16>,
    /// Highest point index recorded, if any.
    last_k: Option<u64>,
    first: TracePoint,
    /// The latest sample that moved the car, or the latest while it stands.
    head: TracePoint,
    /// When the car reached `head.d_m` (earlier than `head.t_ms` once it
    /// stands there).
    head_arrival_ms: f64,
    stands: Vec<Stand>,
}

impl CarLine {
    /// A ring long enough for two laps of `lap_length_m` and a margin.
    pub fn new(lap_length_m: f64) -> Self {
        let n = (2.0 * lap_length_m / TIMING_POINT_SPACING_M)
            .ceil()
            .max(1.0) as usize
            + 4;
        let origin = TracePoint::at(0.0, 0.0);
        CarLine {
            ring: vec![UNSET; n],
            ring_v: vec![NO_SPEED; n],
            last_k: None,
            first: origin,
            head: origin,
            head_arrival_ms: 0.0,
            stands: Vec::new(),
        }
    }

    /// The car's first sample: the trace starts here (grid or pit exit).
    pub fn start(&mut self, p: TracePoint) {
        self.first = p;
        self.head = p;
        self.head_arrival_ms = p.t_ms;
        self.last_k = None;
        self.stands.clear();
    }

    /// Furthest point reached and the latest instant seen there.
    pub fn head(&self) -> TracePoint {
        self.head
    }

    /// Moves the head forward to `to`, recording every timing point passed on
    /// the way at its interpolated instant and speed. A sample at the head's
    /// distance (the car stands still) moves the head's instant on and
    /// records the stand; backward moves are ignored: the head is a
    /// high-water mark.
    pub fn advance(&mut self, to: TracePoint, clock: Clock, arrival: &mut FirstArrival) {
        if to.d_m <= self.head.d_m {
            if to.d_m == self.head.d_m && to.t_ms > self.head.t_ms {
                self.stand(to);
            }
            return;
        }
        let from = self.head;
        if let Some(s) = self.stands.last_mut() {
            if s.d_m == from.d_m && s.depart_ms == from.t_ms {
                s.depart_ms = departure(from, to);
            }
        }
        let mut k = point_index(from.d_m) + 1;
        let len = self.ring.len() as u64;
        while point_distance(k) <= to.d_m {
            let p = passing(from, to, point_distance(k));
            let q = clock.encode(p.t_ms);
            let v = encode_speed(p.v);
            self.ring[(k % len) as usize] = q;
            self.ring_v[(k % len) as usize] = v;
            self.last_k = Some(k);
            arrival.record(k, q, v);
            k += 1;
        }
        self.head_arrival_ms = arrival_ms(from, to);
        self.head = to;
    }

    /// The car is still at its head's distance at `to`.
    fn stand(&mut self, to: TracePoint) {
        let d_m = self.head.d_m;
        match self.stands.last_mut() {
            Some(s) if s.d_m == d_m && s.depart_ms == self.head.t_ms => s.depart_ms = to.t_ms,
            _ => {
                if self.stands.len() == MAX_STANDS {
                    self.stands.remove(0);
                }
                self.stands.push(Stand {
                    d_m,
                    arrive_ms: self.head_arrival_ms,
                    depart_ms: to.t_ms,
                });
            }
        }
        self.head = TracePoint {
            t_ms: to.t_ms,
            d_m,
            v: 0.0,
        };
    }

    fn point(&self, k: u64, clock: Clock, arrival: &FirstArrival) -> Option<TracePoint> {
        let d_m = point_distance(k);
        let len = self.ring.len() as u64;
        let held = self
            .last_k
            .is_some_and(|last| k <= last && last - k < len && d_m > self.first.d_m);
        let qv = if held {
            let j = (k % len) as usize;
            Some((self.ring[j], self.ring_v[j]))
        } else {
            arrival.get(k)
        };
        qv.filter(|&(q, _)| q != UNSET).map(|(q, v)| TracePoint {
            t_ms: clock.decode(q),
            d_m,
            v: decode_speed(v),
        })
    }

    /// When this car reached race distance `d_m`: its start time if `d_m` is
    /// behind where it started, its latest instant if `d_m` is beyond its
    /// head, else read between the two timing points around `d_m` (split at
    /// a place it stood still). None only when neither the ring nor the
    /// first-arrival line holds them.
    pub fn time_at(&self, d_m: f64, clock: Clock, arrival: &FirstArrival) -> Option<f64> {
        if d_m > self.head.d_m {
            return Some(self.head.t_ms);
        }
        if d_m == self.head.d_m {
            return Some(self.head_arrival_ms);
        }
        if d_m <= self.first.d_m {
            return Some(self.first.t_ms);
        }
        let k = point_index(d_m);
        let mut lo = if point_distance(k) <= self.first.d_m {
            self.first
        } else {
            self.point(k, clock, arrival)?
        };
        let mut hi = if point_distance(k + 1) >= self.head.d_m {
            TracePoint {
                t_ms: self.head_arrival_ms,
                ..self.head
            }
        } else {
            self.point(k + 1, clock, arrival)?
        };
        for s in &self.stands {
            if s.d_m <= lo.d_m || s.d_m >= hi.d_m {
                continue;
            }
            if d_m <= s.d_m {
                hi = TracePoint {
                    t_ms: s.arrive_ms,
                    d_m: s.d_m,
                    v: 0.0,
                };
            } else {
                lo = TracePoint {
                    t_ms: s.depart_ms,
                    d_m: s.d_m,
                    v: 0.0,
                };
            }
        }
        if d_m >= hi.d_m {
            return Some(hi.t_ms);
        }
        Some(time_at(lo, hi, d_m).min(hi.t_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t_ms: f64, d_m: f64) -> TracePoint {
        TracePoint::at(t_ms, d_m)
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
        let head = line.head();
        assert_eq!((head.t_ms, head.d_m), (1_000.0, 60.0));
    }

    /// Piecewise constant acceleration: (duration ms, acceleration m/ms²)
    /// from `v0` m/ms at distance 0 and t = 0. Returns (d, v) at `t`.
    fn motion(v0: f64, phases: &[(f64, f64)], t: f64) -> (f64, f64) {
        let (mut d, mut v, mut left) = (0.0, v0, t);
        for &(dur, a) in phases {
            let h = left.min(dur);
            d += v * h + 0.5 * a * h * h;
            v += a * h;
            left -= h;
            if left <= 0.0 {
                break;
            }
        }
        (d + v * left.max(0.0), v)
    }

    /// Samples `motion` every 100 ms with exact speeds into a line.
    fn sampled(v0: f64, phases: &[(f64, f64)], t_end: f64) -> (CarLine, FirstArrival) {
        let clock = Clock::new(0);
        let mut arrival = FirstArrival::new(100_000.0);
        let mut line = CarLine::new(5_000.0);
        line.start(TracePoint {
            t_ms: 0.0,
            d_m: 0.0,
            v: v0,
        });
        let mut t = 100.0;
        while t <= t_end {
            let (d, v) = motion(v0, phases, t);
            line.advance(TracePoint { t_ms: t, d_m: d, v }, clock, &mut arrival);
            t += 100.0;
        }
        (line, arrival)
    }

    /// The instant `motion` reaches `d` (bisection on the exact motion).
    fn exact_time(v0: f64, phases: &[(f64, f64)], d: f64) -> f64 {
        let (mut lo, mut hi) = (0.0, 1e7);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if motion(v0, phases, mid).0 < d {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    #[test]
    fn a_braking_zone_is_read_closely_between_points() {
        // 85 m/s, brakes at 45 m/s² for 1.5 s down to ~17 m/s through a
        // hairpin, then accelerates at 12 m/s² for 3 s.
        let phases = [(1_000.0, 0.0), (1_500.0, -4.5e-5), (3_000.0, 1.2e-5)];
        let (line, arrival) = sampled(0.085, &phases, 8_000.0);
        let clock = Clock::new(0);
        let (mut worst, mut sum, mut n) = (0.0_f64, 0.0, 0.0);
        let mut d = 3.7;
        while d < 300.0 {
            let t = line.time_at(d, clock, &arrival).unwrap();
            let e = (t - exact_time(0.085, &phases, d)).abs();
            worst = worst.max(e);
            sum += e;
            n += 1.0;
            d += 1.3;
        }
        // Read linearly between 50 m points this was off by ~200 ms. The
        // worst left is where braking turns to accelerating inside a cell
        // the car takes ~0.5 s to cross.
        assert!(
            worst < 15.0 && sum / n < 1.0,
            "worst {worst} ms, mean {}",
            sum / n
        );
    }

    #[test]
    fn a_car_standing_in_its_box_passed_that_spot_on_arrival() {
        // 22 m/s, brakes at 30 m/s² to a standstill (0.733 s, 8.07 m), stands
        // 2.5 s, leaves at 12 m/s² (1.833 s to 22 m/s), then cruises.
        let v = 0.022;
        let stop = v / 3e-5;
        let phases = [
            (1_234.0, 0.0),
            (stop, -3e-5),
            (2_500.0, 0.0),
            (v / 1.2e-5, 1.2e-5),
        ];
        let (line, arrival) = sampled(v, &phases, 9_000.0);
        let clock = Clock::new(0);
        let box_d = v * 1_234.0 + 0.5 * v * stop;
        let arrive = 1_234.0 + stop;
        let leave = arrive + 2_500.0;
        let t = line.time_at(box_d, clock, &arrival).unwrap();
        assert!((t - arrive).abs() < 1.0, "at the box {t} vs {arrive}");
        for d in [
            box_d - 3.0,
            box_d - 0.2,
            box_d + 0.2,
            box_d + 3.0,
            box_d + 20.0,
        ] {
            let want = exact_time(v, &phases, d);
            let got = line.time_at(d, clock, &arrival).unwrap();
            assert!((got - want).abs() < 1.0, "d {d}: {got} vs {want}");
        }
        assert!(exact_time(v, &phases, box_d + 0.2) > leave);
    }

    #[test]
    fn a_standing_car_keeps_its_arrival_while_its_clock_runs_on() {
        let clock = Clock::new(0);
        let mut arrival = FirstArrival::new(1_000.0);
        let mut line = CarLine::new(1_000.0);
        line.start(p(0.0, 0.0));
        line.advance(p(1_000.0, 60.0), clock, &mut arrival);
        line.advance(p(1_100.0, 60.0), clock, &mut arrival);
        line.advance(p(1_200.0, 60.0), clock, &mut arrival);
        // The head's instant moves on (its gap grows), the spot is passed at
        // the arrival.
        assert_eq!(line.head().t_ms, 1_200.0);
        assert_eq!(line.time_at(60.0, clock, &arrival), Some(1_000.0));
        assert_eq!(line.time_at(61.0, clock, &arrival), Some(1_200.0));
    }
}
