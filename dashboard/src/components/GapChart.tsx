// Gap to the leader over race time (GraphQL gapHistory + live leaderboards).
// Lapped cars have no meaningful time gap and drop out of the line.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatClock, formatLapTime } from "../lib/format";
import { seriesColour } from "../lib/palette";
import type { GapPoint } from "../state/model";

interface Props {
  gaps: Record<number, GapPoint[]>;
  cars: { car_id: number; label: string }[];
}

/** Points per line: enough for the eye, bounded for SVG cost. */
const MAX_POINTS = 400;

function decimate<T>(pts: T[]): T[] {
  if (pts.length <= MAX_POINTS) return pts;
  const step = pts.length / MAX_POINTS;
  const out: T[] = [];
  for (let i = 0; i < pts.length; i += step) out.push(pts[Math.floor(i)]!);
  out.push(pts[pts.length - 1]!);
  return out;
}

export function GapChart({ gaps, cars }: Props) {
  const series = cars
    .map((c) => ({
      ...c,
      data: decimate(gaps[c.car_id] ?? []).map((g) => ({ t: g.ts_ms, gap: g.gap_ms ?? (g.position === 1 ? 0 : null) })),
    }))
    .filter((s) => s.data.length > 0);
  if (series.length === 0) return <p className="muted chart-empty">No gap history yet for the selected cars.</p>;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart margin={{ top: 6, right: 12, bottom: 0, left: 6 }}>
        <CartesianGrid stroke="#263040" strokeDasharray="2 4" />
        <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={(v: number) => formatClock(v)} stroke="#8a97a8" fontSize={11} />
        <YAxis
          dataKey="gap"
          type="number"
          reversed
          tickFormatter={(v: number) => `${(v / 1000).toFixed(Math.abs(v) < 10_000 ? 1 : 0)}s`}
          stroke="#8a97a8"
          fontSize={11}
          width={44}
        />
        <Tooltip
          contentStyle={{ background: "#111820", border: "1px solid #2a3644" }}
          labelFormatter={(l) => formatClock(Number(l))}
          formatter={(v) => (v === null || v === undefined ? "—" : `+${formatLapTime(Number(v))}`)}
        />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {series.map((s, i) => (
          <Line
            key={s.car_id}
            data={s.data}
            dataKey="gap"
            name={s.label}
            stroke={seriesColour(i)}
            dot={false}
            strokeWidth={1.5}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
