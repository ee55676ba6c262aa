//! The load test's two Kafka readers, each on its own thread (an actix
//! arbiter) so that decoding does not disturb the simulators' timing:
//!
//! - the raw read-back, the independent check: reads `telemetry_raw` and marks
//!   every (race, car, seq) of this run's races, timing the broker hop;
//! - the processed reader: reads `telemetry_processed` and times every event
//!   of this run's races from the `sent_at_us` it carries to its arrival.
//!
//! Both use a consumer group of their own that never commits, and are
//! assigned every partition at the end offset taken before the races start
//! (no group join to wait for, nothing of this run missed, no history read).

use std::sync::Arc;
use std::time::Duration;

use actix::Arbiter;
use log::{debug, warn};
use rdkafka::consumer::{BaseConsumer, Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use tokio::sync::{oneshot, watch};

use super::stats::{Head, Shared};
use super::LoadtestError;
use crate::config::KafkaSettings;
use crate::kafka::now_us;

const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Which topic a reader follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Raw,
    Processed,
}

fn config(settings: &KafkaSettings, group: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &settings.brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "latest")
        .set("fetch.wait.max.ms", settings.fetch_wait_ms.to_string())
        .set("enable.partition.eof", "false");
    c
}

/// The end offset of every partition of `topic`: where this run's records
/// will begin. Blocking calls, so run on the blocking pool.
pub async fn end_offsets(
    settings: &KafkaSettings,
    topic: &str,
) -> Result<Vec<(i32, i64)>, LoadtestError> {
    let cfg = config(
        settings,
        &format!("{}-loadtest-probe", settings.group_prefix),
    );
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || -> Result<Vec<(i32, i64)>, LoadtestError> {
        let probe: BaseConsumer = cfg.create()?;
        let metadata = probe.fetch_metadata(Some(&topic), METADATA_TIMEOUT)?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == topic)
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if partitions.is_empty() {
            return Err(LoadtestError::Setup(format!(
                "topic {topic} has no partitions"
            )));
        }
        partitions
            .into_iter()
            .map(|p| {
                let (_, high) = probe.fetch_watermarks(&topic, p, METADATA_TIMEOUT)?;
                Ok((p, high))
            })
            .collect()
    })
    .await
    .map_err(|e| LoadtestError::Setup(format!("end offsets of the topic: {e}")))?
}

/// Starts a reader on a thread of its own. It stops when `stop` turns true;
/// the returned receiver fires once it has left.
pub fn spawn(
    settings: &KafkaSettings,
    path: Path,
    start: Vec<(i32, i64)>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) -> Result<(Arbiter, oneshot::Receiver<()>), LoadtestError> {
    let (topic, name) = match path {
        Path::Raw => (&settings.topics.raw, "raw"),
        Path::Processed => (&settings.topics.processed, "processed"),
    };
    let group = format!(
        "{}-loadtest-{name}-{}",
        settings.group_prefix,
        uuid::Uuid::new_v4().simple()
    );
    let consumer: StreamConsumer = config(settings, &group).create()?;
    let mut tpl = TopicPartitionList::new();
    for (partition, offset) in start {
        tpl.add_partition_offset(topic, partition, Offset::Offset(offset))?;
    }
    consumer.assign(&tpl)?;
    let (done_tx, done_rx) = oneshot::channel();
    let arbiter = Arbiter::new();
    arbiter.spawn_fn(move || {
        actix::spawn(async move {
            read(consumer, path, shared, stop).await;
            let _ = done_tx.send(());
        });
    });
    Ok((arbiter, done_rx))
}

async fn read(
    consumer: StreamConsumer,
    path: Path,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            message = consumer.recv() => match message {
                Ok(m) => {
                    let received = now_us();
                    let payload = m.payload().unwrap_or_default();
                    handle(path, &shared, payload, received);
                }
                Err(e) => {
                    warn!("loadtest {path:?} reader: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    // Closing a consumer blocks: off the reader's thread.
    let _ = tokio::task::spawn_blocking(move || drop(consumer)).await;
}

fn handle(path: Path, shared: &Shared, payload: &[u8], received_us: u64) {
    let head: Head = match serde_json::from_slice(payload) {
        Ok(h) => h,
        Err(e) => {
            debug!("loadtest {path:?} reader: undecodable record: {e}");
            match path {
                Path::Raw => shared.raw().path.undecodable += 1,
                Path::Processed => shared.processed().undecodable += 1,
            }
            return;
        }
    };
    let Some(&race) = shared.races.get(&head.race_id) else {
        return;
    };
    let warmup_end = shared.warmup_end_us();
    match path {
        Path::Raw => {
            let mut raw = shared.raw();
            raw.path
                .record(race, &head, received_us, payload.len(), warmup_end);
            raw.samples += head.samples.len() as u64;
            if let Some(seqs) = raw.seqs.get_mut(race) {
                for s in &head.samples {
                    seqs.record(s.car_id, s.seq);
                }
            }
        }
        Path::Processed => {
            shared
                .processed()
                .record(race, &head, received_us, payload.len(), warmup_end);
        }
    }
}
