import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../api/types";
import { emptyRaceState } from "./model";
import type { RaceState } from "./model";
import { lastLapMarkOf, raceReducer } from "./raceReducer";
import { board, entry, lap, pit } from "./testData";

function run(msgs: ServerMessage[], state: RaceState = emptyRaceState("r")): RaceState {
  return msgs.reduce((s, msg) => raceReducer(s, { kind: "server", msg }), state);
}

describe("raceReducer", () => {
  it("takes the snapshot, then newer leaderboards, never older ones", () => {
    const s = run([
      { type: "snapshot", race_id: "r", race: { race_id: "r", name: "GP", track_id: "monza", total_laps: 5, status: "running" }, leaderboard: board(1000, [entry(1, 1), entry(2, 2)]) },
      board(2000, [entry(2, 1), entry(1, 2)]),
      board(1500, [entry(1, 1), entry(2, 2)]),
    ]);
    expect(s.race?.name).toBe("GP");
    expect(s.leaderboard?.ts_ms).toBe(2000);
    expect(s.leaderboard?.entries.map((e) => e.car_id)).toEqual([2, 1]);
    // start positions come from the first board: car 2 gained one, car 1 lost one
    expect(s.startPositions).toEqual({ 1: 1, 2: 2 });
    expect(s.clockMs).toBe(2000);
  });

  it("ignores events of other races and unknown types", () => {
    const s0 = emptyRaceState("r");
    const s = run([board(1000, [entry(1, 1)], "other"), { type: "pong" }, { type: "weird" } as unknown as ServerMessage], s0);
    expect(s).toBe(s0);
  });

  it("keeps laps per car once, with personal and overall best marks", () => {
    const s = run([
      lap(1, 1, 90000, 90000, { pb: true, ob: true }),
      lap(2, 1, 91000, 91000, { pb: true }),
      lap(1, 2, 89000, 179000, { pb: true, ob: true }),
      lap(2, 2, 88500, 179500, { pb: true, ob: true }),
      lap(2, 2, 88500, 179500, { pb: true, ob: true }), // duplicate (replayed event)
    ]);
    expect(s.laps[1]!.map((l) => l.lap)).toEqual([1, 2]);
    expect(s.laps[2]!.map((l) => l.lap)).toEqual([1, 2]);
    expect(s.bestLap).toEqual({ 1: 89000, 2: 88500 });
    expect(s.overallBest).toEqual({ car_id: 2, lap: 2, lap_ms: 88500 });
    expect(lastLapMarkOf(s, 2)).toBe("overall");
    // car 1 was purple, but car 2 has since gone faster: green now
    expect(lastLapMarkOf(s, 1)).toBe("personal");
    const slower = run([lap(1, 3, 95000, 274000)], s);
    expect(lastLapMarkOf(slower, 1)).toBeNull();
  });

  it("collects pit stops, strategy calls and race status", () => {
    const s = run([
      pit(1, 3, 1000, 24000),
      pit(1, 3, 1000, 24000),
      {
        type: "strategy", race_id: "r", ts_ms: 5000, car_id: 2, lap: 3, kind: "pit_now", rejoin_position: 4, rejoin_behind: 7,
        pit_loss_ms: 21000, deg_ms_per_lap: 120, laps_to_cliff: 2, pit_window_lap: 4, next_compound: "hard", rival: 7, reason: "undercut",
      },
      { type: "race_status", race_id: "r", ts_ms: 6000, status: "running", flag: "safety_car", leader_lap: 3, total_laps: 5, message: "Safety car deployed" },
      { type: "race_status", race_id: "r", ts_ms: 9000, status: "finished", flag: "chequered", leader_lap: 5, total_laps: 5, message: "Chequered flag" },
    ]);
    expect(s.pitStops).toHaveLength(1);
    expect(s.strategy[2]?.kind).toBe("pit_now");
    expect(s.flag?.status).toBe("finished");
    expect(s.raceControl.map((m) => m.message)).toEqual(["Safety car deployed", "Chequered flag"]);
  });

  it("replaces car positions with each car_telemetry event", () => {
    const s = run([
      { type: "car_telemetry", race_id: "r", ts_ms: 100, cars: [{ car_id: 1, x: 1, y: 2, speed_kph: 200, lap: 1, lap_distance_m: 10, pit: "on_track" }] },
      { type: "car_telemetry", race_id: "r", ts_ms: 200, cars: [{ car_id: 1, x: 5, y: 6, speed_kph: 210, lap: 1, lap_distance_m: 20, pit: "on_track" }] },
    ]);
    expect(s.positions[1]?.x).toBe(5);
    expect(s.positionsTsMs).toBe(200);
  });

  it("merges history under live data", () => {
    let s = run([lap(1, 3, 90000, 270000, { pb: true }), board(280000, [entry(1, 1)])]);
    s = raceReducer(s, {
      kind: "history",
      laps: [
        { car_id: 1, lap: 1, lap_ms: 92000, sectors_ms: [], compound: "soft", tyre_age_laps: 1, personal_best: true, overall_best: true, ts_ms: 92000 },
        { car_id: 1, lap: 2, lap_ms: 89000, sectors_ms: [], compound: "soft", tyre_age_laps: 2, personal_best: true, overall_best: true, ts_ms: 181000 },
      ],
      gapHistory: { 1: [{ ts_ms: 1000, gap_ms: null, position: 1 }, { ts_ms: 290000, gap_ms: null, position: 1 }] },
    });
    expect(s.laps[1]!.map((l) => l.lap)).toEqual([1, 2, 3]);
    expect(s.bestLap[1]).toBe(89000);
    // history points after the first live point are dropped (live wins)
    expect(s.gapHistory[1]!.map((p) => p.ts_ms)).toEqual([1000, 280000]);
  });
});
