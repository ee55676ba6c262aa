//! Race strategy: pure functions on plain structs, fed from timing (each
//! car's completed laps with compound, tyre age, fuel and safety car flags,
//! and the leaderboard's gaps). Per car and lap they give a tyre
//! degradation model, the pit window, where the car would rejoin if it
//! pitted now, undercut threats, overcut chances and safety car calls, as a
//! `StrategyCall` a race engineer can read.
//!
//! Layout, one job per file:
//! - `params`: the tunable numbers (fuel effect, cliffs, compound pace...);
//! - `degradation`: fuel correction and the per-stint regression;
//! - `tyres`: tyre cost of staying out, next compound, pit window;
//! - `rejoin`: rejoin position if the car pitted now;
//! - `pit_exit`: the projection made when a car turns into the pit lane;
//! - `rejoin_odds`: from each rival's chance of ending ahead to a position;
//! - `rival_stops`: how likely another car is to stop meanwhile, learned;
//! - `logistic`: the small regression `rival_stops` learns with;
//! - `lane_loss`: what a stop costs from pit entry to pit exit, learned;
//! - `input`: the plain inputs, and their construction from `RaceTiming`;
//! - `call`: `StrategyCall`, the output;
//! - `engineer`: the rules that pick each car's call and word its reason.

mod call;
mod degradation;
mod engineer;
#[cfg(test)]
mod engineer_tests;
mod input;
mod lane_loss;
mod logistic;
mod params;
mod pit_exit;
mod rejoin;
mod rejoin_odds;
mod rival_stops;
mod tyres;

pub use call::{CallKind, StrategyCall, StrategyEvent};
pub use degradation::{fit_stint, fuel_corrected_ms, DegModel};
pub use engineer::{evaluate_car, evaluate_race};
pub use input::{from_timing, CarInput, RaceInput};
pub use lane_loss::LaneLoss;
pub use params::StrategyParams;
pub use pit_exit::{project_pit_exit, stops_that_matter};
pub use rejoin::{predict_rejoin, predict_rejoin_with, Rejoin};
pub use rejoin_odds::{ahead_count_distribution, band_probability, likeliest_position};
pub use rival_stops::RivalStops;
pub use tyres::{future_gain_ms, next_compound, pit_window_lap, stint_cost_ms, TyrePlan};
