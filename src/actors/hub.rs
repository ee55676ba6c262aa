//! `Hub`: the serve role's fan-out. Fed by its own consumer of
//! `telemetry_processed` (a group per server instance starting at the newest
//! record, so every instance sees every event), it keeps the latest
//! leaderboard of each race for new clients' snapshots and forwards each
//! event to the sessions subscribed to its race and channel. The latest
//! leaderboards are shared (`LatestBoards`) with GraphQL's live fields.
//!
//! Each event is forwarded as the bytes it arrived in, encoded into one
//! WebSocket frame shared by every session: serialised once, never per
//! client (see `outbox`). Subscriptions are indexed by race with each
//! subscriber's filter beside it (channels as a bit set), so offering an
//! event to 10,000 sessions costs one lookup of the race, not string hashing
//! per session. Each connection's queue is bounded and the hub only
//! `try_push`es, so a client that stops reading costs its own events, never
//! another client's. A client whose queue is full is coalesced: of the
//! leaderboards it could not take, the hub holds the newest per race and
//! hands it over as soon as there is room, so a slow reader still sees the
//! current order, never a backlog of stale ones. One that stays full is
//! evicted.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use actix_web::web::Bytes;
use bytestring::ByteString;
use log::{debug, info};
use rdkafka::message::Message;
use serde::Deserialize;

use crate::domain::events::Leaderboard;
use crate::domain::leaderboard_chunks::Assembler;
use crate::metrics;

use super::latest_boards::LatestBoards;
use super::messages::{
    CloseAll, Connect, Disconnect, Evict, Incoming, Snapshot, Subscribe, Unsubscribe,
};
use super::outbox::{self, Outbox, PushError};

/// The WebSocket channel an event type belongs to.
pub fn channel_of(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "leaderboard" => "leaderboard",
        "lap_completed" => "laps",
        "pit_stop" => "pits",
        "strategy" => "strategy",
        "race_status" | "race_control" => "race_control",
        "car_telemetry" => "telemetry",
        _ => return None,
    })
}

pub const CHANNELS: &[&str] = &[
    "leaderboard",
    "laps",
    "pits",
    "strategy",
    "race_control",
    "telemetry",
];

/// Consecutive full-queue sends after which a client is evicted.
const MAX_MISSED: u32 = 200;

/// How often held leaderboards are offered again to coalesced clients.
const HELD_RETRY: Duration = Duration::from_millis(100);

struct SessionEntry {
    outbox: Outbox,
    evict: Recipient<Evict>,
    /// The races this session follows (its filters are in `by_race`).
    races: HashSet<String>,
    missed: u32,
    /// Per race, the newest whole leaderboard (or snapshot) its full queue
    /// refused, as a frame.
    held: HashMap<String, Bytes>,
    /// Races subscribed to whose snapshot is not queued yet (the session is
    /// reading Redis for it), with the frames that came meanwhile: nothing
    /// overtakes a snapshot, and nothing is lost while it is made.
    awaiting_snapshot: HashMap<String, Vec<Bytes>>,
}

impl SessionEntry {
    fn new(outbox: Outbox, evict: Recipient<Evict>) -> Self {
        SessionEntry {
            outbox,
            evict,
            races: HashSet::new(),
            missed: 0,
            held: HashMap::new(),
            awaiting_snapshot: HashMap::new(),
        }
    }

    /// Queues a frame of `race_id`'s, or keeps it until the race's snapshot
    /// is queued; refused like a full queue past the queue's capacity.
    fn push(&mut self, race_id: &str, frame: &Bytes) -> Result<(), PushError> {
        if !self.awaiting_snapshot.is_empty() {
            if let Some(waiting) = self.awaiting_snapshot.get_mut(race_id) {
                if waiting.len() >= self.outbox.capacity() {
                    return Err(PushError::Full);
                }
                waiting.push(frame.clone());
                return Ok(());
            }
        }
        self.outbox.try_push(frame)
    }

    /// Hands over held leaderboards while the queue takes them.
    fn release_held(&mut self) {
        let races: Vec<String> = self
            .held
            .keys()
            .filter(|race| !self.awaiting_snapshot.contains_key(*race))
            .cloned()
            .collect();
        for race in races {
            let Some(board) = self.held.get(&race) else {
                continue;
            };
            match self.outbox.try_push(board) {
                Ok(()) => {
                    self.held.remove(&race);
                }
                Err(PushError::Full) => return,
                Err(PushError::Closed) => {
                    self.held.clear();
                    return;
                }
            }
        }
    }
}

/// The bit of a channel in `Filter::channels`; None for an unknown one.
fn channel_bit(channel: &str) -> Option<u8> {
    CHANNELS
        .iter()
        .position(|c| *c == channel)
        .map(|i| 1u8 << i)
}

/// What a session wants of one race.
struct Filter {
    /// Bits of `channel_bit`.
    channels: u8,
    /// None: every car. Events without a car (leaderboards) always pass.
    car_ids: Option<HashSet<u32>>,
}

