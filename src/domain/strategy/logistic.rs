//! A small logistic regression, fitted with a Gaussian prior on each weight
//! (the maximum a posteriori fit, by Newton's method).
//!
//! Strategy learns how likely a car is to stop from a race's own laps, so
//! early on there are few of them and sometimes none that stopped: a plain
//! maximum-likelihood fit would run off to infinite weights. The prior
//! keeps each weight near a physically sensible value until the race shows
//! otherwise, and makes the problem strictly concave, so Newton's method
//! converges in a few steps.

/// Number of features (the first is the constant 1).
pub const N: usize = 4;

/// What the weights are believed to be before the race says anything: a
/// centre and a standard deviation per weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    pub mean: [f64; N],
    pub sd: [f64; N],
}

/// One observation: features and whether the event happened.
pub type Sample = ([f64; N], bool);

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// Probability of the event for features `x` under weights `w`.
pub fn probability(w: &[f64; N], x: &[f64; N]) -> f64 {
    sigmoid(w.iter().zip(x).map(|(a, b)| a * b).sum())
}

/// Newton steps at most: each costs a pass or two over the samples.
const STEPS: usize = 25;

/// ln(sigmoid(z)), without overflow.
fn ln_sigmoid(z: f64) -> f64 {
    -((-z.abs()).exp().ln_1p() + (-z).max(0.0))
}

/// Log posterior of `w` (up to a constant).
fn log_posterior(w: &[f64; N], samples: &[Sample], prior: &Prior) -> f64 {
    let mut lp: f64 = w
        .iter()
        .zip(prior.mean.iter().zip(&prior.sd))
        .map(|(w, (m, sd))| -((w - m) / sd.max(1e-6)).powi(2) / 2.0)
        .sum();
    for (x, y) in samples {
        let z: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
        lp += if *y { ln_sigmoid(z) } else { ln_sigmoid(-z) };
    }
    lp
}

