//! What a faulted race left behind, measured against independent sources:
//! the samples an independent consumer reads back from `telemetry_raw`,
//! the rows in PostgreSQL, and the same seed's race simulated here without
//! any fault (the simulator is deterministic from its seed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use pitwall::config::Settings;
use pitwall::domain::commands::RaceParams;
use pitwall::domain::sim::{RaceSim, Truth};
use serde_json::Value;

use crate::common::{raw_samples, stored_samples_in};

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Distinct (car, seq) on `telemetry_raw`.
    pub published: usize,
    /// Samples on `telemetry_raw` beyond the first of each (car, seq):
    /// what a resumed simulator published again.
    pub republished: usize,
    /// Distinct (car, seq) in PostgreSQL.
    pub stored: usize,
    /// Expected (every car, every tick of the unfaulted race) but not in
    /// PostgreSQL.
    pub lost: usize,
    /// Rows in PostgreSQL beyond the first of each (car, seq).
    pub duplicated: usize,
    /// (stored, true) laps and pit stops; the tables' keys make each once.
    pub laps: (usize, usize),
    pub pit_stops: (usize, usize),
    /// Final classification in PostgreSQL equals the unfaulted truth.
    pub classification_equal: bool,
    /// The truth file the simulator wrote equals the unfaulted truth.
    pub truth_file_equal: bool,
    pub order: Vec<u32>,
    pub true_order: Vec<u32>,
}

impl Outcome {
    pub fn exact(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.stored == self.published
            && self.laps.0 == self.laps.1
            && self.pit_stops.0 == self.pit_stops.1
            && self.classification_equal
            && self.truth_file_equal
    }
}

/// The race of `params` run here to its end, with nothing in the way.
pub fn unfaulted_truth(params: &RaceParams) -> (Truth, u64) {
    let mut sim = RaceSim::new(&params.race_config()).expect("race config");
    while !sim.finished() {
        sim.step();
    }
    (sim.truth().clone(), sim.tick())
}

fn order_of(truth: &Value) -> Vec<u32> {
    truth["classification"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|e| e["car_id"].as_u64().map(|id| id as u32))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn measure(
    settings: &Settings,
    pg: &tokio_postgres::Client,
    race_id: &str,
    params: &RaceParams,
    truth_file: &Path,
) -> Outcome {
    let (truth, ticks) = unfaulted_truth(params);
    // Through text and back, as the simulator's file is read: serde_json's
    // float parsing is not exact, so both sides go the same way.
    let truth: Value = serde_json::from_str(&serde_json::to_string(&truth).expect("truth as JSON"))
        .expect("truth parsed");
    let true_order = order_of(&truth);

    let raw = raw_samples(settings, race_id, Duration::from_secs(60)).await;
    let published: BTreeSet<(u32, u64)> = raw.iter().copied().collect();
    let rows = stored_samples_in(pg, race_id).await;
    let stored: BTreeSet<(u32, u64)> = rows.iter().copied().collect();
    // Every car has one sample per tick, seq 0 at tick 1.
    let expected: BTreeSet<(u32, u64)> = (1..=params.cars)
        .flat_map(|car| (0..ticks).map(move |seq| (car, seq)))
        .collect();

    let count = |sql: &str| {
        let sql = sql.to_owned();
        async move {
            pg.query_one(&sql, &[&race_id])
                .await
                .expect("count")
                .get::<_, i64>(0) as usize
        }
    };
    let laps = count("SELECT count(*) FROM laps WHERE race_id = $1").await;
    let pit_stops = count("SELECT count(*) FROM pit_stops WHERE race_id = $1").await;
    let per_car = |key: &str| -> usize {
        truth["cars"]
            .as_array()
            .map(|cars| {
                cars.iter()
                    .map(|c| c[key].as_array().map_or(0, Vec::len))
                    .sum()
            })
            .unwrap_or(0)
    };

    let board: Option<Value> = pg
        .query_opt(
            "SELECT s.board FROM leaderboard_snapshots s JOIN races r \
             ON r.race_id = s.race_id AND s.ts_ms = r.final_ts_ms WHERE r.race_id = $1",
            &[&race_id],
        )
        .await
        .expect("final snapshot")
        .map(|r| r.get(0));
    let mut entries: BTreeMap<u64, u32> = BTreeMap::new();
    for e in board
        .as_ref()
        .and_then(|b| b["entries"].as_array())
        .into_iter()
        .flatten()
    {
        if let (Some(p), Some(car)) = (e["position"].as_u64(), e["car_id"].as_u64()) {
            entries.insert(p, car as u32);
        }
    }
    let order: Vec<u32> = entries.into_values().collect();

    let written: Option<Value> = std::fs::read(truth_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    Outcome {
        published: published.len(),
        republished: raw.len() - published.len(),
        stored: stored.len(),
        lost: expected.difference(&stored).count(),
        duplicated: rows.len() - stored.len(),
        laps: (laps, per_car("laps")),
        pit_stops: (pit_stops, per_car("pit_stops")),
        classification_equal: order == true_order,
        truth_file_equal: written
            .as_ref()
            .is_some_and(|w| order_of(w) == true_order && w["cars"] == truth["cars"]),
        order,
        true_order,
    }
}
