import { formatClock, formatLapTime } from "../lib/format";
import type { PitRecord } from "../state/model";
import { TyreBadge } from "./TyreBadge";

export function PitStopsTable({ pits, labels }: { pits: PitRecord[]; labels: Map<number, string> }) {
  if (pits.length === 0) return <p className="muted">No pit stops yet.</p>;
  return (
    <div className="scroll">
      <table className="grid pits">
        <thead>
          <tr>
            <th>Time</th>
            <th>Car</th>
            <th className="num">Lap</th>
            <th className="num">Stationary</th>
            <th className="num">Pit lane</th>
            <th>Tyres</th>
          </tr>
        </thead>
        <tbody>
          {[...pits].reverse().map((p) => (
            <tr key={`${p.car_id}-${p.lap}-${p.entry_ts_ms}`}>
              <td className="num muted">{formatClock(p.exit_ts_ms)}</td>
              <td>{labels.get(p.car_id) ?? `car ${p.car_id}`}</td>
              <td className="num">{p.lap}</td>
              <td className="num">{formatLapTime(p.stationary_ms)}</td>
              <td className="num">{formatLapTime(p.pit_lane_ms)}</td>
              <td>
                <TyreBadge compound={p.compound_in} /> → <TyreBadge compound={p.compound_out} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
