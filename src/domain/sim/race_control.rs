//! Race control: the green flag, safety car (SC) and virtual safety car (VSC)
//! periods. Periods are drawn at the start from the race seed (so a race is
//! reproducible) and triggered by the leader's progress: an SC lasts a number
//! of the leader's laps and ends at the line, a VSC lasts a fixed time.

use super::rng::Rng;
use super::truth::{ControlPeriod, PeriodKind};
use super::Announcement;
use crate::domain::records::RaceControlKind;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    Green,
    SafetyCar { laps_left: u32 },
    Vsc { until_s: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Scheduled {
    kind: PeriodKind,
    /// Deployed during this lap of the leader...
    leader_lap: u32,
    /// ...at this fraction of a reference lap after the leader started it.
    frac: f64,
    sc_laps: u32,
    vsc_s: f64,
}

#[derive(Debug, Clone)]
pub struct RaceControl {
    pub phase: Phase,
    schedule: Vec<Scheduled>,
    armed: Option<(f64, Scheduled)>,
    ref_lap_s: f64,
}

fn announce(out: &mut Vec<Announcement>, kind: RaceControlKind, message: &str) {
    out.push(Announcement {
        kind,
        car_id: None,
        message: message.to_owned(),
    });
}

impl RaceControl {
    /// `forced` replaces the random draw (tests, demos): a period of that
    /// kind during that lap of the leader.
    pub fn new(
        rng: &mut Rng,
        laps: u32,
        probability: f64,
        ref_lap_s: f64,
        forced: Option<(PeriodKind, u32)>,
    ) -> RaceControl {
        let draw = |kind: PeriodKind, leader_lap: u32, rng: &mut Rng| Scheduled {
            kind,
            leader_lap,
            frac: rng.range(0.1, 0.9),
            sc_laps: rng.int(3, 5),
            vsc_s: rng.range(60.0, 150.0),
        };
        let mut schedule = Vec::new();
        if let Some((kind, lap)) = forced {
            schedule.push(draw(kind, lap.max(1), rng));
        } else if laps >= 6 && rng.chance(probability) {
            let kind = if rng.chance(0.6) {
                PeriodKind::SafetyCar
            } else {
                PeriodKind::VirtualSafetyCar
            };
            let first = rng.int(2, laps - 3);
            schedule.push(draw(kind, first, rng));
            // Now and then a second incident later in the race.
            if first + 10 < laps - 2 && rng.chance(probability * 0.25) {
                let lap = rng.int(first + 10, laps - 2);
                schedule.push(draw(PeriodKind::VirtualSafetyCar, lap, rng));
            }
        }
        RaceControl {
            phase: Phase::Green,
            schedule,
            armed: None,
            ref_lap_s,
        }
    }

    pub fn is_green(&self) -> bool {
        self.phase == Phase::Green
    }

    pub fn is_safety_car(&self) -> bool {
        matches!(self.phase, Phase::SafetyCar { .. })
    }

    pub fn is_vsc(&self) -> bool {
        matches!(self.phase, Phase::Vsc { .. })
    }

    /// The race leader has just completed lap `completed` at `t_s`.
    pub fn on_leader_line(
        &mut self,
        completed: u32,
        t_s: f64,
        out: &mut Vec<Announcement>,
        periods: &mut [ControlPeriod],
    ) {
        if let Phase::SafetyCar { laps_left } = self.phase {
            let left = laps_left.saturating_sub(1);
            if left == 0 {
                self.phase = Phase::Green;
                announce(
                    out,
                    RaceControlKind::GreenFlag,
                    "GREEN FLAG: RACING RESUMES",
                );
                close(periods, t_s);
            } else {
                self.phase = Phase::SafetyCar { laps_left: left };
                if left == 1 {
                    announce(out, RaceControlKind::SafetyCarIn, "SAFETY CAR IN THIS LAP");
                }
            }
        }
        if let Some(pos) = self
            .schedule
            .iter()
            .position(|s| s.leader_lap == completed + 1)
        {
            let s = self.schedule.remove(pos);
            self.armed = Some((t_s + s.frac * self.ref_lap_s, s));
        }
    }

    /// Time-driven changes: deploying an armed period, ending a VSC.
    pub fn update(
        &mut self,
        t_s: f64,
        leader_lap: u32,
        out: &mut Vec<Announcement>,
        periods: &mut Vec<ControlPeriod>,
    ) {
        if let Phase::Vsc { until_s } = self.phase {
            if t_s >= until_s {
                self.phase = Phase::Green;
                announce(
                    out,
                    RaceControlKind::VirtualSafetyCarEnd,
                    "VIRTUAL SAFETY CAR ENDING",
                );
                close(periods, t_s);
            }
        }
        let Some((at, s)) = self.armed else { return };
        if t_s < at || !self.is_green() {
            return;
        }
        self.armed = None;
        match s.kind {
            PeriodKind::SafetyCar => {
                self.phase = Phase::SafetyCar {
                    laps_left: s.sc_laps,
                };
                announce(out, RaceControlKind::SafetyCar, "SAFETY CAR DEPLOYED");
            }
            PeriodKind::VirtualSafetyCar => {
                self.phase = Phase::Vsc {
                    until_s: t_s + s.vsc_s,
                };
                announce(
                    out,
                    RaceControlKind::VirtualSafetyCar,
                    "VIRTUAL SAFETY CAR DEPLOYED",
                );
            }
        }
        periods.push(ControlPeriod {
            kind: s.kind,
            start_ms: t_s * 1000.0,
            end_ms: None,
            leader_lap,
        });
    }

    /// The chequered flag ends any period still running.
    pub fn finish(&mut self, t_s: f64, periods: &mut [ControlPeriod]) {
        if !self.is_green() {
            close(periods, t_s);
        }
        self.phase = Phase::Green;
        self.armed = None;
        self.schedule.clear();
    }
}

fn close(periods: &mut [ControlPeriod], t_s: f64) {
    if let Some(p) = periods.last_mut() {
        if p.end_ms.is_none() {
            p.end_ms = Some(t_s * 1000.0);
        }
    }
}
