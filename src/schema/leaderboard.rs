//! `LeaderboardRow`: one car's line of a leaderboard.

use std::sync::Arc;

use juniper::graphql_object;

use super::Context;
use crate::domain::events::{CarStatus, Leaderboard, LeaderboardEntry};

/// Row `index` of a shared leaderboard.
pub struct LeaderboardRow {
    board: Arc<Leaderboard>,
    index: usize,
}

impl LeaderboardRow {
    /// `Standing` makes rows for its own indexes only, so `entry` is in range.
    pub fn new(board: Arc<Leaderboard>, index: usize) -> Self {
        LeaderboardRow { board, index }
    }

    fn entry(&self) -> &LeaderboardEntry {
        &self.board.entries[self.index]
    }
}

fn ms(v: Option<u64>) -> Option<i32> {
    v.map(|v| v.min(i32::MAX as u64) as i32)
}

#[graphql_object(context = Context)]
impl LeaderboardRow {
    fn position(&self) -> i32 {
        self.entry().position as i32
    }
    fn car_id(&self) -> i32 {
        self.entry().car_id as i32
    }
    fn number(&self) -> i32 {
        self.entry().number as i32
    }
    fn driver(&self) -> &str {
        &self.entry().driver
    }
    fn team(&self) -> &str {
        &self.entry().team
    }
    fn lap(&self) -> i32 {
        self.entry().lap as i32
    }
    fn race_distance_m(&self) -> f64 {
        self.entry().race_distance_m
    }
    fn gap_to_leader_ms(&self) -> Option<i32> {
        ms(self.entry().gap_to_leader_ms)
    }
    fn interval_ms(&self) -> Option<i32> {
        ms(self.entry().interval_ms)
    }
    fn laps_down(&self) -> i32 {
        self.entry().laps_down as i32
    }
    fn last_lap_ms(&self) -> Option<i32> {
        ms(self.entry().last_lap_ms)
    }
    fn best_lap_ms(&self) -> Option<i32> {
        ms(self.entry().best_lap_ms)
    }
    fn compound(&self) -> &str {
        self.entry().compound.as_str()
    }
    fn tyre_age_laps(&self) -> i32 {
        self.entry().tyre_age_laps as i32
    }
    fn pit_stops(&self) -> i32 {
        self.entry().pit_stops as i32
    }
    /// running, in_pit, retired or finished.
    fn status(&self) -> &str {
        match self.entry().status {
            CarStatus::Running => "running",
            CarStatus::InPit => "in_pit",
            CarStatus::Retired => "retired",
            CarStatus::Finished => "finished",
        }
    }
}
