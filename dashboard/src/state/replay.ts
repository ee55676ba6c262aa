// Replay of a finished race from its history: a race clock driven by wall
// time (play/pause/seek/speed) and the reconstruction of the leaderboard and
// every panel at any instant of that clock. Pure: no React, no timers, so
// the whole of it is unit-tested.
import type { LeaderboardEntry, LeaderboardEvent } from "../api/types";
import type { GapPoint, LapRecord, PitRecord, RaceControlMsg, RaceState, StrategyCall } from "./model";
import type { LapMark } from "./model";

// ---------------------------------------------------------------- clock

export const REPLAY_SPEEDS = [1, 2, 5, 10] as const;

export interface ReplayClock {
  tMs: number;
  startMs: number;
  endMs: number;
  playing: boolean;
  speed: number;
}

export function newClock(startMs: number, endMs: number): ReplayClock {
  const end = Math.max(startMs, endMs);
  // A finished race opens on its result; play starts over from the start.
  return { tMs: end, startMs, endMs: end, playing: false, speed: 1 };
}

function clamp(c: ReplayClock, t: number): number {
  return Math.min(c.endMs, Math.max(c.startMs, t));
}

/** Advances by `wallMs` of wall time × speed; stops at the end. */
export function tickClock(c: ReplayClock, wallMs: number): ReplayClock {
  if (!c.playing || wallMs <= 0) return c;
  const t = clamp(c, c.tMs + wallMs * c.speed);
  return { ...c, tMs: t, playing: t < c.endMs };
}

export function play(c: ReplayClock): ReplayClock {
  // Playing from the end means watching it again.
  const t = c.tMs >= c.endMs ? c.startMs : c.tMs;
  return { ...c, tMs: t, playing: c.endMs > c.startMs };
}

export function pause(c: ReplayClock): ReplayClock {
  return { ...c, playing: false };
}

export function seek(c: ReplayClock, t: number): ReplayClock {
  return { ...c, tMs: clamp(c, t) };
}

export function setSpeed(c: ReplayClock, speed: number): ReplayClock {
  return { ...c, speed: speed > 0 ? speed : 1 };
}

// ---------------------------------------------------------------- reconstruction

export interface ReplayEntry {
  car_id: number;
  number: number;
  driver: string;
  team: string;
}

export interface ReplayInput {
  entries: ReplayEntry[];
  laps: LapRecord[];
  pitStops: PitRecord[];
  strategy: StrategyCall[];
  raceControl: RaceControlMsg[];
  gapHistory: Record<number, GapPoint[]>;
  totalLaps: number;
  trackLengthM: number | null;
  finalLeaderboard: LeaderboardEvent | null;
}

export interface ReplayIndex {
  input: ReplayInput;
  /** Laps per car, sorted by lap. */
  lapsByCar: Map<number, LapRecord[]>;
  gapsByCar: Map<number, GapPoint[]>;
  retiredAt: Map<number, number>;
  startMs: number;
  endMs: number;
}

export function buildReplayIndex(input: ReplayInput): ReplayIndex {
  const lapsByCar = new Map<number, LapRecord[]>();
  for (const l of input.laps) {
    const list = lapsByCar.get(l.car_id) ?? [];
    list.push(l);
    lapsByCar.set(l.car_id, list);
  }
  for (const list of lapsByCar.values()) list.sort((a, b) => a.lap - b.lap);
  const gapsByCar = new Map<number, GapPoint[]>();
  for (const [car, pts] of Object.entries(input.gapHistory)) {
    gapsByCar.set(Number(car), [...pts].sort((a, b) => a.ts_ms - b.ts_ms));
  }
  const retiredAt = new Map<number, number>();
  for (const m of input.raceControl) {
    if (m.kind === "retirement" && m.car_id !== null && !retiredAt.has(m.car_id)) retiredAt.set(m.car_id, m.ts_ms);
  }
  let end = input.finalLeaderboard?.ts_ms ?? 0;
  for (const l of input.laps) end = Math.max(end, l.ts_ms);
  for (const pts of gapsByCar.values()) end = Math.max(end, pts[pts.length - 1]?.ts_ms ?? 0);
  for (const m of input.raceControl) end = Math.max(end, m.ts_ms);
  return { input, lapsByCar, gapsByCar, retiredAt, startMs: 0, endMs: end };
}

