//! `SimulatorActor`: one per simulated race. Owns the race model, steps it at
//! the sample rate (scaled by the time scale) and publishes `race_started`,
//! one `frame` per tick (chunked for large fields), `race_control` and
//! `race_finished` to `telemetry_raw`, keyed by race id.
//!
//! Publishing never blocks the actor thread: records are enqueued with the
//! idempotent producer, and when its queue is full the race waits (the same
//! tick is retried) instead of growing memory or dropping samples.
//!
//! With checkpoints (the simulate role), the last tick the broker
//! acknowledged is kept in Redis (`sim_progress.rs`). A race resumed after a
//! crash is regenerated from its seed silently up to that tick, then
//! published from the next one, paced from there on rather than catching up
//! the time it was down. The actor stops once the race is over and every
//! record of it is acknowledged, or when the race is handed off.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use log::{error, info};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord};

use super::messages::{HandOff, SimulationEnded, StopSimulation};
use super::sim_manager::SimManager;
use super::sim_progress::{Progress, CHECKPOINT_EVERY};
use crate::db::sim_checkpoint::SimCheckpoints;
use crate::domain::commands::RaceParams;
use crate::domain::records::{
    Frame, RaceControl, RaceFinished, RaceStarted, RawRecord, SCHEMA_VERSION,
};
use crate::domain::sim::{RaceSim, Tick};
use crate::kafka::now_us;

/// Samples per frame record: 1,000 samples are ~300 KB of JSON, well under
/// the broker's 1 MB record limit.
pub const MAX_SAMPLES_PER_CHUNK: usize = 1000;
/// How often the actor wakes to publish the ticks that are due.
const WAKE: Duration = Duration::from_millis(2);
/// Ticks published per wake at most, so one race cannot hog the thread.
const MAX_TICKS_PER_WAKE: u64 = 50;
/// Ticks regenerated silently per wake when resuming.
const MAX_SILENT_TICKS_PER_WAKE: u64 = 500;

/// Counts shared with whoever wants to watch the race (the control API,
/// the load generator, tests).
#[derive(Debug, Default)]
pub struct SimCounters {
    pub samples_delivered: AtomicU64,
    pub records_failed: AtomicU64,
}

/// One record waiting for the producer.
struct Outgoing {
    payload: String,
    samples: usize,
    /// The tick this record is the last of (`race_started` ends tick 0).
    completes: Option<u64>,
}

pub struct SimulatorActor {
    race_id: String,
    params: RaceParams,
    sim: RaceSim,
    producer: FutureProducer,
    topic: String,
    manager: Addr<SimManager>,
    /// Records of the current tick not yet accepted by the producer.
    backlog: Vec<Outgoing>,
    /// Wall clock and tick from which the pacing counts.
    started_at: Instant,
    pace_from_tick: u64,
    ticks_published: u64,
    /// A resumed race: the tick up to which it was published before.
    resume_after: Option<u64>,
    progress: Arc<Progress>,
    checkpoints: Option<SimCheckpoints>,
    /// Another instance takes the race over: stop without ending it.
    handed_off: bool,
    counters: Arc<SimCounters>,
    finishing: bool,
    /// Where to write the race's ground truth when it ends, if anywhere.
    truth_dir: Option<std::path::PathBuf>,
}

impl SimulatorActor {
    pub fn new(
        race_id: String,
        params: RaceParams,
        producer: FutureProducer,
        topic: String,
        manager: Addr<SimManager>,
        counters: Arc<SimCounters>,
    ) -> Result<Self, crate::domain::sim::ConfigError> {
        let sim = RaceSim::new(&params.race_config())?;
        Ok(SimulatorActor {
            race_id,
            params,
            sim,
            producer,
            topic,
            manager,
            backlog: Vec::new(),
            started_at: Instant::now(),
            pace_from_tick: 0,
            ticks_published: 0,
            resume_after: None,
            progress: Progress::new(None),
            checkpoints: None,
            handed_off: false,
            counters,
            finishing: false,
            truth_dir: None,
        })
    }

    /// Writes the ground truth to `dir/<race id>.truth.json` when the race ends.
    pub fn with_truth_dir(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.truth_dir = dir;
        self
    }

    /// Checkpoints the acknowledged tick, and resumes after `after` (a
    /// tick published by an earlier run) when given.
    pub fn with_checkpoints(mut self, checkpoints: SimCheckpoints, after: Option<u64>) -> Self {
        self.checkpoints = Some(checkpoints);
        self.resume_after = after;
        self.progress = Progress::new(after);
        self
    }

