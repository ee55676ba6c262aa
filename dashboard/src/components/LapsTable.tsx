// Lap-by-lap history of the selected cars (all cars when none is selected),
// newest first and capped so a long race stays light.
import { formatLapTime, formatSector } from "../lib/format";
import type { LapRecord } from "../state/model";
import { TyreBadge } from "./TyreBadge";

const MAX_ROWS = 200;

export function LapsTable({ laps, cars, labels }: { laps: Record<number, LapRecord[]>; cars: number[]; labels: Map<number, string> }) {
  const ids = cars.length > 0 ? cars : Object.keys(laps).map(Number);
  const rows = ids
    .flatMap((c) => laps[c] ?? [])
    .sort((a, b) => b.ts_ms - a.ts_ms || a.car_id - b.car_id)
    .slice(0, MAX_ROWS);
  return (
    <div className="scroll">
      <table className="grid laps" data-testid="laps-table">
        <thead>
          <tr>
            <th>Car</th>
            <th className="num">Lap</th>
            <th className="num">Time</th>
            <th className="num">S1</th>
            <th className="num">S2</th>
            <th className="num">S3</th>
            <th>Tyre</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No laps yet.
              </td>
            </tr>
          )}
          {rows.map((l) => (
            <tr key={`${l.car_id}-${l.lap}`} data-testid="lap-row">
              <td>{labels.get(l.car_id) ?? `car ${l.car_id}`}</td>
              <td className="num">{l.lap}</td>
              <td className={`num ${l.overall_best ? "mark-overall" : l.personal_best ? "mark-personal" : ""}`}>{formatLapTime(l.lap_ms)}</td>
              {[0, 1, 2].map((s) => (
                <td key={s} className="num">
                  {l.sectors_ms[s] !== undefined ? formatSector(l.sectors_ms[s]) : ""}
                </td>
              ))}
              <td>
                <TyreBadge compound={l.compound} age={l.tyre_age_laps} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
