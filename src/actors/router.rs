//! `Router`: the process role's entry. Receives the records of
//! `telemetry_raw` (consumer group `<prefix>-processing`), decodes and
//! validates them, and routes each to the `RaceActor` of its race, creating
//! it on `race_started`. A record that fails to decode goes to the DLQ with
//! the reason and is then acknowledged; nothing stops the stream.

use std::collections::HashMap;

use actix::prelude::*;
use log::{info, warn};
use rdkafka::message::Message;
use rdkafka::producer::FutureProducer;

use super::messages::{
    FinishRace, Incoming, PartitionsRevoked, RaceClosed, RaceControlRecord, RaceFrame, StartRace,
};
use super::race::RaceActor;
use crate::db::checkpoint::Checkpoints;
use crate::domain::board_policy::BoardPolicy;
use crate::domain::records::{decode_raw, RawRecord};
use crate::kafka::dlq::DeadLetters;
use crate::kafka::source::Ack;

pub struct Router {
    producer: FutureProducer,
    checkpoints: Checkpoints,
    processed_topic: String,
    boards: BoardPolicy,
    dlq: DeadLetters,
    /// race id → (its actor, the topic and partition it lives on)
    races: HashMap<String, (Addr<RaceActor>, String, i32)>,
}

impl Router {
    pub fn new(
        producer: FutureProducer,
        checkpoints: Checkpoints,
        processed_topic: &str,
        boards: BoardPolicy,
        dlq: DeadLetters,
    ) -> Self {
        Router {
            producer,
            checkpoints,
            processed_topic: processed_topic.to_owned(),
            boards,
            dlq,
            races: HashMap::new(),
        }
    }
}

impl Actor for Router {
    type Context = Context<Self>;
}

impl Handler<Incoming> for Router {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Incoming, ctx: &mut Context<Self>) -> Self::Result {
        let Incoming {
            message,
            ack,
            replay,
        } = msg;
        let record = match decode_raw(message.payload().unwrap_or_default()) {
            Ok(record) => record,
            Err(e) => {
                let dlq = self.dlq.clone();
                return Box::pin(async move {
                    let reason = e.to_string();
                    warn!(
                        "raw record {}/{} rejected: {reason}",
                        message.partition(),
                        message.offset()
                    );
                    match dlq.send(&message, &reason).await {
                        Ok(()) => ack.done(),
                        Err(e) => warn!("dead-letter queue unavailable: {e}"),
                    }
                });
            }
        };
        let race_id = record.race_id().to_owned();
        match record {
            RawRecord::RaceStarted(race) => {
                let (topic, partition, offset) = (
                    message.topic().to_owned(),
                    message.partition(),
                    message.offset(),
                );
                let (addr, _, _) = self.races.entry(race_id.clone()).or_insert_with(|| {
                    info!("race {race_id}: processing");
                    let actor = RaceActor::new(
                        race.clone(),
                        self.producer.clone(),
                        self.processed_topic.clone(),
                        self.boards,
                        ctx.address(),
                    );
                    (actor.start(), topic.clone(), partition)
                });
                let addr = addr.clone();
                let checkpoints = self.checkpoints.clone();
                // The checkpoint must hold the race's start before the offset
                // can pass it, or a restart could not rebuild the race.
                return Box::pin(async move {
                    if let Err(e) = checkpoints
                        .race_started(&topic, partition, &race_id, offset)
                        .await
                    {
                        warn!("race {race_id}: checkpoint not written, its start stays uncommitted: {e}");
                        addr.do_send(StartRace {
                            race,
                            ack: Ack::detached(),
                            replay,
                        });
                        return;
                    }
                    addr.do_send(StartRace { race, ack, replay });
                });
            }
            RawRecord::Frame(frame) => match self.races.get(&race_id) {
                Some((addr, _, _)) => addr.do_send(RaceFrame { frame, ack, replay }),
                None => unknown_race(&race_id, ack),
            },
            RawRecord::RaceFinished(finished) => match self.races.get(&race_id) {
                Some((addr, _, _)) => addr.do_send(FinishRace {
                    finished,
                    ack,
                    replay,
                }),
                None => unknown_race(&race_id, ack),
            },
            RawRecord::RaceControl(control) => match self.races.get(&race_id) {
                Some((addr, _, _)) => addr.do_send(RaceControlRecord {
                    control,
                    ack,
                    replay,
                }),
                None => unknown_race(&race_id, ack),
            },
        }
        Box::pin(async {})
    }
}

/// A record of a race whose `race_started` this instance never saw (it was
/// before the committed offset). Without the track the race cannot be timed.
/// A record of a race whose `race_started` this instance never saw: before
/// the checkpoint (processing started after the race) or after it finished.
/// Without the track the race cannot be timed.
fn unknown_race(race_id: &str, ack: Ack) {
    log::debug!("race {race_id}: record for a race this instance does not know");
    ack.done();
}

impl Handler<RaceClosed> for Router {
    type Result = ();

    fn handle(&mut self, msg: RaceClosed, _: &mut Context<Self>) {
        if let Some((_, topic, partition)) = self.races.remove(&msg.race_id) {
            if msg.finished {
                let checkpoints = self.checkpoints.clone();
                actix::spawn(async move {
                    if let Err(e) = checkpoints
                        .race_closed(&topic, partition, &msg.race_id)
                        .await
                    {
                        warn!("race {}: checkpoint not cleared: {e}", msg.race_id);
                    }
                });
            }
        }
    }
}

impl Handler<PartitionsRevoked> for Router {
    type Result = ();

    fn handle(&mut self, msg: PartitionsRevoked, _: &mut Context<Self>) {
        self.races.retain(|race_id, (addr, topic, partition)| {
            let keep = !msg
                .partitions
                .iter()
                .any(|(t, p)| t == topic && p == partition);
            if !keep {
                info!("race {race_id}: partition {partition} revoked; dropping its state");
                addr.do_send(crate::actors::messages::Shutdown);
            }
            keep
        });
    }
}
