//! Hostile records on `telemetry_raw`, keyed by the live race so they land
//! in its partition, mid-race. Rejected ones must reach `telemetry_dlq`
//! with a `reason` header (found by a marker they carry); valid ones that
//! repeat or reorder `seq` must be stored once each, the first copy kept.
//! After each, the live race must still produce events.

use std::time::{Duration, Instant};

use futures_util::FutureExt;
use rdkafka::message::Headers;
use rdkafka::producer::FutureRecord;
use rdkafka::Message;
use serde_json::{json, Value};

use crate::{case, now_us, Case, Ctx};

/// Publishes `payload` on `telemetry_raw` keyed by `key`.
async fn publish(ctx: &Ctx, key: &str, payload: &[u8]) -> Result<(), String> {
    ctx.producer
        .send(
            FutureRecord::to(&ctx.app.settings.kafka.topics.raw)
                .key(key)
                .payload(payload),
            Duration::from_secs(10),
        )
        .await
        .map(|_| ())
        .map_err(|(e, _)| format!("publish: {e}"))
}

/// Reads dead letters until the one whose payload contains `marker`,
/// showing each one before it to `seen` (payload, reason). Returns the
/// marked one's (reason, payload size, `original_size` header).
async fn dead_letters_until(
    ctx: &Ctx,
    marker: &str,
    mut seen: impl FnMut(&[u8], &str),
) -> Result<(String, usize, String), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
    loop {
        let message = tokio::time::timeout_at(deadline, ctx.dlq.recv())
            .await
            .map_err(|_| format!("no dead letter carrying {marker:?} within 45 s"))?
            .map_err(|e| format!("DLQ read: {e}"))?;
        let header = |key: &str| {
            message.headers().and_then(|h| {
                h.iter()
                    .find(|x| x.key == key)
                    .and_then(|x| x.value)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            })
        };
        let payload = message.payload().unwrap_or_default();
        let reason = header("reason").unwrap_or_default();
        if !String::from_utf8_lossy(payload).contains(marker) {
            seen(payload, &reason);
            continue;
        }
        if reason.is_empty() {
            return Err("dead letter without a reason header".into());
        }
        let original = header("original_size").unwrap_or_default();
        return Ok((reason, payload.len(), original));
    }
}

/// The dead letter carrying `marker`; its reason must contain `needle`.
async fn dead_letter(
    ctx: &Ctx,
    marker: &str,
    needle: &str,
) -> Result<(String, usize, String), String> {
    let found = dead_letters_until(ctx, marker, |_, _| {}).await?;
    if !found.0.contains(needle) {
        return Err(format!("reason {:?} does not say {needle:?}", found.0));
    }
    Ok(found)
}

/// Publishes a record that must be rejected, then checks the DLQ and that
/// the live race goes on.
async fn rejected(ctx: &Ctx, payload: String, marker: &str, needle: &str) -> Result<(), String> {
    let since = now_us();
    publish(ctx, &ctx.race, payload.as_bytes()).await?;
    dead_letter(ctx, marker, needle).await?;
    ctx.race_goes_on(since).await
}

