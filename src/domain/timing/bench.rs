//! Ingest throughput, measured by an ignored test (it times with the wall
//! clock, which domain code never reads):
//! `cargo test bench -- --ignored --nocapture`. The brief's target is
//! 100,000 samples/s on one core in an optimised build.

use super::testkit::{entries, sample, track};
use super::RaceTiming;
use crate::domain::records::Sample;

/// `cars` cars at 45..65 m/s on a 5 km lap, 10 Hz, `ticks` ticks.
fn field(cars: u32, ticks: u64) -> Vec<Sample> {
    let mut out = Vec::with_capacity((cars as u64 * ticks) as usize);
    for tick in 0..ticks {
        for id in 1..=cars {
            let v = 0.045 + 0.02 * f64::from(id % 17) / 17.0;
            let d = 10.0 * f64::from(cars - id) + v * (tick * 100) as f64;
            out.push(sample(id, tick, tick * 100, d, 5_000.0));
        }
    }
    out
}

fn measure(label: &str, cars: u32, ticks: u64, laps: u32) -> f64 {
    let samples = field(cars, ticks);
    let mut rt = RaceTiming::new("bench", &track(5_000.0), &entries(cars), laps);
    let start = std::time::Instant::now();
    let mut events = 0usize;
    for s in &samples {
        events += rt.ingest(s, 0).len();
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = samples.len() as f64 / secs;
    let lb_start = std::time::Instant::now();
    let lb = rt.leaderboard(ticks * 100, 0);
    let lb_ms = lb_start.elapsed().as_secs_f64() * 1_000.0;
    println!(
        "{label}: {} samples, {events} events in {secs:.3} s = {rate:.0} samples/s; leaderboard of {} cars in {lb_ms:.2} ms",
        samples.len(),
        lb.entries.len()
    );
    rate
}

#[test]
#[ignore]
fn bench_ingest_throughput() {
    // 20 cars, a 60-lap race's worth of laps for the leaders (6,000 s).
    let small = measure("20 cars x 60,000 ticks", 20, 60_000, 60);
    // 5,000 cars, 60 s.
    let large = measure("5,000 cars x 600 ticks", 5_000, 600, 60);
    assert!(small > 100_000.0 && large > 100_000.0);
}
