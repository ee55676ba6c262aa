//! The race simulator's model: a field of cars lapping a closed track, one
//! tick at a time, deterministic from its seed. The simulator actor calls
//! `RaceSim::step` and publishes what it returns; nothing here does I/O.

use crate::domain::records::{Compound, Entry, PitState, RaceControlKind, Sample, TrackInfo, Tyre};

const TRACKS: &[(&str, &str, f64)] = &[
    ("monza", "Autodromo Nazionale (power)", 5793.0),
    ("hungaroring", "Hungaroring (twisty)", 4381.0),
    ("monaco", "Circuit de Monaco (street)", 3337.0),
];

/// The ids of the built-in tracks.
pub fn track_ids() -> &'static [&'static str] {
    &["monza", "hungaroring", "monaco"]
}

/// What the simulator is asked to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceConfig {
    pub track: String,
    pub cars: u32,
    pub laps: u32,
    pub sample_hz: f64,
    pub seed: u64,
    pub safety_car_probability: f64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ConfigError {
    pub field: &'static str,
    pub reason: String,
}

/// A race-control announcement made during a tick.
#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    pub kind: RaceControlKind,
    pub car_id: Option<u32>,
    pub message: String,
}

/// What one tick produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub tick: u64,
    pub ts_ms: u64,
    pub samples: Vec<Sample>,
    pub control: Vec<Announcement>,
    pub finished: bool,
}

struct Car {
    id: u32,
    speed_mps: f64,
    distance_m: f64,
    seq: u64,
    finished: bool,
}

/// One simulated race.
pub struct RaceSim {
    track: TrackInfo,
    laps: u32,
    dt_ms: f64,
    tick: u64,
    cars: Vec<Car>,
    chequered: bool,
    finished: bool,
}

/// SplitMix64: small, fast and stable across platforms and versions.
fn next_random(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

impl RaceSim {
    pub fn new(cfg: &RaceConfig) -> Result<RaceSim, ConfigError> {
        let (id, name, length_m) = TRACKS
            .iter()
            .find(|(id, _, _)| *id == cfg.track)
            .copied()
            .ok_or_else(|| ConfigError {
                field: "track",
                reason: format!("must be one of {:?}", track_ids()),
            })?;
        let radius = length_m / std::f64::consts::TAU;
        let centreline = (0..360)
            .map(|i| {
                let a = i as f64 / 360.0 * std::f64::consts::TAU;
                [radius * a.cos(), radius * a.sin()]
            })
            .collect();
        let mut rng = cfg.seed;
        let cars = (1..=cfg.cars)
            .map(|id| Car {
                id,
                speed_mps: 60.0 * (1.0 - 0.02 * next_random(&mut rng)),
                distance_m: 200.0 - 8.0 * f64::from(id - 1) % 200.0,
                seq: 0,
                finished: false,
            })
            .collect();
        Ok(RaceSim {
            track: TrackInfo {
                id: id.into(),
                name: name.into(),
                length_m,
                sector_starts_m: [length_m / 3.0, 2.0 * length_m / 3.0],
                centreline,
            },
            laps: cfg.laps,
            dt_ms: 1000.0 / cfg.sample_hz,
            tick: 0,
            cars,
            chequered: false,
            finished: false,
        })
    }

    pub fn track_info(&self) -> TrackInfo {
        self.track.clone()
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.cars
            .iter()
            .map(|c| Entry {
                car_id: c.id,
                number: c.id,
                driver: format!("Driver {}", c.id),
                team: format!("Team {}", c.id.div_ceil(2)),
            })
            .collect()
    }

    pub fn tick(&self) -> u64 {
        self.tick
    }

    pub fn ts_ms(&self) -> u64 {
        (self.tick as f64 * self.dt_ms).round() as u64
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    pub fn step(&mut self) -> Tick {
        self.tick += 1;
        let ts_ms = self.ts_ms();
        let length = self.track.length_m;
        let race_end = f64::from(self.laps) * length;
        let dt = self.dt_ms / 1000.0;
        let mut control = Vec::new();
        for car in &mut self.cars {
            if car.finished {
                continue;
            }
            car.distance_m += car.speed_mps * dt;
            if car.distance_m >= race_end + 0.0 && (self.chequered || car.distance_m >= race_end) {
                if !self.chequered {
                    self.chequered = true;
                    control.push(Announcement {
                        kind: RaceControlKind::ChequeredFlag,
                        car_id: Some(car.id),
                        message: "Chequered flag".into(),
                    });
                }
                car.finished = true;
            }
        }
        let samples = self
            .cars
            .iter_mut()
            .map(|car| {
                car.seq += 1;
                let lap = (car.distance_m / length).floor() as u32 + 1;
                let lap_distance_m = car.distance_m - f64::from(lap - 1) * length;
                let point = ((lap_distance_m / length) * 360.0) as usize % 360;
                Sample {
                    car_id: car.id,
                    seq: car.seq,
                    ts_ms,
                    lap,
                    lap_distance_m,
                    speed_kph: if car.finished {
                        0.0
                    } else {
                        car.speed_mps * 3.6
                    },
                    throttle: if car.finished { 0.0 } else { 0.8 },
                    brake: 0.0,
                    gear: 7,
                    rpm: 11_000,
                    drs: false,
                    tyre: Tyre {
                        compound: Compound::Medium,
                        age_laps: lap - 1,
                        wear: 0.0,
                    },
                    fuel_kg: 100.0,
                    x: self.track.centreline[point][0],
                    y: self.track.centreline[point][1],
                    pit: PitState::OnTrack,
                }
            })
            .collect();
        self.finished = self.cars.iter().all(|c| c.finished);
        Tick {
            tick: self.tick,
            ts_ms,
            samples,
            control,
            finished: self.finished,
        }
    }
}
