//! From "how likely is each other car to be ahead at pit exit" to one
//! position to announce.
//!
//! Each other car ends ahead or behind; with a probability for each, the
//! number of cars ahead follows a Poisson-binomial distribution. The call is
//! judged right when it is within one place of where the car rejoins, so
//! the position announced is the one whose ±1 band holds the most
//! probability, not the mean: two coin-flip rivals and a certain one make
//! "P3 give or take one" a safer call than the rounded mean.

/// Probability that exactly k of the cars end ahead, for k = 0..=n, given
/// each car's probability of ending ahead (clamped to 0..=1).
pub fn ahead_count_distribution(ahead: &[f64]) -> Vec<f64> {
    let mut dist = Vec::with_capacity(ahead.len() + 1);
    dist.push(1.0);
    for &p in ahead {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        dist.push(0.0);
        // In place, from the top: dist[k] takes the cases where this car is
        // behind (k ahead already) or ahead (k-1 ahead already).
        for k in (0..dist.len()).rev() {
            let below = if k > 0 { dist[k - 1] } else { 0.0 };
            dist[k] = dist[k] * (1.0 - p) + below * p;
        }
    }
    dist
}

/// Probability that the count of cars ahead is within one of `k`.
fn band_mass(dist: &[f64], k: usize) -> f64 {
    dist.get(k.saturating_sub(1)..(k + 2).min(dist.len()))
        .map_or(0.0, |band| band.iter().sum::<f64>())
        .clamp(0.0, 1.0)
}

/// Probability that the outcome is within one place of `position` (1 +
/// cars ahead): what the engineer is told alongside the call.
pub fn band_probability(ahead: &[f64], position: u32) -> f64 {
    band_mass(
        &ahead_count_distribution(ahead),
        position.saturating_sub(1) as usize,
    )
}

/// The position (1 + cars ahead) most likely to be within one place of the
/// outcome. Between bands that hold the same probability (a certain
/// outcome is within one place of three positions), the one centred on the
/// likelier count, then the better position.
pub fn likeliest_position(ahead: &[f64]) -> u32 {
    likeliest_band(ahead).0
}

/// `likeliest_position` and the probability of its band, from one
/// distribution.
pub fn likeliest_band(ahead: &[f64]) -> (u32, f64) {
    const EPS: f64 = 1e-12;
    let dist = ahead_count_distribution(ahead);
    let mut best = 0;
    for k in 1..dist.len() {
        let (b, bb) = (band_mass(&dist, k), band_mass(&dist, best));
        if b > bb + EPS || (b > bb - EPS && dist[k] > dist[best] + EPS) {
            best = k;
        }
    }
    (best as u32 + 1, band_mass(&dist, best))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certain_cars_give_a_certain_position() {
        assert_eq!(likeliest_position(&[]), 1);
        assert_eq!(likeliest_position(&[1.0, 0.0, 1.0, 1.0, 0.0]), 4);
        let d = ahead_count_distribution(&[1.0, 0.0, 1.0]);
        assert_eq!(d, vec![0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn the_band_not_the_mean_picks_the_position() {
        // One car surely ahead, then 0.45 and 0.45: counts 1, 2, 3 ahead with
        // 0.3025, 0.495, 0.2025. The band around 2 ahead (P3) holds all of
        // it; the mean (1.9 ahead) would round to P3 as well.
        assert_eq!(likeliest_position(&[1.0, 0.45, 0.45]), 3);
        // Five cars at 0.3: the mean is 1.5 ahead; P2 (0..=2 ahead, 0.837)
        // beats P3 (1..=3 ahead, 0.801).
        assert_eq!(likeliest_position(&[0.3; 5]), 2);
    }

    #[test]
    fn distribution_sums_to_one_and_has_the_right_mean() {
        // Property over a spread of inputs: a probability distribution whose
        // mean is the sum of the probabilities.
        for n in 0..12 {
            let ps: Vec<f64> = (0..n)
                .map(|i| ((i * 37 + 11) % 100) as f64 / 100.0)
                .collect();
            let d = ahead_count_distribution(&ps);
            assert_eq!(d.len(), n + 1);
            let total: f64 = d.iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "{total}");
            assert!(d.iter().all(|&q| (-1e-12..=1.0 + 1e-12).contains(&q)));
            let mean: f64 = d.iter().enumerate().map(|(k, q)| k as f64 * q).sum();
            assert!((mean - ps.iter().sum::<f64>()).abs() < 1e-9);
            let pos = likeliest_position(&ps);
            assert!((1..=n as u32 + 1).contains(&pos));
        }
    }

    #[test]
    fn more_likely_rivals_never_improve_the_position() {
        // Property: raising any car's chance of ending ahead cannot move
        // the announced position forward.
        let base = [0.9, 0.2, 0.6, 0.1, 0.5, 0.35];
        for i in 0..base.len() {
            let mut worse = base;
            worse[i] = 1.0;
            assert!(likeliest_position(&worse) >= likeliest_position(&base));
        }
    }

    #[test]
    fn band_probability_is_the_mass_within_a_place() {
        // Counts 1, 2, 3 ahead with 0.3025, 0.495, 0.2025 (see above): P3
        // holds all of it, P2 (0..=2 ahead) 0.7975, P5 (3..=5) 0.2025.
        let ps = [1.0, 0.45, 0.45];
        assert!((band_probability(&ps, 3) - 1.0).abs() < 1e-12);
        assert!((band_probability(&ps, 2) - 0.7975).abs() < 1e-12);
        assert!((band_probability(&ps, 5) - 0.2025).abs() < 1e-12);
        assert_eq!(band_probability(&ps, 9), 0.0);
    }

    #[test]
    fn the_announced_band_is_the_likeliest() {
        // Property: no other position's band holds more than the one
        // announced.
        for n in 0..10 {
            let ps: Vec<f64> = (0..n)
                .map(|i| ((i * 53 + 7) % 100) as f64 / 100.0)
                .collect();
            let (position, best) = likeliest_band(&ps);
            assert_eq!(best, band_probability(&ps, position));
            for pos in 1..=n as u32 + 1 {
                assert!(
                    band_probability(&ps, pos) <= best + 1e-12,
                    "n {n} pos {pos}"
                );
            }
        }
    }

    #[test]
    fn out_of_range_probabilities_are_clamped() {
        assert_eq!(likeliest_position(&[2.0, -1.0, f64::NAN]), 2);
    }
}
