//! Processing throughput on a large field: the simulator's ticks (not
//! timed) through `RaceTiming::ingest` and one leaderboard per tick (timed),
//! single thread.

use std::time::Instant;

use pitwall::domain::sim::{RaceConfig, RaceSim};
use pitwall::domain::timing::RaceTiming;

#[derive(Debug, Default)]
pub struct Throughput {
    pub cars: u32,
    pub ticks: u64,
    pub samples: u64,
    pub events: u64,
    pub ingest_ns: u128,
    pub board_ns: Vec<u64>,
    pub sim_ns: u128,
}

impl Throughput {
    pub fn samples_per_s(&self) -> f64 {
        let ns = self.ingest_ns + self.board_ns.iter().map(|&b| u128::from(b)).sum::<u128>();
        self.samples as f64 / (ns as f64 / 1e9)
    }

    pub fn ingest_only_per_s(&self) -> f64 {
        self.samples as f64 / (self.ingest_ns as f64 / 1e9)
    }
}

/// `cars` cars on `track` for `race_secs` seconds of race clock at `hz`.
pub fn run(track: &str, cars: u32, race_secs: f64, hz: f64) -> Throughput {
    let cfg = RaceConfig {
        track: track.to_owned(),
        cars,
        laps: 5,
        sample_hz: hz,
        seed: 7,
        safety_car_probability: 0.0,
        name: "throughput".to_owned(),
    };
    let mut sim = RaceSim::new(&cfg).expect("valid race config");
    let mut timing = RaceTiming::new("tp", &sim.track_info(), &sim.entries(), cfg.laps);
    let mut out = Throughput {
        cars,
        ..Default::default()
    };
    let end_ms = (race_secs * 1000.0) as u64;
    loop {
        let t_sim = Instant::now();
        let tick = sim.step();
        out.sim_ns += t_sim.elapsed().as_nanos();
        if tick.samples.is_empty() || tick.ts_ms > end_ms {
            break;
        }
        let t0 = Instant::now();
        for s in &tick.samples {
            out.events += timing.ingest(s, 0).len() as u64;
        }
        let t1 = Instant::now();
        let board = timing.leaderboard(tick.ts_ms, 0);
        let t2 = Instant::now();
        std::hint::black_box(&board);
        out.ingest_ns += (t1 - t0).as_nanos();
        out.board_ns.push((t2 - t1).as_nanos() as u64);
        out.ticks += 1;
        out.samples += tick.samples.len() as u64;
        if tick.finished {
            break;
        }
    }
    out
}
