//! `GET /ws` on the real broker, Redis and PostgreSQL: race isolation,
//! unsubscribe, a client that never reads (evicted while another keeps
//! receiving), the Origin allow-list, malformed requests and close codes,
//! the snapshot of a late subscriber (hub memory and Redis), de-duplication
//! by event id and the per-car filter. The protocol: docs/websocket.md.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use common::ws::{
    assert_refused, expect_close, hub_sessions, round_trip, subscribe, wait_sessions, RawClient,
};
use common::{isolated_settings, TestApp, WsClient};
use futures_util::SinkExt;
use pitwall::app::Role;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

fn ws_url(app: &TestApp) -> String {
    format!("{}/ws", app.base.replace("http", "ws"))
}

async fn ws_with_origin(
    app: &TestApp,
    origin: Option<&str>,
) -> Result<WsClient, awc::error::WsClientError> {
    let mut request = app.http.ws(ws_url(app));
    if let Some(origin) = origin {
        request = request.origin(origin);
    }
    let (_, framed) = request.connect().await?;
    Ok(WsClient { framed })
}

/// Reads JSON messages until `pred` holds for one (returned) or time runs out.
async fn wait_for(ws: &mut WsClient, within: Duration, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = ws
            .next_json(left)
            .await
            .unwrap_or_else(|| panic!("awaited message not seen within {within:?}"));
        if pred(&msg) {
            return msg;
        }
    }
}

fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

fn short_race(name: &str, seed: u64) -> Value {
    json!({
        "name": name, "track": "street", "cars": 5, "laps": 2,
        "sample_hz": 10, "time_scale": 20, "seed": seed,
        "safety_car_probability": 0.0
    })
}

fn is_finish(msg: &Value) -> bool {
    msg["type"] == "race_status" && msg["status"] == "finished"
}

// ------------------------------------------------------------------ tests

/// A client following race A gets A's snapshot and A's events, none of
/// race B's, while B is live (another client sees B's events).
#[actix_web::test]
async fn a_subscriber_gets_only_its_race() {
    let app = TestApp::spawn(Role::All).await;
    let mut ws_a = app.ws().await;
    let mut ws_b = app.ws().await;
    let race_a = app.start_race(short_race("Race A", 1)).await;
    let race_b = app.start_race(short_race("Race B", 2)).await;
    let snapshot = subscribe(&mut ws_a, json!({"op": "subscribe", "race_id": race_a})).await;
    assert!(snapshot.get("leaderboard").is_some(), "{snapshot}");
    subscribe(
        &mut ws_b,
        json!({"op": "subscribe", "race_id": race_b, "channels": ["leaderboard"]}),
    )
    .await;

    let mut kinds = BTreeSet::new();
    let mut count = 0;
    loop {
        let msg = ws_a
            .next_json(Duration::from_secs(60))
            .await
            .expect("race A's events keep coming until it finishes");
        assert_eq!(
            msg["race_id"],
            race_a.as_str(),
            "an event of another race: {msg}"
        );
        assert!(msg["event_id"].is_string(), "{msg}");
        kinds.insert(msg["type"].as_str().unwrap_or_default().to_string());
        count += 1;
        if is_finish(&msg) {
            break;
        }
    }
    assert!(count >= 20, "only {count} events of race A");
    for kind in ["leaderboard", "car_telemetry", "lap_completed"] {
        assert!(kinds.contains(kind), "no {kind} among {kinds:?}");
    }
    // B was live all along, and its client saw only B.
    let b = ws_b
        .next_json(Duration::from_secs(30))
        .await
        .expect("race B's events");
    assert_eq!(b["race_id"], race_b.as_str(), "{b}");
    assert_eq!(b["type"], "leaderboard", "{b}");
    app.cleanup().await;
}

