//! One seeded race: the simulator's ticks go through `RaceTiming` exactly as
//! the processing actor feeds them (`ingest` per sample, then the
//! leaderboard, then `race_control` per announcement, see
//! src/actors/race.rs), strategy is called for every car that crossed the
//! line, and what timing and strategy said is compared with the truth.

use std::collections::HashMap;
use std::time::Instant;

use pitwall::domain::events::{CarStatus, Leaderboard};
use pitwall::domain::records::{RaceControl, SCHEMA_VERSION};
use pitwall::domain::sim::{PeriodKind, RaceConfig, RaceSim, Truth};
use pitwall::domain::strategy::{
    evaluate_car, from_timing, project_pit_exit, stops_that_matter, LaneLoss, RivalStops,
    StrategyParams,
};
use pitwall::domain::timing::{Neutralisation, RaceTiming, TimingEvent};

use super::stats::{Brier, Errors, Ratio};
use super::trace::{Point, Trace};

#[derive(Debug, Clone)]
pub struct Setup {
    pub track: String,
    pub seed: u64,
    pub cars: u32,
    pub laps: u32,
    pub hz: f64,
    pub sc_probability: f64,
}

/// Everything measured on one race.
#[derive(Debug, Default)]
pub struct RaceResult {
    pub label: String,
    pub periods: Vec<String>,
    pub retirements: usize,
    pub ticks: u64,
    pub samples: u64,
    /// Order of each lap's line crossings against truth's positions.
    pub positions: Ratio,
    /// The same against the order of the truth's exact line instants.
    pub positions_by_time: Ratio,
    /// Truth's `position` agrees with the order of its own line instants.
    pub truth_position_consistent: Ratio,
    pub position_ties: u64,
    pub position_misses: Vec<String>,
    /// At each car's first tick past a timing line (finish line, sector 2
    /// and 3 starts), anchored on the truth's exact crossing instants.
    pub gap_line: Errors,
    pub interval_line: Errors,
    /// At every tick, against the reconstructed reference traces.
    pub gap_tick: Errors,
    pub interval_tick: Errors,
    /// The same for cars in the pit lane.
    pub gap_tick_pit: Errors,
    /// Timing's gap against the reference read the way timing reads it
    /// (linear between the timing points): what the Hermite reading saves.
    pub gap_tick_50m: Errors,
    pub interval_tick_pit: Errors,
    /// Reference traces against the truth's exact crossing instants.
    pub reference: Errors,
    pub lap_time: Errors,
    pub lap_time_after_1: Errors,
    pub lap_time_1: Errors,
    pub lap_over_1ms: Vec<String>,
    pub laps_matched: Ratio,
    pub laps_extra: u64,
    pub pits: Ratio,
    pub pits_incomplete: u64,
    pub pits_spurious: Vec<String>,
    pub pit_misses: Vec<String>,
    pub stationary: Errors,
    pub pit_entry: Errors,
    pub pit_exit: Errors,
    /// Strategy's rejoin position (call at the crossing that starts the in-lap).
    pub rejoin_exit: Ratio,
    pub rejoin_exit_green: Ratio,
    pub rejoin_outlap: Ratio,
    /// Green-flag stops, with the other cars' stops in the same window known.
    pub rejoin_oracle_green: Ratio,
    pub rejoin_misses: Vec<String>,
    pub rejoin_no_call: u64,
    /// Strategy's pit-exit projection, made when the car entered the pit lane.
    pub rejoin_entry: Ratio,
    pub rejoin_entry_green: Ratio,
    pub rejoin_entry_misses: Vec<String>,
    /// Strategy's chance that each car that could pass during a stop stops
    /// too, against whether it did: green-flag stops, and stops with a
    /// SC/VSC out at the call.
    pub forecast_green: Brier,
    pub forecast_caution: Brier,
    /// Wall time of `ingest` (all samples of each tick) and `leaderboard`.
    pub ingest_ns: u128,
    pub board_ns: Vec<u64>,
    pub strategy_ns: u128,
    pub strategy_calls: u64,
    pub sim_ns: u128,
}

