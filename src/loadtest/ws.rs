//! WebSocket clients of the load test: each connects to `<server>/ws`,
//! subscribes to the leaderboard of one race (client `i` to race `i mod R`),
//! answers the server's pings, and times every event it receives from the
//! `sent_at_us` the event carries. The snapshot sent on subscribe is counted
//! but not timed: it is the hub's memory, not a live event.
//!
//! Clients are meant to be cheap, so that thousands fit beside the server on
//! one machine: they run on two threads of their own, connections are
//! opened a bounded number at a time (a burst of 10,000 SYNs overflows the
//! server's listen backlog and costs seconds of retransmits), and a large
//! event is timed from its head alone.

use std::sync::Arc;
use std::time::Duration;

use actix_codec::Framed;
use awc::ws::{self, Codec, Frame, Message};
use awc::BoxedSocket;
use futures_util::{SinkExt, StreamExt};
use log::debug;
use tokio::sync::watch;

use super::stats::{Head, Shared};
use super::LoadtestError;
use crate::kafka::now_us;

/// Large enough for a leaderboard of the biggest field the server sends.
const MAX_FRAME: usize = 16 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections being opened at once.
const CONNECTING_AT_ONCE: usize = 200;
/// Threads the clients are spread over: on a machine shared with the server
/// (and often with builds), one thread gets too small a share of the CPU to
/// read 100,000 events a second, and its queueing would count as latency.
const CLIENT_THREADS: usize = 2;
/// Events longer than this are timed from the fields before `"entries"`
/// instead of being parsed whole: at 10,000 clients, parsing every
/// leaderboard would make the load generator the bottleneck.
const HEAD_ONLY_ABOVE: usize = 1024;
/// Errors kept for the report; the rest are only counted.
const MAX_ERRORS: usize = 5;

/// `http://host:port` → `ws://host:port/ws` (and https → wss).
pub fn ws_url(server: &str) -> Result<String, LoadtestError> {
    let server = server.trim_end_matches('/');
    let rest = if let Some(r) = server.strip_prefix("http://") {
        format!("ws://{r}")
    } else if let Some(r) = server.strip_prefix("https://") {
        format!("wss://{r}")
    } else if server.starts_with("ws://") || server.starts_with("wss://") {
        server.to_owned()
    } else {
        return Err(LoadtestError::Options(format!(
            "--server {server}: expected http://host:port"
        )));
    };
    Ok(if rest.ends_with("/ws") {
        rest
    } else {
        format!("{rest}/ws")
    })
}

/// Starts `n` clients spread over `CLIENT_THREADS` threads of their own;
/// they run until `stop` turns true. The returned handles finish once every
/// client of a thread has closed.
pub fn spawn_clients(
    url: &str,
    n: u32,
    race_ids: &[String],
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CLIENT_THREADS)
        .map(|thread| {
            let ids: Vec<usize> = (thread..n as usize).step_by(CLIENT_THREADS).collect();
            let (url, race_ids) = (url.to_owned(), race_ids.to_vec());
            let (shared, stop) = (shared.clone(), stop.clone());
            let (done, finished) = tokio::sync::oneshot::channel::<()>();
            actix::Arbiter::new().spawn(async move {
                for client in spawn_here(&url, &ids, &race_ids, shared, stop) {
                    let _ = client.await;
                }
                let _ = done.send(());
                actix::Arbiter::current().stop();
            });
            actix::spawn(async move {
                let _ = finished.await;
            })
        })
        .collect()
}

/// Starts clients number `ids` on the current thread.
fn spawn_here(
    url: &str,
    ids: &[usize],
    race_ids: &[String],
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = awc::Client::builder()
        .connector(awc::Connector::new().limit(0).timeout(CONNECT_TIMEOUT))
        .timeout(CONNECT_TIMEOUT)
        .finish();
    let connecting = Arc::new(tokio::sync::Semaphore::new(
        CONNECTING_AT_ONCE / CLIENT_THREADS,
    ));
    ids.iter()
        .filter_map(|&i| {
            let race_id = race_ids.get(i % race_ids.len().max(1))?.clone();
            let request = client.ws(url).max_frame_size(MAX_FRAME);
            let shared = shared.clone();
            let stop = stop.clone();
            let connecting = connecting.clone();
            Some(actix::spawn(async move {
                let permit = connecting.acquire_owned().await;
                match request.connect().await {
                    Ok((_, framed)) => {
                        shared.ws().connected += 1;
                        drop(permit);
                        run(framed, &race_id, &shared, stop).await;
                    }
                    Err(e) => {
                        let mut ws = shared.ws();
                        ws.failed += 1;
                        if ws.errors.len() < MAX_ERRORS {
                            ws.errors.push(format!("connect: {e}"));
                        }
                    }
                }
            }))
        })
        .collect()
}