impl Filter {
    fn wants(&self, channel: u8, car_id: Option<u32>) -> bool {
        self.channels & channel != 0
            && match (&self.car_ids, car_id) {
                (Some(cars), Some(car)) => cars.contains(&car),
                _ => true,
            }
    }
}

#[derive(Default)]
pub struct Hub {
    sessions: HashMap<usize, SessionEntry>,
    /// Race → its subscribers and what each wants.
    by_race: HashMap<String, HashMap<usize, Filter>>,
    latest: Arc<LatestBoards>,
    /// Per race: the chunks of a large leaderboard until it is whole.
    assemblers: HashMap<String, Assembler>,
    /// Event ids seen lately: processing republishes the same ids when it
    /// replays after a restart, and a client should see each event once.
    seen: RecentIds,
    next_id: usize,
}

/// The last `RECENT_IDS` event ids, for dropping duplicates.
#[derive(Default)]
struct RecentIds {
    set: HashSet<String>,
    order: VecDeque<String>,
}

const RECENT_IDS: usize = 65_536;

impl RecentIds {
    /// True the first time an id is seen.
    fn first_time(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() >= RECENT_IDS {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    race_id: &'a str,
    car_id: Option<u32>,
    event_id: &'a str,
    chunks: Option<u32>,
    #[serde(default)]
    sent_at_us: u64,
    status: Option<&'a str>,
}

impl Hub {
    /// A hub that keeps its races' newest leaderboards in `latest`.
    pub fn new(latest: Arc<LatestBoards>) -> Self {
        Hub {
            latest,
            ..Hub::default()
        }
    }

    fn drop_session(&mut self, id: usize) {
        if let Some(entry) = self.sessions.remove(&id) {
            metrics::WS_CLIENTS.set(self.sessions.len() as i64);
            for race in &entry.races {
                if let Some(ids) = self.by_race.get_mut(race) {
                    ids.remove(&id);
                    if ids.is_empty() {
                        self.by_race.remove(race);
                    }
                }
            }
        }
    }

    /// Offers `frame` to every session that wants it. `whole_board`: the
    /// event is a leaderboard in one piece, which a full queue holds back
    /// (newest wins) instead of missing; chunks of a large one are not, a
    /// client could not put mixed instants together.
    fn fan_out(
        &mut self,
        race_id: &str,
        channel: u8,
        car_id: Option<u32>,
        frame: &Bytes,
        whole_board: bool,
    ) {
        let Some(subscribers) = self.by_race.get(race_id) else {
            return;
        };
        let mut evicted = Vec::new();
        for (id, filter) in subscribers {
            if !filter.wants(channel, car_id) {
                continue;
            }
            let Some(entry) = self.sessions.get_mut(id) else {
                continue;
            };
            if !entry.held.is_empty() {
                entry.release_held();
            }
            match entry.push(race_id, frame) {
                Ok(()) => entry.missed = 0,
                Err(PushError::Full) => {
                    if whole_board {
                        metrics::WS_DROPPED.with_label_values(&["coalesced"]).inc();
                        entry.held.insert(race_id.to_owned(), frame.clone());
                    } else {
                        metrics::WS_DROPPED.with_label_values(&["queue_full"]).inc();
                    }
                    entry.missed += 1;
                    if entry.missed >= MAX_MISSED {
                        evicted.push(*id);
                    }
                }
                Err(PushError::Closed) => evicted.push(*id),
            }
        }
        for id in evicted {
            if let Some(entry) = self.sessions.get(&id) {
                info!("websocket session {id}: evicted, it stopped reading");
                metrics::WS_DROPPED.with_label_values(&["evicted"]).inc();
                entry.evict.do_send(Evict {
                    reason: "too slow: events were not read".into(),
                    going_away: false,
                });
            }
            self.drop_session(id);
        }
    }
}

impl Hub {
    /// The snapshot a new subscriber gets: the newest whole leaderboard.
    /// Chunks of a large one are put together first (serialised once per
    /// instant, not per client).
    fn remember_leaderboard(
        &mut self,
        race_id: &str,
        event: &ByteString,
        chunks: u32,
        payload: &[u8],
    ) {
        if chunks <= 1 {
            self.latest.set(race_id, event.clone());
            return;
        }
        let Ok(part) = serde_json::from_slice::<Leaderboard>(payload) else {
            return;
        };
        let assembler = self.assemblers.entry(race_id.to_owned()).or_default();
        if let Some(whole) = assembler.add(part) {
            if let Ok(json) = serde_json::to_string(&whole) {
                self.latest
                    .set_parsed(race_id, ByteString::from(json), whole);
            }
        }
    }
}

impl Actor for Hub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // A coalesced client that gets no new events still gets its held
        // leaderboard once its queue drains.
        ctx.run_interval(HELD_RETRY, |hub, _| {
            for entry in hub.sessions.values_mut() {
                if !entry.held.is_empty() {
                    entry.release_held();
                }
            }
        });
    }
}

