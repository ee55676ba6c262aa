//! `StorageActor`: the store role. Receives the records of `telemetry_raw`
//! and `telemetry_processed` (consumer group `<prefix>-storage`), gathers
//! them into a batch, and flushes the batch by size or time: one PostgreSQL
//! transaction (history), then one Redis pipeline (the live view), then the
//! batch's acks. So offsets are stored only after both writes succeeded.
//!
//! A flush blocks the actor's mailbox (`ctx.wait`): while PostgreSQL or Redis
//! is slow the consumer loop waits instead of queueing. A failed flush is
//! retried with backoff, never dropped; writes are idempotent, so retrying a
//! half-written batch doubles nothing. Bad records go to the DLQ.
//!
//! Every `retention_interval` it also drops the samples of races that ended
//! more than `retention_days` ago (`db::retention`), beside the flushes.

use std::collections::HashMap;
use std::time::Duration;

use actix::prelude::*;
use log::{debug, info, warn};
use rdkafka::message::Message;

use super::messages::Incoming;
use crate::db::history::{self, HistoryBatch};
use crate::db::live::{self, LiveBatch, RaceMeta};
use crate::db::{retention, DbError, Keys};
use crate::domain::events::decode_processed;
use crate::domain::events::{ProcessedEvent, RaceState};
use crate::domain::leaderboard_chunks::Assembler;
use crate::domain::records::{decode_raw, RawRecord};
use crate::kafka::dlq::DeadLetters;
use crate::kafka::source::Ack;
use crate::metrics;

const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub struct StorageActor {
    pg: deadpool_postgres::Pool,
    redis: deadpool_redis::Pool,
    keys: Keys,
    raw_topic: String,
    batch_max_samples: usize,
    flush_interval: Duration,
    finished_ttl_s: u64,
    retention_days: u32,
    retention_interval: Duration,
    dlq: DeadLetters,
    history: HistoryBatch,
    live: LiveBatch,
    acks: Vec<Ack>,
    /// Per race: race clock of the last leaderboard snapshot kept, and the
    /// newest leaderboard (kept as the final snapshot when the race ends).
    snapshots: HashMap<String, (u64, Option<(u64, serde_json::Value)>)>,
    /// Per race: the chunks of a large leaderboard until it is whole.
    assemblers: HashMap<String, Assembler>,
    /// Wall clock of the newest frame in the batch, for the stored latency.
    newest_sent_at_us: u64,
}

/// Race clock between two leaderboard snapshots in PostgreSQL.
const SNAPSHOT_EVERY_MS: u64 = 1000;

pub struct StorageConfig {
    pub raw_topic: String,
    pub batch_max_samples: usize,
    pub flush_interval: Duration,
    pub finished_ttl_s: u64,
    /// 0 keeps every race's samples.
    pub retention_days: u32,
    pub retention_interval: Duration,
}

impl StorageActor {
    pub fn new(
        pg: deadpool_postgres::Pool,
        redis: deadpool_redis::Pool,
        keys: Keys,
        config: StorageConfig,
        dlq: DeadLetters,
    ) -> Self {
        StorageActor {
            pg,
            redis,
            keys,
            raw_topic: config.raw_topic,
            batch_max_samples: config.batch_max_samples,
            flush_interval: config.flush_interval,
            finished_ttl_s: config.finished_ttl_s,
            retention_days: config.retention_days,
            retention_interval: config.retention_interval,
            dlq,
            history: HistoryBatch::default(),
            live: LiveBatch::default(),
            acks: Vec::new(),
            snapshots: HashMap::new(),
            assemblers: HashMap::new(),
            newest_sent_at_us: 0,
        }
    }

    fn add_raw(&mut self, record: RawRecord) {
        match record {
            RawRecord::RaceStarted(race) => {
                self.live.started.push(RaceMeta {
                    race_id: race.race_id.clone(),
                    name: race.name.clone(),
                    track_id: race.track.id.clone(),
                    total_laps: race.total_laps,
                    status: "running".into(),
                });
                self.history.races.push(race);
            }
            RawRecord::Frame(frame) => {
                self.newest_sent_at_us = self.newest_sent_at_us.max(frame.sent_at_us);
                let race_id = frame.race_id;
                let latest = self.live.samples.entry(race_id.clone()).or_default();
                for sample in &frame.samples {
                    latest.insert(sample.car_id, sample.clone());
                }
                self.history
                    .samples
                    .extend(frame.samples.into_iter().map(|s| (race_id.clone(), s)));
            }
            RawRecord::RaceFinished(f) => {
                let status = if f.reason == "completed" {
                    "finished"
                } else {
                    "stopped"
                };
                self.history
                    .finished
                    .push((f.race_id.clone(), f.ts_ms, status));
                self.live.finished.push((f.race_id, status));
            }
            RawRecord::RaceControl(control) => self.history.events.race_control.push(control),
        }
    }

