// One race: live over /ws while it runs, from GraphQL history once it is
// over (with replay). Both feed the same RaceState, so every panel is the
// same component in both modes.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { getRace } from "../api/control";
import { ApiError, errorText } from "../api/http";
import type { RaceSummary, ServerMessage } from "../api/types";
import { formatClock, humanize } from "../lib/format";
import type { RaceState } from "../state/model";
import { buildReplayIndex, stateAt } from "../state/replay";
import { useLiveSocket } from "../state/useLiveSocket";
import { useRaceHistory } from "../state/useRaceHistory";
import { useRaceStore } from "../state/useRaceStore";
import { useReplayClock } from "../state/useReplay";
import { ConnectionBadge } from "./ConnectionBadge";
import { GapChart } from "./GapChart";
import { LapChart } from "./LapChart";
import { LapsTable } from "./LapsTable";
import { Leaderboard } from "./Leaderboard";
import { Panel, loadNote } from "./Panel";
import { PitStopsTable } from "./PitStopsTable";
import { RaceControlPanel } from "./RaceControlPanel";
import { ReplayControls } from "./ReplayControls";
import { StrategyPanel } from "./StrategyPanel";
import { TelemetryPanel } from "./TelemetryPanel";
import { TrackMap } from "./TrackMap";

const SUMMARY_POLL_MS = 2000;
const DEFAULT_SELECTED = 3;

function isOver(status: string | undefined | null): boolean {
  return status === "finished" || status === "stopped";
}

