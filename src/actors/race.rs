//! `RaceActor`: one per race in the process role. Owns the race's state (the
//! entry list, each car's newest sample), receives its frames in partition
//! order and publishes `leaderboard` events to `telemetry_processed`: at most
//! every `leaderboard_interval_ms` of race clock, and whenever the order
//! changes, plus a final one and a `race_status` when the race ends.
//!
//! Delivery: a record's ack is held until the first event published after it
//! has been delivered, so offsets never run ahead of what downstream has.

use std::collections::HashMap;

use actix::prelude::*;
use log::{info, warn};
use rdkafka::producer::{FutureProducer, FutureRecord};

use super::messages::{FinishRace, RaceClosed, RaceFrame, Shutdown, StartRace};
use super::router::Router;
use crate::domain::events::{EventMeta, Leaderboard, ProcessedEvent, RaceState, RaceStatus};
use crate::domain::records::{RaceStarted, Sample};
use crate::domain::standings;
use crate::kafka::source::Ack;

pub struct RaceActor {
    race: RaceStarted,
    producer: FutureProducer,
    topic: String,
    interval_ms: u64,
    router: Addr<Router>,
    latest: HashMap<u32, Sample>,
    last_published_ms: Option<u64>,
    last_order: Vec<u32>,
    newest_sent_at_us: u64,
    /// Acks of records whose effect is not yet in a delivered event.
    pending: Vec<Ack>,
}

impl RaceActor {
    pub fn new(
        race: RaceStarted,
        producer: FutureProducer,
        topic: String,
        interval_ms: u64,
        router: Addr<Router>,
    ) -> Self {
        RaceActor {
            race,
            producer,
            topic,
            interval_ms,
            router,
            latest: HashMap::new(),
            last_published_ms: None,
            last_order: Vec::new(),
            newest_sent_at_us: 0,
            pending: Vec::new(),
        }
    }

    fn leaderboard(&self, ts_ms: u64) -> Leaderboard {
        let entries = standings::order(&self.latest, &self.race.entries, self.race.track.length_m);
        Leaderboard {
            meta: EventMeta::new(
                &self.race.race_id,
                "leaderboard",
                None,
                ts_ms,
                self.newest_sent_at_us,
            ),
            total_laps: self.race.total_laps,
            leader_lap: entries.first().map(|e| e.lap).unwrap_or(0),
            entries,
        }
    }

    /// Enqueues events with the acks they cover; the acks are released once
    /// the broker has every one of them.
    fn publish(&mut self, events: Vec<ProcessedEvent>) {
        let mut deliveries = Vec::with_capacity(events.len());
        for event in &events {
            let payload = serde_json::to_vec(event).unwrap_or_default();
            let record = FutureRecord::to(&self.topic)
                .key(self.race.race_id.as_str())
                .payload(&payload);
            match self.producer.send_result(record) {
                Ok(delivery) => deliveries.push(delivery),
                Err((e, _)) => {
                    // Acks stay pending: the next event tries again, and a
                    // restart replays the records.
                    warn!("race {}: event not enqueued: {e}", self.race.race_id);
                    return;
                }
            }
        }
        let acks = std::mem::take(&mut self.pending);
        let race_id = self.race.race_id.clone();
        // Not tied to the actor: a finished race stops at once, its last
        // deliveries still release their acks.
        actix::spawn(async move {
            for delivery in deliveries {
                match delivery.await {
                    Ok(Ok(_)) => {}
                    Ok(Err((e, _))) => {
                        warn!("race {race_id}: event not delivered: {e}");
                        return;
                    }
                    Err(_) => return,
                }
            }
            for ack in acks {
                ack.done();
            }
        });
    }
}

impl Actor for RaceActor {
    type Context = Context<Self>;

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.router.do_send(RaceClosed {
            race_id: self.race.race_id.clone(),
        });
    }
}

impl Handler<StartRace> for RaceActor {
    type Result = ();

    fn handle(&mut self, msg: StartRace, _: &mut Context<Self>) {
        // The race is known from the message that created this actor; a
        // repeat (a replay) changes nothing and has no effect to wait for.
        msg.ack.done();
    }
}

impl Handler<RaceFrame> for RaceActor {
    type Result = ();

    fn handle(&mut self, msg: RaceFrame, _: &mut Context<Self>) {
        let RaceFrame { frame, ack } = msg;
        self.newest_sent_at_us = self.newest_sent_at_us.max(frame.sent_at_us);
        for sample in frame.samples {
            let newer = self
                .latest
                .get(&sample.car_id)
                .is_none_or(|old| sample.seq > old.seq);
            if newer {
                self.latest.insert(sample.car_id, sample);
            }
        }
        self.pending.push(ack);
        if frame.chunk + 1 < frame.chunks {
            return;
        }
        let due = self
            .last_published_ms
            .is_none_or(|last| frame.ts_ms >= last + self.interval_ms);
        let board = self.leaderboard(frame.ts_ms);
        let order: Vec<u32> = board.entries.iter().map(|e| e.car_id).collect();
        if due || order != self.last_order {
            self.last_published_ms = Some(frame.ts_ms);
            self.last_order = order;
            self.publish(vec![ProcessedEvent::Leaderboard(board)]);
        }
    }
}

impl Handler<FinishRace> for RaceActor {
    type Result = ();

    fn handle(&mut self, msg: FinishRace, ctx: &mut Context<Self>) {
        let FinishRace { finished, ack } = msg;
        info!("race {}: finished ({})", self.race.race_id, finished.reason);
        self.newest_sent_at_us = self.newest_sent_at_us.max(finished.sent_at_us);
        self.pending.push(ack);
        let board = self.leaderboard(finished.ts_ms);
        let status = RaceStatus {
            meta: EventMeta::new(
                &self.race.race_id,
                "race_status",
                None,
                finished.ts_ms,
                self.newest_sent_at_us,
            ),
            status: RaceState::Finished,
            flag: "chequered".into(),
            leader_lap: board.leader_lap,
            total_laps: self.race.total_laps,
            message: format!("Race {}", finished.reason),
        };
        self.publish(vec![
            ProcessedEvent::Leaderboard(board),
            ProcessedEvent::RaceStatus(status),
        ]);
        ctx.stop();
    }
}

impl Handler<Shutdown> for RaceActor {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
