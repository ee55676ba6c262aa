// Typed GraphQL queries, one per panel: a server that lacks one field fails
// only that panel's query. Results are mapped onto the same snake_case
// records the WebSocket events use, so live and history merge in one reducer.
import { gql } from "./graphql";
import type { LeaderboardEntry, LeaderboardEvent } from "./types";
import type {
  GapPoint,
  LapRecord,
  PitRecord,
  RaceControlMsg,
  StrategyCall,
  TelemetryPoint,
  TrackGeometry,
} from "../state/model";

export interface Entry {
  carId: number;
  number: number;
  driver: string;
  team: string;
}

export interface RaceInfo {
  id: string;
  name: string;
  trackId: string;
  totalLaps: number;
  sampleHz: number;
  status: string;
  startedAtMs: number;
  entries: Entry[];
  leaderboard: LeaderboardEvent | null;
}

interface GqlBoardRow {
  position: number;
  carId: number;
  number: number;
  driver: string;
  team: string;
  lap: number;
  raceDistanceM: number;
  gapToLeaderMs: number | null;
  intervalMs: number | null;
  lapsDown: number;
  lastLapMs: number | null;
  bestLapMs: number | null;
  compound: string;
  tyreAgeLaps: number;
  pitStops: number;
  status: string;
}

const RACE_INFO = `query RaceInfo($id: String!) {
  race(id: $id) {
    id name trackId totalLaps sampleHz status startedAtMs
    entries { carId number driver team }
    leaderboard { tsMs leaderLap totalLaps entries {
      position carId number driver team lap raceDistanceM gapToLeaderMs intervalMs
      lapsDown lastLapMs bestLapMs compound tyreAgeLaps pitStops status } }
  }
}`;

export async function fetchRaceInfo(id: string): Promise<RaceInfo | null> {
  type R = {
    race:
      | (Omit<RaceInfo, "leaderboard"> & {
          leaderboard: {
            tsMs: number;
            leaderLap: number;
            totalLaps: number;
            entries: GqlBoardRow[];
          } | null;
        })
      | null;
  };
  const { race } = await gql<R>(RACE_INFO, { id });
  if (!race) return null;
  const lb = race.leaderboard;
  return {
    ...race,
    entries: race.entries ?? [],
    leaderboard: lb
      ? {
          type: "leaderboard",
          race_id: race.id,
          ts_ms: lb.tsMs,
          leader_lap: lb.leaderLap,
          total_laps: lb.totalLaps,
          entries: lb.entries.map(boardRow),
        }
      : null,
  };
}

function boardRow(r: GqlBoardRow): LeaderboardEntry {
  return {
    position: r.position,
    car_id: r.carId,
    number: r.number,
    driver: r.driver,
    team: r.team,
    lap: r.lap,
    race_distance_m: r.raceDistanceM,
    gap_to_leader_ms: r.gapToLeaderMs,
    interval_ms: r.intervalMs,
    laps_down: r.lapsDown,
    last_lap_ms: r.lastLapMs,
    best_lap_ms: r.bestLapMs,
    sectors_ms: [],
    compound: r.compound,
    tyre_age_laps: r.tyreAgeLaps,
    pit_stops: r.pitStops,
    status: r.status,
  };
}

const TRACK = `query Track($id: String!) {
  race(id: $id) { track { id name lengthM sectorStartsM centreline } }
}`;

export async function fetchTrack(id: string): Promise<TrackGeometry | null> {
  type R = {
    race: {
      track: {
        id: string;
        name: string;
        lengthM: number;
        sectorStartsM: number[];
        centreline: number[][];
      } | null;
    } | null;
  };
  const { race } = await gql<R>(TRACK, { id });
  const t = race?.track;
  if (!t) return null;
  const centreline: [number, number][] = (t.centreline ?? [])
    .filter((p) => Array.isArray(p) && p.length >= 2)
    .map((p) => [Number(p[0]), Number(p[1])]);
  return {
    id: t.id,
    name: t.name,
    length_m: t.lengthM,
    sector_starts_m: t.sectorStartsM ?? [],
    centreline,
  };
}

/** Cars per laps/gapHistory query: aliases keep it to one round trip each. */
const CARS_PER_QUERY = 25;
/** Laps are at most 200 per car (POST /api/races caps laps at 200). */
const LAPS_PER_CAR = 200;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const LAP_FIELDS = "carId lap lapMs sectorsMs compound tyreAgeLaps personalBest overallBest tsMs";

interface GqlLap {
  carId: number;
  lap: number;
  lapMs: number;
  sectorsMs: number[] | null;
  compound: string;
  tyreAgeLaps: number;
  personalBest: boolean;
  overallBest: boolean;
  tsMs: number;
}

function lapRecord(l: GqlLap): LapRecord {
  return {
    car_id: l.carId,
    lap: l.lap,
    lap_ms: l.lapMs,
    sectors_ms: l.sectorsMs ?? [],
    compound: l.compound,
    tyre_age_laps: l.tyreAgeLaps,
    personal_best: l.personalBest,
    overall_best: l.overallBest,
    ts_ms: l.tsMs,
  };
}

/**
 * Every lap of the given cars: one `laps(carId, first: 200)` alias per car
 * (so no cursor is needed); without car ids, one page of `laps(first: 500)`.
 */