export function RaceView({ raceId }: { raceId: string }) {
  const { state, dispatch } = useRaceStore(raceId);
  const [summary, setSummary] = useState<RaceSummary | null>(null);
  const [summaryNote, setSummaryNote] = useState<string | null>(null);
  // Decided by the first answer: a race already over opens from history.
  const [historical, setHistorical] = useState<boolean | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      let over = false;
      try {
        const r = await getRace(raceId);
        if (cancelled) return;
        setSummary(r);
        setSummaryNote(null);
        over = isOver(r.status);
        setHistorical((h) => (h === null ? over : h));
      } catch (err) {
        if (cancelled) return;
        // 404 right after POST: the race is announced through Kafka first.
        setSummaryNote(err instanceof ApiError && err.status === 404 ? "waiting for the race to start…" : errorText(err));
        setHistorical((h) => (h === null ? false : h));
      }
      if (!over) timer = setTimeout(() => void poll(), SUMMARY_POLL_MS);
    };
    void poll();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [raceId]);

  const status =
    state.flag?.status ??
    (isOver(summary?.status) ? summary?.status : (state.race?.status ?? summary?.status)) ??
    (state.leaderboard ? "running" : "starting");
  const over = isOver(status) || isOver(summary?.status);

  // A live race that ends: fetch its complete history once for the replay.
  const [reloadKey, setReloadKey] = useState(0);
  const wasOver = useRef(false);
  useEffect(() => {
    if (over && !wasOver.current && historical === false) setReloadKey((k) => k + 1);
    wasOver.current = over;
  }, [over, historical]);

  const history = useRaceHistory(raceId, dispatch, reloadKey);
  const onMessage = useCallback((msg: ServerMessage) => dispatch({ kind: "server", msg }), [dispatch]);
  const { connection, serverError } = useLiveSocket(raceId, historical === false, onMessage);

  // ---- replay
  const [replayWanted, setReplayWanted] = useState(false);
  const replayMode = historical === true || (over && replayWanted);
  const info = history.info.status === "ok" ? history.info.data : null;
  const track = history.track.status === "ok" ? history.track.data : null;
  const strategyList = history.strategy.status === "ok" ? history.strategy.data : null;
  const index = useMemo(() => {
    if (!replayMode) return null;
    const entries = (info?.entries ?? []).map((e) => ({ car_id: e.carId, number: e.number, driver: e.driver, team: e.team }));
    return buildReplayIndex({
      entries: entries.length > 0 ? entries : (state.leaderboard?.entries ?? []),
      laps: Object.values(state.laps).flat(),
      pitStops: state.pitStops,
      strategy: strategyList ?? Object.values(state.strategy),
      raceControl: state.raceControl,
      gapHistory: state.gapHistory,
      totalLaps: info?.totalLaps ?? state.race?.total_laps ?? 0,
      trackLengthM: track?.length_m ?? null,
      finalLeaderboard: info?.leaderboard ?? state.leaderboard,
    });
    // Rebuilt only when history changes, not on every live tick.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [replayMode, info, track, strategyList, state.laps, state.pitStops, state.raceControl, state.gapHistory]);
  const replay = useReplayClock(index?.startMs ?? 0, index?.endMs ?? 0, replayMode);
  const view: RaceState = useMemo(
    () => (replayMode && index ? stateAt(index, state, replay.clock.tMs) : state),
    [replayMode, index, state, replay.clock.tMs],
  );

  // ---- selection: charts follow the selected cars, telemetry the focused one
  const entries = view.leaderboard?.entries ?? [];
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const touched = useRef(false);
  const [focus, setFocus] = useState<number | null>(null);
  useEffect(() => {
    if (touched.current || entries.length === 0 || selected.size > 0) return;
    setSelected(new Set(entries.slice(0, DEFAULT_SELECTED).map((e) => e.car_id)));
    if (focus === null) setFocus(entries[0]!.car_id);
  }, [entries, selected.size, focus]);
  const toggle = useCallback((car: number) => {
    touched.current = true;
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(car)) n.delete(car);
      else n.add(car);
      return n;
    });
  }, []);
  const labels = useMemo(() => {
    const m = new Map<number, string>();
    for (const e of info?.entries ?? []) m.set(e.carId, `#${e.number} ${e.driver}`);
    for (const e of entries) m.set(e.car_id, `#${e.number} ${e.driver}`);
    return m;
  }, [info, entries]);
  const chartCars = [...selected].map((c) => ({ car_id: c, label: labels.get(c) ?? `car ${c}` }));

  const name = info?.name ?? state.race?.name ?? summary?.name ?? raceId;
  const trackName = track?.name ?? info?.trackId ?? state.race?.track_id ?? summary?.track_id ?? "";
  const lb = view.leaderboard;

  return (
    <div className="race-view" data-race-id={raceId} data-status={status}>
      <div className="race-head">
        <a href="#/" className="back">
          ← Races
        </a>
        <h1>{name}</h1>
        <span className="muted">{trackName}</span>
        <span className="lapcount num">
          Lap {lb?.leader_lap ?? 0}/{lb?.total_laps ?? info?.totalLaps ?? summary?.total_laps ?? "?"}
        </span>
        <span className="num muted">{formatClock(view.clockMs)}</span>
        {view.flag && <span className={`flag-chip flag-${view.flag.flag}`}>{humanize(view.flag.flag)}</span>}
        <span className={`status status-${status}`} data-testid="race-status">
          {status}
        </span>
        <ConnectionBadge connection={historical === false ? connection : null} />
        {over && historical === false && (
          <button className="small" onClick={() => setReplayWanted((r) => !r)}>
            {replayMode ? "Back to final" : "Replay"}
          </button>
        )}
      </div>
      {summaryNote && <p className="muted">{summaryNote}</p>}
      {serverError && <p className="warn">Server: {serverError}</p>}
      {history.info.status === "error" || history.info.status === "unavailable" ? (
        <p className="muted small">Race info: {history.info.message}</p>
      ) : null}
      {replayMode && index && (
        <ReplayControls clock={replay.clock} onPlay={replay.play} onPause={replay.pause} onSeek={replay.seek} onSpeed={replay.setSpeed} />
      )}

      <div className="race-grid">
        <Panel title="Leaderboard" className="area-board">
          <div className="scroll board-scroll">
            <Leaderboard leaderboard={lb} state={view} selected={selected} focus={focus} onToggle={toggle} onFocus={setFocus} />
          </div>
        </Panel>
        <Panel title={`Track${track ? ` — ${track.name}` : ""}`} className="area-map" note={history.track.status === "ok" ? null : loadNote("track", history.track)}>
          <TrackMap track={track} positions={view.positions} entries={entries} focus={focus} onFocus={setFocus} />
        </Panel>
        <Panel title="Strategy" className="area-strategy" note={loadNote("strategy history", history.strategy)}>
          <StrategyPanel calls={view.strategy} entries={entries} />
        </Panel>
        <Panel title="Lap times" className="area-laps" note={loadNote("lap history", history.laps)}>
          <LapChart laps={view.laps} cars={chartCars} />
        </Panel>
        <Panel title="Gap to leader" className="area-gaps" note={loadNote("gap history", history.gaps)}>
          <GapChart gaps={view.gapHistory} cars={chartCars} />
        </Panel>
        <div className="area-tele">
          <TelemetryPanel
            raceId={raceId}
            carId={focus}
            label={focus !== null ? (labels.get(focus) ?? `car ${focus}`) : ""}
            clockMs={view.clockMs}
            live={!replayMode && !over}
          />
        </div>
        <Panel title="Race control" className="area-rc" note={loadNote("race control history", history.raceControl)}>
          <RaceControlPanel flag={view.flag} messages={view.raceControl} />
        </Panel>
        <Panel title="Laps" className="area-laptable" note={loadNote("lap history", history.laps)}>
          <LapsTable laps={view.laps} cars={[...selected]} labels={labels} />
        </Panel>
        <Panel title="Pit stops" className="area-pits" note={loadNote("pit stop history", history.pitStops)}>
          <PitStopsTable pits={view.pitStops} labels={labels} />
        </Panel>
      </div>
    </div>
  );
}
