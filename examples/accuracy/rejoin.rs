//! Rejoin scoring: the position strategy projected for a stop (a lap
//! before, and at pit entry) against where the car really rejoined, and
//! strategy's forecast of the other cars' stops meanwhile.

use std::collections::HashMap;

use pitwall::domain::sim::Truth;
use pitwall::domain::strategy::RaceInput;
use pitwall::domain::timing::Neutralisation;

use super::result::RaceResult;
use super::trace::Trace;

/// A strategy call as recorded at a car's line crossing.
#[derive(Debug, Clone)]
pub struct Call {
    pub ts_ms: u64,
    pub rejoin: u32,
    pub neutral: Neutralisation,
    pub loss_ms: f64,
    /// Every car's gap to the leader when the call was made.
    pub gaps: Vec<Option<f64>>,
    /// At pit entry: the cars that could pass meanwhile, each with
    /// strategy's chance that it stops too.
    pub forecast: Vec<(usize, f64)>,
}

impl Call {
    /// A SC/VSC was out at the call or at some point until `exit_ms`.
    fn neutralised_until(&self, truth: &Truth, exit_ms: f64) -> bool {
        self.neutral != Neutralisation::None
            || truth
                .periods
                .iter()
                .any(|q| q.start_ms <= exit_ms && q.end_ms.is_none_or(|e| e >= self.ts_ms as f64))
    }

    /// The cars other than `i` that entered the pit lane from `since_ms` to
    /// `exit_ms`.
    fn stopped_meanwhile(&self, truth: &Truth, i: usize, since_ms: f64, exit_ms: f64) -> Vec<bool> {
        (0..truth.cars.len())
            .map(|j| {
                j != i
                    && truth.cars[j]
                        .pit_stops
                        .iter()
                        .any(|q| q.entry_ms > since_ms && q.entry_ms < exit_ms)
            })
            .collect()
    }

    /// The same model (`gap + loss` against every other gap at the call),
    /// told which other cars really stopped meanwhile.
    fn oracle_position(&self, i: usize, stopped: &[bool]) -> u32 {
        let mine = self.gaps[i].unwrap_or(0.0) + self.loss_ms;
        let ahead = (0..self.gaps.len())
            .filter(|&j| j != i)
            .filter_map(|j| self.gaps[j].map(|g| if stopped[j] { g + self.loss_ms } else { g }))
            .filter(|&g| g < mine)
            .count();
        1 + ahead as u32
    }
}

/// Every car's gap to the leader in a strategy input, by the race's car
/// index.
pub fn gaps_at(input: &RaceInput, index: &HashMap<u32, usize>) -> Vec<Option<f64>> {
    let mut gaps = vec![None; index.len()];
    for car in &input.cars {
        gaps[index[&car.car_id]] = car.race_gap_ms();
    }
    gaps
}

/// Position of car `i` by race distance among the cars still in the race
/// (finished cars stand at their finish line).
pub fn order_position(truth: &Truth, traces: &[Trace], i: usize, len: f64) -> u32 {
    let dist = |j: usize| -> Option<f64> {
        let c = &truth.cars[j];
        if c.retired.is_some() {
            return None;
        }
        if c.finished_ms.is_some() {
            return Some(c.laps.len() as f64 * len);
        }
        traces[j].last().map(|p| p.d_m)
    };
    let mine = dist(i).unwrap_or(0.0);
    1 + (0..truth.cars.len())
        .filter(|&j| j != i && dist(j).is_some_and(|d| d > mine))
        .count() as u32
}

/// Strategy's rejoin prediction for stop `k` of car `i`, made at the
/// crossing that began the in-lap, against where the car really rejoined.
pub fn rejoin(
    truth: &Truth,
    i: usize,
    k: usize,
    calls: &HashMap<(usize, u32), Option<Call>>,
    exit_pos: &HashMap<(usize, usize), u32>,
    res: &mut RaceResult,
) {
    let c = &truth.cars[i];
    let p = &c.pit_stops[k];
    if p.in_lap < 2 {
        return;
    }
    let Some(call) = calls.get(&(i, p.in_lap - 1)).and_then(Option::as_ref) else {
        res.rejoin_no_call += 1;
        return;
    };
    let exit_ms = p.exit_ms.unwrap_or(f64::INFINITY);
    let neutral_period = call.neutralised_until(truth, exit_ms);
    if let Some(&pos) = exit_pos.get(&(i, k)) {
        let ok = call.rejoin.abs_diff(pos) <= 1;
        let stopped = call.stopped_meanwhile(truth, i, call.ts_ms as f64, exit_ms);
        let oracle = call.oracle_position(i, &stopped);
        let oracle_ok = oracle.abs_diff(pos) <= 1;
        if !neutral_period {
            res.rejoin_oracle_green.add(oracle_ok);
        }
        res.rejoin_exit.add(ok);
        if !neutral_period {
            res.rejoin_exit_green.add(ok);
        }
        if !ok {
            res.rejoin_misses.push(format!(
                "car {} in-lap {}: predicted P{}, rejoined P{pos}{}",
                c.car_id,
                p.in_lap,
                call.rejoin,
                if neutral_period { " (SC/VSC)" } else { "" }
            ));
        }
    }
    if let Some(l) = c.laps.iter().find(|l| l.lap == p.in_lap + 1) {
        res.rejoin_outlap.add(call.rejoin.abs_diff(l.position) <= 1);
    }
}

/// Strategy's pit-exit projection for stop `k` of car `i`, made when the
/// car entered the pit lane, against where it really rejoined.
pub fn rejoin_from_entry(
    truth: &Truth,
    i: usize,
    k: usize,
    entry_calls: &HashMap<(usize, u32), Call>,
    exit_pos: &HashMap<(usize, usize), u32>,
    res: &mut RaceResult,
) {
    let c = &truth.cars[i];
    let p = &c.pit_stops[k];
    let (Some(call), Some(&pos)) = (entry_calls.get(&(i, p.in_lap)), exit_pos.get(&(i, k))) else {
        return;
    };
    let exit_ms = p.exit_ms.unwrap_or(f64::INFINITY);
    let neutral_period = call.neutralised_until(truth, exit_ms);
    let ok = call.rejoin.abs_diff(pos) <= 1;
    res.rejoin_entry.add(ok);
    if !neutral_period {
        res.rejoin_entry_green.add(ok);
    }
    // From just before the entry: a car that turned in the tick before.
    let stopped = call.stopped_meanwhile(truth, i, call.ts_ms as f64 - 200.0, exit_ms);
    let scored = if call.neutral == Neutralisation::None {
        &mut res.forecast_green
    } else {
        &mut res.forecast_caution
    };
    for &(j, q) in &call.forecast {
        scored.add(q, stopped[j]);
    }
    let oracle = call.oracle_position(i, &stopped);
    let real_loss = p.exit_ms.unwrap_or(0.0) - p.entry_ms;
    if !ok {
        res.rejoin_entry_misses.push(format!(
            "car {} in-lap {}: projected P{} at pit entry (P{oracle} with the others' \
             stops known: {} stopped meanwhile), rejoined P{pos}, lane {:.1} s{}",
            c.car_id,
            p.in_lap,
            call.rejoin,
            stopped.iter().filter(|&&s| s).count(),
            real_loss / 1_000.0,
            if neutral_period { " (SC/VSC)" } else { "" }
        ));
    }
}
