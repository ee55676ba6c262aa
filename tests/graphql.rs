//! GraphQL over HTTP against the real services: live and history in one
//! query, the exported schema in step with the code, and the limits —
//! depth, alias, list-size and batch bombs — answered with clear errors
//! while the server keeps serving.

mod common;

use std::time::Duration;

use common::TestApp;
use pitwall::app::Role;
use serde_json::{json, Value};

fn first_error(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn schema_graphql_is_in_step_with_the_code() {
    let sdl = pitwall::schema::schema().as_sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql differs from the schema in the code; run `UPDATE_SCHEMA=1 cargo test --test graphql` and commit it"
    );
}

#[actix_web::test]
async fn live_and_history_in_one_query_and_bombs_refused() {
    let app = TestApp::spawn(Role::All).await;
    let race_id = app
        .start_race(json!({"track": "street", "cars": 4, "laps": 2, "sample_hz": 10, "time_scale": 30, "seed": 9}))
        .await;
    app.wait_race_status(&race_id, "finished", Duration::from_secs(90))
        .await;

    let body = app
        .graphql(&format!(
            r#"{{ race(id: "{race_id}") {{ status track {{ lengthM centreline }}
                 leaderboard {{ entries {{ position carId lap bestLapMs }} }}
                 laps(first: 100) {{ carId lap lapMs sectorsMs }}
                 stints {{ carId stint compound laps }}
                 pitStops {{ carId }} raceControl {{ kind message }}
                 gapHistory(carId: 2) {{ tsMs position }}
                 telemetry(carId: 1, maxPoints: 50) {{ tsMs speedKph gear }} }} }}"#
        ))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let race = &body["data"]["race"];
    assert_eq!(race["status"], "finished");
    assert_eq!(race["leaderboard"]["entries"].as_array().unwrap().len(), 4);
    let laps = race["laps"].as_array().unwrap();
    assert!(laps.len() >= 8, "4 cars × 2 laps: {}", laps.len());
    assert!(laps.iter().all(|l| l["lapMs"].as_i64().unwrap() > 20_000));
    assert!(race["track"]["centreline"].as_array().unwrap().len() > 50);
    let telemetry = race["telemetry"].as_array().unwrap();
    assert_eq!(telemetry.len(), 50, "downsampled to maxPoints");
    assert!(telemetry
        .windows(2)
        .all(|w| w[0]["tsMs"].as_f64() < w[1]["tsMs"].as_f64()));
    assert!(!race["gapHistory"].as_array().unwrap().is_empty());
    assert!(race["raceControl"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "chequered_flag"));

    // Pages: the cursor continues where the first page ended.
    let page = |after: &str| {
        format!(r#"{{ race(id: "{race_id}") {{ laps(first: 3{after}) {{ carId lap }} }} }}"#)
    };
    let first = app.graphql(&page("")).await;
    let first = first["data"]["race"]["laps"].as_array().unwrap().clone();
    let last = first.last().unwrap();
    let cursor = format!(r#", after: "{}:{}""#, last["carId"], last["lap"]);
    let second = app.graphql(&page(&cursor)).await;
    let second = second["data"]["race"]["laps"].as_array().unwrap().clone();
    assert_eq!(second.len(), 3);
    assert!(!first.contains(&second[0]), "no overlap between pages");

    // Bombs: each refused with a readable error.
    let deep = format!(
        "{{ {} id {} }}",
        "race(id: \"x\") { ".repeat(30),
        "} ".repeat(30)
    );
    assert!(!first_error(&app.graphql(&deep).await).is_empty());
    let aliases: String = (0..2_500)
        .map(|i| format!("a{i}: races {{ id }} "))
        .collect();
    assert!(!first_error(&app.graphql(&format!("{{ {aliases} }}")).await).is_empty());
    let wide = app
        .graphql("{ races(first: 500) { laps(first: 1000) { lap lapMs sectorsMs } } }")
        .await;
    assert!(first_error(&wide).contains("too complex"), "{wide}");
    let huge = app.graphql("{ races(first: 100000) { id } }").await;
    assert!(first_error(&huge).contains("first must be"), "{huge}");
    let batch: Vec<Value> = (0..11)
        .map(|_| json!({"query": "{ races { id } }"}))
        .collect();
    let (status, body) = app.post_json("/graphql", &Value::Array(batch)).await;
    assert_eq!(status, 200);
    assert!(first_error(&body).contains("at most 10"), "{body}");

    // Still serving.
    let ok = app.graphql("{ races(first: 1) { id } }").await;
    assert!(ok.get("errors").is_none(), "{ok}");
    app.cleanup().await;
}
