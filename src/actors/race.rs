//! `RaceActor`: one per race in the process role. Owns the race's timing
//! (`domain::timing::RaceTiming`) and strategy, receives the race's records
//! in partition order, and publishes to `telemetry_processed`:
//! `lap_completed` and `pit_stop` as they happen, a `strategy` call for each
//! car at each of its line crossings (for every car when a SC/VSC changes
//! the pit loss; a `boxing` projection when a car enters the pit lane),
//! `race_status` on race control,
//! `leaderboard` every `leaderboard_interval_ms` of race clock and at once
//! when the front of the field changes, within a budget of entries per
//! second for large fields (`BoardPolicy`), and
//! `car_telemetry` for the track map.
//!
//! Delivery: a record's ack is held until every event published after it
//! has been delivered, so offsets never run ahead of what downstream has.
//! Event ids come from the race clock, so a replay publishes the same ids.

use actix::prelude::*;
use log::{error, info, warn};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord};

use super::messages::{FinishRace, RaceClosed, RaceControlRecord, RaceFrame, Shutdown, StartRace};
use super::router::Router;
use crate::domain::board_policy::BoardPolicy;
use crate::domain::events::{
    CarPosition, CarTelemetry, EventMeta, Leaderboard, ProcessedEvent, RaceState, RaceStatus,
    MAX_CARS_PER_TELEMETRY,
};
use crate::domain::leaderboard_chunks::{split, split_final};
use crate::domain::records::{Frame, RaceStarted};
use crate::domain::strategy::{
    evaluate_car, from_timing, project_pit_exit, LaneLoss, StrategyParams,
};
use crate::domain::timing::{RaceTiming, TimingEvent};
use crate::kafka::source::Ack;

/// How often a race publishes where its cars are, race clock.
pub const TELEMETRY_INTERVAL_MS: u64 = 250;

pub struct RaceActor {
    race: RaceStarted,
    timing: RaceTiming,
    strategy: StrategyParams,
    producer: FutureProducer,
    topic: String,
    boards: BoardPolicy,
    router: Addr<Router>,
    last_board_ms: Option<u64>,
    last_telemetry_ms: Option<u64>,
    /// The front of the last published leaderboard (`BoardPolicy::front`).
    last_front: Vec<u32>,
    newest_sent_at_us: u64,
    /// Acks of records whose effect is not yet in a delivered event.
    pending: Vec<Ack>,
    /// Events the producer's full queue refused; they go out first next time.
    unsent: Vec<ProcessedEvent>,
    /// The race reached its `race_finished`.
    finished: bool,
    /// The pit lane's cost as this race's stops show it, for projections.
    lane_loss: LaneLoss,
}

/// Cars that crossed the line, entered or left the pit lane in a frame.
#[derive(Debug, Default)]
struct CarsMoved {
    crossed: Vec<u32>,
    entered: Vec<u32>,
    exited: Vec<u32>,
}

impl CarsMoved {
    fn is_empty(&self) -> bool {
        self.crossed.is_empty() && self.entered.is_empty() && self.exited.is_empty()
    }

    fn all(&self) -> Vec<u32> {
        [&self.crossed, &self.entered, &self.exited]
            .into_iter()
            .flatten()
            .copied()
            .collect()
    }
}

impl RaceActor {
    pub fn new(
        race: RaceStarted,
        producer: FutureProducer,
        topic: String,
        boards: BoardPolicy,
        router: Addr<Router>,
    ) -> Self {
        let timing = RaceTiming::new(&race.race_id, &race.track, &race.entries, race.total_laps);
        RaceActor {
            race,
            timing,
            strategy: StrategyParams::default(),
            producer,
            topic,
            boards,
            router,
            last_board_ms: None,
            last_telemetry_ms: None,
            last_front: Vec::new(),
            newest_sent_at_us: 0,
            pending: Vec::new(),
            unsent: Vec::new(),
            finished: false,
            lane_loss: LaneLoss::default(),
        }
    }

    /// Feeds a frame to timing; returns the events it caused and which cars
    /// crossed the line or the pit lane's ends.
    fn ingest(&mut self, frame: &Frame) -> (Vec<ProcessedEvent>, CarsMoved) {
        let mut events = Vec::new();
        let mut moved = CarsMoved::default();
        for sample in &frame.samples {
            for event in self.timing.ingest(sample, frame.sent_at_us) {
                match &event {
                    TimingEvent::LapCompleted(lap) => moved.crossed.push(lap.car_id),
                    TimingEvent::PitEntered(pit) => moved.entered.push(pit.car_id),
                    TimingEvent::PitStop(pit) => moved.exited.push(pit.stop.car_id),
                    _ => {}
                }
                events.extend(event.to_processed());
            }
        }
        (events, moved)
    }

