//! The events that travel on `telemetry_processed`, written by processing and
//! read by storage, the WebSocket hub and any external consumer.
//!
//! Every event carries `v`, `type`, `race_id`, `ts_ms` (race clock), a
//! deterministic `event_id` (race, type, car and race clock: a replay produces
//! the same ids so consumers drop duplicates) and `sent_at_us`, the wall clock
//! of the newest raw frame behind it, for end-to-end latency.

use serde::{Deserialize, Serialize};

use super::records::{Compound, PitState, SCHEMA_VERSION};

/// One event of `telemetry_processed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProcessedEvent {
    Leaderboard(Leaderboard),
    LapCompleted(LapCompleted),
    PitStop(PitStop),
    RaceStatus(RaceStatus),
    Strategy(StrategyEvent),
    CarTelemetry(CarTelemetry),
}

/// The header every processed event carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMeta {
    pub v: u32,
    pub race_id: String,
    pub ts_ms: u64,
    pub event_id: String,
    pub sent_at_us: u64,
}

impl EventMeta {
    /// `car` is part of the id for per-car events, so two cars crossing the
    /// line in the same millisecond get different ids.
    pub fn new(race_id: &str, kind: &str, car: Option<u32>, ts_ms: u64, sent_at_us: u64) -> Self {
        let event_id = match car {
            Some(car) => format!("{race_id}:{kind}:{car}:{ts_ms}"),
            None => format!("{race_id}:{kind}:{ts_ms}"),
        };
        EventMeta {
            v: SCHEMA_VERSION,
            race_id: race_id.to_owned(),
            ts_ms,
            event_id,
            sent_at_us,
        }
    }
}

impl ProcessedEvent {
    pub fn meta(&self) -> &EventMeta {
        match self {
            ProcessedEvent::Leaderboard(e) => &e.meta,
            ProcessedEvent::LapCompleted(e) => &e.meta,
            ProcessedEvent::PitStop(e) => &e.meta,
            ProcessedEvent::RaceStatus(e) => &e.meta,
            ProcessedEvent::Strategy(e) => &e.meta,
            ProcessedEvent::CarTelemetry(e) => &e.meta,
        }
    }

    /// The `type` tag, also the WebSocket channel's event name.
    pub fn kind(&self) -> &'static str {
        match self {
            ProcessedEvent::Leaderboard(_) => "leaderboard",
            ProcessedEvent::LapCompleted(_) => "lap_completed",
            ProcessedEvent::PitStop(_) => "pit_stop",
            ProcessedEvent::RaceStatus(_) => "race_status",
            ProcessedEvent::Strategy(_) => "strategy",
            ProcessedEvent::CarTelemetry(_) => "car_telemetry",
        }
    }
}

/// The order of the field at one instant of the race clock. A field larger
/// than `MAX_ENTRIES_PER_LEADERBOARD` travels as several chunks of
/// consecutive positions (`chunk` of `chunks`), each an event of its own:
/// a 5,000-car leaderboard is over the broker's 1 MB record limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    #[serde(flatten)]
    pub meta: EventMeta,
    /// Laps of the race and the leader's current lap.
    pub total_laps: u32,
    pub leader_lap: u32,
    #[serde(default)]
    pub chunk: u32,
    #[serde(default = "one")]
    pub chunks: u32,
    pub entries: Vec<LeaderboardEntry>,
}

fn one() -> u32 {
    1
}

/// Entries per leaderboard event: ~250 KB of JSON.
pub const MAX_ENTRIES_PER_LEADERBOARD: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    pub position: u32,
    pub car_id: u32,
    pub number: u32,
    pub driver: String,
    pub team: String,
    pub lap: u32,
    /// Distance covered since the start, the quantity the order is made of.
    pub race_distance_m: f64,
    /// None for the leader.
    pub gap_to_leader_ms: Option<u64>,
    /// Time to the car ahead; None for the leader.
    pub interval_ms: Option<u64>,
    /// Whole laps behind the leader (0 when on the lead lap).
    pub laps_down: u32,
    pub last_lap_ms: Option<u64>,
    pub best_lap_ms: Option<u64>,
    /// Times of the sectors completed on the current lap.
    pub sectors_ms: Vec<u64>,
    pub compound: Compound,
    pub tyre_age_laps: u32,
    pub pit_stops: u32,
    pub status: CarStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarStatus {
    Running,
    InPit,
    Retired,
    Finished,
}

