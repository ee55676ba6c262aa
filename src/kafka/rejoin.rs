//! A workaround for Tansu 0.6.0 (docs/broker.md): after a member of a group
//! is killed without leaving, a member that joins (or rejoins) before the
//! dead one's session has timed out can be handed nothing, with every
//! partition left on the dead member, and no later rebalance fixes it. A
//! consumer whose assignment stays empty for twice the session timeout
//! therefore leaves and rejoins the group once: by then the dead member's
//! session is over and the new rebalance gives its partitions out.
//! Once only, because a member of a group with more members than
//! partitions is idle by design, and each rejoin rebalances the group.

use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Rejoin {
    after: Duration,
    empty_since: Option<Instant>,
    done: bool,
}

impl Rejoin {
    pub fn new(session_timeout: Duration) -> Rejoin {
        Rejoin {
            after: session_timeout * 2,
            empty_since: None,
            done: false,
        }
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
