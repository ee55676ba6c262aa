//! The projection made when a car turns into the pit lane (`boxing`): where
//! it rejoins, the prediction an engineer gives the driver on the radio.
//!
//! The car's gap to the leader grows by the entry-to-exit lane loss
//! (`lane_loss`: learned from the race's own stops, the track's whole-stop
//! figure until then, less under a SC / VSC by what the slowed field loses
//! over the same stretch). For every other car, the chance that it is ahead at pit exit:
//! - a car already in the lane finished part of its stop: it is taken as
//!   half way through, not knowing how far it got;
//! - a car on track stays ahead if it is ahead now, and passes if it is
//!   closer behind than the lane loss, unless it stops during the stop too,
//!   with its own chance of doing so (`rival_stops`: its tyres' age against
//!   their life, whether it owes a compound change or cannot reach the flag
//!   on them, weighed as the race itself shows, green or under the current
//!   SC / VSC).
//!
//! The position announced is the one most likely to be within a place of
//! the outcome (`rejoin_odds`): with a few cars behind that may each stop,
//! that is often a place better than if none did. The reason names that
//! band and its probability, so the engineer hears how sure the call is.

use super::call::{CallKind, StrategyCall};
use super::engineer::{assess, base_call, rejoin_text, secs};
use super::input::{CarInput, RaceInput};
use super::lane_loss::lane_loss_now_ms;
use super::params::StrategyParams;
use super::rejoin::Rejoin;
use super::rejoin_odds::likeliest_band;
use super::rival_stops::RivalStops;
use crate::domain::events::CarStatus;

/// Share of its stop a car already in the lane is assumed to have left.
const IN_LANE_LEFT: f64 = 0.5;

/// One other car: its chance of being ahead at pit exit and the gap it is
/// expected to have then (for naming the neighbours).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rival {
    index: usize,
    ahead: f64,
    expected_gap_ms: f64,
}

