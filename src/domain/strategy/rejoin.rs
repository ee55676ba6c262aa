//! Where a car would rejoin if it pitted now: its gap to the leader grows by
//! the pit loss; every other car still racing keeps its current gap plus the
//! time it is expected to lose in the pits before then (`predict_rejoin_with`:
//! the engineer passes the pit loss for cars due to stop the same lap and
//! what is left of it for cars already in the pit lane; `predict_rejoin`
//! assumes nobody else stops). Gaps are race time, so lapped cars count
//! too: a stop can drop a car behind a backmarker.

use super::input::CarInput;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rejoin {
    pub position: u32,
    /// Index (in the input) of the car it would rejoin behind.
    pub behind: Option<usize>,
    /// Index of the car it would rejoin just ahead of.
    pub ahead_of: Option<usize>,
    /// Time to the car ahead and to the car behind after rejoining.
    pub margin_ahead_ms: Option<f64>,
    pub margin_behind_ms: Option<f64>,
}

/// Rejoin of `cars[me]` after a stop costing `pit_loss_ms`, nobody else
/// stopping meanwhile.
pub fn predict_rejoin(cars: &[CarInput], me: usize, pit_loss_ms: f64) -> Rejoin {
    predict_rejoin_with(cars, me, pit_loss_ms, |_| 0.0)
}

/// Rejoin of `cars[me]` after a stop costing `pit_loss_ms`, car `i` losing
/// `other_loss_ms(i)` in the pits before then (its stop, or what is left of
/// it). Ties go to the other car (it is ahead on the road).
pub fn predict_rejoin_with(
    cars: &[CarInput],
    me: usize,
    pit_loss_ms: f64,
    other_loss_ms: impl Fn(usize) -> f64,
) -> Rejoin {
    let my_gap = cars.get(me).and_then(CarInput::race_gap_ms).unwrap_or(0.0) + pit_loss_ms;
    let mut position = 1;
    let mut behind: Option<(usize, f64)> = None;
    let mut ahead_of: Option<(usize, f64)> = None;
    for (i, car) in cars.iter().enumerate() {
        let Some(g) = car.race_gap_ms().filter(|_| i != me) else {
            continue;
        };
        let g = g + other_loss_ms(i).max(0.0);
        if g < my_gap {
            position += 1;
            if behind.is_none_or(|(_, b)| g > b) {
                behind = Some((i, g));
            }
        } else if ahead_of.is_none_or(|(_, a)| g < a) {
            ahead_of = Some((i, g));
        }
    }
    Rejoin {
        position,
        behind: behind.map(|b| b.0),
        ahead_of: ahead_of.map(|a| a.0),
        margin_ahead_ms: behind.map(|(_, g)| my_gap - g),
        margin_behind_ms: ahead_of.map(|(_, g)| g - my_gap),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::events::CarStatus;
    use crate::domain::records::Compound;

    /// Cars in order with the given gaps to the leader (ms), car id = index
    /// + 1, number = 10 + id.
    pub(crate) fn field(gaps: &[u64]) -> Vec<CarInput<'static>> {
        gaps.iter()
            .enumerate()
            .map(|(i, &g)| CarInput {
                car_id: i as u32 + 1,
                number: i as u32 + 11,
                position: i as u32 + 1,
                lap: 20,
                gap_to_leader_ms: (i > 0).then_some(g),
                compound: Compound::Medium,
                tyre_age_laps: 15,
                stint: 1,
                status: CarStatus::Running,
                pit_entry_ms: None,
                laps: &[],
            })
            .collect()
    }

    #[test]
    fn rejoin_position_and_neighbours() {
        // Gaps 0, 2, 5, 9, 15, 24, 30 s; car 2 (2 s) loses 20 s: 22 s,
        // behind car 5 (15 s, 7 s ahead of it), ahead of car 6 (24 s).
        let cars = field(&[0, 2_000, 5_000, 9_000, 15_000, 24_000, 30_000]);
        let r = predict_rejoin(&cars, 1, 20_000.0);
        assert_eq!(r.position, 5);
        assert_eq!((r.behind, r.ahead_of), (Some(4), Some(5)));
        assert_eq!(
            (r.margin_ahead_ms, r.margin_behind_ms),
            (Some(7_000.0), Some(2_000.0))
        );
    }

    #[test]
    fn cars_stopping_meanwhile_lose_their_pit_loss_too() {
        // Car 2 (2 s) loses 20 s: 22 s. Cars 3 and 4 (5 s, 9 s) stop the same
        // lap and lose 20 s as well (25 s, 29 s): car 2 rejoins P3, behind
        // car 5 (15 s), ahead of cars 3 and 4.
        let cars = field(&[0, 2_000, 5_000, 9_000, 15_000, 24_000, 30_000]);
        let assumed_alone = predict_rejoin(&cars, 1, 20_000.0);
        assert_eq!(assumed_alone.position, 5);
        let r = predict_rejoin_with(&cars, 1, 20_000.0, |i| {
            if i == 2 || i == 3 {
                20_000.0
            } else {
                0.0
            }
        });
        assert_eq!((r.position, r.behind, r.ahead_of), (3, Some(4), Some(5)));
        assert_eq!(r.margin_behind_ms, Some(2_000.0));
    }

    #[test]
    fn leader_with_a_big_lead_keeps_it_and_retired_cars_do_not_count() {
        let mut cars = field(&[0, 25_000, 26_000]);
        cars[2].status = CarStatus::Retired;
        let r = predict_rejoin(&cars, 0, 20_000.0);
        assert_eq!((r.position, r.behind, r.ahead_of), (1, None, Some(1)));
        // The last car rejoins last.
        let r = predict_rejoin(&cars, 1, 20_000.0);
        assert_eq!((r.position, r.behind, r.ahead_of), (2, Some(0), None));
    }
}
