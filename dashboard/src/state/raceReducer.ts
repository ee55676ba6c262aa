// The pure heart of the live view: folds server messages and history pages
// into a RaceState. It never mutates its input (so tests can compare states
// and React can memo on identity) and copies only what an event touches, so
// a 100-car field at 10 Hz stays cheap.
import type {
  LapCompletedEvent,
  LeaderboardEvent,
  PitStopEvent,
  RaceStatusEvent,
  ServerMessage,
  StrategyEvent,
} from "../api/types";
import type {
  GapPoint,
  LapMark,
  LapRecord,
  PitRecord,
  RaceControlMsg,
  RaceMetaLite,
  RaceState,
  StrategyCall,
} from "./model";

export type RaceAction =
  | { kind: "server"; msg: ServerMessage }
  | { kind: "info"; race: RaceMetaLite; leaderboard?: LeaderboardEvent | null }
  | {
      kind: "history";
      laps?: LapRecord[];
      pitStops?: PitRecord[];
      strategy?: StrategyCall[];
      raceControl?: RaceControlMsg[];
      gapHistory?: Record<number, GapPoint[]>;
    };

/** Gap samples closer than this (race clock) are skipped unless the order changed. */
export const GAP_MIN_STEP_MS = 1000;
/** Beyond this many gap samples per car the older half is thinned. */
export const GAP_MAX_POINTS = 1500;

export function raceReducer(state: RaceState, action: RaceAction): RaceState {
  switch (action.kind) {
    case "info": {
      let next: RaceState = { ...state, race: { ...state.race, ...action.race } };
      if (action.leaderboard) next = applyLeaderboard(next, action.leaderboard, false);
      return next;
    }
    case "history":
      return applyHistory(state, action);
    case "server":
      return applyMessage(state, action.msg);
  }
}

function applyMessage(state: RaceState, msg: ServerMessage): RaceState {
  if ("race_id" in msg && msg.race_id && msg.race_id !== state.raceId) return state;
  switch (msg.type) {
    case "snapshot": {
      let next = state;
      if (msg.race) next = { ...next, race: { ...msg.race } };
      if (msg.leaderboard) next = applyLeaderboard(next, msg.leaderboard, true);
      return next;
    }
    case "leaderboard":
      return applyLeaderboard(state, msg, true);
    case "lap_completed":
      return addLaps(tick(state, msg.ts_ms), [lapFromEvent(msg)], true);
    case "pit_stop":
      return addPits(tick(state, msg.ts_ms), [pitFromEvent(msg)]);
    case "strategy":
      return addStrategy(tick(state, msg.ts_ms), [strategyFromEvent(msg)]);
    case "race_status":
      return applyRaceStatus(tick(state, msg.ts_ms), msg);
    case "car_telemetry": {
      const positions: RaceState["positions"] = {};
      for (const c of msg.cars ?? []) positions[c.car_id] = c;
      return { ...tick(state, msg.ts_ms), positions, positionsTsMs: msg.ts_ms };
    }
    default:
      // pong, error and any event type this build does not know
      return state;
  }
}

function tick(state: RaceState, ts: number | undefined): RaceState {
  return typeof ts === "number" && ts > state.clockMs ? { ...state, clockMs: ts } : state;
}

function applyLeaderboard(state: RaceState, lb: LeaderboardEvent, recordGaps: boolean): RaceState {
  // Snapshot and live stream can overlap: never step back in time.
  if (state.leaderboard && lb.ts_ms < state.leaderboard.ts_ms) return state;
  const entries = Array.isArray(lb.entries) ? lb.entries : [];
  let startPositions = state.startPositions;
  for (const e of entries) {
    if (startPositions[e.car_id] === undefined) {
      if (startPositions === state.startPositions) startPositions = { ...startPositions };
      startPositions[e.car_id] = e.position;
    }
  }
  const gapHistory = recordGaps ? appendGaps(state.gapHistory, lb) : state.gapHistory;
  return {
    ...tick(state, lb.ts_ms),
    leaderboard: { ...lb, entries },
    startPositions,
    gapHistory,
  };
}