/// A car crossed the line: its lap time and sectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LapCompleted {
    #[serde(flatten)]
    pub meta: EventMeta,
    pub car_id: u32,
    pub lap: u32,
    pub lap_ms: u64,
    pub sectors_ms: Vec<u64>,
    pub compound: Compound,
    pub tyre_age_laps: u32,
    pub personal_best: bool,
    pub overall_best: bool,
}

/// A completed pit stop, published when the car leaves the pit lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitStop {
    #[serde(flatten)]
    pub meta: EventMeta,
    pub car_id: u32,
    pub lap: u32,
    pub entry_ts_ms: u64,
    pub exit_ts_ms: u64,
    pub stationary_ms: u64,
    pub pit_lane_ms: u64,
    pub compound_in: Compound,
    pub compound_out: Compound,
}

/// Flags, safety car and the race's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceStatus {
    #[serde(flatten)]
    pub meta: EventMeta,
    pub status: RaceState,
    pub flag: String,
    pub leader_lap: u32,
    pub total_laps: u32,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RaceState {
    Running,
    Finished,
}

/// A strategy call for one car, published at its line crossing; the
/// `event_id` is `{race}:strategy:{car}:{ts_ms}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyEvent {
    #[serde(flatten)]
    pub meta: EventMeta,
    #[serde(flatten)]
    pub call: StrategyCall,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    PitNow,
    PitWindowOpen,
    StayOut,
    UndercutThreat,
    OvercutOpportunity,
    /// The car is in the pit lane: where it is projected to rejoin.
    Boxing,
}

impl CallKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::PitNow => "pit_now",
            CallKind::PitWindowOpen => "pit_window_open",
            CallKind::StayOut => "stay_out",
            CallKind::UndercutThreat => "undercut_threat",
            CallKind::OvercutOpportunity => "overcut_opportunity",
            CallKind::Boxing => "boxing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyCall {
    pub car_id: u32,
    /// The car's current lap.
    pub lap: u32,
    pub kind: CallKind,
    /// Position the car would rejoin in if it pitted now.
    pub rejoin_position: u32,
    /// The car it would rejoin behind (None: it would rejoin in the lead).
    pub rejoin_behind: Option<u32>,
    /// Pit loss used for the call: reduced under SC / VSC.
    pub pit_loss_ms: u64,
    /// Fitted degradation of the current stint, fuel-corrected.
    pub deg_ms_per_lap: f64,
    /// Laps until the compound's expected cliff (negative: past it).
    pub laps_to_cliff: i32,
    /// First lap of the pit window, if it opens before the end.
    pub pit_window_lap: Option<u32>,
    /// Compound for the next stint.
    pub next_compound: Compound,
    /// The rival of an undercut threat or overcut opportunity.
    pub rival: Option<u32>,
    pub reason: String,
}

/// Where the cars are, for the track map: published a few times a second per
/// race (rate-limited on the race clock), at most `MAX_CARS_PER_TELEMETRY`
/// cars per event; the event id carries the first car of the chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarTelemetry {
    #[serde(flatten)]
    pub meta: EventMeta,
    pub cars: Vec<CarPosition>,
}

pub const MAX_CARS_PER_TELEMETRY: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarPosition {
    pub car_id: u32,
    pub x: f64,
    pub y: f64,
    pub speed_kph: f64,
    pub lap: u32,
    pub lap_distance_m: f64,
    pub pit: PitState,
}

/// Decodes one processed event.
pub fn decode_processed(bytes: &[u8]) -> Result<ProcessedEvent, super::records::DecodeError> {
    let event: ProcessedEvent = serde_json::from_slice(bytes)?;
    if event.meta().v != SCHEMA_VERSION {
        return Err(super::records::DecodeError::Version(event.meta().v));
    }
    Ok(event)
}