impl Handler<Incoming> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Incoming, _: &mut Context<Self>) {
        let Incoming { message, ack, .. } = msg;
        ack.done();
        let Some(payload) = message.payload() else {
            return;
        };
        let Ok(header) = serde_json::from_slice::<Header>(payload) else {
            debug!("hub: skipping an event without type/race_id");
            return;
        };
        let Some(channel) = channel_of(header.kind).and_then(channel_bit) else {
            return;
        };
        if !self.seen.first_time(header.event_id) {
            return;
        }
        let race_id = header.race_id.to_owned();
        let Ok(text) = std::str::from_utf8(payload) else {
            return;
        };
        let event = ByteString::from(text.to_owned());
        if header.kind == "leaderboard" {
            self.remember_leaderboard(&race_id, &event, header.chunks.unwrap_or(1), payload);
        }
        if header.kind == "race_status" && header.status == Some("finished") {
            // A finished race's snapshot comes from Redis from now on; the
            // hub's memory holds running races only.
            self.latest.remove(&race_id);
            self.assemblers.remove(&race_id);
        }
        if self.by_race.contains_key(&race_id) {
            let whole_board = header.kind == "leaderboard" && header.chunks.unwrap_or(1) <= 1;
            let frame = outbox::text_frame(&event);
            self.fan_out(&race_id, channel, header.car_id, &frame, whole_board);
        }
        metrics::observe_since("websocket", header.sent_at_us);
    }
}

impl Handler<Connect> for Hub {
    type Result = usize;

    fn handle(&mut self, msg: Connect, _: &mut Context<Self>) -> usize {
        self.next_id += 1;
        self.sessions
            .insert(self.next_id, SessionEntry::new(msg.outbox, msg.evict));
        metrics::WS_CLIENTS.set(self.sessions.len() as i64);
        self.next_id
    }
}

impl Handler<Disconnect> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, _: &mut Context<Self>) {
        self.drop_session(msg.id);
    }
}

impl Handler<Subscribe> for Hub {
    type Result = Option<ByteString>;

    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) -> Self::Result {
        let entry = self.sessions.get_mut(&msg.id)?;
        entry.races.insert(msg.race_id.clone());
        entry.held.remove(&msg.race_id);
        entry
            .awaiting_snapshot
            .insert(msg.race_id.clone(), Vec::new());
        let filter = Filter {
            channels: msg
                .channels
                .iter()
                .filter_map(|c| channel_bit(c))
                .fold(0, |bits, bit| bits | bit),
            car_ids: msg.car_ids.map(|c| c.into_iter().collect()),
        };
        self.by_race
            .entry(msg.race_id.clone())
            .or_default()
            .insert(msg.id, filter);
        self.latest.get(&msg.race_id).map(|b| b.json.clone())
    }
}

impl Handler<Snapshot> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Snapshot, _: &mut Context<Self>) {
        let Some(entry) = self.sessions.get_mut(&msg.id) else {
            return;
        };
        // None: unsubscribed meanwhile.
        let Some(waiting) = entry.awaiting_snapshot.remove(&msg.race_id) else {
            return;
        };
        let snapshot = outbox::text_frame(&msg.text);
        let refused = match entry.outbox.try_push(&snapshot) {
            Ok(()) => waiting
                .iter()
                .filter(|frame| entry.outbox.try_push(frame).is_err())
                .count(),
            // Held like a refused leaderboard, which a newer one replaces;
            // what came meanwhile is older than that.
            Err(PushError::Full) => {
                entry.held.insert(msg.race_id, snapshot);
                waiting.len()
            }
            Err(PushError::Closed) => 0,
        };
        metrics::WS_DROPPED
            .with_label_values(&["queue_full"])
            .inc_by(refused as u64);
    }
}

impl Handler<Unsubscribe> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Unsubscribe, _: &mut Context<Self>) {
        if let Some(entry) = self.sessions.get_mut(&msg.id) {
            entry.races.remove(&msg.race_id);
            entry.held.remove(&msg.race_id);
            entry.awaiting_snapshot.remove(&msg.race_id);
        }
        if let Some(ids) = self.by_race.get_mut(&msg.race_id) {
            ids.remove(&msg.id);
            if ids.is_empty() {
                self.by_race.remove(&msg.race_id);
            }
        }
    }
}

/// How many sessions are connected, for `/metrics` and the connection cap.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CountSessions;

impl Handler<CountSessions> for Hub {
    type Result = usize;

    fn handle(&mut self, _: CountSessions, _: &mut Context<Self>) -> usize {
        self.sessions.len()
    }
}

impl Handler<CloseAll> for Hub {
    type Result = ();

    fn handle(&mut self, _: CloseAll, _: &mut Context<Self>) {
        for entry in self.sessions.values() {
            entry.evict.do_send(Evict {
                reason: "server shutting down".into(),
                going_away: true,
            });
        }
        self.sessions.clear();
        self.by_race.clear();
        metrics::WS_CLIENTS.set(0);
    }
}

#[cfg(test)]
#[path = "hub_tests.rs"]
mod tests;
