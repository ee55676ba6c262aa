//! The consumer loop every role uses: one `select!` over the next record, the
//! acknowledgements of records whose effect became durable, a ticker that
//! stores committable offsets, and the shutdown signal.
//!
//! Each record is detached and sent to an actor as [`Incoming`] together with
//! an [`Ack`]; the actor calls `ack.done()` once the record's effect is durable
//! (published downstream, written to PostgreSQL). Offsets are stored only up
//! to the oldest record still in flight, so delivery is at-least-once.
//! Awaiting the actor's mailbox is the backpressure: a busy actor slows the
//! loop instead of queueing records without bound.
//!
//! Stateful consumers (processing) give a [`ReplayPlanner`]: when the group
//! assigns a partition, the consumer starts it not at the committed offset
//! but where the planner says its live state begins, and flags every record
//! below the committed offset as `replay` — its effects were published
//! before, so the actor rebuilds state from it without publishing again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::Recipient;
use log::{debug, info, warn};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::OwnedMessage;
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio::sync::{mpsc, watch};

use super::group::{is_replay, GroupChange, Horizons, SourceContext};
pub use super::group::{ReplayPlanner, SourceStatus};
use super::lag::record_lag;
use super::offsets::OffsetTracker;
use super::orphans::read_unowned;
use super::rejoin::{OrphanWatch, Rejoin};
use super::{consumer_config, FetchProfile, KafkaError};
use crate::actors::messages::{Incoming, PartitionsRevoked};
use crate::config::KafkaSettings;

/// Given with every record; `done` marks its effect durable. Dropping it
/// without `done` keeps the record uncommitted, so it is read again after a
/// restart: the safe side of at-least-once.
#[derive(Debug)]
pub struct Ack {
    topic: Arc<str>,
    partition: i32,
    offset: i64,
    tx: Option<mpsc::UnboundedSender<AckNote>>,
}

/// What an [`Ack`] tells the loop about its record.
#[derive(Debug)]
enum AckNote {
    Done(Arc<str>, i32, i64),
    Held(Arc<str>, i32, i64),
}

impl Ack {
    pub fn done(self) {
        if let Some(tx) = &self.tx {
            // The loop has gone only at shutdown; nothing is left to commit then.
            let _ = tx.send(AckNote::Done(
                self.topic.clone(),
                self.partition,
                self.offset,
            ));
        }
    }

    /// The record's effect takes as long as a simulated race: it stays
    /// uncommitted, but shutdown does not wait for it (it is read again
    /// after the restart, which is the point).
    pub fn held(&self) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(AckNote::Held(
                self.topic.clone(),
                self.partition,
                self.offset,
            ));
        }
    }

    /// An ack that goes nowhere, for records that are never committed (the
    /// WebSocket hub's own consumer) and for tests.
    pub fn detached() -> Ack {
        Ack {
            topic: Arc::from(""),
            partition: 0,
            offset: 0,
            tx: None,
        }
    }
}

/// What a consumer reads and how.
#[derive(Clone)]
pub struct SourceSpec {
    /// For logs and `/readyz`.
    pub name: String,
    pub group: String,
    pub topics: Vec<String>,
    pub profile: FetchProfile,
    /// false: never commit and start at the newest record (a per-instance
    /// fan-out consumer such as the WebSocket hub's).
    pub commit: bool,
    /// Rebuilds state on assignment by replaying (see the module comment).
    pub replay: Option<Arc<dyn ReplayPlanner>>,
    /// Rejoin when a partition assigned elsewhere stops committing while
    /// records wait on it (`rejoin.rs`). Only where offsets move steadily:
    /// a group that holds offsets by design would rejoin for nothing.
    pub watch_orphans: bool,
}

/// Handle on a running source.
pub struct SourceHandle {
    pub status: Arc<SourceStatus>,
    pub task: tokio::task::JoinHandle<()>,
}

const STORE_EVERY: Duration = Duration::from_millis(100);
/// How often consumer lag is read from the broker's watermarks.
const LAG_EVERY: Duration = Duration::from_secs(5);
const DRAIN_ON_SHUTDOWN: Duration = Duration::from_secs(10);
/// How often an empty assignment is looked at (`rejoin.rs`).
const REJOIN_CHECK_EVERY: Duration = Duration::from_secs(1);

