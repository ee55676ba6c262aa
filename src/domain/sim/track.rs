//! Circuit geometry. A circuit is authored as a list of straights and
//! constant-radius arcs, so the curvature the speed profile needs is exact
//! rather than estimated from sampled points. Hand-written segment lists never
//! close perfectly, so two straights are lengthened or shortened to close the
//! loop, then the whole shape is scaled to the target lap length. Everything
//! downstream works on arrays sampled every `ds` metres of lap distance,
//! measured from the start/finish line.

use super::circuits::{CircuitDef, Seg};

/// A closed centre line sampled along the lap from the start/finish line.
#[derive(Debug, Clone)]
pub struct Geometry {
    pub length_m: f64,
    /// Spacing of the samples; `length_m / ds` samples exactly.
    pub ds: f64,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub heading: Vec<f64>,
    /// Unsigned curvature (1/radius), 0 on straights.
    pub curvature: Vec<f64>,
    /// Lap distances of the start and end of each straight of the definition,
    /// in authoring order, for DRS zones.
    pub straights: Vec<(usize, f64, f64)>,
}

/// Sample spacing of the geometry and speed profile arrays.
pub const SAMPLE_STEP_M: f64 = 2.0;

#[derive(Debug, Clone, Copy)]
struct Placed {
    seg: Seg,
    x0: f64,
    y0: f64,
    h0: f64,
    start: f64,
}

fn seg_len(seg: Seg) -> f64 {
    match seg {
        Seg::Straight(l) => l,
        Seg::Arc { radius, angle_deg } => radius * angle_deg.to_radians().abs(),
    }
}

fn end_of(seg: Seg, x: f64, y: f64, h: f64) -> (f64, f64, f64) {
    match seg {
        Seg::Straight(l) => (x + l * h.cos(), y + l * h.sin(), h),
        Seg::Arc { radius, angle_deg } => {
            let k = angle_deg.signum() / radius;
            let h1 = h + angle_deg.to_radians();
            (
                x + (h1.sin() - h.sin()) / k,
                y - (h1.cos() - h.cos()) / k,
                h1,
            )
        }
    }
}

fn walk(segs: &[Seg]) -> (Vec<Placed>, f64, f64) {
    let (mut x, mut y, mut h, mut p) = (0.0, 0.0, 0.0, 0.0);
    let mut placed = Vec::with_capacity(segs.len());
    for &seg in segs {
        placed.push(Placed {
            seg,
            x0: x,
            y0: y,
            h0: h,
            start: p,
        });
        (x, y, h) = end_of(seg, x, y, h);
        p += seg_len(seg);
    }
    (placed, x, y)
}

/// Makes the headings sum to exactly ±360° and closes the position gap by
/// changing the lengths of the two straights that need the smallest change.
fn close_loop(segs: &[Seg]) -> Result<Vec<Seg>, String> {
    let total: f64 = segs
        .iter()
        .map(|s| match s {
            Seg::Arc { angle_deg, .. } => *angle_deg,
            Seg::Straight(_) => 0.0,
        })
        .sum();
    if (total.abs() - 360.0).abs() > 1.0 {
        return Err(format!("turning angles sum to {total}°, not ±360°"));
    }
    let fix = 360.0 * total.signum() / total;
    let mut segs: Vec<Seg> = segs
        .iter()
        .map(|&s| match s {
            Seg::Arc { radius, angle_deg } => Seg::Arc {
                radius,
                angle_deg: angle_deg * fix,
            },
            s => s,
        })
        .collect();
    let (placed, ex, ey) = walk(&segs);
    let straights: Vec<usize> = (0..segs.len())
        .filter(|&i| matches!(segs[i], Seg::Straight(_)))
        .collect();
    let mut best: Option<(f64, usize, usize, f64, f64)> = None;
    for (a_pos, &i) in straights.iter().enumerate() {
        for &j in &straights[a_pos + 1..] {
            let (hi, hj) = (placed[i].h0, placed[j].h0);
            let det = hi.cos() * hj.sin() - hi.sin() * hj.cos();
            if det.abs() < 0.2 {
                continue;
            }
            // Solve a*d_i + b*d_j = -(ex, ey).
            let a = (-ex * hj.sin() + ey * hj.cos()) / det;
            let b = (-ey * hi.cos() + ex * hi.sin()) / det;
            let (li, lj) = (seg_len(segs[i]) + a, seg_len(segs[j]) + b);
            if li < 40.0 || lj < 40.0 {
                continue;
            }
            let cost = a.abs() + b.abs();
            if best.is_none_or(|bst| cost < bst.0) {
                best = Some((cost, i, j, li, lj));
            }
        }
    }
    let (_, i, j, li, lj) = best.ok_or("no pair of straights can close the loop")?;
    segs[i] = Seg::Straight(li);
    segs[j] = Seg::Straight(lj);
    Ok(segs)
}

