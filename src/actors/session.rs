//! `WsSession`: one per WebSocket connection (`GET /ws`). Registers with the
//! hub when it starts (handing it the connection's `Outbox`, through which
//! the hub writes events and snapshots straight to the response body) and
//! leaves when it stops; turns the client's JSON requests (`subscribe`,
//! `unsubscribe`, `ping`; see docs/websocket.md) into hub messages.
//!
//! Heartbeats find dead peers; the outbox is bounded so a client that stops
//! reading is evicted by the hub; malformed requests get an `error` message
//! and a client that keeps sending them is closed with a reason.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web_actors::ws::{self, CloseCode, CloseReason};
use log::debug;
use serde::Deserialize;

use super::hub::{Hub, CHANNELS};
use super::messages::{Connect, Disconnect, Evict, Snapshot, Subscribe, Unsubscribe};
use super::outbox::Outbox;
use crate::db::{live, Keys};

/// Malformed requests tolerated before the connection is closed.
const MAX_BAD_REQUESTS: u32 = 20;
/// Races one connection may follow at once.
const MAX_SUBSCRIPTIONS: usize = 16;

#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub heartbeat_interval: Duration,
    pub client_timeout: Duration,
}

pub struct WsSession {
    id: usize,
    hub: Addr<Hub>,
    redis: deadpool_redis::Pool,
    keys: Keys,
    config: SessionConfig,
    /// Handed to the hub on connect.
    outbox: Option<Outbox>,
    last_heard: Instant,
    bad_requests: u32,
    /// The races this connection follows.
    subscriptions: HashSet<String>,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum Request {
    Subscribe {
        race_id: String,
        #[serde(default)]
        channels: Option<Vec<String>>,
        #[serde(default)]
        car_ids: Option<Vec<u32>>,
    },
    Unsubscribe {
        race_id: String,
    },
    Ping,
}

fn error_message(message: &str) -> String {
    serde_json::json!({ "type": "error", "message": message }).to_string()
}

impl WsSession {
    pub fn new(
        hub: Addr<Hub>,
        redis: deadpool_redis::Pool,
        keys: Keys,
        config: SessionConfig,
        outbox: Outbox,
    ) -> Self {
        WsSession {
            id: 0,
            hub,
            redis,
            keys,
            config,
            outbox: Some(outbox),
            last_heard: Instant::now(),
            bad_requests: 0,
            subscriptions: HashSet::new(),
        }
    }

    fn heartbeat(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        let timeout = self.config.client_timeout;
        ctx.run_interval(self.config.heartbeat_interval, move |act, ctx| {
            if act.last_heard.elapsed() > timeout {
                debug!("websocket session {}: heartbeat timed out", act.id);
                ctx.close(Some(CloseReason {
                    code: CloseCode::Away,
                    description: Some("heartbeat timed out".into()),
                }));
                ctx.stop();
                return;
            }
            ctx.ping(b"");
        });
    }

    fn bad_request(&mut self, message: &str, ctx: &mut ws::WebsocketContext<Self>) {
        self.bad_requests += 1;
        ctx.text(error_message(message));
        if self.bad_requests > MAX_BAD_REQUESTS {
            ctx.close(Some(CloseReason {
                code: CloseCode::Policy,
                description: Some("too many malformed requests".into()),
            }));
            ctx.stop();
        }
    }

