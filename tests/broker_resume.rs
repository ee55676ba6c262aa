//! Guards the broker itself: a consumer group that resumes from a committed
//! offset inside a record batch must get every later record. Tansu 0.6.0's
//! memory engine fails this (it skips the rest of the batch); the sqlite
//! engine the project runs passes. A broker that loses records on resume
//! fails here, loudly, before any pipeline test can be fooled by it.

mod common;

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message};

const RECORDS: usize = 3000;
const FIRST_READ: usize = 1050;

/// The broker under test: the configured one (PITWALL__KAFKA__BROKERS).
fn brokers() -> String {
    std::env::var("PITWALL__KAFKA__BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".into())
}

fn consumer(group: &str, topic: &str) -> StreamConsumer {
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    c
}

#[actix_web::test]
async fn group_resumes_inside_a_batch_without_losing_records() {
    let topic = common::random_name("resume");
    let group = common::random_name("resume_group");
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .unwrap();
    admin
        .create_topics(
            &[NewTopic::new(&topic, 1, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .unwrap();

    // Batches of 100: the resume point (1,050) falls inside one.
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("enable.idempotence", "true")
        .set("batch.num.messages", "100")
        .set("linger.ms", "20")
        .create()
        .unwrap();
    let sends: Vec<_> = (0..RECORDS)
        .map(|i| {
            let payload = i.to_string();
            let producer = producer.clone();
            let topic = topic.clone();
            async move {
                producer
                    .send(
                        FutureRecord::to(&topic).key("k").payload(&payload),
                        Duration::from_secs(10),
                    )
                    .await
                    .map(|_| ())
                    .map_err(|(e, _)| e)
            }
        })
        .collect();
    for result in futures_util::future::join_all(sends).await {
        result.unwrap();
    }

    let first = consumer(&group, &topic);
    for expected in 0..FIRST_READ {
        let m = tokio::time::timeout(Duration::from_secs(30), first.recv())
            .await
            .expect("first member reads")
            .unwrap();
        let value: usize = std::str::from_utf8(m.payload().unwrap())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(value, expected);
        first
            .store_offset(&topic, m.partition(), m.offset())
            .unwrap();
    }
    first.commit_consumer_state(CommitMode::Sync).unwrap();
    drop(first);

    let second = consumer(&group, &topic);
    let mut got = Vec::new();
    while got.len() < RECORDS - FIRST_READ {
        let m = tokio::time::timeout(Duration::from_secs(30), second.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "resumed member got only {} of {}",
                    got.len(),
                    RECORDS - FIRST_READ
                )
            })
            .unwrap();
        got.push(
            std::str::from_utf8(m.payload().unwrap())
                .unwrap()
                .parse::<usize>()
                .unwrap(),
        );
    }
    assert_eq!(got, (FIRST_READ..RECORDS).collect::<Vec<_>>());
}
