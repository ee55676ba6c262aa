//! Race control messages applied to timing: the safety car state (which
//! marks laps as neutralised for strategy and sets the pit loss strategy
//! uses), the flag, retirements announced by race control, and a chequered
//! flag shown early (a shortened race).

use super::event::TimingEvent;
use super::race::RaceTiming;
use crate::domain::records::{RaceControl, RaceControlKind};

/// Safety car state from race control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Neutralisation {
    #[default]
    None,
    SafetyCar,
    VirtualSafetyCar,
}

impl RaceTiming {
    /// Applies a race control message: safety car state, flags, retirements
    /// and the chequered flag. Returns the events it caused (a retirement, or
    /// cars finishing when the flag is shown).
    pub fn race_control(&mut self, rc: &RaceControl) -> Vec<TimingEvent> {
        let mut events = Vec::new();
        if self.control_seen(rc) {
            return events;
        }
        let neutral = match rc.kind {
            RaceControlKind::SafetyCar => Some(Neutralisation::SafetyCar),
            RaceControlKind::VirtualSafetyCar => Some(Neutralisation::VirtualSafetyCar),
            // "Safety car in this lap" ends the neutralisation for strategy:
            // a stop from now on costs a green-flag pit loss.
            RaceControlKind::SafetyCarIn
            | RaceControlKind::VirtualSafetyCarEnd
            | RaceControlKind::GreenFlag => Some(Neutralisation::None),
            _ => None,
        };
        if let Some(n) = neutral {
            // A VSC turned into a SC is one neutralisation: it keeps its start.
            self.neutral_since_ms = match (self.neutral, n) {
                (_, Neutralisation::None) => None,
                (Neutralisation::None, _) => Some(rc.ts_ms),
                _ => self.neutral_since_ms,
            };
            self.neutral = n;
            if n != Neutralisation::None {
                for car in &mut self.cars {
                    car.flags.neutralised = true;
                }
            }
        }
        match rc.kind {
            RaceControlKind::GreenFlag
            | RaceControlKind::SafetyCarIn
            | RaceControlKind::VirtualSafetyCarEnd => self.flag = "green",
            RaceControlKind::YellowFlag => self.flag = "yellow",
            RaceControlKind::SafetyCar => self.flag = "safety_car",
            RaceControlKind::VirtualSafetyCar => self.flag = "virtual_safety_car",
            RaceControlKind::Retirement => {
                if let Some(&i) = rc.car_id.and_then(|id| self.index.get(&id)) {
                    let reason = if rc.message.is_empty() {
                        "retired"
                    } else {
                        &rc.message
                    };
                    let reason = reason.to_owned();
                    self.retire(i, rc.ts_ms, rc.sent_at_us, &reason, &mut events);
                }
            }
            RaceControlKind::ChequeredFlag => {
                // A flag stamped before samples already timed (a late or
                // hostile record) takes effect from the newest of them: it
                // must not rewrite laps completed after its stamp, which
                // `show_chequer` would count as finishes at their latest
                // crossing.
                let newest = self.cars.iter().map(|c| c.last_ts_ms).max().unwrap_or(0);
                let at = rc.ts_ms.max(newest);
                self.show_chequer(at as f64, rc.sent_at_us, &mut events)
            }
        }
        events
    }
}

impl RaceTiming {
    /// True for a message already applied, or older than the newest one
    /// applied. A simulator resumed after a crash publishes again what
    /// followed its last checkpoint; a repeated "safety car" after "safety
    /// car in" would neutralise the race anew.
    fn control_seen(&mut self, rc: &RaceControl) -> bool {
        let key = (rc.kind, rc.car_id);
        match self.control_ts {
            Some(ts) if rc.ts_ms < ts => return true,
            Some(ts) if rc.ts_ms == ts => {
                if self.control_at_ts.contains(&key) {
                    return true;
                }
            }
            _ => {
                self.control_ts = Some(rc.ts_ms);
                self.control_at_ts.clear();
            }
        }
        self.control_at_ts.push(key);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::SCHEMA_VERSION;
    use crate::domain::timing::testkit::{entries, track};

    fn rc(kind: RaceControlKind) -> RaceControl {
        RaceControl {
            v: SCHEMA_VERSION,
            race_id: "r1".into(),
            ts_ms: 5,
            sent_at_us: 0,
            kind,
            car_id: None,
            message: String::new(),
        }
    }

    #[test]
    fn flags_and_neutralisation_follow_the_messages() {
        let mut rt = RaceTiming::new("r1", &track(5_000.0), &entries(2), 10);
        let steps = [
            (RaceControlKind::YellowFlag, "yellow", Neutralisation::None),
            (
                RaceControlKind::VirtualSafetyCar,
                "virtual_safety_car",
                Neutralisation::VirtualSafetyCar,
            ),
            (
                RaceControlKind::VirtualSafetyCarEnd,
                "green",
                Neutralisation::None,
            ),
            (
                RaceControlKind::SafetyCar,
                "safety_car",
                Neutralisation::SafetyCar,
            ),
            (RaceControlKind::SafetyCarIn, "green", Neutralisation::None),
            (RaceControlKind::GreenFlag, "green", Neutralisation::None),
        ];
        for (kind, flag, n) in steps {
            assert!(rt.race_control(&rc(kind)).is_empty());
            assert_eq!((rt.flag(), rt.neutralisation()), (flag, n), "{kind:?}");
        }
        // A retirement without a known car changes nothing.
        assert!(rt.race_control(&rc(RaceControlKind::Retirement)).is_empty());
    }

    #[test]
    fn a_message_published_again_is_not_applied_again() {
        let mut rt = RaceTiming::new("r1", &track(5_000.0), &entries(2), 10);
        let at = |kind, ts_ms| RaceControl { ts_ms, ..rc(kind) };
        rt.race_control(&at(RaceControlKind::SafetyCar, 10));
        rt.race_control(&at(RaceControlKind::SafetyCarIn, 20));
        // A resumed simulator repeats both.
        rt.race_control(&at(RaceControlKind::SafetyCar, 10));
        rt.race_control(&at(RaceControlKind::SafetyCarIn, 20));
        assert_eq!(
            (rt.flag(), rt.neutralisation()),
            ("green", Neutralisation::None)
        );
        rt.race_control(&at(RaceControlKind::SafetyCar, 20));
        assert_eq!(
            rt.neutralisation(),
            Neutralisation::SafetyCar,
            "another message at the same instant is applied"
        );
    }
}