    fn race_started(&self) -> RawRecord {
        RawRecord::RaceStarted(RaceStarted {
            v: SCHEMA_VERSION,
            race_id: self.race_id.clone(),
            name: self.params.name.clone(),
            track: self.sim.track_info(),
            total_laps: self.params.laps,
            sample_hz: self.params.sample_hz,
            seed: self.params.seed,
            entries: self.sim.entries(),
            ts_ms: 0,
            sent_at_us: now_us(),
        })
    }

    /// The records of one tick: its frame chunks, then its announcements.
    fn tick_records(&self, tick: &Tick) -> Vec<Outgoing> {
        let sent_at_us = now_us();
        let chunks = tick.samples.chunks(MAX_SAMPLES_PER_CHUNK);
        let count = chunks.len().max(1) as u32;
        let mut records: Vec<Outgoing> = chunks
            .enumerate()
            .map(|(i, samples)| {
                let frame = RawRecord::Frame(Frame {
                    v: SCHEMA_VERSION,
                    race_id: self.race_id.clone(),
                    tick: tick.tick,
                    ts_ms: tick.ts_ms,
                    sent_at_us,
                    chunk: i as u32,
                    chunks: count,
                    samples: samples.to_vec(),
                });
                Outgoing::new(to_json(&frame), samples.len())
            })
            .collect();
        records.extend(tick.control.iter().map(|a| {
            let rc = RawRecord::RaceControl(RaceControl {
                v: SCHEMA_VERSION,
                race_id: self.race_id.clone(),
                ts_ms: tick.ts_ms,
                sent_at_us,
                kind: a.kind,
                car_id: a.car_id,
                message: a.message.clone(),
            });
            Outgoing::new(to_json(&rc), 0)
        }));
        if tick.finished {
            records.push(Outgoing::new(
                self.finish_record("completed", tick.ts_ms),
                0,
            ));
        }
        if let Some(last) = records.last_mut() {
            last.completes = Some(tick.tick);
        }
        records
    }

    fn finish_record(&self, reason: &str, ts_ms: u64) -> String {
        to_json(&RawRecord::RaceFinished(RaceFinished {
            v: SCHEMA_VERSION,
            race_id: self.race_id.clone(),
            ts_ms,
            sent_at_us: now_us(),
            reason: reason.into(),
        }))
    }

    /// Enqueues the backlog in order; false when the producer queue is full.
    fn drain_backlog(&mut self) -> bool {
        while !self.backlog.is_empty() {
            let out = &self.backlog[0];
            let record = FutureRecord::to(&self.topic)
                .key(self.race_id.as_str())
                .payload(out.payload.as_str());
            match self.producer.send_result(record) {
                Ok(delivery) => {
                    let counters = self.counters.clone();
                    let progress = self.progress.clone();
                    let (samples, completes) = (out.samples as u64, out.completes);
                    let race_id = self.race_id.clone();
                    let topic = self.topic.clone();
                    progress.sent();
                    actix::spawn(async move {
                        match delivery.await {
                            Ok(Ok(_)) => {
                                crate::metrics::RECORDS_OUT
                                    .with_label_values(&[topic.as_str(), "simulator"])
                                    .inc();
                                counters
                                    .samples_delivered
                                    .fetch_add(samples, Ordering::Relaxed);
                                progress.delivered(completes);
                            }
                            Ok(Err((e, _))) => {
                                counters.records_failed.fetch_add(1, Ordering::Relaxed);
                                progress.lost();
                                error!("race {race_id}: a record was not delivered: {e}");
                            }
                            Err(_) => {
                                counters.records_failed.fetch_add(1, Ordering::Relaxed);
                                progress.lost();
                            }
                        }
                    });
                    self.backlog.remove(0);
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    return false;
                }
                Err((e, _)) => {
                    // Not retriable (e.g. record too large): dropping it
                    // silently would lose data, so the race stops loudly.
                    error!(
                        "race {}: cannot publish: {e}; stopping the race",
                        self.race_id
                    );
                    self.counters.records_failed.fetch_add(1, Ordering::Relaxed);
                    self.backlog.remove(0);
                    self.finishing = true;
                }
            }
        }
        true
    }

    fn wake(&mut self, ctx: &mut Context<Self>) {
        if self.handed_off {
            ctx.stop();
            return;
        }
        if !self.catch_up() || !self.drain_backlog() {
            return;
        }
        if self.finishing || self.sim.finished() || self.progress.failed() {
            // Stop once the broker has acknowledged (or refused) the rest.
            if self.progress.in_flight() == 0 || self.progress.failed() {
                ctx.stop();
            }
            return;
        }
        let due = if self.params.time_scale == 0.0 {
            self.ticks_published + MAX_TICKS_PER_WAKE
        } else {
            let elapsed = self.started_at.elapsed().as_secs_f64();
            self.pace_from_tick + (elapsed * self.params.sample_hz * self.params.time_scale) as u64
        };
        let mut budget = MAX_TICKS_PER_WAKE;
        while self.ticks_published < due && budget > 0 && !self.sim.finished() {
            let tick = self.sim.step();
            self.backlog = self.tick_records(&tick);
            self.ticks_published += 1;
            budget -= 1;
            if !self.drain_backlog() {
                return;
            }
        }
    }