/// Subscribes and runs the loop on the current actix arbiter until `shutdown`
/// turns true; then waits (bounded) for records in flight, commits, and
/// leaves the group.
pub fn spawn(
    settings: &KafkaSettings,
    spec: SourceSpec,
    recipient: Recipient<Incoming>,
    on_revoke: Option<Recipient<PartitionsRevoked>>,
    shutdown: watch::Receiver<bool>,
) -> Result<SourceHandle, KafkaError> {
    let status = Arc::new(SourceStatus {
        name: spec.name.clone(),
        ..Default::default()
    });
    let (changes_tx, changes_rx) = mpsc::unbounded_channel();
    let mut config = consumer_config(settings, &spec.group, spec.profile);
    if !spec.commit {
        config
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "latest");
    }
    let horizons = Horizons::default();
    let consumer: StreamConsumer<SourceContext> = config.create_with_context(SourceContext {
        status: status.clone(),
        changes: changes_tx,
        planner: spec.replay.clone(),
        horizons: horizons.clone(),
        session_timeout: Duration::from_millis(settings.session_timeout_ms.into()),
    })?;
    let topics: Vec<&str> = spec.topics.iter().map(String::as_str).collect();
    consumer.subscribe(&topics)?;
    info!(
        "{}: subscribed to {:?} as group {}",
        spec.name, topics, spec.group
    );
    let task = actix::spawn(run(
        consumer, spec, recipient, on_revoke, changes_rx, horizons, shutdown,
    ));
    Ok(SourceHandle { status, task })
}

