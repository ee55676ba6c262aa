//! Track order for traffic. Cars on the racing line are kept sorted by lap
//! distance, so each car's neighbour ahead is one index away: O(N log N) per
//! substep at worst, close to O(N) in practice because the order barely
//! changes between substeps and the sort is adaptive. Cars in the pit lane,
//! retired or finished are not part of traffic.

use super::motion::Ahead;
use super::state::CarState;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    pub s: f64,
    pub v: f64,
    /// Race distance, to tell a lapped car from a car racing for position.
    pub rd: f64,
    pub idx: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Traffic {
    pub slots: Vec<Slot>,
    /// Set when a car joins or leaves traffic.
    pub dirty: bool,
    pub aheads: Vec<Option<Ahead>>,
}

/// Beyond this a car ahead has no effect on the follower.
const REACH_M: f64 = 250.0;

impl Traffic {
    pub fn new() -> Traffic {
        Traffic {
            dirty: true,
            ..Traffic::default()
        }
    }

    /// Refreshes positions from the cars and restores the order.
    pub fn refresh(&mut self, cars: &[CarState], lap_m: f64) {
        if self.dirty {
            self.slots.clear();
            self.slots
                .extend(
                    cars.iter()
                        .enumerate()
                        .filter(|(_, c)| c.in_traffic())
                        .map(|(i, c)| Slot {
                            s: c.s,
                            v: c.v,
                            rd: c.race_distance(lap_m),
                            idx: i as u32,
                        }),
                );
            self.dirty = false;
        } else {
            for slot in &mut self.slots {
                let c = &cars[slot.idx as usize];
                slot.s = c.s;
                slot.v = c.v;
                slot.rd = c.race_distance(lap_m);
            }
        }
        self.slots
            .sort_by(|a, b| a.s.total_cmp(&b.s).then(a.idx.cmp(&b.idx)));
    }

    /// The car ahead of every car in traffic, skipping a car being passed.
    pub fn compute_aheads(&mut self, cars: &[CarState], lap_m: f64) {
        self.aheads.clear();
        self.aheads.resize(cars.len(), None);
        let n = self.slots.len();
        if n < 2 {
            return;
        }
        for j in 0..n {
            let me = self.slots[j];
            let mut k = (j + 1) % n;
            let target = cars[me.idx as usize].passing.map(|p| p.target);
            if n > 2 && Some(self.slots[k].idx) == target {
                k = (k + 1) % n;
            }
            let a = self.slots[k];
            let gap = (a.s - me.s).rem_euclid(lap_m);
            if gap > REACH_M {
                continue;
            }
            self.aheads[me.idx as usize] = Some(Ahead {
                idx: a.idx,
                gap_m: gap,
                v: a.v,
                lapped: a.rd < me.rd - 0.5 * lap_m,
            });
        }
    }

    /// The car in traffic furthest into the race.
    pub fn leader(&self) -> Option<u32> {
        self.slots
            .iter()
            .max_by(|a, b| a.rd.total_cmp(&b.rd).then(b.idx.cmp(&a.idx)))
            .map(|s| s.idx)
    }

    /// Cars whose lap distance lies within `[x - behind, x + ahead]`.
    pub fn near(&self, x: f64, behind: f64, ahead: f64, lap_m: f64) -> Vec<u32> {
        self.slots
            .iter()
            .filter(|sl| {
                let d = (sl.s - x).rem_euclid(lap_m);
                d <= ahead || d >= lap_m - behind
            })
            .map(|sl| sl.idx)
            .collect()
    }
}
