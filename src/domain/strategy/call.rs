//! `StrategyCall`, the output of strategy: one per car per lap, with the
//! numbers behind it and a sentence for the pit wall. The types are part of
//! the event contract, so they live in `events.rs`; this file turns a call
//! into its event.

use crate::domain::events::EventMeta;
pub use crate::domain::events::{CallKind, StrategyCall, StrategyEvent};

impl StrategyCall {
    /// The call as an event at race clock `ts_ms` (the car's last line
    /// crossing), with a deterministic id per race, car and instant.
    pub fn into_event(self, race_id: &str, ts_ms: u64, sent_at_us: u64) -> StrategyEvent {
        StrategyEvent {
            meta: EventMeta::new(race_id, "strategy", Some(self.car_id), ts_ms, sent_at_us),
            call: self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::Compound;

    #[test]
    fn serialises_flat_with_snake_case_kind() {
        let call = StrategyCall {
            car_id: 7,
            lap: 23,
            kind: CallKind::PitNow,
            rejoin_position: 4,
            rejoin_behind: Some(16),
            pit_loss_ms: 11_200,
            deg_ms_per_lap: 82.5,
            laps_to_cliff: 5,
            pit_window_lap: Some(21),
            next_compound: Compound::Hard,
            rival: None,
            reason: "Box now".into(),
        };
        let ev = call.clone().into_event("r1", 1_234, 9);
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["kind"], "pit_now");
        assert_eq!(json["event_id"], "r1:strategy:7:1234");
        assert_eq!(json["next_compound"], "hard");
        let back: StrategyEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back.call, call);
        assert_eq!(CallKind::OvercutOpportunity.as_str(), "overcut_opportunity");
    }
}