function appendGaps(history: RaceState["gapHistory"], lb: LeaderboardEvent): RaceState["gapHistory"] {
  let out = history;
  for (const e of lb.entries ?? []) {
    const series = history[e.car_id] ?? [];
    const last = series[series.length - 1];
    if (last && (lb.ts_ms <= last.ts_ms || (lb.ts_ms - last.ts_ms < GAP_MIN_STEP_MS && last.position === e.position))) {
      continue;
    }
    let next = [...series, { ts_ms: lb.ts_ms, gap_ms: e.gap_to_leader_ms, position: e.position }];
    if (next.length > GAP_MAX_POINTS) next = thin(next);
    if (out === history) out = { ...history };
    out[e.car_id] = next;
  }
  return out;
}

/** Halves the density of the older half of a series. */
function thin<T>(series: T[]): T[] {
  const half = Math.floor(series.length / 2);
  return [...series.slice(0, half).filter((_, i) => i % 2 === 0), ...series.slice(half)];
}

function lapFromEvent(e: LapCompletedEvent): LapRecord {
  return {
    car_id: e.car_id,
    lap: e.lap,
    lap_ms: e.lap_ms,
    sectors_ms: e.sectors_ms ?? [],
    compound: e.compound,
    tyre_age_laps: e.tyre_age_laps,
    personal_best: !!e.personal_best,
    overall_best: !!e.overall_best,
    ts_ms: e.ts_ms,
  };
}

function pitFromEvent(e: PitStopEvent): PitRecord {
  return {
    car_id: e.car_id,
    lap: e.lap,
    entry_ts_ms: e.entry_ts_ms,
    exit_ts_ms: e.exit_ts_ms,
    stationary_ms: e.stationary_ms,
    pit_lane_ms: e.pit_lane_ms,
    compound_in: e.compound_in,
    compound_out: e.compound_out,
  };
}

function strategyFromEvent(e: StrategyEvent): StrategyCall {
  return {
    car_id: e.car_id,
    lap: e.lap,
    kind: e.kind,
    rejoin_position: e.rejoin_position,
    rejoin_behind: e.rejoin_behind ?? null,
    pit_loss_ms: e.pit_loss_ms,
    deg_ms_per_lap: e.deg_ms_per_lap,
    laps_to_cliff: e.laps_to_cliff,
    pit_window_lap: e.pit_window_lap ?? null,
    next_compound: e.next_compound,
    rival: e.rival ?? null,
    reason: e.reason ?? "",
    ts_ms: e.ts_ms,
  };
}

/**
 * Adds laps (deduplicated by car and lap), keeps personal and overall bests.
 * `live` laps set the car's last-lap mark from the event's own flags, which
 * the processing side computed with the whole field in view.
 */
function addLaps(state: RaceState, laps: LapRecord[], live: boolean): RaceState {
  if (laps.length === 0) return state;
  const byCar = { ...state.laps };
  const bestLap = { ...state.bestLap };
  const lastLapMark = { ...state.lastLapMark };
  let overallBest = state.overallBest;
  const touched = new Set<number>();
  for (const lap of laps) {
    const list = touched.has(lap.car_id) ? byCar[lap.car_id]! : [...(byCar[lap.car_id] ?? [])];
    touched.add(lap.car_id);
    const i = list.findIndex((l) => l.lap === lap.lap);
    if (i >= 0) list[i] = lap;
    else list.push(lap);
    byCar[lap.car_id] = list;
    const pb = bestLap[lap.car_id];
    if (lap.lap_ms > 0 && (pb === undefined || lap.lap_ms < pb)) bestLap[lap.car_id] = lap.lap_ms;
    if (lap.lap_ms > 0 && (!overallBest || lap.lap_ms < overallBest.lap_ms)) {
      overallBest = { car_id: lap.car_id, lap: lap.lap, lap_ms: lap.lap_ms };
    }
  }
  for (const car of touched) {
    const list = byCar[car]!;
    list.sort((a, b) => a.lap - b.lap);
    const newest = list[list.length - 1]!;
    const prev = lastLapMark[car];
    if (!prev || newest.lap >= prev.lap) {
      const mark: LapMark = live
        ? newest.overall_best ? "overall" : newest.personal_best ? "personal" : null
        : newest.lap_ms === overallBest?.lap_ms && overallBest.car_id === car
          ? "overall"
          : newest.lap_ms === bestLap[car] ? "personal" : null;
      lastLapMark[car] = { lap: newest.lap, mark };
    }
  }
  return { ...state, laps: byCar, bestLap, overallBest, lastLapMark };
}