/// A strategy call as recorded at a car's line crossing.
#[derive(Debug, Clone)]
struct Call {
    ts_ms: u64,
    rejoin: u32,
    neutral: Neutralisation,
    loss_ms: f64,
    /// Every car's gap to the leader when the call was made.
    gaps: Vec<Option<f64>>,
    /// At pit entry: the cars that could pass meanwhile, each with
    /// strategy's chance that it stops too.
    forecast: Vec<(usize, f64)>,
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

/// A car passed a timing mark; resolved once the tick's leaderboard exists.
#[derive(Debug, Clone, Copy)]
struct Pass {
    car: usize,
    mark: usize,
}

fn kind_name(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::SafetyCar => "SC",
        PeriodKind::VirtualSafetyCar => "VSC",
    }
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

pub fn run(setup: &Setup, params: &StrategyParams) -> RaceResult {
    let cfg = RaceConfig {
        track: setup.track.clone(),
        cars: setup.cars,
        laps: setup.laps,
        sample_hz: setup.hz,
        seed: setup.seed,
        safety_car_probability: setup.sc_probability,
        name: format!("accuracy {} #{}", setup.track, setup.seed),
    };
    let race_id = format!("acc-{}-{}", setup.track, setup.seed);
    let mut sim = RaceSim::new(&cfg).expect("valid race config");
    let track = sim.track_info();
    let entries = sim.entries();
    let n = entries.len();
    let index: HashMap<u32, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.car_id, i))
        .collect();
    let mut timing = RaceTiming::new(&race_id, &track, &entries, setup.laps);
    let len = track.length_m;
    let offsets = [track.sector_starts_m[0], track.sector_starts_m[1], len];
    let mark_d = |m: usize| (m / 3) as f64 * len + offsets[m % 3];

    let mut res = RaceResult {
        label: format!("{} seed {}", setup.track, setup.seed),
        ..Default::default()
    };
    // Per car: reference trace, next mark, the exits of its stops seen.
    let mut traces: Vec<Trace> = vec![Trace::default(); n];
    let mut next_mark = vec![0usize; n];
    for (i, c) in sim.truth().cars.iter().enumerate() {
        traces[i].push(Point {
            t_ms: 0.0,
            d_m: c.grid_m,
            v: 0.0,
        });
        while mark_d(next_mark[i]) <= c.grid_m {
            next_mark[i] += 1;
        }
    }
    let mut exits_seen = vec![0usize; n];
    // Timing's record of each lap crossing: (car, lap) -> (ts, arrival order).
    let mut crossings: HashMap<(usize, u32), (u64, u64)> = HashMap::new();
    let mut lap_ms: HashMap<(usize, u32), u64> = HashMap::new();
    let mut stops: Vec<(usize, pitwall::domain::events::PitStop)> = Vec::new();
    let mut calls: HashMap<(usize, u32), Option<Call>> = HashMap::new();
    // (car, in-lap) -> the projection made at pit entry.
    let mut entry_calls: HashMap<(usize, u32), Call> = HashMap::new();
    let mut entered: Vec<u32> = Vec::new();
    let mut exited: Vec<u32> = Vec::new();
    let mut lane_loss = LaneLoss::default();
    // (car, stop index) -> position by race distance just after pit exit.
    let mut exit_pos: HashMap<(usize, usize), u32> = HashMap::new();
    let mut arrival = 0u64;
    let mut events: Vec<TimingEvent> = Vec::with_capacity(64);
    let mut passes: Vec<Pass> = Vec::new();
    let mut crossed: Vec<u32> = Vec::new();
    let mut board_pos = vec![usize::MAX; n];

    loop {
        let t_sim = Instant::now();
        let tick = sim.step();
        res.sim_ns += t_sim.elapsed().as_nanos();
        if tick.samples.is_empty() {
            break;
        }
        res.ticks += 1;
        res.samples += tick.samples.len() as u64;

        // Timed: ingest every sample of the tick, then the leaderboard.
        events.clear();
        let t0 = Instant::now();
        for s in &tick.samples {
            events.extend(timing.ingest(s, 0));
        }
        let t1 = Instant::now();
        let board = timing.leaderboard(tick.ts_ms, 0);
        let t2 = Instant::now();
        res.ingest_ns += (t1 - t0).as_nanos();
        res.board_ns.push((t2 - t1).as_nanos() as u64);

        // Events of the samples.
        crossed.clear();
        entered.clear();
        exited.clear();
        for e in &events {
            match e {
                TimingEvent::LapCompleted(l) => {
                    let i = index[&l.car_id];
                    arrival += 1;
                    crossings.insert((i, l.lap), (l.meta.ts_ms, arrival));
                    if lap_ms.insert((i, l.lap), l.lap_ms).is_some() {
                        res.laps_extra += 1;
                    }
                    crossed.push(l.car_id);
                }
                TimingEvent::PitStop(p) => {
                    exited.push(p.stop.car_id);
                    stops.push((index[&p.stop.car_id], p.stop.clone()))
                }
                TimingEvent::PitEntered(p) => entered.push(p.car_id),
                TimingEvent::Finished(_) | TimingEvent::Retired(_) => {}
            }
        }

        // Strategy for the cars that crossed the line, as the actor does.
        if !crossed.is_empty() {
            let t3 = Instant::now();
            let input = from_timing(&timing, &board, track.pit_loss_ms);
            for car in &crossed {
                let i = index[car];
                let lap = timing.laps(*car).last().map_or(0, |l| l.lap);
                let call = input
                    .cars
                    .iter()
                    .position(|c| c.car_id == *car)
                    .and_then(|k| evaluate_car(&input, k, params))
                    .map(|c| {
                        let mut gaps = vec![None; n];
                        for ci in &input.cars {
                            gaps[index[&ci.car_id]] = ci.race_gap_ms();
                        }
                        Call {
                            ts_ms: tick.ts_ms,
                            rejoin: c.rejoin_position,
                            neutral: input.neutralisation,
                            loss_ms: c.pit_loss_ms as f64,
                            gaps,
                            forecast: Vec::new(),
                        }
                    });
                res.strategy_calls += u64::from(call.is_some());
                calls.insert((i, lap), call);
            }
            res.strategy_ns += t3.elapsed().as_nanos();
        }

        // The pit-exit projection of the cars that turned in, as the actor does.
        lane_loss.observe(&board, timing.neutralisation(), &entered, &exited);
        if !entered.is_empty() {
            let mut input = from_timing(&timing, &board, track.pit_loss_ms);
            input.lane_loss_ms = lane_loss.estimate_ms();
            input.pit_stretch_ms = lane_loss.stretch_ms();
            let rival_stops = RivalStops::of_race(&input, params);
            for car in &entered {
                let k = input.cars.iter().position(|c| c.car_id == *car);
                let call = k.and_then(|k| project_pit_exit(&input, k, params));
                if let (Some(c), Some(k)) = (call, k) {
                    let forecast = stops_that_matter(&input, k, c.pit_loss_ms as f64, &rival_stops)
                        .into_iter()
                        .map(|(j, q)| (index[&input.cars[j].car_id], q))
                        .collect();
                    entry_calls.insert(
                        (index[car], c.lap),
                        Call {
                            ts_ms: tick.ts_ms,
                            rejoin: c.rejoin_position,
                            neutral: input.neutralisation,
                            loss_ms: c.pit_loss_ms as f64,
                            gaps: {
                                let mut gaps = vec![None; n];
                                for ci in &input.cars {
                                    gaps[index[&ci.car_id]] = ci.race_gap_ms();
                                }
                                gaps
                            },
                            forecast,
                        },
                    );
                }
            }
        }

        // Reference traces and timing marks passed during this tick.
        passes.clear();
        for s in &tick.samples {
            let i = index[&s.car_id];
            let d = f64::from(s.lap.saturating_sub(1)) * len + s.lap_distance_m;
            let p = Point {
                t_ms: tick.ts_ms as f64,
                d_m: d,
                v: s.speed_kph / 3_600.0,
            };
            let prev = traces[i].last().map_or(d, |q| q.d_m);
            traces[i].push(Point {
                d_m: d.max(prev),
                ..p
            });
            while mark_d(next_mark[i]) <= d {
                passes.push(Pass {
                    car: i,
                    mark: next_mark[i],
                });
                next_mark[i] += 1;
            }
        }

        board_pos.fill(usize::MAX);
        for (k, e) in board.entries.iter().enumerate() {
            board_pos[index[&e.car_id]] = k;
        }
        every_tick(&board, &index, &traces, tick.ts_ms as f64, &mut res);
        for p in &passes {
            at_mark(
                &board,
                &board_pos,
                &index,
                &traces,
                *p,
                mark_d(p.mark),
                tick.ts_ms as f64,
                sim.truth(),
                &mut res,
            );
        }

        // Where cars that just left the pit lane rejoined, by race distance.
        let truth = sim.truth();
        for i in 0..n {
            let stops_i = &truth.cars[i].pit_stops;
            while exits_seen[i] < stops_i.len() && stops_i[exits_seen[i]].exit_ms.is_some() {
                exit_pos.insert((i, exits_seen[i]), order_position(truth, &traces, i, len));
                exits_seen[i] += 1;
            }
        }

        // Race control after the frame, as the simulator publishes them.
        for a in &tick.control {
            let rc = RaceControl {
                v: SCHEMA_VERSION,
                race_id: race_id.clone(),
                ts_ms: tick.ts_ms,
                sent_at_us: 0,
                kind: a.kind,
                car_id: a.car_id,
                message: a.message.clone(),
            };
            for e in timing.race_control(&rc) {
                if let TimingEvent::PitStop(p) = e {
                    stops.push((index[&p.stop.car_id], p.stop));
                }
            }
        }
        if tick.finished {
            break;
        }
    }

    let truth = sim.truth();
    compare_after(
        truth,
        &traces,
        &crossings,
        &lap_ms,
        &stops,
        &calls,
        &entry_calls,
        &exit_pos,
        offsets,
        &mut res,
    );
    res.periods = truth
        .periods
        .iter()
        .map(|p| {
            format!(
                "{} lap {} ({:.0}-{:.0} s)",
                kind_name(p.kind),
                p.leader_lap,
                p.start_ms / 1e3,
                p.end_ms.unwrap_or(f64::NAN) / 1e3
            )
        })
        .collect();
    res.retirements = truth.cars.iter().filter(|c| c.retired.is_some()).count();
    res
}

/// Position of car `i` by race distance among the cars still in the race
/// (finished cars stand at their finish line).
fn order_position(truth: &Truth, traces: &[Trace], i: usize, len: f64) -> u32 {
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

/// Gap and interval of every running car at this tick against the
/// reference traces: truth gap = now - when the reference car passed the
/// car's current distance.
fn every_tick(
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
fn at_mark(
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

/// Comparisons that need the whole race: order at each line, lap times,
/// pit stops, rejoin predictions, and the reference check.
#[allow(clippy::too_many_arguments)]
fn compare_after(
    truth: &Truth,
    traces: &[Trace],
    crossings: &HashMap<(usize, u32), (u64, u64)>,
    lap_ms: &HashMap<(usize, u32), u64>,
    stops: &[(usize, pitwall::domain::events::PitStop)],
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

/// Strategy's rejoin prediction for stop `k` of car `i`, made at the
/// crossing that began the in-lap, against where the car really rejoined.
fn rejoin(
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
fn rejoin_from_entry(
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