export async function fetchLaps(id: string, carIds: number[]): Promise<LapRecord[]> {
  type R = { race: Record<string, GqlLap[] | null> | null };
  if (carIds.length === 0) {
    const q = `query Laps($id: String!) { race(id: $id) { all: laps(first: 500) { ${LAP_FIELDS} } } }`;
    const { race } = await gql<R>(q, { id });
    return (race?.all ?? []).map(lapRecord);
  }
  const out: LapRecord[] = [];
  for (const group of chunks(carIds, CARS_PER_QUERY)) {
    const fields = group
      .map((c) => `c${c}: laps(carId: ${c}, first: ${LAPS_PER_CAR}) { ${LAP_FIELDS} }`)
      .join("\n");
    const { race } = await gql<R>(`query Laps($id: String!) { race(id: $id) { ${fields} } }`, { id });
    for (const c of group) out.push(...(race?.[`c${c}`] ?? []).map(lapRecord));
  }
  return out;
}

const PITS = `query Pits($id: String!) {
  race(id: $id) { pitStops { carId lap entryTsMs exitTsMs stationaryMs pitLaneMs compoundIn compoundOut } }
}`;

export async function fetchPitStops(id: string): Promise<PitRecord[]> {
  type P = {
    carId: number;
    lap: number;
    entryTsMs: number;
    exitTsMs: number;
    stationaryMs: number;
    pitLaneMs: number;
    compoundIn: string;
    compoundOut: string;
  };
  const { race } = await gql<{ race: { pitStops: P[] | null } | null }>(PITS, { id });
  return (race?.pitStops ?? []).map((p) => ({
    car_id: p.carId,
    lap: p.lap,
    entry_ts_ms: p.entryTsMs,
    exit_ts_ms: p.exitTsMs,
    stationary_ms: p.stationaryMs,
    pit_lane_ms: p.pitLaneMs,
    compound_in: p.compoundIn,
    compound_out: p.compoundOut,
  }));
}

const STRATEGY = `query Strategy($id: String!) {
  race(id: $id) { strategy { carId lap kind rejoinPosition rejoinBehind pitLossMs degMsPerLap
    lapsToCliff pitWindowLap nextCompound rival reason tsMs } }
}`;

export async function fetchStrategy(id: string): Promise<StrategyCall[]> {
  type S = {
    carId: number;
    lap: number;
    kind: string;
    rejoinPosition: number;
    rejoinBehind: number | null;
    pitLossMs: number;
    degMsPerLap: number;
    lapsToCliff: number;
    pitWindowLap: number | null;
    nextCompound: string;
    rival: number | null;
    reason: string;
    tsMs: number;
  };
  const { race } = await gql<{ race: { strategy: S[] | null } | null }>(STRATEGY, { id });
  return (race?.strategy ?? []).map((s) => ({
    car_id: s.carId,
    lap: s.lap,
    kind: s.kind,
    rejoin_position: s.rejoinPosition,
    rejoin_behind: s.rejoinBehind,
    pit_loss_ms: s.pitLossMs,
    deg_ms_per_lap: s.degMsPerLap,
    laps_to_cliff: s.lapsToCliff,
    pit_window_lap: s.pitWindowLap,
    next_compound: s.nextCompound,
    rival: s.rival,
    reason: s.reason,
    ts_ms: s.tsMs,
  }));
}

const RACE_CONTROL = `query RaceControl($id: String!) {
  race(id: $id) { raceControl { tsMs kind carId message } }
}`;

export async function fetchRaceControl(id: string): Promise<RaceControlMsg[]> {
  type M = { tsMs: number; kind: string; carId: number | null; message: string };
  const { race } = await gql<{ race: { raceControl: M[] | null } | null }>(RACE_CONTROL, { id });
  return (race?.raceControl ?? []).map((m) => ({
    ts_ms: m.tsMs,
    kind: m.kind,
    car_id: m.carId,
    message: m.message,
  }));
}

/** Gap to the leader over time, per car (aliases, as for laps). */
export async function fetchGapHistory(id: string, carIds: number[]): Promise<Record<number, GapPoint[]>> {
  type G = { tsMs: number; gapToLeaderMs: number | null; position: number };
  const out: Record<number, GapPoint[]> = {};
  for (const group of chunks(carIds, CARS_PER_QUERY)) {
    const fields = group
      .map((c) => `c${c}: gapHistory(carId: ${c}) { tsMs gapToLeaderMs position }`)
      .join("\n");
    const { race } = await gql<{ race: Record<string, G[] | null> | null }>(
      `query Gaps($id: String!) { race(id: $id) { ${fields} } }`,
      { id },
    );
    for (const c of group) {
      out[c] = (race?.[`c${c}`] ?? []).map((g) => ({
        ts_ms: g.tsMs,
        gap_ms: g.gapToLeaderMs,
        position: g.position,
      }));
    }
  }
  return out;
}

const TELEMETRY = `query Telemetry($id: String!, $carId: Int!, $from: Float, $to: Float, $maxPoints: Int) {
  race(id: $id) { telemetry(carId: $carId, from: $from, to: $to, maxPoints: $maxPoints) {
    tsMs speedKph throttle brake gear lap lapDistanceM x y } }
}`;

export async function fetchTelemetry(
  id: string,
  carId: number,
  from: number | null,
  to: number | null,
  maxPoints = 500,
): Promise<TelemetryPoint[]> {
  const { race } = await gql<{ race: { telemetry: TelemetryPoint[] | null } | null }>(TELEMETRY, {
    id,
    carId,
    from,
    to,
    maxPoints,
  });
  return race?.telemetry ?? [];
}
