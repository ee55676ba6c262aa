//! The numbers strategy runs on, with defaults that fit a modern F1 race
//! on a ~5 km track. All times in milliseconds.

use crate::domain::records::Compound;

#[derive(Debug, Clone, PartialEq)]
pub struct StrategyParams {
    /// Lap time cost of fuel mass: 0.03 s per kg.
    pub fuel_ms_per_kg: f64,
    /// Fuel at the start and burn per lap, for the lap-count estimate
    /// (start_fuel_kg / total_laps when None).
    pub start_fuel_kg: f64,
    pub burn_kg_per_lap: Option<f64>,
    /// Laps to the cliff on a 5 km track: soft, medium, hard.
    pub cliff_laps_5km: [f64; 3],
    /// Extra loss per lap per lap past the cliff.
    pub cliff_ms_per_lap: f64,
    /// Fresh-tyre pace of each compound against the soft: soft, medium, hard.
    pub compound_offset_ms: [f64; 3],
    /// Degradation assumed until a stint has enough clean laps.
    pub default_deg_ms_per_lap: [f64; 3],
    /// Clean laps needed for the regression.
    pub min_fit_laps: usize,
    /// Laps slower than the stint median by more than this are dropped
    /// (traffic, incidents, blue flags).
    pub outlier_ms: f64,
    /// Out-lap time lost warming fresh tyres.
    pub warmup_ms: f64,
    /// Laps over which an undercut is judged.
    pub undercut_laps: u32,
    /// Pit loss reduction under a safety car and a virtual safety car.
    pub sc_pit_factor: f64,
    pub vsc_pit_factor: f64,
    /// A car on tyres younger than this is not told to stop again.
    pub min_stint_laps: u32,
    /// Dry-race rule: two different compounds must be used.
    pub two_compound_rule: bool,
}

impl Default for StrategyParams {
    fn default() -> Self {
        StrategyParams {
            fuel_ms_per_kg: 30.0,
            start_fuel_kg: 110.0,
            burn_kg_per_lap: None,
            cliff_laps_5km: [18.0, 28.0, 40.0],
            cliff_ms_per_lap: 400.0,
            compound_offset_ms: [0.0, 400.0, 800.0],
            default_deg_ms_per_lap: [90.0, 55.0, 30.0],
            min_fit_laps: 3,
            outlier_ms: 3_000.0,
            warmup_ms: 1_000.0,
            undercut_laps: 2,
            sc_pit_factor: 0.5,
            vsc_pit_factor: 0.7,
            min_stint_laps: 3,
            two_compound_rule: true,
        }
    }
}

pub(crate) fn compound_index(c: Compound) -> usize {
    match c {
        Compound::Soft => 0,
        Compound::Medium => 1,
        Compound::Hard => 2,
    }
}

impl StrategyParams {
    /// Laps to the cliff on this track: the 5 km figure scaled by 5 km /
    /// track length, since wear goes with distance, not laps.
    pub fn cliff_laps(&self, c: Compound, track_length_m: f64) -> f64 {
        let scale = if track_length_m > 0.0 {
            5_000.0 / track_length_m
        } else {
            1.0
        };
        self.cliff_laps_5km[compound_index(c)] * scale
    }

    pub fn offset_ms(&self, c: Compound) -> f64 {
        self.compound_offset_ms[compound_index(c)]
    }

    pub fn default_deg(&self, c: Compound) -> f64 {
        self.default_deg_ms_per_lap[compound_index(c)]
    }

    /// Fuel on board during lap `lap` (1-based), estimated from the lap count.
    pub fn fuel_estimate_kg(&self, lap: u32, total_laps: u32) -> f64 {
        let burn = self
            .burn_kg_per_lap
            .unwrap_or(self.start_fuel_kg / f64::from(total_laps.max(1)));
        (self.start_fuel_kg - burn * f64::from(lap.saturating_sub(1))).max(0.0)
    }

    /// Time lost per lap from being `laps` past the cliff (0 before it).
    pub fn cliff_penalty_ms(&self, age_laps: f64, cliff_laps: f64) -> f64 {
        (age_laps - cliff_laps).max(0.0) * self.cliff_ms_per_lap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cliffs_scale_inversely_with_track_length() {
        let p = StrategyParams::default();
        assert_eq!(p.cliff_laps(Compound::Soft, 5_000.0), 18.0);
        assert_eq!(p.cliff_laps(Compound::Hard, 4_000.0), 50.0);
        assert_eq!(p.cliff_laps(Compound::Medium, 7_000.0), 20.0);
    }

    #[test]
    fn fuel_burns_linearly_with_laps() {
        let p = StrategyParams::default();
        assert_eq!(p.fuel_estimate_kg(1, 55), 110.0);
        assert!((p.fuel_estimate_kg(56, 55) - 0.0).abs() < 1e-9);
        assert!((p.fuel_estimate_kg(12, 55) - 88.0).abs() < 1e-9);
    }

    #[test]
    fn cliff_penalty_grows_past_the_cliff() {
        let p = StrategyParams::default();
        assert_eq!(p.cliff_penalty_ms(10.0, 18.0), 0.0);
        assert_eq!(p.cliff_penalty_ms(20.0, 18.0), 800.0);
    }
}
