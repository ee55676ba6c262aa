//! The dead-letter queue: a record that cannot be parsed or validated goes to
//! `telemetry_dlq` with the reason and where it came from in headers, and the
//! stream goes on. The payload is truncated so an oversize record still fits.

use rdkafka::message::{Header, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::Duration;

use super::KafkaError;

/// Bytes of the rejected payload kept; the broker refuses records over 1 MB.
pub const MAX_DLQ_PAYLOAD: usize = 64 * 1024;

#[derive(Clone)]
pub struct DeadLetters {
    producer: FutureProducer,
    topic: String,
    /// Which consumer rejected the record (`processing`, `storage`).
    consumer: String,
}

impl DeadLetters {
    pub fn new(producer: FutureProducer, topic: &str, consumer: &str) -> Self {
        DeadLetters {
            producer,
            topic: topic.to_owned(),
            consumer: consumer.to_owned(),
        }
    }

    /// Publishes the rejected record and waits until the broker has it, so the
    /// caller may then commit past the original.
    pub async fn send(&self, original: &OwnedMessage, reason: &str) -> Result<(), KafkaError> {
        let payload = original.payload().unwrap_or_default();
        let kept = &payload[..payload.len().min(MAX_DLQ_PAYLOAD)];
        let partition = original.partition().to_string();
        let offset = original.offset().to_string();
        let size = payload.len().to_string();
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: "reason",
                value: Some(reason),
            })
            .insert(Header {
                key: "consumer",
                value: Some(&self.consumer),
            })
            .insert(Header {
                key: "source_topic",
                value: Some(original.topic()),
            })
            .insert(Header {
                key: "source_partition",
                value: Some(&partition),
            })
            .insert(Header {
                key: "source_offset",
                value: Some(&offset),
            })
            .insert(Header {
                key: "original_size",
                value: Some(&size),
            });
        let key = original.key().unwrap_or_default();
        let record = FutureRecord::to(&self.topic)
            .key(key)
            .payload(kept)
            .headers(headers);
        self.producer
            .send(record, Duration::from_secs(5))
            .await
            .map_err(|(e, _)| KafkaError::Client(e))?;
        crate::metrics::DLQ
            .with_label_values(&[self.consumer.as_str()])
            .inc();
        Ok(())
    }
}
