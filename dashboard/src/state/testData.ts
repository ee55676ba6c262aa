// Builders for tests: small, valid server messages.
import type { LapCompletedEvent, LeaderboardEntry, LeaderboardEvent, PitStopEvent } from "../api/types";

export function entry(car: number, position: number, over: Partial<LeaderboardEntry> = {}): LeaderboardEntry {
  return {
    position,
    car_id: car,
    number: car + 10,
    driver: `Driver ${car}`,
    team: `Team ${car % 2}`,
    lap: 1,
    race_distance_m: 1000 - position,
    gap_to_leader_ms: position === 1 ? null : position * 100,
    interval_ms: position === 1 ? null : 100,
    laps_down: 0,
    last_lap_ms: null,
    best_lap_ms: null,
    sectors_ms: [],
    compound: "medium",
    tyre_age_laps: 0,
    pit_stops: 0,
    status: "running",
    ...over,
  };
}

export function board(ts: number, entries: LeaderboardEntry[], race = "r"): LeaderboardEvent {
  return { type: "leaderboard", race_id: race, ts_ms: ts, event_id: `${race}:leaderboard:${ts}`, total_laps: 5, leader_lap: 1, entries };
}

export function lap(car: number, n: number, ms: number, ts: number, flags: { pb?: boolean; ob?: boolean } = {}): LapCompletedEvent {
  return {
    type: "lap_completed",
    race_id: "r",
    ts_ms: ts,
    car_id: car,
    lap: n,
    lap_ms: ms,
    sectors_ms: [ms / 3, ms / 3, ms / 3],
    compound: "soft",
    tyre_age_laps: n,
    personal_best: !!flags.pb,
    overall_best: !!flags.ob,
  };
}

export function pit(car: number, n: number, entry: number, exit: number): PitStopEvent {
  return {
    type: "pit_stop",
    race_id: "r",
    ts_ms: exit,
    car_id: car,
    lap: n,
    entry_ts_ms: entry,
    exit_ts_ms: exit,
    stationary_ms: 2400,
    pit_lane_ms: exit - entry,
    compound_in: "soft",
    compound_out: "hard",
  };
}
