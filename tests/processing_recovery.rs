//! Processing on the real broker: a processor stopped mid-race and started
//! again rebuilds the race from its checkpoint and the partition, so the final
//! classification equals an independent computation over the whole raw
//! stream; replayed events keep their ids; a malformed record goes to the
//! DLQ with its reason while the race goes on.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{isolated_settings, reader, TestApp};
use pitwall::app::Role;
use pitwall::domain::commands::{Command, RaceParams};
use pitwall::domain::records::{decode_raw, RawRecord};
use pitwall::domain::timing::RaceTiming;
use pitwall::web::control;
use rdkafka::consumer::StreamConsumer;
use rdkafka::message::Headers;
use rdkafka::producer::FutureRecord;
use rdkafka::Message;
use serde_json::Value;

/// Reads processed events until `stop` says so.
async fn read_until(
    consumer: &StreamConsumer,
    events: &mut Vec<Value>,
    within: Duration,
    stop: impl Fn(&[Value]) -> bool,
) {
    let deadline = tokio::time::Instant::now() + within;
    while !stop(events) {
        let m = tokio::time::timeout_at(deadline, consumer.recv())
            .await
            .expect("processed events arrive in time")
            .unwrap();
        events.push(serde_json::from_slice(m.payload().unwrap()).unwrap());
    }
}

/// The final order computed independently from the raw stream.
async fn reference_order(settings: &pitwall::config::Settings, race_id: &str) -> Vec<u64> {
    let raw = reader(settings, &settings.kafka.topics.raw);
    let mut timing: Option<RaceTiming> = None;
    loop {
        let m = tokio::time::timeout(Duration::from_secs(30), raw.recv())
            .await
            .unwrap()
            .unwrap();
        let Ok(record) = decode_raw(m.payload().unwrap_or_default()) else {
            continue;
        };
        match record {
            RawRecord::RaceStarted(r) if r.race_id == race_id => {
                timing = Some(RaceTiming::new(race_id, &r.track, &r.entries, r.total_laps));
            }
            RawRecord::Frame(f) if f.race_id == race_id => {
                let t = timing.as_mut().unwrap();
                for s in &f.samples {
                    t.ingest(s, f.sent_at_us);
                }
            }
            RawRecord::RaceControl(c) if c.race_id == race_id => {
                timing.as_mut().unwrap().race_control(&c);
            }
            RawRecord::RaceFinished(f) if f.race_id == race_id => {
                let board = timing.unwrap().leaderboard(f.ts_ms, f.sent_at_us);
                return board.entries.iter().map(|e| u64::from(e.car_id)).collect();
            }
            _ => {}
        }
    }
}

#[actix_web::test]
async fn a_restarted_processor_rebuilds_the_race_and_replays_nothing_new() {
    let settings = isolated_settings().await;
    let simulator = TestApp::spawn_with(settings.clone(), Role::Simulate).await;
    let mut processor = TestApp::spawn_with(settings.clone(), Role::Process).await;
    let processed = reader(&settings, &settings.kafka.topics.processed);
    let producer = pitwall::kafka::producer(&settings.kafka).unwrap();

    let race_id = control::mint_race_id();
    let params = RaceParams {
        name: "Recovery GP".into(),
        track: "street".into(),
        cars: 8,
        laps: 4,
        sample_hz: 10.0,
        time_scale: 20.0,
        seed: 11,
        safety_car_probability: 0.0,
    };
    control::publish(
        &producer,
        &settings.kafka.topics.commands,
        &Command::start(&race_id, params),
    )
    .await
    .unwrap();

    // Run until every car has a lap, then a malformed record, then stop the
    // processor: its in-memory race is gone.
    let mut events = Vec::new();
    let laps_done = |events: &[Value]| {
        events
            .iter()
            .filter(|e| e["type"] == "lap_completed")
            .count()
    };
    read_until(&processed, &mut events, Duration::from_secs(60), |e| {
        laps_done(e) >= 8
    })
    .await;
    producer
        .send(
            FutureRecord::to(&settings.kafka.topics.raw)
                .key(race_id.as_str())
                .payload("{\"type\":\"frame\",\"v\":1"),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    processor.app.take().unwrap().stop().await;
    let laps_before_restart = laps_done(&events);

    // A new processor in the same group must pick the race up.
    let restarted = TestApp::spawn_with(settings.clone(), Role::Process).await;
    read_until(&processed, &mut events, Duration::from_secs(120), |e| {
        e.iter()
            .any(|e| e["type"] == "race_status" && e["status"] == "finished")
    })
    .await;
    assert!(
        laps_done(&events) > laps_before_restart,
        "laps were timed after the restart"
    );

    // Same final classification as one uninterrupted computation.
    let last_board = events
        .iter()
        .rev()
        .find(|e| e["type"] == "leaderboard")
        .unwrap();
    let order: Vec<u64> = last_board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["car_id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        order,
        reference_order(&settings, &race_id).await,
        "final classification"
    );

    // Every lap timed once: 8 cars × 4 laps, any repeat identical to the first.
    let mut laps: HashMap<String, &Value> = HashMap::new();
    for e in events.iter().filter(|e| e["type"] == "lap_completed") {
        let id = e["event_id"].as_str().unwrap().to_owned();
        if let Some(first) = laps.insert(id, e) {
            assert_eq!(first, e, "a replayed event has the same id and content");
        }
    }
    let per_car_laps = laps
        .values()
        .filter(|e| e["lap"].as_u64().unwrap() <= 4)
        .count();
    assert_eq!(
        per_car_laps,
        8 * 4,
        "every car's race laps timed exactly once"
    );

    // The malformed record is in the DLQ with its reason and origin.
    let dlq = reader(&settings, &settings.kafka.topics.dlq);
    let m = tokio::time::timeout(Duration::from_secs(30), dlq.recv())
        .await
        .unwrap()
        .unwrap();
    let headers = m.headers().unwrap();
    let header = |name: &str| {
        headers
            .iter()
            .find(|h| h.key == name)
            .and_then(|h| h.value)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    assert!(
        header("reason").unwrap().contains("malformed JSON"),
        "{:?}",
        header("reason")
    );
    assert_eq!(header("source_topic").unwrap(), settings.kafka.topics.raw);
    assert!(header("source_offset").unwrap().parse::<i64>().is_ok());
    assert_eq!(m.payload().unwrap(), b"{\"type\":\"frame\",\"v\":1");

    restarted.cleanup().await;
    simulator.cleanup().await;
}
