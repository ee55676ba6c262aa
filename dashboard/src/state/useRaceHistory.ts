// Loads a race's history over GraphQL, one query per panel so a server that
// lacks one field fails only that panel. Feeds the store (live events merge
// on top) and keeps the raw lists the replay needs.
import { useEffect, useState } from "react";
import {
  fetchGapHistory,
  fetchLaps,
  fetchPitStops,
  fetchRaceControl,
  fetchRaceInfo,
  fetchStrategy,
  fetchTrack,
} from "../api/queries";
import type { RaceInfo } from "../api/queries";
import { failed } from "./loadable";
import type { Loadable } from "./loadable";
import type { GapPoint, LapRecord, PitRecord, RaceControlMsg, StrategyCall, TrackGeometry } from "./model";
import type { RaceAction } from "./raceReducer";

export interface RaceHistory {
  info: Loadable<RaceInfo>;
  track: Loadable<TrackGeometry | null>;
  laps: Loadable<LapRecord[]>;
  pitStops: Loadable<PitRecord[]>;
  strategy: Loadable<StrategyCall[]>;
  raceControl: Loadable<RaceControlMsg[]>;
  gaps: Loadable<Record<number, GapPoint[]>>;
}

const INFO_RETRY_MS = 2000;

export function useRaceHistory(raceId: string, dispatch: (a: RaceAction) => void, reloadKey: number): RaceHistory {
  const [info, setInfo] = useState<Loadable<RaceInfo>>({ status: "loading" });
  const [track, setTrack] = useState<Loadable<TrackGeometry | null>>({ status: "loading" });
  const [laps, setLaps] = useState<Loadable<LapRecord[]>>({ status: "loading" });
  const [pitStops, setPits] = useState<Loadable<PitRecord[]>>({ status: "loading" });
  const [strategy, setStrategy] = useState<Loadable<StrategyCall[]>>({ status: "loading" });
  const [raceControl, setRc] = useState<Loadable<RaceControlMsg[]>>({ status: "loading" });
  const [gaps, setGaps] = useState<Loadable<Record<number, GapPoint[]>>>({ status: "loading" });

  // Race info: a race just started is not stored yet, so keep asking.
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    setInfo({ status: "loading" });
    const load = async () => {
      try {
        const r = await fetchRaceInfo(raceId);
        if (cancelled) return;
        if (r) {
          setInfo({ status: "ok", data: r });
          dispatch({
            kind: "info",
            race: { race_id: r.id, name: r.name, track_id: r.trackId, total_laps: r.totalLaps, status: r.status },
            leaderboard: r.leaderboard,
          });
          return;
        }
        setInfo({ status: "error", message: "race not stored yet; retrying" });
      } catch (err) {
        if (cancelled) return;
        setInfo(failed(err));
      }
      timer = setTimeout(() => void load(), INFO_RETRY_MS);
    };
    void load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [raceId, dispatch, reloadKey]);

  // The track comes with the race record: ask again once the race is stored.
  const infoLoaded = info.status === "ok";
  useEffect(() => {
    let cancelled = false;
    fetchTrack(raceId).then(
      (t) => !cancelled && setTrack({ status: "ok", data: t }),
      (err) => !cancelled && setTrack(failed(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [raceId, infoLoaded]);

  const infoData = info.status === "ok" ? info.data : null;
  const carKey = infoData
    ? (infoData.entries.length > 0 ? infoData.entries.map((e) => e.carId) : (infoData.leaderboard?.entries ?? []).map((e) => e.car_id)).join(",")
    : null;

  useEffect(() => {
    if (carKey === null) return;
    let cancelled = false;
    const carIds = carKey ? carKey.split(",").map(Number) : [];
    // Each runs on its own; one failing leaves the others.
    function run<T>(load: () => Promise<T>, set: (l: Loadable<T>) => void, toAction: (d: T) => RaceAction) {
      load().then(
        (d) => {
          if (cancelled) return;
          set({ status: "ok", data: d });
          dispatch(toAction(d));
        },
        (err) => !cancelled && set(failed(err)),
      );
    }
    run(() => fetchLaps(raceId, carIds), setLaps, (d) => ({ kind: "history", laps: d }));
    run(() => fetchPitStops(raceId), setPits, (d) => ({ kind: "history", pitStops: d }));
    run(() => fetchStrategy(raceId), setStrategy, (d) => ({ kind: "history", strategy: d }));
    run(() => fetchRaceControl(raceId), setRc, (d) => ({ kind: "history", raceControl: d }));
    run(
      () => (carIds.length > 0 ? fetchGapHistory(raceId, carIds) : Promise.resolve({})),
      setGaps,
      (d) => ({ kind: "history", gapHistory: d }),
    );
    return () => {
      cancelled = true;
    };
  }, [raceId, carKey, dispatch, reloadKey]);

  return { info, track, laps, pitStops, strategy, raceControl, gaps };
}
