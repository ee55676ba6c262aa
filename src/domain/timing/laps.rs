//! The lap and sector clock of one car: which timing mark (sector 2 start,
//! sector 3 start, the line) comes next, the interpolated instants it passes
//! them, the resulting sector and lap times and the personal best.
//!
//! Marks are fixed race distances ((lap-1) * length + offset), so a car whose
//! samples skip a whole lap still gets every crossing, in order, and laps can
//! only go up. Each duration is rounded once from the interpolated instants,
//! so the three sectors may add up to the lap time ±1 ms, as on real timing
//! screens.

use super::interp::{round_ms, time_at, TracePoint};

/// A line crossing: lap `lap` was completed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Crossing {
    pub lap: u32,
    pub t_ms: f64,
    pub lap_ms: u64,
    /// Sector times of the lap; `first_sector` > 0 when the car's trace began
    /// inside the lap (its grid slot or pit exit lay past a sector start).
    pub sectors_ms: [u64; 3],
    pub first_sector: usize,
    pub personal_best: bool,
}

impl Crossing {
    pub fn sectors(&self) -> &[u64] {
        &self.sectors_ms[self.first_sector..]
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LapClock {
    length_m: f64,
    offsets_m: [f64; 3],
    /// 0-based lap of the next mark and which mark of that lap it is.
    next_lap: u32,
    next_mark: usize,
    lap_start_t: f64,
    sector_start_t: f64,
    sectors_ms: [u64; 3],
    first_sector: usize,
    pub last_lap_ms: Option<u64>,
    pub best_lap_ms: Option<u64>,
    pub laps_done: u32,
}

impl LapClock {
    pub fn new(length_m: f64, sector_starts_m: [f64; 2]) -> Self {
        LapClock {
            length_m,
            offsets_m: [sector_starts_m[0], sector_starts_m[1], length_m],
            next_lap: 0,
            next_mark: 0,
            lap_start_t: 0.0,
            sector_start_t: 0.0,
            sectors_ms: [0; 3],
            first_sector: 0,
            last_lap_ms: None,
            best_lap_ms: None,
            laps_done: 0,
        }
    }

    fn mark_distance(&self) -> f64 {
        f64::from(self.next_lap) * self.length_m + self.offsets_m[self.next_mark]
    }

    /// The car's trace starts at `p` (its first sample): the marks behind it
    /// are skipped, and the current lap and sector are timed from
    /// `lap_start_ms` (the start signal for a car starting the race, else
    /// `p`'s instant).
    pub fn start(&mut self, p: TracePoint, lap_start_ms: f64) {
        self.next_lap = (p.d_m / self.length_m).floor().max(0.0) as u32;
        self.next_mark = 0;
        while self.mark_distance() <= p.d_m {
            self.next_mark += 1;
            if self.next_mark == 3 {
                self.next_mark = 0;
                self.next_lap += 1;
            }
        }
        self.laps_done = self.next_lap;
        self.first_sector = self.next_mark;
        self.lap_start_t = lap_start_ms;
        self.sector_start_t = lap_start_ms;
    }

    /// Times every mark in `(from.d_m, to.d_m]`, calling `on_line` for each
    /// completed lap.
    pub fn advance(&mut self, from: TracePoint, to: TracePoint, mut on_line: impl FnMut(Crossing)) {
        loop {
            let d = self.mark_distance();
            if d > to.d_m {
                return;
            }
            let t = time_at(from, to, d);
            let j = self.next_mark;
            self.sectors_ms[j] = round_ms(t - self.sector_start_t);
            self.sector_start_t = t;
            if j < 2 {
                self.next_mark += 1;
                continue;
            }
            let lap_ms = round_ms(t - self.lap_start_t);
            let personal_best = self.best_lap_ms.is_none_or(|b| lap_ms < b);
            if personal_best {
                self.best_lap_ms = Some(lap_ms);
            }
            self.last_lap_ms = Some(lap_ms);
            self.laps_done = self.next_lap + 1;
            on_line(Crossing {
                lap: self.laps_done,
                t_ms: t,
                lap_ms,
                sectors_ms: self.sectors_ms,
                first_sector: self.first_sector,
                personal_best,
            });
            self.next_lap += 1;
            self.next_mark = 0;
            self.first_sector = 0;
            self.lap_start_t = t;
        }
    }

    /// Sector times completed so far on the current lap.
    pub fn current_sectors(&self) -> &[u64] {
        &self.sectors_ms[self.first_sector..self.next_mark.max(self.first_sector)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t_ms: f64, d_m: f64) -> TracePoint {
        TracePoint::at(t_ms, d_m)
    }

    /// 1 km lap, sectors at 300 m and 700 m; car at 50 m/s sampled at 10 Hz
    /// starting at `d0`; returns all crossings up to `t_end`.
    fn run(d0: f64, speed_m_per_ms: f64, t_end: u64) -> (LapClock, Vec<Crossing>) {
        let mut clock = LapClock::new(1_000.0, [300.0, 700.0]);
        clock.start(p(0.0, d0), 0.0);
        let mut out = Vec::new();
        let mut prev = p(0.0, d0);
        let mut t = 100;
        while t <= t_end {
            let cur = p(t as f64, d0 + speed_m_per_ms * t as f64);
            clock.advance(prev, cur, |c| out.push(c));
            prev = cur;
            t += 100;
        }
        (clock, out)
    }

    #[test]
    fn laps_and_sectors_are_exact_at_constant_speed() {
        // 0.0437 m/ms so crossings fall between samples.
        let (_, laps) = run(20.0, 0.0437, 100_000);
        assert_eq!(laps.len(), 4);
        let full = 1_000.0 / 0.0437;
        let first = 980.0 / 0.0437;
        assert_eq!(laps[0].lap, 1);
        assert!((laps[0].lap_ms as f64 - first).abs() < 0.51);
        for (i, lap) in laps.iter().enumerate().skip(1) {
            assert_eq!(lap.lap, i as u32 + 1);
            assert!((lap.lap_ms as f64 - full).abs() < 0.51, "{lap:?}");
            let s = lap.sectors();
            assert_eq!(s.len(), 3);
            assert!((s[0] as f64 - 300.0 / 0.0437).abs() < 0.51);
            assert!((s[1] as f64 - 400.0 / 0.0437).abs() < 0.51);
            assert!((s[2] as f64 - 300.0 / 0.0437).abs() < 0.51);
        }
    }

    #[test]
    fn personal_best_flags_only_improvements() {
        let (clock, laps) = run(0.0, 0.05, 80_000);
        // Lap 1 from a standing line start is as fast as the rest here: only
        // the first lap is a best, equal laps are not improvements.
        assert!(laps[0].personal_best);
        assert!(laps[1..].iter().all(|l| !l.personal_best));
        assert_eq!(clock.best_lap_ms, Some(20_000));
        assert_eq!(clock.last_lap_ms, Some(20_000));
    }

    #[test]
    fn a_trace_starting_past_a_sector_start_skips_that_sector() {
        // Starts at 500 m: sector 1 (0..300 m) is not timed on lap 1.
        let (_, laps) = run(500.0, 0.05, 12_000);
        assert_eq!(laps[0].lap_ms, 10_000);
        assert_eq!(laps[0].sectors(), &[4_000, 6_000]);
    }

    #[test]
    fn a_skipped_lap_still_yields_every_crossing() {
        let mut clock = LapClock::new(1_000.0, [300.0, 700.0]);
        clock.start(p(0.0, 10.0), 0.0);
        let mut out = Vec::new();
        clock.advance(p(0.0, 10.0), p(2_990.0, 2_500.0), |c| out.push(c));
        assert_eq!(out.iter().map(|c| c.lap).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(clock.current_sectors().len(), 1);
    }
}