    /// A resumed race: regenerates the ticks published before, a batch per
    /// wake, without publishing them. True once caught up; the pacing then
    /// starts from the resumed tick, so the time the race was down is not
    /// made up in a burst.
    fn catch_up(&mut self) -> bool {
        let Some(after) = self.resume_after else {
            return true;
        };
        let mut budget = MAX_SILENT_TICKS_PER_WAKE;
        while self.sim.tick() < after && budget > 0 && !self.sim.finished() {
            self.sim.step();
            budget -= 1;
        }
        if self.sim.tick() < after && !self.sim.finished() {
            return false;
        }
        info!(
            "race {}: regenerated {} ticks; publishing from tick {}",
            self.race_id,
            self.sim.tick(),
            self.sim.tick() + 1
        );
        self.resume_after = None;
        self.ticks_published = self.sim.tick();
        self.pace_from_tick = self.sim.tick();
        self.started_at = Instant::now();
        true
    }

    /// Over, and every record of it on the broker.
    fn completed(&self) -> bool {
        !self.handed_off
            && !self.progress.failed()
            && self.progress.in_flight() == 0
            && (self.sim.finished() || self.finishing)
    }
}

impl Outgoing {
    fn new(payload: String, samples: usize) -> Outgoing {
        Outgoing {
            payload,
            samples,
            completes: None,
        }
    }
}

fn to_json(record: &RawRecord) -> String {
    // Serialising plain data structs cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

impl Actor for SimulatorActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        info!(
            "race {}: simulating {} cars, {} laps on {} at {} Hz x{}",
            self.race_id,
            self.params.cars,
            self.params.laps,
            self.params.track,
            self.params.sample_hz,
            self.params.time_scale
        );
        if self.resume_after.is_none() {
            let mut started = Outgoing::new(to_json(&self.race_started()), 0);
            started.completes = Some(0);
            self.backlog.push(started);
        }
        self.started_at = Instant::now();
        ctx.run_interval(WAKE, Self::wake);
        if self.checkpoints.is_some() {
            ctx.run_interval(CHECKPOINT_EVERY, |act, _| {
                if let Some(checkpoints) = &act.checkpoints {
                    act.progress.checkpoint(checkpoints, &act.race_id);
                }
            });
        }
    }

    fn stopped(&mut self, ctx: &mut Context<Self>) {
        let completed = self.completed();
        // A race handed off or to be resumed has its truth written by the
        // run that ends it.
        let truth_dir = self.truth_dir.take().filter(|_| completed);
        if let Some(dir) = truth_dir {
            let truth = self.sim.truth().clone();
            let path = dir.join(format!("{}.truth.json", self.race_id));
            // Off the actor thread: a large field's truth is tens of MB.
            actix::spawn(async move {
                let written = tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(dir)?;
                    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
                    serde_json::to_writer(file, &truth).map_err(std::io::Error::other)?;
                    Ok::<_, std::io::Error>(path)
                })
                .await;
                match written {
                    Ok(Ok(path)) => info!("ground truth written to {}", path.display()),
                    Ok(Err(e)) => error!("ground truth not written: {e}"),
                    Err(e) => error!("ground truth not written: {e}"),
                }
            });
        }
        info!(
            "race {}: simulator stopped after {} ticks ({})",
            self.race_id,
            self.ticks_published,
            if completed {
                "race over"
            } else {
                "to be resumed"
            }
        );
        self.manager.do_send(SimulationEnded {
            race_id: self.race_id.clone(),
            completed,
            actor: ctx.address(),
        });
    }
}

impl Handler<HandOff> for SimulatorActor {
    type Result = ();

    fn handle(&mut self, _: HandOff, ctx: &mut Context<Self>) {
        self.handed_off = true;
        ctx.stop();
    }
}

impl Handler<StopSimulation> for SimulatorActor {
    type Result = ();

    fn handle(&mut self, _: StopSimulation, _: &mut Context<Self>) {
        // A race still being regenerated stops where it was published to.
        while !self.catch_up() {}
        if !self.sim.finished() && !self.finishing {
            let mut record = Outgoing::new(self.finish_record("stopped", self.sim.ts_ms()), 0);
            record.completes = Some(self.sim.tick());
            self.backlog.push(record);
            self.finishing = true;
        }
    }
}
