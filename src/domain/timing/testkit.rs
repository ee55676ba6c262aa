//! Synthetic sample streams for the tests of timing and strategy: a simple
//! track, an entry list, and cars whose race distance is any function of the
//! race clock, sampled at a fixed period. Plus a tiny LCG for seeded
//! property tests (no external crates).

use crate::domain::records::{Compound, Entry, PitState, Sample, TrackInfo, Tyre};

/// A track of `length_m` with sectors starting at 30 % and 70 % of the lap.
pub(crate) fn track(length_m: f64) -> TrackInfo {
    TrackInfo {
        id: "test".into(),
        name: "Test Ring".into(),
        length_m,
        sector_starts_m: [0.3 * length_m, 0.7 * length_m],
        centreline: vec![[0.0, 0.0], [1.0, 0.0]],
        pit_loss_ms: 22_000.0,
    }
}

/// Entries for car ids 1..=n, car number = 10 + id.
pub(crate) fn entries(n: u32) -> Vec<Entry> {
    (1..=n)
        .map(|id| Entry {
            car_id: id,
            number: 10 + id,
            driver: format!("Driver {id}"),
            team: format!("Team {}", id.div_ceil(2)),
        })
        .collect()
}

/// One sample of car `car_id` at race distance `d_m`, on track, medium tyres.
pub(crate) fn sample(car_id: u32, seq: u64, ts_ms: u64, d_m: f64, length_m: f64) -> Sample {
    let lap0 = (d_m / length_m).floor().max(0.0);
    Sample {
        car_id,
        seq,
        ts_ms,
        lap: lap0 as u32 + 1,
        lap_distance_m: d_m - lap0 * length_m,
        speed_kph: 200.0,
        throttle: 1.0,
        brake: 0.0,
        gear: 7,
        rpm: 11_000,
        drs: false,
        tyre: Tyre {
            compound: Compound::Medium,
            age_laps: lap0 as u32,
            wear: 0.1,
        },
        fuel_kg: 100.0 - lap0,
        x: 0.0,
        y: 0.0,
        pit: PitState::OnTrack,
    }
}

/// Samples of `car_ids` every `dt_ms` from 0 to `t_end_ms` inclusive, tick by
/// tick (all cars of a tick share `ts_ms`); `dist(car_id, t_ms)` is the race
/// distance, and each sample's speed its derivative (central difference
/// over ±1 ms). seq = tick number.
pub(crate) fn stream(
    car_ids: &[u32],
    length_m: f64,
    dt_ms: u64,
    t_end_ms: u64,
    dist: impl Fn(u32, u64) -> f64,
) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut t = 0;
    let mut seq = 0;
    while t <= t_end_ms {
        for &id in car_ids {
            let mut s = sample(id, seq, t, dist(id, t), length_m);
            let v = if t >= 1 {
                0.5 * (dist(id, t + 1) - dist(id, t - 1))
            } else {
                dist(id, 1) - dist(id, 0)
            };
            s.speed_kph = (v * 3_600.0).clamp(0.0, 500.0);
            out.push(s);
        }
        t += dt_ms;
        seq += 1;
    }
    out
}

/// Numerical Recipes' LCG: enough randomness for seeded property tests.
pub(crate) struct Lcg(pub u64);

impl Lcg {
    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        f64::from(self.next_u32()) / f64::from(u32::MAX)
    }
}
