//! When a race publishes its leaderboard: every `interval_ms` of race
//! clock, and at once when the front of the field changes — the order of
//! its first `watch_positions` places, or one of those cars crossing the
//! line or a pit-lane end. In a field of twenty that is every overtake and
//! every lap; in a field of thousands, where somebody passes somebody on
//! every tick, it keeps a full leaderboard (a megabyte at 5,000 cars) from
//! going out on every tick, while the front still updates at once (within
//! the budget below).
//!
//! Over both rules sits a budget of `max_entries_per_s` entries per second
//! of race clock: a board of n entries waits at least n / budget seconds
//! after the last one. Twenty cars never meet it; at 5,000 cars it spaces
//! boards a second apart, because a 1.5 MB board five times a second is
//! most of what the broker, Redis and every reader of the processed topic
//! carry, for a table no screen shows whole at that rate.
//!
//! Decided on the race clock only, so a replay publishes the same boards.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardPolicy {
    pub interval_ms: u64,
    pub watch_positions: usize,
    /// Entries a race may publish per second of race clock; 0: no budget.
    pub max_entries_per_s: u64,
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
        let Some(last) = last_published_ms else {
            return true;
        };
        if ts_ms < last + self.spacing_ms(order.len()) {
            return false;
        }
        if ts_ms >= last + self.interval_ms {
            return true;
        }
        let front = self.front(order);
        front != last_front || moved.iter().any(|car| front.contains(car))
    }

    /// The least race clock between two boards of `entries` cars.
    pub fn spacing_ms(&self, entries: usize) -> u64 {
        if self.max_entries_per_s == 0 {
            return 0;
        }
        (entries as u64 * 1000).div_ceil(self.max_entries_per_s)
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
        max_entries_per_s: 0,
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
            max_entries_per_s: 5000,
        };
        let order: Vec<u32> = (1..=6).collect();
        let mut swapped = order.clone();
        swapped.swap(4, 5);
        assert!(policy.due(10, Some(0), &swapped, policy.front(&order), &[]));
        assert!(policy.due(10, Some(0), &order, policy.front(&order), &[6]));
        assert!(!policy.due(10, Some(0), &order, policy.front(&order), &[]));
    }

    #[test]
    fn a_large_field_waits_for_its_budget() {
        let policy = BoardPolicy {
            interval_ms: 200,
            watch_positions: 3,
            max_entries_per_s: 5000,
        };
        let order: Vec<u32> = (1..=5000).collect();
        let front = policy.front(&order).to_vec();
        assert_eq!(policy.spacing_ms(5000), 1000);
        assert!(!policy.due(200, Some(0), &order, &front, &[]), "interval");
        assert!(!policy.due(999, Some(0), &order, &[9, 9, 9], &[1]), "front");
        assert!(policy.due(1000, Some(0), &order, &front, &[]));
        // A thousand cars meet the budget at the interval: the interval's
        // board goes out, a front change between two boards waits for it.
        let thousand = &order[..1000];
        assert_eq!(policy.spacing_ms(1000), 200);
        assert!(policy.due(200, Some(0), thousand, &front, &[]));
        assert!(!policy.due(150, Some(0), thousand, &[9, 9, 9], &[]));
        assert_eq!(policy.spacing_ms(20), 4);
        let off = BoardPolicy {
            max_entries_per_s: 0,
            ..policy
        };
        assert_eq!(off.spacing_ms(5000), 0);
        assert!(off.due(200, Some(0), &order, &front, &[]));
    }
}
