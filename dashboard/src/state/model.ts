// The dashboard's records of one race, shared by the live reducer and the
// replay. They keep the WebSocket events' snake_case names so that a lap from
// GraphQL history and a lap from `lap_completed` are the same thing.
import type { CarPosition, EventMeta, LeaderboardEvent, LapCompletedEvent, PitStopEvent } from "../api/types";

/** A lap as `lap_completed` carries it; `ts_ms` is when it was completed. */
export type LapRecord = Omit<LapCompletedEvent, Exclude<keyof EventMeta, "ts_ms"> | "type">;

/** A pit stop as `pit_stop` carries it. */
export type PitRecord = Omit<PitStopEvent, keyof EventMeta | "type">;

export interface StrategyCall {
  car_id: number;
  lap: number;
  kind: string;
  rejoin_position: number;
  rejoin_behind: number | null;
  pit_loss_ms: number;
  deg_ms_per_lap: number;
  laps_to_cliff: number;
  pit_window_lap: number | null;
  next_compound: string;
  rival: number | null;
  reason: string;
  ts_ms: number;
}

export interface RaceControlMsg {
  ts_ms: number;
  kind: string;
  car_id: number | null;
  message: string;
}

export interface GapPoint {
  ts_ms: number;
  gap_ms: number | null;
  position: number;
}

export interface TelemetryPoint {
  tsMs: number;
  speedKph: number;
  throttle: number;
  brake: number;
  gear: number;
  lap: number;
  lapDistanceM: number;
  x: number;
  y: number;
}

export interface TrackGeometry {
  id: string;
  name: string;
  length_m: number;
  sector_starts_m: number[];
  centreline: [number, number][];
}

export interface RaceMetaLite {
  race_id: string;
  name: string;
  track_id: string;
  total_laps: number;
  status: string;
}

export interface FlagState {
  status: string;
  flag: string;
  leader_lap: number;
  total_laps: number;
  message: string;
  ts_ms: number;
}

/** Which cell of a car's last lap to paint: overall best beats personal best. */
export type LapMark = "overall" | "personal" | null;

export interface RaceState {
  raceId: string;
  race: RaceMetaLite | null;
  leaderboard: LeaderboardEvent | null;
  /** First position seen per car, for the gained/lost indicator. */
  startPositions: Record<number, number>;
  /** Laps per car, sorted by lap, one record per lap. */
  laps: Record<number, LapRecord[]>;
  /** Personal best lap time per car. */
  bestLap: Record<number, number>;
  overallBest: { car_id: number; lap: number; lap_ms: number } | null;
  /** How the car's most recent lap compared, from lap_completed flags. */
  lastLapMark: Record<number, { lap: number; mark: LapMark }>;
  pitStops: PitRecord[];
  /** The newest strategy call per car. */
  strategy: Record<number, StrategyCall>;
  raceControl: RaceControlMsg[];
  flag: FlagState | null;
  /** Latest car_telemetry positions, by car. */
  positions: Record<number, CarPosition>;
  positionsTsMs: number | null;
  gapHistory: Record<number, GapPoint[]>;
  /** Newest race clock seen in any event. */
  clockMs: number;
}

export function emptyRaceState(raceId: string): RaceState {
  return {
    raceId,
    race: null,
    leaderboard: null,
    startPositions: {},
    laps: {},
    bestLap: {},
    overallBest: null,
    lastLapMark: {},
    pitStops: [],
    strategy: {},
    raceControl: [],
    flag: null,
    positions: {},
    positionsTsMs: null,
    gapHistory: {},
    clockMs: 0,
  };
}