/// After `unsubscribe` a client gets no more of the race's events, while a
/// second client still subscribed keeps receiving them.
#[actix_web::test]
async fn unsubscribe_stops_the_events() {
    let app = TestApp::spawn(Role::All).await;
    let race = app
        .start_race(json!({
            "name": "Unsub GP", "track": "street", "cars": 6, "laps": 20,
            "sample_hz": 10, "time_scale": 5, "seed": 3
        }))
        .await;
    let mut leaving = app.ws().await;
    let mut staying = app.ws().await;
    let request =
        json!({"op": "subscribe", "race_id": race, "channels": ["leaderboard", "telemetry"]});
    subscribe(&mut leaving, request.clone()).await;
    subscribe(&mut staying, request).await;
    wait_for(&mut leaving, Duration::from_secs(30), |m| {
        m["type"] == "leaderboard"
    })
    .await;

    leaving
        .send(json!({"op": "unsubscribe", "race_id": race}))
        .await;
    round_trip(&mut leaving).await;
    // Events the hub pushed before it handled the unsubscribe may still be
    // on their way; give them a moment, then nothing more may come.
    let grace = Instant::now() + Duration::from_secs(2);
    while let Some(msg) = leaving
        .next_json(grace.saturating_duration_since(Instant::now()))
        .await
    {
        assert_eq!(msg["race_id"], race.as_str(), "{msg}");
    }
    let quiet_until = Instant::now() + Duration::from_secs(3);
    let mut staying_got = 0;
    while Instant::now() < quiet_until {
        let left = quiet_until.saturating_duration_since(Instant::now());
        if let Some(msg) = staying.next_json(left).await {
            assert_eq!(msg["race_id"], race.as_str());
            staying_got += 1;
        }
    }
    // Whatever reached `leaving` in those 3 s is after the grace period.
    if let Some(msg) = leaving.next_json(Duration::from_millis(200)).await {
        panic!("an event after unsubscribe: {msg}");
    }
    assert!(
        staying_got >= 5,
        "the client still subscribed got only {staying_got} events in 3 s"
    );
    // The connection is still usable.
    assert!(round_trip(&mut leaving).await.is_empty());
    app.cleanup().await;
}

/// A client that never reads is cut off (hub eviction, then a 1008 close
/// frame once its socket is read) while another client keeps receiving.
#[actix_web::test]
async fn a_client_that_never_reads_is_evicted_and_others_keep_up() {
    let mut settings = isolated_settings().await;
    settings.websocket.send_queue = 8;
    let app = TestApp::spawn_with(settings, Role::All).await;
    let race = app
        .start_race(json!({
            "name": "Slow Reader GP", "track": "street", "cars": 40, "laps": 30,
            "sample_hz": 50, "time_scale": 10, "seed": 4
        }))
        .await;

    let mut healthy = app.ws().await;
    subscribe(
        &mut healthy,
        json!({"op": "subscribe", "race_id": race, "channels": ["telemetry"]}),
    )
    .await;
    wait_for(&mut healthy, Duration::from_secs(30), |m| {
        m["type"] == "car_telemetry"
    })
    .await;

    let port = app.app.as_ref().unwrap().port();
    let subscribe_all = json!({"op": "subscribe", "race_id": race});
    let slow =
        actix_web::rt::task::spawn_blocking(move || RawClient::open(port, vec![subscribe_all]))
            .await
            .unwrap();
    wait_sessions(&app, 2, Duration::from_secs(10)).await;

    // Read the healthy client second by second until the hub lets the slow
    // one go, then 3 s more.
    let started = Instant::now();
    let mut evicted_at: Option<Instant> = None;
    let mut windows: Vec<usize> = Vec::new();
    let mut worst_lag_ms = 0u64;
    loop {
        let window_end = Instant::now() + Duration::from_secs(1);
        let mut got = 0;
        while Instant::now() < window_end {
            let left = window_end.saturating_duration_since(Instant::now());
            if let Some(msg) = healthy.next_json(left).await {
                assert_eq!(msg["race_id"], race.as_str());
                assert_eq!(msg["type"], "car_telemetry", "{msg}");
                if let Some(sent) = msg["sent_at_us"].as_u64() {
                    worst_lag_ms = worst_lag_ms.max(now_us().saturating_sub(sent) / 1000);
                }
                got += 1;
            }
        }
        windows.push(got);
        if evicted_at.is_none() && hub_sessions(&app).await == 1 {
            evicted_at = Some(Instant::now());
        }
        if evicted_at.is_some_and(|t| t.elapsed() >= Duration::from_secs(3)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the client that never reads was not evicted within 40 s \
             (healthy client, events per second: {windows:?})"
        );
    }
    eprintln!(
        "evicted after {:?}; healthy client per second: {windows:?}; worst lag {worst_lag_ms} ms",
        evicted_at.unwrap() - started
    );
    // Seconds without a single event: a loaded machine may skip one, a
    // client held up by the slow one would go quiet for many.
    let mut quiet = 0;
    let mut longest_quiet = 0;
    for n in &windows {
        quiet = if *n == 0 { quiet + 1 } else { 0 };
        longest_quiet = longest_quiet.max(quiet);
    }
    assert!(
        longest_quiet < 5,
        "the healthy client stalled while the other did not read: {windows:?}"
    );
    assert!(
        windows.iter().sum::<usize>() >= 3 * windows.len(),
        "the healthy client got too few events: {windows:?}"
    );
    assert!(
        worst_lag_ms < 5_000,
        "the healthy client's events were {worst_lag_ms} ms late"
    );

    // The slow client finally reads: whatever was buffered, then 1008.
    let (close, texts, end) =
        actix_web::rt::task::spawn_blocking(move || slow.drain(Duration::from_secs(20)))
            .await
            .unwrap();
    let (code, reason) =
        close.unwrap_or_else(|| panic!("no close frame after {texts} text frames: {end}"));
    assert_eq!(code, 1008, "close reason {reason:?}");
    assert!(reason.contains("too slow"), "{reason}");
    app.cleanup().await;
}

