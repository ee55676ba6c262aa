//! GraphQL subscriptions at `/graphql/ws` (graphql-transport-ws) against the
//! real services: a race's leaderboard streams from its first board to the
//! race's end, and a subscription to a race that is not running gets an
//! error that names it while the connection stays usable; a foreign Origin
//! is refused, and a subscription sent over HTTP is told where to go.

mod common;

use std::time::{Duration, Instant};

use common::ws::assert_refused;
use common::{isolated_settings, TestApp, WsClient};
use pitwall::app::Role;
use serde_json::{json, Value};

const LEADERBOARD: &str = "subscription ($race: String!) { leaderboard(raceId: $race) \
                           { tsMs leaderLap entries { position carId } } }";

/// A graphql-transport-ws client: the socket and when it last pinged.
struct Client {
    ws: WsClient,
    pinged: Instant,
}

async fn connect(app: &TestApp) -> Client {
    let url = format!("{}/graphql/ws", app.base.replace("http", "ws"));
    let (_, framed) = app
        .http
        .ws(url)
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .expect("subscription socket connects");
    let mut client = Client {
        ws: WsClient { framed },
        pinged: Instant::now(),
    };
    client
        .ws
        .send(json!({"type": "connection_init", "payload": {}}))
        .await;
    let ack = next_message(&mut client, Duration::from_secs(10)).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    client
}

/// The next protocol message other than the protocol's keep-alives. The
/// server closes a connection whose client has not pinged within its
/// timeout, so this pings every second, as a graphql-ws client does with
/// its `keepAlive` option.
async fn next_message(client: &mut Client, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        if client.pinged.elapsed() >= Duration::from_secs(1) {
            client.ws.send(json!({"type": "ping"})).await;
            client.pinged = Instant::now();
        }
        let left = deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_secs(1));
        let Some(msg) = client.ws.next_json(left).await else {
            assert!(Instant::now() < deadline, "no message within {within:?}");
            continue;
        };
        match msg["type"].as_str() {
            Some("ping") => client.ws.send(json!({"type": "pong"})).await,
            Some("pong") => {}
            _ => return msg,
        }
    }
}

async fn subscribe(client: &mut Client, id: &str, race: &str) {
    client
        .ws
        .send(json!({
            "id": id,
            "type": "subscribe",
            "payload": {"query": LEADERBOARD, "variables": {"race": race}}
        }))
        .await;
}

/// The error a subscription got, if the message is one: a protocol `error`
/// or a `next` that carries errors instead of data.
fn error_of(msg: &Value) -> Option<String> {
    let errors = match msg["type"].as_str() {
        Some("error") => &msg["payload"],
        Some("next") if msg["payload"]["errors"].is_array() => &msg["payload"]["errors"],
        _ => return None,
    };
    Some(errors[0]["message"].as_str().unwrap_or_default().to_owned())
}

/// Reads the end of a refused subscription: after a `next` with errors
/// Juniper also completes it (a protocol `error` is the end by itself).
async fn finish_refused(ws: &mut Client, refusal: &Value) {
    if refusal["type"] == "next" {
        let end = next_message(ws, Duration::from_secs(10)).await;
        assert_eq!(end["type"], "complete", "{end}");
        assert_eq!(end["id"], refusal["id"], "{end}");
    }
}

