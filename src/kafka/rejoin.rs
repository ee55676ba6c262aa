//! A workaround for Tansu 0.6.0 (docs/broker.md): after a member of a group
//! is killed without leaving, a member that joins (or rejoins) before the
//! dead one's session has timed out can be handed nothing, with every
//! partition left on the dead member, and no later rebalance fixes it. A
//! consumer whose assignment stays empty for twice the session timeout
//! therefore leaves and rejoins the group once: by then the dead member's
//! session is over and the new rebalance gives its partitions out.
//! Once only, because a member of a group with more members than
//! partitions is idle by design, and each rejoin rebalances the group.
//!
//! The other face of the same bug: with two members, the survivor of a
//! `kill -9` keeps its own partitions and the dead member's stay unowned.
//! The survivor cannot see the assignment of others, but it can see the
//! symptom: a partition not assigned to it whose committed offset has not
//! moved for twice the session timeout while records wait on it
//! (`OrphanWatch`). It then rejoins too, at most once a minute: a healthy
//! member that stalls (its database is down) costs a rebalance, no more.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Rejoins for suspected orphans are this many session timeouts apart.
const ORPHAN_COOLDOWN_TIMEOUTS: u32 = 10;

#[derive(Debug)]
pub struct Rejoin {
    after: Duration,
    empty_since: Option<Instant>,
    done: bool,
    last_for_orphans: Option<Instant>,
}

impl Rejoin {
    pub fn new(session_timeout: Duration) -> Rejoin {
        Rejoin {
            after: session_timeout * 2,
            empty_since: None,
            done: false,
            last_for_orphans: None,
        }
    }

    /// True when `OrphanWatch` suspects an orphaned partition and the last
    /// such rejoin is long enough ago.
    pub fn due_for_orphans(&mut self, suspected: bool, now: Instant) -> bool {
        let cooldown = self.after / 2 * ORPHAN_COOLDOWN_TIMEOUTS;
        if !suspected
            || self
                .last_for_orphans
                .is_some_and(|last| now.duration_since(last) < cooldown)
        {
            return false;
        }
        self.last_for_orphans = Some(now);
        true
    }

    /// True, once, when the consumer has joined and held no partition for
    /// longer than twice the session timeout.
    pub fn due(&mut self, joined: bool, assigned: usize, now: Instant) -> bool {
        if self.done || !joined || assigned > 0 {
            self.empty_since = None;
            return false;
        }
        let since = *self.empty_since.get_or_insert(now);
        if now.duration_since(since) < self.after {
            return false;
        }
        self.done = true;
        true
    }
}

/// A partition of the subscribed topics that is not assigned here, as the
/// broker reports it: the group's committed offset and the high watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unowned {
    pub topic: String,
    pub partition: i32,
    /// None: the group never committed on it.
    pub committed: Option<i64>,
    pub high: i64,
}

/// Watches the partitions other members should be consuming.
#[derive(Debug)]
pub struct OrphanWatch {
    after: Duration,
    /// (topic, partition) → committed offset, and since when it is that.
    still: HashMap<(String, i32), (Option<i64>, Instant)>,
}

impl OrphanWatch {
    pub fn new(session_timeout: Duration) -> OrphanWatch {
        OrphanWatch {
            after: session_timeout * 2,
            still: HashMap::new(),
        }
    }

    /// Feeds one reading of the unowned partitions; true when one of them
    /// has had records waiting and its committed offset unchanged for
    /// twice the session timeout.
    pub fn observe(&mut self, unowned: &[Unowned], now: Instant) -> bool {
        let mut seen = HashMap::with_capacity(unowned.len());
        let mut orphaned = false;
        for u in unowned {
            let key = (u.topic.clone(), u.partition);
            let since = match self.still.get(&key) {
                Some(&(committed, since)) if committed == u.committed => since,
                _ => now,
            };
            let waiting = u.high > u.committed.unwrap_or(0);
            orphaned |= waiting && now.duration_since(since) >= self.after;
            seen.insert(key, (u.committed, since));
        }
        // Partitions assigned here now, or gone, are forgotten.
        self.still = seen;
        orphaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejoins_once_after_staying_empty_for_two_session_timeouts() {
        let t0 = Instant::now();
        let s = |secs| t0 + Duration::from_secs(secs);
        let mut r = Rejoin::new(Duration::from_secs(6));
        assert!(!r.due(false, 0, s(0)), "not joined yet");
        assert!(!r.due(true, 0, s(1)));
        assert!(!r.due(true, 0, s(12)), "11 s empty");
        assert!(r.due(true, 0, s(13)), "12 s empty");
        assert!(!r.due(true, 0, s(60)), "only once");
    }

    fn unowned(committed: Option<i64>, high: i64) -> Unowned {
        Unowned {
            topic: "raw".into(),
            partition: 3,
            committed,
            high,
        }
    }

    #[test]
    fn a_partition_nobody_commits_on_while_records_wait_is_an_orphan() {
        let t0 = Instant::now();
        let s = |secs| t0 + Duration::from_secs(secs);
        let mut w = OrphanWatch::new(Duration::from_secs(6));
        assert!(!w.observe(&[unowned(Some(100), 180)], s(0)));
        assert!(!w.observe(&[unowned(Some(100), 240)], s(11)));
        assert!(w.observe(&[unowned(Some(100), 300)], s(12)), "12 s still");
        // Its owner commits again: not an orphan.
        assert!(!w.observe(&[unowned(Some(120), 300)], s(13)));
        assert!(!w.observe(&[unowned(Some(120), 300)], s(24)));
        assert!(w.observe(&[unowned(Some(120), 300)], s(25)));
    }

    #[test]
    fn an_idle_partition_or_one_assigned_here_is_not_an_orphan() {
        let t0 = Instant::now();
        let s = |secs| t0 + Duration::from_secs(secs);
        let mut w = OrphanWatch::new(Duration::from_secs(6));
        // Nothing waiting on it: nothing to consume.
        assert!(!w.observe(&[unowned(Some(300), 300)], s(0)));
        assert!(!w.observe(&[unowned(Some(300), 300)], s(60)));
        // Never committed and empty: the same.
        assert!(!w.observe(&[unowned(None, 0)], s(61)));
        // Assigned here for a while (not in the reading), then unowned
        // again: the wait starts over.
        assert!(!w.observe(&[unowned(Some(100), 200)], s(62)));
        assert!(!w.observe(&[], s(70)));
        assert!(!w.observe(&[unowned(Some(100), 200)], s(80)));
        assert!(w.observe(&[unowned(Some(100), 200)], s(92)));
    }

    #[test]
    fn orphan_rejoins_are_a_cooldown_apart() {
        let t0 = Instant::now();
        let s = |secs| t0 + Duration::from_secs(secs);
        let mut r = Rejoin::new(Duration::from_secs(6));
        assert!(!r.due_for_orphans(false, s(0)));
        assert!(r.due_for_orphans(true, s(1)));
        assert!(!r.due_for_orphans(true, s(30)), "within 60 s");
        assert!(r.due_for_orphans(true, s(61)));
    }

    #[test]
    fn an_assignment_resets_the_wait() {
        let t0 = Instant::now();
        let s = |secs| t0 + Duration::from_secs(secs);
        let mut r = Rejoin::new(Duration::from_secs(6));
        assert!(!r.due(true, 0, s(0)));
        assert!(!r.due(true, 2, s(10)));
        assert!(!r.due(true, 0, s(11)));
        assert!(!r.due(true, 0, s(22)), "empty again for 11 s only");
        assert!(r.due(true, 0, s(23)));
    }
}
