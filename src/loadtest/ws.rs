//! WebSocket clients of the load test: each connects to `<server>/ws`,
//! subscribes to the leaderboard of one race (client `i` to race `i mod R`),
//! answers the server's pings, and times every event it receives from the
//! `sent_at_us` the event carries. The snapshot sent on subscribe is counted
//! but not timed: it is the hub's memory, not a live event.

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

/// Starts `n` clients on the current thread; they run until `stop` turns
/// true. The returned handles finish once each client has closed.
pub fn spawn_clients(
    url: &str,
    n: u32,
    race_ids: &[String],
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = awc::Client::builder()
        .connector(awc::Connector::new().limit(0).timeout(CONNECT_TIMEOUT))
        .timeout(CONNECT_TIMEOUT)
        .finish();
    (0..n as usize)
        .filter_map(|i| {
            let race_id = race_ids.get(i % race_ids.len().max(1))?.clone();
            let request = client.ws(url).max_frame_size(MAX_FRAME);
            let shared = shared.clone();
            let stop = stop.clone();
            Some(actix::spawn(async move {
                match request.connect().await {
                    Ok((_, framed)) => {
                        shared.ws().connected += 1;
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
    if let Err(e) = framed
        .send(Message::Text(subscribe.to_string().into()))
        .await
    {
        note_error(shared, format!("subscribe: {e}"));
        return;
    }
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => {
                let _ = framed
                    .send(Message::Close(Some(ws::CloseCode::Normal.into())))
                    .await;
                return;
            }
            frame = framed.next() => match frame {
                Some(Ok(Frame::Text(bytes))) => on_text(shared, &bytes),
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

fn on_text(shared: &Shared, bytes: &[u8]) {
    let received = now_us();
    let Ok(head) = serde_json::from_slice::<Head>(bytes) else {
        shared.ws().path.undecodable += 1;
        return;
    };
    if head.kind == "snapshot" {
        shared.ws().snapshots += 1;
        return;
    }
    if let Some(&race) = shared.races.get(&head.race_id) {
        let warmup_end = shared.warmup_end_us();
        shared
            .ws()
            .path
            .record(race, &head, received, bytes.len(), warmup_end);
    }
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
}
