import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { Leaderboard } from "./Leaderboard";
import { StartRaceForm } from "./StartRaceForm";
import { TrackMap } from "./TrackMap";
import { emptyRaceState } from "../state/model";
import { raceReducer } from "../state/raceReducer";
import { board, entry, lap } from "../state/testData";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Leaderboard", () => {
  it("renders one row per car with gaps, laps down and best-lap marks", () => {
    let s = emptyRaceState("r");
    s = raceReducer(s, { kind: "server", msg: board(1, [entry(1, 1), entry(2, 2), entry(3, 3)]) });
    s = raceReducer(s, { kind: "server", msg: lap(2, 1, 90000, 90000, { pb: true, ob: true }) });
    s = raceReducer(s, {
      kind: "server",
      msg: board(2, [
        entry(2, 1, { last_lap_ms: 90000, best_lap_ms: 90000 }),
        entry(1, 2, { gap_to_leader_ms: 1500 }),
        entry(3, 3, { laps_down: 1 }),
      ]),
    });
    render(<Leaderboard leaderboard={s.leaderboard} state={s} selected={new Set()} focus={null} onToggle={() => {}} onFocus={() => {}} />);
    const rows = screen.getAllByTestId("leaderboard-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain("Leader");
    expect(rows[0]!.textContent).toContain("▲1");
    expect(rows[1]!.textContent).toContain("+1.500");
    expect(rows[2]!.textContent).toContain("+1 L");
    expect(rows[0]!.querySelectorAll(".mark-overall").length).toBe(2);
  });
});

describe("TrackMap", () => {
  it("draws one marker per car from telemetry positions", () => {
    const positions = {
      1: { car_id: 1, x: 0, y: 0, speed_kph: 100, lap: 1, lap_distance_m: 0, pit: "on_track" },
      2: { car_id: 2, x: 50, y: 10, speed_kph: 100, lap: 1, lap_distance_m: 0, pit: "pit_lane" },
    };
    render(<TrackMap track={null} positions={positions} entries={[entry(1, 1), entry(2, 2)]} focus={null} onFocus={() => {}} />);
    const markers = screen.getAllByTestId("car-marker");
    expect(markers).toHaveLength(2);
    expect(markers.map((m) => m.textContent).sort()).toEqual(["#11 P1 on track11", "#12 P2 pit lane12"].sort());
  });

  it("places cars along the centreline by race distance without telemetry", () => {
    const track = { id: "t", name: "T", length_m: 400, sector_starts_m: [], centreline: [[0, 0], [100, 0], [100, 100], [0, 100]] as [number, number][] };
    render(<TrackMap track={track} positions={{}} entries={[entry(1, 1), entry(2, 2), entry(3, 3)]} focus={null} onFocus={() => {}} />);
    expect(screen.getAllByTestId("car-marker")).toHaveLength(3);
  });
});

describe("StartRaceForm", () => {
  it("shows the server's error and outlines the field", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ error: "cars: must be in 1..=5000", field: "cars" }), { status: 400 })));
    const onStarted = vi.fn();
    render(<StartRaceForm onStarted={onStarted} />);
    fireEvent.click(screen.getByTestId("start-race-submit"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("must be in 1..=5000"));
    expect(document.querySelector(".field-bad input[name=cars]")).not.toBeNull();
    expect(onStarted).not.toHaveBeenCalled();
  });

  it("asks for a token on a 401, then sends it as a bearer token", async () => {
    sessionStorage.clear();
    const fetchMock = vi.fn(async (_url: string, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
      return auth === "Bearer t0ken"
        ? new Response(JSON.stringify({ race_id: "r-tok", status: "starting" }), { status: 202 })
        : new Response(JSON.stringify({ error: "missing bearer token: send \"Authorization: Bearer <token>\"", field: "authorization" }), { status: 401 });
    });
    vi.stubGlobal("fetch", fetchMock);
    const onStarted = vi.fn();
    render(<StartRaceForm onStarted={onStarted} />);
    expect(screen.queryByTestId("token-input")).toBeNull();
    fireEvent.click(screen.getByTestId("start-race-submit"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("missing bearer token"));
    expect(onStarted).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId("token-input"), { target: { value: "t0ken" } });
    fireEvent.click(screen.getByTestId("start-race-submit"));
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith("r-tok"));
    expect(sessionStorage.getItem("pitwall.token")).toBe("t0ken");
    sessionStorage.clear();
  });

  it("posts the parameters and reports the new race id", async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify({ race_id: "r-abc", status: "starting" }), { status: 202 }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const onStarted = vi.fn();
    render(<StartRaceForm onStarted={onStarted} />);
    fireEvent.change(document.querySelector("select[name=track]")!, { target: { value: "street" } });
    fireEvent.change(document.querySelector("input[name=cars]")!, { target: { value: "6" } });
    fireEvent.click(screen.getByTestId("start-race-submit"));
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith("r-abc"));
    const body = JSON.parse(String(fetchMock.mock.calls[0]![1]!.body)) as Record<string, unknown>;
    expect(body).toMatchObject({ track: "street", cars: 6, laps: 10 });
    expect(body).not.toHaveProperty("seed"); // blank: the server's default
  });
});
