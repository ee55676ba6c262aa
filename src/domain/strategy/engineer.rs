//! The race engineer's rules: for each car still racing, one call per lap,
//! the most urgent that applies, with its numbers and a sentence.
//!
//! In order of precedence:
//! 1. `pit_now` under SC / VSC, when the car needs a stop (two-compound rule
//!    unmet, or fresh tyres win back more than the reduced pit loss before
//!    the flag): the pit loss is cut by `sc_pit_factor` / `vsc_pit_factor`.
//! 2. `pit_now` past the compound's cliff, when the car needs a stop.
//! 3. `undercut_threat`: the car behind, on tyres old enough to want a stop,
//!    is closer than what it would gain by stopping first: new tyres (of the
//!    compound it would take) against ours over `undercut_laps` laps, less
//!    its out-lap warm-up. The pit loss cancels out since we would stop on
//!    the next lap.
//! 4. `overcut_opportunity`: the car ahead is in its pit window (or in the
//!    pits) and closer than what staying out one more lap gains on it: its
//!    out-lap warm-up against what our worn tyres lose to its new ones.
//! 5. `pit_window_open`: the window is open and a stop pays back.
//! 6. `stay_out`.
//!
//! Cars in the pit lane, finished or retired get no call.

use super::call::{CallKind, StrategyCall};
use super::degradation::{fit_stint, DegModel};
use super::input::{CarInput, RaceInput};
use super::params::StrategyParams;
use super::rejoin::{predict_rejoin_with, Rejoin};
use super::tyres::{future_gain_ms, next_compound, pit_window_lap, TyrePlan};
use crate::domain::events::CarStatus;
use crate::domain::records::Compound;
use crate::domain::timing::Neutralisation;

/// What strategy works out for one car before choosing a call.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Assessment {
    model: DegModel,
    plan: TyrePlan,
    laps_left: u32,
    next: Compound,
    window_lap: Option<u32>,
    must_stop: bool,
    /// A stop now pays back the (current) pit loss, or is compulsory.
    needs_stop: bool,
    laps_to_cliff: i32,
}

pub(super) fn secs(ms: f64) -> String {
    format!("{:.1} s", ms / 1_000.0)
}

fn tyres(c: Compound) -> &'static str {
    match c {
        Compound::Soft => "softs",
        Compound::Medium => "mediums",
        Compound::Hard => "hards",
    }
}

fn pit_loss(race: &RaceInput, p: &StrategyParams) -> f64 {
    match race.neutralisation {
        Neutralisation::SafetyCar => race.pit_loss_ms * p.sc_pit_factor,
        Neutralisation::VirtualSafetyCar => race.pit_loss_ms * p.vsc_pit_factor,
        Neutralisation::None => race.pit_loss_ms,
    }
}

pub(super) fn assess(race: &RaceInput, car: &CarInput, p: &StrategyParams) -> Assessment {
    let model = fit_stint(car.laps, car.stint, car.compound, race.total_laps, p);
    let cliff = p.cliff_laps(car.compound, race.track_length_m);
    let plan = TyrePlan {
        compound: car.compound,
        age_laps: car.tyre_age_laps,
        slope_ms_per_lap: model.slope_ms_per_lap.max(0.0),
        cliff_laps: cliff,
    };
    let laps_left = race.total_laps.saturating_sub(car.lap);
    let used = car.compounds_used();
    let next = next_compound(&used, laps_left, race.track_length_m, p);
    let must_stop = p.two_compound_rule && used.len() < 2 && laps_left > 0;
    let loss = pit_loss(race, p);
    let pays = future_gain_ms(&plan, next, laps_left, race.track_length_m, p) > loss;
    Assessment {
        model,
        plan,
        laps_left,
        next,
        window_lap: pit_window_lap(&plan, next, car.lap, race.total_laps, loss, p),
        must_stop,
        needs_stop: (must_stop || pays) && laps_left > 0 && car.tyre_age_laps >= p.min_stint_laps,
        laps_to_cliff: (cliff - f64::from(car.tyre_age_laps)).floor() as i32,
    }
}