    /// Strategy calls: the call of each car in `evaluate` (those that just
    /// crossed the line, or everyone when a neutralisation changes the pit
    /// loss), and the pit-exit projection of each car in `entered`.
    fn strategy_calls(
        &self,
        board: &Leaderboard,
        evaluate: &[u32],
        entered: &[u32],
        ts_ms: u64,
    ) -> Vec<ProcessedEvent> {
        if evaluate.is_empty() && entered.is_empty() {
            return Vec::new();
        }
        let mut input = from_timing(&self.timing, board, self.race.track.pit_loss_ms);
        input.lane_loss_ms = self.lane_loss.estimate_ms();
        input.pit_stretch_ms = self.lane_loss.stretch_ms();
        let index = |car: &u32| input.cars.iter().position(|c| c.car_id == *car);
        let calls = evaluate
            .iter()
            .filter_map(index)
            .filter_map(|i| evaluate_car(&input, i, &self.strategy));
        let projections = entered
            .iter()
            .filter_map(index)
            .filter_map(|i| project_pit_exit(&input, i, &self.strategy));
        calls
            .chain(projections)
            .map(|call| {
                ProcessedEvent::Strategy(call.into_event(
                    &self.race.race_id,
                    ts_ms,
                    self.newest_sent_at_us,
                ))
            })
            .collect()
    }

