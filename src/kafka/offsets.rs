//! Which offset of each partition may be committed. Records finish out of
//! order (several races share a partition, storage flushes in batches), so a
//! partition may only commit up to its lowest record still in flight.

use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
struct PartitionState {
    in_flight: BTreeSet<i64>,
    /// In flight for long (see `hold`).
    held: BTreeSet<i64>,
    /// One past the highest offset handed out.
    next: i64,
    /// The last position reported by `take_committable`.
    reported: i64,
}

/// Tracks in-flight records per (topic, partition).
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: HashMap<(String, i32), PartitionState>,
}

impl OffsetTracker {
    /// A record was handed to its handler.
    pub fn begin(&mut self, topic: &str, partition: i32, offset: i64) {
        let state = self
            .partitions
            .entry((topic.to_owned(), partition))
            .or_insert_with(|| PartitionState {
                next: offset,
                reported: offset,
                ..Default::default()
            });
        state.in_flight.insert(offset);
        state.next = state.next.max(offset + 1);
    }

    /// A record's effect is durable. Unknown offsets (from a partition that
    /// was revoked meanwhile) are ignored.
    pub fn done(&mut self, topic: &str, partition: i32, offset: i64) {
        if let Some(state) = self.partitions.get_mut(&(topic.to_owned(), partition)) {
            state.in_flight.remove(&offset);
            state.held.remove(&offset);
        }
    }

    /// A record in flight whose effect takes long (a simulated race): it
    /// still holds its partition's commit back, but shutdown does not wait
    /// for it.
    pub fn hold(&mut self, topic: &str, partition: i32, offset: i64) {
        if let Some(state) = self.partitions.get_mut(&(topic.to_owned(), partition)) {
            if state.in_flight.contains(&offset) {
                state.held.insert(offset);
            }
        }
    }

    /// Forgets a partition: its records in flight will be read again by
    /// whoever owns it next.
    pub fn revoke(&mut self, topic: &str, partition: i32) {
        self.partitions.remove(&(topic.to_owned(), partition));
    }

    /// The positions (next offset to read) that moved since the last call.
    pub fn take_committable(&mut self) -> Vec<(String, i32, i64)> {
        let mut out = Vec::new();
        for ((topic, partition), state) in &mut self.partitions {
            let position = state.in_flight.first().copied().unwrap_or(state.next);
            if position > state.reported {
                state.reported = position;
                out.push((topic.clone(), *partition, position));
            }
        }
        out
    }

    /// Records handed out and not yet done, over all partitions.
    pub fn in_flight(&self) -> usize {
        self.partitions.values().map(|s| s.in_flight.len()).sum()
    }

    /// Records in flight that shutdown waits for: all but the held ones.
    pub fn awaited(&self) -> usize {
        self.partitions
            .values()
            .map(|s| s.in_flight.len() - s.held.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_only_below_the_oldest_record_in_flight() {
        let mut t = OffsetTracker::default();
        for o in 10..15 {
            t.begin("raw", 0, o);
        }
        t.done("raw", 0, 11);
        t.done("raw", 0, 12);
        assert!(t.take_committable().is_empty(), "10 is still in flight");
        t.done("raw", 0, 10);
        assert_eq!(t.take_committable(), vec![("raw".into(), 0, 13)]);
        t.done("raw", 0, 14);
        t.done("raw", 0, 13);
        assert_eq!(t.take_committable(), vec![("raw".into(), 0, 15)]);
        assert!(t.take_committable().is_empty(), "nothing moved");
    }

    #[test]
    fn a_held_record_holds_the_commit_back_but_is_not_awaited() {
        let mut t = OffsetTracker::default();
        t.begin("commands", 0, 3);
        t.begin("commands", 0, 4);
        t.hold("commands", 0, 3);
        t.done("commands", 0, 4);
        assert!(t.take_committable().is_empty(), "3 is still in flight");
        assert_eq!((t.in_flight(), t.awaited()), (1, 0));
        t.done("commands", 0, 3);
        assert_eq!(t.take_committable(), vec![("commands".into(), 0, 5)]);
        assert_eq!((t.in_flight(), t.awaited()), (0, 0));
    }

    #[test]
    fn partitions_are_independent_and_revoke_forgets() {
        let mut t = OffsetTracker::default();
        t.begin("raw", 0, 5);
        t.begin("raw", 1, 7);
        t.done("raw", 1, 7);
        assert_eq!(t.take_committable(), vec![("raw".into(), 1, 8)]);
        t.revoke("raw", 0);
        t.done("raw", 0, 5);
        assert!(t.take_committable().is_empty());
        assert_eq!(t.in_flight(), 0);
    }
}