fn racing(car: &CarInput) -> bool {
    matches!(car.status, CarStatus::Running)
}

/// "rejoin P4 behind #16 (1.2 s back)" (or "in the lead"); with a band,
/// "rejoin P4 (P3-P5, 81%) behind …".
pub(super) fn rejoin_text(cars: &[CarInput], r: &Rejoin, band: Option<&str>) -> String {
    let position = match band {
        Some(band) => format!("P{} ({band})", r.position),
        None => format!("P{}", r.position),
    };
    match r.behind {
        Some(b) => format!(
            "rejoin {position} behind #{} ({} back)",
            cars[b].number,
            secs(r.margin_ahead_ms.unwrap_or(0.0))
        ),
        None => format!("rejoin {position} in the lead"),
    }
}

/// Whether strategy would tell a racing car to stop now (the calls
/// `pit_now` and `pit_window_open`): what a rival's pit wall would do too.
fn due_to_stop(race: &RaceInput, a: &Assessment, car: &CarInput) -> bool {
    let neutral = race.neutralisation != Neutralisation::None && a.laps_left >= 2;
    a.needs_stop && (neutral || a.laps_to_cliff <= 0 || a.window_lap.is_some_and(|w| w <= car.lap))
}

/// Time each car is expected to lose in the pits before a stop made now
/// would be over: what is left of the stop of a car in the pit lane (half
/// the pit loss, not knowing how far it got), the whole pit loss for a car
/// due to stop (`due_to_stop`), nothing for the others.
fn expected_pit_losses(race: &RaceInput, p: &StrategyParams) -> Vec<f64> {
    let loss = pit_loss(race, p);
    race.cars
        .iter()
        .map(|c| match c.status {
            CarStatus::InPit => 0.5 * loss,
            CarStatus::Running if due_to_stop(race, &assess(race, c, p), c) => loss,
            _ => 0.0,
        })
        .collect()
}

/// The call for `race.cars[i]`, None for cars not racing (pit lane,
/// finished, retired).
pub fn evaluate_car(race: &RaceInput, i: usize, p: &StrategyParams) -> Option<StrategyCall> {
    race.cars.get(i).filter(|c| racing(c))?;
    evaluate_with(race, i, p, &expected_pit_losses(race, p))
}

/// A `stay_out` call with the car's numbers, for the rules to refine.
pub(super) fn base_call(
    race: &RaceInput,
    me: &CarInput,
    a: &Assessment,
    rejoin: &Rejoin,
    loss_ms: f64,
) -> StrategyCall {
    StrategyCall {
        car_id: me.car_id,
        lap: me.lap,
        kind: CallKind::StayOut,
        rejoin_position: rejoin.position,
        rejoin_behind: rejoin.behind.map(|b| race.cars[b].car_id),
        pit_loss_ms: loss_ms.round().max(0.0) as u64,
        deg_ms_per_lap: (a.model.slope_ms_per_lap * 10.0).round() / 10.0,
        laps_to_cliff: a.laps_to_cliff,
        pit_window_lap: a.window_lap,
        next_compound: a.next,
        rival: None,
        reason: String::new(),
    }
}

