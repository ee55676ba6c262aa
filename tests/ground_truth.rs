//! Processing against the simulator's ground truth, through the real broker:
//! a seeded race with pit stops and a safety car ends with the leaderboard,
//! laps and pit stops that the simulator knows to be true — though processing
//! only ever saw the samples.

mod common;

use std::time::{Duration, Instant};

use common::{isolated_settings, TestApp};
use pitwall::app::Role;
use serde_json::{json, Value};

#[actix_web::test]
async fn a_seeded_race_ends_as_the_simulator_knows_it_did() {
    let truth_dir = std::env::temp_dir().join(common::random_name("truth"));
    let mut settings = isolated_settings().await;
    settings.simulator.truth_dir = truth_dir.to_string_lossy().into_owned();
    let app = TestApp::spawn_with(settings, Role::All).await;
    let race_id = app
        .start_race(
            json!({"track": "street", "cars": 10, "laps": 8, "sample_hz": 10,
                           "time_scale": 60, "seed": 5, "safety_car_probability": 1.0}),
        )
        .await;
    app.wait_race_status(&race_id, "finished", Duration::from_secs(120))
        .await;

    let path = truth_dir.join(format!("{race_id}.truth.json"));
    let deadline = Instant::now() + Duration::from_secs(15);
    while !path.exists() {
        assert!(Instant::now() < deadline, "truth file written");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let truth: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&truth_dir);

    let body = app
        .graphql(&format!(
            r#"{{ race(id: "{race_id}") {{ leaderboard {{ entries {{ carId }} }}
                 laps(first: 1000) {{ carId lap }} pitStops {{ carId lap }}
                 strategy(first: 1000) {{ carId lap kind }} }} }}"#
        ))
        .await;
    let race = &body["data"]["race"];
    let order: Vec<u64> = race["leaderboard"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["carId"].as_u64().unwrap())
        .collect();
    let true_order: Vec<u64> = truth["classification"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["car_id"].as_u64().unwrap())
        .collect();
    assert_eq!(order, true_order, "final classification equals the truth");

    let true_laps: usize = truth["cars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["laps"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        race["laps"].as_array().unwrap().len(),
        true_laps,
        "every lap timed once"
    );
    let true_stops: usize = truth["cars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pit_stops"].as_array().unwrap().len())
        .sum();
    assert!(true_stops > 0, "the seed gives pit stops");
    assert_eq!(
        race["pitStops"].as_array().unwrap().len(),
        true_stops,
        "every pit stop detected"
    );
    // Each stop was announced when the car turned in: a `boxing` call
    // with its projected rejoin, on the in-lap.
    let boxing: std::collections::BTreeSet<(u64, u64)> = race["strategy"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "boxing")
        .map(|c| (c["carId"].as_u64().unwrap(), c["lap"].as_u64().unwrap()))
        .collect();
    let true_in_laps: std::collections::BTreeSet<(u64, u64)> = truth["cars"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            let car = c["car_id"].as_u64().unwrap();
            c["pit_stops"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |p| (car, p["in_lap"].as_u64().unwrap()))
        })
        .collect();
    assert_eq!(boxing, true_in_laps, "a boxing call for every stop");
    assert!(
        !truth["periods"].as_array().unwrap().is_empty(),
        "the seed gives a safety car period"
    );
    app.cleanup().await;
}