fn marker() -> String {
    format!(
        "hostile-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A number no other record carries, for records whose shape has no free
/// text to put a marker in (found as `"tick":N`).
fn marker_number() -> u64 {
    1_000_000_000_000 + u64::from(uuid::Uuid::new_v4().as_fields().0)
}

/// A sample as the simulator writes it.
fn sample(car_id: u32, seq: u64, speed_kph: f64) -> Value {
    json!({
        "car_id": car_id, "seq": seq, "ts_ms": seq * 100, "lap": 1,
        "lap_distance_m": seq as f64 * 5.0, "speed_kph": speed_kph, "throttle": 1.0,
        "brake": 0.0, "gear": 6, "rpm": 10000, "drs": false,
        "tyre": {"compound": "medium", "age_laps": 0, "wear": 0.01},
        "fuel_kg": 100.0, "x": 0.0, "y": 0.0, "pit": "on_track"
    })
}

fn frame(race_id: &str, tick: u64, samples: Vec<Value>) -> Value {
    json!({"type": "frame", "v": 1, "race_id": race_id, "tick": tick, "ts_ms": tick * 100,
           "sent_at_us": now_us(), "chunk": 0, "chunks": 1, "samples": samples})
}

fn race_started(race_id: &str) -> Value {
    json!({"type": "race_started", "v": 1, "race_id": race_id, "name": "Seq GP",
           "track": {"id": "t", "name": "T", "length_m": 5000.0,
                     "sector_starts_m": [1500.0, 3500.0], "centreline": [[0.0, 0.0], [1.0, 0.0]]},
           "total_laps": 5, "sample_hz": 10.0, "seed": 1,
           "entries": [{"car_id": 1, "number": 11, "driver": "A", "team": "B"}],
           "ts_ms": 0, "sent_at_us": now_us()})
}

/// A race of its own for the `seq` cases: `seqs` in the order given, with
/// the speed each copy carries. Returns what PostgreSQL holds for car 1:
/// (seq, speed) in seq order, once storage has `expect` rows.
async fn seq_race(
    ctx: &Ctx,
    seqs: &[(u64, f64)],
    expect: usize,
) -> Result<Vec<(i64, f32)>, String> {
    let race = format!("r-{}", marker());
    publish(ctx, &race, race_started(&race).to_string().as_bytes()).await?;
    for (tick, &(seq, speed)) in seqs.iter().enumerate() {
        let f = frame(&race, tick as u64 + 1, vec![sample(1, seq, speed)]);
        publish(ctx, &race, f.to_string().as_bytes()).await?;
    }
    let pg = ctx.app.pg().await;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let rows = pg
            .query(
                "SELECT seq, speed_kph FROM samples WHERE race_id = $1 AND car_id = 1 ORDER BY seq",
                &[&race],
            )
            .await
            .map_err(|e| format!("query: {e}"))?;
        let got: Vec<(i64, f32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        if got.len() >= expect {
            // A moment more: a second copy written late would show now.
            tokio::time::sleep(Duration::from_secs(1)).await;
            let again = pg
                .query_one("SELECT count(*) FROM samples WHERE race_id = $1", &[&race])
                .await
                .map_err(|e| format!("query: {e}"))?;
            let n: i64 = again.get(0);
            if n as usize != got.len() {
                return Err(format!("{n} rows after {} were seen", got.len()));
            }
            return Ok(got);
        }
        if Instant::now() > deadline {
            return Err(format!("only {got:?} stored within 90 s"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub fn cases() -> Vec<Case> {
    const K: &str = "Kafka `telemetry_raw`";
    vec![
        case(K, "malformed JSON", |ctx| {
            async move {
                let m = marker();
                rejected(
                    ctx,
                    format!("{{\"type\":\"frame\",\"{m}\" nope"),
                    &m,
                    "malformed JSON",
                )
                .await
            }
            .boxed_local()
        }),
        case(K, "empty record", |ctx| {
            async move {
                // An empty payload carries no marker: a marked record sent
                // right after it, on the same partition, is dead-lettered
                // after it by each consumer.
                let since = now_us();
                publish(ctx, &ctx.race, b"").await?;
                let m = marker();
                publish(ctx, &ctx.race, format!("[\"{m}\"]").as_bytes()).await?;
                let mut empty_seen = false;
                dead_letters_until(ctx, &m, |payload, reason| {
                    empty_seen |= payload.is_empty() && reason.contains("EOF");
                })
                .await?;
                if !empty_seen {
                    return Err("no dead letter for the empty record".into());
                }
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
        case(K, "valid JSON, wrong shape", |ctx| {
            async move {
                let m = marker();
                let payload = json!({"type": "frame", "v": 1, "race_id": ctx.race, "note": m});
                rejected(ctx, payload.to_string(), &m, "wrong shape").await
            }
            .boxed_local()
        }),
        case(K, "unknown record type", |ctx| {
            async move {
                let m = marker();
                let payload = json!({"type": "weather", "v": 1, "race_id": ctx.race, "note": m});
                rejected(ctx, payload.to_string(), &m, "unknown variant").await
            }
            .boxed_local()
        }),
        case(K, "unsupported schema version", |ctx| {
            async move {
                let n = marker_number();
                let mut f = frame(&ctx.race, n, vec![sample(1, 1, 200.0)]);
                f["v"] = json!(99);
                let m = format!("\"tick\":{n}");
                rejected(ctx, f.to_string(), &m, "unsupported schema version").await
            }
            .boxed_local()
        }),
        case(K, "out-of-range sample values (throttle 1.5)", |ctx| {
            async move {
                let n = marker_number();
                let mut s = sample(1, 1, 200.0);
                s["throttle"] = json!(1.5);
                let f = frame(&ctx.race, n, vec![s]);
                rejected(ctx, f.to_string(), &format!("\"tick\":{n}"), "throttle").await
            }
            .boxed_local()
        }),
        case(K, "number too large for a float (1e999)", |ctx| {
            async move {
                let n = marker_number();
                let f = frame(&ctx.race, n, vec![sample(1, 1, 200.0)]);
                let p = f
                    .to_string()
                    .replace("\"speed_kph\":200.0", "\"speed_kph\":1e999");
                if !p.contains("1e999") {
                    return Err("the case did not build".into());
                }
                rejected(ctx, p, &format!("\"tick\":{n}"), "malformed JSON").await
            }
            .boxed_local()
        }),
        case(K, "race too long to time (1e9 laps of 100 km)", |ctx| {
            async move {
                let m = marker();
                let mut r = race_started(&format!("r-{m}"));
                r["total_laps"] = json!(1_000_000_000u64);
                r["track"]["length_m"] = json!(100_000.0);
                rejected(ctx, r.to_string(), &m, "total_laps").await
            }
            .boxed_local()
        }),
        case(K, "oversize record (900 KB, truncated in the DLQ)", |ctx| {
            async move {
                let m = marker();
                let pad = "x".repeat(900 * 1024);
                let payload = format!("{{\"type\":\"frame\",\"note\":\"{m}\",\"pad\":\"{pad}\"}}");
                let since = now_us();
                publish(ctx, &ctx.race, payload.as_bytes()).await?;
                let (_, kept, original) = dead_letter(ctx, &m, "wrong shape").await?;
                if kept > 64 * 1024 {
                    return Err(format!("the dead letter kept {kept} bytes"));
                }
                if original != payload.len().to_string() {
                    return Err(format!(
                        "original_size {original:?}, sent {}",
                        payload.len()
                    ));
                }
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
        case(K, "duplicated seq (second copy differs)", |ctx| {
            async move {
                let since = now_us();
                let got =
                    seq_race(ctx, &[(1, 200.0), (2, 201.0), (2, 123.25), (3, 202.0)], 3).await?;
                let want = vec![(1, 200.0), (2, 201.0), (3, 202.0)];
                if got != want {
                    return Err(format!("stored {got:?}, expected {want:?}"));
                }
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
        case(K, "reordered seq (5 before 4)", |ctx| {
            async move {
                let since = now_us();
                let seqs = [(1, 200.0), (2, 201.0), (3, 202.0), (5, 204.0), (4, 203.0)];
                let got = seq_race(ctx, &seqs, 5).await?;
                let seqs: Vec<i64> = got.iter().map(|(s, _)| *s).collect();
                if seqs != vec![1, 2, 3, 4, 5] {
                    return Err(format!("stored seqs {seqs:?}"));
                }
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
    ]
}
