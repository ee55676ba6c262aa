//! Consumer lag per assigned partition for `/metrics`: the high watermark
//! minus the consumer's position, read from the broker (Tansu resets the
//! connection when asked to describe groups). Blocking calls: run it off
//! the actor threads.

use std::time::Duration;

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::Offset;

use super::group::SourceContext;

/// Lag per assigned partition: the high watermark minus the position.
pub fn record_lag(consumer: &StreamConsumer<SourceContext>, group: &str) {
    let Ok(position) = consumer.position() else {
        return;
    };
    for elem in position.elements() {
        let Offset::Offset(at) = elem.offset() else {
            continue;
        };
        if let Ok((_, high)) =
            consumer.fetch_watermarks(elem.topic(), elem.partition(), Duration::from_secs(1))
        {
            crate::metrics::CONSUMER_LAG
                .with_label_values(&[elem.topic(), &elem.partition().to_string(), group])
                .set((high - at).max(0));
        }
    }
}
