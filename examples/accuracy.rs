//! Accuracy benchmark: seeded simulated races (pit stops, safety cars)
//! through live timing and strategy, compared with the simulator's ground
//! truth, plus single-thread processing throughput.
//!
//! ```text
//! cargo run --example accuracy [-- --races N --cars C --laps L --hz H]
//! ```
//!
//! Other options: `--first-seed K` (race k runs seed K + k - 1, default 1,
//! so `--races 6 --first-seed 7` scores seeds 7 to 12: a held-out set for
//! checking that a change is not tuned to the default six),
//! `--sc P` (safety car probability, default 0.8),
//! `--big-cars N` and `--big-secs S` (the throughput race, default 1,000
//! cars for 120 s of race clock), `--no-doc` (do not rewrite
//! docs/accuracy.md). Processing never sees the truth: it gets the samples
//! and race control announcements only, as the processing actor does.

#[path = "accuracy/compare.rs"]
mod compare;
#[path = "accuracy/gaps.rs"]
mod gaps;
#[path = "accuracy/race.rs"]
mod race;
#[path = "accuracy/rejoin.rs"]
mod rejoin;
#[path = "accuracy/report.rs"]
mod report;
#[path = "accuracy/result.rs"]
mod result;
#[path = "accuracy/stats.rs"]
mod stats;
#[path = "accuracy/throughput.rs"]
mod throughput;
#[path = "accuracy/trace.rs"]
mod trace;

use std::time::Instant;

use pitwall::domain::sim::track_ids;
use pitwall::domain::strategy::StrategyParams;

#[derive(Debug, Clone)]
pub struct Args {
    pub races: u32,
    /// Seed of the first race; race k (from 0) runs seed `first_seed + k`.
    pub first_seed: u64,
    pub cars: u32,
    pub laps: u32,
    pub hz: f64,
    pub sc: f64,
    pub big_cars: u32,
    pub big_secs: f64,
    pub doc: bool,
    /// The command line as given, for the report.
    pub command: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        races: 6,
        first_seed: 1,
        cars: 20,
        laps: 28,
        hz: 10.0,
        sc: 0.8,
        big_cars: 1_000,
        big_secs: 120.0,
        doc: true,
        command: String::new(),
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    a.command = if raw.is_empty() {
        "cargo run --example accuracy".to_owned()
    } else {
        format!("cargo run --example accuracy -- {}", raw.join(" "))
    };
    let mut it = raw.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--no-doc" {
            a.doc = false;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--races" => a.races = value.parse().map_err(|e| bad(&e))?,
            "--first-seed" => a.first_seed = value.parse().map_err(|e| bad(&e))?,
            "--cars" => a.cars = value.parse().map_err(|e| bad(&e))?,
            "--laps" => a.laps = value.parse().map_err(|e| bad(&e))?,
            "--hz" => a.hz = value.parse().map_err(|e| bad(&e))?,
            "--sc" => a.sc = value.parse().map_err(|e| bad(&e))?,
            "--big-cars" => a.big_cars = value.parse().map_err(|e| bad(&e))?,
            "--big-secs" => a.big_secs = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(a)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!(
                "usage: cargo run --example accuracy [-- --races N --first-seed K --cars C --laps L \
                 --hz H --sc P --big-cars N --big-secs S --no-doc]"
            );
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let params = StrategyParams::default();
    let tracks = track_ids();
    let mut results = Vec::new();
    for k in 0..args.races {
        let seed = args.first_seed + u64::from(k);
        // The track follows the seed (seed 1 power, 2 twisty, 3 street, 4
        // power...), so a seed means the same race whatever the first seed.
        let track = tracks[((seed.max(1) - 1) % tracks.len() as u64) as usize];
        let setup = race::Setup {
            track: track.to_owned(),
            seed,
            cars: args.cars,
            laps: args.laps,
            hz: args.hz,
            sc_probability: args.sc,
        };
        let t = Instant::now();
        let r = race::run(&setup, &params);
        eprintln!(
            "race {}/{} {}: {} ticks, {} samples, {} in {:.1} s (simulator {:.1} s)",
            k + 1,
            args.races,
            r.label,
            r.ticks,
            r.samples,
            if r.periods.is_empty() {
                "no SC/VSC".to_owned()
            } else {
                r.periods.join(", ")
            },
            t.elapsed().as_secs_f64(),
            r.sim_ns as f64 / 1e9
        );
        results.push(r);
    }
    let big = if args.big_cars > 0 {
        let t = Instant::now();
        let tp = throughput::run(tracks[0], args.big_cars, args.big_secs, args.hz);
        eprintln!(
            "throughput race: {} cars, {} ticks in {:.1} s (simulator {:.1} s)",
            tp.cars,
            tp.ticks,
            t.elapsed().as_secs_f64(),
            tp.sim_ns as f64 / 1e9
        );
        Some(tp)
    } else {
        None
    };
    let total_s = started.elapsed().as_secs_f64();
    let rep = report::Report::build(&args, results, big, total_s);
    print!("{}", rep.terminal());
    if args.doc {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/accuracy.md");
        match std::fs::write(&path, rep.markdown()) {
            Ok(()) => eprintln!("wrote {}", path.display()),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
}
