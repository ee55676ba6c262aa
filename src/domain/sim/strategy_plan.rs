//! Each car's planned race strategy: starting compound and pit stops. Plans
//! have 1 to 3 stops, use at least two compounds and size each stint to the
//! compound's life on this track (with some jitter, so the field spreads its
//! stops over several laps). A stop "on lap k" means the car enters the pit
//! lane at the end of lap k, so it crosses the line in the lane.

use super::rng::Rng;
use super::tyres;
use crate::domain::records::Compound;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlannedStop {
    pub lap: u32,
    pub compound: Compound,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub start: Compound,
    pub stops: Vec<PlannedStop>,
}

/// Races shorter than this run without stops: a stop would decide the race.
const MIN_LAPS_FOR_STOPS: u32 = 4;

fn random_compounds(rng: &mut Rng, stints: usize) -> Vec<Compound> {
    loop {
        let cs: Vec<Compound> = (0..stints)
            .map(|_| tyres::ALL[rng.int(0, 2) as usize])
            .collect();
        if cs.iter().any(|&c| c != cs[0]) {
            return cs;
        }
    }
}

/// Stint lengths in laps for `compounds`, or `None` when a stint would run
/// far past its compound's cliff.
fn stint_laps(
    rng: &mut Rng,
    compounds: &[Compound],
    laps: u32,
    life: impl Fn(Compound) -> f64,
) -> Option<Vec<u32>> {
    let weights: Vec<f64> = compounds
        .iter()
        .map(|&c| life(c) * rng.range(0.8, 1.0))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut out = Vec::with_capacity(compounds.len());
    let mut used = 0u32;
    for (k, w) in weights.iter().enumerate() {
        let left = compounds.len() - k - 1;
        let n = if left == 0 {
            laps.saturating_sub(used)
        } else {
            let want = (f64::from(laps) * w / total).round() as u32;
            want.clamp(1, laps.saturating_sub(used + left as u32).max(1))
        };
        used += n;
        out.push(n);
    }
    let fits = out
        .iter()
        .zip(compounds)
        .all(|(&n, &c)| n >= 1 && f64::from(n) <= life(c) * 1.1);
    fits.then_some(out)
}

/// Plans a car's race on a track of `lap_m` metres and wear factor `wear`.
pub fn plan(rng: &mut Rng, laps: u32, lap_m: f64, wear: f64) -> Plan {
    let life = |c: Compound| tyres::life_laps(c, lap_m, wear);
    if laps < MIN_LAPS_FOR_STOPS {
        return Plan {
            start: if rng.chance(0.7) {
                Compound::Soft
            } else {
                Compound::Medium
            },
            stops: Vec::new(),
        };
    }
    // Try the fewest stops that work first, but sometimes plan one or two
    // more, as real teams split between one- and two-stop races.
    let extra = match rng.next_f64() {
        x if x < 0.6 => 0,
        x if x < 0.9 => 1,
        _ => 2,
    };
    let mut fallback = None;
    for stops in 1..=3usize {
        if stops + 1 > laps as usize {
            break;
        }
        for _ in 0..20 {
            let compounds = random_compounds(rng, stops + 1);
            if let Some(stints) = stint_laps(rng, &compounds, laps, life) {
                let candidate = build(&compounds, &stints);
                if fallback.is_none() {
                    fallback = Some(candidate.clone());
                }
                let min_stops = fallback.as_ref().map_or(stops, |p: &Plan| p.stops.len());
                if stops >= (min_stops + extra).min(3) {
                    return candidate;
                }
                break;
            }
        }
    }
    fallback.unwrap_or_else(|| {
        // Longer than three hard stints can cover: drive over the cliff.
        let compounds = [
            Compound::Medium,
            Compound::Hard,
            Compound::Hard,
            Compound::Hard,
        ];
        let n = laps / 4;
        build(&compounds, &[n, n, n, laps - 3 * n])
    })
}

fn build(compounds: &[Compound], stints: &[u32]) -> Plan {
    let mut lap = 0;
    let stops = compounds[1..]
        .iter()
        .zip(stints)
        .map(|(&compound, &n)| {
            lap += n;
            PlannedStop { lap, compound }
        })
        .collect();
    Plan {
        start: compounds[0],
        stops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_legal_for_many_seeds_and_lengths() {
        for laps in [1, 3, 4, 10, 30, 53, 78, 200] {
            for seed in 0..200 {
                let mut rng = Rng::new(seed);
                let p = plan(&mut rng, laps, 5000.0, 1.0);
                if laps < MIN_LAPS_FOR_STOPS {
                    assert!(p.stops.is_empty());
                    continue;
                }
                assert!((1..=3).contains(&p.stops.len()), "{laps}: {p:?}");
                let mut last = 0;
                for s in &p.stops {
                    assert!(s.lap > last && s.lap < laps, "{laps}: {p:?}");
                    last = s.lap;
                }
                let mut cs: Vec<Compound> = p.stops.iter().map(|s| s.compound).collect();
                cs.push(p.start);
                assert!(cs.iter().any(|&c| c != p.start), "{p:?}");
            }
        }
    }
}
