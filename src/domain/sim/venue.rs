//! A circuit ready to race on: geometry, the reference speed profile, the pit
//! lane (with its own profile that brakes to the limit before the entry line,
//! stops at the box and accelerates out), DRS zones and sectors. Also the
//! small helpers for positions along a closed lap, which wrap at the line.

use super::circuits::{self, CircuitDef};
use super::profile::{self, BOX_CRAWL_MPS, PIT_LIMIT_MPS};
use super::track::{self, Geometry};
use crate::domain::records::TrackInfo;

/// Nominal stationary time used when quoting a track's pit loss.
pub const NOMINAL_STATIONARY_S: f64 = 2.75;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrsZone {
    pub detection_m: f64,
    pub start_m: f64,
    pub end_m: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitLane {
    pub entry_m: f64,
    pub box_m: f64,
    pub exit_m: f64,
    pub lateral_m: f64,
    /// Time lost against staying out, nominal stationary time included.
    pub loss_s: f64,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: &'static str,
    pub name: &'static str,
    pub geo: Geometry,
    pub profile: Vec<f64>,
    pub pit_profile: Vec<f64>,
    pub sector_starts_m: [f64; 2],
    pub pit: PitLane,
    pub drs: Vec<DrsZone>,
    /// Lap time of the reference car on an empty track, seconds.
    pub ref_lap_s: f64,
    pub overtake_difficulty_s: f64,
    pub tyre_wear_factor: f64,
}

/// Whether `s` lies in the span from `a` to `b` going forward (wrapping).
#[inline]
pub fn in_span(s: f64, a: f64, b: f64) -> bool {
    if a <= b {
        a <= s && s < b
    } else {
        s >= a || s < b
    }
}

/// Where a move from `s0` covering `travel` metres passes lap distance `x`:
/// the fraction of the move at which it happens, if it does. The line is
/// `x == 0.0`, reached when the move ends at or beyond the lap length.
#[inline]
pub fn crossing(s0: f64, travel: f64, x: f64, len: f64) -> Option<f64> {
    if travel <= 0.0 {
        return None;
    }
    let end = s0 + travel;
    let target = if x > s0 { x } else { x + len };
    (target <= end).then(|| (target - s0) / travel)
}

impl Track {
    pub fn load(id: &str) -> Result<Track, String> {
        let def = circuits::find(id).ok_or_else(|| format!("unknown track {id}"))?;
        Track::from_def(def)
    }

    fn from_def(def: &CircuitDef) -> Result<Track, String> {
        let geo = track::build(def)?;
        let len = geo.length_m;
        let ds = geo.ds;
        let caps: Vec<f64> = geo
            .curvature
            .iter()
            .map(|&k| profile::corner_speed(k))
            .collect();
        let prof = profile::solve(&caps, ds);
        let entry = len - def.pit_entry_before_line_m;
        let (box_m, exit) = (def.pit_box_after_line_m, def.pit_exit_after_line_m);
        let box_idx = ((box_m / ds).round() as usize) % caps.len();
        let pit_caps: Vec<f64> = caps
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let s = i as f64 * ds;
                if i == box_idx {
                    BOX_CRAWL_MPS
                } else if in_span(s, entry, exit) {
                    c.min(PIT_LIMIT_MPS)
                } else {
                    c
                }
            })
            .collect();
        let pit_profile = profile::solve(&pit_caps, ds);
        let ref_lap_s = profile::lap_time(&prof, ds);
        let loss_s = profile::lap_time(&pit_profile, ds) - ref_lap_s + NOMINAL_STATIONARY_S;
        let mut drs = Vec::new();
        for &(seg, a, b) in &geo.straights {
            if !def.drs_straights.contains(&seg) {
                continue;
            }
            let span = (b - a).rem_euclid(len);
            if span < 300.0 {
                continue;
            }
            let start = (a + 60.0) % len;
            drs.push(DrsZone {
                detection_m: (start - 150.0).rem_euclid(len),
                start_m: start,
                end_m: (b - 120.0).rem_euclid(len),
            });
        }
        Ok(Track {
            id: def.id,
            name: def.name,
            sector_starts_m: [(len / 3.0).round(), (2.0 * len / 3.0).round()],
            pit: PitLane {
                entry_m: entry,
                box_m: box_idx as f64 * ds,
                exit_m: exit,
                lateral_m: def.pit_lateral_m,
                loss_s,
            },
            drs,
            ref_lap_s,
            overtake_difficulty_s: def.overtake_difficulty_s,
            tyre_wear_factor: def.tyre_wear_factor,
            profile: prof,
            pit_profile,
            geo,
        })
    }

    #[inline]
    pub fn length(&self) -> f64 {
        self.geo.length_m
    }

    #[inline]
    fn interp(&self, v: &[f64], s: f64) -> f64 {
        let (i, j, f) = self.geo.locate(s);
        v[i] + (v[j] - v[i]) * f
    }

    /// Reference racing speed at `s`.
    #[inline]
    pub fn speed(&self, s: f64) -> f64 {
        self.interp(&self.profile, s)
    }

    /// Reference speed at `s` for a car that is pitting on this lap.
    #[inline]
    pub fn pit_speed(&self, s: f64) -> f64 {
        self.interp(&self.pit_profile, s)
    }

    #[inline]
    pub fn in_corner(&self, s: f64) -> bool {
        let (i, _, _) = self.geo.locate(s);
        self.geo.curvature[i] > 0.0
    }

    /// The sector (0, 1 or 2) holding lap distance `s`.
    pub fn sector_of(&self, s: f64) -> usize {
        self.sector_starts_m.iter().filter(|&&b| s >= b).count()
    }

    pub fn info(&self) -> TrackInfo {
        TrackInfo {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            length_m: self.length(),
            sector_starts_m: self.sector_starts_m,
            centreline: self.geo.centreline(15.0),
            pit_loss_ms: self.pit.loss_s * 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_circuit_builds_closed_with_sane_numbers() {
        for id in circuits::TRACK_IDS {
            let t = Track::load(id).unwrap();
            let def = circuits::find(id).unwrap();
            assert!((t.length() - def.target_length_m).abs() < 1.0, "{id}");
            let (x0, y0) = t.geo.position(0.0, 0.0);
            let (x1, y1) = t.geo.position(t.length() - 0.01, 0.0);
            assert!((x0 - x1).hypot(y0 - y1) < 1.0, "{id} not closed");
            // A 5 km lap at racing pace takes 75-100 s; scale to 5 km.
            let per_5k = t.ref_lap_s * 5000.0 / t.length();
            println!(
                "{id}: {:.0} m, ref lap {:.2} s ({per_5k:.1} s per 5 km), pit loss {:.1} s, drs {:?}",
                t.length(),
                t.ref_lap_s,
                t.pit.loss_s,
                t.drs
            );
            assert!((60.0..110.0).contains(&per_5k), "{id}: {per_5k}");
            assert!(
                (12.0..32.0).contains(&t.pit.loss_s),
                "{id}: {}",
                t.pit.loss_s
            );
            assert!(!t.drs.is_empty(), "{id}");
            let info = t.info();
            let step = t.length() / info.centreline.len() as f64;
            assert!((10.0..=20.0).contains(&step));
        }
        let power = Track::load("power").unwrap();
        let per_5k = power.ref_lap_s * 5000.0 / power.length();
        assert!((65.0..90.0).contains(&per_5k), "{per_5k}");
    }

    #[test]
    fn centre_lines_do_not_cross_themselves() {
        for id in circuits::TRACK_IDS {
            let t = Track::load(id).unwrap();
            let pts = t.geo.centreline(10.0);
            let n = pts.len();
            let step = t.length() / n as f64;
            for i in 0..n {
                for j in i + 1..n {
                    let along = (j - i).min(n - (j - i)) as f64 * step;
                    if along < 150.0 {
                        continue;
                    }
                    let d = (pts[i][0] - pts[j][0]).hypot(pts[i][1] - pts[j][1]);
                    assert!(
                        d > 30.0,
                        "{id}: {:.0} m and {:.0} m are {d:.1} m apart",
                        i as f64 * step,
                        j as f64 * step
                    );
                }
            }
        }
    }

    #[test]
    fn crossing_wraps_at_the_line() {
        assert_eq!(crossing(990.0, 20.0, 0.0, 1000.0), Some(0.5));
        assert_eq!(crossing(100.0, 20.0, 110.0, 1000.0), Some(0.5));
        assert_eq!(crossing(100.0, 20.0, 130.0, 1000.0), None);
        assert!(in_span(5.0, 990.0, 10.0));
        assert!(!in_span(500.0, 990.0, 10.0));
    }
}
