//! What staying out costs: the per-lap loss of worn tyres, the compound for
//! the next stint, the pit window and whether a stop pays back before the
//! flag.
//!
//! Pit window: the first lap at which the time lost over the stint so far
//! (each lap: deg x age, plus the cliff penalty past the compound's cliff,
//! against a new tyre of the next compound and its pace offset) exceeds the
//! pit loss: from then on the tyre has cost more than a stop. Whether a stop
//! is still worth making is a separate question, answered by the gain fresh
//! tyres would make over the laps left (`future_gain_ms`).

use super::params::StrategyParams;
use crate::domain::records::Compound;

/// The car's current tyres as strategy sees them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TyrePlan {
    pub compound: Compound,
    pub age_laps: u32,
    /// Degradation of this stint, floored at 0.
    pub slope_ms_per_lap: f64,
    pub cliff_laps: f64,
}

/// Time a lap at tyre age `age` loses to the same tyre new.
pub fn stint_cost_ms(slope_ms_per_lap: f64, cliff_laps: f64, age: f64, p: &StrategyParams) -> f64 {
    slope_ms_per_lap.max(0.0) * age + p.cliff_penalty_ms(age, cliff_laps)
}

/// The next stint's compound: the fastest that lasts the `laps_after_stop`
/// left (the hardest if none does), and not the current one while the
/// two-compound rule is unmet (`used`: compounds run so far).
pub fn next_compound(
    used: &[Compound],
    laps_after_stop: u32,
    track_length_m: f64,
    p: &StrategyParams,
) -> Compound {
    let must_change =
        p.two_compound_rule && used.first().is_some_and(|c| used.iter().all(|u| u == c));
    let allowed = |c: Compound| !(must_change && used.first() == Some(&c));
    let candidates = [Compound::Soft, Compound::Medium, Compound::Hard];
    candidates
        .into_iter()
        .filter(|&c| allowed(c))
        .find(|&c| p.cliff_laps(c, track_length_m) >= f64::from(laps_after_stop))
        .or_else(|| candidates.into_iter().rev().find(|&c| allowed(c)))
        .unwrap_or(Compound::Hard)
}

/// Pace lost per lap to a new tyre of `next` at tyre age `age`.
fn loss_vs_new(plan: &TyrePlan, next: Compound, age: f64, p: &StrategyParams) -> f64 {
    stint_cost_ms(plan.slope_ms_per_lap, plan.cliff_laps, age, p) + p.offset_ms(plan.compound)
        - p.offset_ms(next)
}

/// First lap of the pit window (it may lie in the past: the window is open),
/// None when it would not open before the flag.
pub fn pit_window_lap(
    plan: &TyrePlan,
    next: Compound,
    current_lap: u32,
    total_laps: u32,
    pit_loss_ms: f64,
    p: &StrategyParams,
) -> Option<u32> {
    let last_age = plan.age_laps + total_laps.saturating_sub(current_lap);
    let mut lost = 0.0;
    for age in 1..=last_age {
        lost += loss_vs_new(plan, next, f64::from(age), p);
        if lost >= pit_loss_ms {
            let lap = i64::from(current_lap) + i64::from(age) - i64::from(plan.age_laps);
            return Some(lap.max(1) as u32);
        }
    }
    None
}

/// Time a stop now would win back over the `laps_left` after it, before the
/// pit loss: worn tyres ageing on against new `next` tyres ageing from 0 at
/// their default rate, less the out-lap warm-up.
pub fn future_gain_ms(
    plan: &TyrePlan,
    next: Compound,
    laps_left: u32,
    track_length_m: f64,
    p: &StrategyParams,
) -> f64 {
    let cliff_next = p.cliff_laps(next, track_length_m);
    let gain: f64 = (1..=laps_left)
        .map(|k| {
            let k = f64::from(k);
            let worn = stint_cost_ms(
                plan.slope_ms_per_lap,
                plan.cliff_laps,
                f64::from(plan.age_laps) + k,
                p,
            );
            let fresh = stint_cost_ms(p.default_deg(next), cliff_next, k, p);
            worn - fresh + p.offset_ms(plan.compound) - p.offset_ms(next)
        })
        .sum();
    gain - p.warmup_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(compound: Compound, age_laps: u32, slope: f64, cliff: f64) -> TyrePlan {
        TyrePlan {
            compound,
            age_laps,
            slope_ms_per_lap: slope,
            cliff_laps: cliff,
        }
    }

    #[test]
    fn window_opens_when_the_stint_has_cost_a_pit_stop() {
        let p = StrategyParams::default();
        // 100 ms/lap, same compound next, 20 s pit loss: 100 x a(a+1)/2 >=
        // 20,000 first at age 20. At age 12 on lap 15, that is lap 23.
        let pl = plan(Compound::Medium, 12, 100.0, 99.0);
        assert_eq!(
            pit_window_lap(&pl, Compound::Medium, 15, 60, 20_000.0, &p),
            Some(23)
        );
        // Already past it: the window opened in the past.
        let old = plan(Compound::Medium, 25, 100.0, 99.0);
        assert_eq!(
            pit_window_lap(&old, Compound::Medium, 30, 60, 20_000.0, &p),
            Some(25)
        );
        // Not before the flag.
        assert_eq!(
            pit_window_lap(&pl, Compound::Medium, 15, 18, 20_000.0, &p),
            None
        );
    }

    #[test]
    fn the_cliff_and_a_slower_next_compound_move_the_window() {
        let p = StrategyParams::default();
        let no_cliff = plan(Compound::Soft, 1, 50.0, 99.0);
        let cliff = plan(Compound::Soft, 1, 50.0, 10.0);
        let a = pit_window_lap(&no_cliff, Compound::Soft, 2, 60, 20_000.0, &p).unwrap();
        let b = pit_window_lap(&cliff, Compound::Soft, 2, 60, 20_000.0, &p).unwrap();
        assert!(b < a, "{b} !< {a}");
        let c = pit_window_lap(&no_cliff, Compound::Hard, 2, 60, 20_000.0, &p).unwrap();
        assert!(c > a);
    }

    #[test]
    fn next_compound_lasts_to_the_end_and_respects_the_two_compound_rule() {
        let p = StrategyParams::default();
        assert_eq!(
            next_compound(&[Compound::Medium], 15, 5_000.0, &p),
            Compound::Soft
        );
        assert_eq!(
            next_compound(&[Compound::Soft], 25, 5_000.0, &p),
            Compound::Medium
        );
        assert_eq!(
            next_compound(&[Compound::Medium], 35, 5_000.0, &p),
            Compound::Hard
        );
        assert_eq!(
            next_compound(&[Compound::Soft, Compound::Hard], 10, 5_000.0, &p),
            Compound::Soft
        );
        assert_eq!(
            next_compound(&[Compound::Hard], 60, 5_000.0, &p),
            Compound::Medium
        );
    }

    #[test]
    fn future_gain_grows_with_laps_left_and_tyre_age() {
        let p = StrategyParams::default();
        let worn = plan(Compound::Medium, 25, 80.0, 28.0);
        let g5 = future_gain_ms(&worn, Compound::Hard, 5, 5_000.0, &p);
        let g20 = future_gain_ms(&worn, Compound::Hard, 20, 5_000.0, &p);
        assert!(g20 > g5 && g5 > 0.0);
        let new = plan(Compound::Medium, 2, 80.0, 28.0);
        assert!(future_gain_ms(&new, Compound::Medium, 3, 5_000.0, &p) < 0.0);
    }
}