    fn car_telemetry(&self, frame: &Frame) -> Vec<ProcessedEvent> {
        frame
            .samples
            .chunks(MAX_CARS_PER_TELEMETRY)
            .map(|chunk| {
                let first = chunk.first().map(|s| s.car_id);
                ProcessedEvent::CarTelemetry(CarTelemetry {
                    meta: EventMeta::new(
                        &self.race.race_id,
                        "car_telemetry",
                        first,
                        frame.ts_ms,
                        frame.sent_at_us,
                    ),
                    cars: chunk
                        .iter()
                        .map(|s| CarPosition {
                            car_id: s.car_id,
                            x: s.x,
                            y: s.y,
                            speed_kph: s.speed_kph,
                            lap: s.lap,
                            lap_distance_m: s.lap_distance_m,
                            pit: s.pit,
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// `board` is the leaderboard at `ts_ms`, for the leader's lap.
    fn race_status(
        &self,
        state: RaceState,
        board: &Leaderboard,
        message: String,
    ) -> ProcessedEvent {
        let ts_ms = board.meta.ts_ms;
        ProcessedEvent::RaceStatus(RaceStatus {
            meta: EventMeta::new(
                &self.race.race_id,
                "race_status",
                None,
                ts_ms,
                self.newest_sent_at_us,
            ),
            status: state,
            flag: self.timing.flag().to_owned(),
            leader_lap: board.leader_lap,
            total_laps: self.race.total_laps,
            message,
        })
    }

    /// Enqueues events; the acks held so far are released once the broker
    /// has every one of them. With nothing to publish the acks wait for the
    /// next event, so the committed offset never passes an unpublished effect.
    /// Events a full queue refuses wait in `unsent` (and the acks with them).
    /// A replayed record's events were published before it was committed:
    /// they are dropped, the state they came from is what the replay is for.
    fn publish(&mut self, events: Vec<ProcessedEvent>, replay: bool) {
        if replay {
            for ack in self.pending.drain(..) {
                ack.done();
            }
            return;
        }
        let mut queue = std::mem::take(&mut self.unsent);
        queue.extend(events);
        if queue.is_empty() {
            return;
        }
        let mut deliveries = Vec::with_capacity(queue.len());
        let mut events = queue.into_iter();
        for event in events.by_ref() {
            let payload = serde_json::to_vec(&event).unwrap_or_default();
            let record = FutureRecord::to(&self.topic)
                .key(self.race.race_id.as_str())
                .payload(&payload);
            match self.producer.send_result(record) {
                Ok(delivery) => deliveries.push((delivery, event.meta().sent_at_us)),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    self.unsent.push(event);
                    break;
                }
                // Not retriable (an event over the record limit): say so
                // loudly; holding the race back would not make it fit.
                Err((e, _)) => error!(
                    "race {}: {} event {} dropped: {e}",
                    self.race.race_id,
                    event.kind(),
                    event.meta().event_id
                ),
            }
        }
        self.unsent.extend(events);
        let acks = if self.unsent.is_empty() {
            std::mem::take(&mut self.pending)
        } else {
            Vec::new()
        };
        let race_id = self.race.race_id.clone();
        let topic = self.topic.clone();
        // Not tied to the actor: a finished race stops at once, its last
        // deliveries still release their acks.
        actix::spawn(async move {
            for (delivery, sent_at_us) in deliveries {
                match delivery.await {
                    Ok(Ok(_)) => {
                        crate::metrics::RECORDS_OUT
                            .with_label_values(&[topic.as_str(), "processing"])
                            .inc();
                        crate::metrics::observe_since("processed", sent_at_us);
                    }
                    Ok(Err((e, _))) => {
                        // The acks are dropped undone: a restart replays.
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
            finished: self.finished,
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
        let RaceFrame { frame, ack, replay } = msg;
        self.newest_sent_at_us = self.newest_sent_at_us.max(frame.sent_at_us);
        self.pending.push(ack);
        let (mut events, moved) = self.ingest(&frame);
        if frame.chunk + 1 == frame.chunks {
            let ts = frame.ts_ms;
            let order = self.timing.positions();
            let publish = self.boards.due(
                ts,
                self.last_board_ms,
                &order,
                &self.last_front,
                &moved.all(),
            );
            // Strategy and the lane-loss model need the board whenever a
            // car crossed the line or a pit-lane end, published or not.
            if publish || !moved.is_empty() {
                let board = self.timing.leaderboard(ts, self.newest_sent_at_us);
                let neutral = self.timing.neutralisation();
                self.lane_loss
                    .observe(&board, neutral, &moved.entered, &moved.exited);
                events.extend(self.strategy_calls(&board, &moved.crossed, &moved.entered, ts));
                if publish {
                    events.extend(split(board).into_iter().map(ProcessedEvent::Leaderboard));
                    self.last_board_ms = Some(ts);
                    self.last_front = self.boards.front(&order).to_vec();
                }
            }
        }
        // Every chunk of a tick carries its own cars' positions.
        if self
            .last_telemetry_ms
            .is_none_or(|last| frame.ts_ms >= last + TELEMETRY_INTERVAL_MS)
        {
            events.extend(self.car_telemetry(&frame));
            if frame.chunk + 1 == frame.chunks {
                self.last_telemetry_ms = Some(frame.ts_ms);
            }
        }
        self.publish(events, replay);
    }
}

impl Handler<RaceControlRecord> for RaceActor {
    type Result = ();

    fn handle(&mut self, msg: RaceControlRecord, _: &mut Context<Self>) {
        let RaceControlRecord {
            control,
            ack,
            replay,
        } = msg;
        self.newest_sent_at_us = self.newest_sent_at_us.max(control.sent_at_us);
        self.pending.push(ack);
        let before = self.timing.neutralisation();
        let mut events: Vec<ProcessedEvent> = self
            .timing
            .race_control(&control)
            .iter()
            .filter_map(TimingEvent::to_processed)
            .collect();
        let board = self
            .timing
            .leaderboard(control.ts_ms, self.newest_sent_at_us);
        events.push(self.race_status(RaceState::Running, &board, control.message.clone()));
        if self.timing.neutralisation() != before {
            // The pit loss just changed for everyone: a stop that did not pay
            // a moment ago may now ("box under the safety car"), so every car
            // gets a fresh call instead of waiting for its next line.
            let everyone: Vec<u32> = board.entries.iter().map(|e| e.car_id).collect();
            events.extend(self.strategy_calls(&board, &everyone, &[], control.ts_ms));
        }
        self.publish(events, replay);
    }
}

impl Handler<FinishRace> for RaceActor {
    type Result = ();

    fn handle(&mut self, msg: FinishRace, ctx: &mut Context<Self>) {
        let FinishRace {
            finished,
            ack,
            replay,
        } = msg;
        info!("race {}: finished ({})", self.race.race_id, finished.reason);
        self.newest_sent_at_us = self.newest_sent_at_us.max(finished.sent_at_us);
        self.pending.push(ack);
        let board = self
            .timing
            .leaderboard(finished.ts_ms, self.newest_sent_at_us);
        let status = self.race_status(
            RaceState::Finished,
            &board,
            format!("Race {}", finished.reason),
        );
        let mut events: Vec<ProcessedEvent> = split_final(board)
            .into_iter()
            .map(ProcessedEvent::Leaderboard)
            .collect();
        events.push(status);
        self.publish(events, replay);
        self.finished = true;
        ctx.stop();
    }
}

impl Handler<Shutdown> for RaceActor {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
