//! GraphQL over HTTP against the real services: live and history in one
//! query, the exported schema in step with the code, and the limits —
//! depth, alias, list-size and batch bombs — answered with clear errors
//! while the server keeps serving.

mod common;

use std::time::Duration;

use common::TestApp;
use pitwall::app::Role;
use serde_json::{json, Value};

/// Percent-encodes everything but unreserved characters, for a query string.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

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
                 telemetry(carId: 1, maxPoints: 50) {{ tsMs speedKph gear }}
                 afterTheFlag: telemetry(carId: 1, from: 1e9, to: 2e9) {{ tsMs }} }} }}"#
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
    assert_eq!(race["afterTheFlag"], json!([]), "a range without samples");
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
    // The same bomb with its page sizes in variables: priced at their values.
    let sized = "query Sized($r: Int, $l: Int) { races(first: $r) { laps(first: $l) { lap lapMs sectorsMs } } }";
    let (status, body) = app
        .post_json(
            "/graphql",
            &json!({ "query": sized, "variables": { "r": 500, "l": 1000 } }),
        )
        .await;
    assert_eq!(status, 200);
    assert!(first_error(&body).contains("too complex"), "{body}");
    let (status, body) = app
        .post_json(
            "/graphql",
            &json!({ "query": sized, "variables": { "r": 2, "l": 10 } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["races"].is_array(), "{body}");
    // GET: the same limits, variables as JSON text.
    let get = |variables: &str| {
        format!(
            "/graphql?query={}&variables={}",
            urlencode(sized),
            urlencode(variables)
        )
    };
    let (status, body) = app.get_json(&get(r#"{"r":500,"l":1000}"#)).await;
    assert_eq!(status, 200);
    assert!(first_error(&body).contains("too complex"), "{body}");
    let (status, body) = app.get_json(&get(r#"{"r":1,"l":3}"#)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["races"].is_array(), "{body}");
    let (status, body) = app.get_json(&get("{not json")).await;
    assert_eq!(status, 400, "{body}");
    assert!(first_error(&body).contains("variables"), "{body}");

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

/// A running race's leaderboard comes from the hub's memory: never older
/// than the live view in Redis (which trails by storage's batching), with
/// the race's other fields still read from the history.
#[actix_web::test]
async fn a_running_race_is_served_from_the_hub_no_older_than_redis() {
    let app = TestApp::spawn(Role::All).await;
    let race_id = app
        .start_race(json!({"track": "twisty", "cars": 6, "laps": 2, "sample_hz": 10, "time_scale": 8, "seed": 4}))
        .await;
    let redis = deadpool_redis::Config::from_url(app.settings.redis.url.clone())
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .unwrap();
    let key = format!("{}race:{race_id}:leaderboard", app.settings.redis.prefix);
    let query = format!(
        r#"{{ race(id: "{race_id}") {{ id name status totalLaps leaderboard {{ tsMs totalLaps entries {{ position carId }} }} }} }}"#
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut compared = 0;
    while compared < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "no live leaderboard to compare"
        );
        let mut conn = redis.get().await.unwrap();
        let stored: Option<String> = deadpool_redis::redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let body = app.graphql(&query).await;
        assert!(body.get("errors").is_none(), "{body}");
        let race = &body["data"]["race"];
        let (Some(stored), Some(ts)) = (stored, race["leaderboard"]["tsMs"].as_f64()) else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if race["status"] != "running" {
            break;
        }
        let stored: Value = serde_json::from_str(&stored).unwrap();
        assert!(
            ts >= stored["ts_ms"].as_f64().unwrap(),
            "GraphQL's board ({ts}) is older than Redis's ({})",
            stored["ts_ms"]
        );
        assert_eq!(race["name"].as_str().map(|n| !n.is_empty()), Some(true));
        assert_eq!(race["totalLaps"], 2);
        assert_eq!(race["leaderboard"]["totalLaps"], 2);
        let positions: Vec<i64> = race["leaderboard"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, (1..=6).collect::<Vec<_>>());
        compared += 1;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert_eq!(compared, 5, "the race ended before five comparisons");
    app.wait_race_status(&race_id, "finished", Duration::from_secs(120))
        .await;
    let body = app.graphql(&query).await;
    assert_eq!(body["data"]["race"]["status"], "finished", "{body}");
    app.cleanup().await;
}
