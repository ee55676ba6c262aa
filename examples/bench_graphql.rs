//! GraphQL under load, against a running `pitwall all` (or `serve` with the
//! rest of the pipeline) on the same settings:
//!
//! - live leaderboard: starts a 20-car race through the control API, waits
//!   for its leaderboard in the live view, then keeps `--clients` keep-alive
//!   connections busy with `race(id) { leaderboard { … } }` for
//!   `--seconds`, and prints requests/s and latency percentiles;
//! - telemetry history: writes one hour of one car at 10 Hz (36,000 samples)
//!   into the server's database the way storage flushes
//!   (`history::write_batch`, 20,000-sample batches), then times
//!   `telemetry(carId, from, to, maxPoints: 500)` one request at a time.
//!
//! Run it as
//!
//! ```text
//! cargo run --example bench_graphql -- --server http://127.0.0.1:18080 [--seconds 10] [--clients 32] [--server-pid PID]
//! ```
//!
//! With `--server-pid`, the server's CPU time (from `/proc`) is read around
//! the timed run and while idle with the race running beforehand, so the
//! CPU a request costs is printed beside requests/s: a figure that does not
//! depend on what else the machine is doing. The client's own CPU is
//! printed too (it shares the machine).
//!
//! PostgreSQL comes from `PITWALL__POSTGRES__URL`, which must be the
//! server's: give both processes the same environment.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use awc::Client;
use pitwall::config::Settings;
use pitwall::db::{self, history};
use pitwall::domain::records::{RaceStarted, SCHEMA_VERSION};
use pitwall::domain::sim::{RaceConfig, RaceSim};
use pitwall::loadtest::histogram::Histogram;
use serde_json::{json, Value};

const LEADERBOARD: &str = "query Live($id: String!) { race(id: $id) { status leaderboard { tsMs leaderLap entries { position carId driver team lap gapToLeaderMs intervalMs lastLapMs bestLapMs compound tyreAgeLaps pitStops status } } } }";
const TELEMETRY: &str = "query Tele($id: String!, $car: Int!) { race(id: $id) { telemetry(carId: $car, from: 0, to: 3600000, maxPoints: 500) { tsMs speedKph throttle brake gear lap lapDistanceM x y } } }";
/// One hour of race clock at 10 Hz.
const TELEMETRY_SAMPLES: u64 = 36_000;
/// The storage actor's default flush size.
const BATCH: usize = 20_000;
const TELEMETRY_QUERIES: usize = 50;

struct Args {
    server: String,
    seconds: u64,
    clients: usize,
    server_pid: Option<u32>,
}

fn args() -> Args {
    let mut a = Args {
        server: "http://127.0.0.1:8080".into(),
        seconds: 10,
        clients: 32,
        server_pid: None,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_default();
        match pair[0].as_str() {
            "--server" => a.server = value.trim_end_matches('/').to_owned(),
            "--seconds" => a.seconds = value.parse().expect("--seconds N"),
            "--clients" => a.clients = value.parse().expect("--clients N"),
            "--server-pid" => a.server_pid = Some(value.parse().expect("--server-pid PID")),
            other => panic!("unknown argument {other}; see the file's header"),
        }
    }
    a
}

async fn post(client: &Client, url: &str, body: &Value) -> (u16, Value) {
    let mut resp = client.post(url).send_json(body).await.expect("request");
    let status = resp.status().as_u16();
    let body = resp
        .json::<Value>()
        .limit(16 << 20)
        .await
        .unwrap_or(Value::Null);
    (status, body)
}

