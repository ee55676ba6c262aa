//! What the broker has acknowledged of one simulated race, shared between
//! the `SimulatorActor` and the delivery futures of its records, and the
//! checkpoint that makes it survive a crash.
//!
//! A tick counts as acknowledged when the last record of it is: the
//! idempotent producer delivers one partition's records in order, so
//! everything before it is on the broker too. The checkpoint is written
//! from here at most every `CHECKPOINT_EVERY`; a crash re-publishes what
//! came after it, with the same `seq`s, which downstream drops.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use log::warn;

use crate::db::sim_checkpoint::SimCheckpoints;

/// How often the acknowledged tick is written to Redis.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Not yet acknowledged anything (not even `race_started`).
const NOTHING: u64 = u64::MAX;

#[derive(Debug)]
pub struct Progress {
    acked_tick: AtomicU64,
    in_flight: AtomicU64,
    failed: AtomicBool,
    written: AtomicU64,
    writing: AtomicBool,
}

impl Progress {
    /// `resumed_after`: the tick a resumed race's checkpoint already holds.
    pub fn new(resumed_after: Option<u64>) -> Arc<Progress> {
        let start = resumed_after.unwrap_or(NOTHING);
        Arc::new(Progress {
            acked_tick: AtomicU64::new(start),
            in_flight: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            written: AtomicU64::new(start),
            writing: AtomicBool::new(false),
        })
    }

    pub fn sent(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    /// A record was acknowledged; `completes` is the tick it was the last
    /// record of, if it was.
    pub fn delivered(&self, completes: Option<u64>) {
        if let Some(tick) = completes {
            if !self.failed.load(Ordering::Acquire) {
                let _ = self
                    .acked_tick
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                        (now == NOTHING || tick > now).then_some(tick)
                    });
            }
        }
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// A record was not delivered: the checkpoint stops where it is, so a
    /// resume re-publishes from before the gap.
    pub fn lost(&self) {
        self.failed.store(true, Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Writes the acknowledged tick if it moved since the last write (one
    /// write at a time; a failed write is retried on the next call).
    pub fn checkpoint(self: &Arc<Self>, checkpoints: &SimCheckpoints, race_id: &str) {
        let tick = self.acked_tick.load(Ordering::Acquire);
        let written = self.written.load(Ordering::Acquire);
        if tick == NOTHING || (written != NOTHING && tick <= written) {
            return;
        }
        if self.writing.swap(true, Ordering::AcqRel) {
            return;
        }
        let progress = self.clone();
        let checkpoints = checkpoints.clone();
        let race_id = race_id.to_owned();
        actix::spawn(async move {
            match checkpoints.acknowledged(&race_id, tick).await {
                Ok(()) => progress.written.store(tick, Ordering::Release),
                Err(e) => warn!("race {race_id}: checkpoint of tick {tick} not written: {e}"),
            }
            progress.writing.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acknowledged_tick_only_moves_forward_and_stops_at_a_loss() {
        let p = Progress::new(None);
        for _ in 0..4 {
            p.sent();
        }
        p.delivered(Some(0));
        p.delivered(Some(2));
        assert_eq!(p.acked_tick.load(Ordering::Acquire), 2);
        p.delivered(Some(1));
        assert_eq!(p.acked_tick.load(Ordering::Acquire), 2, "never backwards");
        p.lost();
        assert!(p.failed());
        p.sent();
        p.delivered(Some(3));
        assert_eq!(
            p.acked_tick.load(Ordering::Acquire),
            2,
            "after a loss the checkpoint stays before it"
        );
        assert_eq!(p.in_flight(), 0);
    }

    #[test]
    fn a_resumed_race_starts_from_its_checkpoint() {
        let p = Progress::new(Some(40));
        p.sent();
        p.delivered(None);
        assert_eq!(p.acked_tick.load(Ordering::Acquire), 40);
        p.sent();
        p.delivered(Some(41));
        assert_eq!(p.acked_tick.load(Ordering::Acquire), 41);
    }
}
