//! Error distributions: absolute errors summarised by nearest-rank
//! percentiles, and counters of hits out of trials.

/// Absolute errors of one figure, in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct Errors {
    values: Vec<f64>,
    /// The worst case seen, with a description to print.
    pub worst: Option<(f64, String)>,
}

impl Errors {
    pub fn push(&mut self, err: f64, what: impl FnOnce() -> String) {
        let e = err.abs();
        if self.worst.as_ref().is_none_or(|(w, _)| e > *w) {
            self.worst = Some((e, what()));
        }
        self.values.push(e);
    }

    pub fn extend(&mut self, other: Errors) {
        if let Some((w, d)) = other.worst {
            if self.worst.as_ref().is_none_or(|(m, _)| w > *m) {
                self.worst = Some((w, d));
            }
        }
        self.values.extend(other.values);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Nearest-rank percentile `p` (0..=100); None when empty.
    pub fn percentile(&mut self, p: f64) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        self.values.sort_by(f64::total_cmp);
        let n = self.values.len();
        let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
        Some(self.values[rank.min(n) - 1])
    }

    pub fn max(&mut self) -> Option<f64> {
        self.percentile(100.0)
    }

    pub fn count_above(&self, limit: f64) -> usize {
        self.values.iter().filter(|&&v| v > limit).count()
    }

    /// "p50 0.4 / p99 3.1 / max 12.0 ms (n = 1234)".
    pub fn describe(&mut self, decimals: usize) -> String {
        match (self.percentile(50.0), self.percentile(99.0), self.max()) {
            (Some(a), Some(b), Some(c)) => format!(
                "p50 {a:.d$} / p99 {b:.d$} / max {c:.d$} ms (n = {})",
                self.len(),
                d = decimals
            ),
            _ => "no samples".to_owned(),
        }
    }
}

/// Hits out of trials.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ratio {
    pub hits: u64,
    pub total: u64,
}

impl Ratio {
    pub fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += u64::from(hit);
    }

    pub fn merge(&mut self, o: Ratio) {
        self.hits += o.hits;
        self.total += o.total;
    }

    pub fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.hits as f64 / self.total as f64
        }
    }

    pub fn describe(&self) -> String {
        format!("{:.2}% ({}/{})", self.pct(), self.hits, self.total)
    }
}
