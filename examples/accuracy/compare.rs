//! The comparisons that need the whole race: the order at each line, lap
//! times, pit stops and their rejoin projections, and the check of the
//! reference traces.

use std::collections::HashMap;

use pitwall::domain::events::PitStop;
use pitwall::domain::sim::Truth;

use super::rejoin::{rejoin, rejoin_from_entry, Call};
use super::result::RaceResult;
use super::trace::Trace;

/// Comparisons that need the whole race: order at each line, lap times,
/// pit stops, rejoin predictions, and the reference check.
#[allow(clippy::too_many_arguments)]
pub fn compare_after(
    truth: &Truth,
    traces: &[Trace],
    crossings: &HashMap<(usize, u32), (u64, u64)>,
    lap_ms: &HashMap<(usize, u32), u64>,
    stops: &[(usize, PitStop)],
    calls: &HashMap<(usize, u32), Option<Call>>,
    entry_calls: &HashMap<(usize, u32), Call>,
    exit_pos: &HashMap<(usize, usize), u32>,
    offsets: [f64; 3],
    res: &mut RaceResult,
) {
    let n = truth.cars.len();
    let len = offsets[2];
    let max_lap = truth.cars.iter().map(|c| c.laps.len()).max().unwrap_or(0) as u32;
    // Order at the line: timing's crossing instants of lap L, ranked.
    for lap in 1..=max_lap {
        let mut ts: Vec<(u64, u64, usize)> = (0..n)
            .filter_map(|i| crossings.get(&(i, lap)).map(|&(t, o)| (t, o, i)))
            .collect();
        ts.sort_unstable();
        res.position_ties += ts.windows(2).filter(|w| w[0].0 == w[1].0).count() as u64;
        for (i, c) in truth.cars.iter().enumerate() {
            let Some(l) = c.laps.iter().find(|l| l.lap == lap) else {
                continue;
            };
            let got = ts.iter().position(|x| x.2 == i).map(|p| p as u32 + 1);
            // The order at the line by the truth's own exact instants.
            let by_time = 1 + truth
                .cars
                .iter()
                .filter_map(|o| o.laps.iter().find(|x| x.lap == lap))
                .filter(|x| x.line_ms < l.line_ms)
                .count() as u32;
            res.positions_by_time.add(got == Some(by_time));
            res.truth_position_consistent.add(by_time == l.position);
            let ok = got == Some(l.position);
            res.positions.add(ok);
            if !ok && res.position_misses.len() < 10 {
                res.position_misses.push(format!(
                    "car {} lap {lap}: timing P{}, truth P{} (truth line at {:.4} ms, timing {} ms)",
                    c.car_id,
                    got.map_or("-".to_owned(), |g| g.to_string()),
                    l.position,
                    l.line_ms,
                    crossings.get(&(i, lap)).map_or(0, |x| x.0)
                ));
            }
        }
    }
    // Lap times, and the reference traces against exact crossings.
    for (i, c) in truth.cars.iter().enumerate() {
        for l in &c.laps {
            let got = lap_ms.get(&(i, l.lap));
            res.laps_matched.add(got.is_some());
            if let Some(&ms) = got {
                let err = ms as f64 - l.lap_ms;
                let what = || {
                    format!(
                        "car {} lap {}: timing {ms} ms, truth {:.3} ms",
                        c.car_id, l.lap, l.lap_ms
                    )
                };
                res.lap_time.push(err, what);
                if l.lap > 1 && err.abs() > 1.0 {
                    res.lap_over_1ms.push(format!(
                        "car {} lap {}: timing {ms} ms, truth {:.3} ms (line crossed in the pit lane: {})",
                        c.car_id,
                        l.lap,
                        l.lap_ms,
                        l.in_pit_lane
                    ));
                }
                if l.lap == 1 {
                    res.lap_time_1.push(err, what);
                } else {
                    res.lap_time_after_1.push(err, what);
                }
            }
            let base = f64::from(l.lap - 1) * len;
            let marks = [
                (base + len, Some(l.line_ms)),
                (base + offsets[0], l.sector_line_ms[0]),
                (base + offsets[1], l.sector_line_ms[1]),
            ];
            for (d, exact) in marks {
                if let (Some(x), Some(t)) = (exact, traces[i].time_at(d)) {
                    res.reference.push(t - x, || {
                        format!("car {} lap {} at {d:.0} m", c.car_id, l.lap)
                    });
                }
            }
        }
    }
    // Pit stops: matched by car and lap of pit entry.
    let mut used = vec![false; stops.len()];
    for (i, c) in truth.cars.iter().enumerate() {
        for (k, p) in c.pit_stops.iter().enumerate() {
            if p.exit_ms.is_none() {
                res.pits_incomplete += 1;
                continue;
            }
            let found = stops
                .iter()
                .enumerate()
                .find(|(j, (car, s))| !used[*j] && *car == i && s.lap == p.in_lap);
            res.pits.add(found.is_some());
            let Some((j, (_, s))) = found else {
                res.pit_misses.push(format!(
                    "car {} in-lap {} (entry {:.1} s)",
                    c.car_id,
                    p.in_lap,
                    p.entry_ms / 1e3
                ));
                continue;
            };
            used[j] = true;
            let what = || format!("car {} in-lap {}", c.car_id, p.in_lap);
            if let Some(st) = p.stationary_ms {
                res.stationary.push(s.stationary_ms as f64 - st, what);
            }
            res.pit_entry.push(s.entry_ts_ms as f64 - p.entry_ms, what);
            if let Some(x) = p.exit_ms {
                res.pit_exit.push(s.exit_ts_ms as f64 - x, what);
            }
            rejoin(truth, i, k, calls, exit_pos, res);
            rejoin_from_entry(truth, i, k, entry_calls, exit_pos, res);
        }
    }
    for (j, (car, s)) in stops.iter().enumerate() {
        if !used[j] {
            res.pits_spurious.push(format!(
                "car {} lap {} entry {} ms",
                truth.cars[*car].car_id, s.lap, s.entry_ts_ms
            ));
        }
    }
}