async fn run(
    mut framed: Framed<BoxedSocket, Codec>,
    race_id: &str,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
) {
    let subscribe = serde_json::json!({
        "op": "subscribe",
        "race_id": race_id,
        "channels": ["leaderboard"],
    });
    // Whether the subscribe was answered (a snapshot, or an error): the
    // load test starts the races once every client's was.
    let mut answered = false;
    if let Err(e) = framed
        .send(Message::Text(subscribe.to_string().into()))
        .await
    {
        note_error(shared, format!("subscribe: {e}"));
    } else {
        receive(&mut framed, shared, &mut stop, &mut answered).await;
    }
    if !answered {
        shared.ws().unanswered += 1;
    }
}

/// Reads the connection until the stop signal or its end.
async fn receive(
    framed: &mut Framed<BoxedSocket, Codec>,
    shared: &Shared,
    stop: &mut watch::Receiver<bool>,
    answered: &mut bool,
) {
    // One wait for the stop signal for the whole connection: a new one per
    // frame would register with (and leave) the channel's waiter list, a
    // lock every client thread shares, twice per event.
    let stopped = stop.changed();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            biased;
            _ = &mut stopped => {
                let _ = framed
                    .send(Message::Close(Some(ws::CloseCode::Normal.into())))
                    .await;
                return;
            }
            frame = framed.next() => match frame {
                Some(Ok(Frame::Text(bytes))) => match on_text(shared, &bytes) {
                    Reply::Snapshot => *answered = true,
                    Reply::Error if !*answered => {
                        *answered = true;
                        shared.ws().unanswered += 1;
                    }
                    Reply::Error | Reply::Event => {}
                },
                Some(Ok(Frame::Ping(p))) => {
                    let _ = framed.send(Message::Pong(p)).await;
                }
                Some(Ok(Frame::Close(reason))) => {
                    debug!("loadtest websocket closed by the server: {reason:?}");
                    shared.ws().closed_by_server += 1;
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    note_error(shared, format!("receive: {e}"));
                    return;
                }
                None => {
                    shared.ws().closed_by_server += 1;
                    return;
                }
            }
        }
    }
}

/// What a text message from the server was, for the subscribe's answer.
enum Reply {
    Snapshot,
    Error,
    Event,
}

/// The event's head: parsed from the part before `"entries"` when the event
/// is large and has one (processed events put their header first), else
/// from the whole text.
fn head(bytes: &[u8]) -> Option<Head> {
    const ENTRIES: &[u8] = b",\"entries\":";
    if bytes.len() > HEAD_ONLY_ABOVE {
        let window = &bytes[..HEAD_ONLY_ABOVE];
        if let Some(at) = window.windows(ENTRIES.len()).position(|w| w == ENTRIES) {
            let mut prefix = Vec::with_capacity(at + 1);
            prefix.extend_from_slice(&bytes[..at]);
            prefix.push(b'}');
            if let Ok(head) = serde_json::from_slice::<Head>(&prefix) {
                return Some(head);
            }
        }
    }
    serde_json::from_slice::<Head>(bytes).ok()
}

fn on_text(shared: &Shared, bytes: &[u8]) -> Reply {
    let received = now_us();
    let Some(head) = head(bytes) else {
        shared.ws().path.undecodable += 1;
        return Reply::Event;
    };
    match head.kind.as_str() {
        "snapshot" => {
            shared.ws().snapshots += 1;
            return Reply::Snapshot;
        }
        "error" => return Reply::Error,
        _ => {}
    }
    if let Some(&race) = shared.races.get(&head.race_id) {
        let warmup_end = shared.warmup_end_us();
        shared
            .ws()
            .path
            .record(race, &head, received, bytes.len(), warmup_end);
    }
    Reply::Event
}

fn note_error(shared: &Shared, error: String) {
    let mut ws = shared.ws();
    if ws.errors.len() < MAX_ERRORS {
        ws.errors.push(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_become_websocket_urls() {
        assert_eq!(
            ws_url("http://127.0.0.1:8080").unwrap(),
            "ws://127.0.0.1:8080/ws"
        );
        assert_eq!(ws_url("https://h/").unwrap(), "wss://h/ws");
        assert_eq!(ws_url("ws://h:1/ws").unwrap(), "ws://h:1/ws");
        assert!(ws_url("127.0.0.1:8080").is_err());
    }

    #[test]
    fn a_large_event_is_read_from_its_head() {
        let entries: Vec<String> = (0..50)
            .map(|i| format!(r#"{{"car_id":{i},"status":"retired"}}"#))
            .collect();
        let event = format!(
            r#"{{"type":"leaderboard","v":1,"race_id":"r-1","ts_ms":5,"event_id":"e","sent_at_us":42,"chunk":0,"chunks":1,"entries":[{}]}}"#,
            entries.join(",")
        );
        assert!(event.len() > HEAD_ONLY_ABOVE);
        let h = head(event.as_bytes()).unwrap();
        assert_eq!(
            (h.kind.as_str(), h.race_id.as_str(), h.sent_at_us, h.status),
            ("leaderboard", "r-1", 42, None)
        );
        let small = r#"{"type":"race_status","race_id":"r-1","sent_at_us":7,"status":"finished"}"#;
        assert_eq!(
            head(small.as_bytes()).unwrap().status.as_deref(),
            Some("finished")
        );
    }
}
