//! `Race`: a race's summary and entry list from PostgreSQL, its live
//! leaderboard from this server's hub (`LatestBoards`, Redis when the hub
//! has none), its history from PostgreSQL.

use std::sync::Arc;

use juniper::{graphql_object, FieldError, FieldResult};

use super::eager::Eager;
use super::history::{
    stints, GapPoint, Lap, PitStop, RaceControlMessage, Stint, StrategyCall, Track,
};
use super::leaderboard::LeaderboardRow;
use super::telemetry::TelemetryPoint;
use super::Context;
use crate::db::live;
use crate::db::queries::{self, EntryRow, RaceRow};
use crate::domain::events::Leaderboard;
use crate::domain::records::TrackInfo;

pub struct Race {
    row: Arc<RaceRow>,
    /// The hub's newest leaderboard of a race it follows live: the race is
    /// running (the hub drops it when the race ends).
    live: Option<Arc<Leaderboard>>,
}

impl From<RaceRow> for Race {
    fn from(row: RaceRow) -> Self {
        Race {
            row: Arc::new(row),
            live: None,
        }
    }
}

impl Race {
    /// A race the hub follows live, with its newest leaderboard; `row` is
    /// read for the fields that never change (`LiveRaces`).
    pub fn live(row: Arc<RaceRow>, board: Arc<Leaderboard>) -> Self {
        Race {
            row,
            live: Some(board),
        }
    }
}

#[graphql_object(context = Context)]
impl Race {
    fn id(&self) -> &str {
        &self.row.race_id
    }

    fn name(&self) -> &str {
        &self.row.name
    }

    fn track_id(&self) -> &str {
        &self.row.track_id
    }

    fn total_laps(&self) -> i32 {
        self.row.total_laps
    }

    fn sample_hz(&self) -> f64 {
        self.row.sample_hz
    }

    /// running, finished or stopped.
    fn status(&self) -> &str {
        if self.live.is_some() {
            "running"
        } else {
            &self.row.status
        }
    }

    /// Wall clock at the start, milliseconds since the Unix epoch.
    fn started_at_ms(&self) -> f64 {
        self.row.started_at_ms as f64
    }

    async fn entries(&self, ctx: &Context) -> FieldResult<Eager<Vec<Entry>>> {
        Ok(Eager(
            queries::entries(&ctx.pg, &self.row.race_id)
                .await?
                .into_iter()
                .map(Entry)
                .collect(),
        ))
    }

    /// A running race's newest leaderboard (the hub's, else the live view
    /// in Redis); a finished race's final classification from the history.
    /// Null before the first.
    async fn leaderboard(&self, ctx: &Context) -> FieldResult<Option<Eager<Standing>>> {
        if let Some(board) = &self.live {
            return Ok(Some(Eager(Standing(board.clone()))));
        }
        if self.row.status != "running" {
            if let Some(board) = queries::final_leaderboard(&ctx.pg, &self.row.race_id).await? {
                let board: Leaderboard = serde_json::from_value(board)?;
                return Ok(Some(Eager(Standing(Arc::new(board)))));
            }
        }
        let Some(json) = live::leaderboard(&ctx.redis, &ctx.keys, &self.row.race_id).await? else {
            return Ok(None);
        };
        let board: Leaderboard = serde_json::from_str(&json)?;
        Ok(Some(Eager(Standing(Arc::new(board)))))
    }

    /// The circuit as the race announced it.
    async fn track(&self, ctx: &Context) -> FieldResult<Option<Track>> {
        let Some(json) = queries::track(&ctx.pg, &self.row.race_id).await? else {
            return Ok(None);
        };
        let track: TrackInfo = serde_json::from_value(json)?;
        Ok(Some(track.into()))
    }

    /// Timed laps ordered by car and lap, `first` of them after the cursor
    /// `after` ("carId:lap" of the last lap of the previous page).
    async fn laps(
        &self,
        ctx: &Context,
        car_id: Option<i32>,
        first: Option<i32>,
        after: Option<String>,
    ) -> FieldResult<Eager<Vec<Lap>>> {
        let after = after.as_deref().map(parse_cursor).transpose()?;
        let rows =
            queries::laps(&ctx.pg, &self.row.race_id, car_id, after, page_size(first)?).await?;
        Ok(Eager(rows.into_iter().map(Lap::from).collect()))
    }

