//! `SimManager`: the simulate role's front door. Receives the records of
//! `simulator_commands` (consumer group `<prefix>-simulator`, so each race is
//! simulated by exactly one instance), starts one `SimulatorActor` per race
//! and stops it on request; a malformed command goes to the DLQ.
//!
//! A start command's offset is acknowledged only when its race is over and
//! marked ended in the checkpoint, so a simulator that crashes mid-race
//! reads the command again on restart and resumes the race after its last
//! acknowledged tick (`db/sim_checkpoint.rs`); a command whose race ended is
//! acknowledged at once. When the commands' partition moves to another
//! instance, its races are handed off (stopped without ending) and resumed
//! there. A stop command is acknowledged once it has been passed on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use log::{info, warn};
use rdkafka::message::Message;
use rdkafka::producer::FutureProducer;

use super::messages::{
    HandOff, Incoming, PartitionsRevoked, SimulateRace, SimulationEnded, StopSimulation,
};
use super::simulator::{SimCounters, SimulatorActor};
use crate::config::SimulatorSettings;
use crate::db::sim_checkpoint::{Resume, SimCheckpoints};
use crate::domain::commands::{Command, StartCommand};
use crate::kafka::dlq::DeadLetters;
use crate::kafka::source::Ack;

/// A race whose records were not all delivered is resumed after this.
const RESUME_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// A race simulated here.
struct Running {
    actor: Addr<SimulatorActor>,
    command: StartCommand,
    /// The command's (topic, partition), to hand the race off when the
    /// partition is revoked.
    source: Option<(String, i32)>,
    /// Acknowledged when the race is over.
    ack: Option<Ack>,
}

pub struct SimManager {
    producer: FutureProducer,
    raw_topic: String,
    max_cars: u32,
    truth_dir: Option<std::path::PathBuf>,
    dlq: DeadLetters,
    checkpoints: Option<SimCheckpoints>,
    races: HashMap<String, Running>,
}

impl SimManager {
    pub fn new(
        producer: FutureProducer,
        raw_topic: &str,
        settings: &SimulatorSettings,
        dlq: DeadLetters,
    ) -> Self {
        SimManager {
            producer,
            raw_topic: raw_topic.to_owned(),
            max_cars: settings.max_cars,
            truth_dir: (!settings.truth_dir.is_empty()).then(|| settings.truth_dir.clone().into()),
            dlq,
            checkpoints: None,
            races: HashMap::new(),
        }
    }

    /// Resumes races after a crash from checkpoints kept here.
    pub fn with_checkpoints(mut self, checkpoints: SimCheckpoints) -> Self {
        self.checkpoints = Some(checkpoints);
        self
    }

    /// Starts the race, after `resume` when given. A refused command gets
    /// its ack back with the reason.
    fn start(
        &mut self,
        command: StartCommand,
        resume: Option<u64>,
        source: Option<(String, i32)>,
        ack: Option<Ack>,
        ctx: &mut Context<Self>,
    ) -> Result<(), (String, Option<Ack>)> {
        if let Some(running) = self.races.get_mut(&command.race_id) {
            // Read again while it runs here (a rebalance gave the partition
            // back): the newest read is the one whose ack counts.
            if ack.is_some() {
                running.ack = ack;
                running.source = source;
            }
            return Ok(());
        }
        if let Err(e) = command.params.validate(self.max_cars) {
            return Err((e.to_string(), ack));
        }
        let actor = SimulatorActor::new(
            command.race_id.clone(),
            command.params.clone(),
            self.producer.clone(),
            self.raw_topic.clone(),
            ctx.address(),
            Arc::new(SimCounters::default()),
        );
        let mut actor = match actor {
            Ok(actor) => actor.with_truth_dir(self.truth_dir.clone()),
            Err(e) => return Err((e.to_string(), ack)),
        };
        if let Some(checkpoints) = &self.checkpoints {
            actor = actor.with_checkpoints(checkpoints.clone(), resume);
        }
        self.races.insert(
            command.race_id.clone(),
            Running {
                actor: actor.start(),
                command,
                source,
                ack,
            },
        );
        Ok(())
    }
}

impl Actor for SimManager {
    type Context = Context<Self>;
}

