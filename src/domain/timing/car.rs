//! Everything timing keeps for one car: its latest sample's state, its trace
//! and lap clock, its pit tracker and stint, its progress (running, finished,
//! retired) and its lap history for strategy. Plain data: the rules that move
//! it live in `race` and `board`.

use super::event::{LapRecord, Stint};
use super::interp::TracePoint;
use super::laps::LapClock;
use super::line::CarLine;
use super::pit::{PitInput, PitTracker};
use crate::domain::events::CarStatus;
use crate::domain::records::{Compound, Entry, PitState, Sample};

/// Where the car stands in the race. Finished and retired cars are frozen:
/// their later samples no longer move them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Progress {
    Running,
    Finished { laps: u32, at: TracePoint },
    Retired { at: TracePoint },
}

/// Pit and neutralisation flags of the lap in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LapFlags {
    pub in_lap: bool,
    pub out_lap: bool,
    pub neutralised: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct CarState {
    pub entry: Entry,
    /// False until the first sample: the car is not on the leaderboard yet.
    pub seen: bool,
    pub last_seq: Option<u64>,
    pub last_ts_ms: u64,
    pub pit_state: PitState,
    pub compound: Compound,
    pub tyre_age_laps: u32,
    pub fuel_kg: f64,
    pub line: CarLine,
    pub clock: LapClock,
    pub pit: PitTracker,
    pub pit_stops: u32,
    pub stint: Stint,
    pub progress: Progress,
    /// Last line crossing: laps completed and its instant.
    pub last_crossing: Option<(u32, f64)>,
    pub flags: LapFlags,
    pub laps: Vec<LapRecord>,
}

impl CarState {
    pub fn new(entry: &Entry, length_m: f64, sector_starts_m: [f64; 2]) -> Self {
        CarState {
            entry: entry.clone(),
            seen: false,
            last_seq: None,
            last_ts_ms: 0,
            pit_state: PitState::OnTrack,
            compound: Compound::Medium,
            tyre_age_laps: 0,
            fuel_kg: 0.0,
            line: CarLine::new(length_m),
            clock: LapClock::new(length_m, sector_starts_m),
            pit: PitTracker::default(),
            pit_stops: 0,
            stint: Stint {
                car_id: entry.car_id,
                stint: 1,
                compound: Compound::Medium,
                start_lap: 1,
            },
            progress: Progress::Running,
            last_crossing: None,
            flags: LapFlags::default(),
            laps: Vec::new(),
        }
    }

    /// The car's state as the pit tracker sees it.
    pub fn pit_input(&self, ts_ms: u64, lap: u32) -> PitInput {
        PitInput {
            state: self.pit_state,
            ts_ms,
            lap,
            compound: self.compound,
            age_laps: self.tyre_age_laps,
        }
    }

    /// Copies what the leaderboard shows from the latest sample.
    pub fn take_sample_state(&mut self, s: &Sample) {
        self.pit_state = s.pit;
        self.compound = s.tyre.compound;
        self.tyre_age_laps = s.tyre.age_laps;
        self.fuel_kg = s.fuel_kg;
        self.last_ts_ms = s.ts_ms;
        self.last_seq = Some(s.seq);
    }

    pub fn is_running(&self) -> bool {
        self.progress == Progress::Running
    }

    /// The point the order is made of: the head of the trace while running,
    /// the finish line or the retirement point once frozen.
    pub fn standing(&self) -> TracePoint {
        match self.progress {
            Progress::Running => self.line.head(),
            Progress::Finished { at, .. } | Progress::Retired { at } => at,
        }
    }

    /// The lap the car is on (laps completed once finished).
    pub fn current_lap(&self) -> u32 {
        match self.progress {
            Progress::Finished { laps, .. } => laps,
            _ => self.clock.laps_done + 1,
        }
    }

    pub fn status(&self) -> CarStatus {
        match self.progress {
            Progress::Finished { .. } => CarStatus::Finished,
            Progress::Retired { .. } => CarStatus::Retired,
            Progress::Running if self.pit.in_pit() || self.pit_state != PitState::OnTrack => {
                CarStatus::InPit
            }
            Progress::Running => CarStatus::Running,
        }
    }
}
