//! Shared by the integration tests: each test gets its own topics, consumer
//! groups, PostgreSQL database and Redis prefix (random names), starts the
//! application in-process on port 0 and cleans up after itself.

#![allow(dead_code)]

pub mod history;
pub mod processes;
pub mod proxy;
pub mod tansu;
pub mod ws;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pitwall::app::{Application, Role};
use pitwall::config::Settings;
use pitwall::domain::records::{decode_raw, RawRecord};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message};
use serde_json::Value;
use tokio_postgres::NoTls;

pub const ADMIN_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn random_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// A fresh PostgreSQL database, and the settings (as `PITWALL__` variables)
/// that give a test it and its own topics of `partitions` partitions, group
/// prefix and Redis prefix. Returns the test's id with them.
pub async fn isolated_vars(partitions: i32) -> (String, Vec<(String, String)>) {
    let id = random_name("t");
    let db = format!("pitwall_{id}");
    let (client, conn) = tokio_postgres::connect(ADMIN_PG, NoTls)
        .await
        .expect("postgres up");
    let driver = tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE \"{db}\""))
        .await
        .expect("create test database");
    drop(client);
    let _ = driver.await;
    let vars = [
        ("PITWALL__KAFKA__TOPICS__RAW", format!("{id}_raw")),
        (
            "PITWALL__KAFKA__TOPICS__PROCESSED",
            format!("{id}_processed"),
        ),
        ("PITWALL__KAFKA__TOPICS__DLQ", format!("{id}_dlq")),
        ("PITWALL__KAFKA__TOPICS__COMMANDS", format!("{id}_commands")),
        ("PITWALL__KAFKA__PARTITIONS", partitions.to_string()),
        ("PITWALL__KAFKA__GROUP_PREFIX", id.clone()),
        (
            "PITWALL__POSTGRES__URL",
            format!("postgres://postgres@127.0.0.1:5432/{db}"),
        ),
        ("PITWALL__REDIS__PREFIX", format!("{id}:")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    (id, vars)
}

/// Settings for an isolated test: fresh topics, groups, database and keys,
/// HTTP on a port of its own.
pub async fn isolated_settings() -> Settings {
    let (_, mut vars) = isolated_vars(2).await;
    vars.push(("PITWALL__HTTP__BIND".into(), "127.0.0.1:0".into()));
    Settings::load_from(None, vars).expect("test settings")
}

pub struct TestApp {
    pub settings: Settings,
    pub app: Option<Application>,
    pub base: String,
    pub http: awc::Client,
}

impl TestApp {
    /// Builds the application with `role` and waits until it is ready.
    pub async fn spawn(role: Role) -> TestApp {
        let settings = isolated_settings().await;
        Self::spawn_with(settings, role).await
    }

    pub async fn spawn_with(settings: Settings, role: Role) -> TestApp {
        let app = Application::build(settings.clone(), role)
            .await
            .expect("application starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let http = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        let test = TestApp {
            settings,
            app: Some(app),
            base,
            http,
        };
        test.wait_ready(Duration::from_secs(90)).await;
        test
    }

    pub async fn wait_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        let mut last = String::new();
        loop {
            if let Ok(mut resp) = self.http.get(format!("{}/readyz", self.base)).send().await {
                if resp.status().is_success() {
                    return;
                }
                last = resp
                    .body()
                    .await
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
            }
            assert!(
                Instant::now() < deadline,
                "application not ready within {within:?}: {last}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        answer(self.http.post(format!("{}{path}", self.base)), Some(body)).await
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        answer(self.http.get(format!("{}{path}", self.base)), None).await
    }

    pub async fn graphql(&self, query: &str) -> Value {
        let (status, body) = self
            .post_json("/graphql", &serde_json::json!({ "query": query }))
            .await;
        assert_eq!(status, 200, "graphql answered {status}: {body}");
        body
    }

    pub async fn start_race(&self, params: Value) -> String {
        let (status, body) = self.post_json("/api/races", &params).await;
        assert_eq!(status, 202, "start race: {body}");
        body["race_id"].as_str().expect("race id").to_string()
    }

    pub async fn pg(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.settings.postgres.url, NoTls)
            .await
            .expect("test database");
        actix_web::rt::spawn(conn);
        client
    }

    /// Waits until the history marks the race `status`. For `finished`, also
    /// until processing's last word on it is stored (the final leaderboard
    /// snapshot): the raw `race_finished` that sets the status can reach
    /// storage before the last laps that processing derives from the frames
    /// just ahead of it.
    pub async fn wait_race_status(&self, race_id: &str, status: &str, within: Duration) {
        let pg = self.pg().await;
        let deadline = Instant::now() + within;
        let sql = "SELECT r.status, EXISTS (SELECT 1 FROM leaderboard_snapshots s \
                   WHERE s.race_id = r.race_id AND s.ts_ms = r.final_ts_ms) \
                   FROM races r WHERE r.race_id = $1";
        loop {
            let row = pg.query_opt(sql, &[&race_id]).await.expect("query");
            if let Some(row) = row {
                let (now, complete): (String, bool) = (row.get(0), row.get(1));
                if now == status && (status != "finished" || complete) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "race {race_id} not {status} within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Every (car_id, seq) PostgreSQL holds for a race, repeats included.
    pub async fn stored_samples(&self, race_id: &str) -> Vec<(u32, u64)> {
        stored_samples_in(&self.pg().await, race_id).await
    }

    pub async fn ws(&self) -> WsClient {
        let (_, framed) = self
            .http
            .ws(format!("{}/ws", self.base.replace("http", "ws")))
            .connect()
            .await
            .expect("websocket connects");
        WsClient { framed }
    }

    /// Stops the application and removes its database, topics and keys.
    pub async fn cleanup(mut self) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
        cleanup_settings(&self.settings).await;
    }
}

/// Topics are left on the broker: Tansu 0.6.0's sqlite engine panics (and
/// stops serving everyone) when a deleted topic is still being fetched, so
/// deleting them would break the tests running beside this one. They are
/// small and uniquely named; `scripts/stack.sh reset` wipes the broker.
impl TestApp {
    /// Stops the application without dropping its database (another
    /// application of the same test still uses it).
    pub async fn cleanup_keep_database(mut self) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
    }
}

pub async fn cleanup_settings(settings: &Settings) {
    if let Ok(client) = deadpool_redis::Config::from_url(settings.redis.url.clone())
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
    {
        if let Ok(mut conn) = client.get().await {
            let keys: Vec<String> = deadpool_redis::redis::cmd("KEYS")
                .arg(format!("{}*", settings.redis.prefix))
                .query_async(&mut conn)
                .await
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: Result<(), _> = deadpool_redis::redis::cmd("DEL")
                    .arg(keys)
                    .query_async(&mut conn)
                    .await;
            }
        }
    }
    let db = settings
        .postgres
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if let Ok((client, conn)) = tokio_postgres::connect(ADMIN_PG, NoTls).await {
        actix_web::rt::spawn(conn);
        let _ = client
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
            .await;
    }
}

type Framed = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

pub struct WsClient {
    pub framed: Framed,
}

impl WsClient {
    pub async fn send(&mut self, value: Value) {
        self.framed
            .send(awc::ws::Message::Text(value.to_string().into()))
            .await
            .expect("websocket send");
    }

    /// The next JSON text message, answering pings on the way.
    pub async fn next_json(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.framed.next())
                .await
                .ok()??;
            match frame.ok()? {
                awc::ws::Frame::Text(bytes) => return serde_json::from_slice(&bytes).ok(),
                awc::ws::Frame::Ping(p) => {
                    let _ = self.framed.send(awc::ws::Message::Pong(p)).await;
                }
                awc::ws::Frame::Close(_) => return None,
                _ => {}
            }
        }
    }
}

