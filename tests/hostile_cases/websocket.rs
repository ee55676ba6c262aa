//! Hostile WebSocket clients: bad requests, floods, an oversize frame, a
//! subscribe storm, a foreign origin, and a client that never reads. Each
//! must end as docs/websocket.md says (an `error`, or a close with the
//! right code) while the client following the live race keeps receiving.
//! The floods' cost in memory is noted for the report.

use std::time::Duration;

use futures_util::{FutureExt, SinkExt};
use serde_json::{json, Value};

use crate::common::ws::{expect_close_within, hub_sessions, next_frame, RawClient};
use crate::common::WsClient;
use crate::{case, now_us, rss_mb, Case, Ctx};

async fn connect(ctx: &Ctx) -> WsClient {
    ctx.app.ws().await
}

async fn send_text(ws: &mut WsClient, text: String) -> Result<(), String> {
    ws.framed
        .send(awc::ws::Message::Text(text.into()))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// The next message is an `error` whose text contains `needle`, and the
/// connection still answers a ping.
async fn answered_with_error(ws: &mut WsClient, needle: &str) -> Result<(), String> {
    let error = ws
        .next_json(Duration::from_secs(10))
        .await
        .ok_or("no answer within 10 s")?;
    let text = error["message"].as_str().unwrap_or_default();
    if error["type"] != "error" || !text.contains(needle) {
        return Err(format!("expected an error saying {needle:?}, got {error}"));
    }
    pong(ws).await
}

async fn pong(ws: &mut WsClient) -> Result<(), String> {
    ws.send(json!({"op": "ping"})).await;
    loop {
        let msg = ws
            .next_json(Duration::from_secs(30))
            .await
            .ok_or("no pong: the connection is gone")?;
        if msg["type"] == "pong" {
            return Ok(());
        }
    }
}

/// The server closes `ws` with `code` and a reason containing `needle`.
async fn closed_with(ws: &mut WsClient, code: u16, needle: &str) -> Result<(), String> {
    let (got, reason) = expect_close_within(ws, Duration::from_secs(30))
        .await
        .ok_or("no close frame within 30 s")?;
    if got != code || !reason.contains(needle) {
        return Err(format!(
            "closed with {got} {reason:?}, expected {code} {needle:?}"
        ));
    }
    Ok(())
}

pub fn cases() -> Vec<Case> {
    const W: &str = "WebSocket";
    vec![
        case(W, "invalid JSON", |ctx| {
            async move {
                let mut ws = connect(ctx).await;
                send_text(&mut ws, "{not json".into()).await?;
                answered_with_error(&mut ws, "bad request").await
            }
            .boxed_local()
        }),
        case(W, "unknown op", |ctx| {
            async move {
                let mut ws = connect(ctx).await;
                ws.send(json!({"op": "dance"})).await;
                answered_with_error(&mut ws, "dance").await
            }
            .boxed_local()
        }),
        case(W, "binary frame", |ctx| {
            async move {
                let mut ws = connect(ctx).await;
                ws.framed
                    .send(awc::ws::Message::Binary(vec![0u8, 159, 146, 150].into()))
                    .await
                    .map_err(|e| e.to_string())?;
                answered_with_error(&mut ws, "binary").await
            }
            .boxed_local()
        }),
        case(W, "foreign Origin", |ctx| {
            async move {
                let url = format!("{}/ws", ctx.app.base.replace("http", "ws"));
                match ctx
                    .app
                    .http
                    .ws(url)
                    .origin("http://evil.example")
                    .connect()
                    .await
                {
                    Err(awc::error::WsClientError::InvalidResponseStatus(s))
                        if s.as_u16() == 403 =>
                    {
                        Ok(())
                    }
                    Err(e) => Err(format!("expected 403, got {e:?}")),
                    Ok(_) => Err("a foreign origin was let in".into()),
                }
            }
            .boxed_local()
        }),
        case(W, "oversize frame", |ctx| {
            async move {
                let mut ws = connect(ctx).await;
                let huge = "x".repeat(ctx.app.settings.websocket.max_frame_bytes + 1);
                send_text(&mut ws, huge).await?;
                closed_with(&mut ws, 1009, "").await
            }
            .boxed_local()
        }),
        case(W, "subscribe storm (200 races in one burst)", |ctx| {
            async move {
                let since = now_us();
                let mut ws = connect(ctx).await;
                for i in 0..200 {
                    let request = json!({"op": "subscribe", "race_id": format!("r-storm-{i}")});
                    // The server may close before the burst is through.
                    if send_text(&mut ws, request.to_string()).await.is_err() {
                        break;
                    }
                }
                // 16 snapshots, then errors; the 21st error closes (1008).
                let mut snapshots = 0;
                loop {
                    match next_frame(&mut ws, Duration::from_secs(30)).await {
                        Some(awc::ws::Frame::Text(t)) => {
                            let msg: Value = serde_json::from_slice(&t).unwrap_or_default();
                            if msg["type"] == "snapshot" {
                                snapshots += 1;
                            }
                        }
                        Some(awc::ws::Frame::Close(Some(reason))) => {
                            let code = u16::from(reason.code);
                            if code != 1008 || snapshots > 16 {
                                return Err(format!("closed {code} after {snapshots} snapshots"));
                            }
                            break;
                        }
                        other => {
                            return Err(format!("unexpected {other:?} after {snapshots} snapshots"))
                        }
                    }
                }
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
        case(W, "malformed-message flood (1,000)", |ctx| {
            async move {
                let since = now_us();
                let mut ws = connect(ctx).await;
                for i in 0..1_000 {
                    if send_text(&mut ws, format!("garbage {i}")).await.is_err() {
                        break;
                    }
                }
                closed_with(&mut ws, 1008, "malformed").await?;
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
        case(W, "ping flood (50,000, answers unread)", |ctx| {
            async move {
                let since = now_us();
                let before = rss_mb();
                let mut ws = connect(ctx).await;
                let ping = json!({"op": "ping"}).to_string();
                for _ in 0..50_000 {
                    send_text(&mut ws, ping.clone()).await?;
                }
                ctx.race_goes_on(now_us()).await?;
                let during = rss_mb();
                // Now read: every pong arrives, or the server gave up on
                // the connection; either way it answers others.
                let mut pongs = 0;
                while let Some(msg) = ws.next_json(Duration::from_secs(10)).await {
                    if msg["type"] == "pong" {
                        pongs += 1;
                    }
                    if pongs == 50_000 {
                        break;
                    }
                }
                ctx.note(format!(
                    "Ping flood: 50,000 pings sent without reading; {pongs} pongs read back; \
                     process memory {before:.0} MB before, {during:.0} MB while unread."
                ));
                if during - before > 200.0 {
                    return Err(format!("memory grew {:.0} MB", during - before));
                }
                ctx.race_goes_on(since).await
            }
            .boxed_local()
        }),
        case(W, "client that never reads", |ctx| {
            async move {
                let before = rss_mb();
                let port = ctx.app.app.as_ref().ok_or("stopped")?.port();
                let sessions_before = hub_sessions(&ctx.app).await;
                let subscribe = json!({"op": "subscribe", "race_id": ctx.race});
                let slow = actix_web::rt::task::spawn_blocking(move || {
                    RawClient::open(port, vec![subscribe])
                })
                .await
                .map_err(|e| e.to_string())?;
                let opened = now_us();
                // The hub lets it go; meanwhile the following client keeps up.
                let deadline = std::time::Instant::now() + Duration::from_secs(90);
                let mut peak = before;
                loop {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    peak = peak.max(rss_mb());
                    if hub_sessions(&ctx.app).await <= sessions_before {
                        break;
                    }
                    if std::time::Instant::now() > deadline {
                        return Err("not evicted within 90 s".into());
                    }
                }
                let evicted_after = (now_us() - opened) / 1_000_000;
                ctx.race_goes_on(now_us()).await?;
                let (close, texts, end) = actix_web::rt::task::spawn_blocking(move || {
                    slow.drain(Duration::from_secs(60))
                })
                .await
                .map_err(|e| e.to_string())?;
                ctx.note(format!(
                    "Client that never reads: evicted after {evicted_after} s; process memory \
                     {before:.0} MB before, {peak:.0} MB at most while it held on."
                ));
                // Whichever comes first closes it, both with their reason
                // (docs/websocket.md): the hub's eviction after 200 missed
                // events, or the heartbeat, since a client that reads nothing
                // answers no ping either.
                match close {
                    Some((1008, reason)) if reason.contains("too slow") => Ok(()),
                    Some((1001, reason)) if reason.contains("heartbeat timed out") => Ok(()),
                    other => Err(format!("after {texts} messages: {other:?} ({end})")),
                }
            }
            .boxed_local()
        }),
    ]
}
