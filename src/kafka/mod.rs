//! Everything that speaks the Kafka protocol: client settings, topic creation,
//! the consumer loop with at-least-once offset tracking, and the dead-letter
//! queue. Only rdkafka is used, so Apache Kafka, Redpanda or Tansu serve alike.

pub mod admin;
pub mod dlq;
pub mod group;
pub mod lag;
pub mod offsets;
pub mod orphans;
pub mod rejoin;
pub mod source;

use std::time::{SystemTime, UNIX_EPOCH};

use rdkafka::config::ClientConfig;
use rdkafka::producer::FutureProducer;

use crate::config::KafkaSettings;

#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("kafka client: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    #[error("kafka topic {topic}: {reason}")]
    Topic { topic: String, reason: String },
}

/// How a consumer trades latency for throughput. Tansu answers a fetch only
/// when `fetch.wait.max.ms` runs out, so latency paths keep it tiny.
#[derive(Debug, Clone, Copy)]
pub enum FetchProfile {
    Latency,
    Bulk,
}

/// An idempotent, keyed producer: retries neither reorder nor duplicate.
/// `linger.ms` is 1 because the 5 ms default is paid on every hop.
pub fn producer(settings: &KafkaSettings) -> Result<FutureProducer, KafkaError> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", &settings.brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "1")
        // Java clients hash keys with murmur2: a race lands on the same
        // partition whoever produced it.
        .set("partitioner", "murmur2_random")
        .set("message.max.bytes", "1000000")
        .set("queue.buffering.max.kbytes", "262144")
        .set("message.timeout.ms", "120000")
        .create()?)
}

/// Settings shared by every consumer. Offsets are stored by hand once a
/// record's effect is durable; librdkafka commits what was stored.
pub fn consumer_config(
    settings: &KafkaSettings,
    group: &str,
    profile: FetchProfile,
) -> ClientConfig {
    let wait = match profile {
        FetchProfile::Latency => settings.fetch_wait_ms,
        FetchProfile::Bulk => settings.bulk_fetch_wait_ms,
    };
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &settings.brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "1000")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set(
            "session.timeout.ms",
            settings.session_timeout_ms.to_string(),
        )
        .set(
            "heartbeat.interval.ms",
            (settings.session_timeout_ms / 3).to_string(),
        )
        .set("fetch.wait.max.ms", wait.to_string())
        .set("enable.partition.eof", "false");
    config
}

/// Wall clock in microseconds since the Unix epoch, for `sent_at_us`.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}
