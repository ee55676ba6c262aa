//! `GET /ws`: checks the `Origin` against the allow-list and the connection
//! cap, then upgrades to a `WsSession` with the configured frame size cap.
//! The response body is the session's own frames merged with the hub's
//! queue for this connection (`actors::outbox`).

use std::time::Duration;

use actix_http::ws::Codec;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_web_actors::ws::{handshake, WebsocketContext};

use super::error::WebError;
use super::AppState;
use crate::actors::hub::CountSessions;
use crate::actors::outbox::{self, Outbound};
use crate::actors::session::{SessionConfig, WsSession};

/// Browsers always send `Origin`; other clients (load generators, tools) may
/// not, and are let in. A present `Origin` must be on the allow-list or be
/// this server itself.
pub fn origin_allowed(req: &HttpRequest, allowed: &[String]) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) else {
        return true;
    };
    super::cors::origin_allowed(origin, req.connection_info().host(), allowed)
}

pub async fn connect(
    req: HttpRequest,
    stream: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let ws = &state.settings.websocket;
    if !origin_allowed(&req, &state.settings.http.allowed_origins) {
        return Err(WebError::Forbidden("origin not allowed".into()).into());
    }
    let hub = state
        .hub
        .clone()
        .ok_or_else(|| WebError::Unavailable("this instance does not serve WebSockets".into()))?;
    let connected = hub.send(CountSessions).await.unwrap_or(usize::MAX);
    if connected >= ws.max_connections {
        return Err(WebError::Unavailable("too many connections".into()).into());
    }
    let mut response = handshake(&req)?;
    let (outbox, frames) = outbox::channel(ws.send_queue);
    let session = WsSession::new(
        hub,
        state.redis.clone(),
        state.keys.clone(),
        SessionConfig {
            heartbeat_interval: Duration::from_millis(ws.heartbeat_interval_ms),
            client_timeout: Duration::from_millis(ws.client_timeout_ms),
        },
        outbox,
    );
    let codec = Codec::new().max_size(ws.max_frame_bytes);
    let own_frames = WebsocketContext::with_codec(session, stream, codec);
    Ok(response.streaming(Outbound::new(own_frames, frames)))
}
