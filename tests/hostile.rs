//! "Nothing let in": a catalogue of hostile inputs, surface by surface
//! (Kafka `telemetry_raw`, WebSocket, GraphQL, the control API), run against
//! one real application (role `all`, a bearer token set) while a live race
//! runs and a second WebSocket client follows it. Each case says what
//! "handled" means for it and checks that, and that the race (or the other
//! client) carries on. The test fails if any case is not handled.
//!
//! With `PITWALL_HOSTILE_REPORT=path` it also writes the counts as a
//! markdown table (`scripts/guarantees.sh` splices it into
//! docs/guarantees.md), with the process's memory before and after the
//! WebSocket floods (the server runs in this process).

mod common;

mod hostile_cases;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{isolated_settings, reader, TestApp};
use futures_util::future::LocalBoxFuture;
use pitwall::app::Role;
use rdkafka::consumer::StreamConsumer;
use rdkafka::producer::FutureProducer;
use rdkafka::ClientConfig;
use serde_json::json;

pub const TOKEN: &str = "hostile-suite-token";

/// What every case gets: the application, its live race and a client
/// following it, a producer onto the broker, and a reader of the DLQ.
pub struct Ctx {
    pub app: TestApp,
    pub race: String,
    pub producer: FutureProducer,
    pub dlq: StreamConsumer,
    /// `sent_at_us` of the newest event the following client received.
    pub newest_event_us: Rc<Cell<u64>>,
    /// Notes for the report (memory figures).
    pub notes: std::cell::RefCell<Vec<String>>,
}

pub type Run = Box<dyn for<'a> Fn(&'a Ctx) -> LocalBoxFuture<'a, Result<(), String>>>;

/// One hostile input and what handling it means.
pub struct Case {
    pub surface: &'static str,
    pub name: String,
    pub run: Run,
}

pub fn case<F>(surface: &'static str, name: impl Into<String>, run: F) -> Case
where
    F: for<'a> Fn(&'a Ctx) -> LocalBoxFuture<'a, Result<(), String>> + 'static,
{
    Case {
        surface,
        name: name.into(),
        run: Box::new(run),
    }
}

pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or_default()
}

impl Ctx {
    /// The live race still produces events: one made from a frame
    /// published after `since_us` reaches the following client.
    pub async fn race_goes_on(&self, since_us: u64) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.newest_event_us.get() <= since_us {
            if Instant::now() > deadline {
                return Err("the live race's events stopped reaching the other client".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    pub fn note(&self, text: String) {
        self.notes.borrow_mut().push(text);
    }
}

/// Resident memory of this process (the server runs in it), in MB.
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn setup() -> Ctx {
    let mut settings = isolated_settings().await;
    settings.http.auth_token = TOKEN.into();
    // A small send queue, so a client that never reads is evicted soon.
    settings.websocket.send_queue = 16;
    let app = TestApp::spawn_with(settings, Role::All).await;
    let (status, body) = hostile_cases::control::post(
        &app,
        "/api/races",
        Some(TOKEN),
        &json!({
            "name": "Hostile GP", "track": "street", "cars": 20, "laps": 40,
            "sample_hz": 20, "time_scale": 10, "seed": 9, "safety_car_probability": 0.0
        }),
    )
    .await;
    assert_eq!(status, 202, "live race: {body}");
    let race = body["race_id"].as_str().expect("race id").to_string();

    // The following client: reads everything of the live race, always.
    let mut ws = app.ws().await;
    common::ws::subscribe(&mut ws, json!({"op": "subscribe", "race_id": race})).await;
    let newest_event_us = Rc::new(Cell::new(0));
    let newest = newest_event_us.clone();
    actix_web::rt::spawn(async move {
        while let Some(msg) = ws.next_json(Duration::from_secs(3_600)).await {
            if let Some(sent) = msg["sent_at_us"].as_u64() {
                newest.set(newest.get().max(sent));
            }
        }
    });
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &app.settings.kafka.brokers)
        .set("message.max.bytes", "1000000")
        .create()
        .expect("producer");
    let dlq = reader(&app.settings, &app.settings.kafka.topics.dlq);
    let ctx = Ctx {
        app,
        race,
        producer,
        dlq,
        newest_event_us,
        notes: Default::default(),
    };
    ctx.race_goes_on(0).await.expect("the live race is running");
    ctx
}

/// The markdown the report path gets: one row per surface.
fn report(results: &[(&'static str, String, Result<(), String>)], notes: &[String]) -> String {
    let mut surfaces: Vec<&str> = Vec::new();
    for (surface, _, _) in results {
        if !surfaces.contains(surface) {
            surfaces.push(surface);
        }
    }
    let mut out =
        String::from("| surface | cases tried | cases handled | cases |\n|---|---|---|---|\n");
    let (mut tried, mut handled) = (0, 0);
    for surface in surfaces {
        let of: Vec<_> = results.iter().filter(|r| r.0 == surface).collect();
        let ok = of.iter().filter(|r| r.2.is_ok()).count();
        tried += of.len();
        handled += ok;
        let names: Vec<String> = of
            .iter()
            .map(|(_, name, r)| match r {
                Ok(()) => name.clone(),
                Err(_) => format!("**{name} (not handled)**"),
            })
            .collect();
        out.push_str(&format!(
            "| {surface} | {} | {ok} | {} |\n",
            of.len(),
            names.join("; ")
        ));
    }
    out.push_str(&format!("| **all** | **{tried}** | **{handled}** | |\n"));
    for note in notes {
        out.push_str(&format!("\n{note}\n"));
    }
    out
}

#[actix_web::test]
async fn every_hostile_input_is_handled() {
    let ctx = setup().await;
    let cases = hostile_cases::all();
    let mut results = Vec::new();
    for case in &cases {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(Duration::from_secs(120), (case.run)(&ctx)).await {
            Ok(outcome) => outcome,
            Err(_) => Err("not answered within 120 s".into()),
        };
        eprintln!(
            "[{}] {}: {} ({:.1} s)",
            case.surface,
            case.name,
            match &outcome {
                Ok(()) => "handled".to_string(),
                Err(e) => format!("NOT HANDLED: {e}"),
            },
            started.elapsed().as_secs_f64()
        );
        results.push((case.surface, case.name.clone(), outcome));
    }
    let table = report(&results, &ctx.notes.borrow());
    if let Some(path) = std::env::var_os("PITWALL_HOSTILE_REPORT") {
        std::fs::write(&path, &table).expect("write the hostile report");
    }
    eprintln!("{table}");
    let (status, body) =
        hostile_cases::control::delete(&ctx.app, &format!("/api/races/{}", ctx.race), Some(TOKEN))
            .await;
    assert!(
        status == 202 || status == 400,
        "stop the live race: {status} {body}"
    );
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(s, n, r)| r.as_ref().err().map(|e| format!("[{s}] {n}: {e}")))
        .collect();
    ctx.app.cleanup().await;
    assert!(failed.is_empty(), "not handled:\n{}", failed.join("\n"));
}
