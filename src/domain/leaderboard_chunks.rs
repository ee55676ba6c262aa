//! Splitting a large leaderboard into events under the broker's record
//! limit, and putting the chunks of one instant back together.

use super::events::{EventMeta, Leaderboard, MAX_ENTRIES_PER_LEADERBOARD};

/// The leaderboard as the events to publish: itself when it fits, else
/// chunks of consecutive positions with ids `{race}:leaderboard:{chunk}:{ts}`.
pub fn split(board: Leaderboard) -> Vec<Leaderboard> {
    split_as(board, "leaderboard")
}

/// The race's final leaderboard: ids `{race}:final_leaderboard:…`, because
/// the last periodic leaderboard of a race can have the same race clock and
/// a consumer dropping duplicate ids must not drop the classification.
pub fn split_final(mut board: Leaderboard) -> Vec<Leaderboard> {
    let m = &board.meta;
    board.meta = EventMeta::new(&m.race_id, "final_leaderboard", None, m.ts_ms, m.sent_at_us);
    split_as(board, "final_leaderboard")
}

fn split_as(board: Leaderboard, id_kind: &str) -> Vec<Leaderboard> {
    if board.entries.len() <= MAX_ENTRIES_PER_LEADERBOARD {
        return vec![board];
    }
    let chunks = board.entries.len().div_ceil(MAX_ENTRIES_PER_LEADERBOARD) as u32;
    board
        .entries
        .chunks(MAX_ENTRIES_PER_LEADERBOARD)
        .enumerate()
        .map(|(i, entries)| Leaderboard {
            meta: EventMeta::new(
                &board.meta.race_id,
                id_kind,
                Some(i as u32),
                board.meta.ts_ms,
                board.meta.sent_at_us,
            ),
            total_laps: board.total_laps,
            leader_lap: board.leader_lap,
            chunk: i as u32,
            chunks,
            entries: entries.to_vec(),
        })
        .collect()
}

/// Collects the chunks of one race's leaderboards; a chunk of a newer
/// instant drops an incomplete older one.
#[derive(Debug, Default)]
pub struct Assembler {
    ts_ms: u64,
    parts: Vec<Option<Leaderboard>>,
}

impl Assembler {
    /// The whole leaderboard once its last missing chunk arrives.
    pub fn add(&mut self, board: Leaderboard) -> Option<Leaderboard> {
        if board.chunks <= 1 {
            return Some(board);
        }
        if board.meta.ts_ms != self.ts_ms || self.parts.len() != board.chunks as usize {
            if board.meta.ts_ms < self.ts_ms {
                return None;
            }
            self.ts_ms = board.meta.ts_ms;
            self.parts = vec![None; board.chunks as usize];
        }
        let index = board.chunk as usize;
        if index < self.parts.len() {
            self.parts[index] = Some(board);
        }
        if self.parts.iter().any(Option::is_none) {
            return None;
        }
        let mut parts = std::mem::take(&mut self.parts).into_iter().flatten();
        let mut whole = parts.next()?;
        for part in parts {
            whole.entries.extend(part.entries);
        }
        whole.meta = EventMeta::new(
            &whole.meta.race_id,
            "leaderboard",
            None,
            whole.meta.ts_ms,
            whole.meta.sent_at_us,
        );
        whole.chunk = 0;
        whole.chunks = 1;
        Some(whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::{CarStatus, LeaderboardEntry};
    use crate::domain::records::Compound;

    fn board(cars: u32, ts_ms: u64) -> Leaderboard {
        Leaderboard {
            meta: EventMeta::new("r", "leaderboard", None, ts_ms, 1),
            total_laps: 5,
            leader_lap: 1,
            chunk: 0,
            chunks: 1,
            entries: (1..=cars)
                .map(|i| LeaderboardEntry {
                    position: i,
                    car_id: i,
                    number: i,
                    driver: String::new(),
                    team: String::new(),
                    lap: 1,
                    race_distance_m: 0.0,
                    gap_to_leader_ms: None,
                    interval_ms: None,
                    laps_down: 0,
                    last_lap_ms: None,
                    best_lap_ms: None,
                    sectors_ms: vec![],
                    compound: Compound::Soft,
                    tyre_age_laps: 0,
                    pit_stops: 0,
                    status: CarStatus::Running,
                })
                .collect(),
        }
    }

    #[test]
    fn small_boards_travel_whole() {
        let parts = split(board(20, 100));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].meta.event_id, "r:leaderboard:100");
    }

    #[test]
    fn large_boards_split_and_reassemble_in_any_order() {
        let whole = board(2_500, 100);
        let parts = split(whole.clone());
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chunks == 3));
        let ids: std::collections::HashSet<_> =
            parts.iter().map(|p| p.meta.event_id.clone()).collect();
        assert_eq!(ids.len(), 3, "each chunk its own id");
        let mut a = Assembler::default();
        assert!(a.add(parts[2].clone()).is_none());
        assert!(a.add(parts[0].clone()).is_none());
        let merged = a.add(parts[1].clone()).expect("complete");
        assert_eq!(merged, whole);
    }

    #[test]
    fn the_final_board_never_shares_an_id_with_a_periodic_one() {
        for cars in [20, 2_500] {
            let periodic: Vec<String> = split(board(cars, 500))
                .into_iter()
                .map(|b| b.meta.event_id)
                .collect();
            let last: Vec<String> = split_final(board(cars, 500))
                .into_iter()
                .map(|b| b.meta.event_id)
                .collect();
            assert!(
                last.iter().all(|id| !periodic.contains(id)),
                "{last:?} vs {periodic:?}"
            );
        }
    }

    #[test]
    fn a_newer_instant_drops_an_incomplete_older_one() {
        let old = split(board(2_500, 100));
        let new = split(board(2_500, 200));
        let mut a = Assembler::default();
        assert!(a.add(old[0].clone()).is_none());
        assert!(a.add(new[0].clone()).is_none());
        assert!(a.add(old[1].clone()).is_none(), "stale chunk ignored");
        assert!(a.add(new[1].clone()).is_none());
        assert_eq!(a.add(new[2].clone()).unwrap().meta.ts_ms, 200);
    }
}
