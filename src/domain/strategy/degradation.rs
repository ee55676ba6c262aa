//! The tyre degradation model of one car's current stint: a least-squares
//! line of fuel-corrected lap time against tyre age.
//!
//! Fuel correction: a car gets faster as it burns fuel (0.03 s per kg,
//! ~1.8 kg per lap), which on raw lap times hides most of the tyre's
//! degradation. Each lap time has `fuel_ms_per_kg` x the fuel estimated from
//! the lap count subtracted, leaving (pace on an empty tank) + deg x age.
//! In-laps, out-laps, laps under SC/VSC, lap 1 and laps slower than the
//! stint's median by `outlier_ms` (traffic, an off) say nothing about the
//! tyre and are left out. With fewer than `min_fit_laps` clean laps the slope
//! is the compound's default.

use super::params::StrategyParams;
use crate::domain::records::Compound;
use crate::domain::timing::LapRecord;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DegModel {
    /// Fuel-corrected lap time on new tyres (age 0), None without clean laps.
    pub base_ms: Option<f64>,
    /// Lap time lost per lap of tyre age. Can come out negative on a track
    /// that is rubbering in; decisions use it floored at 0.
    pub slope_ms_per_lap: f64,
    pub laps_used: usize,
    /// True when the slope comes from the regression, not the default.
    pub fitted: bool,
}

/// Lap time with the fuel effect removed.
pub fn fuel_corrected_ms(lap: &LapRecord, total_laps: u32, p: &StrategyParams) -> f64 {
    lap.lap_ms as f64 - p.fuel_ms_per_kg * p.fuel_estimate_kg(lap.lap, total_laps)
}

/// Ordinary least squares: (intercept, slope), None without spread in x.
fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= f64::EPSILON {
        return None;
    }
    let slope = sxy / sxx;
    Some((my - slope * mx, slope))
}

/// The median (the mean of the middle two for an even count), sorting
/// `values` in place; None for none.
pub(super) fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(values[n / 2])
    } else {
        Some((values[n / 2 - 1] + values[n / 2]) / 2.0)
    }
}

/// Fits stint `stint` (on `compound`) from the car's laps.
pub fn fit_stint(
    laps: &[LapRecord],
    stint: u32,
    compound: Compound,
    total_laps: u32,
    p: &StrategyParams,
) -> DegModel {
    let mut points: Vec<(f64, f64)> = laps
        .iter()
        .filter(|l| l.stint == stint && l.lap > 1 && !l.in_lap && !l.out_lap && !l.neutralised)
        .map(|l| {
            (
                f64::from(l.tyre_age_laps),
                fuel_corrected_ms(l, total_laps, p),
            )
        })
        .collect();
    let mut ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    if let Some(mid) = median(&mut ys) {
        let cut = mid + p.outlier_ms;
        points.retain(|pt| pt.1 <= cut);
    }
    let fit = (points.len() >= p.min_fit_laps)
        .then(|| least_squares(&points))
        .flatten();
    if let Some((base, slope)) = fit {
        return DegModel {
            base_ms: Some(base),
            slope_ms_per_lap: slope,
            laps_used: points.len(),
            fitted: true,
        };
    }
    let slope = p.default_deg(compound);
    let base = (!points.is_empty()).then(|| {
        let n = points.len() as f64;
        points.iter().map(|pt| pt.1 - slope * pt.0).sum::<f64>() / n
    });
    DegModel {
        base_ms: base,
        slope_ms_per_lap: slope,
        laps_used: points.len(),
        fitted: false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Race length the test stints are fuelled for.
    pub(crate) const TEST_TOTAL_LAPS: u32 = 60;

    /// Laps of one stint: base 90 s on an empty tank, `deg` ms per lap of
    /// age, the fuel effect of the lap-count estimate, a ±`noise` ms wobble.
    pub(crate) fn stint_laps(
        first_lap: u32,
        n: u32,
        age0: u32,
        stint: u32,
        compound: Compound,
        deg: f64,
        noise: f64,
    ) -> Vec<LapRecord> {
        let total_laps = TEST_TOTAL_LAPS;
        let p = StrategyParams::default();
        (0..n)
            .map(|i| {
                let lap = first_lap + i;
                let age = age0 + i;
                let fuel = p.fuel_estimate_kg(lap, total_laps);
                let wobble = if i % 2 == 0 { noise } else { -noise };
                let t = 90_000.0 + deg * f64::from(age) + p.fuel_ms_per_kg * fuel + wobble;
                LapRecord {
                    lap,
                    lap_ms: t.round() as u64,
                    end_ts_ms: u64::from(lap) * 90_000,
                    compound,
                    tyre_age_laps: age,
                    fuel_kg: fuel,
                    stint,
                    in_lap: false,
                    pit_entry_ms: None,
                    out_lap: false,
                    neutralised: false,
                }
            })
            .collect()
    }

    #[test]
    fn regression_recovers_a_known_slope_under_the_fuel_effect() {
        let p = StrategyParams::default();
        // Raw times get faster (fuel: -60 ms/lap) while tyres lose 45 ms/lap.
        let laps = stint_laps(2, 15, 1, 1, Compound::Medium, 45.0, 20.0);
        assert!(laps[14].lap_ms < laps[0].lap_ms);
        let m = fit_stint(&laps, 1, Compound::Medium, TEST_TOTAL_LAPS, &p);
        assert!(m.fitted);
        assert!((m.slope_ms_per_lap - 45.0).abs() < 3.0, "{m:?}");
        assert!((m.base_ms.unwrap() - 90_000.0).abs() < 30.0, "{m:?}");
    }

    #[test]
    fn in_out_sc_laps_outliers_and_other_stints_are_left_out() {
        let p = StrategyParams::default();
        let mut laps = stint_laps(2, 6, 3, 1, Compound::Soft, 200.0, 0.0);
        laps.extend(stint_laps(8, 10, 1, 2, Compound::Hard, 30.0, 0.0));
        laps[6].out_lap = true;
        laps[6].lap_ms += 20_000;
        laps[9].neutralised = true;
        laps[9].lap_ms += 30_000;
        laps[12].lap_ms += 8_000; // stuck behind a backmarker
        let m = fit_stint(&laps, 2, Compound::Hard, TEST_TOTAL_LAPS, &p);
        assert_eq!(m.laps_used, 7);
        assert!((m.slope_ms_per_lap - 30.0).abs() < 1.0, "{m:?}");
    }

    #[test]
    fn too_few_laps_fall_back_to_the_compound_default() {
        let p = StrategyParams::default();
        let laps = stint_laps(2, 2, 1, 1, Compound::Soft, 10.0, 0.0);
        let m = fit_stint(&laps, 1, Compound::Soft, TEST_TOTAL_LAPS, &p);
        assert!(!m.fitted);
        assert_eq!(m.slope_ms_per_lap, 90.0);
        assert!(m.base_ms.is_some());
        let none = fit_stint(&[], 1, Compound::Soft, TEST_TOTAL_LAPS, &p);
        assert_eq!(none.base_ms, None);
    }
}
