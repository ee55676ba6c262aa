// The timing screen. Rows are keyed by car so React moves them when the
// order changes; best-lap colours follow timing convention (green personal
// best, purple overall best).
import { memo } from "react";
import type { LeaderboardEntry, LeaderboardEvent } from "../api/types";
import { formatGap, formatInterval, formatLapTime, formatSector, humanize } from "../lib/format";
import { teamColour } from "../lib/trackGeometry";
import type { LapMark, RaceState } from "../state/model";
import { lastLapMarkOf } from "../state/raceReducer";
import { TyreBadge } from "./TyreBadge";

interface Props {
  leaderboard: LeaderboardEvent | null;
  state: RaceState;
  selected: ReadonlySet<number>;
  focus: number | null;
  onToggle: (carId: number) => void;
  onFocus: (carId: number) => void;
}

export function Leaderboard({ leaderboard, state, selected, focus, onToggle, onFocus }: Props) {
  const entries = leaderboard?.entries ?? [];
  if (entries.length === 0) {
    return (
      <table className="grid leaderboard" data-testid="leaderboard">
        <tbody>
          <tr>
            <td className="muted">Waiting for the first leaderboard…</td>
          </tr>
        </tbody>
      </table>
    );
  }
  return (
    <table className="grid leaderboard" data-testid="leaderboard">
      <thead>
        <tr>
          <th className="num">Pos</th>
          <th />
          <th>Driver</th>
          <th>Team</th>
          <th className="num">Lap</th>
          <th className="num">Gap</th>
          <th className="num">Int</th>
          <th className="num">Last</th>
          <th className="num">Best</th>
          <th className="num">S1</th>
          <th className="num">S2</th>
          <th className="num">S3</th>
          <th>Tyre</th>
          <th className="num">Pit</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => {
          const ahead = i > 0 ? entries[i - 1]! : null;
          const laps = state.laps[e.car_id];
          const lastLap = laps?.[laps.length - 1];
          const bestIsOverall = state.overallBest?.car_id === e.car_id && e.best_lap_ms === state.overallBest.lap_ms;
          return (
            <Row
              key={e.car_id}
              e={e}
              aheadLapsDown={ahead ? ahead.laps_down : null}
              start={state.startPositions[e.car_id]}
              lastMark={lastLap && e.last_lap_ms === lastLap.lap_ms ? lastLapMarkOf(state, e.car_id) : null}
              bestIsOverall={bestIsOverall}
              fallbackSectors={lastLap?.sectors_ms ?? []}
              selected={selected.has(e.car_id)}
              focused={focus === e.car_id}
              onToggle={onToggle}
              onFocus={onFocus}
            />
          );
        })}
      </tbody>
    </table>
  );
}

interface RowProps {
  e: LeaderboardEntry;
  aheadLapsDown: number | null;
  start: number | undefined;
  lastMark: LapMark;
  bestIsOverall: boolean;
  fallbackSectors: number[];
  selected: boolean;
  focused: boolean;
  onToggle: (carId: number) => void;
  onFocus: (carId: number) => void;
}

// Rows re-render only when their own car's values change.
const Row = memo(function Row(p: RowProps) {
  const { e } = p;
  const delta = p.start !== undefined ? p.start - e.position : 0;
  const live = e.sectors_ms && e.sectors_ms.length > 0;
  const sectors = live ? e.sectors_ms : p.fallbackSectors;
  return (
    <tr
      data-testid="leaderboard-row"
      data-car-id={e.car_id}
      data-position={e.position}
      data-lap={e.lap}
      className={`${p.selected ? "sel" : ""} ${p.focused ? "focus" : ""} st-${e.status}`}
      onClick={() => p.onFocus(e.car_id)}
    >
      <td className="num pos">
        {e.position}
        {delta !== 0 && (
          <span className={delta > 0 ? "gain" : "loss"} title={`${delta > 0 ? "gained" : "lost"} ${Math.abs(delta)} since the start (P${p.start})`}>
            {delta > 0 ? "▲" : "▼"}
            {Math.abs(delta)}
          </span>
        )}
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`chart car ${e.number}`}
          checked={p.selected}
          onClick={(ev) => ev.stopPropagation()}
          onChange={() => p.onToggle(e.car_id)}
        />
      </td>
      <td className="driver">
        <span className="team-bar" style={{ background: teamColour(e.team) }} />
        <span className="carno">{e.number}</span> {e.driver}
      </td>
      <td className="team muted">{e.team}</td>
      <td className="num">{e.lap}</td>
      <td className="num">{formatGap(e.gap_to_leader_ms, e.laps_down, e.position)}</td>
      <td className="num">{formatInterval(e.interval_ms, e.laps_down, p.aheadLapsDown)}</td>
      <td className={`num ${p.lastMark ? `mark-${p.lastMark}` : ""}`}>{formatLapTime(e.last_lap_ms)}</td>
      <td className={`num ${p.bestIsOverall ? "mark-overall" : ""}`}>{formatLapTime(e.best_lap_ms)}</td>
      {[0, 1, 2].map((s) => (
        <td key={s} className={`num sector ${live ? "" : "muted"}`}>
          {sectors[s] !== undefined ? formatSector(sectors[s]) : ""}
        </td>
      ))}
      <td>
        <TyreBadge compound={e.compound} age={e.tyre_age_laps} />
      </td>
      <td className="num">{e.pit_stops}</td>
      <td className={`status status-${e.status}`}>{humanize(e.status)}</td>
    </tr>
  );
});
