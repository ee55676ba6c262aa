//! The `races` rows of the races this server follows live, kept so a live
//! query does not ask PostgreSQL for them each time. Only fields that never
//! change after a race starts are read from a kept row; its status is
//! "running" for as long as the hub holds the race's leaderboard, which it
//! drops when the race ends. Bounded: when full, it forgets every row and
//! reads them again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::queries::RaceRow;

/// Rows kept at most: far more races than one server follows at once.
const CAPACITY: usize = 1024;

#[derive(Default)]
pub struct LiveRaces {
    rows: Mutex<HashMap<String, Arc<RaceRow>>>,
}

impl LiveRaces {
    pub fn get(&self, race_id: &str) -> Option<Arc<RaceRow>> {
        self.lock().get(race_id).cloned()
    }

    pub fn keep(&self, row: RaceRow) -> Arc<RaceRow> {
        let row = Arc::new(row);
        let mut rows = self.lock();
        if rows.len() >= CAPACITY {
            rows.clear();
        }
        rows.insert(row.race_id.clone(), row.clone());
        row
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<RaceRow>>> {
        self.rows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> RaceRow {
        RaceRow {
            race_id: id.into(),
            name: "GP".into(),
            track_id: "street".into(),
            total_laps: 3,
            sample_hz: 10.0,
            status: "running".into(),
            started_at_ms: 0,
        }
    }

    #[test]
    fn rows_are_kept_and_forgotten_when_full() {
        let live = LiveRaces::default();
        assert!(live.get("a").is_none());
        live.keep(row("a"));
        assert_eq!(live.get("a").unwrap().name, "GP");
        for i in 0..CAPACITY {
            live.keep(row(&format!("r{i}")));
        }
        assert!(live.get("a").is_none(), "cleared when full");
        assert!(live.lock().len() <= CAPACITY);
    }
}
