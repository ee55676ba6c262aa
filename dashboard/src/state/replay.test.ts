import { describe, expect, it } from "vitest";
import { emptyRaceState } from "./model";
import type { LapRecord } from "./model";
import { buildReplayIndex, leaderboardAt, newClock, pause, play, seek, setSpeed, stateAt, tickClock } from "./replay";
import type { ReplayInput } from "./replay";

describe("replay clock", () => {
  it("opens at the end, plays from the start, advances by speed and stops at the end", () => {
    let c = newClock(0, 10_000);
    expect(c.tMs).toBe(10_000);
    c = play(c);
    expect(c).toMatchObject({ tMs: 0, playing: true });
    c = tickClock(c, 1000);
    expect(c.tMs).toBe(1000);
    c = setSpeed(c, 5);
    c = tickClock(c, 1000);
    expect(c.tMs).toBe(6000);
    c = tickClock(c, 10_000);
    expect(c).toMatchObject({ tMs: 10_000, playing: false });
  });
  it("seeks within bounds and does not move while paused", () => {
    let c = pause(play(newClock(0, 10_000)));
    c = seek(c, 20_000);
    expect(c.tMs).toBe(10_000);
    c = seek(c, -5);
    expect(c.tMs).toBe(0);
    expect(tickClock(c, 5000).tMs).toBe(0);
  });
});

function l(car: number, n: number, ms: number, ts: number): LapRecord {
  return { car_id: car, lap: n, lap_ms: ms, sectors_ms: [1, 2, 3], compound: "soft", tyre_age_laps: n, personal_best: false, overall_best: false, ts_ms: ts };
}

// Car 1 leads lap 1, car 2 passes it on lap 2; car 3 is slow and gets lapped.
const input: ReplayInput = {
  entries: [
    { car_id: 1, number: 11, driver: "A", team: "X" },
    { car_id: 2, number: 22, driver: "B", team: "Y" },
    { car_id: 3, number: 33, driver: "C", team: "Z" },
  ],
  laps: [
    l(1, 1, 100_000, 100_000), l(2, 1, 101_000, 101_000), l(3, 1, 150_000, 150_000),
    l(2, 2, 95_000, 196_000), l(1, 2, 99_000, 199_000),
    l(2, 3, 95_000, 291_000), l(1, 3, 99_000, 298_000), l(3, 2, 150_000, 300_000),
  ],
  pitStops: [{ car_id: 1, lap: 2, entry_ts_ms: 190_000, exit_ts_ms: 195_000, stationary_ms: 2000, pit_lane_ms: 5000, compound_in: "soft", compound_out: "hard" }],
  strategy: [],
  raceControl: [],
  gapHistory: {},
  totalLaps: 3,
  trackLengthM: 5000,
  finalLeaderboard: null,
};

describe("leaderboardAt", () => {
  const index = buildReplayIndex(input);

  it("spans the race clock", () => expect(index.endMs).toBe(300_000));

  it("orders by laps completed and time, with timing-line gaps", () => {
    const lb = leaderboardAt(index, 120_000);
    expect(lb.entries.map((e) => e.car_id)).toEqual([1, 2, 3]);
    const [a, b] = lb.entries;
    expect(a!.gap_to_leader_ms).toBeNull();
    expect(b!.gap_to_leader_ms).toBe(1000);
    expect(b!.interval_ms).toBe(1000);
    expect(b!.last_lap_ms).toBe(101_000);
    expect(lb.entries[2]!.lap).toBe(1);
  });

  it("follows a pass and shows the car in the pit lane", () => {
    const during = leaderboardAt(index, 192_000);
    expect(during.entries.find((e) => e.car_id === 1)!.status).toBe("in_pit");
    const after = leaderboardAt(index, 197_000);
    expect(after.entries.map((e) => e.car_id)).toEqual([2, 1, 3]);
    expect(after.entries[1]!.pit_stops).toBe(1);
  });

  it("counts laps down", () => {
    const lb = leaderboardAt(index, 300_000);
    const c3 = lb.entries.find((e) => e.car_id === 3)!;
    // car 3 completed lap 2 at 300 s; the leader had completed 3 laps by then
    expect(c3.laps_down).toBe(1);
    expect(lb.entries.filter((e) => e.status === "finished").map((e) => e.car_id)).toEqual([2, 1]);
  });

  it("prefers the recorded order when every car has gap history", () => {
    const withGaps = buildReplayIndex({
      ...input,
      gapHistory: {
        1: [{ ts_ms: 50_000, gap_ms: 400, position: 2 }],
        2: [{ ts_ms: 50_000, gap_ms: null, position: 1 }],
        3: [{ ts_ms: 50_000, gap_ms: 9000, position: 3 }],
      },
    });
    const lb = leaderboardAt(withGaps, 60_000);
    expect(lb.entries.map((e) => e.car_id)).toEqual([2, 1, 3]);
    expect(lb.entries[1]!.gap_to_leader_ms).toBe(400);
  });

  it("cuts every panel to the instant", () => {
    const base = { ...emptyRaceState("r"), pitStops: input.pitStops };
    const s = stateAt(index, base, 150_000);
    expect(Object.values(s.laps).flat()).toHaveLength(3);
    expect(s.pitStops).toHaveLength(0);
    expect(s.overallBest).toEqual({ car_id: 1, lap: 1, lap_ms: 100_000 });
    expect(s.lastLapMark[1]?.mark).toBe("overall");
    expect(stateAt(index, base, 250_000).pitStops).toHaveLength(1);
  });
});
