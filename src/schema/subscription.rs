//! The subscription root, over the graphql-transport-ws (and the older
//! graphql-ws) protocol at `/graphql/ws`: `leaderboard(raceId)` streams a
//! running race's leaderboard as this server's hub receives it
//! (`LatestBoards`), the newest first. A subscriber that falls behind skips
//! to the newest board rather than queueing old ones, and the stream ends
//! with the race (or, for a race the hub has no board of, when the history
//! no longer has it running). Live subscriptions are capped
//! (`websocket.max_connections`).

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, Stream};
use juniper::{graphql_subscription, FieldError, FieldResult};

use super::race::Standing;
use super::Context;
use crate::actors::latest_boards::{BoardWatch, LatestBoards};
use crate::db::queries;
use crate::domain::events::Leaderboard;

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
        let watching = Watching {
            boards: Some(boards),
            latest: ctx.latest.clone(),
            pg: ctx.pg.clone(),
            race_id,
            _slot: slot,
        };
        Ok(Box::pin(stream::unfold(
            watching,
            |mut watching| async move {
                let board = watching.next_board().await?;
                Some((Ok(Standing(board)), watching))
            },
        )))
    }
}

/// How long a subscription waits for a race's first board before it asks
/// the history whether the race still runs: the hub may have seen the race
/// end just before the subscription came, while storage still said
/// "running", and such a race sends nothing more.
const NO_BOARD_RECHECK: Duration = Duration::from_secs(5);

/// One subscription's state: its race's boards and its place.
struct Watching {
    /// Always Some until dropped; taken to give it back.
    boards: Option<BoardWatch>,
    latest: Arc<LatestBoards>,
    pg: deadpool_postgres::Pool,
    race_id: String,
    _slot: Slot,
}

impl Watching {
    /// The next board of the race as data; None when the race has ended.
    async fn next_board(&mut self) -> Option<Arc<Leaderboard>> {
        loop {
            let boards = self.boards.as_mut()?;
            if boards.borrow().is_some() {
                boards.changed().await.ok()?;
            } else {
                match tokio::time::timeout(NO_BOARD_RECHECK, boards.changed()).await {
                    Ok(changed) => changed.ok()?,
                    Err(_) if still_running(&self.pg, &self.race_id).await => continue,
                    Err(_) => return None,
                }
            }
            let newest = boards.borrow_and_update().clone();
            if let Some(board) = newest.and_then(|b| b.parsed()) {
                return Some(board);
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        if let Some(boards) = self.boards.take() {
            self.latest.unwatch(&self.race_id, boards);
        }
    }
}

/// Whether the history still has the race running; a history that cannot
/// be asked ends no subscription.
async fn still_running(pg: &deadpool_postgres::Pool, race_id: &str) -> bool {
    match queries::race(pg, race_id).await {
        Ok(row) => row.is_some_and(|row| row.status == "running"),
        Err(e) => {
            log::warn!("subscription to {race_id}: race status unknown: {e}");
            true
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