/// Reads `topic` from the start with a group of its own until `race_finished`
/// of `race_id` and returns every (car_id, seq) its frames held, with how
/// many times each was seen. Independent of the application's consumers.
pub async fn raw_samples(settings: &Settings, race_id: &str, within: Duration) -> Vec<(u32, u64)> {
    let consumer = reader(settings, &settings.kafka.topics.raw);
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        let message = tokio::time::timeout_at(deadline, consumer.recv())
            .await
            .expect("race_finished read back within the deadline")
            .expect("consume");
        let Ok(record) = decode_raw(message.payload().unwrap_or_default()) else {
            continue;
        };
        match record {
            RawRecord::Frame(f) if f.race_id == race_id => {
                seen.extend(f.samples.iter().map(|s| (s.car_id, s.seq)));
            }
            RawRecord::RaceFinished(f) if f.race_id == race_id => return seen,
            _ => {}
        }
    }
}

/// A consumer of `topic` from its first record, in a group of its own that
/// never commits: an independent reader, apart from the application's.
pub fn reader(settings: &Settings, topic: &str) -> StreamConsumer {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &settings.kafka.brokers)
        .set("group.id", random_name("reader"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()
        .expect("reader");
    consumer.subscribe(&[topic]).expect("subscribe");
    consumer
}

/// Every (car_id, seq) the database behind `pg` holds for a race, repeats
/// included.
pub async fn stored_samples_in(pg: &tokio_postgres::Client, race_id: &str) -> Vec<(u32, u64)> {
    pg.query(
        "SELECT car_id, seq FROM samples WHERE race_id = $1",
        &[&race_id],
    )
    .await
    .expect("samples")
    .iter()
    .map(|r| (r.get::<_, i32>(0) as u32, r.get::<_, i64>(1) as u64))
    .collect()
}

pub fn as_set(pairs: &[(u32, u64)]) -> BTreeSet<(u32, u64)> {
    pairs.iter().copied().collect()
}

/// Sends `request` (with `body` as JSON, if any) and returns the answer's
/// status and JSON body (null when it is not JSON).
async fn answer(request: awc::ClientRequest, body: Option<&Value>) -> (u16, Value) {
    let sent = match body {
        Some(body) => request.send_json(body).await,
        None => request.send().await,
    };
    let mut resp = sent.expect("request sent");
    let status = resp.status().as_u16();
    let body = resp
        .json::<Value>()
        .limit(16 << 20)
        .await
        .unwrap_or(Value::Null);
    (status, body)
}
