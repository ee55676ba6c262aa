//! The simulator control API on the real broker: races started over HTTP
//! reach `telemetry_raw`, several run at once, a stop ends a race with
//! `race_finished` (reason `stopped`), the ground truth is written where
//! configured, and bad requests are refused with the field named.

mod common;

use std::time::{Duration, Instant};

use common::{isolated_settings, raw_samples, TestApp};
use pitwall::app::Role;
use pitwall::config::Settings;
use serde_json::{json, Value};

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let mut resp = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
}

async fn delete(app: &TestApp, path: &str) -> (u16, Value) {
    let mut resp = app
        .http
        .delete(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
}

/// Waits until `GET /api/races/{id}` answers with `status`.
async fn wait_for(app: &TestApp, race_id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (code, body) = get(app, &format!("/api/races/{race_id}")).await;
        if code == 200 && body["status"] == status {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "race {race_id} not {status}: {code} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[actix_web::test]
async fn races_start_run_side_by_side_and_stop() {
    let truth_dir = std::env::temp_dir().join(common::random_name("truth"));
    let mut settings: Settings = isolated_settings().await;
    settings.simulator.truth_dir = truth_dir.to_string_lossy().into_owned();
    let app = TestApp::spawn_with(settings, Role::All).await;

    let long = json!({"name": "Long", "track": "power", "cars": 4, "laps": 50, "sample_hz": 10, "time_scale": 1, "seed": 3});
    let short = json!({"name": "Short", "track": "twisty", "cars": 3, "laps": 1, "sample_hz": 20, "time_scale": 40, "seed": 4});
    let long_id = app.start_race(long).await;
    let short_id = app.start_race(short).await;

    let race = wait_for(&app, &long_id, "running").await;
    assert_eq!(race["name"], "Long");
    assert_eq!(race["track_id"], "power");
    wait_for(&app, &short_id, "finished").await;
    let (_, list) = get(&app, "/api/races").await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["race_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&long_id.as_str()) && ids.contains(&short_id.as_str()),
        "{list}"
    );

    let (code, body) = delete(&app, &format!("/api/races/{long_id}")).await;
    assert_eq!(code, 202, "{body}");
    wait_for(&app, &long_id, "stopped").await;
    // What reached the broker: the stopped race's samples, ended by its
    // race_finished (raw_samples reads until it).
    let samples = raw_samples(&app.settings, &long_id, Duration::from_secs(30)).await;
    assert!(!samples.is_empty());
    assert!(samples.iter().all(|(car, _)| (1..=4).contains(car)));

    let (code, body) = delete(&app, &format!("/api/races/{long_id}")).await;
    assert_eq!(code, 400, "a stopped race cannot be stopped again: {body}");
    assert_eq!(body["field"], "id");
    let (code, _) = delete(&app, "/api/races/r-nosuchrace").await;
    assert_eq!(code, 404);

    // The simulator wrote each race's ground truth where it was told to.
    for id in [&long_id, &short_id] {
        let path = truth_dir.join(format!("{id}.truth.json"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !path.exists() {
            assert!(
                Instant::now() < deadline,
                "no truth file {}",
                path.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let truth: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(truth["cars"].as_array().is_some_and(|c| !c.is_empty()));
    }
    let _ = std::fs::remove_dir_all(&truth_dir);
    app.cleanup().await;
}

#[actix_web::test]
async fn out_of_range_parameters_are_refused_naming_the_field() {
    let app = TestApp::spawn(Role::Serve).await;
    let cases = [
        (json!({"cars": 5001}), "cars"),
        (json!({"laps": 0}), "laps"),
        (json!({"sample_hz": 0.5}), "sample_hz"),
        (json!({"time_scale": -1}), "time_scale"),
        (
            json!({"safety_car_probability": 2}),
            "safety_car_probability",
        ),
        (json!({"name": ""}), "name"),
        (json!({"track": "moon"}), "track"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.post_json("/api/races", &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{body}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("must"),
            "{answer}"
        );
    }
    let mut resp = app
        .http
        .post(format!("{}/api/races", app.base))
        .insert_header(("content-type", "application/json"))
        .send_body("{not json")
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("bad request body"),
        "{body}"
    );
    app.cleanup().await;
}
