//! Broker helpers the benchmarks share: a fresh one-partition topic of
//! their own, and a send that waits while the producer's queue is full
//! (a benchmark wants every record out, at the broker's pace).

use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

/// A new topic `<prefix>_<random>` with one partition.
pub async fn fresh_topic(brokers: &str, prefix: &str) -> String {
    let name = format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    pitwall::kafka::admin::create_topic(brokers, &name, 1)
        .await
        .expect("topic created");
    name
}

/// Enqueues one record, retrying each millisecond while the queue is full;
/// the returned future resolves when the broker has acknowledged it.
pub async fn send_waiting(
    producer: &FutureProducer,
    topic: &str,
    key: &str,
    payload: &str,
) -> DeliveryFuture {
    loop {
        let record = FutureRecord::to(topic).key(key).payload(payload);
        match producer.send_result(record) {
            Ok(delivery) => return delivery,
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            Err((e, _)) => panic!("cannot publish: {e}"),
        }
    }
}
