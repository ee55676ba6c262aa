//! The order of the field from each car's latest sample: race distance first.
//! Timing (gaps by timing line, laps, sectors) builds on this.

use std::collections::HashMap;

use super::events::{CarStatus, LeaderboardEntry};
use super::records::{Entry, PitState, Sample};

/// Distance covered since the start: completed laps plus distance into this one.
pub fn race_distance_m(sample: &Sample, track_length_m: f64) -> f64 {
    f64::from(sample.lap.saturating_sub(1)) * track_length_m + sample.lap_distance_m
}

/// Orders the cars that have a sample by race distance, furthest first;
/// ties keep car order so the result is deterministic.
pub fn order(
    latest: &HashMap<u32, Sample>,
    entries: &[Entry],
    track_length_m: f64,
) -> Vec<LeaderboardEntry> {
    let mut rows: Vec<(f64, &Entry, &Sample)> = entries
        .iter()
        .filter_map(|e| {
            latest
                .get(&e.car_id)
                .map(|s| (race_distance_m(s, track_length_m), e, s))
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.car_id.cmp(&b.1.car_id)));
    let leader = rows.first().map(|r| r.0).unwrap_or(0.0);
    rows.iter()
        .enumerate()
        .map(|(i, (distance, entry, sample))| LeaderboardEntry {
            position: i as u32 + 1,
            car_id: entry.car_id,
            number: entry.number,
            driver: entry.driver.clone(),
            team: entry.team.clone(),
            lap: sample.lap,
            race_distance_m: *distance,
            gap_to_leader_ms: None,
            interval_ms: None,
            laps_down: ((leader - distance) / track_length_m).floor().max(0.0) as u32,
            last_lap_ms: None,
            best_lap_ms: None,
            sectors_ms: Vec::new(),
            compound: sample.tyre.compound,
            tyre_age_laps: sample.tyre.age_laps,
            pit_stops: 0,
            status: match sample.pit {
                PitState::OnTrack => CarStatus::Running,
                PitState::PitLane | PitState::PitBox => CarStatus::InPit,
                PitState::Retired => CarStatus::Retired,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::{Compound, Tyre};

    fn sample(car_id: u32, lap: u32, d: f64) -> Sample {
        Sample {
            car_id,
            seq: 1,
            ts_ms: 0,
            lap,
            lap_distance_m: d,
            speed_kph: 200.0,
            throttle: 1.0,
            brake: 0.0,
            gear: 7,
            rpm: 11000,
            drs: false,
            tyre: Tyre {
                compound: Compound::Soft,
                age_laps: 0,
                wear: 0.0,
            },
            fuel_kg: 50.0,
            x: 0.0,
            y: 0.0,
            pit: PitState::OnTrack,
        }
    }

    fn entry(car_id: u32) -> Entry {
        Entry {
            car_id,
            number: car_id,
            driver: format!("D{car_id}"),
            team: "T".into(),
        }
    }

    #[test]
    fn orders_by_race_distance_across_laps() {
        let latest: HashMap<u32, Sample> = [
            (1, sample(1, 2, 100.0)),
            (2, sample(2, 3, 50.0)),
            (3, sample(3, 2, 900.0)),
            (4, sample(4, 1, 950.0)),
        ]
        .into_iter()
        .collect();
        let entries: Vec<Entry> = (1..=4).map(entry).collect();
        let rows = order(&latest, &entries, 1000.0);
        let ids: Vec<u32> = rows.iter().map(|r| r.car_id).collect();
        assert_eq!(ids, vec![2, 3, 1, 4]);
        assert_eq!(
            rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(rows[3].laps_down, 1, "1100 m behind a 1000 m lap");
        assert!(rows
            .windows(2)
            .all(|w| w[0].race_distance_m >= w[1].race_distance_m));
    }
}