function pitKey(p: PitRecord): string {
  return `${p.car_id}:${p.lap}:${p.entry_ts_ms}`;
}

function addPits(state: RaceState, pits: PitRecord[]): RaceState {
  if (pits.length === 0) return state;
  const seen = new Map(state.pitStops.map((p) => [pitKey(p), p]));
  for (const p of pits) seen.set(pitKey(p), p);
  const pitStops = [...seen.values()].sort((a, b) => a.exit_ts_ms - b.exit_ts_ms);
  return { ...state, pitStops };
}

function addStrategy(state: RaceState, calls: StrategyCall[]): RaceState {
  if (calls.length === 0) return state;
  const strategy = { ...state.strategy };
  for (const c of calls) {
    const prev = strategy[c.car_id];
    if (!prev || c.ts_ms >= prev.ts_ms) strategy[c.car_id] = c;
  }
  return { ...state, strategy };
}

/** Race control list is capped: a 3-hour race should not grow it forever. */
export const RACE_CONTROL_MAX = 300;

function addRaceControl(state: RaceState, msgs: RaceControlMsg[]): RaceState {
  if (msgs.length === 0) return state;
  const key = (m: RaceControlMsg) => `${m.ts_ms}:${m.kind}:${m.car_id ?? ""}:${m.message}`;
  const seen = new Map(state.raceControl.map((m) => [key(m), m]));
  for (const m of msgs) seen.set(key(m), m);
  const raceControl = [...seen.values()].sort((a, b) => a.ts_ms - b.ts_ms).slice(-RACE_CONTROL_MAX);
  return { ...state, raceControl };
}

function applyRaceStatus(state: RaceState, e: RaceStatusEvent): RaceState {
  const flag = {
    status: e.status,
    flag: e.flag,
    leader_lap: e.leader_lap,
    total_laps: e.total_laps,
    message: e.message,
    ts_ms: e.ts_ms,
  };
  const race = state.race ? { ...state.race, status: e.status, total_laps: e.total_laps || state.race.total_laps } : state.race;
  const next = { ...state, flag, race };
  return e.message
    ? addRaceControl(next, [{ ts_ms: e.ts_ms, kind: e.flag || e.status, car_id: null, message: e.message }])
    : next;
}

function applyHistory(state: RaceState, h: Extract<RaceAction, { kind: "history" }>): RaceState {
  let next = state;
  if (h.laps) next = addLaps(next, h.laps, false);
  if (h.pitStops) next = addPits(next, h.pitStops);
  if (h.strategy) next = addStrategy(next, h.strategy);
  if (h.raceControl) next = addRaceControl(next, h.raceControl);
  if (h.gapHistory) {
    // History comes first in time: live points already gathered go after it.
    const gapHistory = { ...next.gapHistory };
    for (const [car, points] of Object.entries(h.gapHistory)) {
      const id = Number(car);
      const live = gapHistory[id] ?? [];
      const firstLive = live[0]?.ts_ms ?? Infinity;
      gapHistory[id] = [...points.filter((p) => p.ts_ms < firstLive), ...live];
    }
    next = { ...next, gapHistory };
  }
  return next;
}

/** The mark to paint on a car's last lap now: purple only for the current holder. */
export function lastLapMarkOf(state: RaceState, carId: number): LapMark {
  const m = state.lastLapMark[carId];
  if (!m || !m.mark) return null;
  if (m.mark === "overall") {
    const ob = state.overallBest;
    return ob && ob.car_id === carId && ob.lap === m.lap ? "overall" : "personal";
  }
  return m.mark;
}
