//! A consumer's place in its group: what it holds (`SourceStatus`, for
//! `/readyz` and `/metrics`), what it hears at a rebalance
//! (`SourceContext`: lost partitions go to the loop, new ones start where a
//! `ReplayPlanner` says their state must be rebuilt from), and which records
//! are replays of effects already published (`is_replay`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use log::{info, warn};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::OwnedMessage;
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use tokio::sync::mpsc;

/// What this consumer holds, for `/readyz` and `/metrics`.
#[derive(Debug, Default)]
pub struct SourceStatus {
    pub name: String,
    pub(super) joined: AtomicBool,
    pub(super) assigned: AtomicUsize,
}

impl SourceStatus {
    /// The consumer has received its first assignment from the group.
    pub fn joined(&self) -> bool {
        self.joined.load(Ordering::Relaxed)
    }

    pub fn assigned_partitions(&self) -> usize {
        self.assigned.load(Ordering::Relaxed)
    }
}

pub(super) enum GroupChange {
    Revoked(Vec<(String, i32)>),
}

/// Where a newly assigned partition's live state begins: the offset from
/// which records must be read again to rebuild it (e.g. the oldest
/// `race_started` of a race still running there). Called on the consumer's
/// polling thread during a rebalance, so it must answer quickly.
pub trait ReplayPlanner: Send + Sync {
    fn replay_from(&self, topic: &str, partition: i32) -> Option<i64>;
}

/// (topic, partition) → the committed offset when it was assigned: records
/// below it are replays.
pub(super) type Horizons = Arc<Mutex<HashMap<(String, i32), i64>>>;

const COMMITTED_TIMEOUT: Duration = Duration::from_secs(5);

/// Hears about rebalances: updates the status, tells the loop which
/// partitions it lost (their in-flight records are forgotten) and, with a
/// planner, starts new partitions where their state must be rebuilt from.
pub struct SourceContext {
    pub(super) status: Arc<SourceStatus>,
    pub(super) changes: mpsc::UnboundedSender<GroupChange>,
    pub(super) planner: Option<Arc<dyn ReplayPlanner>>,
    pub(super) horizons: Horizons,
    /// The group's session timeout, for `rejoin.rs`.
    pub(super) session_timeout: Duration,
}

impl SourceContext {
    /// Moves each partition's start back to where its state begins, and
    /// remembers the committed offset as the end of the replay.
    fn plan_replay(&self, consumer: &BaseConsumer<Self>, tpl: &mut TopicPartitionList) {
        let Some(planner) = &self.planner else {
            return;
        };
        let committed = match consumer.committed_offsets(tpl.clone(), COMMITTED_TIMEOUT) {
            Ok(c) => c,
            Err(e) => {
                warn!(
                    "{}: committed offsets unavailable, no replay: {e}",
                    self.status.name
                );
                return;
            }
        };
        let mut horizons = self.horizons.lock().unwrap_or_else(|p| p.into_inner());
        for elem in committed.elements() {
            let (topic, partition) = (elem.topic(), elem.partition());
            let Offset::Offset(horizon) = elem.offset() else {
                continue;
            };
            let Some(from) = planner.replay_from(topic, partition) else {
                continue;
            };
            if from < horizon
                && tpl
                    .set_partition_offset(topic, partition, Offset::Offset(from))
                    .is_ok()
            {
                info!(
                    "{}: {topic}/{partition} replays {from}..{horizon} to rebuild its state",
                    self.status.name
                );
                horizons.insert((topic.to_owned(), partition), horizon);
            }
        }
    }
}

impl ClientContext for SourceContext {}

impl ConsumerContext for SourceContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                self.plan_replay(consumer, tpl);
                self.pre_rebalance(consumer, &Rebalance::Assign(tpl));
                if let Err(e) = consumer.assign(tpl) {
                    warn!("{}: assign failed: {e}", self.status.name);
                }
                self.post_rebalance(consumer, &Rebalance::Assign(tpl));
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                self.pre_rebalance(consumer, &Rebalance::Revoke(tpl));
                if let Err(e) = consumer.unassign() {
                    warn!("{}: unassign failed: {e}", self.status.name);
                }
                self.post_rebalance(consumer, &Rebalance::Revoke(tpl));
            }
            other => {
                let e = rdkafka::error::KafkaError::Rebalance(other.into());
                self.post_rebalance(consumer, &Rebalance::Error(e));
            }
        }
    }

    fn pre_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            let lost = partitions(tpl);
            info!("{}: partitions revoked: {:?}", self.status.name, lost);
            self.status.assigned.store(0, Ordering::Relaxed);
            let _ = self.changes.send(GroupChange::Revoked(lost));
        }
    }

    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                info!(
                    "{}: partitions assigned: {:?}",
                    self.status.name,
                    partitions(tpl)
                );
                self.status.assigned.store(tpl.count(), Ordering::Relaxed);
                self.status.joined.store(true, Ordering::Relaxed);
            }
            Rebalance::Error(e) => warn!("{}: rebalance error: {e}", self.status.name),
            Rebalance::Revoke(_) => {}
        }
    }
}

fn partitions(tpl: &TopicPartitionList) -> Vec<(String, i32)> {
    tpl.elements()
        .iter()
        .map(|e| (e.topic().to_owned(), e.partition()))
        .collect()
}

/// Below the committed offset of a replayed partition; past it the replay
/// is over and the partition's horizon is dropped.
pub(super) fn is_replay(horizons: &Horizons, message: &OwnedMessage) -> bool {
    let mut horizons = horizons.lock().unwrap_or_else(|p| p.into_inner());
    if horizons.is_empty() {
        return false;
    }
    let key = (message.topic().to_owned(), message.partition());
    match horizons.get(&key) {
        Some(&horizon) if message.offset() < horizon => true,
        Some(_) => {
            horizons.remove(&key);
            false
        }
        None => false,
    }
}
