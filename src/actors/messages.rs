//! Every message the actors exchange, each with what it means.

use actix::prelude::*;
use bytestring::ByteString;
use rdkafka::message::OwnedMessage;

use super::outbox::Outbox;
use crate::domain::records::{Frame, RaceControl, RaceFinished, RaceStarted};
use crate::kafka::source::Ack;

/// A record read from Kafka, with the token that marks its effect durable.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Incoming {
    pub message: OwnedMessage,
    pub ack: Ack,
    /// Read again to rebuild state: its effects were published before.
    pub replay: bool,
}

/// This instance lost these (topic, partition)s in a rebalance.
#[derive(Message)]
#[rtype(result = "()")]
pub struct PartitionsRevoked {
    pub partitions: Vec<(String, i32)>,
}

/// To a `RaceActor`: the race was announced (or re-announced by a replay).
#[derive(Message)]
#[rtype(result = "()")]
pub struct StartRace {
    pub race: RaceStarted,
    pub ack: Ack,
    pub replay: bool,
}

/// To a `RaceActor`: the samples of one tick.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RaceFrame {
    pub frame: Frame,
    pub ack: Ack,
    pub replay: bool,
}

/// To a `RaceActor`: a race control announcement.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RaceControlRecord {
    pub control: RaceControl,
    pub ack: Ack,
    pub replay: bool,
}

/// To a `RaceActor`: the race is over; publish the final state and stop.
#[derive(Message)]
#[rtype(result = "()")]
pub struct FinishRace {
    pub finished: RaceFinished,
    pub ack: Ack,
    pub replay: bool,
}

/// To the router: a race actor has finished its race and stopped.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RaceClosed {
    pub race_id: String,
    /// The race ended (rather than its partition moving away).
    pub finished: bool,
}

/// To the simulator manager: start simulating a race.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SimulateRace {
    pub command: crate::domain::commands::StartCommand,
}

/// To the simulator manager: stop a simulated race.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopSimulation {
    pub race_id: String,
}

/// To the simulator manager: a race's simulator actor has stopped.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SimulationEnded {
    pub race_id: String,
    /// The race is over and every record of it acknowledged; false when it
    /// stopped part-way (handed off, or a record was not delivered) and
    /// must be resumed from its checkpoint.
    pub completed: bool,
    /// Which actor: a newer one may run the race already.
    pub actor: Addr<crate::actors::simulator::SimulatorActor>,
}

/// To a simulator actor: its start command's partition went to another
/// instance, which resumes the race; stop without ending it.
#[derive(Message)]
#[rtype(result = "()")]
pub struct HandOff;

/// To the hub: a WebSocket session connected; the hub answers with its id.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Connect {
    /// Where the hub queues the connection's frames.
    pub outbox: Outbox,
    pub evict: Recipient<Evict>,
}

/// To the hub: a session closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Disconnect {
    pub id: usize,
}

/// To the hub: a session wants a race's events. The hub answers with the
/// latest leaderboard it holds, if any, and keeps the race's events for
/// this session back until its `Snapshot` is queued.
#[derive(Message)]
#[rtype(result = "Option<ByteString>")]
pub struct Subscribe {
    pub id: usize,
    pub race_id: String,
    pub channels: Vec<String>,
    pub car_ids: Option<Vec<u32>>,
}

/// To the hub: the `snapshot` message answering a session's `Subscribe`,
/// to queue before the race's events that came meanwhile.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Snapshot {
    pub id: usize,
    pub race_id: String,
    pub text: String,
}

/// To the hub: a session no longer wants a race's events.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Unsubscribe {
    pub id: usize,
    pub race_id: String,
}

/// To a session: the hub gave up on this client (it stopped reading).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Evict {
    pub reason: String,
    /// The server is going away (1001) rather than refusing the client (1008).
    pub going_away: bool,
}

/// To the hub: the server shuts down; close every session with 1001.
#[derive(Message)]
#[rtype(result = "()")]
pub struct CloseAll;

/// To a `RaceActor`: stop without publishing (its partition moved away).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown;