/** Index of the last element with key ≤ t in a sorted array, or -1. */
function lastAtOrBefore<T>(items: T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]!) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

interface CarAt {
  entry: ReplayEntry;
  done: LapRecord[]; // completed laps by t
  progress: number; // laps completed + fraction of the current one
  gapPoint: GapPoint | null;
  status: string;
  pits: number;
}

function carAt(index: ReplayIndex, e: ReplayEntry, t: number): CarAt {
  const all = index.lapsByCar.get(e.car_id) ?? [];
  const n = lastAtOrBefore(all, t, (l) => l.ts_ms) + 1;
  const done = all.slice(0, n);
  const last = done[done.length - 1];
  const totalLaps = index.input.totalLaps;
  const retired = index.retiredAt.get(e.car_id);
  const finished = totalLaps > 0 && n >= totalLaps;
  const pitNow = index.input.pitStops.some((p) => p.car_id === e.car_id && p.entry_ts_ms <= t && t < p.exit_ts_ms);
  const pits = index.input.pitStops.filter((p) => p.car_id === e.car_id && p.exit_ts_ms <= t).length;
  let frac = 0;
  const moving = !finished && (retired === undefined || retired > t);
  if (moving) {
    // Fraction of the lap in progress, from the pace of the laps so far.
    const pace = last?.lap_ms ?? all[0]?.lap_ms ?? 0;
    const since = t - (last?.ts_ms ?? 0);
    if (pace > 0) frac = Math.min(0.999, Math.max(0, since / pace));
  }
  const gaps = index.gapsByCar.get(e.car_id) ?? [];
  const gi = lastAtOrBefore(gaps, t, (g) => g.ts_ms);
  return {
    entry: e,
    done,
    progress: n + frac,
    gapPoint: gi >= 0 ? gaps[gi]! : null,
    status: retired !== undefined && retired <= t ? "retired" : finished ? "finished" : pitNow ? "in_pit" : "running",
    pits,
  };
}

/** The leaderboard as it stood at race clock `t`. */
export function leaderboardAt(index: ReplayIndex, t: number): LeaderboardEvent {
  const { input } = index;
  const final = input.finalLeaderboard;
  if (final && t >= index.endMs) return final;
  const entries = input.entries.length > 0 ? input.entries : (final?.entries ?? []);
  const cars = entries.map((e) => carAt(index, e, t));
  // The recorded order is the truth when every car has one; else the
  // reconstructed race distance decides (finishers by their finishing time).
  const useRecorded = cars.length > 0 && cars.every((c) => c.gapPoint !== null);
  cars.sort((a, b) => {
    if (useRecorded) return a.gapPoint!.position - b.gapPoint!.position;
    if (a.status === "retired" && b.status !== "retired") return 1;
    if (b.status === "retired" && a.status !== "retired") return -1;
    const la = a.done.length;
    const lb = b.done.length;
    if (a.status === "finished" && b.status === "finished") {
      return (a.done[la - 1]?.ts_ms ?? 0) - (b.done[lb - 1]?.ts_ms ?? 0);
    }
    if (b.progress !== a.progress) return b.progress - a.progress;
    return a.entry.car_id - b.entry.car_id;
  });
  const leader = cars[0];
  const leaderTs = leader ? leader.done.map((l) => l.ts_ms) : [];
  const length = input.trackLengthM && input.trackLengthM > 0 ? input.trackLengthM : 1;
  const out: LeaderboardEntry[] = [];
  let prev: { gap: number | null; lapsDown: number } | null = null;
  cars.forEach((c, i) => {
    const k = c.done.length;
    const last = c.done[k - 1];
    let gap: number | null = null;
    let lapsDown = 0;
    if (i > 0) {
      if (useRecorded && c.gapPoint) {
        gap = c.gapPoint.gap_ms;
      } else if (k > 0 && leaderTs[k - 1] !== undefined && last) {
        gap = Math.max(0, last.ts_ms - leaderTs[k - 1]!);
      }
      if (last) {
        // Lapped once for every lap the leader completed before this car completed its k-th.
        lapsDown = Math.max(0, leaderTs.filter((ts) => ts <= last.ts_ms).length - k);
      } else {
        lapsDown = Math.max(0, leaderTs.length - 1);
      }
    }
    const interval =
      i === 0 || !prev || gap === null || prev.lapsDown !== lapsDown
        ? null
        : prev.gap === null
          ? gap
          : Math.max(0, gap - prev.gap);
    const best = c.done.reduce<number | null>((b, l) => (b === null || l.lap_ms < b ? l.lap_ms : b), null);
    out.push({
      position: i + 1,
      car_id: c.entry.car_id,
      number: c.entry.number,
      driver: c.entry.driver,
      team: c.entry.team,
      lap: Math.min(k + 1, Math.max(input.totalLaps, k)),
      race_distance_m: c.progress * length,
      gap_to_leader_ms: i === 0 ? null : gap,
      interval_ms: interval,
      laps_down: lapsDown,
      last_lap_ms: last?.lap_ms ?? null,
      best_lap_ms: best,
      sectors_ms: last?.sectors_ms ?? [],
      compound: last?.compound ?? "medium",
      tyre_age_laps: last?.tyre_age_laps ?? 0,
      pit_stops: c.pits,
      status: c.status,
    });
    prev = { gap: i === 0 ? 0 : gap, lapsDown };
  });
  return {
    type: "leaderboard",
    race_id: final?.race_id ?? "",
    ts_ms: t,
    total_laps: input.totalLaps,
    leader_lap: out[0]?.lap ?? 0,
    entries: out,
  };
}

