//! `SimManager`: the simulate role's front door. Receives the records of
//! `simulator_commands` (consumer group `<prefix>-simulator`, so each race is
//! simulated by exactly one instance), starts one `SimulatorActor` per race
//! and stops it on request. A command's offset is stored once it has been
//! carried out; a malformed command goes to the DLQ.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use log::{info, warn};
use rdkafka::message::Message;
use rdkafka::producer::FutureProducer;

use super::messages::{Incoming, SimulateRace, SimulationEnded, StopSimulation};
use super::simulator::{SimCounters, SimulatorActor};
use crate::config::SimulatorSettings;
use crate::domain::commands::Command;
use crate::kafka::dlq::DeadLetters;

pub struct SimManager {
    producer: FutureProducer,
    raw_topic: String,
    max_cars: u32,
    truth_dir: Option<std::path::PathBuf>,
    dlq: DeadLetters,
    races: HashMap<String, (Addr<SimulatorActor>, Arc<SimCounters>)>,
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
            races: HashMap::new(),
        }
    }

    fn start(
        &mut self,
        command: crate::domain::commands::StartCommand,
        ctx: &mut Context<Self>,
    ) -> Result<(), String> {
        if self.races.contains_key(&command.race_id) {
            // A redelivered command: the race already runs here.
            return Ok(());
        }
        command
            .params
            .validate(self.max_cars)
            .map_err(|e| e.to_string())?;
        let counters = Arc::new(SimCounters::default());
        let actor = SimulatorActor::new(
            command.race_id.clone(),
            command.params,
            self.producer.clone(),
            self.raw_topic.clone(),
            ctx.address(),
            counters.clone(),
        )
        .map_err(|e| e.to_string())?
        .with_truth_dir(self.truth_dir.clone());
        self.races
            .insert(command.race_id, (actor.start(), counters));
        Ok(())
    }
}

impl Actor for SimManager {
    type Context = Context<Self>;
}

impl Handler<Incoming> for SimManager {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Incoming, ctx: &mut Context<Self>) -> Self::Result {
        let Incoming { message, ack, .. } = msg;
        let outcome = match serde_json::from_slice::<Command>(message.payload().unwrap_or_default())
        {
            Ok(Command::StartRace(start)) => {
                info!("starting simulation of race {}", start.race_id);
                self.start(start, ctx)
            }
            Ok(Command::StopRace(stop)) => {
                if let Some((addr, _)) = self.races.get(&stop.race_id) {
                    info!("stopping simulation of race {}", stop.race_id);
                    addr.do_send(StopSimulation {
                        race_id: stop.race_id,
                    });
                }
                Ok(())
            }
            Err(e) => Err(format!("malformed command: {e}")),
        };
        let dlq = self.dlq.clone();
        Box::pin(async move {
            if let Err(reason) = outcome {
                warn!(
                    "command at {}/{} refused: {reason}",
                    message.partition(),
                    message.offset()
                );
                if let Err(e) = dlq.send(&message, &reason).await {
                    // Not acked: the command is read again after a restart.
                    warn!("dead-letter queue unavailable: {e}");
                    return;
                }
            }
            ack.done();
        })
    }
}

impl Handler<SimulateRace> for SimManager {
    type Result = ();

    fn handle(&mut self, msg: SimulateRace, ctx: &mut Context<Self>) {
        if let Err(e) = self.start(msg.command, ctx) {
            warn!("race not started: {e}");
        }
    }
}

impl Handler<SimulationEnded> for SimManager {
    type Result = ();

    fn handle(&mut self, msg: SimulationEnded, _: &mut Context<Self>) {
        self.races.remove(&msg.race_id);
    }
}
