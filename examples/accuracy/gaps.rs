//! Gap and interval scoring: at every tick against the reference traces,
//! and at the first tick past each timing mark against the truth's exact
//! crossing instants.

use std::collections::HashMap;

use pitwall::domain::events::{CarStatus, Leaderboard};
use pitwall::domain::sim::Truth;

use super::result::RaceResult;
use super::trace::Trace;

/// A car passed a timing mark; resolved once the tick's leaderboard exists.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    pub car: usize,
    pub mark: usize,
}

/// The exact instant the truth has car `i` pass mark `m` (lap m/3 + 1;
/// sector 2 start, sector 3 start, the line).
fn truth_mark_ms(truth: &Truth, i: usize, m: usize) -> Option<f64> {
    let lap = (m / 3) as u32 + 1;
    let l = truth.cars[i].laps.iter().find(|l| l.lap == lap)?;
    match m % 3 {
        2 => Some(l.line_ms),
        k => l.sector_line_ms[k],
    }
}

/// Gap and interval of every running car at this tick against the
/// reference traces: truth gap = now - when the reference car passed the
/// car's current distance.
pub fn every_tick(
    board: &Leaderboard,
    index: &HashMap<u32, usize>,
    traces: &[Trace],
    t_ms: f64,
    res: &mut RaceResult,
) {
    for (k, e) in board.entries.iter().enumerate().skip(1) {
        if !matches!(e.status, CarStatus::Running | CarStatus::InPit) {
            continue;
        }
        let d = e.race_distance_m;
        let leader = index[&board.entries[0].car_id];
        let ahead = index[&board.entries[k - 1].car_id];
        // A reference car that stood at `d` (its pit box) passed it at any
        // instant of its stop: the error is the distance to that window.
        let err_to = |shown: u64, (first, last): (f64, f64)| {
            let implied = t_ms - shown as f64;
            if implied < first {
                implied - first
            } else if implied > last {
                implied - last
            } else {
                0.0
            }
        };
        // Behind where the reference car started (the grid): undefined.
        let started = |r: usize| traces[r].first().is_some_and(|p| p.d_m < d);
        if !started(leader) || !started(ahead) {
            continue;
        }
        // Diagnostic: the reference instant read as timing reads it, linearly
        // between the timing points around `d`.
        if let (Some(g), Some(t50)) = (e.gap_to_leader_ms, linear_50m(&traces[leader], d)) {
            res.gap_tick_50m.push(g as f64 - (t_ms - t50), String::new);
        }
        if let (Some(g), Some(w)) = (e.gap_to_leader_ms, traces[leader].window_at(d)) {
            let ta = w.0;
            let err = err_to(g, w);
            let stat = if e.status == CarStatus::InPit {
                &mut res.gap_tick_pit
            } else {
                &mut res.gap_tick
            };
            stat.push(err, || {
                format!(
                    "car {} P{} at {:.1} s ({} laps down, {:?}, {:.1} m): gap {} ms, reference {:.1} ms (leader car {})",
                    e.car_id,
                    e.position,
                    t_ms / 1e3,
                    e.laps_down,
                    e.status,
                    d,
                    g,
                    t_ms - ta,
                    board.entries[0].car_id
                )
            });
        }
        if let (Some(iv), Some(w)) = (e.interval_ms, traces[ahead].window_at(d)) {
            let ta = w.0;
            let err = err_to(iv, w);
            let stat = if e.status == CarStatus::InPit {
                &mut res.interval_tick_pit
            } else {
                &mut res.interval_tick
            };
            stat.push(err, || {
                format!(
                    "car {} P{} at {:.1} s ({:?}, {:.1} m) behind car {}: interval {} ms, reference {:.1} ms",
                    e.car_id,
                    e.position,
                    t_ms / 1e3,
                    e.status,
                    d,
                    board.entries[k - 1].car_id,
                    iv,
                    t_ms - ta
                )
            });
        }
    }
}

/// Gap and interval of car `p.car` at the first tick after it passed mark
/// `p.mark`: the reference car's exact truth instant at the mark plus the
/// time it took from the mark to the car's distance now (reference trace).
#[allow(clippy::too_many_arguments)]
pub fn at_mark(
    board: &Leaderboard,
    board_pos: &[usize],
    index: &HashMap<u32, usize>,
    traces: &[Trace],
    p: Pass,
    mark_d: f64,
    t_ms: f64,
    truth: &Truth,
    res: &mut RaceResult,
) {
    let k = board_pos[p.car];
    if k == 0 || k == usize::MAX {
        return;
    }
    let e = &board.entries[k];
    // The car's standing: now and where it is, or its finish crossing.
    let (t_b, d_b) = match e.status {
        CarStatus::Running | CarStatus::InPit => (t_ms, e.race_distance_m),
        CarStatus::Finished if (e.race_distance_m - mark_d).abs() < 1e-6 => {
            match truth_mark_ms(truth, p.car, p.mark) {
                Some(t) => (t, mark_d),
                None => return,
            }
        }
        _ => return,
    };
    let reference = |r: usize| -> Option<f64> {
        let exact = truth_mark_ms(truth, r, p.mark)?;
        let since = traces[r].time_at(d_b)? - traces[r].time_at(mark_d)?;
        Some(t_b - (exact + since))
    };
    let leader = index[&board.entries[0].car_id];
    let ahead = index[&board.entries[k - 1].car_id];
    let lap = p.mark / 3 + 1;
    let mark = ["sector 2", "sector 3", "line"][p.mark % 3];
    if let (Some(g), Some(r)) = (e.gap_to_leader_ms, reference(leader)) {
        res.gap_line.push(g as f64 - r, || {
            format!(
                "car {} P{} lap {lap} {mark} ({} laps down, {:?}): gap {g} ms, truth {r:.1} ms",
                e.car_id, e.position, e.laps_down, e.status
            )
        });
    }
    if let (Some(iv), Some(r)) = (e.interval_ms, reference(ahead)) {
        res.interval_line.push(iv as f64 - r, || {
            format!(
                "car {} P{} lap {lap} {mark} behind car {} ({:?}): interval {iv} ms, truth {r:.1} ms",
                e.car_id,
                e.position,
                board.entries[k - 1].car_id,
                e.status
            )
        });
    }
}

/// When the car passed `d`, interpolated linearly between the instants it
/// passed the timing points around `d` (timing's method before speeds).
fn linear_50m(trace: &Trace, d: f64) -> Option<f64> {
    let spacing = pitwall::domain::timing::TIMING_POINT_SPACING_M;
    let lo = (d / spacing).floor() * spacing;
    let hi = lo + spacing;
    let first = trace.first()?;
    let (d0, t0) = if lo <= first.d_m {
        (first.d_m, first.t_ms)
    } else {
        (lo, trace.time_at(lo)?)
    };
    let (d1, t1) = match trace.time_at(hi) {
        Some(t) => (hi, t),
        None => {
            let p = trace.last()?;
            (p.d_m, p.t_ms)
        }
    };
    if d1 <= d0 {
        return Some(t0);
    }
    Some(t0 + (t1 - t0) * (d - d0) / (d1 - d0))
}