/// The weights that best explain `samples` given `prior`.
///
/// Newton steps are halved until the posterior rises: a full step can
/// overshoot far (a few cars that all stayed out pull a weight with a loose
/// prior a long way), and the next one then jumps back, for ever.
pub fn fit(samples: &[Sample], prior: &Prior) -> [f64; N] {
    let mut w = prior.mean;
    let mut best = log_posterior(&w, samples, prior);
    for _ in 0..STEPS {
        // Gradient and (negated) Hessian of the log posterior.
        let mut g = [0.0; N];
        let mut h = [[0.0; N]; N];
        for k in 0..N {
            let var = prior.sd[k].max(1e-6).powi(2);
            g[k] = -(w[k] - prior.mean[k]) / var;
            h[k][k] = 1.0 / var;
        }
        for (x, y) in samples {
            let p = probability(&w, x);
            let r = f64::from(u8::from(*y)) - p;
            for a in 0..N {
                g[a] += r * x[a];
                for b in 0..N {
                    h[a][b] += p * (1.0 - p) * x[a] * x[b];
                }
            }
        }
        let Some(step) = solve(h, g) else {
            break;
        };
        let mut scale = 1.0;
        let improved = loop {
            let mut t = w;
            for k in 0..N {
                t[k] += scale * step[k];
            }
            let lp = log_posterior(&t, samples, prior);
            if lp >= best {
                break Some((t, lp));
            }
            scale /= 2.0;
            if scale < 1e-6 {
                break None;
            }
        };
        let Some((t, lp)) = improved else {
            break;
        };
        let moved = lp - best;
        w = t;
        best = lp;
        if moved < 1e-10 {
            break;
        }
    }
    w
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (None if
/// `a` is singular, which the prior rules out).
fn solve(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in 0..N {
            if row != col {
                let f = a[row][col] / a[col][col];
                let pivot_row = a[col];
                for (v, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                    *v -= f * p;
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = [0.0; N];
    for k in 0..N {
        x[k] = b[k] / a[k][k];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIOR: Prior = Prior {
        mean: [-1.0, 2.0, 0.5, 0.0],
        sd: [1.0, 2.0, 1.0, 4.0],
    };

    #[test]
    fn without_data_the_prior_stands() {
        assert_eq!(fit(&[], &PRIOR), PRIOR.mean);
        let p = probability(&PRIOR.mean, &[1.0, 0.0, 0.0, 0.0]);
        assert!((p - sigmoid(-1.0)).abs() < 1e-12);
    }

    #[test]
    fn the_fit_moves_towards_what_was_seen() {
        // Twenty cars with the same features, fifteen of which stopped:
        // the fitted probability moves from the prior's 27% towards 75%,
        // and more so with a looser prior.
        let x = [1.0, 0.0, 0.0, 0.0];
        let data: Vec<Sample> = (0..20).map(|k| (x, k < 15)).collect();
        let before = probability(&PRIOR.mean, &x);
        let after = probability(&fit(&data, &PRIOR), &x);
        assert!(before < 0.3 && after > 0.6 && after < 0.75, "{after}");
        let loose = Prior {
            sd: [10.0; N],
            ..PRIOR
        };
        let looser = probability(&fit(&data, &loose), &x);
        assert!(looser > after && (looser - 0.75).abs() < 0.01, "{looser}");
    }

    #[test]
    fn a_feature_that_separates_gets_weight_but_stays_finite() {
        // Every car with feature 3 set stopped, none without: a plain fit
        // would diverge; the prior keeps the weight finite, and positive.
        let data: Vec<Sample> = (0..40)
            .map(|k| {
                let on = k % 2 == 0;
                ([1.0, 0.0, 0.0, f64::from(u8::from(on))], on)
            })
            .collect();
        let w = fit(&data, &PRIOR);
        assert!(w.iter().all(|v| v.is_finite()));
        assert!(w[3] > 2.0, "{w:?}");
        assert!(probability(&w, &[1.0, 0.0, 0.0, 1.0]) > 0.9);
        assert!(probability(&w, &[1.0, 0.0, 0.0, 0.0]) < 0.1);
    }

    #[test]
    fn more_stops_never_lower_the_fitted_probability() {
        // Property: turning one observed "stayed out" into "stopped" cannot
        // make the fitted probability of any feature vector in the data
        // lower.
        let xs: Vec<[f64; N]> = (0..12)
            .map(|k| {
                let k = f64::from(k);
                [1.0, k / 12.0, (k % 2.0), (k / 6.0 - 1.0).max(0.0)]
            })
            .collect();
        let base: Vec<Sample> = xs
            .iter()
            .enumerate()
            .map(|(k, x)| (*x, k % 3 == 0))
            .collect();
        let w0 = fit(&base, &PRIOR);
        for flip in (0..12).filter(|k| k % 3 != 0) {
            let mut more = base.clone();
            more[flip].1 = true;
            let w1 = fit(&more, &PRIOR);
            let p0 = probability(&w0, &xs[flip]);
            let p1 = probability(&w1, &xs[flip]);
            assert!(p1 > p0, "flip {flip}: {p0} -> {p1}");
            for x in &xs {
                let (a, b) = (probability(&w0, x), probability(&w1, x));
                assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b));
            }
        }
    }

    #[test]
    fn the_fit_is_the_posteriors_maximum() {
        // Four cars on old tyres all stayed out, against a prior that
        // expected them to stop: a full Newton step overshoots and the next
        // jumps back, so an undamped fit ends wherever it stopped. The fit
        // must beat every small move away from it.
        let prior = Prior {
            mean: [-3.4, 4.0, 2.2, 4.0],
            sd: [1.0, 4.0, 1.0, 8.0],
        };
        let data: Vec<Sample> = (0..4).map(|_| ([1.0, 0.5, 1.0, 0.61], false)).collect();
        let w = fit(&data, &prior);
        let best = log_posterior(&w, &data, &prior);
        assert!(best > log_posterior(&prior.mean, &data, &prior) + 1.0);
        for k in 0..N {
            for d in [-1e-3, 1e-3] {
                let mut t = w;
                t[k] += d;
                assert!(log_posterior(&t, &data, &prior) <= best + 1e-9, "{k} {d}");
            }
        }
        assert!(probability(&w, &[1.0, 0.5, 1.0, 0.61]) < 0.3);
    }

    #[test]
    fn solve_inverts_a_known_system() {
        let a = [
            [4.0, 1.0, 0.0, 0.0],
            [1.0, 3.0, 1.0, 0.0],
            [0.0, 1.0, 2.0, 0.5],
            [0.0, 0.0, 0.5, 1.0],
        ];
        let x = [1.0, -2.0, 0.5, 3.0];
        let mut b = [0.0; N];
        for r in 0..N {
            b[r] = (0..N).map(|c| a[r][c] * x[c]).sum();
        }
        let got = solve(a, b).unwrap();
        for k in 0..N {
            assert!((got[k] - x[k]).abs() < 1e-9);
        }
        assert_eq!(solve([[0.0; N]; N], b), None);
    }
}
