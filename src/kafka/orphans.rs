//! Reads, for `rejoin::OrphanWatch`, the partitions of the subscribed topics
//! that are not assigned to this consumer: the group's committed offset and
//! the high watermark of each. Blocking broker calls: run it off the actor
//! threads (the consumer loop runs it with the lag reading).

use std::collections::HashSet;
use std::time::Duration;

use rdkafka::consumer::{Consumer, ConsumerContext};
use rdkafka::{Offset, TopicPartitionList};

use super::rejoin::Unowned;

const TIMEOUT: Duration = Duration::from_secs(2);

/// None when the broker did not answer: no reading is better than a wrong
/// one, since the watch takes silence for a stall.
pub fn read_unowned<C: ConsumerContext>(
    consumer: &impl Consumer<C>,
    topics: &[String],
) -> Option<Vec<Unowned>> {
    let mine: HashSet<(String, i32)> = consumer
        .assignment()
        .ok()?
        .elements()
        .iter()
        .map(|e| (e.topic().to_owned(), e.partition()))
        .collect();
    let mut tpl = TopicPartitionList::new();
    for topic in topics {
        let metadata = consumer.fetch_metadata(Some(topic), TIMEOUT).ok()?;
        for t in metadata.topics() {
            for p in t.partitions() {
                if !mine.contains(&(t.name().to_owned(), p.id())) {
                    tpl.add_partition(t.name(), p.id());
                }
            }
        }
    }
    if tpl.count() == 0 {
        return Some(Vec::new());
    }
    let committed = consumer.committed_offsets(tpl, TIMEOUT).ok()?;
    let mut unowned = Vec::with_capacity(committed.count());
    for e in committed.elements() {
        let (_, high) = consumer
            .fetch_watermarks(e.topic(), e.partition(), TIMEOUT)
            .ok()?;
        unowned.push(Unowned {
            topic: e.topic().to_owned(),
            partition: e.partition(),
            committed: match e.offset() {
                Offset::Offset(o) => Some(o),
                _ => None,
            },
            high,
        });
    }
    Some(unowned)
}