fn indicator(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Chance that `car`, `gap_ms` behind the leader now, is ahead of a car
/// rejoining at `my_gap_ms` after losing `lane_ms`.
fn rival(
    car: &CarInput,
    index: usize,
    gap_ms: f64,
    my_gap_ms: f64,
    lane_ms: f64,
    stops: &RivalStops,
) -> Rival {
    match car.status {
        CarStatus::InPit => {
            let g = gap_ms + IN_LANE_LEFT * lane_ms;
            Rival {
                index,
                ahead: indicator(g < my_gap_ms),
                expected_gap_ms: g,
            }
        }
        _ => {
            let stop = stops.for_car(car);
            // Stopping too, it loses what this car loses: the order between
            // the two stays what it is now.
            let ahead_if_stops = indicator(gap_ms + lane_ms < my_gap_ms);
            let ahead_if_not = indicator(gap_ms < my_gap_ms);
            Rival {
                index,
                ahead: stop * ahead_if_stops + (1.0 - stop) * ahead_if_not,
                expected_gap_ms: gap_ms + stop * lane_ms,
            }
        }
    }
}

/// Position and neighbours of `race.cars[i]` at pit exit after losing
/// `lane_ms` in the lane, and the probability that it rejoins within a
/// place of that position.
pub(super) fn project_rejoin(
    race: &RaceInput,
    i: usize,
    lane_ms: f64,
    stops: &RivalStops,
) -> (Rejoin, f64) {
    let my_gap = race
        .cars
        .get(i)
        .and_then(CarInput::race_gap_ms)
        .unwrap_or(0.0)
        + lane_ms;
    let mut rivals: Vec<Rival> = race
        .cars
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .filter_map(|(j, c)| {
            let g = c.race_gap_ms()?;
            Some(rival(c, j, g, my_gap, lane_ms, stops))
        })
        .collect();
    let ahead: Vec<f64> = rivals.iter().map(|r| r.ahead).collect();
    let (position, band) = likeliest_band(&ahead);
    // The neighbours: the others in the order of their expected gaps, the
    // car at the announced position just ahead.
    rivals.sort_by(|a, b| a.expected_gap_ms.total_cmp(&b.expected_gap_ms));
    let k = position as usize - 1;
    let behind = k.checked_sub(1).and_then(|b| rivals.get(b));
    let ahead_of = rivals.get(k);
    let rejoin = Rejoin {
        position,
        behind: behind.map(|r| r.index),
        ahead_of: ahead_of.map(|r| r.index),
        // A hedged position can sit a car on the "wrong" side of its
        // expected gap: no negative margins.
        margin_ahead_ms: behind.map(|r| (my_gap - r.expected_gap_ms).max(0.0)),
        margin_behind_ms: ahead_of.map(|r| (r.expected_gap_ms - my_gap).max(0.0)),
    };
    (rejoin, band)
}

/// The cars on track that would pass `race.cars[i]` during a stop costing
/// `lane_ms` unless they stop too (closer behind than that), each with its
/// chance of stopping: the part of the projection that is a forecast of
/// other cars' stops.
pub fn stops_that_matter(
    race: &RaceInput,
    i: usize,
    lane_ms: f64,
    stops: &RivalStops,
) -> Vec<(usize, f64)> {
    let Some(mine) = race.cars.get(i).and_then(CarInput::race_gap_ms) else {
        return Vec::new();
    };
    race.cars
        .iter()
        .enumerate()
        .filter(|&(j, c)| j != i && c.status != CarStatus::InPit)
        .filter_map(|(j, c)| {
            let g = c.race_gap_ms()?;
            (g > mine && g < mine + lane_ms).then(|| (j, stops.for_car(c)))
        })
        .collect()
}

/// "P6-P8, 81%": the places within one of `position` that exist among
/// `cars` cars, and the probability of rejoining in them.
fn band_text(position: u32, cars: usize, probability: f64) -> String {
    let first = position.saturating_sub(1).max(1);
    let last = (position + 1).min(u32::try_from(cars).unwrap_or(u32::MAX).max(1));
    format!("P{first}-P{last}, {:.0}%", probability * 100.0)
}

/// The call for `race.cars[i]` just after it turned into the pit lane
/// (None unless it is in the lane).
pub fn project_pit_exit(race: &RaceInput, i: usize, p: &StrategyParams) -> Option<StrategyCall> {
    let me = race.cars.get(i).filter(|c| c.status == CarStatus::InPit)?;
    let a = assess(race, me, p);
    let lane = lane_loss_now_ms(race);
    let stops = RivalStops::of_race(race, p);
    let (rejoin, band) = project_rejoin(race, i, lane, &stops);
    let cars_racing = race
        .cars
        .iter()
        .filter(|c| c.race_gap_ms().is_some())
        .count();
    let ahead_of = rejoin
        .ahead_of
        .map(|j| {
            format!(
                ", ahead of #{} ({})",
                race.cars[j].number,
                secs(rejoin.margin_behind_ms.unwrap_or(0.0))
            )
        })
        .unwrap_or_default();
    let caution = stops
        .neutralised
        .then(|| stops_that_matter(race, i, lane, &stops))
        .filter(|m| !m.is_empty())
        .map(|m| {
            format!(
                "; under the {} {:.1} of the {} cars that could pass are expected to stop too",
                if race.neutralisation == crate::domain::timing::Neutralisation::SafetyCar {
                    "SC"
                } else {
                    "VSC"
                },
                m.iter().map(|(_, q)| q).sum::<f64>(),
                m.len()
            )
        })
        .unwrap_or_default();
    Some(StrategyCall {
        kind: CallKind::Boxing,
        pit_window_lap: None,
        reason: format!(
            "Boxing: {} to lose in the lane, projected to {}{ahead_of}{caution}",
            secs(lane),
            rejoin_text(
                &race.cars,
                &rejoin,
                Some(&band_text(rejoin.position, cars_racing, band))
            )
        ),
        ..base_call(race, me, &a, &rejoin, lane)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::Compound;
    use crate::domain::strategy::rejoin::tests::field;
    use crate::domain::strategy::rival_stops::tests::lap;
    use crate::domain::timing::{LapRecord, Neutralisation};

    fn race<'a>(cars: Vec<CarInput<'a>>, lane: f64) -> RaceInput<'a> {
        RaceInput {
            total_laps: 30,
            track_length_m: 5_000.0,
            pit_loss_ms: 22_000.0,
            lane_loss_ms: Some(lane),
            pit_stretch_ms: None,
            neutral_pace_ratio: None,
            neutralisation: Neutralisation::None,
            neutralised_since_ms: None,
            cars,
        }
    }

    #[test]
    fn lane_cars_are_half_way_and_cars_beyond_the_lane_loss_cannot_pass() {
        // Car 2 (2 s) boxes, 20 s lane loss: 22 s. Car 3 (3 s) is in the
        // lane too, half way: 13 s, ahead. Cars 4 (25 s) and 5 (30 s) stay
        // behind whether they stop or not: P3 for certain.
        let mut cars = field(&[0, 2_000, 3_000, 25_000, 30_000]);
        cars[1].status = CarStatus::InPit;
        cars[2].status = CarStatus::InPit;
        let r = race(cars, 20_000.0);
        let (r, band) = project_rejoin(&r, 1, 20_000.0, &green(&r));
        assert!((band - 1.0).abs() < 1e-12, "certain: {band}");
        assert_eq!((r.position, r.behind, r.ahead_of), (3, Some(2), Some(3)));
        assert_eq!(r.margin_ahead_ms, Some(9_000.0));
    }

    #[test]
    fn cars_that_may_stop_meanwhile_move_the_call_a_place_up() {
        // Car 2 (2 s) boxes, 20 s: 22 s. Cars 3 (10 s) and 4 (21 s) pass
        // unless they stop at the end of this lap too, which their tyres
        // (mediums 15 laps old, about one chance in eleven at the prior)
        // make unlikely but possible: P4 if neither stops (83%), P3 if one
        // does (17%). P3 is within a place of both, P4 of only the first.
        let cars = field(&[0, 2_000, 10_000, 21_000, 40_000]);
        let mut boxing = cars.clone();
        boxing[1].status = CarStatus::InPit;
        let r = race(boxing, 20_000.0);
        let stops = green(&r);
        let (rejoin, _) = project_rejoin(&r, 1, 20_000.0, &stops);
        assert_eq!(
            (rejoin.position, rejoin.behind, rejoin.ahead_of),
            (3, Some(2), Some(3))
        );
        // Those two are the stops the call depends on.
        let m = stops_that_matter(&r, 1, 20_000.0, &stops);
        assert_eq!(m.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3]);
        assert!(m.iter().all(|x| (0.05..0.15).contains(&x.1)), "{m:?}");
    }

    #[test]
    fn only_cars_closer_behind_than_the_lane_loss_matter() {
        // Car 3 boxes at 5 s with 20 s to lose: car 1 and 2 are ahead, car 4
        // is in the lane, car 6 (26 s) too far back; cars 5 (12 s) and 7
        // (24.9 s) could pass.
        let mut cars = field(&[0, 1_000, 5_000, 6_000, 12_000, 26_000, 24_900]);
        cars[2].status = CarStatus::InPit;
        cars[3].status = CarStatus::InPit;
        let r = race(cars, 20_000.0);
        let m = stops_that_matter(&r, 2, 20_000.0, &green(&r));
        assert_eq!(m.iter().map(|x| x.0).collect::<Vec<_>>(), vec![4, 6]);
        assert!(stops_that_matter(&r, 2, 0.0, &green(&r)).is_empty());
    }

    fn green(r: &RaceInput) -> RivalStops {
        RivalStops::of_race(r, &StrategyParams::default())
    }

    #[test]
    fn under_caution_what_the_field_does_decides() {
        // SC out at 850 s; cars 3 to 6 (3, 6, 9, 12 s), on softs 6 laps
        // old, sit within the 20 s lane loss behind car 2 (0.5 s). Cars 7 to
        // 10 passed the pit entry under the SC on the same tyres. Had they
        // all stayed out, cars 3 to 6 are expected to do the same and pass:
        // P5, give or take one. Had they all turned in, cars 3 to 6 are
        // expected to stop too: P3, give or take one.
        let stayed: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, false)).collect();
        let boxed: Vec<LapRecord> = (1..=10).map(|n| lap(n, Compound::Soft, n == 10)).collect();
        for (laps, want) in [(&stayed, 5), (&boxed, 3)] {
            let mut cars = field(&[
                0, 500, 3_000, 6_000, 9_000, 12_000, 40_000, 41_000, 42_000, 43_000,
            ]);
            for c in &mut cars {
                c.compound = Compound::Soft;
                c.tyre_age_laps = 6;
                c.lap = 11;
            }
            for c in &mut cars[6..] {
                c.laps = laps;
            }
            cars[1].status = CarStatus::InPit;
            let sc = RaceInput {
                neutralisation: Neutralisation::SafetyCar,
                neutralised_since_ms: Some(850_000),
                ..race(cars, 20_000.0)
            };
            let call = project_pit_exit(&sc, 1, &StrategyParams::default()).unwrap();
            assert_eq!(call.rejoin_position, want, "{}", call.reason);
            assert!(
                call.reason
                    .contains("of the 4 cars that could pass are expected to stop too"),
                "{}",
                call.reason
            );
        }
    }

    #[test]
    fn the_reason_names_the_band_and_its_probability() {
        // As above: P3, within a place of both outcomes: certain.
        let mut cars = field(&[0, 2_000, 10_000, 21_000, 40_000]);
        cars[1].status = CarStatus::InPit;
        let call = project_pit_exit(&race(cars, 20_000.0), 1, &StrategyParams::default()).unwrap();
        assert_eq!(call.rejoin_position, 3);
        assert!(call.reason.contains("(P2-P4, 100%)"), "{}", call.reason);
        // The band stops at the first and the last place.
        assert_eq!(band_text(1, 20, 0.904), "P1-P2, 90%");
        assert_eq!(band_text(20, 20, 0.5), "P19-P20, 50%");
        assert_eq!(band_text(1, 1, 1.0), "P1-P1, 100%");
    }
}
