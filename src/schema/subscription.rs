//! The subscription root, over the graphql-transport-ws (and the older
//! graphql-ws) protocol at `/graphql/ws`: `leaderboard(raceId)` streams a
//! running race's leaderboard as this server's hub receives it
//! (`LatestBoards`), the newest first. A subscriber that falls behind skips
//! to the newest board rather than queueing old ones, and the stream ends
//! with the race. Live subscriptions are capped (`websocket.max_connections`).

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::stream::{self, Stream};
use juniper::{graphql_subscription, FieldError, FieldResult};

use super::race::Standing;
use super::Context;
use crate::actors::latest_boards::BoardWatch;
use crate::db::queries;

pub struct Subscription;

type Standings = Pin<Box<dyn Stream<Item = FieldResult<Standing>> + Send>>;

/// How many subscriptions are live, and how many may be.
pub struct SubscriptionSlots {
    live: AtomicUsize,
    max: usize,
}

impl SubscriptionSlots {
    pub fn new(max: usize) -> Self {
        SubscriptionSlots {
            live: AtomicUsize::new(0),
            max,
        }
    }

    fn take(self: &Arc<Self>) -> Option<Slot> {
        let taken = self
            .live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            });
        taken.is_ok().then(|| Slot(self.clone()))
    }
}

/// One live subscription; it frees its place when the stream is dropped.
struct Slot(Arc<SubscriptionSlots>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::AcqRel);
    }
}

#[graphql_subscription(context = Context)]
impl Subscription {
    /// A running race's leaderboard: the newest now, then every new one this
    /// server receives, until the race ends. A subscriber that falls behind
    /// gets the newest board, not every board in between.
    async fn leaderboard(ctx: &Context, race_id: String) -> FieldResult<Standings> {
        if ctx.latest.get(&race_id).is_none() {
            // The hub has no board yet: the race must be running to be
            // watched (a slot waits for it until it ends).
            match queries::race(&ctx.pg, &race_id).await? {
                Some(row) if row.status == "running" => {}
                Some(row) => {
                    return Err(FieldError::from(format!(
                    "race {race_id} is {}: query race(id) {{ leaderboard }} for its classification",
                    row.status
                )))
                }
                None => return Err(FieldError::from(format!("no race {race_id}"))),
            }
        }
        let slot = ctx
            .subscriptions
            .take()
            .ok_or_else(|| FieldError::from("too many subscriptions on this server"))?;
        let mut boards = ctx.latest.watch(&race_id);
        // The board already there is the first to send.
        boards.mark_changed();
        Ok(Box::pin(stream::unfold(
            (boards, slot),
            |(mut boards, slot)| async move {
                let board = next_board(&mut boards).await?;
                Some((Ok(Standing(board)), (boards, slot)))
            },
        )))
    }
}

/// The next board of the race as data; None when the race has ended.
async fn next_board(boards: &mut BoardWatch) -> Option<Arc<crate::domain::events::Leaderboard>> {
    loop {
        boards.changed().await.ok()?;
        let newest = boards.borrow_and_update().clone();
        if let Some(board) = newest.and_then(|b| b.parsed()) {
            return Some(board);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_and_given_back() {
        let slots = Arc::new(SubscriptionSlots::new(2));
        let a = slots.take().unwrap();
        let b = slots.take().unwrap();
        assert!(slots.take().is_none(), "over the cap");
        drop(a);
        let c = slots.take();
        assert!(c.is_some(), "a dropped subscription frees its place");
        drop((b, c));
        assert_eq!(slots.live.load(Ordering::Acquire), 0);
    }
}