async fn run(
    consumer: StreamConsumer<SourceContext>,
    spec: SourceSpec,
    recipient: Recipient<Incoming>,
    on_revoke: Option<Recipient<PartitionsRevoked>>,
    mut changes: mpsc::UnboundedReceiver<GroupChange>,
    horizons: Horizons,
    mut shutdown: watch::Receiver<bool>,
) {
    let consumer = Arc::new(consumer);
    let (ack_tx, mut ack_rx) = mpsc::unbounded_channel::<AckNote>();
    let mut tracker = OffsetTracker::default();
    let mut lag_ticker = tokio::time::interval(LAG_EVERY);
    let mut lag_task: Option<tokio::task::JoinHandle<()>> = None;
    let mut ticker = tokio::time::interval(STORE_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rejoin_ticker = tokio::time::interval(REJOIN_CHECK_EVERY);
    let status = consumer.context().status.clone();
    let mut rejoin = Rejoin::new(consumer.context().session_timeout);
    // Read on the lag task's blocking thread, looked at by the rejoin check.
    let orphans = Arc::new(Mutex::new(OrphanWatch::new(
        consumer.context().session_timeout,
    )));
    let orphan_suspected = Arc::new(AtomicBool::new(false));
    loop {
        tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            Some(note) = ack_rx.recv() => note.apply(&mut tracker),
            Some(GroupChange::Revoked(lost)) = changes.recv() => {
                for (topic, partition) in &lost {
                    tracker.revoke(topic, *partition);
                    horizons.lock().unwrap_or_else(|p| p.into_inner()).remove(&(topic.clone(), *partition));
                }
                if let Some(r) = &on_revoke {
                    let _ = r.send(PartitionsRevoked { partitions: lost }).await;
                }
            }
            _ = ticker.tick() => store(&consumer, &mut tracker, &spec.name),
            _ = rejoin_ticker.tick(), if spec.commit => {
                let now = std::time::Instant::now();
                let empty = rejoin.due(status.joined(), status.assigned_partitions(), now);
                let orphaned = !empty
                    && rejoin.due_for_orphans(orphan_suspected.swap(false, Ordering::Relaxed), now);
                if empty || orphaned {
                    warn!(
                        "{}: {}; leaving and rejoining the group (a killed member may hold \
                         them: docs/broker.md)",
                        spec.name,
                        if empty {
                            "no partitions for twice the session timeout"
                        } else {
                            "a partition nobody commits on while records wait"
                        }
                    );
                    let topics: Vec<&str> = spec.topics.iter().map(String::as_str).collect();
                    consumer.unsubscribe();
                    if let Err(e) = consumer.subscribe(&topics) {
                        warn!("{}: resubscribe failed: {e}", spec.name);
                    }
                }
            }
            _ = lag_ticker.tick() => {
                // Watermarks block: read them off the actor thread, one
                // reading at a time.
                if lag_task.as_ref().is_none_or(|t| t.is_finished()) {
                    let consumer = consumer.clone();
                    let group = spec.group.clone();
                    // Committing groups with steady offsets also watch for
                    // partitions nobody consumes (`rejoin.rs`).
                    let watch = (spec.commit && spec.watch_orphans).then(|| {
                        (spec.topics.clone(), orphans.clone(), orphan_suspected.clone())
                    });
                    lag_task = Some(tokio::task::spawn_blocking(move || {
                        record_lag(&consumer, &group);
                        if let Some((topics, orphans, suspected)) = watch {
                            if let Some(unowned) = read_unowned(consumer.as_ref(), &topics) {
                                let mut w = orphans.lock().unwrap_or_else(|e| e.into_inner());
                                if w.observe(&unowned, std::time::Instant::now()) {
                                    suspected.store(true, Ordering::Relaxed);
                                }
                            }
                        }
                    }));
                }
            }
            message = consumer.recv() => match message {
                Ok(m) => {
                    let message: OwnedMessage = m.detach();
                    crate::metrics::RECORDS_IN
                        .with_label_values(&[message.topic(), spec.name.as_str()])
                        .inc();
                    let replay = is_replay(&horizons, &message);
                    let ack = if spec.commit {
                        tracker.begin(message.topic(), message.partition(), message.offset());
                        Ack {
                            topic: Arc::from(message.topic()),
                            partition: message.partition(),
                            offset: message.offset(),
                            tx: Some(ack_tx.clone()),
                        }
                    } else {
                        Ack::detached()
                    };
                    let delivered = deliver(
                        &consumer,
                        &recipient,
                        Incoming { message, ack, replay },
                        &spec.name,
                    )
                    .await;
                    if !delivered {
                        warn!("{}: its actor stopped; leaving", spec.name);
                        break;
                    }
                }
                Err(e) => {
                    warn!("{}: consume error: {e}", spec.name);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    if spec.commit {
        let deadline = tokio::time::Instant::now() + DRAIN_ON_SHUTDOWN;
        while tracker.awaited() > 0 {
            match tokio::time::timeout_at(deadline, ack_rx.recv()).await {
                Ok(Some(note)) => note.apply(&mut tracker),
                _ => break,
            }
        }
        store(&consumer, &mut tracker, &spec.name);
        if tracker.in_flight() > 0 {
            warn!(
                "{}: {} records still in flight at shutdown; they will be read again",
                spec.name,
                tracker.in_flight()
            );
        }
    }
    // Commit and leave the group off the actor thread: both block.
    if let Some(task) = lag_task {
        let _ = task.await;
    }
    let name = spec.name.clone();
    let commit = spec.commit;
    let _ = tokio::task::spawn_blocking(move || {
        if commit {
            if let Err(e) = consumer.commit_consumer_state(rdkafka::consumer::CommitMode::Sync) {
                debug!("{name}: final commit: {e}");
            }
        }
        consumer.unsubscribe();
        drop(consumer);
        info!("{name}: left the group");
    })
    .await;
}

impl AckNote {
    fn apply(self, tracker: &mut OffsetTracker) {
        match self {
            AckNote::Done(topic, partition, offset) => tracker.done(&topic, partition, offset),
            AckNote::Held(topic, partition, offset) => tracker.hold(&topic, partition, offset),
        }
    }
}

/// How long an actor may take to accept a record before the consumer pauses
/// its partitions (the actor is waiting on PostgreSQL or Redis).
const PAUSE_AFTER: Duration = Duration::from_secs(2);

/// Hands a record to the actor. While the actor does not take it (its
/// database is down and its flush retries), the assigned partitions are
/// paused and the consumer keeps polling, so the group does not evict this
/// member for not polling (`max.poll.interval.ms`); they resume from where
/// they stood once the actor takes the record. False when the actor is gone.
async fn deliver(
    consumer: &StreamConsumer<SourceContext>,
    recipient: &Recipient<Incoming>,
    incoming: Incoming,
    name: &str,
) -> bool {
    let send = recipient.send(incoming);
    tokio::pin!(send);
    let paused = tokio::select! {
        result = &mut send => return result.is_ok(),
        _ = tokio::time::sleep(PAUSE_AFTER) => match consumer.assignment() {
            Ok(assigned) if assigned.count() > 0 => {
                warn!("{name}: its actor is stalled (a database down?); pausing {} partitions", assigned.count());
                consumer.pause(&assigned).ok().map(|_| assigned)
            }
            _ => None,
        },
    };
    let Some(assigned) = paused else {
        return send.await.is_ok();
    };
    let result = loop {
        tokio::select! {
            result = &mut send => break result,
            // Polling while paused: a paused partition delivers nothing, but
            // the poll keeps this member alive. A record can only come from
            // a partition assigned since; it waits for the next loop turn
            // by being put back with a seek.
            polled = consumer.recv() => if let Ok(m) = polled {
                let _ = consumer.seek(m.topic(), m.partition(), Offset::Offset(m.offset()), Duration::from_secs(1));
                if let Ok(assigned) = consumer.assignment() {
                    let _ = consumer.pause(&assigned);
                }
            },
        }
    };
    info!("{name}: its actor took the record; resuming");
    if let Err(e) = consumer.resume(&assigned) {
        warn!("{name}: resume failed: {e}");
    }
    result.is_ok()
}

fn store(consumer: &StreamConsumer<SourceContext>, tracker: &mut OffsetTracker, name: &str) {
    let positions = tracker.take_committable();
    if positions.is_empty() {
        return;
    }
    let mut tpl = TopicPartitionList::new();
    for (topic, partition, position) in &positions {
        if let Err(e) = tpl.add_partition_offset(topic, *partition, Offset::Offset(*position)) {
            warn!("{name}: offset {topic}/{partition}@{position}: {e}");
        }
    }
    // `store_offsets` commits exactly what it is given: the next offset to read.
    if let Err(e) = consumer.store_offsets(&tpl) {
        debug!("{name}: store offsets {positions:?}: {e}");
    }
}