/// The state of the server's end of the TCP connection from `client`
/// (Linux /proc/net/tcp: "01" established), None when it is not listed.
fn server_socket_state(server_port: u16, client_port: u16) -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let local = format!("0100007F:{server_port:04X}");
    let remote = format!("0100007F:{client_port:04X}");
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        (cols.get(1) == Some(&local.as_str()) && cols.get(2) == Some(&remote.as_str()))
            .then(|| cols[3].to_string())
    })
}

/// An evicted client that does not read at all: the server lets go of its
/// connection by itself (its TCP_USER_TIMEOUT is client_timeout_ms, see
/// web/stalled.rs) rather than only when the client reads again.
#[actix_web::test]
async fn an_evicted_client_that_never_reads_is_disconnected() {
    let mut settings = isolated_settings().await;
    settings.websocket.send_queue = 8;
    let client_timeout = Duration::from_millis(settings.websocket.client_timeout_ms);
    let app = TestApp::spawn_with(settings, Role::All).await;
    let race = app
        .start_race(json!({
            "name": "Never Reads GP", "track": "street", "cars": 40, "laps": 30,
            "sample_hz": 50, "time_scale": 10, "seed": 5
        }))
        .await;
    let port = app.app.as_ref().unwrap().port();
    let subscribe_all = json!({"op": "subscribe", "race_id": race});
    let slow =
        actix_web::rt::task::spawn_blocking(move || RawClient::open(port, vec![subscribe_all]))
            .await
            .unwrap();
    let client_port = slow.stream.local_addr().unwrap().port();
    assert_eq!(
        server_socket_state(port, client_port).as_deref(),
        Some("01")
    );
    wait_sessions(&app, 0, Duration::from_secs(40)).await;
    // The client's receive window has been shut since before its eviction:
    // the kernel gives up on it within client_timeout, plus slack for the
    // zero-window probes' spacing.
    let deadline = Instant::now() + client_timeout + Duration::from_secs(10);
    loop {
        let state = server_socket_state(port, client_port);
        if state.as_deref() != Some("01") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server still holds the connection of an evicted client that \
             never reads, {:?} after eviction",
            client_timeout + Duration::from_secs(10)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(slow);
    app.cleanup().await;
}

/// With `http.allowed_origins` set, a foreign Origin is refused with 403;
/// a listed one, the server's own and none at all are let in.
#[actix_web::test]
async fn origins_outside_the_allow_list_are_refused() {
    let mut settings = isolated_settings().await;
    settings.http.allowed_origins = vec!["http://good.example".into()];
    let app = TestApp::spawn_with(settings, Role::Serve).await;

    assert_refused(ws_with_origin(&app, Some("http://bad.example")).await, 403);
    let own = app.base.clone();
    for origin in [Some("http://good.example"), Some(own.as_str()), None] {
        let mut ws = ws_with_origin(&app, origin)
            .await
            .unwrap_or_else(|e| panic!("origin {origin:?} refused: {e:?}"));
        ws.send(json!({"op": "ping"})).await;
        let pong = ws.next_json(Duration::from_secs(10)).await;
        assert_eq!(
            pong.as_ref().map(|p| p["type"].clone()),
            Some(json!("pong"))
        );
    }
    app.cleanup().await;
}

/// Malformed requests get an `error` message and the connection stays; the
/// 21st closes it with 1008; a frame over max_frame_bytes closes with 1009.
#[actix_web::test]
async fn bad_requests_get_errors_then_a_policy_close() {
    let app = TestApp::spawn(Role::Serve).await;
    let mut ws = app.ws().await;

    ws.send(json!({"op": "ping"})).await;
    let pong = ws.next_json(Duration::from_secs(10)).await.expect("pong");
    assert_eq!(pong, json!({"type": "pong"}));

    let bad: Vec<(awc::ws::Message, &str)> = vec![
        (awc::ws::Message::Text("{not json".into()), "bad request"),
        (
            awc::ws::Message::Text(json!({"op": "dance"}).to_string().into()),
            "dance",
        ),
        (
            awc::ws::Message::Text(
                json!({"op": "subscribe", "race_id": "r-x", "channels": ["weather"]})
                    .to_string()
                    .into(),
            ),
            "unknown channel",
        ),
        (
            awc::ws::Message::Text(json!({"op": "subscribe"}).to_string().into()),
            "race_id",
        ),
        (
            awc::ws::Message::Text(json!({"op": "subscribe", "race_id": ""}).to_string().into()),
            "race_id",
        ),
        (
            awc::ws::Message::Text(
                json!({"op": "subscribe", "race_id": "r-x", "carids": [1]})
                    .to_string()
                    .into(),
            ),
            "carids",
        ),
        (awc::ws::Message::Binary(vec![1u8, 2, 3].into()), "binary"),
    ];
    let mut sent = 0;
    for (message, needle) in bad {
        ws.framed.send(message).await.unwrap();
        sent += 1;
        let error = ws.next_json(Duration::from_secs(10)).await.expect("error");
        assert_eq!(error["type"], "error", "{error}");
        let text = error["message"].as_str().expect("message");
        assert!(text.contains(needle), "{needle:?} not in {text:?}");
        // Still connected.
        assert!(round_trip(&mut ws).await.is_empty());
    }
    while sent < 20 {
        ws.send(json!({"op": "nope"})).await;
        sent += 1;
        let error = ws.next_json(Duration::from_secs(10)).await.expect("error");
        assert_eq!(error["type"], "error");
    }
    assert!(round_trip(&mut ws).await.is_empty(), "20 are tolerated");
    ws.send(json!({"op": "nope"})).await;
    let (code, reason) = expect_close(&mut ws, Duration::from_secs(10)).await;
    assert_eq!(code, 1008, "{reason}");
    assert!(reason.contains("malformed"), "{reason}");

    // A frame over max_frame_bytes.
    let mut ws = app.ws().await;
    let huge = "x".repeat(app.settings.websocket.max_frame_bytes + 1);
    ws.framed
        .send(awc::ws::Message::Text(huge.into()))
        .await
        .unwrap();
    let (code, reason) = expect_close(&mut ws, Duration::from_secs(10)).await;
    assert_eq!(code, 1009, "{reason}");
    app.cleanup().await;
}

/// Follows races r-0 … r-15: as many as one connection may.
async fn fill_the_cap(ws: &mut WsClient) {
    for i in 0..16 {
        subscribe(
            ws,
            json!({"op": "subscribe", "race_id": format!("r-{i}"), "channels": ["leaderboard"]}),
        )
        .await;
    }
}

/// Asks for a 17th race (r-16) and expects it refused.
async fn expect_the_cap_refuses_another(ws: &mut WsClient) {
    ws.send(json!({"op": "subscribe", "race_id": "r-16"})).await;
    let error = ws.next_json(Duration::from_secs(10)).await.expect("error");
    assert_eq!(error["type"], "error", "a 17th race was followed: {error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("too many subscriptions"),
        "{error}"
    );
}

/// One connection follows at most 16 races; the 17th is refused with an
/// error and the connection stays.
#[actix_web::test]
async fn sixteen_subscriptions_per_connection() {
    let app = TestApp::spawn(Role::Serve).await;
    let mut ws = app.ws().await;
    fill_the_cap(&mut ws).await;
    expect_the_cap_refuses_another(&mut ws).await;
    // Leaving one makes room for another.
    ws.send(json!({"op": "unsubscribe", "race_id": "r-0"}))
        .await;
    subscribe(&mut ws, json!({"op": "subscribe", "race_id": "r-16"})).await;
    app.cleanup().await;
}

/// The cap counts races, not requests: re-subscribing to the race a
/// connection already follows (to change its channels) must not use it up.
#[actix_web::test]
async fn resubscribing_a_race_does_not_use_up_the_cap() {
    let app = TestApp::spawn(Role::Serve).await;
    let mut ws = app.ws().await;
    for i in 0..20 {
        let channels = if i % 2 == 0 {
            json!(["laps"])
        } else {
            json!(["pits"])
        };
        subscribe(
            &mut ws,
            json!({"op": "subscribe", "race_id": "r-same", "channels": channels}),
        )
        .await;
    }
    app.cleanup().await;
}

/// Unsubscribing from races the connection does not follow must not make
/// room for a 17th race.
#[actix_web::test]
async fn unsubscribing_unknown_races_does_not_raise_the_cap() {
    let app = TestApp::spawn(Role::Serve).await;
    let mut ws = app.ws().await;
    fill_the_cap(&mut ws).await;
    for i in 100..110 {
        ws.send(json!({"op": "unsubscribe", "race_id": format!("r-{i}")}))
            .await;
    }
    expect_the_cap_refuses_another(&mut ws).await;
    app.cleanup().await;
}

/// A client that subscribes while the race is running gets a snapshot whose
/// leaderboard lists every car (from the hub's memory); a server instance
/// that never saw the race answers from Redis.
#[actix_web::test]
async fn a_late_subscriber_gets_a_full_snapshot() {
    let app = TestApp::spawn(Role::All).await;
    let cars = 12;
    let race = app
        .start_race(json!({
            "name": "Late GP", "track": "street", "cars": cars, "laps": 2,
            "sample_hz": 10, "time_scale": 20, "seed": 6
        }))
        .await;
    let mut early = app.ws().await;
    subscribe(
        &mut early,
        json!({"op": "subscribe", "race_id": race, "channels": ["leaderboard", "race_control"]}),
    )
    .await;
    // A few seconds into the race.
    let first = wait_for(&mut early, Duration::from_secs(30), |m| {
        m["type"] == "leaderboard"
    })
    .await;
    let first_ts = first["ts_ms"].as_u64().unwrap();
    wait_for(&mut early, Duration::from_secs(30), |m| {
        m["type"] == "leaderboard" && m["ts_ms"].as_u64().unwrap() >= first_ts + 20_000
    })
    .await;

    let check = |snapshot: &Value| {
        let board = &snapshot["leaderboard"];
        assert_eq!(board["type"], "leaderboard", "{snapshot}");
        assert_eq!(board["race_id"], race.as_str());
        let entries = board["entries"].as_array().expect("entries");
        let ids: HashSet<u64> = entries
            .iter()
            .map(|e| e["car_id"].as_u64().unwrap())
            .collect();
        assert_eq!(entries.len(), cars, "{snapshot}");
        assert_eq!(ids.len(), cars, "every car once: {snapshot}");
        let positions: Vec<u64> = entries
            .iter()
            .map(|e| e["position"].as_u64().unwrap())
            .collect();
        assert_eq!(positions, (1..=cars as u64).collect::<Vec<_>>());
    };
    let mut late = app.ws().await;
    let snapshot = subscribe(&mut late, json!({"op": "subscribe", "race_id": race})).await;
    check(&snapshot);
    assert_eq!(snapshot["race"]["race_id"], race.as_str(), "{snapshot}");
    assert_eq!(snapshot["race"]["name"], "Late GP", "{snapshot}");

    // After the finish, a second server instance that never saw the race:
    // its snapshot comes from Redis, the final leaderboard.
    wait_for(&mut early, Duration::from_secs(60), is_finish).await;
    app.wait_race_status(&race, "finished", Duration::from_secs(30))
        .await;
    let mut other = TestApp::spawn_with(app.settings.clone(), Role::Serve).await;
    let mut ws = other.ws().await;
    let snapshot = subscribe(&mut ws, json!({"op": "subscribe", "race_id": race})).await;
    check(&snapshot);
    assert_eq!(snapshot["race"]["status"], "finished", "{snapshot}");
    // An unknown race: an empty snapshot, not an error.
    let snapshot = subscribe(&mut ws, json!({"op": "subscribe", "race_id": "r-none"})).await;
    assert_eq!(snapshot["leaderboard"], Value::Null);
    assert_eq!(snapshot["race"], Value::Null);
    if let Some(instance) = other.app.take() {
        instance.stop().await;
    }
    app.cleanup().await;
}

/// The event ids `ws` receives stamped from race clock `base` on (earlier
/// ones are late probes), up to and including the first of type `last`.
async fn event_ids_until(ws: &mut WsClient, base: u64, last: &str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let msg = ws.next_json(Duration::from_secs(10)).await.expect("events");
        if msg["ts_ms"].as_u64().unwrap() < base {
            continue;
        }
        ids.push(msg["event_id"].as_str().unwrap().to_string());
        if msg["type"] == last {
            return ids;
        }
    }
}