/// Where a race stands, asked again until Redis answers: starting a race
/// that ended, or from the start one that ran, would publish it twice.
async fn resume_point(checkpoints: Option<SimCheckpoints>, race_id: String) -> Resume {
    let Some(checkpoints) = checkpoints else {
        return Resume::Fresh;
    };
    let mut wait = Duration::from_millis(200);
    loop {
        match checkpoints.lookup(&race_id).await {
            Ok(resume) => return resume,
            Err(e) => {
                warn!("race {race_id}: checkpoint unreadable ({e}); retrying in {wait:?}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

impl Handler<Incoming> for SimManager {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, msg: Incoming, _: &mut Context<Self>) -> Self::Result {
        let Incoming { message, ack, .. } = msg;
        let source = (message.topic().to_owned(), message.partition());
        let dlq = self.dlq.clone();
        let refuse = move |message: rdkafka::message::OwnedMessage, ack: Ack, reason: String| async move {
            warn!(
                "command at {}/{} refused: {reason}",
                message.partition(),
                message.offset()
            );
            match dlq.send(&message, &reason).await {
                Ok(()) => ack.done(),
                // Not acked: the command is read again after a restart.
                Err(e) => warn!("dead-letter queue unavailable: {e}"),
            }
        };
        match serde_json::from_slice::<Command>(message.payload().unwrap_or_default()) {
            Ok(Command::StartRace(start)) => {
                let lookup = resume_point(self.checkpoints.clone(), start.race_id.clone());
                Box::pin(lookup.into_actor(self).map(move |resume, act, ctx| {
                    let after = match resume {
                        Resume::Ended => {
                            info!("race {}: already over; not run again", start.race_id);
                            ack.done();
                            return;
                        }
                        Resume::After(tick) => {
                            info!("race {}: resuming after tick {tick}", start.race_id);
                            Some(tick)
                        }
                        Resume::Fresh => {
                            info!("starting simulation of race {}", start.race_id);
                            None
                        }
                    };
                    // Held until the race is over: shutdown need not wait.
                    ack.held();
                    if let Err((reason, ack)) =
                        act.start(start, after, Some(source), Some(ack), ctx)
                    {
                        let ack = ack.unwrap_or_else(Ack::detached);
                        ctx.spawn(fut::wrap_future(refuse(message, ack, reason)));
                    }
                }))
            }
            Ok(Command::StopRace(stop)) => {
                if let Some(running) = self.races.get(&stop.race_id) {
                    info!("stopping simulation of race {}", stop.race_id);
                    running.actor.do_send(StopSimulation {
                        race_id: stop.race_id,
                    });
                }
                ack.done();
                Box::pin(fut::ready(()))
            }
            Err(e) => Box::pin(fut::wrap_future(refuse(
                message,
                ack,
                format!("malformed command: {e}"),
            ))),
        }
    }
}

impl Handler<SimulateRace> for SimManager {
    type Result = ();

    fn handle(&mut self, msg: SimulateRace, ctx: &mut Context<Self>) {
        if let Err((e, _)) = self.start(msg.command, None, None, None, ctx) {
            warn!("race not started: {e}");
        }
    }
}

impl Handler<SimulationEnded> for SimManager {
    type Result = ();

    fn handle(&mut self, msg: SimulationEnded, ctx: &mut Context<Self>) {
        if self
            .races
            .get(&msg.race_id)
            .is_none_or(|running| running.actor != msg.actor)
        {
            // Handed off, or an older run of a race running again here.
            return;
        }
        let Some(running) = self.races.remove(&msg.race_id) else {
            return;
        };
        if msg.completed {
            let ack = running.ack;
            match self.checkpoints.clone() {
                Some(checkpoints) => {
                    actix::spawn(async move {
                        checkpoints.ended_with_retry(&msg.race_id).await;
                        if let Some(ack) = ack {
                            ack.done();
                        }
                    });
                }
                None => {
                    if let Some(ack) = ack {
                        ack.done();
                    }
                }
            }
            return;
        }
        if running.ack.is_none() || self.checkpoints.is_none() {
            // Handed off (its partition is read elsewhere now), or nowhere
            // to resume from.
            return;
        }
        warn!(
            "race {}: stopped before its end; resuming from its checkpoint in {RESUME_AFTER_FAILURE:?}",
            msg.race_id
        );
        let checkpoints = self.checkpoints.clone();
        ctx.run_later(RESUME_AFTER_FAILURE, move |act, ctx| {
            ctx.spawn(
                resume_point(checkpoints, msg.race_id.clone())
                    .into_actor(act)
                    .map(move |resume, act, ctx| {
                        let after = match resume {
                            Resume::Ended => return,
                            Resume::After(tick) => Some(tick),
                            Resume::Fresh => None,
                        };
                        let Running {
                            command,
                            source,
                            ack,
                            ..
                        } = running;
                        if let Err((e, _)) = act.start(command, after, source, ack, ctx) {
                            warn!("race {}: not resumed: {e}", msg.race_id);
                        }
                    }),
            );
        });
    }
}

impl Handler<PartitionsRevoked> for SimManager {
    type Result = ();

    /// The races of a revoked partition go to its next owner, which reads
    /// their start commands again and resumes them.
    fn handle(&mut self, msg: PartitionsRevoked, _: &mut Context<Self>) {
        self.races.retain(|race_id, running| {
            let revoked = running
                .source
                .as_ref()
                .is_some_and(|s| msg.partitions.contains(s));
            if revoked {
                info!("race {race_id}: its command's partition was revoked; handing it off");
                running.ack = None;
                running.actor.do_send(HandOff);
            }
            !revoked
        });
    }
}
