//! The pit-lane state machine of one car, driven by the `PitState` of its
//! samples: OnTrack → PitLane (entry), PitLane → PitBox (stationary start),
//! PitBox → PitLane (stationary end), PitLane → OnTrack (exit).
//!
//! Instants are those of the first sample seen in the new state: the pit
//! lane's entry and exit lines are not in `TrackInfo`, so unlike the timing
//! line they cannot be interpolated, and the error is one sample period at
//! most (100 ms at 10 Hz), the same for entry and exit. A sample period too
//! coarse to show a state (OnTrack straight to PitBox, PitBox straight to
//! OnTrack) is handled: the missing transitions happen at the same instant.

use crate::domain::records::{Compound, PitState, Sample};

/// A stop that has ended (the car is back on track).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClosedStop {
    pub lap: u32,
    pub entry_ts_ms: u64,
    pub exit_ts_ms: u64,
    pub stationary_ms: u64,
    pub compound_in: Compound,
    pub compound_out: Compound,
    /// New tyres fitted: another compound, or the tyre age went down.
    pub tyres_changed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OpenStop {
    lap: u32,
    entry_ts_ms: u64,
    box_since_ms: Option<u64>,
    stationary_ms: u64,
    compound_in: Compound,
    age_in: u32,
}

/// What the tracker needs of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PitInput {
    pub state: PitState,
    pub ts_ms: u64,
    pub lap: u32,
    pub compound: Compound,
    pub age_laps: u32,
}

impl PitInput {
    pub fn of_sample(s: &Sample) -> Self {
        PitInput {
            state: s.pit,
            ts_ms: s.ts_ms,
            lap: s.lap,
            compound: s.tyre.compound,
            age_laps: s.tyre.age_laps,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PitTracker {
    open: Option<OpenStop>,
}

impl PitTracker {
    /// True between pit entry and pit exit.
    pub fn in_pit(&self) -> bool {
        self.open.is_some()
    }

    /// Race clock of the entry of the stop under way, if any.
    pub fn entry_ms(&self) -> Option<u64> {
        self.open.map(|o| o.entry_ts_ms)
    }

    /// Feeds one sample; `prev` is the car's previous sample. Returns the stop
    /// when this sample ends it.
    pub fn update(&mut self, prev: PitInput, cur: PitInput) -> Option<ClosedStop> {
        let entering = matches!(cur.state, PitState::PitLane | PitState::PitBox);
        if entering && self.open.is_none() && prev.state == PitState::OnTrack {
            self.open = Some(OpenStop {
                lap: cur.lap,
                entry_ts_ms: cur.ts_ms,
                box_since_ms: None,
                stationary_ms: 0,
                compound_in: prev.compound,
                age_in: prev.age_laps,
            });
        }
        let open = self.open.as_mut()?;
        match (
            prev.state == PitState::PitBox,
            cur.state == PitState::PitBox,
        ) {
            (false, true) => open.box_since_ms = Some(cur.ts_ms),
            (true, false) => {
                if let Some(since) = open.box_since_ms.take() {
                    open.stationary_ms += cur.ts_ms.saturating_sub(since);
                }
            }
            _ => {}
        }
        match cur.state {
            PitState::OnTrack => {
                let stop = *open;
                self.open = None;
                Some(ClosedStop {
                    lap: stop.lap,
                    entry_ts_ms: stop.entry_ts_ms,
                    exit_ts_ms: cur.ts_ms,
                    stationary_ms: stop.stationary_ms,
                    compound_in: stop.compound_in,
                    compound_out: cur.compound,
                    tyres_changed: cur.compound != stop.compound_in || cur.age_laps < stop.age_in,
                })
            }
            PitState::Retired => {
                // A car that retires in the pits has no stop to report.
                self.open = None;
                None
            }
            PitState::PitLane | PitState::PitBox => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(state: PitState, ts_ms: u64, compound: Compound, age_laps: u32) -> PitInput {
        PitInput {
            state,
            ts_ms,
            lap: 12,
            compound,
            age_laps,
        }
    }

    fn feed(t: &mut PitTracker, seq: &[PitInput]) -> Vec<ClosedStop> {
        seq.windows(2)
            .filter_map(|w| t.update(w[0], w[1]))
            .collect()
    }

    #[test]
    fn full_stop_gives_entry_stationary_and_exit() {
        use Compound::*;
        use PitState::*;
        let mut t = PitTracker::default();
        let stops = feed(
            &mut t,
            &[
                at(OnTrack, 1_000, Medium, 11),
                at(PitLane, 1_100, Medium, 11),
                at(PitLane, 5_000, Medium, 11),
                at(PitBox, 5_100, Medium, 11),
                at(PitBox, 7_400, Hard, 0),
                at(PitLane, 7_500, Hard, 0),
                at(OnTrack, 20_100, Hard, 0),
                at(OnTrack, 20_200, Hard, 0),
            ],
        );
        assert_eq!(
            stops,
            vec![ClosedStop {
                lap: 12,
                entry_ts_ms: 1_100,
                exit_ts_ms: 20_100,
                stationary_ms: 2_400,
                compound_in: Medium,
                compound_out: Hard,
                tyres_changed: true,
            }]
        );
        assert!(!t.in_pit());
    }

    #[test]
    fn coarse_samples_skipping_states_still_close_the_stop() {
        use Compound::*;
        use PitState::*;
        let mut t = PitTracker::default();
        let stops = feed(
            &mut t,
            &[
                at(OnTrack, 0, Soft, 9),
                at(PitBox, 1_000, Soft, 9),
                at(OnTrack, 3_000, Soft, 0),
            ],
        );
        assert_eq!(stops.len(), 1);
        assert_eq!(stops[0].stationary_ms, 2_000);
        assert_eq!(stops[0].exit_ts_ms - stops[0].entry_ts_ms, 2_000);
        // Same compound but age reset: new tyres.
        assert!(stops[0].tyres_changed);
    }

    #[test]
    fn drive_through_keeps_tyres_and_retirement_in_pits_reports_nothing() {
        use Compound::*;
        use PitState::*;
        let mut t = PitTracker::default();
        let stops = feed(
            &mut t,
            &[
                at(OnTrack, 0, Soft, 9),
                at(PitLane, 100, Soft, 9),
                at(OnTrack, 15_000, Soft, 9),
                at(PitLane, 90_000, Soft, 10),
                at(Retired, 95_000, Soft, 10),
            ],
        );
        assert_eq!(stops.len(), 1);
        assert!(!stops[0].tyres_changed);
        assert_eq!(stops[0].stationary_ms, 0);
        assert!(!t.in_pit());
    }
}
