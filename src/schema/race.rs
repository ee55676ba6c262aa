//! `Race`: a race's summary and entry list from PostgreSQL, its live
//! leaderboard from Redis.

use juniper::{graphql_object, FieldResult};

use super::leaderboard::LeaderboardRow;
use super::Context;
use crate::db::history::{self, EntryRow, RaceRow};
use crate::db::live;
use crate::domain::events::Leaderboard;

pub struct Race(RaceRow);

impl From<RaceRow> for Race {
    fn from(row: RaceRow) -> Self {
        Race(row)
    }
}

#[graphql_object(context = Context)]
impl Race {
    fn id(&self) -> &str {
        &self.0.race_id
    }

    fn name(&self) -> &str {
        &self.0.name
    }

    fn track_id(&self) -> &str {
        &self.0.track_id
    }

    fn total_laps(&self) -> i32 {
        self.0.total_laps
    }

    fn sample_hz(&self) -> f64 {
        self.0.sample_hz
    }

    /// running, finished or stopped.
    fn status(&self) -> &str {
        &self.0.status
    }

    /// Wall clock at the start, milliseconds since the Unix epoch.
    fn started_at_ms(&self) -> f64 {
        self.0.started_at_ms as f64
    }

    async fn entries(&self, ctx: &Context) -> FieldResult<Vec<Entry>> {
        Ok(history::entries(&ctx.pg, &self.0.race_id)
            .await?
            .into_iter()
            .map(Entry)
            .collect())
    }

    /// The latest leaderboard from the live view, or null before the first.
    async fn leaderboard(&self, ctx: &Context) -> FieldResult<Option<Standing>> {
        let Some(json) = live::leaderboard(&ctx.redis, &ctx.keys, &self.0.race_id).await? else {
            return Ok(None);
        };
        let board: Leaderboard = serde_json::from_str(&json)?;
        Ok(Some(Standing(board)))
    }
}

/// One car of the entry list.
pub struct Entry(EntryRow);

#[graphql_object(context = Context)]
impl Entry {
    fn car_id(&self) -> i32 {
        self.0.car_id
    }
    fn number(&self) -> i32 {
        self.0.number
    }
    fn driver(&self) -> &str {
        &self.0.driver
    }
    fn team(&self) -> &str {
        &self.0.team
    }
}

/// The order of the field at one instant.
pub struct Standing(Leaderboard);

#[graphql_object(context = Context)]
impl Standing {
    /// Race clock of this leaderboard, milliseconds.
    fn ts_ms(&self) -> f64 {
        self.0.meta.ts_ms as f64
    }
    fn leader_lap(&self) -> i32 {
        self.0.leader_lap as i32
    }
    fn total_laps(&self) -> i32 {
        self.0.total_laps as i32
    }
    fn entries(&self) -> Vec<LeaderboardRow> {
        self.0.entries.iter().cloned().map(LeaderboardRow).collect()
    }
}
