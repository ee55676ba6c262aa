//! `LatestBoards`: the newest whole leaderboard of each running race, as
//! this server's hub received it from `telemetry_processed`. The hub writes
//! it (and drops a race when it finishes); WebSocket snapshots and
//! GraphQL's live `leaderboard` read it. It is fresher than Redis, which
//! trails by storage's batching, and it costs a lock instead of a round
//! trip; readers fall back to Redis for races it does not hold (a server
//! that started mid-race and has seen no leaderboard yet).
//!
//! Each board is kept as the JSON it arrived in (what a snapshot sends) and
//! parsed at most once, by the first reader that wants it as data.
//!
//! Each race's board sits in a `watch` channel, so a GraphQL subscription
//! (`schema::subscription`) wakes on every new board and, when it falls
//! behind, skips to the newest; the channel closes when the race ends.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use bytestring::ByteString;
use tokio::sync::watch;

use crate::domain::events::Leaderboard;

/// One race's newest leaderboard.
pub struct LatestBoard {
    pub json: ByteString,
    parsed: OnceLock<Option<Arc<Leaderboard>>>,
}

impl LatestBoard {
    pub fn new(json: ByteString) -> Self {
        LatestBoard {
            json,
            parsed: OnceLock::new(),
        }
    }

    /// The board as data; None if its JSON is not a leaderboard.
    pub fn parsed(&self) -> Option<Arc<Leaderboard>> {
        self.parsed
            .get_or_init(|| serde_json::from_str(&self.json).ok().map(Arc::new))
            .clone()
    }
}

/// A race's newest board; None until the first arrives.
pub type BoardWatch = watch::Receiver<Option<Arc<LatestBoard>>>;

#[derive(Default)]
pub struct LatestBoards {
    boards: RwLock<HashMap<String, watch::Sender<Option<Arc<LatestBoard>>>>>,
}

impl LatestBoards {
    pub fn set(&self, race_id: &str, json: ByteString) {
        self.keep(race_id, LatestBoard::new(json));
    }

    /// A board the caller already holds as data (a large field's chunks put
    /// back together): no reader parses its JSON again.
    pub fn set_parsed(&self, race_id: &str, json: ByteString, board: Leaderboard) {
        let latest = LatestBoard::new(json);
        let _ = latest.parsed.set(Some(Arc::new(board)));
        self.keep(race_id, latest);
    }

    fn keep(&self, race_id: &str, board: LatestBoard) {
        let board = Some(Arc::new(board));
        let mut boards = self.boards.write().unwrap_or_else(|p| p.into_inner());
        match boards.get(race_id) {
            Some(slot) => {
                slot.send_replace(board);
            }
            None => {
                boards.insert(race_id.to_owned(), watch::Sender::new(board));
            }
        }
    }

    /// Every board of `race_id` from now on, the newest first if there is
    /// one; it closes when the race ends (`remove`). Call it only for a
    /// race that is running: its slot stays until the race ends.
    pub fn watch(&self, race_id: &str) -> BoardWatch {
        if let Some(slot) = self
            .boards
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(race_id)
        {
            return slot.subscribe();
        }
        self.boards
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(race_id.to_owned())
            .or_insert_with(|| watch::Sender::new(None))
            .subscribe()
    }

    /// Gives back a watcher. A slot that never got a board and is watched
    /// by nobody else goes: it was made for a race the hub has not seen
    /// (or has just seen end), and `remove` would never come for it.
    pub fn unwatch(&self, race_id: &str, watcher: BoardWatch) {
        drop(watcher);
        let mut boards = self.boards.write().unwrap_or_else(|p| p.into_inner());
        // Under the write lock no `watch` can subscribe in between.
        if boards
            .get(race_id)
            .is_some_and(|slot| slot.receiver_count() == 0 && slot.borrow().is_none())
        {
            boards.remove(race_id);
        }
    }

    pub fn remove(&self, race_id: &str) {
        self.boards
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(race_id);
    }

    pub fn get(&self, race_id: &str) -> Option<Arc<LatestBoard>> {
        self.boards
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(race_id)
            .and_then(|slot| slot.borrow().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_is_replaced_parsed_once_and_removed() {
        let boards = LatestBoards::default();
        assert!(boards.get("r").is_none());
        let json = |ts: u64| {
            ByteString::from(format!(
                r#"{{"type":"leaderboard","v":1,"race_id":"r","ts_ms":{ts},"event_id":"e{ts}","sent_at_us":1,"leader_lap":3,"total_laps":10,"entries":[]}}"#
            ))
        };
        boards.set("r", json(100));
        let first = boards.get("r").unwrap();
        let parsed = first.parsed().expect("a leaderboard");
        assert_eq!(parsed.meta.ts_ms, 100);
        assert!(
            Arc::ptr_eq(&parsed, &first.parsed().unwrap()),
            "parsed once"
        );
        boards.set("r", json(200));
        assert_eq!(boards.get("r").unwrap().parsed().unwrap().meta.ts_ms, 200);
        assert_eq!(
            first.parsed().unwrap().meta.ts_ms,
            100,
            "readers keep theirs"
        );
        boards.remove("r");
        assert!(boards.get("r").is_none());
    }

    #[test]
    fn a_board_given_as_data_is_not_parsed_again() {
        let boards = LatestBoards::default();
        let json = r#"{"type":"leaderboard","v":1,"race_id":"r","ts_ms":7,"event_id":"e","sent_at_us":1,"leader_lap":3,"total_laps":10,"entries":[]}"#;
        let board: Leaderboard = serde_json::from_str(json).unwrap();
        // JSON that would not parse proves the data given is what is read.
        boards.set_parsed("r", ByteString::from_static("not json"), board);
        let latest = boards.get("r").unwrap();
        assert_eq!(latest.parsed().map(|b| b.meta.ts_ms), Some(7));
        assert_eq!(latest.json, "not json");
    }

    #[test]
    fn json_that_is_not_a_leaderboard_parses_to_none() {
        let board = LatestBoard::new(ByteString::from_static(r#"{"type":"leaderboard"}"#));
        assert!(board.parsed().is_none());
    }

    #[tokio::test]
    async fn a_watcher_sees_the_newest_board_and_the_end() {
        let boards = LatestBoards::default();
        let mut early = boards.watch("r");
        assert!(boards.get("r").is_none(), "a watcher adds no board");
        boards.set("r", ByteString::from_static("1"));
        boards.set("r", ByteString::from_static("2"));
        early.changed().await.unwrap();
        let newest = early.borrow_and_update().clone().unwrap();
        assert_eq!(&*newest.json, "2", "a watcher behind skips to the newest");
        let mut late = boards.watch("r");
        assert_eq!(&*late.borrow_and_update().clone().unwrap().json, "2");
        boards.remove("r");
        assert!(early.changed().await.is_err(), "closed when the race ends");
        assert!(late.changed().await.is_err());
    }

    #[test]
    fn an_empty_slot_goes_with_its_last_watcher_and_a_board_stays() {
        let boards = LatestBoards::default();
        let (a, b) = (boards.watch("r"), boards.watch("r"));
        boards.unwatch("r", a);
        assert!(boards.boards.read().unwrap().contains_key("r"), "b watches");
        boards.unwatch("r", b);
        assert!(!boards.boards.read().unwrap().contains_key("r"), "nobody");
        boards.set("s", ByteString::from_static("1"));
        boards.unwatch("s", boards.watch("s"));
        assert!(boards.get("s").is_some(), "a race with a board stays");
    }
}
