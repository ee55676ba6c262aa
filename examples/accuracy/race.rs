//! One seeded race: the simulator's ticks go through `RaceTiming` exactly as
//! the processing actor feeds them (`ingest` per sample, then the
//! leaderboard, then `race_control` per announcement, see
//! src/actors/race.rs), strategy is called for every car that crossed the
//! line, and what timing and strategy said is compared with the truth.

use std::collections::HashMap;
use std::time::Instant;

use pitwall::domain::records::{RaceControl, SCHEMA_VERSION};
use pitwall::domain::sim::{PeriodKind, RaceConfig, RaceSim};
use pitwall::domain::strategy::{
    evaluate_car, from_timing, project_pit_exit, stops_that_matter, LaneLoss, RivalStops,
    StrategyParams,
};
use pitwall::domain::timing::{RaceTiming, TimingEvent};

use super::compare::compare_after;
use super::gaps::{at_mark, every_tick, Pass};
use super::rejoin::{gaps_at, order_position, Call};
use super::result::RaceResult;
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

fn kind_name(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::SafetyCar => "SC",
        PeriodKind::VirtualSafetyCar => "VSC",
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
                    .map(|c| Call {
                        ts_ms: tick.ts_ms,
                        rejoin: c.rejoin_position,
                        neutral: input.neutralisation,
                        loss_ms: c.pit_loss_ms as f64,
                        gaps: gaps_at(&input, &index),
                        forecast: Vec::new(),
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
                            gaps: gaps_at(&input, &index),
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
