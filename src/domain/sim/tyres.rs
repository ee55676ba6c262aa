//! Tyre compounds: base pace, wear rate and the cliff. Wear grows with
//! distance (so `wear` is continuous in the samples); the lap-time penalty
//! is linear in wear until a compound-specific wear level, after which it
//! rises with the square of the excess: the "cliff" that forces a stop.
//! Penalties are quoted for a 90 s lap and scaled to the track.

use crate::domain::records::Compound;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompoundSpec {
    /// Pace offset of a new tyre against a new soft, seconds per 90 s lap.
    pub base_s: f64,
    /// Penalty at wear 1 before the cliff, seconds per 90 s lap.
    pub deg_s: f64,
    /// Wear per kilometre on a track with wear factor 1.
    pub wear_per_km: f64,
    /// Wear at which the cliff starts.
    pub cliff_wear: f64,
    /// Extra penalty at wear 1, seconds per 90 s lap.
    pub cliff_s: f64,
}

pub const ALL: [Compound; 3] = [Compound::Soft, Compound::Medium, Compound::Hard];

pub fn spec(c: Compound) -> CompoundSpec {
    match c {
        Compound::Soft => CompoundSpec {
            base_s: 0.0,
            deg_s: 1.6,
            wear_per_km: 0.0095,
            cliff_wear: 0.72,
            cliff_s: 5.0,
        },
        Compound::Medium => CompoundSpec {
            base_s: 0.55,
            deg_s: 1.3,
            wear_per_km: 0.0062,
            cliff_wear: 0.75,
            cliff_s: 5.0,
        },
        Compound::Hard => CompoundSpec {
            base_s: 1.0,
            deg_s: 1.1,
            wear_per_km: 0.0042,
            cliff_wear: 0.78,
            cliff_s: 5.0,
        },
    }
}

/// Lap-time penalty of a tyre against a new soft, seconds per lap of a
/// track whose reference lap is `ref_lap_s`.
#[inline]
pub fn penalty_s(c: Compound, wear: f64, ref_lap_s: f64) -> f64 {
    let sp = spec(c);
    let w = wear.clamp(0.0, 1.0);
    let mut p = sp.base_s + sp.deg_s * w;
    if w > sp.cliff_wear {
        let x = (w - sp.cliff_wear) / (1.0 - sp.cliff_wear);
        p += sp.cliff_s * x * x;
    }
    p * ref_lap_s / 90.0
}

/// Wear added per metre driven.
#[inline]
pub fn wear_per_m(c: Compound, track_factor: f64) -> f64 {
    spec(c).wear_per_km * track_factor / 1000.0
}

/// Laps a tyre lasts before reaching the cliff.
pub fn life_laps(c: Compound, lap_m: f64, track_factor: f64) -> f64 {
    spec(c).cliff_wear / (wear_per_m(c, track_factor) * lap_m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_is_fastest_new_and_wears_fastest() {
        let p: Vec<f64> = ALL.iter().map(|&c| penalty_s(c, 0.0, 90.0)).collect();
        assert!(p[0] < p[1] && p[1] < p[2]);
        let life: Vec<f64> = ALL.iter().map(|&c| life_laps(c, 5000.0, 1.0)).collect();
        assert!(life[0] < life[1] && life[1] < life[2]);
        assert!((10.0..20.0).contains(&life[0]), "{life:?}");
    }

    #[test]
    fn wear_slows_and_the_cliff_is_steep() {
        for c in ALL {
            let sp = spec(c);
            let before =
                penalty_s(c, sp.cliff_wear - 0.1, 90.0) - penalty_s(c, sp.cliff_wear - 0.2, 90.0);
            let after =
                penalty_s(c, sp.cliff_wear + 0.2, 90.0) - penalty_s(c, sp.cliff_wear + 0.1, 90.0);
            assert!(before > 0.0);
            assert!(after > 3.0 * before, "{c:?}: {before} vs {after}");
        }
    }
}