/// Builds the sampled geometry of a circuit definition.
pub fn build(def: &CircuitDef) -> Result<Geometry, String> {
    let closed = close_loop(def.segments)?;
    let raw_len: f64 = closed.iter().map(|&s| seg_len(s)).sum();
    let k = def.target_length_m / raw_len;
    let scaled: Vec<Seg> = closed
        .iter()
        .map(|&s| match s {
            Seg::Straight(l) => Seg::Straight(l * k),
            Seg::Arc { radius, angle_deg } => Seg::Arc {
                radius: radius * k,
                angle_deg,
            },
        })
        .collect();
    let (placed, ex, ey) = walk(&scaled);
    if ex.hypot(ey) > 1e-6 {
        return Err(format!("loop does not close: gap {ex}, {ey}"));
    }
    let length: f64 = scaled.iter().map(|&s| seg_len(s)).sum();
    let line_path = match scaled.get(def.line_segment) {
        Some(&s) => placed[def.line_segment].start + seg_len(s) * def.line_fraction,
        None => return Err("line_segment out of range".into()),
    };
    let n = (length / SAMPLE_STEP_M).round().max(16.0) as usize;
    let ds = length / n as f64;
    let mut g = Geometry {
        length_m: length,
        ds,
        x: Vec::with_capacity(n),
        y: Vec::with_capacity(n),
        heading: Vec::with_capacity(n),
        curvature: Vec::with_capacity(n),
        straights: Vec::new(),
    };
    let mut seg_idx = 0;
    for i in 0..n {
        let p = (line_path + i as f64 * ds) % length;
        // Samples walk the path once with a single wrap, so a forward search
        // from the previous segment (restarting after the wrap) is enough.
        if p < placed[seg_idx].start {
            seg_idx = 0;
        }
        while seg_idx + 1 < placed.len() && placed[seg_idx + 1].start <= p {
            seg_idx += 1;
        }
        let pl = placed[seg_idx];
        let t = p - pl.start;
        let (x, y, h, kappa) = match pl.seg {
            Seg::Straight(_) => (pl.x0 + t * pl.h0.cos(), pl.y0 + t * pl.h0.sin(), pl.h0, 0.0),
            Seg::Arc { radius, angle_deg } => {
                let k = angle_deg.signum() / radius;
                let h = pl.h0 + k * t;
                (
                    pl.x0 + (h.sin() - pl.h0.sin()) / k,
                    pl.y0 - (h.cos() - pl.h0.cos()) / k,
                    h,
                    1.0 / radius,
                )
            }
        };
        g.x.push(x);
        g.y.push(y);
        g.heading.push(h);
        g.curvature.push(kappa);
    }
    for (i, pl) in placed.iter().enumerate() {
        if let Seg::Straight(l) = pl.seg {
            let a = (pl.start - line_path).rem_euclid(length);
            g.straights.push((i, a, (a + l) % length));
        }
    }
    Ok(g)
}

impl Geometry {
    /// Index and fraction of the sample interval holding lap distance `s`.
    #[inline]
    pub fn locate(&self, s: f64) -> (usize, usize, f64) {
        let n = self.x.len();
        let u = (s / self.ds).max(0.0);
        let i = (u as usize) % n;
        let frac = (u - u.floor()).clamp(0.0, 1.0);
        (i, (i + 1) % n, frac)
    }

    /// Position on the centre line at `s`, shifted `lateral` metres to the left.
    pub fn position(&self, s: f64, lateral: f64) -> (f64, f64) {
        let (i, j, f) = self.locate(s);
        let x = self.x[i] + (self.x[j] - self.x[i]) * f;
        let y = self.y[i] + (self.y[j] - self.y[i]) * f;
        if lateral == 0.0 {
            return (x, y);
        }
        let h = self.heading[i];
        (x - lateral * h.sin(), y + lateral * h.cos())
    }

    /// The centre line every `step` metres (rounded so the spacing is even).
    pub fn centreline(&self, step: f64) -> Vec<[f64; 2]> {
        let count = (self.length_m / step).round().max(8.0) as usize;
        (0..count)
            .map(|k| {
                let (x, y) = self.position(k as f64 * self.length_m / count as f64, 0.0);
                [x, y]
            })
            .collect()
    }
}