    fn request(&mut self, text: &str, ctx: &mut ws::WebsocketContext<Self>) {
        let request = match serde_json::from_str::<Request>(text) {
            Ok(r) => r,
            Err(e) => return self.bad_request(&format!("bad request: {e}"), ctx),
        };
        match request {
            Request::Ping => ctx.text(r#"{"type":"pong"}"#),
            Request::Unsubscribe { race_id } => {
                self.subscriptions.remove(&race_id);
                self.hub.do_send(Unsubscribe {
                    id: self.id,
                    race_id,
                });
            }
            Request::Subscribe {
                race_id,
                channels,
                car_ids,
            } => {
                let channels =
                    channels.unwrap_or_else(|| CHANNELS.iter().map(|c| c.to_string()).collect());
                if let Some(bad) = channels.iter().find(|c| !CHANNELS.contains(&c.as_str())) {
                    return self.bad_request(
                        &format!("unknown channel {bad:?}; channels are {CHANNELS:?}"),
                        ctx,
                    );
                }
                if race_id.is_empty() || race_id.len() > 64 {
                    return self.bad_request("race_id must be 1 to 64 characters", ctx);
                }
                // A repeat subscribe replaces the race's channels and filter.
                if !self.subscriptions.contains(&race_id)
                    && self.subscriptions.len() >= MAX_SUBSCRIPTIONS
                {
                    return self.bad_request("too many subscriptions on one connection", ctx);
                }
                self.subscriptions.insert(race_id.clone());
                self.subscribe(race_id, channels, car_ids, ctx);
            }
        }
    }

    /// Registers with the hub, then hands it the snapshot (the hub's board,
    /// else Redis's) to queue before any live event: the hub holds the
    /// race's events back until then. `ctx.wait` keeps the client's later
    /// requests behind this one.
    fn subscribe(
        &mut self,
        race_id: String,
        channels: Vec<String>,
        car_ids: Option<Vec<u32>>,
        ctx: &mut ws::WebsocketContext<Self>,
    ) {
        let hub = self.hub.clone();
        let redis = self.redis.clone();
        let keys = self.keys.clone();
        let id = self.id;
        let fut = async move {
            let from_hub = hub
                .send(Subscribe {
                    id,
                    race_id: race_id.clone(),
                    channels,
                    car_ids,
                })
                .await
                .ok()
                .flatten();
            let leaderboard = match from_hub {
                Some(json) => Some(json.to_string()),
                None => live::leaderboard(&redis, &keys, &race_id)
                    .await
                    .ok()
                    .flatten(),
            };
            let meta = live::meta(&redis, &keys, &race_id).await.ok().flatten();
            let text = snapshot(&race_id, leaderboard.as_deref(), meta.as_ref());
            hub.do_send(Snapshot { id, race_id, text });
        };
        ctx.wait(fut.into_actor(self));
    }
}

/// `{"type":"snapshot", race_id, race, leaderboard}`; the leaderboard is
/// spliced in as the JSON it was published as.
fn snapshot(race_id: &str, leaderboard: Option<&str>, meta: Option<&live::RaceMeta>) -> String {
    let race = serde_json::to_string(&meta).unwrap_or_else(|_| "null".into());
    let id = serde_json::to_string(race_id).unwrap_or_default();
    format!(
        r#"{{"type":"snapshot","race_id":{id},"race":{race},"leaderboard":{}}}"#,
        leaderboard.unwrap_or("null")
    )
}

impl Actor for WsSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.heartbeat(ctx);
        let Some(outbox) = self.outbox.take() else {
            return ctx.stop();
        };
        let connect = Connect {
            outbox,
            evict: ctx.address().recipient(),
        };
        ctx.wait(
            self.hub
                .send(connect)
                .into_actor(self)
                .map(|res, act, ctx| match res {
                    Ok(id) => act.id = id,
                    Err(_) => ctx.stop(),
                }),
        );
    }

    fn stopping(&mut self, _: &mut Self::Context) -> Running {
        self.hub.do_send(Disconnect { id: self.id });
        Running::Stop
    }
}

impl Handler<Evict> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Evict, ctx: &mut Self::Context) {
        let code = if msg.going_away {
            CloseCode::Away
        } else {
            CloseCode::Policy
        };
        ctx.close(Some(CloseReason {
            code,
            description: Some(msg.reason),
        }));
        ctx.stop();
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for WsSession {
    fn handle(&mut self, msg: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_heard = Instant::now();
        match msg {
            Ok(ws::Message::Text(text)) => self.request(&text, ctx),
            Ok(ws::Message::Ping(bytes)) => ctx.pong(&bytes),
            Ok(ws::Message::Pong(_)) => {}
            Ok(ws::Message::Binary(_)) => {
                self.bad_request("binary messages are not understood; send JSON text", ctx)
            }
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Ok(ws::Message::Continuation(_)) | Ok(ws::Message::Nop) => {}
            Err(e) => {
                let code = match e {
                    ws::ProtocolError::Overflow => CloseCode::Size,
                    _ => CloseCode::Protocol,
                };
                ctx.close(Some(CloseReason {
                    code,
                    description: Some(e.to_string()),
                }));
                ctx.stop();
            }
        }
    }
}