/// Starts a race and waits until GraphQL serves its leaderboard.
async fn live_race(client: &Client, server: &str) -> String {
    let (status, body) = post(
        client,
        &format!("{server}/api/races"),
        &json!({ "name": "GraphQL benchmark", "cars": 20, "laps": 50, "sample_hz": 10 }),
    )
    .await;
    assert_eq!(status, 202, "start race: {body}");
    let id = body["race_id"].as_str().expect("race_id").to_owned();
    let query = json!({ "query": LEADERBOARD, "variables": { "id": id } });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = post(client, &format!("{server}/graphql"), &query).await;
        let entries = body["data"]["race"]["leaderboard"]["entries"].as_array();
        if entries.is_some_and(|e| e.len() == 20) {
            return id;
        }
        assert!(
            Instant::now() < deadline,
            "no leaderboard for {id} within 60 s: {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

struct Load {
    latency_us: Histogram,
    requests: u64,
    errors: u64,
    bytes: u64,
}

/// `clients` connections, each sending the next request as soon as the last
/// answer is read, until `run` is over.
async fn hammer(server: &str, body: Value, clients: usize, run: Duration) -> (Load, Duration) {
    let client = Client::builder()
        .connector(awc::Connector::new().limit(clients))
        .timeout(Duration::from_secs(10))
        .finish();
    let url = format!("{server}/graphql");
    let body = actix_web::web::Bytes::from(serde_json::to_vec(&body).expect("json"));
    let load = Rc::new(RefCell::new(Load {
        latency_us: Histogram::default(),
        requests: 0,
        errors: 0,
        bytes: 0,
    }));
    let start = Instant::now();
    let end = start + run;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, body, load) =
                (client.clone(), url.clone(), body.clone(), load.clone());
            actix_web::rt::spawn(async move {
                while Instant::now() < end {
                    let t = Instant::now();
                    let answer = client
                        .post(&url)
                        .insert_header(("content-type", "application/json"))
                        .send_body(body.clone())
                        .await;
                    let ok = match answer {
                        Ok(mut resp) => {
                            let status = resp.status();
                            match resp.body().limit(16 << 20).await {
                                Ok(b) if status.is_success() => {
                                    load.borrow_mut().bytes += b.len() as u64;
                                    true
                                }
                                _ => false,
                            }
                        }
                        Err(_) => false,
                    };
                    let mut l = load.borrow_mut();
                    l.latency_us.record(t.elapsed().as_micros() as u64);
                    l.requests += 1;
                    l.errors += u64::from(!ok);
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    let Ok(load) = Rc::try_unwrap(load) else {
        panic!("a client task outlived the run");
    };
    (load.into_inner(), elapsed)
}

/// User + system CPU seconds of a process so far (`/proc/<pid>/stat`).
fn cpu_s(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces: utime is the
    // 14th field of the line, the 12th after ") ".
    let rest = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks / 100.0)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Writes one car's hour into the history as storage would, in a race of
/// its own; returns the race id, the car id and how long the writes took.
async fn telemetry_race(settings: &Settings) -> (String, i32, Duration) {
    let cfg = RaceConfig {
        track: pitwall::domain::sim::track_ids()[0].into(),
        cars: 1,
        laps: 200,
        sample_hz: 10.0,
        seed: 7,
        safety_car_probability: 0.0,
        name: "Telemetry benchmark".into(),
    };
    let mut sim = RaceSim::new(&cfg).expect("race");
    let race_id = pitwall::web::control::mint_race_id();
    let started = RaceStarted {
        v: SCHEMA_VERSION,
        race_id: race_id.clone(),
        name: cfg.name.clone(),
        track: sim.track_info(),
        total_laps: cfg.laps,
        sample_hz: cfg.sample_hz,
        seed: cfg.seed,
        entries: sim.entries(),
        ts_ms: 0,
        sent_at_us: pitwall::kafka::now_us(),
    };
    let samples: Vec<_> = (0..TELEMETRY_SAMPLES)
        .flat_map(|_| sim.step().samples)
        .collect();
    let car_id = samples.first().map_or(0, |s| s.car_id as i32);
    let pg = db::pg_pool(&settings.postgres).expect("pool");
    let t = Instant::now();
    let mut races = vec![started];
    for chunk in samples.chunks(BATCH) {
        let batch = history::HistoryBatch {
            races: std::mem::take(&mut races),
            samples: chunk.iter().map(|s| (race_id.clone(), s.clone())).collect(),
            ..Default::default()
        };
        history::write_batch(&pg, &batch)
            .await
            .expect("history write");
    }
    (race_id, car_id, t.elapsed())
}

#[actix_web::main]
async fn main() {
    let args = args();
    let settings = Settings::load(None).expect("settings");
    let client = Client::builder().timeout(Duration::from_secs(30)).finish();

    let race = live_race(&client, &args.server).await;
    let query = json!({ "query": LEADERBOARD, "variables": { "id": race } });
    // Warm the server's pools and caches before the clock runs.
    hammer(
        &args.server,
        query.clone(),
        args.clients,
        Duration::from_secs(1),
    )
    .await;
    // The server's own rate with the race running and no requests.
    let server = args.server_pid.map(|p| p.to_string());
    let idle = match server.as_deref().and_then(cpu_s) {
        Some(before) => {
            let t = Instant::now();
            tokio::time::sleep(Duration::from_secs(2)).await;
            server
                .as_deref()
                .and_then(cpu_s)
                .map(|after| (after - before) / t.elapsed().as_secs_f64())
        }
        None => None,
    };
    let (server0, client0) = (server.as_deref().and_then(cpu_s), cpu_s("self"));
    let (load, elapsed) = hammer(
        &args.server,
        query,
        args.clients,
        Duration::from_secs(args.seconds),
    )
    .await;
    let (server1, client1) = (server.as_deref().and_then(cpu_s), cpu_s("self"));
    let _ = client
        .delete(format!("{}/api/races/{race}", args.server))
        .send()
        .await;
    let s = load.latency_us.summary().expect("requests were made");
    println!(
        "Live leaderboard (20 cars), {} keep-alive clients, {:.1} s",
        args.clients,
        elapsed.as_secs_f64()
    );
    println!();
    println!("| requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | response bytes |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} of {} | {} |",
        load.requests as f64 / elapsed.as_secs_f64(),
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.max),
        load.errors,
        load.requests,
        load.bytes / load.requests.max(1)
    );
    let per_request = |cpu: f64| cpu * 1e6 / load.requests.max(1) as f64;
    if let (Some(a), Some(b), Some(idle)) = (server0, server1, idle) {
        let busy = (b - a) - idle * elapsed.as_secs_f64();
        println!();
        println!(
            "CPU a request: server {:.0} µs ({:.1} s over the run, less {:.2} core of idle race), load client {:.0} µs",
            per_request(busy),
            b - a,
            idle,
            client0
                .zip(client1)
                .map_or(f64::NAN, |(c0, c1)| per_request(c1 - c0))
        );
    }

    let (race, car, wrote) = telemetry_race(&settings).await;
    let query = json!({ "query": TELEMETRY, "variables": { "id": race, "car": car } });
    let url = format!("{}/graphql", args.server);
    let mut latency_us = Histogram::default();
    let mut first_ms = 0.0;
    let mut points = 0;
    for i in 0..=TELEMETRY_QUERIES {
        let t = Instant::now();
        let (status, body) = post(&client, &url, &query).await;
        let took = t.elapsed();
        assert_eq!(status, 200, "telemetry query: {body}");
        points = body["data"]["race"]["telemetry"]
            .as_array()
            .map_or(0, Vec::len);
        if i == 0 {
            first_ms = took.as_secs_f64() * 1000.0;
        } else {
            latency_us.record(took.as_micros() as u64);
        }
    }
    let s = latency_us.summary().expect("queries were made");
    println!();
    println!(
        "Telemetry: one car, {TELEMETRY_SAMPLES} samples (1 h at 10 Hz) written in {:.2} s, downsampled to maxPoints 500, {TELEMETRY_QUERIES} queries one at a time after a first",
        wrote.as_secs_f64()
    );
    println!();
    println!("| points returned | first ms | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {points} | {first_ms:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.max)
    );
}
