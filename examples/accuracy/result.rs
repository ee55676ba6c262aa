//! What one race measured: the raw material of every figure, merged over
//! the races by report.rs.

use super::stats::{Brier, Errors, Ratio};

/// Everything measured on one race.
#[derive(Debug, Default)]
pub struct RaceResult {
    pub label: String,
    pub periods: Vec<String>,
    pub retirements: usize,
    pub ticks: u64,
    pub samples: u64,
    /// Order of each lap's line crossings against truth's positions.
    pub positions: Ratio,
    /// The same against the order of the truth's exact line instants.
    pub positions_by_time: Ratio,
    /// Truth's `position` agrees with the order of its own line instants.
    pub truth_position_consistent: Ratio,
    pub position_ties: u64,
    pub position_misses: Vec<String>,
    /// At each car's first tick past a timing line (finish line, sector 2
    /// and 3 starts), anchored on the truth's exact crossing instants.
    pub gap_line: Errors,
    pub interval_line: Errors,
    /// At every tick, against the reconstructed reference traces.
    pub gap_tick: Errors,
    pub interval_tick: Errors,
    /// The same for cars in the pit lane.
    pub gap_tick_pit: Errors,
    /// Timing's gap against the reference read the way timing reads it
    /// (linear between the timing points): what the Hermite reading saves.
    pub gap_tick_50m: Errors,
    pub interval_tick_pit: Errors,
    /// Reference traces against the truth's exact crossing instants.
    pub reference: Errors,
    pub lap_time: Errors,
    pub lap_time_after_1: Errors,
    pub lap_time_1: Errors,
    pub lap_over_1ms: Vec<String>,
    pub laps_matched: Ratio,
    pub laps_extra: u64,
    pub pits: Ratio,
    pub pits_incomplete: u64,
    pub pits_spurious: Vec<String>,
    pub pit_misses: Vec<String>,
    pub stationary: Errors,
    pub pit_entry: Errors,
    pub pit_exit: Errors,
    /// Strategy's rejoin position (call at the crossing that starts the in-lap).
    pub rejoin_exit: Ratio,
    pub rejoin_exit_green: Ratio,
    pub rejoin_outlap: Ratio,
    /// Green-flag stops, with the other cars' stops in the same window known.
    pub rejoin_oracle_green: Ratio,
    pub rejoin_misses: Vec<String>,
    pub rejoin_no_call: u64,
    /// Strategy's pit-exit projection, made when the car entered the pit lane.
    pub rejoin_entry: Ratio,
    pub rejoin_entry_green: Ratio,
    pub rejoin_entry_misses: Vec<String>,
    /// Strategy's chance that each car that could pass during a stop stops
    /// too, against whether it did: green-flag stops, and stops with a
    /// SC/VSC out at the call.
    pub forecast_green: Brier,
    pub forecast_caution: Brier,
    /// Wall time of `ingest` (all samples of each tick) and `leaderboard`.
    pub ingest_ns: u128,
    pub board_ns: Vec<u64>,
    pub strategy_ns: u128,
    pub strategy_calls: u64,
    pub sim_ns: u128,
}
