//! Largest-Triangle-Three-Buckets: picks `max_points` of a series so that
//! its shape (peaks, braking points) survives, for telemetry charts that
//! cannot draw an hour of 10 Hz samples. Keeps whole rows: the value used to
//! choose is given by the caller.

/// Indices of the points to keep, in order. The first and last points are
/// always kept; `max_points` below 3 keeps the ends only.
pub fn lttb(xs: &[f64], ys: &[f64], max_points: usize) -> Vec<usize> {
    let n = xs.len().min(ys.len());
    if n <= max_points || n <= 2 {
        return (0..n).collect();
    }
    if max_points < 3 {
        return vec![0, n - 1];
    }
    let buckets = max_points - 2;
    let width = (n - 2) as f64 / buckets as f64;
    let mut keep = Vec::with_capacity(max_points);
    keep.push(0);
    let mut a = 0;
    for b in 0..buckets {
        let start = 1 + (b as f64 * width) as usize;
        let end = (1 + ((b + 1) as f64 * width) as usize).min(n - 1);
        // The next bucket's average is the third corner of the triangle.
        let (next_start, next_end) = (end, (1 + ((b + 2) as f64 * width) as usize).min(n));
        let count = (next_end - next_start).max(1) as f64;
        let (avg_x, avg_y) = (next_start..next_end.max(next_start + 1).min(n))
            .fold((0.0, 0.0), |(sx, sy), i| (sx + xs[i], sy + ys[i]));
        let (avg_x, avg_y) = (avg_x / count, avg_y / count);
        let mut best = start;
        let mut best_area = -1.0;
        for i in start..end.max(start + 1) {
            let area =
                ((xs[a] - avg_x) * (ys[i] - ys[a]) - (xs[a] - xs[i]) * (avg_y - ys[a])).abs();
            if area > best_area {
                best_area = area;
                best = i;
            }
        }
        keep.push(best);
        a = best;
    }
    keep.push(n - 1);
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let xs = [0.0, 1.0, 2.0];
        assert_eq!(lttb(&xs, &xs, 10), vec![0, 1, 2]);
    }

    #[test]
    fn keeps_the_requested_count_in_order_with_both_ends() {
        let xs: Vec<f64> = (0..10_000).map(f64::from).collect();
        let ys: Vec<f64> = xs.iter().map(|x| (x / 300.0).sin()).collect();
        let keep = lttb(&xs, &ys, 500);
        assert_eq!(keep.len(), 500);
        assert_eq!(keep[0], 0);
        assert_eq!(*keep.last().unwrap(), 9_999);
        assert!(keep.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_spike_survives() {
        let xs: Vec<f64> = (0..5_000).map(f64::from).collect();
        let mut ys = vec![100.0; 5_000];
        ys[2_345] = 300.0;
        let keep = lttb(&xs, &ys, 100);
        assert!(keep.contains(&2_345), "the peak is kept");
    }
}