/**
 * Every panel's state at `t`: `base` (the full history) cut down to what had
 * happened by then, with the reconstructed leaderboard. Car positions are
 * left empty: the track map places cars from race distance instead.
 */
export function stateAt(index: ReplayIndex, base: RaceState, t: number): RaceState {
  const leaderboard = leaderboardAt(index, t);
  const laps: RaceState["laps"] = {};
  const bestLap: RaceState["bestLap"] = {};
  const lastLapMark: RaceState["lastLapMark"] = {};
  let overallBest: RaceState["overallBest"] = null;
  const newest: LapRecord[] = [];
  for (const [car, list] of index.lapsByCar) {
    const n = lastAtOrBefore(list, t, (l) => l.ts_ms) + 1;
    if (n === 0) continue;
    const done = list.slice(0, n);
    laps[car] = done;
    newest.push(done[n - 1]!);
    for (const l of done) {
      if (bestLap[car] === undefined || l.lap_ms < bestLap[car]!) bestLap[car] = l.lap_ms;
      if (!overallBest || l.lap_ms < overallBest.lap_ms) overallBest = { car_id: car, lap: l.lap, lap_ms: l.lap_ms };
    }
  }
  for (const l of newest) {
    const mark: LapMark =
      overallBest && overallBest.car_id === l.car_id && overallBest.lap === l.lap
        ? "overall"
        : l.lap_ms === bestLap[l.car_id] ? "personal" : null;
    lastLapMark[l.car_id] = { lap: l.lap, mark };
  }
  const strategy: RaceState["strategy"] = {};
  for (const s of index.input.strategy) {
    if (s.ts_ms <= t && (!strategy[s.car_id] || s.ts_ms >= strategy[s.car_id]!.ts_ms)) strategy[s.car_id] = s;
  }
  const gapHistory: RaceState["gapHistory"] = {};
  for (const [car, pts] of Object.entries(base.gapHistory)) {
    gapHistory[Number(car)] = pts.filter((p) => p.ts_ms <= t);
  }
  const startPositions: RaceState["startPositions"] = {};
  for (const [car, pts] of index.gapsByCar) if (pts[0]) startPositions[car] = pts[0].position;
  return {
    ...base,
    leaderboard,
    laps,
    bestLap,
    overallBest,
    lastLapMark,
    strategy,
    gapHistory,
    startPositions: Object.keys(startPositions).length > 0 ? startPositions : base.startPositions,
    pitStops: base.pitStops.filter((p) => p.exit_ts_ms <= t),
    raceControl: base.raceControl.filter((m) => m.ts_ms <= t),
    positions: {},
    positionsTsMs: null,
    clockMs: t,
  };
}