/// Events published straight to telemetry_processed: an event id seen twice
/// reaches a client once, `car_ids` filters per-car events but not
/// race-wide ones, and channels filter by type.
#[actix_web::test]
async fn duplicates_are_dropped_and_filters_apply() {
    let app = TestApp::spawn(Role::Serve).await;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &app.settings.kafka.brokers)
        .create()
        .expect("producer");
    let topic = app.settings.kafka.topics.processed.clone();
    let race = "r-synthetic";
    let publish = |event: Value| {
        let producer = producer.clone();
        let topic = topic.clone();
        async move {
            let payload = event.to_string();
            producer
                .send(
                    FutureRecord::to(&topic).key(race).payload(&payload),
                    Duration::from_secs(5),
                )
                .await
                .expect("published");
        }
    };
    let event = |kind: &str, car: Option<u32>, ts: u64| {
        let id = match car {
            Some(c) => format!("{race}:{kind}:{c}:{ts}"),
            None => format!("{race}:{kind}:{ts}"),
        };
        let mut e = json!({"v": 1, "type": kind, "race_id": race, "ts_ms": ts,
                           "event_id": id, "sent_at_us": now_us()});
        if let Some(c) = car {
            e["car_id"] = json!(c);
        }
        e
    };

    let mut all = app.ws().await;
    let mut car7 = app.ws().await;
    subscribe(&mut all, json!({"op": "subscribe", "race_id": race})).await;
    subscribe(
        &mut car7,
        json!({"op": "subscribe", "race_id": race, "channels": ["laps", "race_control"], "car_ids": [7]}),
    )
    .await;
    // The hub's consumer starts at the newest record: publish probes until
    // one arrives, so the records below are surely read.
    let mut ts = 1;
    loop {
        publish(event("race_status", None, ts)).await;
        if let Some(msg) = all.next_json(Duration::from_secs(2)).await {
            assert_eq!(msg["type"], "race_status");
            break;
        }
        ts += 1;
        assert!(ts < 20, "the hub never delivered a probe");
    }
    let base = 1_000;
    let batch = vec![
        event("lap_completed", Some(7), base),
        event("lap_completed", Some(7), base), // duplicate id
        event("lap_completed", Some(8), base),
        event("pit_stop", Some(7), base + 1),
        event("race_status", None, base + 2),
        event("race_status", None, base + 2), // duplicate id
        event("leaderboard", None, base + 3),
    ];
    for e in batch {
        publish(e).await;
    }
    // Both end with the last relevant event; collect up to it.
    assert_eq!(
        event_ids_until(&mut all, base, "leaderboard").await,
        vec![
            format!("{race}:lap_completed:7:{base}"),
            format!("{race}:lap_completed:8:{base}"),
            format!("{race}:pit_stop:7:{}", base + 1),
            format!("{race}:race_status:{}", base + 2),
            format!("{race}:leaderboard:{}", base + 3),
        ]
    );
    assert_eq!(
        event_ids_until(&mut car7, base, "race_status").await,
        vec![
            format!("{race}:lap_completed:7:{base}"),
            format!("{race}:race_status:{}", base + 2),
        ]
    );
    assert!(
        round_trip(&mut car7).await.is_empty(),
        "nothing else for the filtered client"
    );
    // The hub remembers the leaderboard for the next subscriber.
    let mut late = app.ws().await;
    let snapshot = subscribe(&mut late, json!({"op": "subscribe", "race_id": race})).await;
    assert_eq!(
        snapshot["leaderboard"]["event_id"],
        format!("{race}:leaderboard:{}", base + 3)
    );
    app.cleanup().await;
}
