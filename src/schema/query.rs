//! The query root: `races` and `race(id)`.

use juniper::{graphql_object, FieldError, FieldResult};

use super::race::Race;
use super::Context;
use crate::db::queries;

/// Page size when `first` is not given, and the most a page may hold.
const DEFAULT_PAGE: i32 = 50;
const MAX_PAGE: i32 = 500;

pub struct Query;

#[graphql_object(context = Context)]
impl Query {
    /// Races, newest first; `status` is running, finished or stopped.
    async fn races(
        ctx: &Context,
        status: Option<String>,
        first: Option<i32>,
    ) -> FieldResult<Vec<Race>> {
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(FieldError::from(format!("first must be in 1..={MAX_PAGE}")));
        }
        let rows = queries::races(&ctx.pg, status.as_deref(), i64::from(first)).await?;
        Ok(rows.into_iter().map(Race::from).collect())
    }

    /// One race by id, or null when there is none.
    async fn race(ctx: &Context, id: String) -> FieldResult<Option<Race>> {
        // A race the hub follows: its newest leaderboard from memory, and
        // its row once per server rather than once per request.
        if let Some(board) = ctx.latest.get(&id).and_then(|b| b.parsed()) {
            let row = match ctx.live_races.get(&id) {
                Some(row) => Some(row),
                None => queries::race(&ctx.pg, &id)
                    .await?
                    .map(|row| ctx.live_races.keep(row)),
            };
            // Not in the history yet (storage trails the hub): no race yet.
            return Ok(row.map(|row| Race::live(row, board)));
        }
        Ok(queries::race(&ctx.pg, &id).await?.map(Race::from))
    }
}