fn evaluate_with(
    race: &RaceInput,
    i: usize,
    p: &StrategyParams,
    others: &[f64],
) -> Option<StrategyCall> {
    let me = race.cars.get(i).filter(|c| racing(c))?;
    let a = assess(race, me, p);
    let loss = pit_loss(race, p);
    let rejoin = predict_rejoin_with(&race.cars, i, loss, |j| others[j]);
    let mut call = base_call(race, me, &a, &rejoin, loss);
    let rejoin_txt = rejoin_text(&race.cars, &rejoin, None);
    let deg_txt = format!("deg {:.0} ms/lap", a.model.slope_ms_per_lap);

    if race.neutralisation != Neutralisation::None && a.needs_stop && a.laps_left >= 2 {
        let what = if race.neutralisation == Neutralisation::SafetyCar {
            "SC"
        } else {
            "VSC"
        };
        call.kind = CallKind::PitNow;
        call.reason = format!(
            "Box now: {what} reduces pit loss to {}, {rejoin_txt}; {} for the last {} laps",
            secs(loss),
            tyres(a.next),
            a.laps_left
        );
        return Some(call);
    }
    if a.laps_to_cliff <= 0 && a.needs_stop {
        call.kind = CallKind::PitNow;
        call.reason = format!(
            "Box now: {} {} laps old, past the cliff ({deg_txt}); {rejoin_txt}",
            tyres(me.compound),
            me.tyre_age_laps
        );
        return Some(call);
    }
    let fresh_enough = me.tyre_age_laps >= p.min_stint_laps && a.laps_left > p.undercut_laps;
    if let Some(behind) = race.cars.get(i + 1).filter(|c| racing(c) && fresh_enough) {
        let b = assess(race, behind, p);
        let interval = behind
            .race_gap_ms()
            .zip(me.race_gap_ms())
            .map(|(gb, gm)| gb - gm);
        let gain = future_gain_ms(&a.plan, b.next, p.undercut_laps, race.track_length_m, p);
        if let Some(iv) = interval.filter(|&iv| b.needs_stop && iv < gain) {
            call.kind = CallKind::UndercutThreat;
            call.rival = Some(behind.car_id);
            call.reason = format!(
                "Undercut threat: #{} {} behind could gain {} over {} laps on new {}; cover by boxing, {rejoin_txt}",
                behind.number,
                secs(iv),
                secs(gain),
                p.undercut_laps,
                tyres(b.next)
            );
            return Some(call);
        }
    }
    if let Some(ahead) = i.checked_sub(1).and_then(|j| race.cars.get(j)) {
        let z = assess(race, ahead, p);
        let z_due = ahead.status == CarStatus::InPit
            || z.needs_stop && z.window_lap.is_some_and(|w| w <= ahead.lap);
        let interval = me
            .race_gap_ms()
            .zip(ahead.race_gap_ms())
            .map(|(gm, ga)| gm - ga);
        let gain = -future_gain_ms(&a.plan, z.next, 1, race.track_length_m, p);
        if let Some(iv) = interval.filter(|&iv| z_due && a.laps_to_cliff >= 2 && iv < gain) {
            call.kind = CallKind::OvercutOpportunity;
            call.rival = Some(ahead.car_id);
            call.reason = format!(
                "Overcut: #{} {} ahead is due to stop; stay out, its out-lap on new {} costs more than our {deg_txt} ({} to gain)",
                ahead.number,
                secs(iv),
                tyres(z.next),
                secs(gain)
            );
            return Some(call);
        }
    }
    if a.needs_stop && a.window_lap.is_some_and(|w| w <= me.lap) {
        call.kind = CallKind::PitWindowOpen;
        call.reason = format!(
            "Pit window open since lap {}: {} {} laps old, {deg_txt}, cliff in {} laps; {} next, {rejoin_txt}",
            a.window_lap.unwrap_or(me.lap),
            tyres(me.compound),
            me.tyre_age_laps,
            a.laps_to_cliff,
            tyres(a.next)
        );
        return Some(call);
    }
    call.reason = match (a.window_lap, a.must_stop || a.needs_stop) {
        (Some(w), _) if w > me.lap => format!(
            "Stay out: {} {} laps old, {deg_txt}, cliff in {} laps; window opens lap {w}",
            tyres(me.compound),
            me.tyre_age_laps,
            a.laps_to_cliff
        ),
        (_, false) => format!(
            "Stay out: {} {} laps old, {deg_txt}; no stop pays back in the {} laps left",
            tyres(me.compound),
            me.tyre_age_laps,
            a.laps_left
        ),
        _ => format!(
            "Stay out: {} {} laps old, {deg_txt}, cliff in {} laps",
            tyres(me.compound),
            me.tyre_age_laps,
            a.laps_to_cliff
        ),
    };
    Some(call)
}

/// One call per car still racing, in race order.
pub fn evaluate_race(race: &RaceInput, p: &StrategyParams) -> Vec<StrategyCall> {
    let others = expected_pit_losses(race, p);
    (0..race.cars.len())
        .filter_map(|i| evaluate_with(race, i, p, &others))
        .collect()
}
