// The latest strategy call per car, most urgent first.
import type { LeaderboardEntry } from "../api/types";
import { formatDeltaSeconds, formatLapTime, humanize } from "../lib/format";
import type { StrategyCall } from "../state/model";
import { TyreBadge } from "./TyreBadge";

const URGENCY: Record<string, number> = {
  boxing: 0,
  pit_now: 1,
  undercut_threat: 2,
  overcut_opportunity: 3,
  pit_window_open: 4,
  stay_out: 5,
};

export function StrategyPanel({ calls, entries }: { calls: Record<number, StrategyCall>; entries: LeaderboardEntry[] }) {
  const byCar = new Map(entries.map((e) => [e.car_id, e]));
  const label = (car: number | null) => {
    if (car === null) return "—";
    const e = byCar.get(car);
    return e ? `#${e.number} ${e.driver}` : `car ${car}`;
  };
  const list = Object.values(calls).sort(
    (a, b) => (URGENCY[a.kind] ?? 9) - (URGENCY[b.kind] ?? 9) || (byCar.get(a.car_id)?.position ?? 999) - (byCar.get(b.car_id)?.position ?? 999),
  );
  if (list.length === 0) return <p className="muted">No strategy calls yet.</p>;
  return (
    <div className="scroll">
      <table className="grid strategy">
        <thead>
          <tr>
            <th>Car</th>
            <th>Call</th>
            <th className="num">Window</th>
            <th>Rejoin</th>
            <th className="num">Loss</th>
            <th className="num">Deg/lap</th>
            <th className="num">Cliff</th>
            <th>Next</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {list.map((c) => (
            <tr key={c.car_id}>
              <td>{label(c.car_id)}</td>
              <td>
                <span className={`call call-${c.kind}`}>{humanize(c.kind)}</span>
                {c.rival !== null && <span className="muted small"> vs {label(c.rival)}</span>}
              </td>
              <td className="num">{c.pit_window_lap !== null ? `L${c.pit_window_lap}` : "—"}</td>
              <td>
                P{c.rejoin_position}
                {c.rejoin_behind !== null && <span className="muted small"> behind {label(c.rejoin_behind)}</span>}
              </td>
              <td className="num">{formatLapTime(c.pit_loss_ms)}</td>
              <td className="num">{formatDeltaSeconds(c.deg_ms_per_lap)}</td>
              <td className="num">{c.laps_to_cliff} L</td>
              <td>
                <TyreBadge compound={c.next_compound} />
              </td>
              <td className="reason">{c.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
