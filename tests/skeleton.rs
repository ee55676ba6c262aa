//! The walking skeleton end to end on the real broker, PostgreSQL and Redis:
//! a race started over HTTP is simulated, processed, stored, pushed over
//! WebSocket and answered over GraphQL, and PostgreSQL holds exactly the
//! samples that were published.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{as_set, raw_samples, TestApp};
use pitwall::app::Role;
use serde_json::{json, Value};

#[actix_web::test]
async fn one_race_flows_end_to_end() {
    let app = TestApp::spawn(Role::All).await;
    let race_id = app
        .start_race(json!({
            "name": "Skeleton GP", "track": "street", "cars": 5, "laps": 2,
            "sample_hz": 10, "time_scale": 20, "seed": 42
        }))
        .await;

    let mut ws = app.ws().await;
    ws.send(
        json!({"op": "subscribe", "race_id": race_id, "channels": ["leaderboard", "race_control"]}),
    )
    .await;
    let snapshot = ws
        .next_json(Duration::from_secs(10))
        .await
        .expect("snapshot");
    assert_eq!(
        snapshot["type"], "snapshot",
        "first message is the snapshot: {snapshot}"
    );
    assert_eq!(snapshot["race_id"], race_id.as_str());

    // Live leaderboards until the race is over.
    let mut boards: Vec<Value> = Vec::new();
    loop {
        let msg = ws
            .next_json(Duration::from_secs(60))
            .await
            .expect("events keep coming until the race finishes");
        match msg["type"].as_str() {
            Some("leaderboard") => boards.push(msg),
            Some("race_status") if msg["status"] == "finished" => break,
            Some("race_status") => {}
            other => panic!("unexpected message {other:?}: {msg}"),
        }
    }
    assert!(boards.len() >= 10, "only {} leaderboards", boards.len());
    assert!(boards.iter().all(|b| b["race_id"] == race_id.as_str()));

    app.wait_race_status(&race_id, "finished", Duration::from_secs(60))
        .await;
    let pg = app.pg().await;

    // Each leaderboard orders the cars as their samples at that instant do
    // (checked against PostgreSQL, not against processing's own numbers),
    // until the first car takes the flag: then finishing order rules.
    let track_len: f64 = pg
        .query_one(
            "SELECT (track->>'length_m')::float8 FROM races WHERE race_id = $1",
            &[&race_id],
        )
        .await
        .unwrap()
        .get(0);
    let racing = |b: &&Value| {
        b["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "running")
    };
    let checked: Vec<&Value> = boards.iter().filter(racing).step_by(3).collect();
    assert!(
        checked.len() >= 5,
        "only {} leaderboards before the flag",
        checked.len()
    );
    for board in checked {
        let ts = board["ts_ms"].as_i64().unwrap();
        let rows = pg
            .query(
                "SELECT car_id, lap, lap_distance_m FROM samples WHERE race_id = $1 AND ts_ms = $2",
                &[&race_id, &ts],
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 5, "every car has a sample at {ts}");
        let distance: HashMap<i32, f64> = rows
            .iter()
            .map(|r| {
                let lap: i32 = r.get(1);
                let d: f32 = r.get(2);
                (r.get(0), f64::from(lap - 1) * track_len + f64::from(d))
            })
            .collect();
        let order: Vec<i64> = board["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["car_id"].as_i64().unwrap())
            .collect();
        for pair in order.windows(2) {
            let (a, b) = (distance[&(pair[0] as i32)], distance[&(pair[1] as i32)]);
            assert!(
                a + 0.01 >= b,
                "at {ts} car {} ({a} m) is ahead of car {} ({b} m)",
                pair[0],
                pair[1]
            );
        }
    }

    // PostgreSQL holds exactly what was published: none lost, none doubled.
    let published = raw_samples(&app.settings, &race_id, Duration::from_secs(60)).await;
    let published_set = as_set(&published);
    assert_eq!(
        published.len(),
        published_set.len(),
        "the simulator published no sample twice"
    );
    let stored = app.stored_samples(&race_id).await;
    assert_eq!(
        stored.len(),
        as_set(&stored).len(),
        "no sample stored twice"
    );
    assert_eq!(
        as_set(&stored),
        published_set,
        "stored samples equal published samples"
    );

    // GraphQL: the race from history, its leaderboard from the live view.
    let body = app
        .graphql(&format!(
            r#"{{ races {{ id status }} race(id: "{race_id}") {{ name totalLaps entries {{ carId driver }}
                 leaderboard {{ entries {{ position carId }} }} }} }}"#
        ))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let races = body["data"]["races"].as_array().unwrap();
    assert!(races
        .iter()
        .any(|r| r["id"] == race_id.as_str() && r["status"] == "finished"));
    let race = &body["data"]["race"];
    assert_eq!(race["name"], "Skeleton GP");
    assert_eq!(race["entries"].as_array().unwrap().len(), 5);
    let final_board = race["leaderboard"]["entries"].as_array().unwrap();
    let last_ws: Vec<&Value> = boards.last().unwrap()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(final_board.len(), 5);
    assert_eq!(
        final_board.iter().map(|e| &e["carId"]).collect::<Vec<_>>(),
        last_ws.iter().map(|e| &e["car_id"]).collect::<Vec<_>>(),
        "the live view holds the final leaderboard"
    );

    // What went through shows in the metrics.
    let mut resp = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(resp.body().await.unwrap().to_vec()).unwrap();
    for needle in [
        "pitwall_records_in_total{role=\"processing\"",
        "pitwall_records_out_total{role=\"simulator\"",
        "pitwall_e2e_latency_seconds_count{stage=\"processed\"}",
        "pitwall_e2e_latency_seconds_count{stage=\"stored\"}",
        "pitwall_e2e_latency_seconds_count{stage=\"websocket\"}",
        "pitwall_flush_seconds_count{sink=\"postgres\"}",
        "pitwall_graphql_requests_total{operation=\"anonymous\"}",
        "pitwall_ws_clients",
    ] {
        assert!(text.contains(needle), "metrics lack {needle}:\n{text}");
    }

    app.cleanup().await;
}

#[actix_web::test]
async fn bad_control_requests_are_refused_with_the_field() {
    let app = TestApp::spawn(Role::Serve).await;
    let (status, body) = app.post_json("/api/races", &json!({"cars": 0})).await;
    assert_eq!(status, 400);
    assert_eq!(body["field"], "cars", "{body}");
    let (status, body) = app.post_json("/api/races", &json!({"track": "moon"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["field"], "track", "{body}");
    let (status, body) = app.post_json("/api/races", &json!({"carz": 3})).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("carz"), "{body}");
    let mut resp = app
        .http
        .get(format!("{}/api/races/nope", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("nope"));
    app.cleanup().await;
}
