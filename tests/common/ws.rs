//! WebSocket helpers shared by the tests: the hub's session count, frames
//! and close codes read off a client, subscribe and ping round trips, and
//! a raw client that reads nothing until told to.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pitwall::actors::hub::CountSessions;
use serde_json::{json, Value};

use super::{TestApp, WsClient};

/// A WebSocket upgrade the server refused with `status`.
pub fn assert_refused<T>(result: Result<T, awc::error::WsClientError>, status: u16) {
    match result {
        Err(awc::error::WsClientError::InvalidResponseStatus(got)) => {
            assert_eq!(got.as_u16(), status)
        }
        Err(other) => panic!("expected {status}, got {other:?}"),
        Ok(_) => panic!("expected {status}, the upgrade was accepted"),
    }
}

/// Sessions the hub holds right now.
pub async fn hub_sessions(app: &TestApp) -> usize {
    let hub = app
        .app
        .as_ref()
        .expect("running")
        .state()
        .hub
        .clone()
        .expect("this role serves WebSockets");
    hub.send(CountSessions).await.expect("hub alive")
}

pub async fn wait_sessions(app: &TestApp, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = hub_sessions(app).await;
        if now == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "hub holds {now} sessions, not {n}, after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The next frame of any kind, answering pings; None on timeout or end.
pub async fn next_frame(ws: &mut WsClient, within: Duration) -> Option<awc::ws::Frame> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.framed.next())
            .await
            .ok()??
            .ok()?;
        match frame {
            awc::ws::Frame::Ping(p) => {
                let _ = ws.framed.send(awc::ws::Message::Pong(p)).await;
            }
            other => return Some(other),
        }
    }
}

/// Reads until the server's close frame; returns (code, reason).
pub async fn expect_close(ws: &mut WsClient, within: Duration) -> (u16, String) {
    expect_close_within(ws, within)
        .await
        .unwrap_or_else(|| panic!("no close frame within {within:?}"))
}

/// The server's close frame (code, reason), or None if none comes within
/// `within` (or the connection ends without one).
pub async fn expect_close_within(ws: &mut WsClient, within: Duration) -> Option<(u16, String)> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next_frame(ws, left).await? {
            awc::ws::Frame::Close(Some(reason)) => {
                return Some((
                    u16::from(reason.code),
                    reason.description.unwrap_or_default(),
                ))
            }
            awc::ws::Frame::Close(None) => return Some((1005, String::new())),
            _ => continue,
        }
    }
}

/// Subscribes and returns the snapshot, which must come first.
pub async fn subscribe(ws: &mut WsClient, request: Value) -> Value {
    ws.send(request.clone()).await;
    let snapshot = ws
        .next_json(Duration::from_secs(15))
        .await
        .unwrap_or_else(|| panic!("no snapshot for {request}"));
    assert_eq!(snapshot["type"], "snapshot", "{request} → {snapshot}");
    assert_eq!(snapshot["race_id"], request["race_id"], "{snapshot}");
    snapshot
}

/// Sends a ping and waits for its pong: everything the session was sent
/// before the ping has been handled. Returns the messages before the pong.
pub async fn round_trip(ws: &mut WsClient) -> Vec<Value> {
    ws.send(json!({"op": "ping"})).await;
    let mut before = Vec::new();
    loop {
        let msg = ws
            .next_json(Duration::from_secs(10))
            .await
            .expect("pong within 10 s");
        if msg["type"] == "pong" {
            return before;
        }
        before.push(msg);
    }
}

/// A WebSocket client on a plain TCP socket, handshake done by hand, that
/// reads nothing until told to: its receive window and the server's send
/// buffer fill, and the server's writes block.
pub struct RawClient {
    pub stream: std::net::TcpStream,
}

impl RawClient {
    /// Connects, upgrades and sends `requests` as masked text frames.
    /// Blocking: call through `spawn_blocking`.
    pub fn open(port: u16, requests: Vec<Value>) -> RawClient {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        // The response head, byte by byte so nothing after it is consumed.
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("handshake response");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "handshake: {head}");
        for request in requests {
            stream
                .write_all(&masked_text(request.to_string().as_bytes()))
                .unwrap();
        }
        RawClient { stream }
    }

    /// Reads everything the server sent until its close frame (returned as
    /// code and reason), end of stream or reset (None), or `within`.
    /// Blocking. Also returns how many text frames came before.
    pub fn drain(mut self, within: Duration) -> (Option<(u16, String)>, usize, String) {
        let deadline = Instant::now() + within;
        self.stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; 1 << 16];
        let mut texts = 0;
        loop {
            // Parse every whole frame in the buffer.
            while let Some((opcode, payload, used)) = parse_frame(&buf) {
                if opcode == 0x8 {
                    let code = if payload.len() >= 2 {
                        u16::from_be_bytes([payload[0], payload[1]])
                    } else {
                        1005
                    };
                    let reason =
                        String::from_utf8_lossy(&payload[2.min(payload.len())..]).into_owned();
                    return (Some((code, reason)), texts, "close frame".into());
                }
                if opcode == 0x1 {
                    texts += 1;
                }
                buf.drain(..used);
            }
            if Instant::now() > deadline {
                return (None, texts, "deadline".into());
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return (None, texts, "end of stream".into()),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => return (None, texts, format!("read error: {e}")),
            }
        }
    }
}

pub fn masked_text(payload: &[u8]) -> Vec<u8> {
    let mask = [0x12u8, 0x34, 0x56, 0x78];
    let mut frame = vec![0x81u8];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= 0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// One unmasked server frame at the start of `buf`: (opcode, payload, bytes used).
pub fn parse_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    if buf.len() < 2 {
        return None;
    }
    let opcode = buf[0] & 0x0f;
    let (len, head) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (
            u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
            10,
        ),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    if buf.len() < head + len {
        return None;
    }
    Some((opcode, buf[head..head + len].to_vec(), head + len))
}