    async fn pit_stops(
        &self,
        ctx: &Context,
        car_id: Option<i32>,
    ) -> FieldResult<Eager<Vec<PitStop>>> {
        let rows = queries::pit_stops(&ctx.pg, &self.row.race_id, car_id).await?;
        Ok(Eager(rows.into_iter().map(PitStop::from).collect()))
    }

    /// Runs on one set of tyres, worked out from the timed laps.
    async fn stints(&self, ctx: &Context, car_id: Option<i32>) -> FieldResult<Eager<Vec<Stint>>> {
        let rows = queries::laps(
            &ctx.pg,
            &self.row.race_id,
            car_id,
            None,
            MAX_LAPS_FOR_STINTS,
        )
        .await?;
        Ok(Eager(stints(&rows)))
    }

    /// Strategy calls, newest first.
    async fn strategy(
        &self,
        ctx: &Context,
        car_id: Option<i32>,
        first: Option<i32>,
    ) -> FieldResult<Eager<Vec<StrategyCall>>> {
        let rows = queries::strategy(&ctx.pg, &self.row.race_id, car_id, page_size(first)?).await?;
        Ok(Eager(rows.into_iter().map(StrategyCall::from).collect()))
    }

    async fn race_control(&self, ctx: &Context) -> FieldResult<Eager<Vec<RaceControlMessage>>> {
        let rows = queries::race_control(&ctx.pg, &self.row.race_id).await?;
        Ok(Eager(
            rows.into_iter().map(RaceControlMessage::from).collect(),
        ))
    }

    /// A car's position and gap to the leader over the race (one point a
    /// second of race clock).
    async fn gap_history(&self, ctx: &Context, car_id: i32) -> FieldResult<Eager<Vec<GapPoint>>> {
        let rows = queries::gap_history(&ctx.pg, &self.row.race_id, car_id).await?;
        Ok(Eager(rows.into_iter().map(GapPoint::from).collect()))
    }

    /// A car's telemetry between `from` and `to` (race clock, ms; default the
    /// whole race), downsampled on the server to at most `maxPoints`.
    async fn telemetry(
        &self,
        ctx: &Context,
        car_id: i32,
        from: Option<f64>,
        to: Option<f64>,
        max_points: Option<i32>,
    ) -> FieldResult<Eager<Vec<TelemetryPoint>>> {
        let max_points = max_points.unwrap_or(500);
        if !(2..=MAX_TELEMETRY_POINTS).contains(&max_points) {
            return Err(FieldError::from(format!(
                "maxPoints must be in 2..={MAX_TELEMETRY_POINTS}"
            )));
        }
        let (from, to) = (
            from.unwrap_or(0.0) as i64,
            to.map_or(i64::MAX, |t| t as i64),
        );
        let rows = queries::telemetry(
            &ctx.pg,
            &self.row.race_id,
            car_id,
            (from, to),
            max_points as usize,
        )
        .await?;
        Ok(Eager(rows.iter().map(TelemetryPoint::from).collect()))
    }
}

/// Most items a page may hold, and the default.
pub const MAX_PAGE: i32 = 1000;
const DEFAULT_PAGE: i32 = 100;
const MAX_TELEMETRY_POINTS: i32 = 5000;
/// Stints are worked out from at most this many laps (5,000 cars × 200 laps
/// would not be one query's worth).
const MAX_LAPS_FOR_STINTS: i64 = 100_000;

fn page_size(first: Option<i32>) -> FieldResult<i64> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(FieldError::from(format!("first must be in 1..={MAX_PAGE}")));
    }
    Ok(i64::from(first))
}

fn parse_cursor(cursor: &str) -> FieldResult<(i32, i32)> {
    let bad = || FieldError::from("after: not a cursor returned by this API");
    let (car, lap) = cursor.split_once(':').ok_or_else(bad)?;
    Ok((
        car.parse().map_err(|_| bad())?,
        lap.parse().map_err(|_| bad())?,
    ))
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

/// The order of the field at one instant. Getters only: it is resolved
/// `Eager`ly, rows and all. Shared, not copied, from the hub's memory.
pub struct Standing(pub(super) Arc<Leaderboard>);

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
        (0..self.0.entries.len())
            .map(|i| LeaderboardRow::new(self.0.clone(), i))
            .collect()
    }
}