    fn add_processed(&mut self, event: ProcessedEvent, payload: &[u8]) {
        let json = || String::from_utf8_lossy(payload).into_owned();
        let race_id = event.meta().race_id.clone();
        match event {
            ProcessedEvent::Leaderboard(board) => {
                let chunked = board.chunks > 1;
                let Some(board) = self
                    .assemblers
                    .entry(race_id.clone())
                    .or_default()
                    .add(board)
                else {
                    return;
                };
                let live_json = if chunked {
                    serde_json::to_string(&board).unwrap_or_default()
                } else {
                    json()
                };
                self.live.leaderboards.insert(race_id.clone(), live_json);
                let ts = board.meta.ts_ms;
                let value = serde_json::to_value(&board).unwrap_or_default();
                let (last, newest) = self.snapshots.entry(race_id.clone()).or_insert((0, None));
                if *last == 0 || ts >= *last + SNAPSHOT_EVERY_MS {
                    *last = ts.max(1);
                    self.history
                        .events
                        .snapshots
                        .push((race_id, ts, value.clone()));
                }
                *newest = Some((ts, value));
            }
            ProcessedEvent::LapCompleted(lap) => {
                self.live.recent.entry(race_id).or_default().push(json());
                self.history.events.laps.push(lap);
            }
            ProcessedEvent::PitStop(stop) => {
                self.live.recent.entry(race_id).or_default().push(json());
                self.history.events.pit_stops.push(stop);
            }
            ProcessedEvent::Strategy(call) => {
                self.live
                    .strategy
                    .entry(race_id)
                    .or_default()
                    .insert(call.call.car_id, json());
                self.history.events.strategy.push(call);
            }
            ProcessedEvent::RaceStatus(status) => {
                self.live.status.insert(race_id.clone(), json());
                if status.status == RaceState::Finished {
                    self.assemblers.remove(&race_id);
                    self.live.expire.push(race_id.clone());
                    // The final standing, whatever the snapshot rate said.
                    if let Some((_, Some((ts, board)))) = self.snapshots.remove(&race_id) {
                        self.history.events.snapshots.push((race_id, ts, board));
                    }
                }
            }
            ProcessedEvent::CarTelemetry(_) => {}
        }
    }

    /// Drops expired races' samples. Spawned beside the flushes rather than
    /// waited for: it shares no state with them, and a failed run (a lock
    /// not granted in time, a database away) is simply tried again next time.
    fn apply_retention(&mut self, ctx: &mut Context<Self>) {
        let (pg, days) = (self.pg.clone(), self.retention_days);
        ctx.spawn(
            async move {
                match retention::drop_expired(&pg, days).await {
                    Ok(cleared) if !cleared.is_empty() => {
                        info!("retention: dropped the samples of races {cleared:?}")
                    }
                    Ok(_) => {}
                    Err(e) => warn!("retention run failed, next in the next interval: {e}"),
                }
            }
            .into_actor(self),
        );
    }

    /// Writes the batch, retrying until it is written, then releases its acks.
    fn flush(&mut self, ctx: &mut Context<Self>) {
        if self.history.is_empty() && self.live.is_empty() && self.acks.is_empty() {
            return;
        }
        let history = std::mem::take(&mut self.history);
        let live = std::mem::take(&mut self.live);
        let acks = std::mem::take(&mut self.acks);
        let (pg, redis, keys, ttl) = (
            self.pg.clone(),
            self.redis.clone(),
            self.keys.clone(),
            self.finished_ttl_s,
        );
        let samples = history.samples.len();
        let sent_at_us = std::mem::take(&mut self.newest_sent_at_us);
        ctx.wait(
            async move {
                let mut backoff = Duration::from_millis(100);
                loop {
                    match write(&pg, &redis, &keys, &history, &live, ttl).await {
                        Ok(()) => break,
                        Err(e) => {
                            warn!("storage flush of {samples} samples failed, retrying in {backoff:?}: {e}");
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(MAX_BACKOFF);
                        }
                    }
                }
                debug!("stored {samples} samples");
                metrics::observe_since("stored", sent_at_us);
                for ack in acks {
                    ack.done();
                }
            }
            .into_actor(self),
        );
    }
}

async fn write(
    pg: &deadpool_postgres::Pool,
    redis: &deadpool_redis::Pool,
    keys: &Keys,
    history: &HistoryBatch,
    live: &LiveBatch,
    ttl: u64,
) -> Result<(), DbError> {
    if !history.is_empty() {
        let started = std::time::Instant::now();
        history::write_batch(pg, history).await?;
        metrics::FLUSH_SECONDS
            .with_label_values(&["postgres"])
            .observe(started.elapsed().as_secs_f64());
        metrics::BATCH_SIZE
            .with_label_values(&["postgres"])
            .observe(history.samples.len() as f64);
    }
    if !live.is_empty() {
        let started = std::time::Instant::now();
        live::write_batch(redis, keys, live, ttl).await?;
        metrics::FLUSH_SECONDS
            .with_label_values(&["redis"])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(())
}

impl Actor for StorageActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(self.flush_interval, Self::flush);
        if self.retention_days > 0 {
            ctx.run_interval(self.retention_interval, Self::apply_retention);
        }
    }
}

impl Handler<Incoming> for StorageActor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Incoming, ctx: &mut Context<Self>) -> Self::Result {
        let Incoming { message, ack, .. } = msg;
        let payload = message.payload().unwrap_or_default();
        let outcome = if message.topic() == self.raw_topic {
            decode_raw(payload).map(|r| self.add_raw(r))
        } else {
            decode_processed(payload).map(|e| self.add_processed(e, payload))
        };
        match outcome {
            Ok(()) => {
                self.acks.push(ack);
                if self.history.samples.len() >= self.batch_max_samples {
                    self.flush(ctx);
                }
                Box::pin(async {})
            }
            Err(e) => {
                let dlq = self.dlq.clone();
                Box::pin(async move {
                    let reason = e.to_string();
                    warn!(
                        "record {}/{}/{} rejected: {reason}",
                        message.topic(),
                        message.partition(),
                        message.offset()
                    );
                    match dlq.send(&message, &reason).await {
                        Ok(()) => ack.done(),
                        Err(e) => warn!("dead-letter queue unavailable: {e}"),
                    }
                })
            }
        }
    }
}