#[actix_web::test]
async fn a_leaderboard_subscription_follows_a_race_to_its_end() {
    let app = TestApp::spawn(Role::All).await;
    let mut ws = connect(&app).await;

    // Not running: an error that names the race; the socket stays usable.
    subscribe(&mut ws, "nope", "r-no-such-race").await;
    let msg = next_message(&mut ws, Duration::from_secs(10)).await;
    let error = error_of(&msg).unwrap_or_else(|| panic!("an error: {msg}"));
    assert!(error.contains("r-no-such-race"), "{error}");
    finish_refused(&mut ws, &msg).await;

    let race = app
        .start_race(json!({
            "name": "Subscribed", "track": "street", "cars": 5, "laps": 2,
            "sample_hz": 10, "time_scale": 20, "seed": 11,
            "safety_car_probability": 0.0
        }))
        .await;
    // The race is running once the history or the hub knows it: until
    // then the subscription is refused, so ask again.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut attempt = 0;
    let (id, first) = loop {
        attempt += 1;
        let id = format!("board-{attempt}");
        subscribe(&mut ws, &id, &race).await;
        let msg = next_message(&mut ws, Duration::from_secs(30)).await;
        assert_eq!(msg["id"], id.as_str(), "{msg}");
        if error_of(&msg).is_none() {
            break (id, msg);
        }
        assert!(Instant::now() < deadline, "never subscribed: {msg}");
        finish_refused(&mut ws, &msg).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let mut boards = vec![first];
    loop {
        let msg = next_message(&mut ws, Duration::from_secs(60)).await;
        assert_eq!(msg["id"], id.as_str(), "{msg}");
        match msg["type"].as_str() {
            Some("next") => boards.push(msg),
            Some("complete") => break,
            _ => panic!("unexpected message: {msg}"),
        }
    }
    assert!(boards.len() >= 5, "only {} boards", boards.len());
    let mut last_ts = 0.0;
    for msg in &boards {
        assert!(error_of(msg).is_none(), "{msg}");
        let board = &msg["payload"]["data"]["leaderboard"];
        let ts = board["tsMs"].as_f64().expect("tsMs");
        assert!(ts >= last_ts, "boards out of order: {ts} after {last_ts}");
        last_ts = ts;
        let positions: Vec<i64> = board["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, vec![1, 2, 3, 4, 5], "{board}");
    }
    // The last board is the final classification: the leader did both laps.
    let last = &boards.last().unwrap()["payload"]["data"]["leaderboard"];
    assert!(last["leaderLap"].as_i64().unwrap() >= 2, "{last}");

    // The race is over: subscribing again is refused with its status.
    app.wait_race_status(&race, "finished", Duration::from_secs(60))
        .await;
    subscribe(&mut ws, "after", &race).await;
    let msg = next_message(&mut ws, Duration::from_secs(10)).await;
    let error = error_of(&msg).unwrap_or_else(|| panic!("an error: {msg}"));
    assert!(error.contains("finished"), "{error}");
    app.cleanup().await;
}

/// A race the history has running but this server's hub has no board of
/// (it ended just before, or was abandoned): the subscription waits, and
/// ends once the history no longer has the race running.
#[actix_web::test]
async fn a_subscription_without_boards_ends_when_the_race_is_no_longer_running() {
    let app = TestApp::spawn(Role::Serve).await;
    let pg = app.pg().await;
    pg.execute(
        "INSERT INTO races (race_id, name, track_id, track, total_laps, sample_hz, seed) \
         VALUES ('r-quiet', 'Quiet', 'street', '{}', 3, 10, 1)",
        &[],
    )
    .await
    .expect("race row");
    let mut ws = connect(&app).await;
    subscribe(&mut ws, "quiet", "r-quiet").await;
    // Running and silent: nothing comes, not even an error, past the
    // server's first look at the history.
    let waited = Instant::now();
    while waited.elapsed() < Duration::from_secs(7) {
        if ws.pinged.elapsed() >= Duration::from_secs(1) {
            ws.ws.send(json!({"type": "ping"})).await;
            ws.pinged = Instant::now();
        }
        if let Some(msg) = ws.ws.next_json(Duration::from_millis(500)).await {
            let keep_alive = matches!(msg["type"].as_str(), Some("ping" | "pong"));
            assert!(keep_alive, "a running race's subscription waits: {msg}");
        }
    }
    pg.execute(
        "UPDATE races SET status = 'finished' WHERE race_id = 'r-quiet'",
        &[],
    )
    .await
    .expect("finish");
    let end = next_message(&mut ws, Duration::from_secs(15)).await;
    assert_eq!(end["type"], "complete", "{end}");
    assert_eq!(end["id"], "quiet", "{end}");
    assert!(waited.elapsed() < Duration::from_secs(25));
    app.cleanup().await;
}

/// The socket keeps `/ws`'s Origin allow-list; over HTTP a subscription gets
/// an error that says where subscriptions are served.
#[actix_web::test]
async fn foreign_origins_and_subscriptions_over_http_are_refused() {
    let mut settings = isolated_settings().await;
    settings.http.allowed_origins = vec!["http://good.example".into()];
    let app = TestApp::spawn_with(settings, Role::Serve).await;
    let url = format!("{}/graphql/ws", app.base.replace("http", "ws"));
    let foreign = app
        .http
        .ws(url)
        .origin("http://bad.example")
        .protocols(["graphql-transport-ws"])
        .connect()
        .await;
    assert_refused(foreign, 403);
    let body = app
        .graphql("subscription { leaderboard(raceId: \"r-1\") { tsMs } }")
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("/graphql/ws"), "{body}");
    app.cleanup().await;
}
