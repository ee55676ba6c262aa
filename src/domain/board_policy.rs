//! When a race publishes its leaderboard: every `interval_ms` of race
//! clock, and at once when the front of the field changes — the order of
//! its first `watch_positions` places, or one of those cars crossing the
//! line or a pit-lane end. In a field of twenty that is every overtake and
//! every lap; in a field of thousands, where somebody passes somebody on
//! every tick, it keeps a full leaderboard (a megabyte at 5,000 cars) from
//! going out on every tick, while the front still updates at once.
//! Decided on the race clock only, so a replay publishes the same boards.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardPolicy {
    pub interval_ms: u64,
    pub watch_positions: usize,
}

impl BoardPolicy {
    /// Whether the board at `ts_ms` goes out: `order` is the field's order
    /// now (car ids), `last_front` the front of the last published board,
    /// `moved` the cars that crossed the line or a pit-lane end this tick.
    pub fn due(
        &self,
        ts_ms: u64,
        last_published_ms: Option<u64>,
        order: &[u32],
        last_front: &[u32],
        moved: &[u32],
    ) -> bool {
        if last_published_ms.is_none_or(|last| ts_ms >= last + self.interval_ms) {
            return true;
        }
        let front = self.front(order);
        front != last_front || moved.iter().any(|car| front.contains(car))
    }

    /// The part of `order` whose changes publish at once.
    pub fn front<'a>(&self, order: &'a [u32]) -> &'a [u32] {
        &order[..order.len().min(self.watch_positions)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: BoardPolicy = BoardPolicy {
        interval_ms: 200,
        watch_positions: 3,
    };

    #[test]
    fn the_interval_publishes_whatever_happened() {
        let order = [1, 2, 3, 4, 5];
        assert!(POLICY.due(0, None, &order, &[], &[]), "the first board");
        assert!(!POLICY.due(100, Some(0), &order, &[1, 2, 3], &[]));
        assert!(POLICY.due(200, Some(0), &order, &[1, 2, 3], &[]));
    }

    #[test]
    fn the_front_publishes_at_once_the_rest_waits() {
        let last_front = [1, 2, 3];
        // P4 and P5 swap: not at once.
        assert!(!POLICY.due(50, Some(0), &[1, 2, 3, 5, 4], &last_front, &[]));
        // P2 and P3 swap: at once.
        assert!(POLICY.due(50, Some(0), &[1, 3, 2, 4, 5], &last_front, &[]));
        // P4 comes up to P3: at once.
        assert!(POLICY.due(50, Some(0), &[1, 2, 4, 3, 5], &last_front, &[]));
        // A car at the front crosses the line; one further back does not.
        assert!(POLICY.due(50, Some(0), &[1, 2, 3, 4, 5], &last_front, &[2]));
        assert!(!POLICY.due(50, Some(0), &[1, 2, 3, 4, 5], &last_front, &[5]));
    }

    #[test]
    fn a_small_field_publishes_every_change() {
        let policy = BoardPolicy {
            interval_ms: 200,
            watch_positions: 20,
        };
        let order: Vec<u32> = (1..=6).collect();
        let mut swapped = order.clone();
        swapped.swap(4, 5);
        assert!(policy.due(10, Some(0), &swapped, policy.front(&order), &[]));
        assert!(policy.due(10, Some(0), &order, policy.front(&order), &[6]));
        assert!(!policy.due(10, Some(0), &order, policy.front(&order), &[]));
    }
}
