//! `LeaderboardRow`: one car's line of a leaderboard.

use juniper::graphql_object;

use super::Context;
use crate::domain::events::{CarStatus, LeaderboardEntry};

pub struct LeaderboardRow(pub LeaderboardEntry);

fn ms(v: Option<u64>) -> Option<i32> {
    v.map(|v| v.min(i32::MAX as u64) as i32)
}

#[graphql_object(context = Context)]
impl LeaderboardRow {
    fn position(&self) -> i32 {
        self.0.position as i32
    }
    fn car_id(&self) -> i32 {
        self.0.car_id as i32
    }
    fn number(&self) -> i32 {
        self.0.number as i32
    }
    fn driver(&self) -> &str {
        &self.0.driver
    }
    fn team(&self) -> &str {
        &self.0.team
    }
    fn lap(&self) -> i32 {
        self.0.lap as i32
    }
    fn race_distance_m(&self) -> f64 {
        self.0.race_distance_m
    }
    fn gap_to_leader_ms(&self) -> Option<i32> {
        ms(self.0.gap_to_leader_ms)
    }
    fn interval_ms(&self) -> Option<i32> {
        ms(self.0.interval_ms)
    }
    fn laps_down(&self) -> i32 {
        self.0.laps_down as i32
    }
    fn last_lap_ms(&self) -> Option<i32> {
        ms(self.0.last_lap_ms)
    }
    fn best_lap_ms(&self) -> Option<i32> {
        ms(self.0.best_lap_ms)
    }
    fn compound(&self) -> &str {
        self.0.compound.as_str()
    }
    fn tyre_age_laps(&self) -> i32 {
        self.0.tyre_age_laps as i32
    }
    fn pit_stops(&self) -> i32 {
        self.0.pit_stops as i32
    }
    /// running, in_pit, retired or finished.
    fn status(&self) -> &str {
        match self.0.status {
            CarStatus::Running => "running",
            CarStatus::InPit => "in_pit",
            CarStatus::Retired => "retired",
            CarStatus::Finished => "finished",
        }
    }
}
