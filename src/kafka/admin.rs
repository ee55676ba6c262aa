//! Creates the platform's topics when they are missing. Every role calls this
//! at start, so the first one to come up makes them and the rest find them.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::types::RDKafkaErrorCode;

use super::KafkaError;
use crate::config::KafkaSettings;

fn admin(settings: &KafkaSettings) -> Result<AdminClient<DefaultClientContext>, KafkaError> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", &settings.brokers)
        .create()?)
}

/// Creates `telemetry_raw`, `telemetry_processed`, `telemetry_dlq` and
/// `simulator_commands` (names from settings) unless they exist.
pub async fn ensure_topics(settings: &KafkaSettings) -> Result<(), KafkaError> {
    let admin = admin(settings)?;
    // Without an explicit delete policy Tansu keeps every record forever
    // (docs/broker.md), so the policy is always set; -1 is "no limit".
    let retention_ms = match settings.retention_hours {
        0 => "-1".to_owned(),
        h => (h * 3_600_000).to_string(),
    };
    let topics: Vec<NewTopic> = settings
        .topics
        .all()
        .iter()
        .map(|name| {
            NewTopic::new(
                name,
                settings.partitions,
                TopicReplication::Fixed(settings.replication),
            )
            .set("cleanup.policy", "delete")
            .set("retention.ms", &retention_ms)
        })
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics(&topics, &options).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                return Err(KafkaError::Topic {
                    topic,
                    reason: code.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// Creates one topic with `partitions` partitions and the broker's defaults
/// (benchmarks' and tests' fresh topics).
pub async fn create_topic(brokers: &str, name: &str, partitions: i32) -> Result<(), KafkaError> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for result in admin.create_topics(&[topic], &options).await? {
        result.map_err(|(topic, code)| KafkaError::Topic {
            topic,
            reason: code.to_string(),
        })?;
    }
    Ok(())
}

/// Deletes topics; used by tests to leave the broker as they found it.
pub async fn delete_topics(settings: &KafkaSettings, names: &[&str]) -> Result<(), KafkaError> {
    let admin = admin(settings)?;
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    admin.delete_topics(names, &options).await?;
    Ok(())
}
