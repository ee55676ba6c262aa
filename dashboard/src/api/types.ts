// Wire shapes of the Pitwall backend (src/domain/events.rs, docs/records.md,
// src/web/control.rs). Fields the backend is still adding are optional or
// typed loosely so that an older server never crashes the page.

export type Compound = "soft" | "medium" | "hard";
export type CarStatus = "running" | "in_pit" | "retired" | "finished";
export type RaceListStatus = "running" | "finished" | "stopped";
export type PitState = "on_track" | "pit_lane" | "pit_box" | "retired";

export interface EventMeta {
  race_id: string;
  ts_ms: number;
  event_id?: string;
  sent_at_us?: number;
  v?: number;
}

export interface LeaderboardEntry {
  position: number;
  car_id: number;
  number: number;
  driver: string;
  team: string;
  lap: number;
  race_distance_m: number;
  gap_to_leader_ms: number | null;
  interval_ms: number | null;
  laps_down: number;
  last_lap_ms: number | null;
  best_lap_ms: number | null;
  sectors_ms: number[];
  compound: Compound | string;
  tyre_age_laps: number;
  pit_stops: number;
  status: CarStatus | string;
}

export interface LeaderboardEvent extends EventMeta {
  type: "leaderboard";
  total_laps: number;
  leader_lap: number;
  entries: LeaderboardEntry[];
}

export interface LapCompletedEvent extends EventMeta {
  type: "lap_completed";
  car_id: number;
  lap: number;
  lap_ms: number;
  sectors_ms: number[];
  compound: Compound | string;
  tyre_age_laps: number;
  personal_best: boolean;
  overall_best: boolean;
}

export interface PitStopEvent extends EventMeta {
  type: "pit_stop";
  car_id: number;
  lap: number;
  entry_ts_ms: number;
  exit_ts_ms: number;
  stationary_ms: number;
  pit_lane_ms: number;
  compound_in: Compound | string;
  compound_out: Compound | string;
}

export type StrategyKind =
  | "pit_now"
  | "pit_window_open"
  | "stay_out"
  | "undercut_threat"
  | "overcut_opportunity"
  | "boxing";

export interface StrategyEvent extends EventMeta {
  type: "strategy";
  car_id: number;
  lap: number;
  kind: StrategyKind | string;
  rejoin_position: number;
  rejoin_behind: number | null;
  pit_loss_ms: number;
  deg_ms_per_lap: number;
  laps_to_cliff: number;
  pit_window_lap: number | null;
  next_compound: Compound | string;
  rival: number | null;
  reason: string;
}

export interface RaceStatusEvent extends EventMeta {
  type: "race_status";
  status: "running" | "finished" | string;
  flag: string;
  leader_lap: number;
  total_laps: number;
  message: string;
}

export interface CarPosition {
  car_id: number;
  x: number;
  y: number;
  speed_kph: number;
  lap: number;
  lap_distance_m: number;
  pit: PitState | string;
}

export interface CarTelemetryEvent extends EventMeta {
  type: "car_telemetry";
  cars: CarPosition[];
}

/** `race` of a snapshot: the live view's race meta (src/db/live.rs). */
export interface SnapshotRace {
  race_id: string;
  name: string;
  track_id: string;
  total_laps: number;
  status: string;
}

export interface SnapshotMessage {
  type: "snapshot";
  race_id: string;
  race: SnapshotRace | null;
  leaderboard: LeaderboardEvent | null;
}

export type RaceEvent =
  | LeaderboardEvent
  | LapCompletedEvent
  | PitStopEvent
  | StrategyEvent
  | RaceStatusEvent
  | CarTelemetryEvent;

export type ServerMessage =
  | SnapshotMessage
  | RaceEvent
  | { type: "pong" }
  | { type: "error"; message: string };

/** A row of GET /api/races. */
export interface RaceSummary {
  race_id: string;
  name: string;
  track_id: string;
  total_laps: number;
  sample_hz: number;
  status: RaceListStatus | string;
  started_at_ms: number;
}

/** The body of POST /api/races; every field is optional server-side. */
export interface StartRaceParams {
  name?: string;
  track?: string;
  cars?: number;
  laps?: number;
  sample_hz?: number;
  time_scale?: number;
  seed?: number;
  safety_car_probability?: number;
}

export interface StartRaceResponse {
  race_id: string;
  status: string;
  params?: StartRaceParams;
}

export const TRACKS: ReadonlyArray<{ id: string; name: string }> = [
  { id: "power", name: "Power circuit (5.8 km)" },
  { id: "twisty", name: "Twisty circuit (4.6 km)" },
  { id: "street", name: "Street circuit (3.3 km)" },
];

export const ALL_CHANNELS = [
  "leaderboard",
  "laps",
  "pits",
  "strategy",
  "race_control",
  "telemetry",
] as const;
/** Channels every server version knows; used if it rejects the full list. */
export const BASE_CHANNELS = ["leaderboard", "laps", "pits", "race_control"] as const;
